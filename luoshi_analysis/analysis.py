"""Shape the tables into the frames the notebooks chart: structure, mix, ratios, headlines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from luoshi_analysis.labels import ratio_formula, with_reasons
from luoshi_analysis.load import (
    budget_document_years,
    load_budget,
    load_indicators,
    load_statements,
    years,
)
from luoshi_analysis.money import exact_difference, exact_differences

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


def _budget(budget_or_year: pd.DataFrame | object, root: Path | None) -> pd.DataFrame:
    """Return the budget table given, or load the one of the year given."""
    if isinstance(budget_or_year, pd.DataFrame):
        return budget_or_year
    return load_budget(budget_or_year, root)


def revenue_structure(year: object, root: Path | None = None) -> pd.DataFrame:
    """Return where a year's money came from: carry-over and revenue by category (万元)."""
    return budget_structure(load_budget(year, root), "revenue")


def spending_mix(year: object, root: Path | None = None) -> pd.DataFrame:
    """Return how a year's money was used: basic, project spending and carry-forward (万元)."""
    return budget_structure(load_budget(year, root), "expenditure")


def sources_and_uses(budget: pd.DataFrame | object, root: Path | None = None) -> pd.DataFrame:
    """Return the non-zero leaf lines of both sides, for a view in which both sides balance.

    Leaves are the balances and the categories (a total or subtotal is the sum of its leaves).

    Args:
        budget: A budget table, or a year to load it for.
        root: A data folder other than the default (when a year is given).
    """
    budget = _budget(budget, root)
    leaves = budget[budget["level"].isin(["balance", "category"]) & (budget["amount"] > 0)]
    return leaves[["year", "direction", "key", "label_zh", "label_en", "amount"]].reset_index(
        drop=True
    )


# Ratios of the common-indicator framework for overall departmental spending that the
# overview's figures allow; each is (key, zh, en, numerator, denominator, note).
RATIOS = (
    ("project_spending_share", "项目支出占比", "Project spending share",
     "expenditure_project", "expenditure_current_year", "项目支出 / 本年支出合计"),
    ("basic_spending_share", "基本支出占比", "Basic spending share",
     "expenditure_basic", "expenditure_current_year", "基本支出 / 本年支出合计"),
    ("carryforward_rate", "结转结余率", "Carry-forward rate",
     "expenditure_carryforward", "revenue_total",
     "年末结转和结余 / 收入总计 (the framework divides by budgeted spending, which the "
     "report does not state; 收入总计 is the funds available)"),
    ("spending_of_funds_available", "资金支出率", "Share of available funds spent",
     "expenditure_current_year", "revenue_total", "本年支出合计 / 收入总计"),
    ("fiscal_appropriation_share", "财政拨款收入占比", "Fiscal appropriation share",
     "revenue_fiscal_appropriation", "revenue_current_year", "财政拨款收入 / 本年收入合计"),
    ("balance_change_rate", "结转结余变动率", "Change in balances",
     "balance_change", "revenue_carryover", "(年末结转和结余 − 年初结转和结余) / 年初结转和结余"),
)

# Indicators of the framework that need figures this report does not give; each is
# (zh, en, why not, key of the budget-phase ratio that replaces it when the figures exist).
RATIOS_NOT_AVAILABLE = (
    ("预算完成率 / 预算执行率", "Budget completion / execution rate",
     "needs the approved and adjusted budget (预算数), which the report does not state",
     "budget_execution_rate"),
    ("预算调整率", "Budget adjustment rate", "needs the budget adjustments",
     "budget_adjustment_rate"),
    ("支付进度率", "Payment progress rate", "needs payments by month or quarter", ""),
    ("“三公经费”控制率 / 变动率", "Control rate of the 'three public expenses'",
     "needs 因公出国（境）费、公务用车费、公务接待费, not reported",
     "three_public_expenses_control_rate"),
    ("公用经费控制率", "Control rate of public (operating) funds",
     "needs 公用经费 split out of 基本支出, not reported", "public_funds_control_rate"),
    ("政府采购执行率", "Government procurement execution rate", "needs procurement figures", ""),
    ("固定资产利用率", "Fixed-asset utilisation rate", "needs asset figures", ""),
    ("在职人员控制率", "Staffing control rate", "needs authorised and actual headcount", ""),
)

