"""Bilingual text for charts, tables and notebooks: titles, labels, prose and formatted numbers."""

from __future__ import annotations

import math
import re

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
    "no_previous_report": (
        "数据中没有{year}年之前的报告；以后年度报告的同比表述给出的往年金额见下。",
        "The data holds no report of a year before {year}; the earlier amounts that later "
        "reports' year-on-year clauses state are shown below."),
    "years_title": ("{first}—{last}年各项金额（万元）", "Amounts by year, {first}–{last} (10k yuan)"),
    "years_hatch_note": (
        "斜线柱：以后年度报告的同比表述推算的金额（该年没有本年报告所述的金额）",
        "Hatched bars: amounts derived from a later report's year-on-year clause (no amount "
        "of the year's own report)"),
    "own_report": ("{year}年报告", "{year} report"),
    "clause_short": ("以后报告同比表述", "later report's clause"),
    "from_later_report": ("{year}年报告的同比表述", "the {year} report's year-on-year clause"),
    "statements_agree": (
        "报告中关于{year}年的各处陈述彼此一致（包括以后年度报告同比表述推算的金额），没有相互矛盾的金额。",
        "The statements about {year} agree with one another (including amounts derived from "
        "later reports' year-on-year clauses): no two amounts contradict each other."),
    "statements_disagree": (
        "{count}处陈述相互不符。概况表采用“采用金额”，另一处照原文列出，不作更正。",
        "Statements disagree in {count} place(s). The overview uses the kept amount; the "
        "other is shown as stated, not corrected."),
    "violation_where": ("{year}年报告第{line}行", "{year} report, line {line}"),
    "back_to_index": ("← 全部报告", "← All reports"),
    "report_title": ("{issuer}{year}年部门整体支出绩效评价报告 · {name}",
                     "{issuer}: {year} performance evaluation report · {name}"),
    "figures_scratch": (
        "本次交互运行的图表保存在 `{folder}`（发布的图表不受影响；要覆盖发布的图表，请把参数 "
        "`output_dir` 设为 `{published}`）。",
        "Figures of this interactive run are saved in `{folder}` (the published figures are "
        "left alone; to replace them, set the parameter `output_dir` to `{published}`)."),
}

NOTEBOOK_TITLES = {
    "revenue_structure": ("收入结构", "Revenue structure"),
    "spending_mix": ("支出结构", "Spending mix"),
    "outcome_indicators": ("绩效成效指标", "Outcome indicators"),
}

