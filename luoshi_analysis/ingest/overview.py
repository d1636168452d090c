"""Find every stated amount of a report's overview: line, scope, phase, year, and who stated it.

Prose ("本年收入合计4112.15万元，其中…"), clauses ("收、支总计均为…"), year-on-year clauses
("比上年增加…") and flattened tables ("本年收入合计  27  4,112.15", unit given once) are read.
Only all-funds executed statements of the report's own year fill the budget overview; every
statement goes to the statements table, and statements of one line that disagree are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

import pandas as pd

from luoshi_analysis.core.errors import IngestError
from luoshi_analysis.core.lines import BY_KEY, LINES, Found, to_wan
from luoshi_analysis.core.schema import BUDGET, STATEMENTS
from luoshi_analysis.core.statements import Disagreement, choose
from luoshi_analysis.ingest.normalize import Normalized
from luoshi_analysis.ingest.sections import (
    Section,
    SectionIndex,
    phase_of,
    scope_of,
    split_sections,
)
from luoshi_analysis.ingest.tables import read_tables
from luoshi_analysis.ingest.township import is_township_fiscal, read_township
from luoshi_analysis.ingest.wording import LABELS, LONGEST_LABEL, NUMBER, SCOPE_PREFIXES, UNIT, Label

# Bare 收入 / 支出 count only after words naming the unit or the year (本单位收入为…).
BARE = {"收入": "revenue_current_year", "支出": "expenditure_current_year"}
BARE_BEFORE = re.compile(r"(?:^|本?单位|本?部门|整体|本?年度?|全年|本级|[镇乡院校所站局]|中心|\d{4}年度?"
                         r"|实现|取得|累计|完成)$")
# A line name right after these characters belongs to a longer name nobody listed: skip it.
# (决算 and 预算 before a name are phase words: 部门决算收入总计 is 收入总计, executed.)
BLOCKING = set("款金户费购税资补政")
# … and after these words it is the area's economy, not the unit's budget (全镇财政总收入 …).
AREA_WORDS = re.compile(
    r"(?:全[镇乡县区市村]|村|集体|人均|农民|居民|财政|税收|经济|企业|产业|旅游|群众|社会)$")

# Words between a line name and its amount: a note in brackets, phase words, 为/是/共计 …
CONNECTOR = re.compile(
    r"(?:\([^()]{0,16}\))?(?:支出)?:?(?:\d{4}年度?)?(?:的)?(?:年初|全年|当年|本年)?(?:调整后?)?"
    r"(?:预算|决算|执行)?数?(?:资金)?(?:总额|金额)?(?:为|是|共计|共|达到?|计|合计为)?:?(?:人民币)?"
    r"(?:约|近)?")
CONTINUATION = re.compile(
    r"(?:收入|支出)?(?:年初|全年|当年)?(?:调整后?)?(?:预算|决算|执行)数?(?:为|是)?:?")
# ",867.48" (a slip for "1,867.48") is read as written, so a disagreement can show it
AMOUNT = re.compile(rf"(?P<num>(?<![\d,]),\d{{3}}(?:,\d{{3}})*(?:\.\d+)?|{NUMBER})(?P<unit>{UNIT})")
SHARE = re.compile(r"(?:,|、)?\(?占(?:比)?[\u4e00-\u9fff]{0,12}?(?P<share>\d+(?:\.\d+)?)%\)?")
CLAUSE_BREAK = re.compile(r"[,;。!?、]")
YEAR = re.compile(r"(?P<year>(?:19|20)\d\d)年度")
SCOPE_ALTERNATION = "|".join(sorted(map(re.escape, SCOPE_PREFIXES), key=len, reverse=True))
BOTH = re.compile(
    rf"(?P<scope>{SCOPE_ALTERNATION})?(?:收(?:入)?[、,和与及]?支(?:出)?(?:决算|预算)?总计(?:数)?"
    rf"(?:(?:均|都)?(?:为|是)?:?(?P<num>{NUMBER})(?P<unit>{UNIT})"
    rf"|(?:分别|各)(?:为|是)?(?P<rnum>{NUMBER})(?P<runit>{UNIT})?[、,和与及](?P<enum>{NUMBER})"
    rf"(?P<eunit>{UNIT}))"
    # 收入476.17、支出总计460.06万元: the pair written with the first name cut short
    rf"|收入(?P<inum>{NUMBER})、支(?:出)?总计(?:为|是)?(?P<xnum>{NUMBER})"
    rf"(?P<xunit>{UNIT}))")
CHANGE = (rf"(?P<dir>增加|减少|增长|下降|降低|上升|增|减|多|少)了?(?P<chg>{NUMBER})"
          rf"(?P<chgunit>{UNIT})")
COMPARED = (r"(?:同比|(?:比|较|与|同)(?:上年|去年|上年度|上一年度?|(?P<prev>\d{4})年度?)"
            r"(?:决算数?|预算数?|同期)?(?:数)?(?:相比|比较|对比)?),?")
YOY = re.compile(rf",?{COMPARED}(?:{CHANGE}|(?P<same>持平|无变化|无增减|一致))")
BOTH_YOY = re.compile(
    rf",?{COMPARED}(?P<scope>{SCOPE_ALTERNATION})?收(?:入)?[、,和与及]?支(?:出)?总计(?:各|分别|均)?"
    rf"(?P<dir>增加|减少|增长|下降)了?(?P<rchg>{NUMBER})(?P<runit>{UNIT})?(?:[、,和与及]"
    rf"(?P<echg>{NUMBER})(?P<eunit>{UNIT}))?")
# 与上年相比，收入减少X、支出总计减少Y万元: the pair with a direction each, one unit at the end
PAIR_YOY = re.compile(
    rf",?{COMPARED}(?P<scope>{SCOPE_ALTERNATION})?收入(?:总计)?(?P<rdir>增加|减少)了?(?P<rchg>{NUMBER})"
    rf"(?P<runit>{UNIT})?[、,]支(?:出)?总计(?P<edir>增加|减少)了?(?P<echg>{NUMBER})(?P<eunit>{UNIT})")
# 与上年相比，一般公共预算财政拨款支出增加X万元 / 收入较去年增加X万元: the line named again
COMPARED_ANY = (r"(?:同比|(?:比|较|与|同)(?:上年|去年|上年度|上一年度?|\d{4}年度?)"
                r"(?:决算数?|预算数?|同期)?(?:数)?(?:相比|比较|对比)?),?")
NAMED_YOY = re.compile(rf"(?P<before>{COMPARED_ANY})?(?P<name>[\u4e00-\u9fff“”]{{2,24}}?)"
                       rf"(?P<after>{COMPARED_ANY})?{CHANGE}")
# A revenue category named in a change may be the total of its scope (财政拨款收入增加X万元
# after 财政拨款收入X、支出总计Y万元): the latest of these statements is the one meant.
RELATED = {
    "revenue_fiscal_appropriation": [("revenue_total", "fiscal_appropriation"),
                                     ("revenue_current_year", "fiscal_appropriation")],
    "revenue_fiscal_general_budget": [("revenue_total", "general_public_budget"),
                                      ("revenue_current_year", "general_public_budget")],
}
COMPLETION = re.compile(r",?(?:完成|占)[^,;。%]{0,20}?\d+(?:\.\d+)?%")
ORPHAN_YOY = re.compile(rf"(?<=[。;])(?P<compared>{COMPARED_ANY}),?{CHANGE}")
NONE_LIST = re.compile(r"(?<![\u4e00-\u9fff])无(?P<names>[^。;,:]+)")


def _csv_amount(item: Found) -> str:
    """Return the amount in 万元 for the CSV: digits as written, or exactly converted."""
    if item.as_written == "无":
        return "0"
    if item.unit in ("万元", "万") and not item.derivation:
        return item.as_written.replace(",", "")
    digits = max(2, -item.amount.normalize().as_tuple().exponent)
    return f"{item.amount:.{digits}f}"


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


def _label_before(head: str) -> tuple[int, str, Label, str] | None:
    """Return (start, name, label, connector) of the line name ending head, if any."""
    for end in range(len(head), max(-1, len(head) - 24), -1):
        connector = head[end:]
        if not CONNECTOR.fullmatch(connector):
            continue
        for size in range(min(LONGEST_LABEL, end), 1, -1):
            name = head[end - size:end]
            label = LABELS.get(name)
            if label is None and name in BARE and BARE_BEFORE.search(head[:end - size]):
                label = Label(BARE[name])
            if label is None:
                continue
            before = head[end - size - 1:end - size]
            if before in BLOCKING or AREA_WORDS.search(head[:end - size]):
                return None
            return end - size, name, label, connector
    return None


class _Reader:
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

    def both_changes(self) -> None:
        """Read 与上年相比，收、支总计各增加X、Y万元 after the totals were read."""
        norm = self.text.text
        for m in BOTH_YOY.finditer(norm):
            if not self.free(*m.span()):
                continue
            section = self.section(m.start())
            scope = SCOPE_PREFIXES[m["scope"]] if m["scope"] else section.scope
            changes = [("revenue_total", m["rchg"], m["runit"] or m["eunit"]),
                       ("expenditure_total", m["echg"] or m["rchg"], m["eunit"] or m["runit"])]
            for key, change, unit in changes:
                if unit is None:
                    continue
                stated = self._last(key, scope, m.start())
                if stated is not None:
                    self._derive(stated, m, change, unit)
            self.claimed.append(m.span())
        for m in PAIR_YOY.finditer(norm):
            if not self.free(*m.span()):
                continue
            scope = SCOPE_PREFIXES[m["scope"]] if m["scope"] else self.section(m.start()).scope
            for key, side in (("revenue_total", "r"), ("expenditure_total", "e")):
                stated = self._last(key, scope, m.start())
                if stated is not None:
                    self._derive(stated, m, m[f"{side}chg"], m[f"{side}unit"] or m["eunit"],
                                 direction=m[f"{side}dir"])
            self.claimed.append(m.span())

    def named_changes(self) -> None:
        """Read 与上年相比，<line>增加X万元 and <line>较上年减少X万元 (the line named again)."""
        norm = self.text.text
        for m in NAMED_YOY.finditer(norm):
            if not self.free(*m.span()):
                continue
            compared = m["before"] or m["after"]
            if not compared:
                # 与上年相比，收入总计增加X万元，支出总计增加Y万元: one comparison, two lines
                sentence = norm[norm.rfind("。", 0, m.start()) + 1:m.start()]
                earlier = re.search(COMPARED_ANY, sentence)
                if earlier is None:
                    continue
                compared = earlier.group()
            section = self.section(m.start())
            if section.kind == "other":
                continue
            found = _label_before(m["name"])
            if found is None or found[3]:
                continue
            label = found[2]
            name = found[1]
            keys = [label.key]
            if name in BARE:
                keys.append("revenue_total" if name == "收入" else "expenditure_total")
            label = None if name in BARE else label
            scope = (label.scope if label else None) or section.scope
            slots = [(key, scope) for key in keys] + RELATED.get(keys[0], [])
            candidates = [self._last(key, where, m.start()) for key, where in slots]
            candidates = [c for c in candidates if c is not None]
            if not candidates:
                continue
            prev = re.search(r"(\d{4})年", compared)
            self._derive(max(candidates, key=lambda f: f.position), m, m["chg"], m["chgunit"],
                         int(prev[1]) if prev else None)
            self.claimed.append(m.span())

    def orphan_changes(self) -> None:
        """Read 。与上年相比，增加X万元: a change naming no line is about the sentence before."""
        norm = self.text.text
        for m in ORPHAN_YOY.finditer(norm):
            if not self.free(*m.span()) or self.section(m.start()).kind == "other":
                continue
            begin = self.text.offsets[norm.rfind("。", 0, m.start() - 1) + 1]
            before = [f for f in self.found if f.stated_by == "this_report"
                      and begin <= f.position < self.text.offsets[m.start()]]
            if not before:
                continue
            targets = [f for f in before if f.fragment == before[-1].fragment]
            prev = re.search(r"(\d{4})年", m["compared"])
            for stated in targets:
                self._derive(stated, m, m["chg"], m["chgunit"], int(prev[1]) if prev else None)
            self.claimed.append(m.span())

    def _last(self, key: str, scope: str, before: int) -> Found | None:
        position = self.text.offsets[before]
        earlier = [f for f in self.found if f.key == key and f.scope == scope
                   and f.stated_by == "this_report" and f.position < position]
        return earlier[-1] if earlier else None

    def _derive(self, stated: Found, m: re.Match, change: str, unit: str,
                prev_year: int | None = None, direction: str | None = None) -> None:
        direction = direction or m["dir"]
        sign = -1 if direction in ("减少", "下降", "降低", "减", "少") else 1
        delta = to_wan(change, unit)
        previous = stated.amount - sign * delta
        if previous < 0:
            return
        if prev_year is None and m.groupdict().get("prev"):
            prev_year = int(m["prev"])
        year = prev_year or stated.year - 1
        text = self.text
        fragment_start = min(stated.position, text.offsets[m.start()])
        fragment = text.original[fragment_start:text.offsets[m.end() - 1] + 1]
        op = "−" if sign > 0 else "+"
        self.found.append(Found(
            stated.key, stated.scope, stated.phase, year, stated.label, previous,
            f"{direction}{change}", unit, None, fragment.strip(" ,，"),
            text.line_of(m.start()), text.offsets[m.start()], stated_by="later_report",
            derivation=f"{stated.as_written}{stated.unit} {op} {change}{unit} "
                       f"({stated.year} amount {direction} {change}{unit})"))

    def yoy_after(self, item: Found, end: int) -> int:
        """Read a year-on-year clause right after a statement; return where reading stopped."""
        norm = self.text.text
        share = SHARE.match(norm, end)
        if share:
            end = share.end()
        done = COMPLETION.match(norm, end)  # ，完成预算的85.00%，较上年增加…
        m = YOY.match(norm, done.end() if done else end)
        if m is None:
            return end
        if m["same"]:
            year = int(m["prev"]) if m["prev"] else item.year - 1
            self.found.append(Found(
                item.key, item.scope, item.phase, year, item.label, item.amount,
                m["same"], item.unit, None,
                self.text.original[item.position:self.text.offsets[m.end() - 1] + 1],
                self.text.line_of(m.start()), self.text.offsets[m.start()],
                stated_by="later_report",
                derivation=f"{item.as_written}{item.unit}, {m['same']}"))
        else:
            self._derive(item, m, m["chg"], m["chgunit"])
        self.claimed.append((m.start(), m.end()))
        return m.end()

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
            found = _label_before(head)
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
            offset, name, label, connector = found
            prefix = head[:offset]
            scope = label.scope or scope_of(prefix, section.scope)
            phase = label.phase or phase_of(connector, phase_of(prefix, section.phase))
            item = self.add(label.key, scope, phase, self.statement_year(prefix),
                            self.text.span(start + offset, start + offset + len(name)),
                            m["num"], m["unit"], share["share"] if share else None,
                            start + offset, stop)
            self.claimed.append((start + offset, stop))
            last_in_sentence = item
            last_sentence = norm.rfind("。", 0, m.start())
            chain_end = max(stop, self.yoy_after(item, m.end()))

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


# -- the result --------------------------------------------------------------------------------

@dataclass
class OverviewResult:
    """What the overview parser found in a report text.

    Attributes:
        budget: The all-funds executed lines of the report's year in the BUDGET schema's
            columns (budget.csv).
        statements: Every stated amount, whatever its scope, phase or year, in the STATEMENTS
            schema's columns (statements.csv); year-on-year clauses give rows about the year
            before, marked stated_by "later_report".
        disagreements: Statements of one line that disagree with the one kept.
        units: The units the amounts were written in (万元, 元, 亿元).
        township: The text is a town's report on its own budgets (township_* statements only,
            no budget overview).
    """

    budget: pd.DataFrame
    statements: pd.DataFrame
    disagreements: list[Disagreement]
    units: set[str]
    township: bool = False


def find_statements(text: Normalized, year: int, read_other: bool = False) -> list[Found]:
    """Return every statement of an overview line's amount in the text, in text order.

    Parts that are not about the unit's revenue and spending (政府采购, 机关运行经费 …) are
    skipped unless read_other is true.
    """
    reader = _Reader(text, year, read_other)
    reader.both_totals()
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


def _budget(chosen: dict[tuple, Found], year: int) -> pd.DataFrame:
    own = {k[3]: f for k, f in chosen.items() if k[:3] == (year, "all_funds", "executed")
           and k[3] in BY_KEY}
    fiscal_split = "revenue_fiscal_appropriation" in own
    rows = []
    for line in LINES:
        item = own.get(line.key)
        if item is None:
            continue
        parent = line.parent
        if fiscal_split and line.key in ("revenue_fiscal_general_budget",
                                         "revenue_fiscal_government_funds",
                                         "revenue_fiscal_state_capital"):
            parent = "revenue_fiscal_appropriation"
        rows.append({
            "year": year, "line": len(rows) + 1, "key": line.key, "direction": line.direction,
            "level": line.level, "parent_key": parent if parent in own else "",
            "label_zh": item.label, "label_en": line.label_en, "amount": _csv_amount(item),
            "amount_as_written": item.as_written, "stated_share_pct": item.share or "",
            "source_fragment": item.fragment,
        })
    return pd.DataFrame(rows, columns=BUDGET.columns)


def statements_frame(statements: list[Found], year: int) -> pd.DataFrame:
    """Return statements in the STATEMENTS schema's columns, numbered in text order."""
    rows = [{
        "year": item.year, "report_year": year, "statement": n, "scope": item.scope,
        "phase": item.phase, "key": item.key, "label_zh": item.label,
        "amount": _csv_amount(item), "amount_as_written": item.as_written,
        "unit_as_written": item.unit, "stated_share_pct": item.share or "",
        "stated_by": item.stated_by, "derivation": item.derivation,
        "source_fragment": item.fragment, "source_line": item.line,
    } for n, item in enumerate(statements, start=1)]
    return pd.DataFrame(rows, columns=STATEMENTS.columns)


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


