"""Split a report text into the parts of the national templates, each with its scope and phase.

部门决算, 部门预算 and 部门整体支出绩效评价 reports are written on national templates whose parts
(收入支出决算总体情况, 财政拨款收入支出决算总体情况, 一般公共预算财政拨款支出决算情况, …) say
whose money the figures below count (scope) and whether they were spent or budgeted (phase).
A part starts at a heading line; a figure takes its part's scope and phase unless its own
words say otherwise.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from luoshi_analysis.ingest.normalize import normalize

# Numbering before a heading: 一、 (一) （一） 1、 1. 1． (1) 第一部分 表1 附表1 …
NUMBERING = re.compile(
    r"^[ \t\u3000]*(?:第[一二三四五六七八九十]+部分[:：]?|(?:附)?表\s*\d+(?:-\d+)?[:：、.]?|"
    r"[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+(?:\.\d+)*[、.．]?(?!\d))?"
    r"[ \t\u3000]*")

# Scope words of a heading, most specific first.
SCOPE_WORDS = (
    ("三公", "three_public_expenses"),
    ("国有资本经营", "state_capital"),
    ("政府性基金", "government_funds"),
    ("财政专户", "fiscal_special_account"),
    ("一般公共预算", "general_public_budget"),
    ("财政拨款", "fiscal_appropriation"),
)
# Parts whose figures are not the unit's own revenue and spending: their amounts are skipped.
OTHER_PARTS = ("机关运行经费", "政府采购", "国有资产", "名词解释", "专业名词", "资产占用",
               "一般性支出", "政府购买服务", "绩效目标", "项目支出绩效", "会议费", "培训费")
# Words that make a short line a heading of a money part.
MONEY_PARTS = ("收入支出", "收支", "收入决算", "支出决算", "收入情况", "支出情况", "收入预算",
               "支出预算", "部门预算", "整体支出概况", "支出概况", "总体情况", "决算总表", "决算表",
               "预算表", "总表", "收入表", "支出表", "三公", "财政拨款", "预算执行", "收入", "支出",
               "经费", "决算", "预算", "概况")
# Words that keep a heading a money part even when it also names an other part.
OVERVIEW_WORDS = ("概况", "收支", "收入", "决算情况", "总体情况")
# Names that hold 预算 without naming a phase: the budget kinds, and 预算绩效/管理/单位 …
_SCOPE_NAMES = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算|预算(?:绩效|管理|单位|编制)")
_AMOUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|元|亿元)")
EARLIER_FINAL = re.compile(r"((?:19|20)\d\d)年度?决算")
# A paragraph led by its part's name, "（一）收入预算：2025年收入合计…": a part of one paragraph.
LEAD = re.compile(r"^[ \t\u3000]*(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．])?"
                  r"[ \t\u3000]*(?P<name>(?:部门|单位)?(?:收入|支出)预算(?:情况)?)[ \t\u3000]*[:：]"
                  r"(?=.*\d)")
TABLE_TITLE = re.compile(r"(?:总表|决算表|预算表|收入表|支出表|情况表)$")


@dataclass(frozen=True)
class Section:
    """A part of the report: where it starts (original offsets), its heading, scope and phase."""

    start: int
    end: int
    heading: str
    kind: str  # "money", "table" (a 收入支出决算总表 and the like) or "other"
    scope: str
    phase: str


def phase_of(words: str, default: str) -> str:
    """Return the phase named by words (a heading or the words before a figure), or default."""
    words = _SCOPE_NAMES.sub("", words)
    if "调整预算" in words or "调整后预算" in words or "全年预算数" in words:
        return "adjusted"  # 年初预算数 | 全年预算数 | 全年执行数: the year's budget as adjusted
    if "决算" in words or "执行" in words:
        return "executed"
    if "预算" in words:
        return "budgeted"
    return default


def scope_of(words: str, default: str = "all_funds") -> str:
    """Return the scope named by words, or default."""
    return next((scope for word, scope in SCOPE_WORDS if word in words), default)


def document_phase(original: str) -> str:
    """Return the phase of the document as a whole: a 部门预算 is budgeted, the rest executed.

    The title decides (its first two lines); a text without a telling title is a 部门预算 when
    it never says 决算 and speaks of 部门预算, 收入预算 or 支出预算.
    """
    lines = [line for line in original[:600].splitlines() if line.strip()][:2]
    head = _SCOPE_NAMES.sub("", normalize(" ".join(lines)).text)
    if re.search(r"决算|绩效|评价|自评", head):
        return "executed"
    if "预算" in head:
        return "budgeted"
    text = _SCOPE_NAMES.sub("", normalize(original).text)
    titled = [int(year) for year in re.findall(r"((?:19|20)\d\d)年", head)]
    if titled:  # a 2025 budget's "本部门2024年度决算编制所含的单位": last year's 决算, not this text
        text = EARLIER_FINAL.sub(lambda m: "" if int(m[1]) < max(titled) else m[0], text)
    if "决算" not in text and re.search(r"部门预算|收入预算|支出预算|预算情况", text):
        return "budgeted"
    return "executed"


# A heading ends with one of these (after its numbering and a contents line's page number).
HEADING_ENDS = ("情况", "说明", "概况", "表", "预算", "决算", "分析", "解释", "目标", "经费",
                "报告", "总体", "结论")


def _heading(line: str) -> str | None:
    """Return the heading text of a line, or None when the line is not a heading."""
    stripped = line.strip().rstrip("。")
    if not stripped or len(stripped) > 48 or "。" in stripped or "\t" in stripped \
            or _AMOUNT.search(stripped):
        return None
    text = NUMBERING.sub("", stripped, count=1).strip()
    text = re.sub(r"\s*PAGEREF.*$|[\s.…·]*\d+$", "", text)  # a contents line's page number
    text = re.sub(r"\((?:金额)?单位[^()]*\)$", "", normalize(text).text).rstrip("：:。.")
    if not text or re.search(r"\d(?![\d.,]*年)", text) or re.search(r"[,;，；]", text):
        return None  # a number or a comma: a line of prose (or of a broken paragraph)
    if not text.endswith(HEADING_ENDS):
        return None
    if any(word in text for word in OTHER_PARTS + MONEY_PARTS):
        return text
    return None


def split_sections(original: str) -> list[Section]:
    """Return the parts of a report in order; text before the first heading is one part too."""
    default_phase = document_phase(original)
    starts: list[tuple[int, str, str]] = [(0, "", "")]  # (offset, heading, lead)
    offset = 0
    for line in original.splitlines(keepends=True):
        heading = _heading(line)
        led = LEAD.match(line) if heading is None else None
        if heading is not None:
            starts.append((offset, heading, ""))
        elif led is not None:  # the paragraph is the part; the part around it goes on after
            starts.append((offset, starts[-1][1], led["name"]))
            starts.append((offset + len(line), starts[-2][1], ""))
        offset += len(line)
    sections = []
    for i, (start, heading, lead) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(original)
        if any(word in heading for word in OTHER_PARTS) and "三公" not in heading \
                and not any(word in heading for word in OVERVIEW_WORDS):
            kind = "other"
        elif TABLE_TITLE.search(heading):
            kind = "table"
        else:
            kind = "money"
        phase = phase_of(heading, default_phase)
        sections.append(Section(start, end, lead or heading, kind, scope_of(heading),
                                phase_of(lead, phase) if lead else phase))
    return sections


class SectionIndex:
    """Find the part holding an original offset."""

    def __init__(self, sections: list[Section]):
        """Index sections (in order, as split_sections returns them)."""
        self.sections = sections
        self._starts = [s.start for s in sections]

    def at(self, offset: int) -> Section:
        """Return the part that holds original offset."""
        return self.sections[max(0, bisect_right(self._starts, offset) - 1)]
