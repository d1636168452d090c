"""Find the budget overview (部门整体支出概况) of a report text: every line, amount and share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from luoshi_analysis.errors import IngestError
from luoshi_analysis.ingest.normalize import Normalized
from luoshi_analysis.schema import BUDGET, STATEMENTS


@dataclass(frozen=True)
class BudgetLine:
    """A line of a 部门决算 overview: its key, place, names and the wordings reports use."""

    key: str
    direction: str
    level: str
    parent: str
    label_zh: str
    label_en: str
    variants: tuple[str, ...]


# In the national order of a 部门决算; variants are written simplified, without spaces.
LINES = (
    BudgetLine("revenue_total", "revenue", "total", "", "收入总计", "Total revenue",
               ("收入总计", "收入总额")),
    BudgetLine("revenue_carryover", "revenue", "balance", "revenue_total", "年初结转和结余",
               "Carry-over from previous year",
               ("年初结转和结余", "年初结转结余", "上年结转和结余", "上年结转结余", "上年结转")),
    BudgetLine("revenue_non_fiscal_balance_used", "revenue", "balance", "revenue_total",
               "使用非财政拨款结余", "Non-fiscal balances used", ("使用非财政拨款结余",)),
    BudgetLine("revenue_current_year", "revenue", "subtotal", "revenue_total", "本年收入合计",
               "Revenue this year", ("本年收入合计", "本年收入", "收入合计")),
    BudgetLine("revenue_fiscal_appropriation", "revenue", "category", "revenue_current_year",
               "财政拨款收入", "Fiscal appropriation", ("财政拨款收入",)),
    BudgetLine("revenue_fiscal_general_budget", "revenue", "category", "revenue_current_year",
               "一般公共预算财政拨款收入", "Fiscal appropriation, general public budget",
               ("一般公共预算财政拨款收入", "一般公共预算拨款收入")),
    BudgetLine("revenue_fiscal_government_funds", "revenue", "category", "revenue_current_year",
               "政府性基金预算财政拨款收入", "Fiscal appropriation, government funds",
               ("政府性基金预算财政拨款收入", "政府性基金预算拨款收入")),
    BudgetLine("revenue_higher_level_subsidy", "revenue", "category", "revenue_current_year",
               "上级补助收入", "Subsidy from higher-level units", ("上级补助收入",)),
    BudgetLine("revenue_public_service", "revenue", "category", "revenue_current_year",
               "事业收入", "Public-service revenue", ("事业收入",)),
    BudgetLine("revenue_operating", "revenue", "category", "revenue_current_year", "经营收入",
               "Operating revenue", ("经营收入",)),
    BudgetLine("revenue_from_subsidiaries", "revenue", "category", "revenue_current_year",
               "附属单位上缴收入", "Remittances from subsidiary units", ("附属单位上缴收入",)),
    BudgetLine("revenue_other", "revenue", "category", "revenue_current_year", "其他收入",
               "Other revenue", ("其他收入",)),
    BudgetLine("expenditure_total", "expenditure", "total", "", "支出总计", "Total expenditure",
               ("支出总计", "支出总额")),
    BudgetLine("expenditure_carryforward", "expenditure", "balance", "expenditure_total",
               "年末结转和结余", "Carried forward to next year",
               ("年末结转和结余", "年末结转结余", "结转下年")),
    BudgetLine("expenditure_surplus_distribution", "expenditure", "category",
               "expenditure_total", "结余分配", "Distribution of surplus", ("结余分配",)),
    BudgetLine("expenditure_current_year", "expenditure", "subtotal", "expenditure_total",
               "本年支出合计", "Expenditure this year", ("本年支出合计", "本年支出", "支出合计")),
    BudgetLine("expenditure_basic", "expenditure", "category", "expenditure_current_year",
               "基本支出", "Basic expenditure", ("基本支出",)),
    BudgetLine("expenditure_project", "expenditure", "category", "expenditure_current_year",
               "项目支出", "Project expenditure", ("项目支出",)),
    BudgetLine("expenditure_to_higher_level", "expenditure", "category",
               "expenditure_current_year", "上缴上级支出", "Remittances to higher-level units",
               ("上缴上级支出",)),
    BudgetLine("expenditure_operating", "expenditure", "category", "expenditure_current_year",
               "经营支出", "Operating expenditure", ("经营支出",)),
    BudgetLine("expenditure_to_subsidiaries", "expenditure", "category",
               "expenditure_current_year", "对附属单位补助支出", "Subsidies to subsidiary units",
               ("对附属单位补助支出",)),
)
BY_KEY = {line.key: line for line in LINES}

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
UNIT = r"万元|元"
CONNECTOR = r"(?:总额)?(?:为|是|共计|共|达|:)?"
SHARE = r"(?:,|、)?占(?:比)?[\u4e00-\u9fff]{0,12}?(?P<share>\d+(?:\.\d+)?)%"
BOTH_SAME = re.compile(rf"收[、,]?支总计均(?:为|是)(?P<num>{NUMBER})(?P<unit>{UNIT})")
BOTH_EACH = re.compile(
    rf"收[、,]?支总计(?:分别|各)(?:为|是)(?P<num>{NUMBER})(?P<unit1>{UNIT})?[、,和](?P<num2>{NUMBER})"
    rf"(?P<unit>{UNIT})")
NONE_LIST = re.compile(r"(?<![\u4e00-\u9fff])无(?P<names>[^。;,:]+)")
YEAR = re.compile(r"(?P<year>(?:19|20)\d\d)年度")


@dataclass
class Found:
    """One statement of a line's amount in the text."""

    key: str
    label_as_written: str
    amount: Decimal
    as_written: str
    unit: str
    share: str | None
    start: int
    end: int


