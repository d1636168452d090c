"""Find candidate outcome indicators in the sections of a report's 效益性分析."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from luoshi_analysis.core.numbers import chinese_number
from luoshi_analysis.core.schema import INDICATORS, SECTIONS, UNITS
from luoshi_analysis.core.text import occurrences
from luoshi_analysis.ingest.normalize import normalize

SECTION_HEADING = re.compile(r"(?m)^[ \t\u3000]*[（(]([1-8])[)）]")
SECTIONS_END = re.compile(r"(?m)^[ \t\u3000]*[四五六七八九十]、")
# longest first, so 万平方米 wins over 米 and 人次 over 人
_UNITS = sorted((u for u in UNITS if u != "名次"), key=len, reverse=True)
NUMBER = re.compile(r"(?P<pre>近|共达|第|至少)?(?P<num>\d+(?:\.\d+)?|[一二两三四五六七八九十]{1,3})")
# Chinese numerals count only before a counting word (四条, 两个); 一村一辅警 and the like do not.
COUNTING_UNITS = ("条", "个", "次", "家", "户", "人", "名", "支", "栋", "口", "处", "块", "份", "起", "头")
CLAUSE_BREAK = re.compile(r"[,;。、:!?“”()]")


def read_unit(text: str, position: int) -> tuple[str | None, bool, bool, int]:
    """Read the unit after a number: (unit, 余 seen, 以上 seen, end position).

    余 may stand before the unit (60余起, 200余万元) or inside a 万/亿 unit (2万余亩, 34万余元).
    """
    more = text.startswith("余", position)
    position += more
    scale = ""
    if text[position:position + 1] in ("万", "亿") and text.startswith("余", position + 1):
        scale, more, position = text[position], True, position + 2
    unit = next((u for u in _UNITS if text.startswith(u, position)), None)
    if unit is None or (scale and scale + unit not in UNITS):
        return None, more, False, position
    position += len(unit)
    at_least = text.startswith("以上", position)
    return scale + unit, more, at_least, position + 2 * at_least


@dataclass
class Candidate:
    """A quantitative statement found in a section."""

    section: int
    value: float
    value_as_written: str
    unit: str
    qualifier: str
    fragment: str
    context: str


def _qualifier(prefix: str | None, more: bool, at_least: bool) -> str:
    if prefix == "至少":
        return "at_least"
    if prefix == "第":
        return "rank"
    if more:
        return "more_than"
    if prefix == "近":
        return "nearly"
    if prefix == "共达":
        return "cumulative_total"
    return "at_least" if at_least else "exact"


def clause_start(text: str, position: int) -> int:
    """Return where the clause holding `position` starts (after the last ，；。、 etc.)."""
    while position > 0 and not CLAUSE_BREAK.match(text[position - 1]):
        position -= 1
    return position


def clause_end(text: str, position: int) -> int:
    """Return where the clause holding `position` ends (at the next ，；。、 etc.)."""
    while position < len(text) and not CLAUSE_BREAK.match(text[position]):
        position += 1
    return position


def unique_span(original: str, part, start: int, end: int) -> str:
    """Return the verbatim text of part.text[start:end], widened until it occurs once in original.

    A short fragment (7个) may occur elsewhere in the report; it takes in the rest of its
    clause, then clause after clause before it, so that it traces to one place only.
    """
    fragment = part.span(start, end)
    if len(occurrences(original, fragment)) > 1:
        end = max(end, clause_end(part.text, end))
        fragment = part.span(start, end)
    while len(occurrences(original, fragment)) > 1 and start > 0:
        start = clause_start(part.text, start - 1)
        fragment = part.span(start, end)
    return fragment


def context_before(text: str, end: int, width: int = 4) -> str:
    """Return up to `width` characters before `end` in the same clause, digits dropped."""
    start = clause_start(text, end)
    words = re.sub(r"[\d.]+|余|近|共达|第|至少", "", text[start:end])
    return words[-width:]


def _inside_quotes(text: str, position: int) -> bool:
    return text.count("“", 0, position) > text.count("”", 0, position)


def section_spans(original: str) -> list[tuple[int, int, int]]:
    """Return (section, start, end) of each (1)–(8) section of 效益性分析 in the original text."""
    headings = list(SECTION_HEADING.finditer(original))
    spans = []
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(original)
        stop = SECTIONS_END.search(original, heading.end(), end)
        spans.append((int(heading.group(1)), heading.end(), stop.start() if stop else end))
    return spans


def find_candidates(original: str) -> list[Candidate]:
    """Return every figure with a unit (or a rank) in sections (1)–(8), in text order."""
    found = []
    for section, start, end in section_spans(original):
        part = normalize(original[start:end])
        text = part.text
        for m in NUMBER.finditer(text):
            after = text[m.end():m.end() + 1]
            if after in ("年", "月", "日") or _inside_quotes(text, m.start()):
                continue
            written = m["num"]
            value = float(written) if written[0].isdigit() else chinese_number(written)
            if value is None:
                continue
            if m["pre"] == "第":
                if not written[0].isdigit():
                    continue  # 第一阶段: an ordinal, not a rank
                unit, more, at_least, end_at = "名次", False, False, m.end()
            else:
                unit, more, at_least, end_at = read_unit(text, m.end())
            if unit is None or (not written[0].isdigit() and (unit not in COUNTING_UNITS or more)):
                continue
            found.append(Candidate(
                section=section, value=value, value_as_written=written, unit=unit,
                qualifier=_qualifier(m["pre"], more, at_least),
                fragment=unique_span(original, part, clause_start(text, m.start()), end_at),
                context=context_before(text, m.start("num")),
            ))
    return found


def known_signatures(earlier: list[pd.DataFrame]) -> dict[tuple, pd.Series]:
    """Return earlier years' indicator rows by (section, unit, words before the value)."""
    signatures: dict[tuple, pd.Series] = {}
    for frame in earlier:
        for _, row in frame.iterrows():
            fragment = normalize(row["source_fragment"]).text
            tokens = [m for m in re.finditer(r"\d+(?:\.\d+)?", fragment)
                      if m.group() == row["value_as_written"]]
            if not tokens:
                continue
            signature = (int(row["section"]), row["unit"],
                         context_before(fragment, tokens[0].start()))
            signatures.setdefault(signature, row)
    return signatures


