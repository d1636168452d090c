"""Bilingual text for charts and notebooks: titles, axis labels and formatted figures."""

from __future__ import annotations

import math

from luoshi_analysis.errors import ParameterError

LANGS = ("zh", "en")

TEXT = {
    "revenue_title": ("{year}年收入结构（万元）", "Where the money came from, {year} (10k yuan)"),
    "revenue_sources": ("资金来源", "Funds available"),
    "revenue_categories": ("本年收入分类", "Revenue this year by category"),
    "zero_note": ("报告注明为“无”（0）：{labels}", "Stated as none (0) in the report: {labels}"),
    "spending_title": ("{year}年支出结构（万元）", "How the money was used, {year} (10k yuan)"),
    "sources_uses_title": (
        "{year}年资金来源与运用（万元）", "Sources and uses of funds, {year} (10k yuan)"),
    "sources": ("来源", "Sources"),
    "uses": ("运用", "Uses"),
    "amount_axis": ("金额（万元）", "Amount (10k yuan)"),
    "computed": ("计算占比", "computed share"),
    "stated": ("报告所述", "stated"),
    "share_axis": ("占比（%）", "Share (%)"),
    "ratios_title": ("{year}年部门整体支出共性指标（%）", "Spending ratios, {year} (%)"),
    "section_title": ("（{section}）{name}", "({section}) {name}"),
    "qualifier_note": (
        "斜线柱：报告带限定词（余、近、共达、以上）的数字", "Hatched bars: figures the report "
        "qualifies (more than, nearly, cumulative, at least)"),
    "headline_title": ("{year}年主要成效", "Headline outcomes, {year}"),
    "yoy_title": ("{a}—{b}年变化", "Change {a}–{b}"),
    "change_axis": ("变化（%）", "Change (%)"),
    "change_note": ("图中为变化最大的{shown}项（共{moved}项有变化，{same}项不变）；全部见下表。",
                    "The {shown} largest of {moved} changes ({same} unchanged); the table below "
                    "has all."),
    "no_previous": ("数据中没有{year}年之前的年度，无法比较。",
                    "The data holds no year before {year}; there is nothing to compare."),
}

COLUMN_TEXT = {
    "label": ("项目", "Line"),
    "name": ("指标", "Indicator"),
    "amount": ("金额（万元）", "Amount (10k yuan)"),
    "share_of_parent_pct": ("计算占比（%）", "Computed share (%)"),
    "share_of_total_pct": ("占总计（%）", "Share of total (%)"),
    "stated_share_pct": ("报告所述占比（%）", "Stated share (%)"),
    "share_difference_pct": ("差异（百分点）", "Difference (pp)"),
    "value_pct": ("数值（%）", "Value (%)"),
    "formula": ("口径", "Definition"),
    "why_not": ("无法计算的原因", "Why it cannot be computed"),
    "figure": ("数值", "Figure"),
    "source_fragment": ("报告原文", "Report text"),
    "description": ("检查", "Check"),
    "expected": ("应为", "Expected"),
    "found": ("报告数", "Found"),
    "difference": ("差异", "Difference"),
    "tolerance": ("容差", "Tolerance"),
    "ok": ("通过", "OK"),
    "section": ("部分", "Section"),
    "amount_previous": ("上年金额（万元）", "Previous year (10k yuan)"),
    "amount_current": ("本年金额（万元）", "This year (10k yuan)"),
    "share_previous_pct": ("上年占比（%）", "Previous share (%)"),
    "share_current_pct": ("本年占比（%）", "This share (%)"),
    "change": ("变化", "Change"),
    "change_pct": ("变化（%）", "Change (%)"),
    "value_previous": ("上年", "Previous year"),
    "value_current": ("本年", "This year"),
    "unit": ("单位", "Unit"),
}

