"""Read a town's report on its own budgets (全镇财政收支): the township lines, per budget and phase.

A town publishes, besides its 部门决算 as a unit, reports on the town's budgets: 财政决算,
预算执行情况 (often half-yearly), 预算调整方案 and next year's 预算草案, in prose
("全镇一般公共预算收入4402万元，加上级转移支付收入1884万元…，收入合计为6449万元") or in tables
whose columns are years and phases ("2019年决算数 | 2020年预算调整数 | 2020年执行数 | …").
Their figures are the town's revenue and spending per budget (scope general_public_budget,
government_funds, fiscal_special_account, or all_funds for figures over every budget): they
are kept as statements with township_* keys and never fill a unit's budget overview.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from luoshi_analysis.core.lines import Found, to_wan
from luoshi_analysis.ingest.normalize import Normalized, normalize
from luoshi_analysis.ingest.sections import scope_of

# A title of a town's budget report names no 部门/单位 and no evaluation; its body speaks of
# the whole town's budgets (全镇 …) with words a unit's accounts never use.
NOT_TOWNSHIP_TITLE = re.compile(r"部门|单位|绩效|整体支出|工作报告|工作总结|自评")
TOWNSHIP_TITLE = re.compile(r"财政|预算|决算")
TOWN_WORDS = re.compile(r"全[镇乡]|我[镇乡]|本[镇乡]|[镇乡]级|[镇乡]本级|本级财政")
TOWN_TITLE = re.compile(r"[镇乡].{0,8}(?:预算执行|预算草案|预算调整|财政决算|财政收支)")
TOWN_BUDGET_WORDS = re.compile(
    r"上解|转移支付|税收分成|调入资金|结转下年|财力|一般公共预算总收入|上级补助收入|预算稳定调节基金")

NUMBER = r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
UNIT = r"万元|亿元|元|万(?![\u4e00-\u9fff])"
AMOUNT = re.compile(rf"(?P<num>{NUMBER})(?P<unit>{UNIT})")
# 本级收入 / 本级支出: the budget's own revenue or spending, keyed by the budget it is in
OWN_KEYS = {("own_revenue", "government_funds"): "township_fund_revenue",
            ("own_revenue", None): "township_general_budget_revenue",
            ("own_expenditure", "government_funds"): "township_fund_expenditure",
            ("own_expenditure", None): "township_general_budget_expenditure"}
GENERAL, FUNDS, SPECIAL, ALL = ("general_public_budget", "government_funds",
                                "fiscal_special_account", "all_funds")


def _names(key: str, scope: str | None, *names: str) -> dict[str, tuple[str, str | None]]:
    return {name: (key, scope) for name in names}


LABELS: dict[str, tuple[str, str | None]] = {
    **_names("township_general_budget_revenue", GENERAL, "一般公共预算收入"),
    **_names("township_tax_revenue", None, "税收收入", "税收分成收入"),
    **_names("township_nontax_revenue", None, "非税收入", "镇级非税收入"),
    **_names("township_higher_level_subsidy", None, "上级补助收入", "上级转移支付收入",
             "转移性收入"),
    **_names("township_general_transfer_revenue", None, "一般转移支付收入", "一般性转移支付收入",
             "上级一般性转移支付收入"),
    **_names("township_special_transfer_revenue", None, "专项转移支付收入",
             "上级专项转移支付收入"),
    **_names("township_return_revenue", None, "返还性收入"),
    **_names("township_city_allocation_revenue", None, "市财政拨入部门经费及返拨收入"),
    **_names("township_subsidy_and_nontax_revenue", None, "上级补助收入及镇级非税收入"),
    **_names("township_carryover", None, "上年结转", "上年结余", "上年结转结余", "上年结转收入",
             "以前年度结余(转)", "以前年度结余", "上年结转及结余收入", "上年结转结余收入"),
    **_names("township_funds_transferred_in", None, "调入资金", "基金调入"),
    **_names("township_funds_transferred_in", GENERAL, "调入一般公共预算资金"),
    **_names("township_funds_transferred_in", FUNDS, "政府性基金预算资金"),
    **_names("township_bond_revenue", None, "债务转贷收入"),
    **_names("township_bond_revenue", FUNDS, "新增专项债券转贷收入", "专项债券转贷收入"),
    **_names("township_fund_revenue", FUNDS, "政府性基金收入", "基金预算收入",
             "政府性基金预算收入"),
    **_names("township_special_account_revenue", SPECIAL, "财政专户收入"),
    **_names("township_revenue_total", None, "收入合计", "收入总计", "总收入", "可支配收入", "财力"),
    **_names("township_revenue_total", GENERAL, "一般公共预算总收入", "一般公共预算财力"),
    **_names("township_revenue_total", FUNDS, "政府性基金总收入", "政府性基金收入总计",
             "政府性基金财力", "政府性基金预算总收入"),
    **_names("township_fiscal_revenue_total", ALL, "财政收入"),
    **_names("township_total_collected_revenue", ALL, "税收及非税收入"),
    **_names("township_upper_level_share", GENERAL, "上划中央、市区级收入"),
    **_names("township_general_budget_expenditure", GENERAL, "一般公共预算支出",
             "一般公共预算本级支出"),
    **_names("township_fund_expenditure", FUNDS, "政府性基金支出"),
    **_names("own_revenue", None, "本级收入"),
    **_names("own_expenditure", None, "本级支出"),
    **_names("township_remitted_up", None, "上解上级支出", "专项上解", "上解支出"),
    **_names("township_funds_transferred_out", None, "调出资金"),
    **_names("township_stabilization_fund_set_aside", None, "安排预算稳定调节基金"),
    **_names("township_carried_forward", None, "结转下年", "结转下年支出", "年终结余",
             "年终结转结余", "结转结余", "年终结转"),
    **_names("township_expenditure_total", None, "支出合计", "支出总计", "总支出"),
    **_names("township_expenditure_total", GENERAL, "一般公共预算总支出"),
    **_names("township_expenditure_total", FUNDS, "政府性基金总支出", "政府性基金支出总计",
             "政府性基金预算总支出"),
    **_names("township_expenditure_total", SPECIAL, "财政专户支出"),
    **_names("township_expenditure_total", ALL, "财政支出"),
    **_names("township_balance", None, "月结余"),
}
# Rows of a town's execution table: 本年收入合计 there is the town's own revenue.
TABLE_LABELS = {**LABELS, **_names("township_general_budget_revenue", None, "本年收入合计"),
                **_names("township_general_budget_expenditure", None, "本年支出合计")}
LONGEST = max(map(len, TABLE_LABELS))
CONNECTOR = re.compile(
    r"(?:\([^()]{0,12}\))?(?:完成|实现|达到?|共计|合计)?(?:为|是)?(?:年初|全年|调整后?)?"
    r"(?:预算|决算|执行)?数?(?:为|是)?(?:使用)?:?")
CLAUSE_BREAK = re.compile(r"[,;。:!?]")
ADJUSTED = re.compile(
    rf"由(?:年初预算数?)?(?P<a>{NUMBER})(?P<au>{UNIT})调整为(?P<b>{NUMBER})(?P<bu>{UNIT})")
BASE = re.compile(rf"[,]?(?:为|占)(?P<what>年初预算|调整预算|预算)(?P<num>{NUMBER})(?P<unit>{UNIT})的")
LISTED = re.compile(rf"(?P<names>[^,;。:()]{{2,80}}?)等(?P<num>{NUMBER})(?P<unit>{UNIT})")
HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.]|[（(][一二三四五六七八九十]+[)）]|"
    r"\d+[、.．](?!\d)|表\d+)")
_SCOPE_NAMES = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算")


def is_township_fiscal(original: str) -> bool:
    """Return whether a text is a town's report on its own budgets (not a unit's 部门决算)."""
    head = normalize(" ".join([line for line in original[:800].splitlines() if line.strip()][:3])).text
    if NOT_TOWNSHIP_TITLE.search(head) or not TOWNSHIP_TITLE.search(head):
        return False
    body = normalize(original).text
    town = TOWN_WORDS.search(body) or TOWN_TITLE.search(head)
    return bool(town) and len(set(TOWN_BUDGET_WORDS.findall(body))) >= 2


def _phase_words(words: str) -> str | None:
    words = _SCOPE_NAMES.sub("", words)
    if "调整" in words:
        return "adjusted"
    if re.search(r"决算|执行|完成|实现", words):
        return "executed"
    if re.search(r"预算|草案|安排", words):
        return "budgeted"
    return None


@dataclass
class _Part:
    """Where a part of the text starts (normalised position), its scope, year and phase."""

    start: int
    scope: str | None
    year: int | None
    phase: str | None


def _parts(text: Normalized, year: int) -> list[_Part]:
    """Return the parts of a town's report: headings set the budget, the year and the phase."""
    parts = [_Part(0, None, None, None)]
    offset = 0
    lines = text.original.splitlines(keepends=True)
    positions = {o: i for i, o in enumerate(text.offsets)}
    for line in lines:
        start, offset = offset, offset + len(line)
        stripped = normalize(line).text.rstrip("。")
        if not stripped or len(stripped) > 40 or AMOUNT.search(stripped) or "," in stripped:
            continue
        top = re.match(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.]|表\d+)", stripped)
        if not (HEADING.match(stripped) or stripped.endswith(("情况", "情况表", "草案)", "预算"))):
            continue
        here = next((positions[o] for o in range(start, offset) if o in positions), None)
        if here is None:
            continue
        named = scope_of(stripped, "")
        scope = named or (None if top else parts[-1].scope)
        years = [int(y) for y in re.findall(r"((?:19|20)\d\d)年", stripped)]
        stated = years[-1] if years and abs(years[-1] - year) <= 2 else None
        phase = _phase_words(stripped)
        previous = parts[-1]
        parts.append(_Part(here, scope if scope else None,
                           stated or (None if top else previous.year),
                           phase or (None if top else previous.phase)))
    return parts