def _amount(number: str, unit: str) -> Decimal:
    value = Decimal(number.replace(",", ""))
    return value / 10000 if unit == "元" else value


def stated_year(text: Normalized) -> tuple[int, int] | None:
    """Return (year, line) of the first 'YYYY年度' in the text, if any."""
    match = YEAR.search(text.text)
    return (int(match["year"]), text.line_of(match.start())) if match else None


def _variant_patterns():
    pairs = [(variant, line.key) for line in LINES for variant in line.variants]
    return sorted(pairs, key=lambda p: -len(p[0]))


def find_statements(text: Normalized) -> list[Found]:
    """Return every statement of an overview line's amount (or of 无) in the text."""
    norm = text.text
    claimed: list[tuple[int, int]] = []
    found: list[Found] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in claimed)

    for pattern, keys in ((BOTH_SAME, ("revenue_total", "expenditure_total")),
                          (BOTH_EACH, ("revenue_total", "expenditure_total"))):
        for m in pattern.finditer(norm):
            numbers = [m["num"], m.groupdict().get("num2") or m["num"]]
            spans = [m.span("num"), m.span("num2") if m.groupdict().get("num2") else m.span("num")]
            for key, number, (a, b) in zip(keys, numbers, spans, strict=True):
                found.append(Found(key, "收、支总计", _amount(number, m["unit"]),
                                   text.span(a, b), m["unit"], None, m.start(), m.end()))
            claimed.append(m.span())
    for variant, key in _variant_patterns():
        regex = re.compile(rf"{re.escape(variant)}{CONNECTOR}(?P<num>{NUMBER})(?P<unit>{UNIT})"
                           rf"(?:{SHARE})?")
        for m in regex.finditer(norm):
            if not free(*m.span()):
                continue
            claimed.append(m.span())
            found.append(Found(key, text.span(m.start(), m.start() + len(variant)),
                               _amount(m["num"], m["unit"]), text.span(*m.span("num")),
                               m["unit"], m["share"], m.start(), m.end()))
    variants = dict(_variant_patterns())
    for m in NONE_LIST.finditer(norm):
        names = m["names"]
        offset = m.start("names")
        for piece in re.finditer(r"[^、和及与]+", names):
            key = variants.get(piece.group())
            if key is None:
                continue
            a = offset + piece.start()
            found.append(Found(key, text.span(a, a + len(piece.group())), Decimal(0), "无", "",
                               None, m.start(), m.end()))
    return found


