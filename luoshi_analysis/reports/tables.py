"""Tables of a page as escaped HTML in one language: headings, numbers right-aligned, quotes marked."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import pandas as pd

from luoshi_analysis.core.numbers import format_number
from luoshi_analysis.reports.figures import marked_name, shown_figure
from luoshi_analysis.reports.labels import (
    figure_number,
    line_label,
    localized_columns,
    pick,
    text,
    unit_label,
)

# Columns that quote the report verbatim: Chinese in every page, marked as such.
QUOTED_COLUMNS = ("source_fragment", "kept_fragment", "other_fragment")
# A cell that reads as a number (1,334.20, +0.0045, 49.09%, 2020): right-aligned.
NUMBER_CELL = re.compile(r"[+\-−]?[0-9][0-9,]*(\.[0-9]+)?%?")
# Columns of figures written with their unit and qualifier (近3万亩, 23栋): right-aligned too.
FIGURE_TEXT_COLUMNS = ("figure",)


def _cells(values: pd.Series, places: int, figure: bool) -> pd.Series:
    """Return a column's cells as escaped text: ✓/✗, numbers at their precision, or text."""
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "✓", False: "✗"})
    if pd.api.types.is_float_dtype(values):
        if figure:  # a count or measure: 18,000 and 49.8, never 18,000.00
            return values.map(lambda v: "" if pd.isna(v) else figure_number(v))
        return values.map(lambda v: format_number(v, places))
    return values.map(lambda v: "" if pd.isna(v) else html.escape(str(v)))


def table_html(frame: pd.DataFrame, lang: str, places: int = 2,
               figures: Iterable[str] = ()) -> str:
    """Return a table as escaped HTML in lang: localized headings, units, fixed decimals, ✓/✗.

    Numbers are right-aligned (class "num"), headings are column headers for assistive
    technology, and cells of QUOTED_COLUMNS (verbatim report text) carry lang="zh" so that an
    English page marks its Chinese quotations as such.

    Args:
        frame: The table.
        lang: "zh" or "en".
        places: Decimals of amounts and shares ("-0.00" is never shown).
        figures: Columns of figures (counts, lengths) shown as the report would write them:
            whole numbers without decimals, others with as few as they need.
    """
    figures = [c for c in figures if c in frame.columns]
    if "unit" in frame.columns:  # units as written (户, 万元) read as words in English
        frame = frame.assign(unit=frame["unit"].map(lambda u: unit_label(str(u), lang)))
    shown = localized_columns(frame, lang)
    # each column's heading in lang (a column of the other language has none)
    named = {c: h for c in frame.columns for h in localized_columns(frame[[c]].head(0), lang).columns}
    quoted = {named.get(c) for c in QUOTED_COLUMNS}
    figure_columns = {named.get(c) for c in figures}
    figure_text = {named.get(c) for c in FIGURE_TEXT_COLUMNS}
    columns = []
    for column in shown.columns:
        cells = _cells(shown[column], places, column in figure_columns)
        numeric = column in figure_text or is_numeric(list(cells))
        if column in quoted:
            cells = cells.map(lambda v: f'<span lang="zh">{v}</span>' if v else v)
        columns.append((str(column), list(cells), numeric))
    return table_markup(columns)


def is_numeric(cells: list[str]) -> bool:
    """Whether a column's cells (text) are numbers or empty (a column of none stays aligned)."""
    return bool(cells) and all(NUMBER_CELL.fullmatch(c) for c in cells if c)


def table_markup(columns: list[tuple[str, list[str], bool]], empty: str = "") -> str:
    """Return a reader's table from its columns: (heading, cells as HTML, numeric).

    A numeric column is right-aligned (class "num"); headings are column headers for assistive
    technology; an empty cell shows ``empty``.
    """
    head, body = [], []
    for heading, cells, numeric in columns:
        align = ' class="num"' if numeric else ""
        head.append(f'<th scope="col"{align}>{html.escape(heading)}</th>')
        body.append([f"<td{align}>{c or empty}</td>" for c in cells])
    rows = "".join(f"<tr>{''.join(cells)}</tr>\n" for cells in zip(*body, strict=True))
    return (f'<table class="luoshi-table">\n<thead><tr>{"".join(head)}</tr></thead>\n'
            f"<tbody>\n{rows}</tbody>\n</table>")


def share_table(structure: pd.DataFrame) -> pd.DataFrame:
    """Return one side of the budget as a reader's table: each share beside what it is a share of.

    Args:
        structure: Rows of ``revenue_structure`` or ``spending_mix``.
    """
    labels = structure.set_index("key")
    parent = structure["parent_key"]
    return pd.DataFrame({
        "label_zh": structure["label_zh"], "label_en": structure["label_en"],
        "amount": structure["amount"],
        "share_base_zh": parent.map(labels["label_zh"]), "share_base_en": parent.map(labels["label_en"]),
        "share_of_parent_pct": structure["share_of_parent_pct"],
        "stated_share_pct": structure["stated_share_pct"],
        "share_difference_pct": structure["share_difference_pct"],
    })


def indicator_table(indicators: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the indicators as a reader's table: section, name, figure as written, source.

    A name no person has reviewed yet is marked in lang.
    """
    names = [marked_name(r, lang) for _, r in indicators.iterrows()]
    figures = [shown_figure(r, lang) for _, r in indicators.iterrows()]
    return pd.DataFrame({"section": indicators["section"], f"name_{lang}": names,
                         "figure": figures, "source_fragment": indicators["source_fragment"]})


def violations_table(violations: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return disagreeing statements as a reader's table in lang, built from the columns.

    The English ``message`` is left out: kind, line, scope and phase are named in lang, both
    amounts shown, and both fragments quoted with the report year and line they come from.
    """
    def where(report, line) -> str:
        if pd.isna(report) or pd.isna(line):
            return ""
        return text("violation_where", lang, year=int(report), line=int(line))

    rows = violations.reset_index(drop=True)
    return pd.DataFrame({
        "year": rows["year"].astype(int),
        "kind": [pick("violations", c, lang) for c in rows["check"]],
        "label": [line_label(k, lang) for k in rows["key"]],
        "scope": [pick("scopes", c, lang) for c in rows["scope"]],
        "phase": [pick("phases", c, lang) for c in rows["phase"]],
        "kept_amount": rows["kept_amount"].astype(float),
        "kept_fragment": rows["kept_fragment"],
        "kept_where": [where(r, n) for r, n in zip(rows["kept_report"], rows["kept_line"],
                                                   strict=True)],
        "other_amount": rows["other_amount"].astype(float),
        "other_fragment": rows["other_fragment"],
        "other_where": [where(r, n) for r, n in zip(rows["other_report"], rows["other_line"],
                                                    strict=True)],
    })


def statements_by_year_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return ``statements_by_year`` rows as a reader's table: where each amount comes from."""
    def source(row) -> str:
        if row["source"] == "later_report":
            return text("from_later_report", lang, year=int(row["later_report_year"]))
        return text("own_report", lang, year=int(row["year"]))

    return pd.DataFrame({
        "label_zh": frame["label_zh"], "label_en": frame["label_en"],
        "year": frame["year"].astype(int), "amount": frame["amount"].astype(float),
        "stated_in": [source(r) for _, r in frame.iterrows()],
        "clause_amount": frame["clause_amount"].astype(float),
    })
