"""Accounting identities, stated shares and carry-over between years, checked not corrected."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from luoshi_analysis.analysis.overview import overview
from luoshi_analysis.core.load import as_year, document_years, load_budget, years
from luoshi_analysis.core.money import AMOUNT_TOLERANCE, exact_sum, from_hundredths, to_hundredths
from luoshi_analysis.core.numbers import format_number

# Shares are stated to 0.01 %: rounding moves them by at most half of that.
SHARE_ROUNDING = 0.005  # a share stated to 0.01 %; one stated to 0.1 % or 1 % rounds more


def share_rounding(share: float, fragment: str) -> float:
    """Return half a unit of the last digit a share is written with (占91.6%: 0.05 points).

    The digits are those of the report's own fragment; where it cannot be found, 0.01 %.
    """
    for written in re.findall(r"(\d+(?:\.(\d+))?)\s*[%％]", fragment):
        if float(written[0]) == share:
            return 0.5 * 10 ** -len(written[1])
    return SHARE_ROUNDING
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
    if budget.empty:  # a 部门预算 states no executed overview: nothing to check
        return pd.DataFrame(columns=CHECK_COLUMNS)
    year = int(budget["year"].iloc[0])
    by_key = budget.set_index("key")
    rows = []
    for key, parent in by_key.iterrows():
        children = by_key[by_key["parent_key"] == key]
        if children.empty:
            continue
        if parent["level"] == "total" and set(children["level"]) != {"balance", "subtotal"} \
                and "subtotal" in set(children["level"]):
            continue  # the report states the year's part but not the balances: unknown, not 0
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
    amounts = {str(key): float(value) for key, value in by_key["amount"].items()}
    for key, line in stated.iterrows():
        parent_amount = amounts[str(line["parent_key"])]
        if parent_amount == 0:  # a share of nothing: the check fails, with no division warning
            computed = propagated = float("nan")
        else:
            amount = float(line["amount"])
            computed = amount / parent_amount * 100
            # half a unit of the share's last digit, plus what amount rounding can move it
            propagated = 100 * AMOUNT_ROUNDING * (1 / parent_amount + amount / parent_amount**2)
        parent_label = str(by_key.at[line["parent_key"], "label_zh"])
        rows.append(_row(
            year, f"share:{key}", "stated_share",
            f"{line['label_zh']}占{parent_label}的比重（报告所述 {line['stated_share_pct']:.2f}%）",
            f"{line['label_en']} as a share of its parent line (stated)",
            computed, line["stated_share_pct"],
            share_rounding(float(line["stated_share_pct"]), str(line["source_fragment"])) + propagated,
            "%",
        ))
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def carryover_check(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """Check that a year's 年初结转和结余 equals the previous year's 年末结转和结余."""
    if "expenditure_carryforward" not in set(previous["key"]) \
            or "revenue_carryover" not in set(current["key"]):
        return pd.DataFrame(columns=CHECK_COLUMNS)  # one of the years does not state it
    prev_year = int(previous["year"].iloc[0])
    year = int(current["year"].iloc[0])
    closing_rows = previous.loc[previous["key"] == "expenditure_carryforward", "amount"]
    opening_rows = current.loc[current["key"] == "revenue_carryover", "amount"]
    if closing_rows.empty or opening_rows.empty:  # a table without these lines: nothing to check
        return pd.DataFrame({c: pd.Series(dtype=bool if c == "ok" else object)
                             for c in CHECK_COLUMNS})
    closing, opening = closing_rows.iloc[0], opening_rows.iloc[0]
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
    year = as_year(year, root, document_years(root))
    budget = overview(year, root)  # a budget-only year: its budget's identities
    frames = [budget_checks(budget)]
    if year - 1 in years(root):
        frames.append(carryover_check(load_budget(year - 1, root), budget))
    frames = [f for f in frames if not f.empty]  # an empty frame would make `ok` an object
    if not frames:
        return pd.DataFrame(columns=CHECK_COLUMNS).astype({"ok": bool})
    return pd.concat(frames, ignore_index=True)


VIOLATION_COLUMNS = [
    "year", "check", "key", "scope", "phase", "kept_amount", "other_amount", "kept_fragment",
    "kept_report", "kept_line", "other_fragment", "other_report", "other_line", "message",
]


def statement_violations(year: object | None = None, root: Path | None = None) -> pd.DataFrame:
    """Return the statements that disagree, within a report or across years.

    Two kinds, each one row naming both fragments and their raw-report lines:
    ``disagreement`` — two statements of one line (year, scope, phase) in one report differ;
    ``year_on_year`` — a later report's year-on-year clause gives a year's line an amount that
    differs from that year's own report. Nothing is corrected; the own report stays.

    Args:
        year: Only violations about this year (default: every year).
        root: A data folder other than the default.
    """
    from luoshi_analysis.analysis.views import statements_over_years
    from luoshi_analysis.core.load import load_statements
    from luoshi_analysis.core.statements import choose, found_from_frame

    wanted = None if year is None else as_year(year, root)
    rows = []
    for report_year in years(root):
        statements = load_statements(report_year, root)
        _chosen, disagreements = choose(found_from_frame(statements))
        for d in disagreements:
            rows.append({
                "year": d.year, "check": "disagreement", "key": d.key, "scope": d.scope,
                "phase": d.phase, "kept_amount": float(d.kept_amount),
                "other_amount": float(d.other_amount), "kept_fragment": d.kept,
                "kept_report": report_year, "kept_line": d.kept_line, "other_fragment": d.other,
                "other_report": report_year, "other_line": d.other_line,
                "message": d.message(),
            })
    view = statements_over_years(root)
    later = view[view["later_report_amount"].notna() & view["own_report_amount"].notna()]
    gaps = (later["later_report_amount"] - later["own_report_amount"]).abs().tolist()
    for row, gap in zip(later.itertuples(index=False), gaps, strict=True):
        if gap <= AMOUNT_TOLERANCE + _EPSILON:
            continue
        rows.append({
            "year": row.year, "check": "year_on_year", "key": row.key, "scope": row.scope,
            "phase": row.phase, "kept_amount": row.own_report_amount,
            "other_amount": row.later_report_amount, "kept_fragment": row.own_fragment,
            "kept_report": row.year, "kept_line": row.own_line,
            "other_fragment": row.later_fragment, "other_report": row.later_report_year,
            "other_line": row.later_line,
            "message": (f"{row.year} {row.label_zh} ({row.key}, {row.scope}, {row.phase}): the "
                        f"{row.year} report states {row.own_report_amount:.2f} 万元 "
                        f"('{row.own_fragment}', line {row.own_line}); the "
                        f"{row.later_report_year} report's year-on-year clause gives "
                        f"{row.later_report_amount:.2f} 万元 ('{row.later_fragment}', line "
                        f"{row.later_line}); the {row.year} report's amount is kept"),
        })
    out = pd.DataFrame(rows, columns=VIOLATION_COLUMNS)
    if wanted is not None:
        out = out[out["year"] == wanted]
    return out.reset_index(drop=True)
