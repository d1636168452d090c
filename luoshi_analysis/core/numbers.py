"""Number words and shown numbers: Chinese numerals, fixed-precision figures without "-0.00"."""

from __future__ import annotations

import math
import re

CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                  "九": 9}


def chinese_number(text: str) -> int | None:
    """Return the value of a Chinese numeral from 一 to 九十九 (两 = 2), or None."""
    if "十" not in text:
        return CHINESE_DIGITS.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(text) > 3 or (tens and tens not in CHINESE_DIGITS) or (ones and ones not in CHINESE_DIGITS):
        return None
    return CHINESE_DIGITS.get(tens, 1) * 10 + CHINESE_DIGITS.get(ones, 0)


_NEGATIVE_ZERO = re.compile(r"^-(?=[0.,]*$)")


def format_number(value: float, places: int = 2, sign: bool = False) -> str:
    """Return value with thousands separators at a fixed precision, never "-0.00".

    Missing values give "". With sign, positive values get a "+".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    shown = f"{value:{'+' if sign else ''},.{places}f}"
    shown = _NEGATIVE_ZERO.sub("", shown)
    return shown.replace("+0", "0", 1) if sign and shown.strip("+0.,") == "" else shown
