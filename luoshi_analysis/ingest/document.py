"""What a report is and which year it reports on, read from its title and its own framing.

The year comes from the title lines ("2023年度部门决算", "关于长安镇2023年预算执行情况和2024年
预算草案的报告": the year executed, not next year's draft; "2021年政府工作报告" after which
"2020年工作回顾" says which year is reported), else from the text's framing ("本单位2023年度
收入…"); never from a comparison ("较2022年度决算数增加…") nor a date ("公开时间：2025年10月15日").
"""

from __future__ import annotations

import re

from luoshi_analysis.ingest.normalize import Normalized, normalize
from luoshi_analysis.ingest.sections import document_phase

TITLE_LINES = 10
# After a year in a title: what was done that year (决算, 执行, 总结, 回顾, 自评 …) …
DONE = re.compile(r"决算|执行|工作总结|工作回顾|回顾|绩效|自评|评价|调整")
# … or what is planned (预算, 草案, 计划, a work report given in January on the year before).
PLANNED = re.compile(r"预算|草案|计划|政府工作报告")
YEAR_IN_TITLE = re.compile(r"(?<![\d较比与同至])((?:19|20)\d\d)年(?!\d{1,2}月)")
DATE_LINE = re.compile(
    r"公开时间|发布时间|发布日期|时间[:：]|日期[:：]|来源[:：]|(?:19|20)\d\d年\d{1,2}月\d{1,2}日")
FRAMING = re.compile(r"(?<![较比与同至])((?:19|20)\d\d)年度(?!\d)")

KINDS = (  # (kind, words of its title), the first that matches
    ("performance_self_evaluation", re.compile(r"项目支出绩效|绩效目标|专项.*绩效|工作总结|政府工作报告|"
                                               r"项目.*自评|资金.*自评|自评表")),
    ("performance_evaluation", re.compile(r"整体支出绩效|绩效评价|绩效自评|绩效报告")),
    ("budget", re.compile(r"部门预算|单位预算|预算公开|预算情况说明|预算编制说明")),
    ("final_accounts", re.compile(r"决算")),
)


def title_text(original: str, lines: int = 4) -> str:
    """Return the first non-empty lines of a text, normalised and joined (its title)."""
    head = [line for line in original[:2000].splitlines() if line.strip()][:lines]
    return normalize(" ".join(head)).text


def _title_years(original: str) -> list[tuple[int, int, bool]]:
    """Return (year, line, done) for each year the title lines name, in order."""
    found = []
    seen = 0
    for number, line in enumerate(original.splitlines(), start=1):
        if not line.strip():
            continue
        seen += 1
        if seen > TITLE_LINES:
            break
        text = normalize(line).text
        # a title is short and is no sentence: prose ("从预算单位构成看，本部门2024年度决算…")
        # names years too, and a date line names when it was published
        if len(text) > 70 or DATE_LINE.search(text) or re.search(r"[，。；,;]", text):
            continue
        years = list(YEAR_IN_TITLE.finditer(text))
        for i, m in enumerate(years):
            after = text[m.end():years[i + 1].start() if i + 1 < len(years) else len(text)]
            if DONE.search(after) or (after.startswith("度") and not PLANNED.search(after)):
                found.append((int(m[1]), number, True))
            elif PLANNED.search(after) or text.startswith(m[0]) or seen == 1:
                found.append((int(m[1]), number, False))  # the first line is the title
    return found


def report_year(text: Normalized) -> tuple[int, int] | None:
    """Return (year, line) of the year a report is about, or None when the text does not say.

    A year the title says was done (决算, 执行情况, 工作总结, 工作回顾, 绩效自评, 年度) wins over
    one it plans (预算, 草案, 工作计划); a 政府工作报告 is about the year it looks back on.
    """
    titled = _title_years(text.original)
    done = [t for t in titled if t[2]]
    if done:
        return done[0][0], done[0][1]
    if titled:
        return titled[0][0], titled[0][1]
    for m in FRAMING.finditer(text.text):
        if not re.match(r"\d{1,2}月", text.text[m.end():m.end() + 3]):
            return int(m[1]), text.line_of(m.start())
    return None


def report_kind(original: str, township: bool, has_overview: bool) -> str:
    """Return what a document is (a key of core.provenance.REPORT_KINDS).

    A town's report on its budgets is township_fiscal; otherwise the title decides (项目支出绩效
    自评, 绩效目标, 工作总结 → performance_self_evaluation; 整体支出绩效 → performance_evaluation;
    部门预算 → budget; 决算 → final_accounts); a text whose title says none of these is a budget
    when its parts are budgeted (see sections.document_phase), else a final account when it
    states an overview, a self-evaluation of outcomes when it does not.
    """
    if township:
        return "township_fiscal"
    title = title_text(original)
    for kind, words in KINDS:
        if words.search(title):
            return kind
    if has_overview and document_phase(original) == "budgeted":
        return "budget"  # "…(本级)2025年情况说明" whose parts are 收入预算 and 支出预算
    return "final_accounts" if has_overview else "performance_self_evaluation"