def candidate_table(original: str, year: int, earlier: list[pd.DataFrame]) -> pd.DataFrame:
    """Return the candidate indicator table of a report: unreviewed rows in the schema's columns.

    Keys of earlier years are reused when section, unit and the words before the figure match,
    so the same figure lines up across years; other rows get <section>_<n> keys.
    """
    signatures = known_signatures(earlier)
    used: set[str] = set()
    counters: dict[int, int] = {}
    rows = []
    for item in find_candidates(original):
        section_key, _zh, section_en = SECTIONS[item.section]
        counters[item.section] = counters.get(item.section, 0) + 1
        number = counters[item.section]
        match = signatures.get((item.section, item.unit, item.context))
        if match is not None and match["key"] not in used:
            key, name_zh, name_en = match["key"], match["name_zh"], match["name_en"]
        else:
            key = f"{section_key}_{number:02d}"
            name_zh = item.context or item.fragment[:8]
            name_en = f"Unreviewed: {section_en} figure {number}"
        used.add(key)
        rows.append({
            "year": year, "section": item.section, "section_key": section_key, "key": key,
            "name_zh": name_zh, "name_en": name_en,
            "value": item.value_as_written if item.value_as_written[0].isdigit() else f"{item.value:g}",
            "value_as_written": item.value_as_written,
            "unit": item.unit, "qualifier": item.qualifier, "reviewed": "false",
            "source_fragment": item.fragment,
        })
    return pd.DataFrame(rows, columns=INDICATORS.columns)
