"""Find a report's title and issuing unit (单位名称, or the unit its title names) in its text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# What a report is, as its title says it; the unit's name stands before this.
DOCUMENT_KIND = re.compile(
    r"(?:部门|单位)?(?:整体)?(?:支出)?(?:绩效(?:自评|评价|自评价)?)|(?:部门|单位)?(?:决算|预算)"
    r"|财务报告|政府工作报告|工作报告|工作总结|工作计划|自评表|审批表|(?:公开)?情况说明|公开说明")
TITLE_WORD = re.compile(r"报告|决算|预算|情况说明|公开说明")
STATED_UNIT = re.compile(
    r"(?:单位名称|编制单位|填报单位|(?<!二级)(?<!下属)(?<!所属)预算单位|部门名称"
    r"|(?<![\u4e00-\u9fff])部门)[:：]\s*(?:\d+-)?"
    r"(?P<name>[^\s,，。;；:：、()（）|]{2,40})")
# The unit that carried out a project (实施单位), named before the department over it (主管部门).
CARRIED_OUT_BY = re.compile(r"实施单位[\s|:：]+(?:\d+-)?(?P<name>[^\s,，。;；:：、()（）|]{2,40})")
# A unit as a signature or a subject: its name ends with what a unit is.
UNIT_NAME = re.compile(r"[\u4e00-\u9fff]{2,30}?(?:人民政府|街道办事处|办事处|卫生院|医院|中心|学校|中学|小学|"
                       r"幼儿园|局|委员会|研究所|管理所|服务站)")
NOT_A_UNIT_NAME = re.compile(r"资金|项目|工程|专项|计划|扶贫")
NAVIGATION = re.compile(r"[>›»|/:：]|首页|当前位置|您的位置")  # a site's breadcrumbs, not a title
YEAR = re.compile(r"(?:19|20)\d\d\s*年度?")
# 省 / 市 (or 州, 盟) / 区 or 县 before the unit's own name; the unit may itself hold 市 (罗市镇).
ADMIN = re.compile(
    r"^(?P<province>[^省市区县镇乡]{2,7}?(?:省|自治区))?"
    r"(?P<city>[^省市区县镇乡]{2,9}?(?:市|自治州|州|盟))?"
    r"(?P<district>[^省市区县镇乡]{2,9}?(?:区|县|旗|市))?"
    r"(?P<unit>.+)$")
NOT_A_UNIT = re.compile(r"收入|支出|拨款|结转|总表|项目|经费")  # a table's title names no unit
MAX_TITLE = 80
TITLE_HEAD = re.compile(r"[\u4e00-\u9fff\d\s（）()]{2,60}")  # a first title line: the year and unit


@dataclass(frozen=True)
class Issuer:
    """The unit a report comes from, with the district and city its title names."""

    title: str
    issuer: str
    district: str
    city: str


def _split_admin(name: str) -> tuple[str, str, str]:
    """Return (unit, district, city) of a name such as 邵阳市大祥区罗市镇人民政府."""
    match = ADMIN.match(name)
    if not match or len(match["unit"]) < 2:
        return name, "", ""
    return match["unit"], match["district"] or "", match["city"] or ""


def _title_unit(title: str) -> str:
    """Return the unit a title names: the words before the document kind, without the year."""
    without_year = YEAR.sub("", title.removeprefix("关于")).strip()
    kind = DOCUMENT_KIND.search(without_year)
    unit = without_year[:kind.start()] if kind else ""
    unit = re.sub(r"[\s\u3000\u00a0]+", "", unit).rstrip("的")
    fund = NOT_A_UNIT_NAME.search(unit)
    if fund:  # 昭溪镇财政专项扶贫资金, 仰天洼社区…配套项目: a fund or a project, not a unit
        unit = re.sub(r"(?:财政|[\u4e00-\u9fff]{0,3}社区)?$", "", unit[:fund.start()])
        unit = unit if re.search(r"[镇乡县区市]$|街道$", unit) else ""
    if not re.fullmatch(r"[\u4e00-\u9fff（）()]{2,40}", unit) or NOT_A_UNIT.search(unit):
        return ""
    return unit


def find_title(text: str) -> str:
    """Return the report's title: the first short line naming a year and a report, 决算 or 预算.

    A title broken over two lines (year and unit, then 部门整体支出绩效评价报告) is joined; a
    site's menu (财政预决算) names no year and is passed over.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()][:40]
    for i, line in enumerate(lines):
        if len(line) > MAX_TITLE or not TITLE_WORD.search(line) or NAVIGATION.search(line):
            continue
        if i and not _title_unit(line) and TITLE_HEAD.fullmatch(lines[i - 1]):
            line = lines[i - 1] + line
        if YEAR.search(line):
            return line
    return lines[0][:MAX_TITLE] if lines else ""


def _signature(text: str) -> str:
    """Return the unit a text is signed by (its last lines, before a date), or ""."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][-4:]
    for line in reversed(lines):
        if re.fullmatch(r"(?:19|20)\d\d年\d{1,2}月\d{1,2}日", line):
            continue
        m = UNIT_NAME.fullmatch(line)
        return m.group() if m and not NOT_A_UNIT_NAME.search(line) else ""
    return ""


def _named_in_text(unit: str, text: str) -> str:
    """Return the unit's full name as the text writes it (星沙街道 → 星沙街道办事处), or unit."""
    m = re.search(re.escape(unit) + r"(?:人民政府|街道办事处|办事处)", text[:20000])
    return m.group() if m else unit


def find_issuer(text: str) -> Issuer:
    """Return the report's title and issuer; issuer is "" where the report names none.

    The issuer is the unit that carried the project out (实施单位) where a table names one,
    else the stated 单位名称 (编制单位, 预算单位, 部门), else the unit the text is signed by,
    else the unit of the title (never a fund or a project: 昭溪镇财政专项扶贫资金 names 昭溪镇),
    written in full as the text writes it; district and city come from whichever name holds them.
    """
    title = find_title(text)
    from_title = _title_unit(title)
    head = text[:20000]
    stated = CARRIED_OUT_BY.search(head) or STATED_UNIT.search(head)
    name = stated["name"] if stated else _signature(text)
    if name and not UNIT_NAME.fullmatch(name):
        name = _named_in_text(name, text)  # 实施单位 云雾土家族乡: 云雾土家族乡人民政府
    unit, district, city = _split_admin(from_title) if from_title else ("", "", "")
    if name:
        stated_unit, stated_district, stated_city = _split_admin(name)
        unit = stated_unit
        district, city = stated_district or district, stated_city or city
    elif unit:
        unit = _named_in_text(unit, text)
    return Issuer(title=title, issuer=unit, district=district, city=city)


def _core(name: str) -> str:
    """Return a unit's name without the word its writers add or leave out (人民 of 人民政府)."""
    return re.sub(r"\s+|人民(?=政府)", "", name)


def same_unit(a: str, b: str) -> bool:
    """Return whether two names are one unit: equal, or one is the other with a place before it.

    罗市镇政府 is 罗市镇人民政府, and so is 大祥区罗市镇人民政府; 罗市镇卫生院 is not.
    """
    a, b = _core(a), _core(b)
    return bool(a and b) and (a.endswith(b) or b.endswith(a))