# Notebook prose, one entry per markdown block: a code cell calls ctx.prose(key) and the
# chosen language alone is shown. {issuer} is the unit named by the year's source record.
PROSE = {
    "revenue_structure": {
        "intro": (
            "本笔记本展示{issuer}一个年度的**收入结构**：资金从哪里来。数字全部取自该年度"
            "《部门整体支出绩效评价报告》的“部门整体支出概况”一段，单位为万元（人民币），"
            "属决算（已执行）数。",
            "This notebook shows the **revenue structure** of the {issuer} for one year: where "
            "the money came from. Every figure comes from the overview paragraph "
            "(部门整体支出概况) of that year's performance-evaluation report, in 10,000 yuan "
            "(万元), as executed (final accounts)."),
        "sources": (
            "## 资金来源\n\n上图比较**年初结转和结余**（以前年度留下的资金）与**本年收入合计**，"
            "二者之和为收入总计；下图按类别列出本年收入。报告注明为“无”的类别记为 0，列在图下注释中。"
            "“计算占比”由金额算出，“报告所述”是报告原文写明的占比，二者并列，不互相覆盖。\n\n"
            "**此图不能说明**：各类收入的具体来源单位、预算数与决算数的差异、年内到账时间。",
            "## Sources of funds\n\nThe top panel compares the **carry-over** from earlier years "
            "with **this year's revenue**; together they make total revenue. The lower panel "
            "splits this year's revenue by category. Categories the report states as none (无) "
            "are zero and listed in the note below the chart. Computed shares stand beside the "
            "shares the report states; neither replaces the other.\n\n**What it cannot show**: "
            "which bodies paid each category, the budget versus the outturn, or when in the "
            "year money arrived."),
        "shares": ("### 计算占比与报告所述占比", "### Computed and stated shares"),
        "previous": (
            "## 与上年比较\n\n数据中有上一年度时，逐项比较两年的金额与占比（占比以各自的总计为分母）。"
            "只比较两年都列出的项目；口径变化（如科目合并）不会自动识别。",
            "## Compared with the year before\n\nWhen the data holds the previous year, each "
            "line's amount and share (of that year's total) side by side. Only lines both years "
            "state are compared; a change of definition (merged categories, say) is not "
            "detected."),
        "over_years": (
            "### 各年度报告所述金额\n\n全部资金口径的决算数，按年度并列。以后年度报告的同比表述"
            "（如“比上年增加”）也是对往年的陈述：该年没有自己的报告时，金额由此推算并以斜线柱标出；"
            "该年有自己的报告时，以本年报告为准，同比表述推算的金额不同时列在旁边，不覆盖本年报告。",
            "### Amounts by year, as the reports state them\n\nExecuted amounts of all funds, "
            "year beside year. A later report's year-on-year clause (\"an increase of … on the "
            "previous year\") is also a statement about the earlier year: where that year has "
            "no report of its own, its amount is derived from the clause and drawn hatched; "
            "where it has one, the year's own report is used, and a clause amount that differs "
            "stands beside it without replacing it."),
        "statements": (
            "### 各处陈述是否一致\n\n同一项目可能在报告中写了不止一次，以后年度报告的同比表述"
            "也会给出本年的金额。金额不同时两处都保留，并在此列出两处原文和行号。",
            "### Do the statements agree?\n\nA report may state a line more than once, and a "
            "later report's year-on-year clause states this year's amount too. Where amounts "
            "differ both are kept and listed here with their text and line numbers."),
        "checks": (
            "### 核对\n\n会计恒等式与报告所述占比逐项核对；容差只允许报告 0.01 的舍入误差。"
            "不符之处如实列出，不作“更正”。",
            "### Checks\n\nThe accounting identities and every stated share, each with the "
            "tolerance of the report's 0.01 rounding and no more. A violation is shown as it "
            "is, never corrected."),
    },
    "spending_mix": {
        "intro": (
            "本笔记本展示{issuer}一个年度的**支出结构**：资金如何使用，以及资金来源与运用是否平衡。"
            "数字取自报告“部门整体支出概况”，单位万元。",
            "This notebook shows the **spending mix** of the {issuer} for one year: how the "
            "money was used, and whether sources and uses balance. Figures come from the "
            "report's overview, in 10,000 yuan."),
        "mix": (
            "## 支出构成\n\n**基本支出**（人员经费和日常公用经费）、**项目支出**与**年末结转和结余**，"
            "基本支出和项目支出的占比以本年支出合计为分母，年末结转和结余的占比以支出总计为分母；"
            "括号内为报告所述占比。\n\n**此图不能说明**：各项目的名称和金额、功能分类（如农林水、"
            "社会保障）、支出是否达到预期效果。",
            "## What the money was spent on\n\n**Basic expenditure** (staff and running costs), "
            "**project expenditure** and the **balance carried forward**, basic and project "
            "spending as shares of this year's expenditure, the balance carried forward as a "
            "share of total expenditure; in brackets the share the report states.\n\n"
            "**What it cannot show**: individual projects and their amounts, the functional "
            "classification (agriculture, social security …), or whether spending achieved "
            "its aims."),
        "sources_uses": (
            "## 资金来源与运用\n\n左柱为来源（年初结转和结余 + 本年各类收入），右柱为运用"
            "（本年各类支出 + 年末结转和结余）。两柱等高说明当年收支平衡。\n\n"
            "**此图不能说明**：哪一笔收入用于哪一项支出——报告只给出两边的总数。",
            "## Sources and uses\n\nThe left column stacks the sources (carry-over plus this "
            "year's revenue by category), the right the uses (this year's spending plus the "
            "balance carried forward). Equal heights mean the year balances.\n\n**What it "
            "cannot show**: which revenue paid for which spending; the report gives only the "
            "totals of each side."),
        "ratios": (
            "## 共性指标\n\n按部门整体支出绩效评价共性指标框架，报告数字能够支持的比率如下（口径见表）。"
            "\n\n**这些比率不能说明**：预算是否按计划执行、钱花得好不好；它们只描述结构。",
            "## Common indicators\n\nThe ratios of the common-indicator framework for overall "
            "departmental spending that the report's figures allow (definitions in the table)."
            "\n\n**What they cannot show**: whether the budget was executed as planned, or "
            "whether the money was well spent; they describe structure only."),
        "not_available": (
            "### 报告数字无法支持的指标\n\n以下指标需要报告未公布的数据，因此不予计算，而不是估算。",
            "### Indicators the report does not allow\n\nThese need figures the report does "
            "not publish, so they are not computed rather than guessed."),
        "previous": (
            "## 与上年比较\n\n数据中有上一年度时，逐项比较两年的金额与占比（占比以各自的总计为分母）。"
            "只比较两年都列出的项目；口径变化（如科目合并）不会自动识别。",
            "## Compared with the year before\n\nWhen the data holds the previous year, each "
            "line's amount and share (of that year's total) side by side. Only lines both years "
            "state are compared; a change of definition (merged categories, say) is not "
            "detected."),
        "over_years": (
            "### 各年度报告所述金额\n\n全部资金口径的决算数，按年度并列。该年没有自己的报告时，"
            "金额由以后年度报告的同比表述推算，以斜线柱标出；该年有自己的报告时以本年报告为准，"
            "同比表述推算的金额不同时列在旁边。",
            "### Amounts by year, as the reports state them\n\nExecuted amounts of all funds, "
            "year beside year. Where a year has no report of its own, its amount is derived "
            "from a later report's year-on-year clause and drawn hatched; where it has one, the "
            "year's own report is used, and a clause amount that differs stands beside it."),
        "statements": (
            "### 各处陈述是否一致\n\n上面的比率使用概况表采用的金额。同一项目在报告中写了不止一次"
            "而金额不同，或以后年度报告的同比表述与本年报告不符时，两处都保留并列在这里。",
            "### Do the statements agree?\n\nThe ratios above use the amounts the overview "
            "kept. Where a report states a line twice with different amounts, or a later "
            "report's year-on-year clause differs from this year's report, both are kept and "
            "listed here."),
    },
    "outcome_indicators": {
        "intro": (
            "本笔记本展示{issuer}一个年度“效益性分析”八个部分中的**成效指标**。每个数字都能追溯到"
            "报告原文的一句话（表中“报告原文”一列）。",
            "This notebook shows the **outcome indicators** of the {issuer} in the eight "
            "sections of the report's effectiveness analysis (效益性分析). Every figure traces "
            "back to a sentence of the report (column *Report text*)."),
        "headline": (
            "## 主要成效\n\n“余”“近”“共达”“以上”等限定词照报告原样保留。",
            "## Headline figures\n\nQualifiers such as *over*, *nearly*, *in total* and "
            "*at least* are kept as the report words them."),
        "sections": (
            "## 分部分指标\n\n每个部分一张图；单位不同的数字分属不同坐标轴，绝不放在同一轴上比较。"
            "斜线柱表示报告带限定词的数字。\n\n**这些图不能说明**：目标值与完成率（报告未给出）、"
            "与往年或其他单位的比较、投入与成效之间的因果关系。",
            "## Indicators by section\n\nOne chart per section; figures in different units sit "
            "on different axes and are never compared on one. Hatched bars are figures the "
            "report qualifies.\n\n**What they cannot show**: targets or completion rates (the "
            "report gives none), comparison with other years or units, or what spending caused "
            "which outcome."),
        "table": ("## 指标明细与原文", "## All indicators with their source text"),
        "previous": (
            "## 与上年比较\n\n两年都出现的指标（同一键、同一单位）的变化百分比。百分比不带单位，"
            "因此可以放在同一轴上；带“余”“近”的数字本身不精确，其变化只是近似。",
            "## Compared with the year before\n\nThe percentage change of the indicators that "
            "appear in both years (same key, same unit). A percentage has no unit, so they can "
            "share an axis; figures the report qualifies (over, nearly) are themselves "
            "approximate, and so is their change."),
        "checks": (
            "## 核对结果\n\n会计恒等式与报告所述占比的核对（容差为报告 0.01 的舍入误差）。",
            "## Checks\n\nThe accounting identities and stated shares (tolerance: the report's "
            "0.01 rounding)."),
    },
}

