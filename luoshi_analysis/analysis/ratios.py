"""The common-indicator framework's ratios: those a year's figures allow, and those they do not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from luoshi_analysis.analysis.views import budget_table
from luoshi_analysis.core.load import load_statements
from luoshi_analysis.core.money import exact_difference


@dataclass(frozen=True)
class Ratio:
    """A framework ratio: its names and definition in both languages, and the lines it divides.

    For a budget-phase ratio, ``numerator`` is the line stated in two phases and ``scopes``
    the scopes tried in order; ``denominator`` is unused.
    """

    key: str
    name_zh: str
    name_en: str
    numerator: str
    denominator: str
    formula_zh: str
    formula_en: str
    scopes: tuple[str, ...] = ()


# Ratios the overview's figures allow.
RATIOS = (
    Ratio("project_spending_share", "项目支出占比", "Project spending share",
          "expenditure_project", "expenditure_current_year",
          "项目支出 / 本年支出合计", "project expenditure / this year's expenditure"),
    Ratio("basic_spending_share", "基本支出占比", "Basic spending share",
          "expenditure_basic", "expenditure_current_year",
          "基本支出 / 本年支出合计", "basic expenditure / this year's expenditure"),
    Ratio("carryforward_rate", "结转结余率", "Carry-forward rate",
          "expenditure_carryforward", "revenue_total",
          "年末结转和结余 / 收入总计（框架以预算支出为分母，报告未列出；收入总计为可用资金）",
          "balance carried forward / total revenue (the framework divides by budgeted spending, "
          "which the report does not state; total revenue is the funds available)"),
    Ratio("spending_of_funds_available", "资金支出率", "Share of available funds spent",
          "expenditure_current_year", "revenue_total",
          "本年支出合计 / 收入总计", "this year's expenditure / total revenue"),
    Ratio("fiscal_appropriation_share", "财政拨款收入占比", "Fiscal appropriation share",
          "revenue_fiscal_appropriation", "revenue_current_year",
          "财政拨款收入 / 本年收入合计", "fiscal appropriation / this year's revenue"),
    Ratio("balance_change_rate", "结转结余变动率", "Change in balances",
          "balance_change", "revenue_carryover",
          "(年末结转和结余 − 年初结转和结余) / 年初结转和结余",
          "(closing balance − opening balance) / opening balance"),
)

_SPENDING_SCOPES = ("all_funds", "fiscal_appropriation", "general_public_budget")
# Ratios that need a budgeted (or adjusted) and an executed amount of one line.
BUDGET_PHASE_RATIOS = (
    Ratio("budget_execution_rate", "预算执行率", "Budget execution rate",
          "expenditure_current_year", "",
          "决算支出 / 预算支出（有调整预算时用调整预算）",
          "executed expenditure / budgeted expenditure (the adjusted budget where there is one)",
          _SPENDING_SCOPES),
    Ratio("budget_adjustment_rate", "预算调整率", "Budget adjustment rate",
          "expenditure_current_year", "",
          "(调整预算 − 年初预算) / 年初预算", "(adjusted budget − initial budget) / initial budget",
          _SPENDING_SCOPES),
    Ratio("three_public_expenses_control_rate", "“三公经费”控制率",
          "Control rate of the 'three public expenses'", "expenditure_current_year", "",
          "三公经费决算 / 三公经费预算",
          "executed 'three public expenses' / budgeted 'three public expenses'",
          ("three_public_expenses",)),
    Ratio("public_funds_control_rate", "公用经费控制率", "Control rate of public (operating) funds",
          "expenditure_public_funds", "",
          "公用经费决算 / 公用经费预算", "executed public (operating) funds / budgeted public funds",
          _SPENDING_SCOPES),
)
# The framework's 结转结余率 proper: balances carried forward over budgeted spending.
CARRYFORWARD_OF_BUDGET = Ratio(
    "carryforward_rate_of_budget", "结转结余率（预算口径）", "Carry-forward rate (of budgeted spending)",
    "expenditure_carryforward", "expenditure_current_year",
    "年末结转和结余 / 支出预算数（有调整预算时用调整预算）",
    "balance carried forward / budgeted expenditure (the adjusted budget where there is one)",
    ("all_funds",))


@dataclass(frozen=True)
class NotAvailable:
    """A framework indicator that needs figures a report may not give, and why, in both languages."""

    name_zh: str
    name_en: str
    why_zh: str
    why_en: str
    replaced_by: str = ""  # the budget-phase ratio that computes it where the figures exist


RATIOS_NOT_AVAILABLE = (
    NotAvailable("预算完成率 / 预算执行率", "Budget completion / execution rate",
                 "需要报告未列出的年初预算数和调整预算数",
                 "needs the approved and adjusted budget, which the report does not state",
                 "budget_execution_rate"),
    NotAvailable("预算调整率", "Budget adjustment rate", "需要预算调整数",
                 "needs the budget adjustments", "budget_adjustment_rate"),
    NotAvailable("支付进度率", "Payment progress rate", "需要按月或按季的支付数",
                 "needs payments by month or quarter"),
    NotAvailable("“三公经费”控制率 / 变动率", "Control rate of the 'three public expenses'",
                 "需要因公出国（境）费、公务用车费、公务接待费，报告未列出",
                 "needs spending on official travel abroad, official vehicles and official "
                 "receptions, not reported", "three_public_expenses_control_rate"),
    NotAvailable("公用经费控制率", "Control rate of public (operating) funds",
                 "需要从基本支出中分列的公用经费，报告未列出",
                 "needs the operating funds split out of basic expenditure, not reported",
                 "public_funds_control_rate"),
    NotAvailable("政府采购执行率", "Government procurement execution rate", "需要政府采购数",
                 "needs procurement figures"),
    NotAvailable("固定资产利用率", "Fixed-asset utilisation rate", "需要资产数", "needs asset figures"),
    NotAvailable("在职人员控制率", "Staffing control rate", "需要编制人数和实有人数",
                 "needs authorised and actual headcount"),
)
RATIO_COLUMNS = ["year", "key", "name_zh", "name_en", "numerator", "denominator", "value_pct",
                 "formula_zh", "formula_en"]


def _row(ratio: Ratio, year: int, numerator: float, denominator: float, scope: str = "") -> dict:
    """Return one row of a ratio table; a scoped ratio names its scope after the formula."""
    tag = f" [{scope}]" if scope else ""
    return {
        "year": year, "key": ratio.key, "name_zh": ratio.name_zh, "name_en": ratio.name_en,
        "numerator": numerator, "denominator": denominator,
        "value_pct": numerator / denominator * 100 if denominator else float("nan"),
        "formula_zh": ratio.formula_zh + tag, "formula_en": ratio.formula_en + tag,
    }


def _phase_amounts(statements: pd.DataFrame, year: int, key: str, scope: str) -> dict[str, float]:
    """Return {phase: amount} a year's own documents state for a line (first statement each).

    Its own documents are its report and a budget document (部门预算) kept beside it; the
    report comes first in the table, so where both state a phase the report's amount is used.
    """
    own = statements[(statements["year"] == year) & (statements["key"] == key)
                     & (statements["scope"] == scope)
                     & (statements["stated_by"] != "later_report")]
    return {str(phase): float(rows["amount"].iloc[0]) for phase, rows in own.groupby("phase")}


def _line_amounts(statements: pd.DataFrame, year: int, key: str, scope: str) -> dict[str, float]:
    """Return {phase: amount} of a line, a budget's 支出预算 standing for its 本年支出.

    A 部门预算 states its spending as 支出预算 (the expenditure total) and budgets no balance
    to carry forward, so there the total is the year's spending.
    """
    amounts = _phase_amounts(statements, year, key, scope)
    if key == "expenditure_current_year":
        total = _phase_amounts(statements, year, "expenditure_total", scope)
        closing = _phase_amounts(statements, year, "expenditure_carryforward", scope)
        for phase in ("budgeted", "adjusted"):
            if phase not in amounts and phase in total and not closing.get(phase):
                amounts[phase] = total[phase]
    return amounts


def _budget_phase_row(ratio: Ratio, statements: pd.DataFrame, year: int) -> dict | None:
    """Return a budget-phase ratio's row in the first scope that states both phases, if any."""
    for scope in ratio.scopes:
        amounts = _line_amounts(statements, year, ratio.numerator, scope)
        if ratio.key == "budget_adjustment_rate":
            if {"budgeted", "adjusted"} <= set(amounts):
                return _row(ratio, year, amounts["adjusted"] - amounts["budgeted"],
                            amounts["budgeted"], scope)
            continue
        plan = amounts.get("adjusted", amounts.get("budgeted"))
        if plan is not None and "executed" in amounts:
            return _row(ratio, year, amounts["executed"], plan, scope)
    return None


