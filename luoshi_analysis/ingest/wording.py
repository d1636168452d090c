"""How reports word a line: scope prefixes, scoped line names, and the label table the parser reads."""

from __future__ import annotations

import re
from dataclasses import dataclass

from luoshi_analysis.core.lines import EXTRA_KEYS, LINES

# Scope words written before a line name; the longest wins ("一般公共预算财政拨款" over "财政拨款").
SCOPE_PREFIXES = {
    "财政拨款": "fiscal_appropriation",
    "一般公共预算财政拨款": "general_public_budget",
    "一般公共预算拨款": "general_public_budget",
    "一般公共预算": "general_public_budget",
    "政府性基金预算财政拨款": "government_funds",
    "政府性基金预算拨款": "government_funds",
    "政府性基金预算": "government_funds",
    "政府性基金": "government_funds",
    "国有资本经营预算财政拨款": "state_capital",
    "国有资本经营预算拨款": "state_capital",
    "国有资本经营预算": "state_capital",
    "财政专户管理资金": "fiscal_special_account",
    "“三公”经费": "three_public_expenses",
    "三公经费": "three_public_expenses",
    "“三公”经费财政拨款": "three_public_expenses",
    "三公经费财政拨款": "three_public_expenses",
}
# Line names that take a scope prefix (财政拨款收入总计, 一般公共预算财政拨款基本支出 …).
SCOPED_BASES = {
    "收入总计": "revenue_total", "收入合计": "revenue_current_year",
    "本年收入": "revenue_current_year", "本年收入合计": "revenue_current_year",
    "支出总计": "expenditure_total", "支出": "expenditure_current_year",
    "支出合计": "expenditure_current_year", "本年支出": "expenditure_current_year",
    "本年支出合计": "expenditure_current_year", "支出决算": "expenditure_current_year",
    "基本支出": "expenditure_basic", "项目支出": "expenditure_project",
    "年初结转和结余": "revenue_carryover", "年初结转结余": "revenue_carryover",
    "上年结转": "revenue_carryover", "年末结转和结余": "expenditure_carryforward",
    "年末结转结余": "expenditure_carryforward", "人员经费": "expenditure_personnel",
    "公用经费": "expenditure_public_funds",
}


@dataclass(frozen=True)
class Label:
    """A line name as reports write it: the line, and a scope or phase the name itself fixes."""

    key: str
    scope: str | None = None  # None: the scope of the part the figure is in
    phase: str | None = None  # None: the phase of the part, or of the words before the figure


def _labels() -> dict[str, Label]:
    labels: dict[str, Label] = {}
    for line in LINES:
        fixed = "all_funds" if line.key.startswith("revenue_fiscal_") else None
        for variant in line.variants:
            labels[variant] = Label(line.key, fixed)
    for key, names in EXTRA_KEYS.items():
        fixed = "three_public_expenses" if key.startswith("public_expenses_") else None
        for name in names:
            labels[name] = Label(key, fixed)
    for prefix, scope in SCOPE_PREFIXES.items():
        for base, key in SCOPED_BASES.items():
            labels.setdefault(prefix + base, Label(key, scope))
        if scope == "three_public_expenses":
            labels[prefix] = Label("expenditure_current_year", scope)
        else:
            labels[prefix + "支出预算"] = Label("expenditure_total", scope, "budgeted")
    for when, key in (("年初", "revenue_carryover"), ("年末", "expenditure_carryforward")):
        for tail in ("结转和结余", "结转结余"):
            labels[f"{when}财政拨款{tail}"] = Label(key, "fiscal_appropriation")
    for name in ("收入预算", "收入预算总计", "收入总预算", "收入预算总数"):
        labels[name] = Label("revenue_total", None, "budgeted")
    for name in ("支出预算", "支出预算总计", "支出总预算", "支出预算总数"):
        labels[name] = Label("expenditure_total", None, "budgeted")
    # a line name before 预算 is that line, budgeted (部门基本支出预算X元 is 基本支出, not 支出预算)
    labels["基本支出预算"] = Label("expenditure_basic", None, "budgeted")
    labels["项目支出预算"] = Label("expenditure_project", None, "budgeted")
    labels["收入总数"] = Label("revenue_total")
    labels["支出总数"] = Label("expenditure_total")
    labels["共收入"] = Label("revenue_total")  # 共收入X，共支出Y，年末结转和结余Z: with the carry-over
    labels["整体支出"] = Label("expenditure_current_year")
    return labels


LABELS = _labels()
LONGEST_LABEL = max(map(len, LABELS))
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
UNIT = r"万元|亿元|元|万(?![\u4e00-\u9fff])"

# Bare 收入 / 支出 count only after words naming the unit or the year (本单位收入为…).
BARE = {"收入": "revenue_current_year", "支出": "expenditure_current_year"}
BARE_BEFORE = re.compile(r"(?:^|本?单位|本?部门|整体|本?年度?|全年|本级|[镇乡院校所站局]|中心|\d{4}年度?"
                         r"|实现|取得|累计|完成|实际|年初预算|预算|决算|共)$")
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

def label_before(head: str) -> tuple[int, str, Label, str] | None:
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
            if AREA_WORDS.search(head[:end - size]):
                return None
            if before in BLOCKING:
                break  # 财政拨款收入预算: not 收入预算, perhaps 财政拨款收入 with 预算 after it
            return end - size, name, label, connector
    return None


