"""The overview parser's result: the budget table, the statements table, and the amounts as written."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from luoshi_analysis.core.lines import BY_KEY, LINES, Found
from luoshi_analysis.core.schema import BUDGET, STATEMENTS
from luoshi_analysis.core.statements import Disagreement


def _csv_amount(item: Found) -> str:
    """Return the amount in 万元 for the CSV: digits as written, or exactly converted."""
    if item.as_written == "无":
        return "0"
    if item.unit in ("万元", "万") and not item.derivation:
        return item.as_written.replace(",", "")
    exponent = item.amount.normalize().as_tuple().exponent
    digits = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{item.amount:.{digits}f}"


@dataclass
class OverviewResult:
    """What the overview parser found in a report text.

    Attributes:
        budget: The all-funds executed lines of the report's year in the BUDGET schema's
            columns (budget.csv).
        statements: Every stated amount, whatever its scope, phase or year, in the STATEMENTS
            schema's columns (statements.csv); year-on-year clauses give rows about the year
            before, marked stated_by "later_report".
        disagreements: Statements of one line that disagree with the one kept.
        units: The units the amounts were written in (万元, 元, 亿元).
        township: The text is a town's report on its own budgets (township_* statements only,
            no budget overview).
    """

    budget: pd.DataFrame
    statements: pd.DataFrame
    disagreements: list[Disagreement]
    units: set[str]
    township: bool = False


def _budget(chosen: dict[tuple, Found], year: int) -> pd.DataFrame:
    own = {k[3]: f for k, f in chosen.items() if k[:3] == (year, "all_funds", "executed")
           and k[3] in BY_KEY}
    fiscal_split = "revenue_fiscal_appropriation" in own
    rows: list[dict[str, object]] = []
    for line in LINES:
        item = own.get(line.key)
        if item is None:
            continue
        parent = line.parent
        if fiscal_split and line.key in ("revenue_fiscal_general_budget",
                                         "revenue_fiscal_government_funds",
                                         "revenue_fiscal_state_capital"):
            parent = "revenue_fiscal_appropriation"
        rows.append({
            "year": year, "line": len(rows) + 1, "key": line.key, "direction": line.direction,
            "level": line.level, "parent_key": parent if parent in own else "",
            "label_zh": item.label, "label_en": line.label_en, "amount": _csv_amount(item),
            "amount_as_written": item.as_written, "stated_share_pct": item.share or "",
            "source_fragment": item.fragment,
        })
    return pd.DataFrame(rows, columns=BUDGET.columns)


def statements_frame(statements: list[Found], year: int) -> pd.DataFrame:
    """Return statements in the STATEMENTS schema's columns, numbered in text order."""
    rows = [{
        "year": item.year, "report_year": year, "statement": n, "scope": item.scope,
        "phase": item.phase, "key": item.key, "label_zh": item.label,
        "amount": _csv_amount(item), "amount_as_written": item.as_written,
        "unit_as_written": item.unit, "stated_share_pct": item.share or "",
        "stated_by": item.stated_by, "derivation": item.derivation,
        "source_fragment": item.fragment, "source_line": item.line,
    } for n, item in enumerate(statements, start=1)]
    return pd.DataFrame(rows, columns=STATEMENTS.columns)