def _csv_amount(item: Found) -> str:
    """Return the amount in 万元 for the CSV: digits as written, or exactly converted from 元."""
    if item.as_written == "无":
        return "0"
    if item.unit != "元":
        return str(item.amount)
    digits = max(2, -item.amount.normalize().as_tuple().exponent)
    return f"{item.amount:.{digits}f}"


@dataclass(frozen=True)
class Disagreement:
    """Two statements of one line (same year, scope and phase) with different amounts."""

    year: int
    key: str
    scope: str
    phase: str
    kept: str  # fragment whose amount fills the overview
    kept_line: int
    other: str  # fragment left aside (still in statements.csv)
    other_line: int
    kept_amount: Decimal
    other_amount: Decimal
    reason: str  # why `kept` was kept

    def message(self) -> str:
        """Return the one-line violation an analyst reads."""
        return (f"{self.year} {self.key} ({self.scope}, {self.phase}): '{self.kept}' on line "
                f"{self.kept_line} and '{self.other}' on line {self.other_line} disagree; kept "
                f"{self.kept_amount} 万元 ({self.reason})")


@dataclass
class OverviewResult:
    """What the overview parser found in a report text.

    Attributes:
        budget: The all-funds executed lines in the BUDGET schema's columns (budget.csv).
        statements: Every stated amount, whatever its scope, phase or year, in the
            STATEMENTS schema's columns (statements.csv).
        disagreements: Statements of one line that disagree with the one kept.
        units: The units the amounts were written in (万元, 元, 亿元).
    """

    budget: pd.DataFrame
    statements: pd.DataFrame
    disagreements: list[Disagreement]
    units: set[str]


def parse_overview(text: Normalized, year: int) -> OverviewResult:
    """Return the overview of a report text: budget lines, every statement, disagreements.

    Raises:
        IngestError: the text states no overview at all.
    """
    statements = find_statements(text)
    chosen: dict[str, Found] = {}
    disagreements = []
    for item in sorted(statements, key=lambda f: f.start):
        first = chosen.get(item.key)
        if first is None:
            chosen[item.key] = item
        elif first.amount != item.amount:
            disagreements.append(Disagreement(
                year, item.key, "all_funds", "executed", text.span(first.start, first.end),
                text.line_of(first.start), text.span(item.start, item.end),
                text.line_of(item.start), first.amount, item.amount, "stated first"))
    if not ({"revenue_total", "expenditure_total"} & set(chosen)
            or {"revenue_current_year", "expenditure_current_year"} & set(chosen)):
        raise IngestError(
            "no budget overview found: the text states none of 收入总计, 支出总计, 本年收入合计 or "
            "本年支出合计 with an amount in 万元 or 元")
    fiscal_split = "revenue_fiscal_appropriation" in chosen
    rows = []
    for line in LINES:
        item = chosen.get(line.key)
        if item is None:
            continue
        parent = line.parent
        if fiscal_split and line.key in ("revenue_fiscal_general_budget",
                                         "revenue_fiscal_government_funds"):
            parent = "revenue_fiscal_appropriation"
        fragment = text.span(item.start, item.end)
        rows.append({
            "year": year, "line": len(rows) + 1, "key": line.key, "direction": line.direction,
            "level": line.level, "parent_key": parent if parent in chosen else "",
            "label_zh": item.label_as_written, "label_en": line.label_en,
            "amount": _csv_amount(item),
            "amount_as_written": item.as_written,
            "stated_share_pct": item.share or "", "source_fragment": fragment,
        })
    stated = [{
        "year": year, "report_year": year, "statement": n, "scope": "all_funds",
        "phase": "executed", "key": item.key, "label_zh": item.label_as_written,
        "amount": _csv_amount(item), "amount_as_written": item.as_written,
        "unit_as_written": item.unit, "stated_share_pct": item.share or "",
        "stated_by": "this_report", "derivation": "",
        "source_fragment": text.span(item.start, item.end),
        "source_line": text.line_of(item.start),
    } for n, item in enumerate(sorted(statements, key=lambda f: f.start), start=1)]
    units = {item.unit for item in chosen.values() if item.unit}
    return OverviewResult(pd.DataFrame(rows, columns=BUDGET.columns),
                          pd.DataFrame(stated, columns=STATEMENTS.columns), disagreements, units)
