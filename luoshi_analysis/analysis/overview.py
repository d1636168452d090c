"""A year's budget overview in one shape, whichever document states it: executed or budgeted.

A year with its report (部门决算, a performance report) has its executed overview in
budget.csv. A year that so far has only its budget (部门预算, 预算批复) states the same lines as
budgeted; they are put in the same shape here, so that the structure pages, ratios and checks
of a budget-only year work on its budget — and say so, through the ``phase`` they report.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from luoshi_analysis.core.config import STATEMENTS_FILE, processed_dir
from luoshi_analysis.core.lines import BY_KEY, LINES
from luoshi_analysis.core.load import document_years, load_budget, load_statements, years
from luoshi_analysis.core.schema import BUDGET, enforce
from luoshi_analysis.core.statements import choose, found_from_frame

EXECUTED = "executed"
BUDGETED = "budgeted"


def overview_phase(year: int, root: Path | None = None) -> str | None:
    """Return "executed" (a report's overview), "budgeted" (only a budget's), or None."""
    if year in years(root):
        return EXECUTED
    if year not in document_years(root):
        return None
    return BUDGETED if not _budgeted_rows(year, root).empty else None


def _budgeted_rows(year: int, root: Path | None) -> pd.DataFrame:
    """Return the year's budgeted all-funds amounts of overview lines, one per line, in order."""
    # the year's own documents: its report and the budget document kept beside it
    own = [replace(item, stated_by="this_report") for item in found_from_frame(
        load_statements(year, root)) if item.stated_by in ("this_report", "budget_document")]
    chosen, _disagreements = choose(own)
    stated = [(line, chosen[(year, "all_funds", BUDGETED, line.key)]) for line in LINES
               if (year, "all_funds", BUDGETED, line.key) in chosen]
    present = {line.key for line, _found in stated}
    rows = [{"year": str(year), "line": str(number), "key": line.key, "direction": line.direction,
             "level": line.level, "label_zh": line.label_zh, "label_en": line.label_en,
             # a line whose parent is not stated hangs from the nearest stated ancestor
             "parent_key": _stated_ancestor(line.key, present), "amount": str(found.amount),
             "amount_as_written": found.as_written, "stated_share_pct": found.share or "",
             "source_fragment": found.fragment}
            for number, (line, found) in enumerate(stated, start=1)]
    where = processed_dir(year, root) / STATEMENTS_FILE
    return enforce(pd.DataFrame(rows, columns=BUDGET.columns, dtype=str), BUDGET, where)


def _stated_ancestor(key: str, present: set[str]) -> str:
    """Return the nearest line above key that the document states ("" when none is)."""
    parent = BY_KEY[key].parent
    while parent and parent not in present:
        parent = BY_KEY[parent].parent
    return parent


def spending_lines(budget: pd.DataFrame) -> list[str]:
    """Return the spending lines below the totals an overview states (基本支出, 年末结转和结余 …).

    A document may state 支出总计 alone (a 部门预算 breaks it down by functional class only):
    then it says nothing of how the money was used, and a spending page has nothing to show.
    """
    below = budget[(budget["direction"] == "expenditure")
                   & budget["level"].isin(["category", "balance"])]
    return [str(key) for key in below["key"]]


def overview(year: object, root: Path | None = None) -> pd.DataFrame:
    """Return a year's budget overview: its report's (executed), else its budget's (budgeted).

    The table has the columns of ``load_budget``; which phase it holds is ``overview_phase``.

    Raises:
        UnknownYearError: the year has no document stating an overview.
    """
    if str(year).strip() in {str(y) for y in document_years(root)} and int(str(year)) not in years(root):
        rows = _budgeted_rows(int(str(year)), root)
        if not rows.empty:
            return rows
    return load_budget(year, root)
