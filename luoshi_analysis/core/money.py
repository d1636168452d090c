"""Exact money: amounts of 0.01 万元 carried as integer hundredths for sums and differences.

The tables keep amounts as floats holding the report's two-decimal values (1334.2 is the
float nearest 1334.20). Adding such floats leaves binary noise (1334.20 + 4112.15 gives
5446.349999999999), so every sum or difference goes through integer hundredths here and is
turned back into the float nearest the exact two-decimal result, which prints as the
report would write it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

PLACES = 2
SCALE = 10**PLACES
# Amounts are stated to 0.01 万元: a sum may differ from its stated total by that, no more.
AMOUNT_TOLERANCE = 0.01


def to_hundredths(amount: float) -> int:
    """Return an amount in 万元 as an integer count of 0.01 万元."""
    return round(float(amount) * SCALE)


def from_hundredths(count: int) -> float:
    """Return an integer count of 0.01 万元 as the float nearest that amount in 万元."""
    return count / SCALE


def exact_sum(amounts: Iterable[float]) -> float:
    """Return the sum of amounts, exact to 0.01 万元."""
    return from_hundredths(sum(to_hundredths(a) for a in amounts))


def exact_difference(later: float, earlier: float) -> float:
    """Return later − earlier, exact to 0.01 万元."""
    return from_hundredths(to_hundredths(later) - to_hundredths(earlier))


def exact_differences(later: pd.Series[float], earlier: pd.Series[float]) -> pd.Series[float]:
    """Return later − earlier element by element, exact to 0.01 万元 (missing stays missing)."""
    scaled = (later * SCALE).round() - (earlier * SCALE).round()
    return scaled / SCALE
