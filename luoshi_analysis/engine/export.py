"""Export executed notebooks to self-contained HTML pages and build the index page."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from luoshi_analysis.core import config
from luoshi_analysis.core.atomic import write_text
from luoshi_analysis.engine.jobs import stale_marker
from luoshi_analysis.reports.labels import LANGS, known_notebooks, notebook_title, text, texts

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

# CSS comments in nbconvert's stylesheet name outside hosts; a page must name none.
_STYLE_BLOCK = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def _strip_css_comments(page: str) -> str:
    return _STYLE_BLOCK.sub(lambda m: m[1] + _CSS_COMMENT.sub("", m[2]) + m[3], page)


# the process's one exporter and its TagRemovePreprocessor: templates compiled once
_EXPORTER: list[tuple[HTMLExporter, TagRemovePreprocessor]] = []


def _exporter(lang: str, with_code: bool) -> HTMLExporter:
    """Return the process's one HTML exporter, set for a language and code setting.

    One exporter serves every page, so nbconvert's templates are compiled once per process.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    if not _EXPORTER:
        exporter = HTMLExporter(
            template_name=config.NBCONVERT_TEMPLATE,
            extra_template_basedirs=[str(config.TEMPLATES_DIR)],
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
        remove_tags = TagRemovePreprocessor(enabled=True)
        exporter.register_preprocessor(remove_tags, enabled=True)
        _EXPORTER.append((exporter, remove_tags))
    exporter, remove_tags = _EXPORTER[0]
    exporter.exclude_input = not with_code
    exporter.language_code = lang
    remove_tags.remove_cell_tags = {lang_ for lang_ in LANGS if lang_ != lang}
    return exporter


def notebook_to_html(nb: nbformat.NotebookNode, lang: str, title: str, with_code: bool) -> str:
    """Return a self-contained HTML page of an executed notebook.

    Cells tagged with the other language are dropped; code is hidden unless with_code.
    """
    exporter = _exporter(lang, with_code)
    nb.metadata["title"] = title
    page, _ = exporter.from_notebook_node(
        nb, resources={"luoshi_back_label": text("back_to_index", lang)}
    )
    return _strip_css_comments(page)


def export_page_file(executed: Path, page: Path, lang: str, title: str, with_code: bool) -> None:
    """Read an executed notebook and write its page (to a temporary name, then renamed)."""
    nb = nbformat.read(executed, as_version=4)
    write_text(page, notebook_to_html(nb, lang, title, with_code))


def warm_exporter() -> None:
    """Export an empty notebook once, so that nbconvert is imported and its templates compiled."""
    notebook_to_html(nbformat.v4.new_notebook(), "zh", "warm-up", with_code=False)


STALE_LABEL = "旧版 · stale"


def _page_notebooks(year_dir: Path) -> list[str]:
    """Notebook names with a page in a year folder: the known ones first, then any other."""
    found = {p.name.rsplit("_", 1)[0] for lang in LANGS for p in year_dir.glob(f"*_{lang}.html")
             if not p.name.startswith(".")}
    known = known_notebooks()
    return [n for n in known if n in found] + sorted(found - set(known))


def _page_link(year_dir: Path, notebook: str, lang: str, label: str) -> str:
    """Link to one page; a page whose last run failed is marked stale, with the reason."""
    href = html.escape(f"{year_dir.name}/{notebook}_{lang}.html")
    link = f'<a href="{href}" hreflang="{lang}">{label}</a>'
    marker = stale_marker(year_dir, f"{notebook}_{lang}")
    if marker.is_file():
        reason = marker.read_text("utf-8", errors="replace").strip()
        link += (f' <mark class="luoshi-stale" title="{html.escape(reason)}">{STALE_LABEL}'
                 f'（{html.escape(reason)}）</mark>')
    return link


def issuer_names(data_root: Path | None = None) -> tuple[str, str]:
    """Return the unit's Chinese and English names from the newest year's source record.

    The data folder is one unit; an empty folder gives empty names.
    """
    from luoshi_analysis.core.load import years
    from luoshi_analysis.core.provenance import read_source
    from luoshi_analysis.reports.labels import issuer_name

    available = years(data_root)
    if not available:
        return "", ""
    source = read_source(available[-1], data_root)
    return issuer_name(source, "zh"), issuer_name(source, "en")


def unreviewed_count(year: int, data_root: Path | None = None) -> int:
    """Return how many of a year's indicator rows no person has reviewed (0 if none load)."""
    from luoshi_analysis.core.errors import LuoshiError
    from luoshi_analysis.core.load import load_indicators

    try:
        return int((~load_indicators(year, data_root)["reviewed"]).sum())
    except LuoshiError:
        return 0


def build_index(outputs: Path, data_root: Path | None = None) -> Path:
    """Write outputs/index.html linking every year's exported pages, newest year first.

    Pages of any template are linked (titled by name when the texts do not know them); a page
    whose last run failed is marked stale with the reason; a year with indicator rows no
    person has reviewed says how many.

    Args:
        outputs: The outputs folder holding <year>/<notebook>_<lang>.html.
        data_root: The data folder the pages were made from (names the unit).
    """
    issuer_zh, issuer_en = issuer_names(data_root)
    index_zh, index_en = texts("zh")["index"], texts("en")["index"]
    year_label, reports_label = index_zh["year"], index_zh["reports"]
    zh_label, en_label = index_zh["zh_link"], index_zh["en_link"]
    heading = index_zh["heading"].format(issuer=issuer_zh)
    heading_en = index_en["heading"].format(issuer=issuer_en)
    rows = []
    year_dirs = sorted((p for p in outputs.iterdir() if p.is_dir() and p.name.isdigit()),
                       reverse=True)
    span = "–".join(dict.fromkeys([year_dirs[-1].name, year_dirs[0].name])) if year_dirs else ""
    for year_dir in year_dirs:
        items = []
        for notebook in _page_notebooks(year_dir):
            title_zh, title_en = notebook_title(notebook, "zh"), notebook_title(notebook, "en")
            links = [
                _page_link(year_dir, notebook, lang, label)
                for lang, label in (("zh", zh_label), ("en", en_label))
                if (year_dir / f"{notebook}_{lang}.html").is_file()
            ]
            if links:
                items.append(f"<li>{html.escape(title_zh)} · {html.escape(title_en)}："
                             + " | ".join(links) + "</li>")
        unreviewed = unreviewed_count(int(year_dir.name), data_root) if items else 0
        if unreviewed:
            zh, en = (html.escape(text("index_unreviewed", lang, count=unreviewed))
                      for lang in ("zh", "en"))
            items.append(f'<li><mark class="luoshi-unreviewed">{zh} · <span lang="en">{en}'
                         "</span></mark></li>")
        if items:
            rows.append(f"<tr><th scope=\"row\">{html.escape(year_dir.name)}</th>"
                        f"<td><ul>{''.join(items)}</ul></td></tr>")
    css = (config.TEMPLATES_DIR / config.NBCONVERT_TEMPLATE / "luoshi.css").read_text("utf-8")
    page = f"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(heading)}（{span}）· {html.escape(heading_en)}</title>
<style>{_CSS_COMMENT.sub('', css)}
.luoshi-index {{ max-width: 900px; margin: 2em auto; line-height: 1.6; }}
.luoshi-index table {{ border-collapse: collapse; width: 100%; }}
.luoshi-index th, .luoshi-index td {{ border-bottom: 1px solid #ddd; padding: 0.5em;
  text-align: left; vertical-align: top; }}
</style>
</head>
<body class="luoshi-index">
<h1>{html.escape(heading)}（{span}）</h1>
<p>{html.escape(issuer_zh)} · {html.escape(issuer_en)}</p>
<table>
<thead><tr><th>{year_label} · Year</th><th>{reports_label} · Reports</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""
    path = outputs / "index.html"
    write_text(path, page)
    return path