def budget_phase_ratios(statements: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return the ratios that need budgeted and executed amounts of a line, where both exist.

    Args:
        statements: A statements table (``load_statements``), or several years' together.
        year: The year to compute them for.
    """
    rows = [row for ratio in BUDGET_PHASE_RATIOS
            if (row := _budget_phase_row(ratio, statements, year)) is not None]
    # the framework's 结转结余率 divides the balances carried forward by budgeted spending
    closing = _phase_amounts(statements, year, "expenditure_carryforward", "all_funds")
    spending = _line_amounts(statements, year, "expenditure_current_year", "all_funds")
    plan = spending.get("adjusted", spending.get("budgeted"))
    if "executed" in closing and plan:
        rows.append(_row(CARRYFORWARD_OF_BUDGET, year, closing["executed"], plan, "all_funds"))
    return pd.DataFrame(rows, columns=RATIO_COLUMNS)


def spending_ratios(budget: pd.DataFrame | object, root: Path | None = None,
                    statements: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the framework ratios that the budget overview (and the statements) allow, in %.

    A ratio whose lines the report does not state is left out. With the year's statements
    (loaded when a year is given), the ratios that need a budgeted and an executed amount
    (预算执行率, 预算调整率, “三公经费”控制率, 公用经费控制率) are added where the report
    states both.

    Args:
        budget: A budget table as returned by ``load_budget``, or a year to load it for.
        root: A data folder other than the default (when a year is given).
        statements: The year's statements table (``load_statements``).
    """
    if statements is None and not isinstance(budget, pd.DataFrame):
        statements = load_statements(budget, root)
    budget = budget_table(budget, root)
    year = int(budget["year"].iloc[0])
    amount = budget.set_index("key")["amount"].to_dict()
    if {"expenditure_carryforward", "revenue_carryover"} <= set(amount):
        amount["balance_change"] = exact_difference(amount["expenditure_carryforward"],
                                                    amount["revenue_carryover"])
    rows = [_row(ratio, year, amount[ratio.numerator], amount[ratio.denominator])
            for ratio in RATIOS if ratio.numerator in amount and ratio.denominator in amount]
    frame = pd.DataFrame(rows, columns=RATIO_COLUMNS)
    if statements is not None and not statements.empty:
        extra = budget_phase_ratios(statements, year)
        if not extra.empty:
            frame = pd.concat([frame, extra], ignore_index=True)
    return frame


def ratios_not_available(year: object | None = None, root: Path | None = None,
                         statements: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the framework indicators the report's figures do not allow, and why.

    Given a year (or its statements), an indicator whose budget-phase ratio can be computed
    for that year (the report states the budgeted and the executed amounts) is not listed.
    """
    if statements is None and year is not None:
        statements = load_statements(year, root)
    computed: set[str] = set()
    if statements is not None and not statements.empty:
        target = int(str(year)) if year is not None else int(statements["report_year"].iloc[0])
        computed = set(budget_phase_ratios(statements, target)["key"])
    rows = [(item.name_zh, item.name_en, item.why_zh, item.why_en) for item in RATIOS_NOT_AVAILABLE
            if not item.replaced_by or item.replaced_by not in computed]
    return pd.DataFrame(rows, columns=["name_zh", "name_en", "why_not_zh", "why_not_en"])
