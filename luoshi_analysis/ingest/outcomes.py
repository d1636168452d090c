"""Find candidate outcome figures in any performance text: value, unit as written, name, role.

A 部门整体支出绩效评价报告 laid out like the 2020 one has eight sections (1)–(8) of 效益性分析:
its figures are read there, by section. Any other performance text (项目支出绩效自评, 绩效目标
自评表, 扶贫资金绩效自评, 工作总结) is read whole (section 0): its prose figures and its 自评表
tables (selfeval.py), without the amounts its budget overview states. Each figure is named by
the words before it or the thing counted after its unit (naming.py), keeps the unit it is
written with, and is a target (目标, 计划, 年度指标值) or what was done (role actual). A
fragment is always within one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from luoshi_analysis.core.lines import Found
from luoshi_analysis.core.schema import INDICATORS, SECTIONS
from luoshi_analysis.core.text import occurrences
from luoshi_analysis.ingest.figures import figures
from luoshi_analysis.ingest.naming import name_span, tokens
from luoshi_analysis.ingest.normalize import Normalized, normalize
from luoshi_analysis.ingest.selfeval import read_self_evaluation

SECTION_HEADING = re.compile(r"(?m)^[ \t\u3000]*[（(]([1-8])[)）]")
SECTIONS_END = re.compile(r"(?m)^[ \t\u3000]*[四五六七八九十]、")
CLAUSE_BREAK = re.compile(r"[,;。、:!?“”()|]")
TARGET_WORDS = re.compile(r"目标|计划|预期|力争|拟|争取|指标值")
ACTUAL_WORDS = re.compile(r"实际|完成情况|全年完成|已")
TARGET_HEADING = re.compile(r"计划|主要目标|预期目标")
TARGET_DOCUMENT = re.compile(r"审批表|申报表")
HEADING_LINE = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|[（(][一二三四五六七八九十\d]+[)）]|"
                          r"\d+[、.](?!\d)|(?:19|20)\d\d年)")


@dataclass
class Candidate:
    """A figure found in a report: where, value, unit as written, qualifier, name and role."""

    section: int
    value: float
    value_as_written: str
    unit: str
    qualifier: str
    fragment: str
    context: str
    name: str = ""
    role: str = "actual"
    position: int = -1  # original offset of its number
    kind: str = ""  # "money" for a project's funds read from its table


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


def unique_span(original: str, part: Normalized, start: int, end: int) -> str:
    """Return the verbatim text of part.text[start:end], widened until it occurs once in original.

    ``part`` is one line: a short fragment (7个) that occurs elsewhere takes in the rest of its
    clause, then clause after clause before it, never more than its line.
    """
    fragment = part.span(start, end)
    if len(occurrences(original, fragment)) > 1:
        end = max(end, clause_end(part.text, end))
        fragment = part.span(start, end)
    while len(occurrences(original, fragment)) > 1 and start > 0:
        start = clause_start(part.text, start - 1)
        fragment = part.span(start, end)
    return fragment.strip()


def context_before(text: str, end: int, width: int = 4) -> str:
    """Return up to `width` characters before `end` in the same clause, digits dropped."""
    start = clause_start(text, end)
    words = re.sub(r"[\d.,]+|余|近|共达|第|至少", "", text[start:end])
    return words[-width:]


def section_spans(original: str) -> list[tuple[int, int, int]]:
    """Return (section, start, end) of each (1)–(8) section of 效益性分析 in the original text."""
    headings = list(SECTION_HEADING.finditer(original))
    spans = []
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(original)
        stop = SECTIONS_END.search(original, heading.end(), end)
        spans.append((int(heading.group(1)), heading.end(), stop.start() if stop else end))
    return spans


def _role(text: str, position: int, target_part: bool) -> str:
    """Return target or actual: the nearest marker before the figure in its sentence decides."""
    sentence = max(text.rfind("。", 0, position), text.rfind(";", 0, position)) + 1
    before = text[sentence:position]
    target = max((m.end() for m in TARGET_WORDS.finditer(before)), default=-1)
    actual = max((m.end() for m in ACTUAL_WORDS.finditer(before)), default=-1)
    if target != actual:
        return "target" if target > actual else "actual"
    return "target" if target_part else "actual"


class _Lines:
    """Read the prose figures of a region line by line."""

    def __init__(self, original: str, section: int, skip: set[int], excluded: list[tuple[int, int]],
                 all_target: bool):
        self.original = original
        self.section = section
        self.skip = skip
        self.excluded = excluded
        self.target_part = all_target
        self.all_target = all_target

    def line(self, start: int, line: str) -> list[Candidate]:
        part = normalize(line)
        text = part.text
        if not text:
            return []
        if len(text) <= 30 and HEADING_LINE.match(text) and not figures(text):
            self.target_part = self.all_target or bool(TARGET_HEADING.search(text))
            return []
        found, words, last = [], None, ("", -1)
        for fig in figures(text):
            position = start + part.offsets[fig.number_start]
            if any(a <= position < b for a, b in self.excluded):
                continue
            words = words or tokens(text)
            begin = clause_start(text, fig.start)
            span = name_span(words, fig.start, fig.end, begin)
            sentence = max(text.rfind("。", 0, fig.start), text.rfind(";", 0, fig.start))
            name = text[span[0]:span[1]] if span else (last[0] if last[1] == sentence else "")
            first = min(begin, span[0]) if span and span[0] < fig.start else begin
            end = max(fig.end, span[1]) if span and span[0] >= fig.end else fig.end
            found.append(Candidate(
                section=self.section, value=fig.value, value_as_written=fig.written,
                unit=fig.unit, qualifier=fig.qualifier,
                fragment=unique_span(self.original, part, first, end),
                context=context_before(text, fig.number_start), name=name,
                role=_role(text, fig.start, self.target_part), position=position))
            last = (name, sentence)
        return found


def find_candidates(original: str, excluded: tuple[str, ...] = (), all_target: bool = False,
                    ) -> list[Candidate]:
    """Return every outcome figure of a text, in text order.

    Args:
        original: The report's text.
        excluded: Fragments whose figures are not outcomes (the overview's stated amounts).
        all_target: Every figure is a target (a 绩效目标审批表).
    """
    spans = section_spans(original)
    tables = read_self_evaluation(original, 0) if not spans else None
    regions = spans or [(0, 0, len(original))]
    cut = [(at, at + len(fragment)) for fragment in excluded for at in occurrences(original, fragment)]
    found: list[Candidate] = []
    for section, region_start, region_end in regions:
        reader = _Lines(original, section, tables.lines if tables else set(), cut, all_target)
        offset = 0
        for number, line in enumerate(original.splitlines(keepends=True), start=1):
            start, offset = offset, offset + len(line)
            if start + len(line) <= region_start or start >= region_end or number in reader.skip:
                continue
            low, high = max(start, region_start), min(start + len(line), region_end)
            found += reader.line(low, original[low:high].rstrip("\r\n"))
    for cell in tables.cells if tables else []:
        found.append(Candidate(0, cell.value, cell.written, cell.unit, cell.qualifier,
                               cell.fragment, cell.name[-4:], cell.name,
                               "target" if all_target else cell.role, cell.position, cell.kind))
    return sorted(found, key=lambda c: c.position)


def outcome_figures(original: str, excluded: tuple[str, ...] = ()) -> list[Candidate]:
    """Return a report's outcome figures as ingest finds them (a 目标审批表's all targets)."""
    all_target = bool(TARGET_DOCUMENT.search(normalize(original[:300]).text))
    return find_candidates(original, excluded, all_target)


def project_statements(original: str, year: int) -> list[Found]:
    """Return the project's funds a 项目支出绩效自评表 states (scope project), in text order."""
    return read_self_evaluation(original, year).statements


