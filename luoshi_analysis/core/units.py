"""Units written after outcome figures: an open list, with a known-unit table for classification.

Any unit a report writes after a number is kept as written (剂次, 万人次, 亿条, 元/年 …); the
table below only says what kind of quantity a known unit measures (count, money, area, length,
share, rank, time, volume, weight), how it reads in English and its factor (万亩 is 10,000 亩).
Reports derive their axis labels and English figures from it (reports/labels.py).
"""

from __future__ import annotations

import re

CLASSES = ("count", "money", "area", "length", "share", "rank", "time", "volume", "weight",
           "other")
# A unit as written: no digits, no white space, at most 8 characters (个百分点, 元/年, 万平方米).
UNIT_PATTERN = r"^[^\s0-9]{1,8}$"

# unit -> (class, English name, factor)
KNOWN: dict[str, tuple[str, str, int]] = {
    "户": ("count", "households", 1), "人": ("count", "persons", 1),
    "人次": ("count", "person-times", 1), "万人次": ("count", "person-times", 10_000),
    "名": ("count", "persons", 1), "台次": ("count", "vehicle-times", 1),
    "次": ("count", "times", 1), "起": ("count", "cases", 1), "处": ("count", "sites", 1),
    "块": ("count", "boards", 1), "份": ("count", "copies", 1),
    "万份": ("count", "copies", 10_000), "口": ("count", "ponds", 1), "条": ("count", "", 1),
    "万条": ("count", "", 10_000), "亿条": ("count", "", 100_000_000),
    "支": ("count", "teams", 1), "栋": ("count", "buildings", 1), "座": ("count", "", 1),
    "间": ("count", "rooms", 1), "个": ("count", "", 1), "家": ("count", "", 1),
    "所": ("count", "", 1), "头": ("count", "head", 1), "只": ("count", "", 1),
    "台": ("count", "units", 1), "辆": ("count", "vehicles", 1), "套": ("count", "sets", 1),
    "件": ("count", "items", 1), "项": ("count", "items", 1), "种": ("count", "kinds", 1),
    "批": ("count", "batches", 1), "批次": ("count", "batches", 1), "场": ("count", "events", 1),
    "期": ("count", "sessions", 1), "例": ("count", "cases", 1), "剂次": ("count", "doses", 1),
    "万剂次": ("count", "doses", 10_000), "株": ("count", "plants", 1),
    "棵": ("count", "trees", 1), "张": ("count", "", 1), "本": ("count", "copies", 1),
    "岁": ("time", "years", 1), "年": ("time", "years", 1), "天": ("time", "days", 1),
    "名次": ("rank", "rank", 1),
    "米": ("length", "m", 1), "公里": ("length", "km", 1), "千米": ("length", "km", 1),
    "亩": ("area", "mu", 1), "万亩": ("area", "mu", 10_000), "平方米": ("area", "m²", 1),
    "万平方米": ("area", "m²", 10_000), "㎡": ("area", "m²", 1), "公顷": ("area", "ha", 1),
    "立方米": ("volume", "m³", 1), "万立方米": ("volume", "m³", 10_000),
    "吨": ("weight", "t", 1), "万吨": ("weight", "t", 10_000), "斤": ("weight", "jin", 1),
    "万斤": ("weight", "jin", 10_000), "公斤": ("weight", "kg", 1),
    "元": ("money", "yuan", 1), "万元": ("money", "yuan", 10_000),
    "亿元": ("money", "yuan", 100_000_000), "元/年": ("money", "yuan a year", 1),
    "元/人": ("money", "yuan a person", 1), "元/户": ("money", "yuan a household", 1),
    "%": ("share", "%", 1), "‰": ("share", "‰", 1), "百分比": ("share", "%", 1),
    "个百分点": ("share", "percentage points", 1),
}
_UNIT = re.compile(UNIT_PATTERN)


def unit_class(unit: str) -> str:
    """Return what a unit measures (count, money, area …); "other" for a unit not in the table.

    A unit not in the table but built like one is classed by its head: 万剂次 like 剂次, a
    unit ending in 次 or one measure word like a count.
    """
    if unit in KNOWN:
        return KNOWN[unit][0]
    bare = unit.lstrip("万亿千百")
    if bare in KNOWN:
        return KNOWN[bare][0]
    if unit.endswith("元"):
        return "money"
    return "count" if len(bare) <= 2 and bare else "other"


def unit_en(unit: str) -> tuple[str, int]:
    """Return (English name, factor) of a unit; an unknown unit reads as written, factor 1."""
    if unit in KNOWN:
        return KNOWN[unit][1], KNOWN[unit][2]
    return unit, 1


def is_unit(text: str) -> bool:
    """Return whether text can be a unit as written (no digits or spaces, 1–8 characters)."""
    return bool(_UNIT.match(text))


def lower_is_better(unit: str, qualifier: str) -> bool:
    """Return whether a smaller figure is the better one: a rank (第3名 beats 第5名)."""
    return qualifier == "rank" or unit_class(unit) == "rank"