# Definitions of the framework ratios (analysis.RATIOS) in each language, by ratio key.
RATIO_FORMULAS = {
    "project_spending_share": (
        "项目支出 / 本年支出合计", "project expenditure / this year's expenditure"),
    "basic_spending_share": (
        "基本支出 / 本年支出合计", "basic expenditure / this year's expenditure"),
    "carryforward_rate": (
        "年末结转和结余 / 收入总计（框架以预算支出为分母，报告未列出；收入总计为可用资金）",
        "balance carried forward / total revenue (the framework divides by budgeted spending, "
        "which the report does not state; total revenue is the funds available)"),
    "budget_execution_rate": (
        "决算支出 / 预算支出（有调整预算时用调整预算）",
        "executed expenditure / budgeted expenditure (the adjusted budget where there is one)"),
    "budget_adjustment_rate": (
        "(调整预算 − 年初预算) / 年初预算", "(adjusted budget − initial budget) / initial budget"),
    "three_public_expenses_control_rate": (
        "三公经费决算 / 三公经费预算",
        "executed 'three public expenses' / budgeted 'three public expenses'"),
    "public_funds_control_rate": (
        "公用经费决算 / 公用经费预算", "executed public (operating) funds / budgeted public funds"),
    "carryforward_rate_of_budget": (
        "年末结转和结余 / 支出预算数（有调整预算时用调整预算）",
        "balance carried forward / budgeted expenditure (the adjusted budget where there is one)"),
    "spending_of_funds_available": (
        "本年支出合计 / 收入总计", "this year's expenditure / total revenue"),
    "fiscal_appropriation_share": (
        "财政拨款收入 / 本年收入合计", "fiscal appropriation / this year's revenue"),
    "balance_change_rate": (
        "(年末结转和结余 − 年初结转和结余) / 年初结转和结余",
        "(closing balance − opening balance) / opening balance"),
}

