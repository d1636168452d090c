"""Shape the tables into the frames the notebooks chart: structure, sources and uses, headlines, years."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from luoshi_analysis.analysis.overview import overview
from luoshi_analysis.core.lines import BY_KEY, LINES, Found
from luoshi_analysis.core.load import (
    budget_document_years,
    load_indicators,
    load_statements,
    years,
)
from luoshi_analysis.core.money import AMOUNT_TOLERANCE

STRUCTURE_COLUMNS = [
    "year", "line", "key", "direction", "level", "parent_key", "label_zh", "label_en",
    "amount", "amount_as_written", "share_of_parent_pct", "share_of_total_pct",
    "stated_share_pct", "share_difference_pct",
]


def budget_structure(budget: pd.DataFrame, direction: str) -> pd.DataFrame:
    """Return one side of a budget table with computed shares beside the stated ones.

    Args:
        budget: A budget table as returned by ``load_budget``.
        direction: "revenue" or "expenditure".

    Returns:
        One row per line of that side: the amount, its share of its parent line and of the
        side's total (computed, in %), the share the report states, and their difference.
    """
    side = budget[budget["direction"] == direction]
    amount_by_key = side.set_index("key")["amount"]
    total = side.loc[side["level"] == "total", "amount"].sum()
    parent_amount = side["parent_key"].map(amount_by_key)
    out = side.assign(
        share_of_parent_pct=side["amount"] / parent_amount * 100,
        share_of_total_pct=side["amount"] / total * 100 if total else float("nan"),
    )
    out = out.assign(share_difference_pct=out["share_of_parent_pct"] - out["stated_share_pct"])
    return out[STRUCTURE_COLUMNS].reset_index(drop=True)


def budget_table(budget_or_year: pd.DataFrame | object, root: Path | None) -> pd.DataFrame:
    """Return the budget table given, or the overview of the year given (see ``overview``)."""
    if isinstance(budget_or_year, pd.DataFrame):
        return budget_or_year
    return overview(budget_or_year, root)


def revenue_structure(year: object, root: Path | None = None) -> pd.DataFrame:
    """Return where a year's money came from: carry-over and revenue by category (万元).

    A year with only its budget document shows its budget (``overview_phase`` says which).
    """
    return budget_structure(overview(year, root), "revenue")


def spending_mix(year: object, root: Path | None = None) -> pd.DataFrame:
    """Return how a year's money was used: basic, project spending and carry-forward (万元).

    A year with only its budget document shows its budget (``overview_phase`` says which).
    """
    return budget_structure(overview(year, root), "expenditure")


def sources_and_uses(budget: pd.DataFrame | object, root: Path | None = None) -> pd.DataFrame:
    """Return the non-zero leaf lines of both sides, for a view in which both sides balance.

    Leaves are the balances and the categories (a total or subtotal is the sum of its leaves).

    Args:
        budget: A budget table, or a year to load it for.
        root: A data folder other than the default (when a year is given).
    """
    budget = budget_table(budget, root)
    leaves = budget[budget["level"].isin(["balance", "category"]) & (budget["amount"] > 0)]
    return leaves[["year", "direction", "key", "label_zh", "label_en", "amount"]].reset_index(
        drop=True
    )


# Figures a reader looks for first, in order; a year lacking one simply shows fewer.
HEADLINE_KEYS = (
    "people_out_of_poverty",
    "households_out_of_poverty",
    "park_enterprises",
    "standard_factory_floor_area",
    "grain_area",
    "village_roads_built_length",
    "environment_funds_invested",
    "disputes_mediated",
    "people_screened",
    "births",
)


def headline_indicators(indicators: pd.DataFrame | object, root: Path | None = None) -> pd.DataFrame:
    """Return the headline figures of an indicator table (or of a year's), in headline order."""
    if not isinstance(indicators, pd.DataFrame):
        indicators = load_indicators(indicators, root)
    order = {key: i for i, key in enumerate(HEADLINE_KEYS)}
    chosen = indicators[indicators["key"].isin(order)]
    return chosen.assign(_order=chosen["key"].map(order)).sort_values("_order").drop(
        columns="_order"
    ).reset_index(drop=True)



STATEMENTS_VIEW_COLUMNS = [
    "year", "scope", "phase", "key", "label_zh", "amount", "source", "has_own_report",
    "own_report_amount", "own_fragment", "own_line", "later_report_amount",
    "later_report_year", "later_fragment", "later_line",
]


def statements_over_years(root: Path | None = None) -> pd.DataFrame:
    """Return every line's amount by year, scope and phase across all reports of the folder.

    A year's own report gives the amount (the statement the overview keeps when its statements
    disagree). A year with no report of its own, or a line its report does not state, takes
    the amount a later report's year-on-year clause implies (source "later_report"). Where
    both exist both are shown; neither overwrites the other. A line only the year's budget
    document (部门预算) states is shown as its own (source "budget_document"), also for a year
    with no report yet.

    Args:
        root: A data folder other than the default.
    """
    from luoshi_analysis.core.statements import choose, found_from_frame

    available = years(root)
    own: dict[tuple[int, str, str, str], Found] = {}
    later: dict[tuple[int, str, str, str], tuple[int, Found]] = {}
    for report_year in sorted(set(available) | set(budget_document_years(root))):
        items = found_from_frame(load_statements(report_year, root))
        chosen, _disagreements = choose(items)
        for slot, item in chosen.items():
            if slot[0] == report_year:
                own[slot] = item
        for item in items:  # the year's budget document, where its report is silent
            if item.stated_by == "budget_document" and item.year == report_year:
                own.setdefault((item.year, item.scope, item.phase, item.key), item)
        for item in items:
            slot = (item.year, item.scope, item.phase, item.key)
            if item.stated_by == "later_report" and (
                    slot not in later or later[slot][0] > report_year):
                later[slot] = (report_year, item)
    rows = []
    for slot in sorted(set(own) | set(later)):
        year, scope, phase, key = slot
        mine = own.get(slot)
        later_year, theirs = later[slot] if slot in later else (None, None)
        shown = mine or theirs
        assert shown is not None  # the slot is in own or in later
        rows.append({
            "year": year, "scope": scope, "phase": phase, "key": key,
            "label_zh": shown.label, "amount": float(shown.amount),
            "source": ("later_report" if not mine else "budget_document"
                       if mine.stated_by == "budget_document" else "own_report"),
            "has_own_report": year in available,
            "own_report_amount": float(mine.amount) if mine else float("nan"),
            "own_fragment": mine.fragment if mine else "",
            "own_line": mine.line if mine else pd.NA,
            "later_report_amount": float(theirs.amount) if theirs else float("nan"),
            "later_report_year": later_year if theirs else pd.NA,
            "later_fragment": theirs.fragment if theirs else "",
            "later_line": theirs.line if theirs else pd.NA,
        })
    return pd.DataFrame(rows, columns=STATEMENTS_VIEW_COLUMNS)


def statements_by_year(view: pd.DataFrame, direction: str, year: int) -> pd.DataFrame:
    """Return one side's executed all-funds amounts of each year up to `year`, for a reader.

    Args:
        view: Rows of ``statements_over_years``.
        direction: "revenue" or "expenditure".
        year: The notebook's year; later years are left out.

    Returns:
        One row per line and year, in the overview's order: the amount shown (the year's own
        report, else a later report's year-on-year clause), where it comes from
        (``source``, ``later_report_year``), and ``clause_amount`` — a later clause's amount
        for a year with its own report, only where it differs from the own amount.
    """
    order = {line.key: i for i, line in enumerate(LINES) if line.direction == direction}
    chosen = view[(view["scope"] == "all_funds") & (view["phase"] == "executed")
                  & view["key"].isin(order) & (view["year"] <= year)]
    differs = (chosen["own_report_amount"].notna() & chosen["later_report_amount"].notna()
               & ((chosen["later_report_amount"] - chosen["own_report_amount"]).abs()
                  > AMOUNT_TOLERANCE + 1e-9))
    out = chosen.assign(
        label_zh=[BY_KEY[k].label_zh for k in chosen["key"]],
        label_en=[BY_KEY[k].label_en for k in chosen["key"]],
        clause_amount=chosen["later_report_amount"].where(differs),
        _order=chosen["key"].map(order),
    ).sort_values(["_order", "year"])
    return out[["year", "key", "label_zh", "label_en", "amount", "source", "later_report_year",
                "clause_amount"]].reset_index(drop=True)
