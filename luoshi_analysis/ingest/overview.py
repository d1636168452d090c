"""Find every stated amount of a report's overview: line, scope, phase, year, and who stated it.

Prose ("本年收入合计4112.15万元，其中…"), clauses ("收、支总计均为…"), year-on-year clauses
("比上年增加…") and flattened tables ("本年收入合计  27  4,112.15", unit given once) are read.
Only all-funds executed statements of the report's own year fill the budget overview; every
statement goes to the statements table, and statements of one line that disagree are reported.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from decimal import Decimal

import pandas as pd

from luoshi_analysis.core.errors import IngestError
from luoshi_analysis.core.lines import BY_KEY, EXTRA_KEYS, Found, to_wan
from luoshi_analysis.core.schema import BUDGET
from luoshi_analysis.core.statements import choose
from luoshi_analysis.ingest.changes import SCOPE_ALTERNATION, SHARE, YearOnYear
from luoshi_analysis.ingest.frames import OverviewResult, _budget, statements_frame
from luoshi_analysis.ingest.normalize import Normalized
from luoshi_analysis.ingest.sections import (
    Section,
    SectionIndex,
    phase_of,
    scope_of,
    split_sections,
)
from luoshi_analysis.ingest.tables import read_tables
from luoshi_analysis.ingest.township import ADJUSTED, is_township_fiscal, read_township
from luoshi_analysis.ingest.wording import (
    LABELS,
    NUMBER,
    SCOPE_PREFIXES,
    UNIT,
    Label,
    label_before,
)

CONTINUATION = re.compile(
    r"(?:收入|支出)?(?:年初|全年|当年)?(?:调整后?)?(?:预算|决算|执行)数?(?:为|是)?:?")
# ",867.48" (a slip for "1,867.48") is read as written, so a disagreement can show it
AMOUNT = re.compile(rf"(?P<num>(?<![\d,]),\d{{3}}(?:,\d{{3}})*(?:\.\d+)?|{NUMBER})(?P<unit>{UNIT})")
CLAUSE_BREAK = re.compile(r"[,;。!?、]")
YEAR = re.compile(r"(?P<year>(?:19|20)\d\d)年度")
BOTH = re.compile(
    rf"(?P<scope>{SCOPE_ALTERNATION})?(?:收(?:入)?[、,和与及]?支(?:出)?(?:决算|预算)?总(?:计|预算)(?:数)?"
    rf"(?:(?:均|都)?(?:为|是)?:?(?P<num>{NUMBER})(?P<unit>{UNIT})"
    rf"|(?:分别|各)(?:为|是)?(?P<rnum>{NUMBER})(?P<runit>{UNIT})?[、,和与及](?P<enum>{NUMBER})"
    rf"(?P<eunit>{UNIT}))"
    # 收入476.17、支出总计460.06万元: the pair written with the first name cut short
    rf"|收入(?P<inum>{NUMBER})、支(?:出)?总计(?:为|是)?(?P<xnum>{NUMBER})"
    rf"(?P<xunit>{UNIT}))")
SAME_FOR_ALL = re.compile(rf"(?:均|都|皆)(?:为|是)(?P<num>{NUMBER})(?P<unit>{UNIT})")
ANOTHER_CARRYOVER = re.compile(r"另(?:安排|有)(?:上年|年初)结转")
# 收入合计X。其中：本年收入Y…；上年结转收入Z: X is the total, not the year's own revenue
PARTS_WITH_YEAR = re.compile(r"[,;。]?其中:?本年(?:度)?收入")
# (一)收入预算:2025年收入合计X: the first amount of a budget's revenue part is its total
BUDGET_PART = re.compile(r"(?:部门|单位)?(?P<side>收入|支出)预算(?:情况)?")
TOTAL_OF = {"revenue_current_year": ("收入", "revenue_total"),
            "expenditure_current_year": ("支出", "expenditure_total")}
LISTS_PARTS = re.compile(r",?(?:其中|主要是|主要为|包括):?")
# The sources a carry-over is listed by (上年结转收入X，主要是一般公共预算拨款Y…): the carry-over
# of that budget; the other sources (事业收入, 其他收入 …) name no budget and are left out.
CARRYOVER_PARTS = {"revenue_fiscal_general_budget": "general_public_budget",
                   "revenue_fiscal_government_funds": "government_funds",
                   "revenue_fiscal_state_capital": "state_capital",
                   "revenue_fiscal_special_account": "fiscal_special_account"}
REVENUE_WHOLES = ("revenue_total", "revenue_current_year", "revenue_carryover")
NONE_LIST = re.compile(r"(?<![\u4e00-\u9fff])无(?P<names>[^。;,:]+)")


def stated_year(text: Normalized) -> tuple[int, int] | None:
    """Return (year, line) of the first 'YYYY年度' in the text, if any."""
    match = YEAR.search(text.text)
    return (int(match["year"]), text.line_of(match.start())) if match else None


# -- prose -------------------------------------------------------------------------------------

def _clause_start(text: str, position: int, limit: int = 40) -> int:
    start = position
    while start > 0 and position - start < limit and not CLAUSE_BREAK.match(text[start - 1]):
        start -= 1
    return start


class _Reader(YearOnYear):
    """Collect statements from one report text."""

    def __init__(self, text: Normalized, year: int, read_other: bool = False):
        self.text = text
        self.year = year
        parts = split_sections(text.original)
        if read_other:  # the last resort before refusing: read every part
            parts = [replace(p, kind="money") if p.kind == "other" else p for p in parts]
        self.sections = SectionIndex(parts)
        self.found: list[Found] = []
        self.claimed: list[tuple[int, int]] = []
        self.head: tuple | None = None  # the last figure whose own words named scope or phase
        self.listing: tuple[int, str] | None = None  # (sentence, key) of the last revenue whole
        self.sibling: tuple | None = None  # (parent, phase, scope, end) of the last listed part

    def free(self, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.claimed)

    def section(self, norm_position: int) -> Section:
        return self.sections.at(self.text.offsets[norm_position])

    def add(self, key, scope, phase, year, label, number, unit, share, start, end) -> Found:
        # an amount of an earlier year (2019年度收入总计… in the 2020 report) is that year's
        # amount as a later report states it, not this report's own
        item = Found(key, scope, phase, year, label, to_wan(number, unit), number, unit, share,
                     self.text.span(start, end), self.text.line_of(start),
                     self.text.offsets[start],
                     stated_by="later_report" if year < self.year else "this_report")
        self.found.append(item)
        return item

    def statement_year(self, prefix: str) -> int:
        years = re.findall(r"((?:19|20)\d\d)年", prefix)
        if years and abs(int(years[-1]) - self.year) <= 5:
            return int(years[-1])
        return self.year

    # both totals in one clause: 收、支总计均为 … / 各为 …、…
    def both_totals(self) -> None:
        norm = self.text.text
        for m in BOTH.finditer(norm):
            section = self.section(m.start())
            if section.kind == "other":
                continue
            scope = SCOPE_PREFIXES[m["scope"]] if m["scope"] else section.scope
            phase = phase_of(m.group(), section.phase)
            year = self.statement_year(norm[_clause_start(norm, m.start()):m.start()])
            if m["num"]:
                pairs = [("revenue_total", m["num"], m["unit"], "num"),
                         ("expenditure_total", m["num"], m["unit"], "num")]
            elif m["inum"]:
                pairs = [("revenue_total", m["inum"], m["xunit"], "inum"),
                         ("expenditure_total", m["xnum"], m["xunit"], "xnum")]
            else:
                pairs = [("revenue_total", m["rnum"], m["runit"] or m["eunit"], "rnum"),
                         ("expenditure_total", m["enum"], m["eunit"], "enum")]
            first_number = min(m.start(g) for g in ("num", "rnum", "inum") if m[g])
            name = re.sub(r"(?:均|都|各|分别)?(?:为|是)?:?$", "", norm[m.start():first_number])
            labels = [self.text.span(m.start(), m.start() + len(name))] * 2
            if m["inum"]:  # 收入X、支总计Y: each amount has its own (cut) name
                second = re.sub(r"(?:为|是)$", "", norm[m.end("inum") + 1:m.start("xnum")])
                labels[1] = self.text.span(m.end("inum") + 1, m.end("inum") + 1 + len(second))
            for (key, number, unit, _group), label in zip(pairs, labels, strict=True):
                item = self.add(key, scope, phase, year, label, number, unit, None,
                                m.start(), m.end())
                self.yoy_after(item, m.end())
            self.claimed.append(m.span())

    def prose(self) -> None:
        norm = self.text.text
        last_in_sentence: Found | None = None
        last_sentence = -2
        chain_end = 0  # where the last statement (and its clauses) ended
        for m in AMOUNT.finditer(norm):
            if not self.free(m.start(), m.end()):
                continue
            if norm.rfind("。", 0, m.start()) != last_sentence:
                last_in_sentence = None
            section = self.section(m.start())
            if section.kind == "other":
                continue
            start = _clause_start(norm, m.start())
            head = norm[start:m.start()]
            found = label_before(head)
            share = SHARE.match(norm, m.end())
            stop = share.end() if share else m.end()
            if found is None:
                # 年初预算为X万元，支出决算为Y万元: the line named last in the sentence
                if last_in_sentence is not None and head and CONTINUATION.fullmatch(head) \
                        and re.fullmatch(r"[,;、]*", norm[chain_end:start]):
                    prior = last_in_sentence
                    phase = phase_of(head, prior.phase)
                    if phase != prior.phase:
                        item = self.add(prior.key, prior.scope, phase, prior.year, prior.label,
                                        m["num"], m["unit"], share["share"] if share else None,
                                        start, stop)
                        chain_end = max(stop, self.yoy_after(item, m.end()))
                continue
            named = self._named(m, start, found, share, stop)
            if named is None:  # a part of a carry-over that names no budget: left out
                continue
            last_in_sentence = named
            last_sentence = norm.rfind("。", 0, m.start())
            chain_end = max(stop, self.yoy_after(named, m.end()))

    def _named(self, m: re.Match, start: int, found: tuple, share: re.Match | None,
               stop: int) -> Found | None:
        """Add the statement of an amount whose line is named before it (None: left out).

        Its scope and phase are those its own words name, else (after 其中, in the sentence or
        opening the next) those of the figure the 其中 lists the parts of, else its part's: in
        "年初预算支出5381.88万元，其中：基本支出1059.00万元" the 基本支出 is budgeted too.
        """
        norm = self.text.text
        section = self.section(m.start())
        offset, name, label, connector = found
        prefix = norm[start:start + offset]
        own_scope = label.scope or scope_of(prefix, "") or None
        own_phase = label.phase or phase_of(connector, phase_of(prefix, "")) or None
        sentence = norm.rfind("。", 0, m.start())
        key = self._line(label.key, name, m, stop)
        head = self.head if self.head and _lists_parts(norm[self.head[3]:m.start()]) else None
        parent = BY_KEY[key].parent if key in BY_KEY else None
        if head is None and self.sibling and not (own_scope or own_phase) \
                and parent == self.sibling[0] and norm.count("。", self.sibling[3], m.start()) <= 1:
            head = self.sibling  # 其中：基本支出X，…原因…。项目支出Y: the list goes on after a note
        scope = own_scope or (head and head[2]) or section.scope
        phase = own_phase or (head and head[1]) or section.phase
        self.sibling = (parent, *head[1:3], stop) if head and not (own_scope or own_phase) \
            and parent else None
        part_of_carryover = self.listing == (sentence, "revenue_carryover")
        if key in CARRYOVER_PARTS and part_of_carryover:
            key, scope = "revenue_carryover", CARRYOVER_PARTS[key]
        elif BY_KEY.get(key) and BY_KEY[key].parent == "revenue_current_year" \
                and part_of_carryover:
            self.claimed.append((start + offset, stop))
            return None  # 上年结转收入X，主要是…事业收入Y: the carry-over of no budget
        item = self.add(key, scope, phase, self.statement_year(prefix),
                        self.text.span(start + offset, start + offset + len(name)),
                        m["num"], m["unit"], share["share"] if share else None,
                        start + offset, stop)
        self.claimed.append((start + offset, stop))
        if label.key in REVENUE_WHOLES:  # the whole the next parts of the sentence belong to
            self.listing = (sentence, key) if LISTS_PARTS.match(norm, stop) else None
        if own_phase or own_scope:
            self.head = (sentence, own_phase, own_scope, stop)
        return item

    def _line(self, key: str, name: str, m: re.Match, stop: int) -> str:
        """Return the line an amount's name stands for here, where its context decides.

        收入预算X，…另安排上年结转Y: X is the year's income; 收入合计X，其中：本年收入Y… and
        (一)收入预算：2025年收入合计X: X is the total (a budget's 收入合计 holds its carry-over).
        """
        norm = self.text.text
        if name == "收入预算":
            line_end = self.text.original.find("\n", self.text.offsets[m.start()])
            paragraph_end = bisect_left(self.text.offsets, line_end) if line_end >= 0 else len(norm)
            if ANOTHER_CARRYOVER.search(norm, m.end(), paragraph_end):
                return "revenue_current_year"
        side, total = TOTAL_OF.get(key, ("", ""))
        if side and name.endswith(f"{side}合计"):
            section = self.section(m.start())
            part = BUDGET_PART.fullmatch(section.heading)
            first = not any(f.position >= section.start for f in self.found)
            if (side == "收入" and PARTS_WITH_YEAR.match(norm, stop)) \
                    or (part and part["side"] == side and first):
                return total
        return key

    def adjustments(self) -> None:
        """Read <line>由年初预算X万元调整为Y万元: the budget first, the adjusted budget second."""
        norm = self.text.text
        for m in ADJUSTED.finditer(norm):
            section = self.section(m.start())
            start = _clause_start(norm, m.start())
            head = norm[start:m.start()]
            found = label_before(head)
            if (found is None or found[3]) and head.endswith("部门预算"):
                found = (len(head) - 4, "部门预算", Label("expenditure_current_year"), "")
            if section.kind == "other" or found is None or found[3]:
                continue
            offset, name, label, _connector = found
            scope = label.scope or scope_of(head[:offset], section.scope)
            year = self.statement_year(head[:offset])
            named = self.text.span(start + offset, start + offset + len(name))
            self.add(label.key, scope, "budgeted", year, named, m["a"], m["au"], None,
                     start + offset, m.end("au"))
            self.add(label.key, scope, "adjusted", year, named, m["b"], m["bu"], None,
                     start + offset, m.end())
            self.claimed.append((start + offset, m.end()))

    def same_for_all(self) -> None:
        """Read A、B、C均为X万元: each line of the list is stated with the amount."""
        norm = self.text.text
        for m in SAME_FOR_ALL.finditer(norm):
            section = self.section(m.start())
            if section.kind == "other" or not self.free(*m.span()):
                continue
            start = m.start()
            while start > 0 and m.start() - start < 120 and norm[start - 1] not in ",;。:!?":
                start -= 1
            at = start
            for name in norm[start:m.start()].split("、"):
                found = label_before(name)
                if found is not None and not found[3] and found[2].key in BY_KEY | EXTRA_KEYS:
                    offset, line_name, label, _connector = found
                    named = self.text.span(at + offset, at + offset + len(line_name))
                    self.add(label.key, label.scope or scope_of(name[:offset], section.scope),
                             section.phase, self.statement_year(name[:offset]), named, m["num"],
                             m["unit"], None, at + offset, m.end())
                at += len(name) + 1
            self.claimed.append((start, m.end()))

    def none_lists(self) -> None:
        norm = self.text.text
        for m in NONE_LIST.finditer(norm):
            section = self.section(m.start())
            if section.kind == "other":
                continue
            offset = m.start("names")
            for piece in re.finditer(r"[^、和及与]+", m["names"]):
                label = LABELS.get(piece.group())
                if label is None or label.key not in BY_KEY:
                    continue
                a = offset + piece.start()
                self.found.append(Found(
                    label.key, label.scope or section.scope, section.phase, self.year,
                    self.text.span(a, a + len(piece.group())), Decimal(0), "无", "", None,
                    self.text.span(m.start(), m.end()), self.text.line_of(m.start()),
                    self.text.offsets[a]))


def _lists_parts(between: str) -> bool:
    """Return whether words after a figure begin the list of its parts (…万元。其中：…)."""
    return "其中" in between and all(
        between.startswith("其中", i + 1) for i, ch in enumerate(between) if ch == "。")


def find_statements(text: Normalized, year: int, read_other: bool = False) -> list[Found]:
    """Return every statement of an overview line's amount in the text, in text order.

    Parts that are not about the unit's revenue and spending (政府采购, 机关运行经费 …) are
    skipped unless read_other is true.
    """
    reader = _Reader(text, year, read_other)
    reader.both_totals()
    reader.adjustments()
    reader.same_for_all()
    reader.prose()
    reader.both_changes()
    reader.named_changes()
    reader.orphan_changes()
    reader.none_lists()
    units = [f.unit for f in reader.found if f.unit]
    default_unit = max(set(units), key=units.count) if units else "万元"
    reader.found.extend(read_tables(text.original, reader.sections, year, default_unit,
                                    last_resort=read_other))
    return sorted(reader.found, key=lambda f: f.position)


def parse_overview(text: Normalized, year: int) -> OverviewResult:
    """Return the overview of a report text: budget lines, every statement, disagreements.

    Raises:
        IngestError: the text states no overview at all.
    """
    def states_overview(found: list[Found]) -> bool:
        return any(f.stated_by == "this_report" and f.key in BY_KEY for f in found)

    if is_township_fiscal(text.original):
        found = read_township(text, year)
        if not found:
            raise IngestError("no figure of the town's budgets found: the text states none of "
                              "一般公共预算收入, 收入合计, 支出合计 or their parts with an amount")
        units = {f.unit for f in found if f.unit}
        return OverviewResult(pd.DataFrame(columns=BUDGET.columns), statements_frame(found, year),
                              [], units, township=True)
    statements = find_statements(text, year)
    if not states_overview(statements):
        # an overview under a heading taken for another part is still an overview
        statements = find_statements(text, year, read_other=True)
    if not states_overview(statements):
        raise IngestError(
            "no budget overview found: the text states none of 收入总计, 支出总计, 本年收入, "
            "本年支出, 收入预算 or their parts with an amount in 万元, 元 or 亿元")
    chosen, disagreements = choose(statements)
    units = {f.unit for f in statements if f.unit and f.stated_by == "this_report"}
    return OverviewResult(_budget(chosen, year), statements_frame(statements, year),
                          disagreements, units)