class _Reader:
    """Collect a town's statements from one text."""

    def __init__(self, text: Normalized, year: int):
        self.text = text
        self.year = year
        self.parts = _parts(text, year)
        self.found: list[Found] = []
        self.claimed: list[tuple[int, int]] = []
        self.inherited: dict[int, str] = {}  # sentence start -> the scope its head fixed

    def part(self, position: int) -> _Part:
        return next(p for p in reversed(self.parts) if p.start <= position)

    def free(self, start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in self.claimed)

    def label_before(self, head: str) -> tuple[int, str, str, str | None, str] | None:
        """Return (start, name, key, fixed scope, connector) of the name ending head."""
        for end in range(len(head), max(-1, len(head) - 16), -1):
            connector = head[end:]
            if not CONNECTOR.fullmatch(connector):
                continue
            for size in range(min(LONGEST, end), 1, -1):
                name = head[end - size:end]
                if name in LABELS:
                    before = head[:end - size]
                    if before.endswith(("其他", "其它")) or before[-1:] in ("款", "户") \
                            or "从" in before[-5:]:  # 其他…收入, 从政府性基金调入: a part of a line
                        return None
                    key, scope = LABELS[name]
                    return end - size, name, key, scope, connector
        return None

    def add(self, key: str, scope: str, phase: str, year: int, label: tuple[int, int],
            number: str, unit: str, span: tuple[int, int]) -> None:
        text = self.text
        self.found.append(Found(
            key, scope, phase, year, text.span(*label), to_wan(number, unit), number, unit, None,
            text.span(*span), text.line_of(span[0]), text.offsets[span[0]],
            stated_by="later_report" if year < self.year else "this_report"))

    def resolve(self, key: str, scope: str | None, prefix: str, at: int) -> tuple[str, str]:
        """Return the key (本级收入 named by its budget) and the scope of a figure."""
        part = self.part(at)
        sentence = self.text.text.rfind("。", 0, at) + 1
        scope = scope or (scope_of(prefix, "") or None) or self.inherited.get(sentence) \
            or part.scope or GENERAL
        if key.startswith("own_"):
            key = OWN_KEYS[(key, FUNDS if scope == FUNDS else None)]
        return key, scope

    def when(self, prefix: str, connector: str, at: int) -> tuple[int, str]:
        part = self.part(at)
        years = [int(y) for y in re.findall(r"((?:19|20)\d\d)年", prefix)]
        year = years[-1] if years and abs(years[-1] - self.year) <= 2 else (part.year or self.year)
        last = max([m.end() for m in AMOUNT.finditer(prefix)] + [prefix.rfind("、") + 1])
        phase = _phase_words(connector) or _phase_words(prefix[last:][-8:]) or part.phase \
            or "executed"
        return year, phase

    def clause(self, position: int) -> int:
        start = position
        while start > 0 and position - start < 60 and not CLAUSE_BREAK.match(self.text.text[start - 1]):
            start -= 1
        return start

    # 一般公共预算总收入由年初预算X万元调整为Y万元: the budget first, the adjusted budget second
    def adjustments(self) -> None:
        norm = self.text.text
        for m in ADJUSTED.finditer(norm):
            start = self.clause(m.start())
            found = self.label_before(norm[start:m.start()])
            if found is None:
                continue
            offset, name, key, scope, _connector = found
            prefix = norm[start:start + offset]
            key, scope = self.resolve(key, scope, prefix, m.start())
            year, _phase = self.when(prefix, "", m.start())
            label = (start + offset, start + offset + len(name))
            self.add(key, scope, "budgeted", year, label, m["a"], m["au"], (label[0], m.end("au")))
            self.add(key, scope, "adjusted", year, label, m["b"], m["bu"], (label[0], m.end()))
            self.claimed.append((start + offset, m.end()))

    # 加上解上级支出、调出资金、结转下年等0万元 (each is 0) / 加上级补助、上年结转等X万元 (a sum)
    def enumerations(self) -> None:
        norm = self.text.text
        for m in LISTED.finditer(norm):
            names = m["names"].split("、")
            if len(names) < 2 or not self.free(m.start(), m.end()):
                continue
            year, phase = self.when(norm[self.clause(m.start()):m.start()], "", m.start())
            if to_wan(m["num"], m["unit"]) == 0:
                at = m.start("names")
                for name in m["names"].split("、"):
                    bare = _bare(name)
                    key = LABELS.get(bare) if bare else None
                    if key is not None:
                        resolved, scope = self.resolve(key[0], key[1], "", m.start())
                        self.add(resolved, scope, phase, year, (at, at + len(name)), m["num"],
                                 m["unit"], (m.start("names"), m.end()))
                    at += len(name) + 1
            elif any(w in m["names"] for w in ("补助", "结转", "结余", "收入", "调入")):
                _key, scope = self.resolve("township_revenue_other_combined", None, "", m.start())
                self.add("township_revenue_other_combined", scope, phase, year,
                         (m.start("names"), m.end("names") + 1), m["num"], m["unit"],
                         (m.start("names"), m.end()))
            self.claimed.append(m.span())

    def prose(self) -> None:
        norm = self.text.text
        for m in AMOUNT.finditer(norm):
            if not self.free(m.start(), m.end()):
                continue
            start = self.clause(m.start())
            found = self.label_before(norm[start:m.start()])
            if found is None:
                continue
            offset, name, key, scope, connector = found
            prefix = norm[start:start + offset]
            sentence = norm.rfind("。", 0, m.start()) + 1
            key, resolved = self.resolve(key, scope, prefix, m.start())
            if scope is not None and sentence not in self.inherited:
                self.inherited[sentence] = scope  # later figures of the sentence share its budget
            year, phase = self.when(prefix, connector, m.start())
            label = (start + offset, start + offset + len(name))
            self.add(key, resolved, phase, year, label, m["num"], m["unit"], (label[0], m.end()))
            after = norm[m.end():m.end() + 12]
            if after.startswith("不变") and phase == "budgeted":  # unchanged by the adjustment
                self.add(key, resolved, "adjusted", year, label, m["num"], m["unit"],
                         (label[0], m.end() + 2))
            base = BASE.match(norm, m.end())
            if base:  # 实现86.42万元，为年初预算80.00万元的108.0%
                self.add(key, resolved, _phase_words(base["what"]) or "budgeted", year, label,
                         base["num"], base["unit"], (label[0], base.end()))
                self.claimed.append(base.span())
            self.claimed.append((label[0], m.end()))

    def tables(self) -> None:
        """Read pipe rows whose header names a year and a phase per column."""
        columns: dict[int, tuple[int, str]] = {}
        unit = "万元"
        offset = 0
        for number, line in enumerate(self.text.original.splitlines(keepends=True), start=1):
            start, offset = offset, offset + len(line)
            stated = re.search(r"单位[:：]\s*(万元|亿元|元)", line)
            unit = stated[1] if stated else unit
            if line.count("|") < 3:
                continue
            self.claimed.append((self._norm_at(start), self._norm_at(offset)))
            cells = [normalize(c).text for c in line.rstrip("\r\n").split("|")]
            heads = {i: _column(c) for i, c in enumerate(cells)}
            if sum(h is not None for h in heads.values()) >= 2:
                columns = {i: h for i, h in heads.items() if h is not None}
                continue
            name = re.sub(r"^(?:[一二三四五六七八九十]+[、.]|其中[:]?)", "", cells[0])
            if name not in TABLE_LABELS or not columns:
                continue
            key, scope = TABLE_LABELS[name]
            cell_starts = [start + m.start() + 1 for m in re.finditer(r"\|", line)]
            for i, (year, phase) in columns.items():
                value = cells[i] if i < len(cells) else ""
                if not re.fullmatch(NUMBER, value):
                    continue
                resolved, scope_here = self.resolve(key, scope, "", min(
                    self._norm_at(start), len(self.text.offsets) - 1))
                raw_start = cell_starts[i - 1] if i else start
                self.found.append(Found(
                    resolved, scope_here, phase, year, line.split("|")[0].strip(),
                    to_wan(value, unit), value, unit, None,
                    self.text.original[start:raw_start + len(line.split("|")[i])].strip(),
                    number, raw_start, stated_by="later_report" if year < self.year
                    else "this_report"))

    def _norm_at(self, original_offset: int) -> int:
        """Return the first normalised position at or after an original offset."""
        return bisect_left(self.text.offsets, original_offset)


def _bare(name: str) -> str | None:
    """Return a listed name as a line name, without the words joining a list (加, 加上, 由)."""
    for lead in ("", "加", "加上", "由", "减"):
        if name.startswith(lead) and name[len(lead):] in LABELS:
            return name[len(lead):]
    return None


def _column(cell: str) -> tuple[int, str] | None:
    """Return (year, phase) a table column's heading names (2020年预算调整数), or None."""
    m = re.match(r"^((?:19|20)\d\d)年(?:度)?(.*(?:决算|执行|预算|调整).*)$", cell)
    if not m or "%" in cell:
        return None
    return int(m[1]), _phase_words(m[2]) or "executed"


def read_township(text: Normalized, year: int) -> list[Found]:
    """Return every statement of a town's report on its budgets, in text order."""
    reader = _Reader(text, year)
    reader.tables()  # table rows are claimed: not read again as prose
    reader.adjustments()
    reader.enumerations()
    reader.prose()
    return sorted(reader.found, key=lambda f: f.position)
