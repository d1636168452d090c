"""What a unit-year holds, at a glance: totals, two ratios, its checks and its unreviewed figures.

One row per unit and year for the dashboards (the outputs folder's index pages), taken from the
unit's peers row (``analysis.peers``): only figures the documents state, or the framework's
ratios computed from them, in 万元 and %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from luoshi_analysis.analysis.overview import overview, spending_lines
from luoshi_analysis.analysis.peers import share_column, unit_row
from luoshi_analysis.core.collection import Unit
from luoshi_analysis.core.load import load_indicators
from luoshi_analysis.core.provenance import read_source

PROJECT_SHARE = share_column("expenditure_project", "expenditure_current_year")


@dataclass(frozen=True)
class YearSummary:
    """A unit-year at a glance; None where its documents do not give the figure."""

    year: int
    kind: str  # the document's kind (core.provenance.REPORT_KINDS), "" when not recorded
    phase: str | None  # the overview's phase: executed, budgeted, or None (no overview)
    revenue_total: float | None  # 收入总计, 万元
    expenditure_total: float | None  # 支出总计, 万元
    project_share_pct: float | None  # 项目支出 / 本年支出合计, %
    carryforward_rate_pct: float | None  # 年末结转和结余 / 收入总计, %
    checks_failed: int | None  # checks that do not hold (None: no overview to check)
    indicators: int  # outcome figures
    unreviewed: int  # outcome figures not yet reviewed
    spending_lines: int = 0  # spending lines below the totals (基本支出, 年末结转和结余 …)


def _number(value: object) -> float | None:
    """A figure of the row, or None where it is missing."""
    number = float(str(value))
    return None if math.isnan(number) else number


def year_summary(year: int, root: Path) -> YearSummary:
    """Return a unit-year at a glance (the year must have a document in the data folder)."""
    indicators = load_indicators(year, root)
    unreviewed = int((~indicators["reviewed"].astype(bool)).sum()) if len(indicators) else 0
    row = unit_row(Unit(root.name, root), year)
    if row is None:  # its documents state no overview (outcome figures only)
        return YearSummary(year, read_source(year, root).kind, None, None, None, None, None,
                           None, len(indicators), unreviewed)
    return YearSummary(
        year, str(row["source_kind"]), str(row["phase"]), _number(row["revenue_total"]),
        _number(row["expenditure_total"]), _number(row[PROJECT_SHARE]),
        _number(row["carryforward_rate_pct"]), int(str(row["checks_failed"])), len(indicators),
        unreviewed, len(spending_lines(overview(year, root))))