# Ratios that need a budgeted (or adjusted) and an executed amount of one line:
# (key, zh, en, line key, scopes tried in order, formula).
BUDGET_PHASE_RATIOS = (
    ("budget_execution_rate", "预算执行率", "Budget execution rate", "expenditure_current_year",
     ("all_funds", "fiscal_appropriation", "general_public_budget"),
     "决算支出 / 预算支出（有调整预算时用调整预算）"),
    ("budget_adjustment_rate", "预算调整率", "Budget adjustment rate",
     "expenditure_current_year", ("all_funds", "fiscal_appropriation", "general_public_budget"),
     "(调整预算 − 年初预算) / 年初预算"),
    ("three_public_expenses_control_rate", "“三公经费”控制率",
     "Control rate of the 'three public expenses'", "expenditure_current_year",
     ("three_public_expenses",), "三公经费决算 / 三公经费预算"),
    ("public_funds_control_rate", "公用经费控制率", "Control rate of public (operating) funds",
     "expenditure_public_funds", ("all_funds", "fiscal_appropriation", "general_public_budget"),
     "公用经费决算 / 公用经费预算"),
)
RATIO_COLUMNS = ["year", "key", "name_zh", "name_en", "numerator", "denominator", "value_pct",
                 "formula_zh", "formula_en"]


def _phase_amounts(statements: pd.DataFrame, year: int, key: str, scope: str) -> dict[str, float]:
    """Return {phase: amount} a year's own documents state for a line (first statement each).

    Its own documents are its report and a budget document (部门预算) kept beside it; the
    report comes first in the table, so where both state a phase the report's amount is used.
    """
    own = statements[(statements["year"] == year) & (statements["key"] == key)
                     & (statements["scope"] == scope)
                     & (statements["stated_by"] != "later_report")]
    return {phase: float(rows["amount"].iloc[0]) for phase, rows in own.groupby("phase")}


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