# Why a framework indicator cannot be computed (analysis.RATIOS_NOT_AVAILABLE) in each
# language, by the indicator's Chinese name.
NOT_AVAILABLE_REASONS = {
    "预算完成率 / 预算执行率": (
        "需要报告未列出的年初预算数和调整预算数",
        "needs the approved and adjusted budget, which the report does not state"),
    "预算调整率": ("需要预算调整数", "needs the budget adjustments"),
    "支付进度率": ("需要按月或按季的支付数", "needs payments by month or quarter"),
    "“三公经费”控制率 / 变动率": (
        "需要因公出国（境）费、公务用车费、公务接待费，报告未列出",
        "needs spending on official travel abroad, official vehicles and official receptions, "
        "not reported"),
    "公用经费控制率": (
        "需要从基本支出中分列的公用经费，报告未列出",
        "needs the operating funds split out of basic expenditure, not reported"),
    "政府采购执行率": ("需要政府采购数", "needs procurement figures"),
    "固定资产利用率": ("需要资产数", "needs asset figures"),
    "在职人员控制率": ("需要编制人数和实有人数", "needs authorised and actual headcount"),
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
    "check": ("检查项", "Check key"),
    "kind": ("类别", "Kind"),
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
    "year": ("年度", "Year"),
    "scope": ("口径", "Scope"),
    "phase": ("阶段", "Phase"),
    "kept_amount": ("采用金额（万元）", "Kept (10k yuan)"),
    "other_amount": ("另一处金额（万元）", "Other (10k yuan)"),
    "kept_fragment": ("采用的原文", "Kept statement"),
    "kept_where": ("出处", "Where"),
    "other_fragment": ("另一处原文", "Other statement"),
    "other_where": ("另一处出处", "Where (other)"),
    "stated_in": ("金额出处", "Amount from"),
    "clause_amount": ("同比表述推算的金额（万元）", "Year-on-year clause gives (10k yuan)"),
}