def known_signatures(earlier: list[pd.DataFrame]) -> dict[tuple, pd.Series]:
    """Return earlier years' indicator rows by (section, unit, words before the value)."""
    signatures: dict[tuple, pd.Series] = {}
    for frame in earlier:
        for _, row in frame.iterrows():
            fragment = normalize(row["source_fragment"]).text
            tokens_ = [m for m in re.finditer(r"\d+(?:\.\d+)?", fragment)
                       if m.group() == row["value_as_written"]]
            if not tokens_:
                continue
            signature = (int(row["section"]), row["unit"],
                         context_before(fragment, tokens_[0].start()))
            signatures.setdefault(signature, row)
    return signatures


def candidate_table(original: str, year: int, earlier: list[pd.DataFrame],
                    excluded: tuple[str, ...] = (), all_target: bool | None = None,
                    ) -> pd.DataFrame:
    """Return the candidate indicator table of a report: unreviewed rows in the schema's columns.

    Keys of earlier years are reused when section, unit and the words before the figure match,
    so the same figure lines up across years; other rows get <section>_<n> keys.
    """
    if all_target is None:
        all_target = bool(TARGET_DOCUMENT.search(normalize(original[:300]).text))
    signatures = known_signatures(earlier)
    used: set[str] = set()
    counters: dict[int, int] = {}
    rows = []
    for item in find_candidates(original, excluded, all_target):
        section_key, _zh, section_en = SECTIONS[item.section]
        counters[item.section] = counters.get(item.section, 0) + 1
        number = counters[item.section]
        match = signatures.get((item.section, item.unit, item.context))
        if match is not None and match["key"] not in used:
            key, name_zh, name_en = match["key"], match["name_zh"], match["name_en"]
        else:
            key = f"{section_key}_{number:02d}"
            name_zh = item.name or item.context or item.fragment[:8]
            name_en = f"Unreviewed: {section_en} figure {number}"
        used.add(key)
        rows.append({
            "year": year, "section": item.section, "section_key": section_key, "key": key,
            "name_zh": name_zh, "name_en": name_en,
            "value": item.value_as_written.replace(",", "") if item.value_as_written[0].isdigit()
            else f"{item.value:g}",
            "value_as_written": item.value_as_written, "unit": item.unit,
            "qualifier": item.qualifier, "role": item.role, "reviewed": "false",
            "source_fragment": item.fragment,
        })
    return pd.DataFrame(rows, columns=INDICATORS.columns)