def budget_phase_ratios(statements: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return the ratios that need budgeted and executed amounts of a line, where both exist.

    Args:
        statements: A statements table (``load_statements``), or several years' together.
        year: The year to compute them for.
    """
    rows = []
    for key, name_zh, name_en, line, scopes, formula in BUDGET_PHASE_RATIOS:
        for scope in scopes:
            amounts = _line_amounts(statements, year, line, scope)
            if key == "budget_adjustment_rate":
                if not {"budgeted", "adjusted"} <= set(amounts):
                    continue
                numerator = amounts["adjusted"] - amounts["budgeted"]
                denominator = amounts["budgeted"]
            else:
                plan = amounts.get("adjusted", amounts.get("budgeted"))
                if plan is None or "executed" not in amounts:
                    continue
                numerator, denominator = amounts["executed"], plan
            rows.append({
                "year": year, "key": key, "name_zh": name_zh, "name_en": name_en,
                "numerator": numerator, "denominator": denominator,
                "value_pct": numerator / denominator * 100 if denominator else float("nan"),
                **{column: f"{text} [{scope}]"
                   for column, text in ratio_formula(key, formula).items()},
            })
            break
    # the framework's 结转结余率 divides the balances carried forward by budgeted spending
    closing = _phase_amounts(statements, year, "expenditure_carryforward", "all_funds")
    spending = _line_amounts(statements, year, "expenditure_current_year", "all_funds")
    plan = spending.get("adjusted", spending.get("budgeted"))
    if "executed" in closing and plan:
        rows.append({
            "year": year, "key": "carryforward_rate_of_budget", "name_zh": "结转结余率（预算口径）",
            "name_en": "Carry-forward rate (of budgeted spending)",
            "numerator": closing["executed"], "denominator": plan,
            "value_pct": closing["executed"] / plan * 100,
            **{column: f"{text} [all_funds]" for column, text in ratio_formula(
                "carryforward_rate_of_budget", "年末结转和结余 / 支出预算数").items()},
        })
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
    budget = _budget(budget, root)
    year = int(budget["year"].iloc[0])
    amount = budget.set_index("key")["amount"].to_dict()
    if {"expenditure_carryforward", "revenue_carryover"} <= set(amount):
        amount["balance_change"] = exact_difference(amount["expenditure_carryforward"],
                                                    amount["revenue_carryover"])
    rows = []
    for key, name_zh, name_en, numerator, denominator, formula in RATIOS:
        if numerator not in amount or denominator not in amount:
            continue  # the report does not state this line
        den = amount[denominator]
        rows.append({
            "year": year,
            "key": key,
            "name_zh": name_zh,
            "name_en": name_en,
            "numerator": amount[numerator],
            "denominator": den,
            "value_pct": amount[numerator] / den * 100 if den else float("nan"),
            **ratio_formula(key, formula),
        })
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
        target = int(year) if year is not None else int(statements["report_year"].iloc[0])
        computed = set(budget_phase_ratios(statements, target)["key"])
    rows = [(zh, en, why) for zh, en, why, key in RATIOS_NOT_AVAILABLE
            if not key or key not in computed]
    return with_reasons(pd.DataFrame(rows, columns=["name_zh", "name_en", "why_not"]))


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



def previous_year(year: int, available: list[int]) -> int | None:
    """Return the latest year before `year` among the available ones, if any."""
    earlier = [y for y in available if y < year]
    return max(earlier) if earlier else None


def budget_change(previous: pd.DataFrame, current: pd.DataFrame, direction: str) -> pd.DataFrame:
    """Return the lines of one side present in both years: amounts, shares and their change.

    Args:
        previous: The earlier year's budget table.
        current: The later year's budget table.
        direction: "revenue" or "expenditure".
    """
    before = budget_structure(previous, direction).set_index("key")
    after = budget_structure(current, direction).set_index("key")
    keys = [k for k in after.index if k in before.index]
    out = pd.DataFrame({
        "key": keys,
        "level": after.loc[keys, "level"].to_numpy(),
        "label_zh": after.loc[keys, "label_zh"].to_numpy(),
        "label_en": after.loc[keys, "label_en"].to_numpy(),
        "year_previous": int(previous["year"].iloc[0]),
        "year_current": int(current["year"].iloc[0]),
        "amount_previous": before.loc[keys, "amount"].to_numpy(),
        "amount_current": after.loc[keys, "amount"].to_numpy(),
        "share_previous_pct": before.loc[keys, "share_of_total_pct"].to_numpy(),
        "share_current_pct": after.loc[keys, "share_of_total_pct"].to_numpy(),
    })
    change = exact_differences(out["amount_current"], out["amount_previous"])
    return out.assign(
        change=change,
        change_pct=(change / out["amount_previous"] * 100).where(out["amount_previous"] != 0),
    )


def indicator_change(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Return the indicators that appear in both years (same key and unit) and their change."""
    merged = previous.merge(current, on=["key", "unit"], suffixes=("_previous", "_current"))
    change = merged["value_current"] - merged["value_previous"]
    return pd.DataFrame({
        "section": merged["section_current"],
        "key": merged["key"],
        "name_zh": merged["name_zh_current"],
        "name_en": merged["name_en_current"],
        "unit": merged["unit"],
        "year_previous": merged["year_previous"],
        "year_current": merged["year_current"],
        "value_previous": merged["value_previous"],
        "value_current": merged["value_current"],
        "qualifier_previous": merged["qualifier_previous"],
        "qualifier_current": merged["qualifier_current"],
        "change": change,
        "change_pct": (change / merged["value_previous"] * 100).where(
            merged["value_previous"] != 0),
    })


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
    from luoshi_analysis.ingest.disagreements import choose
    from luoshi_analysis.ingest.overview import found_from_frame

    available = years(root)
    own: dict[tuple, object] = {}
    later: dict[tuple, tuple[int, object]] = {}
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
        report_year, theirs = later.get(slot, (None, None))
        shown = mine or theirs
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
            "later_report_year": report_year if theirs else pd.NA,
            "later_fragment": theirs.fragment if theirs else "",
            "later_line": theirs.line if theirs else pd.NA,
        })
    return pd.DataFrame(rows, columns=STATEMENTS_VIEW_COLUMNS)
