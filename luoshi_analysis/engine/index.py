"""The index pages of an outputs folder: a dashboard of the collection, and one per unit.

``<outputs>/index.html`` lists every unit and year with its totals, two ratios, its checks and
its unreviewed figures, and links each page; ``<outputs>/<unit>/index.html`` does the same for
the unit's years; ``<outputs>/collection/index.html`` lists the pages about every unit. The
tables sort by any column with a small inline script (no outside script) and read the same
without it. Figures come from each unit's data folder, which its outputs folder records.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from luoshi_analysis.analysis.summary import YearSummary, year_summary
from luoshi_analysis.core import config
from luoshi_analysis.core.atomic import write_text
from luoshi_analysis.core.errors import LuoshiError
from luoshi_analysis.core.load import document_years
from luoshi_analysis.core.numbers import format_number
from luoshi_analysis.core.provenance import read_source
from luoshi_analysis.engine.jobs import stale_marker
from luoshi_analysis.engine.outputs import unit_record
from luoshi_analysis.engine.plan import COLLECTION_FOLDER
from luoshi_analysis.reports.labels import LANGS, known_notebooks, notebook_title, pick, text

INDEX_FILE = "index.html"
_CSS_FILE = config.TEMPLATES_DIR / config.NBCONVERT_TEMPLATE / "luoshi.css"
# Sorts a table by the column whose button is pressed; numbers by data-sort, else by text.
_SORT_SCRIPT = """
document.querySelectorAll("table.luoshi-sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (th, column) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var up = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("thead th").forEach(function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column], y = b.cells[column];
        var p = x.dataset.sort, q = y.dataset.sort;
        var c = (p !== undefined && q !== undefined && p !== "" && q !== "")
          ? Number(p) - Number(q) : x.textContent.localeCompare(y.textContent, "zh");
        return up ? c : -c;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""
_EXTRA_CSS = """
.luoshi-index { max-width: 1500px; margin: 2em auto; line-height: 1.6; padding: 0 1em; }
.luoshi-index table { border-collapse: collapse; width: 100%; }
.luoshi-index th, .luoshi-index td { border-bottom: 1px solid #ddd; padding: 0.4em;
  text-align: left; vertical-align: top; }
.luoshi-index td.num { text-align: right; font-variant-numeric: tabular-nums; }
.luoshi-index thead button { font: inherit; font-weight: bold; background: none; border: 0;
  padding: 0; cursor: pointer; text-align: inherit; }
.luoshi-index ul { margin: 0; padding-left: 1.2em; }
.luoshi-index td.pages { min-width: 24em; }
.luoshi-index tbody th[scope="row"] { min-width: 12em; }
.luoshi-index li.note, .luoshi-index .name-en { color: #555; font-size: 0.9em; }
.luoshi-index ul.luoshi-legend { color: #333; }
.luoshi-bad { color: #a00; font-weight: bold; }
"""


@dataclass(frozen=True)
class _UnitPages:
    """A unit's folder in the outputs, and the data folder its record names."""

    name: str
    folder: Path  # <outputs>/<unit>
    data: Path | None  # None where the record names no data folder that still exists
    name_en: str = ""  # the unit's English name, where its newest source record gives one


def _unit_folders(outputs: Path) -> list[_UnitPages]:
    found = []
    for folder in sorted(p for p in outputs.iterdir() if p.is_dir()):
        record = unit_record(folder)
        if record is not None:
            data = Path(record["data"])
            found.append(_UnitPages(record["name"], folder, data if data.is_dir() else None,
                                    _english_name(data) if data.is_dir() else ""))
    return found


def _english_name(data: Path) -> str:
    """Return the English name the newest source record of a data folder gives, or ""."""
    for year in reversed(document_years(data)):
        try:
            return read_source(year, data).issuer_en
        except LuoshiError:
            continue
    return ""


def _both_names(unit: _UnitPages) -> str:
    return f"{unit.name} · {unit.name_en}" if unit.name_en else unit.name


def _link(href: str, label: str, lang: str = "") -> str:
    hreflang = f' hreflang="{lang}"' if lang else ""
    return f'<a href="{html.escape(href)}"{hreflang}>{html.escape(label)}</a>'


def _page_links(year_dir: Path, prefix: str) -> list[str]:
    """One item per page of a year folder: its title and its zh/en links (stale ones marked)."""
    found = {p.name.rsplit("_", 1)[0] for lang in LANGS for p in year_dir.glob(f"*_{lang}.html")
             if not p.name.startswith(".")}
    known = known_notebooks()
    items = []
    for notebook in [n for n in known if n in found] + sorted(found - set(known)):
        links = []
        for lang, label in (("zh", "中文"), ("en", "English")):
            stem = f"{notebook}_{lang}"
            if (year_dir / f"{stem}.html").is_file():
                link = _link(f"{prefix}{year_dir.name}/{stem}.html", label, lang)
                if (year_dir / f"{stem}.pdf").is_file():
                    link += " " + _link(f"{prefix}{year_dir.name}/{stem}.pdf", "PDF", lang)
                link += _stale_note(stale_marker(year_dir, stem), lang)
                links.append(link)
        title = f"{notebook_title(notebook, 'zh')} · {notebook_title(notebook, 'en')}"
        items.append(f"<li>{html.escape(title)}：{' | '.join(links)}</li>")
    return items


def _stale_note(marker: Path, lang: str) -> str:
    """One short line, in the page's language, when the page shown is from an earlier run.

    The marker holds the failed run's status (its whole error is in the run manifest).
    """
    if not marker.is_file():
        return ""
    status = marker.read_text("utf-8", errors="replace").split(":", 1)[0].strip()
    note = text("stale_note", lang, status=pick("statuses", status, lang))
    return f' <mark class="luoshi-stale" lang="{lang}">{html.escape(note)}</mark>'


def _number_cell(value: float | None, places: int = 2, suffix: str = "") -> str:
    if value is None or math.isnan(value):
        return '<td class="num" data-sort="">–</td>'
    return (f'<td class="num" data-sort="{value:.6f}">'
            f"{html.escape(format_number(value, places))}{suffix}</td>")


def _summary_cells(summary: YearSummary | None) -> str:
    """The dashboard's figure cells of a unit-year (dashes where its documents give none)."""
    if summary is None:
        return '<td>–</td>' + _number_cell(None) * 4 + '<td>–</td>' + _number_cell(None)
    kind = pick("report_kinds", summary.kind, "zh") if summary.kind else "–"
    if summary.phase == "budgeted":
        kind += "（预算数）"
    if summary.checks_failed is None:
        checks = '<td data-sort="">–</td>'
    elif summary.checks_failed:
        checks = (f'<td data-sort="{summary.checks_failed}"><span class="luoshi-bad">✗ '
                  f"{summary.checks_failed}</span></td>")
    else:
        checks = '<td data-sort="0">✓</td>'
    unreviewed = (f'<td class="num" data-sort="{summary.unreviewed}">'
                  + (f'<span class="luoshi-bad">{summary.unreviewed}</span>'
                     if summary.unreviewed else "0") + "</td>")
    return (f"<td>{html.escape(kind)}</td>" + _number_cell(summary.revenue_total)
            + _number_cell(summary.expenditure_total)
            + _number_cell(summary.project_share_pct, 2, "%")
            + _number_cell(summary.carryforward_rate_pct, 2, "%") + checks + unreviewed)


def _summary(data: Path | None, year: int) -> YearSummary | None:
    if data is None:
        return None
    try:
        return year_summary(year, data)
    except LuoshiError:
        return None  # the year's data no longer loads: its pages say so (stale)


# Why a year may have fewer pages, in the order rows and the legend give them.
_REASONS = ("no_overview", "no_spending", "no_indicators")


def _reasons(summary: YearSummary | None) -> list[str]:
    """Why a year has fewer pages: its documents state no overview, or no outcome figures."""
    if summary is None:
        return []
    return (["no_overview"] if summary.phase is None else []) + (
        ["no_spending"] if summary.phase is not None and not summary.spending_lines else []) + (
        ["no_indicators"] if not summary.indicators else [])


def _note_items(reasons: list[str]) -> list[str]:
    """A short note per reason, in both languages (the full sentence is in the legend)."""
    return [f'<li class="note">{html.escape(text(r + "_short", "zh"))} · '
            f'<span lang="en">{html.escape(text(r + "_short", "en"))}</span></li>' for r in reasons]


def _legend(reasons: set[str]) -> str:
    """The full sentence of each short note the table uses, once, under the table."""
    if not reasons:
        return ""
    order = [r for r in _REASONS if r in reasons]
    items = "".join(f"<li>{html.escape(text(r, 'zh'))}<br><span lang=\"en\">"
                    f"{html.escape(text(r, 'en'))}</span></li>" for r in order)
    return (f'<h2 class="luoshi-legend-heading">{html.escape(text("notes_heading", "zh"))} · '
            f'{html.escape(text("notes_heading", "en"))}</h2>\n'
            f'<ul class="luoshi-legend">{items}</ul>\n')


_HEADS = (("document", False), ("revenue_total", True), ("expenditure_total", True),
          ("project_share", True), ("carryforward_rate", True), ("checks", False),
          ("unreviewed", True))


def _heading(key: str) -> str:
    """A sortable column heading in both languages."""
    label = f"{pick('index', key, 'zh')} · {pick('index', key, 'en')}"
    return f'<th scope="col"><button type="button">{html.escape(label)}</button></th>'


def _page(title: str, body: str) -> str:
    css = _CSS_FILE.read_text("utf-8")
    return f"""<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<style>{css}{_EXTRA_CSS}</style>
</head>
<body class="luoshi-index">
{body}
<script>{_SORT_SCRIPT}</script>
</body>
</html>
"""


def _years(unit: _UnitPages) -> tuple[set[int], set[int]]:
    """Return a unit's years with pages in the outputs, and its years with data."""
    pages = {int(p.name) for p in unit.folder.iterdir() if p.is_dir() and p.name.isdigit()}
    return pages, set(document_years(unit.data)) if unit.data else set()


def _span(years: set[int]) -> str:
    """2020, or 2020–2023: the years an index covers."""
    return "–".join(dict.fromkeys([str(min(years)), str(max(years))])) if years else ""


def _rows(unit: _UnitPages, prefix: str, with_unit: bool,
          reasons: set[str]) -> list[str]:
    """One table row per year of a unit: figures, pages and notes (newest year first).

    Adds the reasons of the notes it shows to ``reasons`` (for the legend under the table).
    """
    pages, in_data = _years(unit)
    rows = []
    for year in sorted(pages | in_data, reverse=True):
        summary = _summary(unit.data, year) if year in in_data else None
        items = _page_links(unit.folder / str(year), prefix) if year in pages else []
        year_reasons = _reasons(summary)
        reasons.update(year_reasons)
        items += _note_items(year_reasons)
        peers = unit.folder.parent / COLLECTION_FOLDER / str(year)
        if with_unit and peers.is_dir():
            items.append(f"<li>{_link(f'{COLLECTION_FOLDER}/{year}/peers_zh.html', '各单位比较')}"
                         f" | {_link(f'{COLLECTION_FOLDER}/{year}/peers_en.html', 'Peers')}</li>")
        unit_cell = (f'<th scope="row">{_link(quote(unit.folder.name) + "/" + INDEX_FILE, unit.name)}'
                     + (f'<br><span class="name-en" lang="en">{html.escape(unit.name_en)}</span>'
                        if unit.name_en else "")
                     + "</th>" if with_unit else "")
        year_cell = (f'<td data-sort="{year}">{year}</td>' if with_unit
                     else f'<th scope="row" data-sort="{year}">{year}</th>')
        rows.append(f"<tr>{unit_cell}{year_cell}{_summary_cells(summary)}"
                    f'<td class="pages"><ul>{"".join(items)}</ul></td></tr>')
    return rows


def _table(rows: list[str], with_unit: bool) -> str:
    heads = ([_heading("unit")] if with_unit else []) + [_heading("year")]
    heads += [_heading(key) for key, _numeric in _HEADS]
    heads.append(f'<th scope="col">{html.escape(pick("index", "pages", "zh"))} · '
                 f'{html.escape(pick("index", "pages", "en"))}</th>')
    return (f'<table class="luoshi-sortable"><thead><tr>{"".join(heads)}</tr></thead>'
            f"<tbody>\n{chr(10).join(rows)}\n</tbody></table>")


def build_unit_index(unit: _UnitPages) -> Path:
    """Write <outputs>/<unit>/index.html: the unit's years, figures and pages."""
    pages, in_data = _years(unit)
    reasons: set[str] = set()
    heading = text("unit_index_heading", "zh", issuer=_both_names(unit), years=_span(pages | in_data))
    body = (f"<h1>{html.escape(heading)}</h1>\n"
            f'<p><a href="../{INDEX_FILE}">{html.escape(text("all_units", "zh"))} · '
            f'{html.escape(text("all_units", "en"))}</a></p>\n'
            f"<p>{html.escape(text('figures_note', 'zh'))}<br>"
            f"{html.escape(text('figures_note', 'en'))}</p>\n"
            + _table(_rows(unit, "", False, reasons), with_unit=False) + _legend(reasons))
    path = unit.folder / INDEX_FILE
    write_text(path, _page(heading, body))
    return path


def _collection_pages(outputs: Path, prefix: str) -> str:
    """The list of pages about every unit (the peers page of each year), or ""."""
    folder = outputs / COLLECTION_FOLDER
    year_dirs = sorted((p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()),
                       reverse=True) if folder.is_dir() else []
    items = [f"<li>{d.name}：<ul>{''.join(_page_links(d, prefix))}</ul></li>" for d in year_dirs]
    if not items:
        return ""
    return (f"<h2>{html.escape(text('peers_heading', 'zh'))} · "
            f"{html.escape(text('peers_heading', 'en'))}</h2>\n<ul>{''.join(items)}</ul>\n")


def build_indexes(outputs: Path) -> Path:
    """Write every index page of an outputs folder; return the collection's (outputs/index.html)."""
    found = _unit_folders(outputs)
    for unit in found:
        build_unit_index(unit)
    span = _span({y for unit in found for y in set.union(*_years(unit))})
    heading = text("collection_heading", "zh", count=len(found), years=span)
    reasons: set[str] = set()
    rows = [row for unit in found
            for row in _rows(unit, quote(unit.folder.name) + "/", True, reasons)]
    body = (f"<h1>{html.escape(heading)}</h1>\n"
            f"<p>{html.escape(text('collection_heading', 'en', count=len(found), years=span))}</p>\n"
            f"<p>{html.escape(text('figures_note', 'zh'))}<br>"
            f"{html.escape(text('figures_note', 'en'))}</p>\n"
            + _table(rows, with_unit=True) + "\n" + _legend(reasons)
            + _collection_pages(outputs, f"{COLLECTION_FOLDER}/"))
    path = outputs / INDEX_FILE
    write_text(path, _page(heading, body))
    peers = _collection_pages(outputs, "")
    if peers:  # the pages about every unit link back to their folder's index (../index.html)
        write_text(outputs / COLLECTION_FOLDER / INDEX_FILE, _page(heading, (
            f'<p><a href="../{INDEX_FILE}">{html.escape(text("all_units", "zh"))} · '
            f'{html.escape(text("all_units", "en"))}</a></p>\n' + peers)))
    return path
