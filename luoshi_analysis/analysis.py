"""Shape the tables into the frames the notebooks chart: structure, mix, ratios, headlines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from luoshi_analysis.labels import ratio_formula, with_reasons
from luoshi_analysis.load import load_budget, load_indicators
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

# Indicators of the framework that need figures this report does not give.
RATIOS_NOT_AVAILABLE = (
    ("预算完成率 / 预算执行率", "Budget completion / execution rate",
     "needs the approved and adjusted budget (预算数), which the report does not state"),
    ("预算调整率", "Budget adjustment rate", "needs the budget adjustments"),
    ("支付进度率", "Payment progress rate", "needs payments by month or quarter"),
    ("“三公经费”控制率 / 变动率", "Control rate of the 'three public expenses'",
     "needs 因公出国（境）费、公务用车费、公务接待费, not reported"),
    ("公用经费控制率", "Control rate of public (operating) funds",
     "needs 公用经费 split out of 基本支出, not reported"),
    ("政府采购执行率", "Government procurement execution rate", "needs procurement figures"),
    ("固定资产利用率", "Fixed-asset utilisation rate", "needs asset figures"),
    ("在职人员控制率", "Staffing control rate", "needs authorised and actual headcount"),
)


def spending_ratios(budget: pd.DataFrame | object, root: Path | None = None) -> pd.DataFrame:
    """Return the framework ratios that the budget overview allows, in %.

    Args:
        budget: A budget table as returned by ``load_budget``, or a year to load it for.
        root: A data folder other than the default (when a year is given).
    """
    budget = _budget(budget, root)
    amount = budget.set_index("key")["amount"].to_dict()
    amount["balance_change"] = exact_difference(amount["expenditure_carryforward"],
                                                amount["revenue_carryover"])
    rows = []
    for key, name_zh, name_en, numerator, denominator, formula in RATIOS:
        den = amount[denominator]
        rows.append({
            "year": int(budget["year"].iloc[0]),
            "key": key,
            "name_zh": name_zh,
            "name_en": name_en,
            "numerator": amount[numerator],
            "denominator": den,
            "value_pct": amount[numerator] / den * 100 if den else float("nan"),
            **ratio_formula(key, formula),
        })
    return pd.DataFrame(rows)


def ratios_not_available() -> pd.DataFrame:
    """Return the framework indicators the report's figures do not allow, and why."""
    return with_reasons(pd.DataFrame(RATIOS_NOT_AVAILABLE,
                                     columns=["name_zh", "name_en", "why_not"]))


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