UNIT_EN = {
    "户": ("households", 1), "人": ("persons", 1), "人次": ("person-times", 1),
    "名": ("persons", 1), "台次": ("vehicle-times", 1), "次": ("times", 1), "起": ("cases", 1),
    "处": ("sites", 1), "块": ("boards", 1), "份": ("copies", 1), "万份": ("copies", 10_000),
    "口": ("ponds", 1), "条": ("", 1), "支": ("teams", 1), "栋": ("buildings", 1),
    "个": ("", 1), "家": ("", 1), "头": ("head", 1), "岁": ("years", 1), "名次": ("rank", 1),
    "米": ("m", 1), "公里": ("km", 1), "亩": ("mu", 1), "万亩": ("mu", 10_000),
    "万平方米": ("m²", 10_000), "元": ("yuan", 1), "万元": ("yuan", 10_000),
    "亿元": ("yuan", 100_000_000), "%": ("%", 1), "‰": ("‰", 1),
}


def check_lang(lang: object) -> str:
    """Return lang if it is allowed, else raise a ParameterError saying what is."""
    if lang not in LANGS:
        raise ParameterError(f"lang {lang!r} is not allowed; use one of: {', '.join(LANGS)}")
    return str(lang)


def text(key: str, lang: str, **values: object) -> str:
    """Return a UI text in a language, filled with values."""
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def localized_columns(frame, lang: str):
    """Return frame keeping the lang variant of bilingual columns, headed in that language.

    A column "label_zh" becomes "label" in zh (and is dropped in en); known column names
    are then replaced by their heading in lang.
    """
    other = "en" if lang == "zh" else "zh"
    kept = frame[[c for c in frame.columns if not c.endswith(f"_{other}")]]
    kept = kept.rename(columns=lambda c: c.removesuffix(f"_{lang}"))
    index = 0 if lang == "zh" else 1
    return kept.rename(columns={k: v[index] for k, v in COLUMN_TEXT.items()})


def unit_label(unit: str, lang: str) -> str:
    """Return an axis label for a unit: as written in zh, in words in en (×10,000 mu)."""
    if lang == "zh":
        return unit
    name, factor = UNIT_EN.get(unit, (unit, 1))
    scale = {1: "", 10_000: "×10,000 ", 100_000_000: "×100 million "}[factor]
    return f"{scale}{name}".strip() or "count"


def _number(value: float) -> str:
    if math.isclose(value, round(value)):
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_figure(
    value: float, unit: str, qualifier: str, lang: str, written: str = "", fragment: str = ""
) -> str:
    """Return a figure as a reader sees it, with its qualifier: 近3万亩, over 20,000 mu.

    Args:
        value: The figure.
        unit: Its unit as written (万亩, 人, %…).
        qualifier: exact, more_than, nearly, cumulative_total, at_least or rank.
        lang: "zh" or "en".
        written: The figure as written in the report (kept verbatim in Chinese).
        fragment: The source fragment; where it holds the figure with its qualifier, that
            wording is used (200余万元 and 34万余元 are both in use).
    """
    if lang == "zh":
        number = written or _number(value)
        if qualifier == "rank":
            return f"第{number}"
        if qualifier == "more_than":
            head, tail = (unit[0], unit[1:]) if unit[:1] in ("万", "亿") else ("", unit)
            before_unit = f"{number}余{unit}"
            return before_unit if before_unit in fragment else f"{number}{head}余{tail}"
        if qualifier == "nearly":
            return f"近{number}{unit}"
        if qualifier == "cumulative_total":
            return f"共达{number}{unit}"
        if qualifier == "at_least":
            return f"{number}{unit}以上"
        return f"{number}{unit}"
    name, factor = UNIT_EN.get(unit, (unit, 1))
    amount = _number(value * factor)
    shown = f"{amount}{name}" if name in ("%", "‰") else f"{amount} {name}".strip()
    if qualifier == "rank":
        return f"No. {amount}"
    prefix = {"more_than": "over ", "nearly": "nearly ", "at_least": "at least "}.get(qualifier, "")
    suffix = " in total" if qualifier == "cumulative_total" else ""
    return f"{prefix}{shown}{suffix}"