# How a statement's scope, phase and the kind of a disagreement read in each language.
SCOPE_TEXT = {
    "all_funds": ("全部资金", "all funds"),
    "fiscal_appropriation": ("财政拨款", "fiscal appropriation"),
    "general_public_budget": ("一般公共预算财政拨款", "general public budget"),
    "government_funds": ("政府性基金预算财政拨款", "government funds"),
    "state_capital": ("国有资本经营预算", "state capital operations"),
    "fiscal_special_account": ("财政专户管理资金", "fiscal special account"),
    "three_public_expenses": ("“三公”经费", "the 'three public expenses'"),
}
PHASE_TEXT = {
    "executed": ("决算", "executed"),
    "budgeted": ("预算", "budgeted"),
    "adjusted": ("调整预算", "adjusted budget"),
}
VIOLATION_TEXT = {
    "disagreement": ("同一报告内两处陈述不符", "two statements in one report disagree"),
    "year_on_year": ("以后年度报告的同比表述与本年报告不符",
                     "a later report's year-on-year clause differs from the year's own report"),
}
# Lines kept in the statements table only (ingest.lines.EXTRA_KEYS), named in each language.
EXTRA_LINE_TEXT = {
    "expenditure_personnel": ("人员经费", "Personnel costs"),
    "expenditure_public_funds": ("公用经费", "Public (operating) funds"),
    "public_expenses_outbound": ("因公出国（境）费", "Official travel abroad"),
    "public_expenses_vehicles": ("公务用车购置及运行维护费", "Official vehicles"),
    "public_expenses_vehicle_purchase": ("公务用车购置费", "Official vehicle purchase"),
    "public_expenses_vehicle_operation": ("公务用车运行维护费", "Official vehicle operation"),
    "public_expenses_reception": ("公务接待费", "Official receptions"),
}


