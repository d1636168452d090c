"""What a unit-year holds, at a glance: totals, two ratios, its checks and its unreviewed figures.

One row per unit and year for the dashboards (the outputs folder's index pages): only figures
the documents state or the framework's ratios computed from them, in 万元 and %.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from luoshi_analysis.analysis.checks import check
from luoshi_analysis.analysis.overview import overview, overview_phase, spending_lines
from luoshi_analysis.analysis.ratios import spending_ratios
from luoshi_analysis.core.load import load_indicators, load_statements
from luoshi_analysis.core.provenance import read_source


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


def _amount(table: dict[str, float], key: str) -> float | None:
    return table.get(key)


def year_summary(year: int, root: Path | None = None) -> YearSummary:
    """Return a unit-year at a glance (the year must have a document in the data folder)."""
    source = read_source(year, root)
    indicators = load_indicators(year, root)
    unreviewed = int((~indicators["reviewed"].astype(bool)).sum()) if len(indicators) else 0
    phase = overview_phase(year, root)
    if phase is None:
        return YearSummary(year, source.kind, None, None, None, None, None, None,
                           len(indicators), unreviewed)
    budget = overview(year, root)
    amounts = {str(k): float(v) for k, v in zip(budget["key"], budget["amount"], strict=True)}
    ratios = spending_ratios(budget, statements=load_statements(year, root))
    by_key = {str(k): float(v) for k, v in zip(ratios["key"], ratios["value_pct"], strict=True)}
    checks = check(year, root)
    return YearSummary(
        year, source.kind, phase, _amount(amounts, "revenue_total"),
        _amount(amounts, "expenditure_total"), by_key.get("project_spending_share"),
        by_key.get("carryforward_rate"), int((~checks["ok"]).sum()), len(indicators), unreviewed,
        len(spending_lines(budget)))
