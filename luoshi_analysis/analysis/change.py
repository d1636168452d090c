"""Compare a year with the one before: budget lines and indicators, amounts and their change."""

from __future__ import annotations

import pandas as pd

from luoshi_analysis.analysis.views import budget_structure
from luoshi_analysis.core.money import exact_differences
from luoshi_analysis.core.units import lower_is_better


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
    """Return the indicators that appear in both years (same key and unit) and their change.

    A quantity changes by current − previous and by a percent of the previous value. A rank
    (第3名: lower is better) is compared in places: ``change`` is the places gained (5th → 3rd
    is +2), ``change_pct`` is empty and ``comparison`` says "places".
    """
    merged = previous.merge(current, on=["key", "unit"], suffixes=("_previous", "_current"))
    ranks = pd.Series([lower_is_better(u, q) for u, q in zip(
        merged["unit"], merged["qualifier_current"], strict=True)], index=merged.index, dtype=bool)
    change = (merged["value_current"] - merged["value_previous"]).where(
        ~ranks, merged["value_previous"] - merged["value_current"])
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
            (merged["value_previous"] != 0) & ~ranks),
        "comparison": ranks.map({True: "places", False: "percent"}),
    })