def pick(pairs: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """Return the lang text of key in a table of (zh, en) pairs; the key itself if unknown."""
    zh, en = pairs.get(key, (key, key))
    return zh if lang == "zh" else en


def line_label(key: str, lang: str) -> str:
    """Return the name of a budget line (收入总计, Total revenue) by its key, in a language."""
    from luoshi_analysis.ingest.lines import BY_KEY

    line = BY_KEY.get(key)
    if line is not None:
        return line.label_zh if lang == "zh" else line.label_en
    return pick(EXTRA_LINE_TEXT, key, lang)

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


def ratio_formula(key: str, formula: str) -> dict[str, str]:
    """Return a ratio's definition as formula_zh and formula_en (formula where none is known)."""
    zh, en = RATIO_FORMULAS.get(key, (formula, formula))
    return {"formula_zh": zh, "formula_en": en}


def with_reasons(frame):
    """Return frame with its why_not column replaced by why_not_zh and why_not_en.

    The reasons are looked up by the indicator's Chinese name; an unknown one keeps its text.
    """
    pairs = [NOT_AVAILABLE_REASONS.get(name, (why, why))
             for name, why in zip(frame["name_zh"], frame["why_not"], strict=True)]
    return frame.drop(columns="why_not").assign(
        why_not_zh=[zh for zh, _ in pairs], why_not_en=[en for _, en in pairs])


def prose(notebook: str, key: str, lang: str, **values: object) -> str:
    """Return a block of a notebook's prose (markdown) in a language, filled with values."""
    zh, en = PROSE[notebook][key]
    return (zh if lang == "zh" else en).format(**values)


def notebook_title(notebook: str, lang: str) -> str:
    """Return a template's name in a language (the template's file name if unknown)."""
    zh, en = NOTEBOOK_TITLES.get(notebook, (notebook, notebook))
    return zh if lang == "zh" else en


def issuer_name(source, lang: str) -> str:
    """Return the reporting unit's name from a source record: issuer, or issuer_en in English.

    An English page falls back to the Chinese name where the record has no English one.
    """
    if lang == "en" and getattr(source, "issuer_en", ""):
        return source.issuer_en
    return source.issuer


_NEGATIVE_ZERO = re.compile(r"^-(?=[0.,]*$)")


def format_number(value: float, places: int = 2, sign: bool = False) -> str:
    """Return value with thousands separators at a fixed precision, never "-0.00".

    Missing values give "". With sign, positive values get a "+".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    shown = f"{value:{'+' if sign else ''},.{places}f}"
    shown = _NEGATIVE_ZERO.sub("", shown)
    return shown.replace("+0", "0", 1) if sign and shown.strip("+0.,") == "" else shown


# Workbook headers: Chinese and English in one cell, the unit (from the schema) after them;
# a column not named here takes its label from COLUMN_TEXT.
WORKBOOK_HEADERS = {
    "line": ("行号", "Line no."),
    "key": ("键", "Key"),
    "direction": ("收支", "Direction"),
    "level": ("层级", "Level"),
    "parent_key": ("上级键", "Parent key"),
    "label_zh": ("项目（中文）", "Line (Chinese)"),
    "label_en": ("项目（英文）", "Line (English)"),
    "amount": ("金额", "Amount"),
    "amount_as_written": ("原文金额", "Amount as written"),
    "stated_share_pct": ("报告所述占比", "Stated share"),
    "source_fragment": ("报告原文", "Source text"),
    "section_key": ("部分键", "Section key"),
    "name_zh": ("指标（中文）", "Indicator (Chinese)"),
    "name_en": ("指标（英文）", "Indicator (English)"),
    "value": ("数值", "Value"),
    "value_as_written": ("原文数值", "Value as written"),
    "qualifier": ("限定词", "Qualifier"),
    "reviewed": ("已复核", "Reviewed"),
    "check": ("检查项", "Check"),
    "description_zh": ("检查（中文）", "Check (Chinese)"),
    "description_en": ("检查（英文）", "Check (English)"),
    "title": ("报告标题", "Report title"),
    "issuer": ("单位", "Issuer"),
    "issuer_en": ("单位英文名", "Issuer (English)"),
    "district": ("区县", "District"),
    "city": ("市", "City"),
    "raw_file": ("原始文件", "Raw file"),
    "sha256": ("SHA-256", "SHA-256"),
    "currency": ("币种", "Currency"),
    "amount_unit": ("金额单位", "Amount unit"),
    "amount_factor": ("每单位元数", "Yuan per unit"),
    "amount_unit_as_reported": ("报告所用单位", "Unit as reported"),
    "conversion": ("换算说明", "Conversion"),
    "report_year": ("报告年度", "Report year"),
    "statement": ("序号", "Statement no."),
    "unit_as_written": ("原文单位", "Unit as written"),
    "stated_by": ("陈述来源", "Stated by"),
    "derivation": ("推算方法", "Derivation"),
    "source_line": ("原文行号", "Source line"),
    "encoding_as_received": ("原始编码", "Encoding as received"),
    "notes": ("备注", "Notes"),
}
WORKBOOK_SHEETS = {
    "budget": ("预算", "Budget"),
    "indicators": ("指标", "Indicators"),
    "checks": ("核对", "Checks"),
    "source": ("来源", "Source"),
    "statements": ("报表", "Statements"),
}


def workbook_header(column: str, unit: str | None = None) -> str:
    """Return a workbook column header: "金额 Amount (万元)"; unknown columns keep their name."""
    zh, en = WORKBOOK_HEADERS.get(column) or COLUMN_TEXT.get(column, ("", column))
    head = en if zh == en or not zh else f"{zh} {en}"
    return f"{head} ({unit})" if unit else head


AMOUNT_UNITS = {"万元": ("万元", "10k yuan"), "元": ("元", "yuan"), "%": ("%", "%")}


def amount_unit(unit: str, lang: str) -> str:
    """Return the name of a money or share unit in a language (万元 is "10k yuan")."""
    zh, en = AMOUNT_UNITS.get(unit, (unit, unit))
    return zh if lang == "zh" else en


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
