"""Export executed notebooks to self-contained HTML pages and build the index page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

from luoshi_analysis import config
from luoshi_analysis.atomic import write_text
from luoshi_analysis.labels import LANGS, text

# CSS comments in nbconvert's stylesheet name outside hosts; a page must name none.
_STYLE_BLOCK = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def _strip_css_comments(page: str) -> str:
    return _STYLE_BLOCK.sub(lambda m: m[1] + _CSS_COMMENT.sub("", m[2]) + m[3], page)


def notebook_to_html(nb: nbformat.NotebookNode, lang: str, title: str, with_code: bool) -> str:
    """Return a self-contained HTML page of an executed notebook.

    Cells tagged with the other language are dropped; code is hidden unless with_code.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    other = {lang_ for lang_ in LANGS if lang_ != lang}
    exporter = HTMLExporter(
        template_name=config.NBCONVERT_TEMPLATE,
        extra_template_basedirs=[str(config.TEMPLATES_DIR)],
        exclude_input=not with_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        language_code=lang,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=other, enabled=True), enabled=True
    )
    nb.metadata["title"] = title
    page, _ = exporter.from_notebook_node(
        nb, resources={"luoshi_back_label": text("back_to_index", lang)}
    )
    return _strip_css_comments(page)


def warm_exporter() -> None:
    """Export an empty notebook once, so processes forked afterwards find nbconvert's caches."""
    notebook_to_html(nbformat.v4.new_notebook(), "zh", "warm-up", with_code=False)


INDEX_TEXT = {
    "zh": ("{issuer}部门整体支出绩效评价报告", "年度", "报告", "中文", "English"),
    "en": ("{issuer}: performance evaluation reports", "Year", "Reports", "中文", "English"),
}


def issuer_names(data_root: Path | None = None) -> tuple[str, str]:
    """Return the unit's Chinese and English names from the newest year's source record.

    The data folder is one unit; an empty folder gives empty names.
    """
    from luoshi_analysis.labels import issuer_name
    from luoshi_analysis.load import years
    from luoshi_analysis.provenance import read_source

    available = years(data_root)
    if not available:
        return "", ""
    source = read_source(available[-1], data_root)
    return issuer_name(source, "zh"), issuer_name(source, "en")


def build_index(outputs: Path, titles: dict[str, tuple[str, str]],
                data_root: Path | None = None) -> Path:
    """Write outputs/index.html linking every year's exported pages, newest year first.

    Args:
        outputs: The outputs folder holding <year>/<notebook>_<lang>.html.
        titles: notebook name -> (Chinese title, English title).
        data_root: The data folder the pages were made from (names the unit).
    """
    issuer_zh, issuer_en = issuer_names(data_root)
    heading_format, year_label, reports_label, zh_label, en_label = INDEX_TEXT["zh"]
    heading = heading_format.format(issuer=issuer_zh)
    heading_en = INDEX_TEXT["en"][0].format(issuer=issuer_en)
    rows = []
    year_dirs = sorted((p for p in outputs.iterdir() if p.is_dir() and p.name.isdigit()),
                       reverse=True)
    span = "–".join(dict.fromkeys([year_dirs[-1].name, year_dirs[0].name])) if year_dirs else ""
    for year_dir in year_dirs:
        items = []
        for notebook, (title_zh, title_en) in titles.items():
            links = [
                f'<a href="{html.escape(f"{year_dir.name}/{notebook}_{lang}.html")}" '
                f'hreflang="{lang}">{label}</a>'
                for lang, label in (("zh", zh_label), ("en", en_label))
                if (year_dir / f"{notebook}_{lang}.html").is_file()
            ]
            if links:
                items.append(f"<li>{html.escape(title_zh)} · {html.escape(title_en)}："
                             + " | ".join(links) + "</li>")
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
