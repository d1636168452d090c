"""Read a flattened 绩效自评表 / 绩效目标表: the project's funds and each indicator's target and result.

The table arrives as rows of cells split by "|" or by spaces. A header names the columns:
项目资金 rows (年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分) give the project's funds
per phase, kept as statements scoped to the project (the 执行率 with the executed amount);
indicator rows (三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分, or 指标性质 | 指标值 | 度量单位 |
实际完成值) give one figure for the target and one for the result, told apart by ``role``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from luoshi_analysis.core.lines import Found, to_wan
from luoshi_analysis.ingest.figures import AT_LEAST, AT_MOST, figures
from luoshi_analysis.ingest.normalize import normalize

FUNDS_PHASES = {"年初预算数": "budgeted", "全年预算数": "adjusted", "全年执行数": "executed"}
FUNDS_ROWS = {"年度资金总额": "project_funds", "当年财政拨款": "project_fiscal_appropriation",
              "本年财政拨款": "project_fiscal_appropriation", "上年结转资金": "project_carryover",
              "其他资金": "project_other_funds"}
TARGET_COLUMNS = ("年度指标值", "指标值", "目标值")
ACTUAL_COLUMNS = ("实际完成值", "实际值", "完成值")
NUMBER_CELL = re.compile(r"^\d+(?:\.\d+)?$")
CATEGORY = re.compile(r"指标(?:\(\d+分\))?$|^(?:绩效指标|一级指标|二级指标|三级指标)$")
STATED_UNIT = re.compile(r"(?:金额)?单位[:：]\s*(万元|亿元|元)")
# 项目总预算 65 / 当年年度预算 65: an amount in the table's unit right after its label
LABELLED_AMOUNT = re.compile(
    r"(?P<label>[\u4e00-\u9fff]*(?:预算|资金|成本|拨款))[:：]?\s+(?P<num>\d+(?:\.\d+)?)(?=\s|$)")


@dataclass
class Cell:
    """A figure read from a table: value, unit, qualifier, role, name and where it is."""

    value: float
    written: str
    unit: str
    qualifier: str
    role: str
    name: str
    line: int
    position: int  # original offset of the number
    fragment: str
    kind: str = ""  # "money" for the project's funds


@dataclass
class TableReading:
    """What the tables of a text hold: figures, project statements, and the lines they used."""

    cells: list[Cell] = field(default_factory=list)
    statements: list[Found] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)


def _split(line: str) -> list[tuple[int, str]]:
    """Return the cells of a row (stripped) with their offsets in the line: by "|", else spaces."""
    if line.count("|") < 2:
        return [(m.start(), m.group()) for m in re.finditer(r"\S+", line)]
    cells, at = [], 0
    for cell in line.split("|"):
        stripped = cell.strip()
        cells.append((at + (cell.find(stripped) if stripped else 0), stripped))
        at += len(cell) + 1
    return cells


def _norm(cell: str) -> str:
    return normalize(cell).text


class _Tables:
    def __init__(self, original: str, year: int):
        self.original = original
        self.year = year
        self.out = TableReading()
        self.header: list[str] = []
        self.kind = ""  # "funds" or "indicators"
        self.unit = "万元"
        stated = STATED_UNIT.search(original[:3000])
        self.document_unit = stated[1] if stated else ""

    def header_of(self, cells: list[str]) -> str:
        if sum(c in FUNDS_PHASES for c in cells) >= 2:
            unit = re.search(r"\((万元|亿元|元)\)", cells[0])
            self.unit = unit[1] if unit else self.document_unit or "万元"
            return "funds"
        if any(c in TARGET_COLUMNS for c in cells) and (
                any(c in ACTUAL_COLUMNS for c in cells) or "分值" in cells):
            return "indicators"
        return ""

    def read(self) -> TableReading:
        offset = 0
        for number, line in enumerate(self.original.splitlines(keepends=True), start=1):
            start, offset = offset, offset + len(line)
            text = line.rstrip("\r\n")
            if "，" in text or "。" in text or not text.strip():
                continue
            cells = _split(text)
            normed = [_norm(c) for _at, c in cells]
            kind = self.header_of(normed)
            if kind:
                self.kind, self.header = kind, normed
                self.out.lines.add(number)
                continue
            before = len(self.out.cells) + len(self.out.statements)
            if self.kind == "funds" and normed and any(k in normed[0] for k in FUNDS_ROWS):
                self.funds_row(cells, normed, number, start)
            elif self.kind == "indicators":
                self.indicator_row(cells, normed, number, start)
            if self.document_unit:
                self.labelled_amounts(text, number, start)
            if len(self.out.cells) + len(self.out.statements) > before:
                self.out.lines.add(number)
        return self.out

    def funds_row(self, cells: list[tuple[int, str]], normed: list[str], number: int,
                  start: int) -> None:
        key = next(k for name, k in FUNDS_ROWS.items() if name in normed[0])
        stated = next((normed[i] for i, h in enumerate(self.header) if h == "执行率" and i < len(normed)),
                      "")
        rate = stated.rstrip("%") if re.fullmatch(r"\d+(?:\.\d+)?%", stated) else None
        line = self.original[start:].split("\n")[0]
        for i, column in enumerate(self.header[:len(cells)]):
            value = normed[i] if i else ""
            if column in FUNDS_PHASES and NUMBER_CELL.match(value):
                phase = FUNDS_PHASES[column]
                at, cell = cells[i]
                fragment = line[:at + len(cell)].strip()
                self.out.statements.append(Found(
                    key, "project", phase, self.year, cells[0][1].strip(" ：:"),
                    to_wan(value, self.unit), value, self.unit,
                    rate if phase == "executed" else None, fragment, number, start + at))
                if key == "project_funds" and float(value) > 0:
                    self.out.cells.append(Cell(float(value), value, self.unit, "exact", "actual",
                                               f"年度资金{column}", number, start + at, fragment,
                                               kind="money"))
            elif column == "执行率" and rate is not None and key == "project_funds":
                at, cell = cells[i]
                self.out.cells.append(Cell(float(rate), rate, "%", "exact", "actual", "预算执行率",
                                           number, start + at, line[:at + len(cell)].strip()))

    def indicator_row(self, cells: list[tuple[int, str]], normed: list[str], number: int,
                      start: int) -> None:
        while normed and not normed[-1]:
            cells, normed = cells[:-1], normed[:-1]
        if "|" in self.original[start:start + 400].split("\n")[0]:
            self.pipe_row(cells, normed, number, start)
        else:
            self.space_row(cells, normed, number, start)

    def _add(self, cell_text: str, unit: str, comparator: str, role: str, name: str,
             number: int, start: int, at: int, line: str) -> None:
        text = _norm(cell_text)
        found = figures(text)
        if found:
            fig = found[0]
            value, written, unit_written, qualifier = fig.value, fig.written, fig.unit, fig.qualifier
        elif NUMBER_CELL.match(text) and unit:
            value, written, unit_written, qualifier = float(text), text, unit, "exact"
        else:
            return
        if comparator in AT_LEAST or comparator in ("≧",):
            qualifier = "at_least"
        elif comparator in AT_MOST:
            qualifier = "at_most"
        offset = cell_text.find(written)
        self.out.cells.append(Cell(value, written, unit_written, qualifier, role, name, number,
                                   start + at + max(0, offset),
                                   line[:at + len(cell_text.rstrip())].strip()))

    def pipe_row(self, cells: list[tuple[int, str]], normed: list[str], number: int,
                 start: int) -> None:
        header = [h for h in self.header if h]
        shift = len(normed) - len(header)  # rows leave out leading category cells: align right
        column = {h: i + shift for i, h in enumerate(header)}
        line = self.original[start:].split("\n")[0]

        def at(name: str) -> int | None:
            i = column.get(name)
            return i if i is not None and 0 <= i < len(normed) else None

        name_i = at("三级指标")
        if name_i is None:
            return
        name = re.sub(r"^指标\d+[:：]", "", normed[name_i])
        unit_i, kind_i = at("度量单位"), at("指标性质")
        unit = normed[unit_i] if unit_i is not None else ""
        comparator = normed[kind_i] if kind_i is not None else ""
        for columns, role in ((TARGET_COLUMNS, "target"), (ACTUAL_COLUMNS, "actual")):
            i = next((at(c) for c in columns if at(c) is not None), None)
            if i is not None and normed[i]:
                self._add(cells[i][1], unit, comparator if role == "target" else "", role,
                          name, number, start, cells[i][0], line)

    def space_row(self, cells: list[tuple[int, str]], normed: list[str], number: int,
                  start: int) -> None:
        line = self.original[start:].split("\n")[0]
        measured = [i for i, c in enumerate(normed) if figures(c) and not NUMBER_CELL.match(c)]
        if not measured:
            return
        names = [c for c in normed[:measured[0]] if not CATEGORY.search(c)]
        name = re.sub(r"^指标\d+[:：]", "", names[-1]) if names else ""
        roles = ["target", "actual"] if any(c in ACTUAL_COLUMNS for c in self.header) else ["target"]
        for i, role in zip(measured, roles, strict=False):
            self._add(cells[i][1], "", "", role, name, number, start, cells[i][0], line)

    def labelled_amounts(self, text: str, number: int, start: int) -> None:
        if self.kind or "|" in text:
            return
        for m in LABELLED_AMOUNT.finditer(text):
            label = _norm(m["label"])
            self.out.cells.append(Cell(float(m["num"]), m["num"], self.document_unit, "exact",
                                       "actual", label, number, start + m.start("num"),
                                       text[m.start():m.end()].strip(), kind="money"))


def read_self_evaluation(original: str, year: int) -> TableReading:
    """Return the figures and project statements of the 自评表 / 目标表 tables of a text."""
    return _Tables(original, year).read()
