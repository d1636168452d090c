"""A figure as written in a line: its number, qualifier and unit (any unit, kept as written).

"60余起", "近3万亩", "2万余亩", "≥50个", "不少于12种", "35.4万剂次", "第3名", "1,862家",
"5000元/年": the number, what qualifies it, and the unit written after it. Units are an open
list: the known-unit table (core/units.py) first, longest first, then any measure word
(剂次, 间, 批次 …) with its 万/亿 scale. Dates, durations, ages, indicator numbers, grades and
specifications (2020年, 7天, 0-6岁, 指标1, C25, 0.6*0.6米) are not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from luoshi_analysis.core.units import KNOWN, unit_class
from luoshi_analysis.ingest.language import chinese_numeral

QUALIFIER_WORDS = ("近|共达|第|至少|不少于|不低于|不超过|超过|低于|约|≥|≤|≧|≦|>=|<=|>|<|≥")
NUMBER = re.compile(rf"(?P<pre>{QUALIFIER_WORDS})?(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?"
                    r"|[一二两三四五六七八九十]{1,3})")
# Measure words: a unit the table does not know is one of these, with its scale (万剂次).
MEASURE = "个家户人名次条项所座间栋套台辆件只头张本册份批期场起处块口支种例株棵亩斤吨米元剂"
_KNOWN = sorted((u for u in KNOWN if u != "名次"), key=len, reverse=True)
UNIT = re.compile("|".join(map(re.escape, _KNOWN)) + rf"|[万亿千]?(?:平方|立方)?[{MEASURE}]次?")
# Chinese numerals count only before a counting word (四条, 两个); 一村一辅警 does not.
COUNTING_UNITS = ("条", "个", "次", "家", "户", "人", "名", "支", "栋", "口", "处", "块", "份", "起",
                  "头", "间", "座", "所", "项")
AT_LEAST = {"至少", "不少于", "不低于", "≥", "≧", ">=", ">"}
AT_MOST = {"不超过", "≤", "≦", "<=", "<", "低于"}
NOT_A_FIGURE_AFTER = re.compile(r"^(?:年|月|日|号|时|[-—~至到]\d|\*|×|x\d|岁(?:及以上|以上|以下|至|-))")


@dataclass(frozen=True)
class Figure:
    """A figure in a (normalised) line: where it is, its value, qualifier and unit."""

    start: int  # where its qualifier (or number) starts
    number_start: int
    end: int  # where its unit (and 以上) ends
    value: float
    written: str
    unit: str
    qualifier: str


def _qualifier(prefix: str | None, more: bool, at_least: bool) -> str:
    if prefix in AT_LEAST or at_least:
        return "at_least"
    if prefix in AT_MOST:
        return "at_most"
    if prefix == "第":
        return "rank"
    if more:
        return "more_than"
    if prefix in ("近", "约"):
        return "nearly"
    if prefix == "共达":
        return "cumulative_total"
    return "exact"


def read_unit(text: str, position: int) -> tuple[str | None, bool, bool, int]:
    """Read the unit after a number: (unit, 余 seen, 以上 seen, end position).

    余 may stand before the unit (60余起, 200余万元) or inside a 万/亿 unit (2万余亩, 34万余元).
    """
    more = text.startswith("余", position)
    position += more
    scale = ""
    if text[position:position + 1] in ("万", "亿") and text.startswith("余", position + 1):
        scale, more, position = text[position], True, position + 2
    m = UNIT.match(text, position)
    if m is None:
        return None, more, False, position
    position = m.end()
    at_least = text.startswith("以上", position)
    return scale + m.group(), more, at_least, position + 2 * at_least


def _excluded(text: str, m: re.Match) -> bool:
    """Whether a number is a date, an age range, a spec, an indicator number or a grade."""
    before = text[max(0, m.start("num") - 2):m.start("num")]
    after = text[m.end("num"):m.end("num") + 4]
    if NOT_A_FIGURE_AFTER.match(after) or re.search(r"[A-Za-z*×\-—~/.]$", before):
        return True
    if re.search(r"指标$|第$", before) and not m["pre"]:
        return True
    return text.count("“", 0, m.start()) > text.count("”", 0, m.start())  # a name in quotes


def figures(text: str) -> list[Figure]:
    """Return every figure with a unit (or a rank: 第3) in a normalised line, in order."""
    found = []
    for m in NUMBER.finditer(text):
        if _excluded(text, m):
            continue
        written = m["num"]
        digits = written[0].isdigit()
        value = float(written.replace(",", "")) if digits else chinese_numeral(written)
        if value is None:
            continue
        unit, more, at_least, end = read_unit(text, m.end())
        if m["pre"] == "第":
            if not digits:
                continue  # 第一阶段: an ordinal, not a rank
            if unit is None or unit_class(unit) != "count":
                unit, more, at_least, end = "名次", False, False, m.end()
        if unit is None or unit_class(unit) == "time" and unit != "岁":
            continue
        if not digits and (unit not in COUNTING_UNITS or more):
            continue
        found.append(Figure(m.start(), m.start("num"), end, value, written, unit,
                            _qualifier(m["pre"], more, at_least)))
    return found
