"""Accounting identities, stated shares and carry-over between years, checked not corrected."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from luoshi_analysis.labels import format_number
from luoshi_analysis.load import as_year, load_budget, years
from luoshi_analysis.money import exact_sum, from_hundredths, to_hundredths

# Amounts are stated to 0.01 万元: a sum may differ from its stated total by that, no more.
AMOUNT_TOLERANCE = 0.01
# Shares are stated to 0.01 %: rounding moves them by at most half of that.
SHARE_ROUNDING = 0.005
AMOUNT_ROUNDING = 0.005
_EPSILON = 1e-9
# Decimal places a check's numbers are shown at, by unit: amounts as the report writes
# them; a computed share finely enough to see how far it is from the stated one.
PLACES = {"万元": 2, "%": 4}

CHECK_COLUMNS = [
    "year", "check", "kind", "description_zh", "description_en",
    "expected", "found", "difference", "tolerance", "unit", "ok",
]


def _row(year, check, kind, zh, en, expected, found, tolerance, unit) -> dict:
    """Return one check; amounts are compared exactly, in hundredths of 万元.

    Shown numbers are rounded to the unit's places (see PLACES); ok is decided before rounding.
    """
    if unit == "万元":
        gap = to_hundredths(found) - to_hundredths(expected)
        ok = abs(gap) <= to_hundredths(tolerance)
        difference = from_hundredths(gap)
        expected, found = from_hundredths(to_hundredths(expected)), from_hundredths(
            to_hundredths(found))
    else:
        places = PLACES.get(unit, 4)
        ok = abs(found - expected) <= tolerance + _EPSILON
        difference = round(found - expected, places) + 0.0  # + 0.0 turns -0.0 into 0.0
        expected, found, tolerance = round(expected, places), round(found, places), round(
            tolerance, places)
    return {
        "year": year, "check": check, "kind": kind, "description_zh": zh, "description_en": en,
        "expected": expected, "found": found, "difference": difference,
        "tolerance": tolerance, "unit": unit, "ok": ok,
    }


def formatted(checks: pd.DataFrame) -> pd.DataFrame:
    """Return checks with expected, found, difference and tolerance as text at their unit's places.

    Amounts show two decimals (5,446.35), shares four (49.0867); a difference carries its sign.
    """
    out = checks.copy()
    places = out["unit"].map(lambda u: PLACES.get(u, 4))
    for column in ("expected", "found", "difference", "tolerance"):
        out[column] = [format_number(v, p, sign=column == "difference")
                       for v, p in zip(out[column], places, strict=True)]
    return out


def budget_checks(budget: pd.DataFrame) -> pd.DataFrame:
    """Check a budget table's identities and stated shares.

    Every line with children must equal the sum of its children (收入总计 = 年初结转和结余 +
    本年收入合计, 本年收入合计 = Σ categories, and the same on the expenditure side);
    收入总计 must equal 支出总计; each stated share must match the computed one.

    Returns:
        One row per check with expected, found, difference, tolerance and ok.
    """
    year = int(budget["year"].iloc[0])
    by_key = budget.set_index("key")
    rows = []
    for key, parent in by_key.iterrows():
        children = by_key[by_key["parent_key"] == key]
        if children.empty:
            continue
        terms = " + ".join(children["label_zh"])
        rows.append(_row(
            year, f"sum:{key}", "identity",
            f"{parent['label_zh']} = {terms}",
            f"{parent['label_en']} = sum of its {len(children)} lines",
            exact_sum(children["amount"]), parent["amount"], AMOUNT_TOLERANCE, "万元",
        ))
    totals = by_key[by_key["level"] == "total"]
    if set(totals["direction"]) == {"revenue", "expenditure"}:
        revenue = totals[totals["direction"] == "revenue"].iloc[0]
        expenditure = totals[totals["direction"] == "expenditure"].iloc[0]
        rows.append(_row(
            year, "balance:revenue_total=expenditure_total", "identity",
            f"{revenue['label_zh']} = {expenditure['label_zh']}",
            "Total revenue = total expenditure",
            revenue["amount"], expenditure["amount"], AMOUNT_TOLERANCE, "万元",
        ))
    stated = by_key[by_key["stated_share_pct"].notna()]
    for key, line in stated.iterrows():
        parent_amount = by_key.at[line["parent_key"], "amount"]
        computed = line["amount"] / parent_amount * 100
        # half a unit of the share's last digit, plus what amount rounding can move it
        propagated = 100 * AMOUNT_ROUNDING * (1 / parent_amount + line["amount"] / parent_amount**2)
        parent_label = by_key.at[line["parent_key"], "label_zh"]
        rows.append(_row(
            year, f"share:{key}", "stated_share",
            f"{line['label_zh']}占{parent_label}的比重（报告所述 {line['stated_share_pct']:.2f}%）",
            f"{line['label_en']} as a share of its parent line (stated)",
            computed, line["stated_share_pct"], SHARE_ROUNDING + propagated, "%",
        ))
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def carryover_check(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Check that a year's 年初结转和结余 equals the previous year's 年末结转和结余."""
    prev_year = int(previous["year"].iloc[0])
    year = int(current["year"].iloc[0])
    closing = previous.set_index("key").at["expenditure_carryforward", "amount"]
    opening = current.set_index("key").at["revenue_carryover", "amount"]
    row = _row(
        year, f"carryover:{prev_year}->{year}", "carryover",
        f"{year}年初结转和结余 = {prev_year}年末结转和结余",
        f"Opening balance {year} = closing balance {prev_year}",
        closing, opening, 0.0, "万元",
    )
    return pd.DataFrame([row], columns=CHECK_COLUMNS)


def check(year: object, root: Path | None = None) -> pd.DataFrame:
    """Return every check of a year: identities, stated shares, and carry-over from the year before.

    A violation is reported as a row with ok=False; nothing is corrected.

    Args:
        year: The report year.
        root: A data folder other than the default.
    """
    year = as_year(year, root)
    budget = load_budget(year, root)
    frames = [budget_checks(budget)]
    if year - 1 in years(root):
        frames.append(carryover_check(load_budget(year - 1, root), budget))
    return pd.concat(frames, ignore_index=True)
