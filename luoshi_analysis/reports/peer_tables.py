"""The peers page's tables: a reader's columns in one language, amounts as exact as reported."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pandas as pd

from luoshi_analysis.analysis.peers import share_column, stated_categories
from luoshi_analysis.core.numbers import format_number
from luoshi_analysis.reports.labels import amount_unit, line_label, pick, texts
from luoshi_analysis.reports.peer_plots import DOT_RATIOS, fails_checks, peer_text, phase_name, unit_name
from luoshi_analysis.reports.tables import is_numeric, table_markup

# Han ideographs and CJK punctuation: a cell holding them is Chinese (a name, a title).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def heading(column: str, lang: str) -> str:
    """Return a column's heading on the peers page ([peer_columns]); else the column's name."""
    return str(texts(lang)["peer_columns"].get(column, column))


def amount_text(value: float) -> str:
    """Return an amount in 万元 with every decimal it has, at least two (921.43775, 5,446.35)."""
    if pd.isna(value):
        return ""
    exact = Decimal(repr(float(value))).normalize()
    places = max(2, -int(exact.as_tuple().exponent))
    return format_number(float(value), places)


def _share_heading(key: str, whole: str, lang: str) -> str:
    whole_label = line_label(whole, lang)
    return peer_text("share_heading", lang, line=line_label(key, lang),
                     whole=whole_label.lower() if lang == "en" else whole_label)


def _units(peers: pd.DataFrame, lang: str) -> dict[str, list[str]]:
    """Return the unit and phase columns of a reader's table."""
    rows = peers.to_dict("records")
    return {heading("unit", lang): [unit_name(r, lang) for r in rows],
            heading("phase", lang): [phase_name(str(r["phase"]), lang) for r in rows]}


def structure_table(peers: pd.DataFrame, side: str, lang: str) -> pd.DataFrame:
    """Return each unit's revenue (or spending) this year and each category's share of it.

    Only categories with an amount in some unit are columns.
    """
    whole = f"{side}_current_year"
    table = _units(peers, lang) | {heading(whole, lang): [amount_text(v) for v in peers[whole]]}
    for key in stated_categories(peers, side):
        table[_share_heading(key, whole, lang)] = [
            format_number(v) for v in peers[share_column(key, whole)]]
    return pd.DataFrame(table)


def ratio_table(peers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return each unit's totals, its ratios and the scope of its budget execution rate."""
    table = _units(peers, lang)
    for column in ("revenue_total", "expenditure_current_year"):
        table[heading(column, lang)] = [amount_text(v) for v in peers[column]]
    for column, ratio in DOT_RATIOS:
        name = ratio.name_zh if lang == "zh" else ratio.name_en
        table[peer_text("pct_heading", lang, name=name)] = [format_number(v) for v in peers[column]]
    table[heading("budget_execution_scope", lang)] = [
        pick("scopes", s, lang) if s else "" for s in peers["budget_execution_scope"]]
    return pd.DataFrame(table)


def change_table(change: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return each unit's lines in the year before and this year, with the change."""
    rows = change.to_dict("records")
    return pd.DataFrame({
        heading("unit", lang): [unit_name(r, lang) for r in rows],
        heading("phase", lang): [phase_name(str(r["phase"]), lang) for r in rows],
        heading("line", lang): [line_label(str(r["key"]), lang) for r in rows],
        heading("amount_previous", lang): [amount_text(r["amount_previous"]) for r in rows],
        heading("amount_current", lang): [amount_text(r["amount_current"]) for r in rows],
        heading("change", lang): [("+" if r["change"] > 0 else "") + amount_text(r["change"])
                                  for r in rows],
        heading("change_pct", lang): [format_number(r["change_pct"], 2, sign=True) for r in rows],
    })


def flagged(peers: pd.DataFrame) -> pd.DataFrame:
    """Return the units whose checks fail or whose figures are not all reviewed."""
    marked = [fails_checks(r) or int(r["rows_unreviewed"]) > 0 for r in peers.to_dict("records")]
    return peers[marked]


def flags_table(peers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the flagged units with how many checks fail and how many figures are unreviewed."""
    rows = flagged(peers)
    return pd.DataFrame(_units(rows, lang) | {
        heading("checks_failed", lang): [str(int(n)) for n in rows["checks_failed"]],
        heading("rows_unreviewed", lang): [str(int(n)) for n in rows["rows_unreviewed"]],
    })


def sources_table(peers: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return each unit's document: title, kind, page address, the amount unit it writes."""
    missing = peer_text("not_recorded", lang)
    return pd.DataFrame(_units(peers, lang) | {
        heading("source_title", lang): list(peers["source_title"]),
        heading("source_kind", lang): [pick("report_kinds", k, lang) if k else missing
                                       for k in peers["source_kind"]],
        heading("source_url", lang): [u or missing for u in peers["source_url"]],
        heading("amount_unit_as_reported", lang): [amount_unit(u, lang)
                                                   for u in peers["amount_unit_as_reported"]],
    })


def table_html(frame: pd.DataFrame, lang: str) -> str:
    """Return a reader's table (every cell text) as escaped HTML.

    Columns of numbers are right-aligned (class "num"), an empty cell shows "–", headings are
    column headers for assistive technology. In an English page a cell in Chinese (a unit's
    name as reported, a document's title) carries lang="zh", so that the page marks it as such.
    """
    def cell(value: object) -> str:
        shown = "" if value is None or value is pd.NA else html.escape(str(value))
        return f'<span lang="zh">{shown}</span>' if lang == "en" and CJK.search(shown) else shown

    cells = {column: [cell(v) for v in frame[column]] for column in frame.columns}
    return table_markup([(str(column), shown, is_numeric(shown)) for column, shown in cells.items()],
                        empty="–")
