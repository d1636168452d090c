"""The lines of a budget overview, the names reports give them, and a statement of an amount.

A line (收入总计, 本年收入合计, 基本支出 …) has a key; a name written before an amount maps to a
line and, for scoped names (财政拨款收入总计, 一般公共预算财政拨款支出 …), to a scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class BudgetLine:
    """A line of a 部门决算 overview: its key, place, names and the wordings reports use."""

    key: str
    direction: str
    level: str
    parent: str
    label_zh: str
    label_en: str
    variants: tuple[str, ...]


# In the national order of a 部门决算; variants are written simplified, without spaces.
LINES = (
    BudgetLine("revenue_total", "revenue", "total", "", "收入总计", "Total revenue",
               ("收入总计", "收入总额", "总收入", "收入合计总计")),
    BudgetLine("revenue_carryover", "revenue", "balance", "revenue_total", "年初结转和结余",
               "Carry-over from previous year",
               ("年初结转和结余", "年初结转结余", "上年结转和结余", "上年结转结余", "上年结转收入",
                "上年结转", "年初结转", "年初结余", "上年结余")),
    BudgetLine("revenue_non_fiscal_balance_used", "revenue", "balance", "revenue_total",
               "使用非财政拨款结余", "Non-fiscal balances used",
               ("使用非财政拨款结余", "使用非财政拨款结余和专用结余", "用事业基金弥补收支差额")),
    BudgetLine("revenue_current_year", "revenue", "subtotal", "revenue_total", "本年收入合计",
               "Revenue this year", ("本年收入合计", "本年收入", "收入合计", "本年度收入")),
    BudgetLine("revenue_fiscal_appropriation", "revenue", "category", "revenue_current_year",
               "财政拨款收入", "Fiscal appropriation",
               ("财政拨款收入", "财政拨款", "本年财政拨款收入", "财政补助收入")),
    BudgetLine("revenue_fiscal_general_budget", "revenue", "category", "revenue_current_year",
               "一般公共预算财政拨款收入", "Fiscal appropriation, general public budget",
               ("一般公共预算财政拨款收入", "一般公共预算拨款收入", "一般公共预算财政拨款",
                "一般公共财政预算拨款收入", "公共财政预算拨款收入",
                "一般公共预算拨款", "一般公共预算收入")),
    BudgetLine("revenue_fiscal_government_funds", "revenue", "category", "revenue_current_year",
               "政府性基金预算财政拨款收入", "Fiscal appropriation, government funds",
               ("政府性基金预算财政拨款收入", "政府性基金预算拨款收入", "政府性基金预算财政拨款",
                "政府性基金预算拨款", "政府性基金预算收入", "政府性基金收入")),
    BudgetLine("revenue_fiscal_state_capital", "revenue", "category", "revenue_current_year",
               "国有资本经营预算财政拨款收入", "Fiscal appropriation, state capital operations",
               ("国有资本经营预算财政拨款收入", "国有资本经营预算拨款收入",
                "国有资本经营预算财政拨款", "国有资本经营预算拨款", "国有资本经营预算收入")),
    BudgetLine("revenue_fiscal_special_account", "revenue", "category", "revenue_current_year",
               "财政专户管理资金收入", "Fiscal special-account funds",
               ("财政专户管理资金收入", "财政专户管理资金", "财政专户拨款收入", "财政专户拨款",
                "财政专户收入")),
    BudgetLine("revenue_higher_level_subsidy", "revenue", "category", "revenue_current_year",
               "上级补助收入", "Subsidy from higher-level units", ("上级补助收入",)),
    BudgetLine("revenue_public_service", "revenue", "category", "revenue_current_year",
               "事业收入", "Public-service revenue", ("事业收入",)),
    BudgetLine("revenue_operating", "revenue", "category", "revenue_current_year", "经营收入",
               "Operating revenue", ("经营收入", "事业单位经营收入")),
    BudgetLine("revenue_from_subsidiaries", "revenue", "category", "revenue_current_year",
               "附属单位上缴收入", "Remittances from subsidiary units", ("附属单位上缴收入",)),
    BudgetLine("revenue_other", "revenue", "category", "revenue_current_year",
               "其他收入", "Other revenue", ("其他收入",)),
    BudgetLine("expenditure_total", "expenditure", "total", "", "支出总计", "Total expenditure",
               ("支出总计", "支出总额", "总支出")),
    BudgetLine("expenditure_carryforward", "expenditure", "balance", "expenditure_total",
               "年末结转和结余", "Carried forward to next year",
               ("年末结转和结余", "年末结转结余", "结转下年", "年末结转", "年末结余",
                "年终结转和结余", "年终结转结余", "年终结余", "年末结余结转")),
    BudgetLine("expenditure_surplus_distribution", "expenditure", "category",
               "expenditure_total", "结余分配", "Distribution of surplus", ("结余分配",)),
    BudgetLine("expenditure_current_year", "expenditure", "subtotal", "expenditure_total",
               "本年支出合计", "Expenditure this year",
               ("本年支出合计", "本年支出", "支出合计", "本年度支出")),
    BudgetLine("expenditure_basic", "expenditure", "category", "expenditure_current_year",
               "基本支出", "Basic expenditure", ("基本支出",)),
    BudgetLine("expenditure_project", "expenditure", "category", "expenditure_current_year",
               "项目支出", "Project expenditure", ("项目支出",)),
    BudgetLine("expenditure_to_higher_level", "expenditure", "category",
               "expenditure_current_year", "上缴上级支出", "Remittances to higher-level units",
               ("上缴上级支出",)),
    BudgetLine("expenditure_operating", "expenditure", "category", "expenditure_current_year",
               "经营支出", "Operating expenditure", ("经营支出",)),
    BudgetLine("expenditure_to_subsidiaries", "expenditure", "category",
               "expenditure_current_year", "对附属单位补助支出", "Subsidies to subsidiary units",
               ("对附属单位补助支出",)),
)
BY_KEY = {line.key: line for line in LINES}

# Lines kept in the statements table only (they are parts of a line, not overview lines).
EXTRA_KEYS = {
    "expenditure_personnel": ("人员经费", "人员经费支出"),
    "expenditure_public_funds": ("公用经费", "公用经费支出"),
    "public_expenses_outbound": ("因公出国(境)费", "因公出国(境)费用", "因公出国境费"),
    "public_expenses_vehicles": ("公务用车购置及运行维护费", "公务用车购置及运行费",
                                 "公务用车费"),
    "public_expenses_vehicle_purchase": ("公务用车购置费",),
    "public_expenses_vehicle_operation": ("公务用车运行维护费", "公务用车运行费"),
    "public_expenses_reception": ("公务接待费",),
}

@dataclass(frozen=True)
class TownshipLine:
    """A line of a town's fiscal revenue and expenditure (全镇财政收支): not a 部门决算 line.

    A town's report on its budgets (决算, 预算执行, 预算调整, 预算草案) states the town's
    revenue and spending per budget (the scope says which): these lines never fill a budget
    overview, they are kept as statements.
    """

    key: str
    direction: str  # revenue, expenditure or balance
    label_zh: str
    label_en: str


TOWNSHIP_LINES = (
    TownshipLine("township_general_budget_revenue", "revenue", "一般公共预算收入",
                 "Town's own general-budget revenue"),
    TownshipLine("township_tax_revenue", "revenue", "税收收入", "Tax revenue (town's share)"),
    TownshipLine("township_nontax_revenue", "revenue", "非税收入", "Non-tax revenue"),
    TownshipLine("township_higher_level_subsidy", "revenue", "上级补助收入",
                 "Transfers from higher-level governments"),
    TownshipLine("township_general_transfer_revenue", "revenue", "一般性转移支付收入",
                 "General transfer payments received"),
    TownshipLine("township_special_transfer_revenue", "revenue", "专项转移支付收入",
                 "Special (earmarked) transfer payments received"),
    TownshipLine("township_return_revenue", "revenue", "返还性收入",
                 "Tax-return transfers received"),
    TownshipLine("township_city_allocation_revenue", "revenue", "市财政拨入部门经费及返拨收入",
                 "Allocations and refunds from the city treasury"),
    TownshipLine("township_subsidy_and_nontax_revenue", "revenue", "上级补助收入及镇级非税收入",
                 "Higher-level subsidy and town non-tax revenue stated as one line"),
    TownshipLine("township_revenue_other_combined", "revenue", "上级补助、上年结转等（合并列示）",
                 "Other revenue sources stated as one combined amount"),
    TownshipLine("township_carryover", "revenue", "上年结转", "Carry-over from previous years"),
    TownshipLine("township_funds_transferred_in", "revenue", "调入资金",
                 "Funds transferred in from other budgets"),
    TownshipLine("township_bond_revenue", "revenue", "债务转贷收入", "Bond on-lending revenue"),
    TownshipLine("township_fund_revenue", "revenue", "政府性基金收入",
                 "Town's own government-fund revenue"),
    TownshipLine("township_special_account_revenue", "revenue", "财政专户收入",
                 "Fiscal special-account revenue"),
    TownshipLine("township_revenue_total", "revenue", "收入合计",
                 "Total revenue of the budget (with transfers and carry-over)"),
    TownshipLine("township_fiscal_revenue_total", "revenue", "财政收入",
                 "Fiscal revenue of all budgets excluding carry-over"),
    TownshipLine("township_total_collected_revenue", "revenue", "税收及非税收入（全口径）",
                 "All revenue collected in the town incl. upper-level shares"),
    TownshipLine("township_upper_level_share", "revenue", "上划中央、市区级收入",
                 "Revenue shared up to central and municipal levels"),
    TownshipLine("township_general_budget_expenditure", "expenditure", "一般公共预算支出",
                 "Town's own general-budget expenditure"),
    TownshipLine("township_fund_expenditure", "expenditure", "政府性基金支出",
                 "Town's own government-fund expenditure"),
    TownshipLine("township_remitted_up", "expenditure", "上解上级支出",
                 "Remittances to higher-level governments"),
    TownshipLine("township_funds_transferred_out", "expenditure", "调出资金",
                 "Funds transferred out to other budgets"),
    TownshipLine("township_stabilization_fund_set_aside", "expenditure", "安排预算稳定调节基金",
                 "Transfer into the budget stabilization fund"),
    TownshipLine("township_carried_forward", "expenditure", "结转下年",
                 "Carried forward to next year"),
    TownshipLine("township_expenditure_total", "expenditure", "支出合计",
                 "Total expenditure of the budget (with remittances and carry-forward)"),
    TownshipLine("township_balance", "balance", "结余",
                 "Interim balance (revenue minus expenditure to date)"),
)
TOWNSHIP_BY_KEY = {line.key: line for line in TOWNSHIP_LINES}

LINE_NAMES_ZH = {line.key: line.label_zh for line in LINES} | {
    key: names[0] for key, names in EXTRA_KEYS.items()} | {
    line.key: line.label_zh for line in TOWNSHIP_LINES}

@dataclass
class Found:
    """One statement of a line's amount: what, whose, when, as written, and where."""

    key: str
    scope: str
    phase: str
    year: int
    label: str
    amount: Decimal  # 万元
    as_written: str
    unit: str
    share: str | None
    fragment: str
    line: int
    position: int  # original offset, for text order
    stated_by: str = "this_report"
    derivation: str = ""


def to_wan(number: str, unit: str) -> Decimal:
    """Return an amount written as number and unit in 万元, exactly."""
    value = Decimal(number.replace(",", ""))
    if unit == "元":
        return value / 10000
    if unit == "亿元":
        return value * 10000
    return value
