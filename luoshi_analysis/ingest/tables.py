"""Read flattened tables: label and number cells run together, the unit given once.

A 收入支出决算总表 copied out of a PDF, a web page or a spreadsheet arrives as lines of cells
separated by tabs or spaces, one row or several per line, often with a 行次 column; the unit is
written once (单位：万元, 金额单位：元). Only rows whose label is a known line name are read, and
a row with more numbers than its header explains is left alone rather than guessed.
"""

from __future__ import annotations

import re

from luoshi_analysis.core.lines import BY_KEY, Found, to_wan
from luoshi_analysis.ingest.normalize import normalize
from luoshi_analysis.ingest.sections import Section, SectionIndex
from luoshi_analysis.ingest.wording import LABELS, NUMBER, Label

TABLE_UNIT = re.compile(r"(?:金额)?单位\s*[:：]?\s*[（(]?\s*(?:人民币)?(?P<unit>万元|亿元|元)")
# A column heading naming its unit: 金额（元）, 决算数(万元), 金额（单位：元）.
HEADING_UNIT = re.compile(
    r"[（(]\s*(?:(?:金额)?单位\s*[:：]\s*)?(?:人民币)?(?P<unit>万元|亿元|元)\s*[)）]")
TOKEN = re.compile(r"[^\s]+")
BARE_NUMBER = re.compile(rf"^(?:{NUMBER}|-)$")
ROW_NUMBER = re.compile(r"^\d{1,3}$")
ITEM_NUMBER = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d+[、.](?!\d)|其中[:]?|加[:]|减[:])+")
# Column headings: (word, phase, scope); scope words first, as 一般公共预算 holds 预算.
COLUMN_WORDS = (
    ("一般公共预算", None, "general_public_budget"), ("政府性基金", None, "government_funds"),
    ("国有资本经营", None, "state_capital"), ("财政专户", None, "fiscal_special_account"),
    ("合计", None, None), ("小计", None, None),
    ("调整预算", "adjusted", None), ("调整后预算", "adjusted", None), ("预算", "budgeted", None),
    ("决算", "executed", None), ("执行数", "executed", None), ("实际", "executed", None),
)
Column = tuple  # (phase or None, scope or None)


def _column(word: str) -> Column | None:
    return next(((phase, scope) for w, phase, scope in COLUMN_WORDS if w in word), None)


def _header(words: list[str]) -> list[list[Column]] | None:
    """Return the column groups a header row (a row without numbers) names, or None.

    A header names at least two columns by phase (年初预算数, 决算数 …) or scope (合计,
    一般公共预算财政拨款 …); each 项目 cell starts the group of the next side of the table.
    """
    if sum(_column(w) is not None for w in words) < 2:
        return None
    groups: list[list[Column]] = [[]]
    for word in words:
        if word == "项目" and groups[-1]:
            groups.append([])
        elif (column := _column(word)) is not None or word == "金额":
            groups[-1].append(column or (None, None))
    return [g for g in groups if g]
BARE_TOTAL = ("总计", "收支总计")


def _cells(line: str) -> list[tuple[int, int, str, bool]]:
    """Return the cells of a table row: (start, end, normalised text, is a number)."""
    cells = []
    for token in TOKEN.finditer(line):
        text = token.group()
        # 收入总计5446.35: a label and a number run together without a space
        split = re.match(rf"^(?P<label>.*?[^\d,.\-])(?P<num>{NUMBER})$", normalize(text).text)
        if split and not BARE_NUMBER.match(text):
            cut = token.start() + len(text) - len(split["num"])
            cells.append((token.start(), cut, split["label"], False))
            cells.append((cut, token.end(), split["num"], True))
            continue
        norm = normalize(text).text
        cells.append((token.start(), token.end(), norm, bool(BARE_NUMBER.match(norm))))
    for i in range(len(cells) - 1):
        # 4112.15 万元: a number with its unit is prose, not a table cell
        if cells[i][3] and re.match(r"^(?:万元|亿元|元|万|%)", cells[i + 1][2]):
            cells[i] = (*cells[i][:3], False)
    merged: list[tuple[int, int, str, bool]] = []
    for cell in cells:
        # a label broken by one space (PDF copy) is one label again
        if (merged and not cell[3] and not merged[-1][3]
                and line[merged[-1][1]:cell[0]] == " "):
            start, _end, text, _ = merged[-1]
            merged[-1] = (start, cell[1], text + cell[2], False)
        else:
            merged.append(cell)
    return merged


def _table_label(text: str) -> Label | None:
    name = ITEM_NUMBER.sub("", text).strip(":：")
    name = re.sub(r"\((?:万元|元)\)$", "", name)
    return LABELS.get(name)


class _TableState:
    def __init__(self, unit: str | None = None):
        self.unit = unit
        self.row_numbers = False
        self.columns: list[list[Column]] = []  # column groups, one per 项目 of the header
        self.section: Section | None = None
        self.side = "revenue"  # side of the first line name of the last row read


Cell = tuple[int, int, str, bool]  # start, end, text, is a number
# what a row's cells give each line: key, phase (or phase and scope of its column), amount cell
Assigned = list[tuple[str, "str | tuple[str, str | None]", Cell]]


def _line_cells(line: str, following: str) -> list[Cell]:
    """Return a line's cells; a number whose unit opens the next line is prose, not a cell."""
    cells = _cells(line.rstrip("\r\n"))
    if cells and cells[-1][3] and re.match(r"(?:万元|亿元|元|万|%)", following):
        cells[-1] = (*cells[-1][:3], False)  # 4112.15⏎万元: prose broken after a number
    return cells


def _labelled(cells: list[Cell]) -> list[tuple[Cell, list[Cell]]]:
    """Return each word cell of a row with the number cells that follow it."""
    runs: list[tuple[Cell, list[Cell]]] = []
    for cell in cells:
        if not cell[3]:
            runs.append((cell, []))
        elif runs:
            runs[-1][1].append(cell)
    return runs


class _RowReader:
    """Reads one text's table rows, keeping the table state from line to line."""

    def __init__(self, original: str, sections: SectionIndex, year: int, default_unit: str,
                 last_resort: bool):
        self.sections, self.year, self.default_unit = sections, year, default_unit
        self.last_resort = last_resort
        self.lines = original.splitlines(keepends=True)
        self.state = _TableState()
        self.found: list[Found] = []

    def enter(self, section: Section) -> None:
        """Start a new table state where the section (or its scope and phase) changes."""
        state = self.state
        if section is not state.section:
            if section.kind == "table" or state.section is None \
                    or (section.scope, section.phase) != (state.section.scope, state.section.phase):
                self.state = _TableState() if state.unit is None else _TableState(state.unit)
            self.state.section = section

    def row_cells(self, number: int, line: str, section: Section) -> list[Cell] | None:
        """Return a line's cells when it is a row of figures to read; None otherwise."""
        if section.kind == "other" or "。" in line:
            return None
        unit = TABLE_UNIT.search(line) or HEADING_UNIT.search(line)
        if unit:
            self.state.unit = unit["unit"]
        cells = _line_cells(line, self.lines[number].lstrip() if number < len(self.lines) else "")
        words = [c[2] for c in cells if not c[3]]
        if any("行次" in word for word in words):  # 项目 行次 金额: a header run together
            self.state.row_numbers = True
        header = None if any(c[3] for c in cells) else _header(words)
        if header is not None:
            self.state.columns = header
            return None
        if not any(c[3] for c in cells) or (
                self.state.unit is None and section.kind != "table" and not self.last_resort):
            return None  # bare numbers outside a table with no unit given: not guessed
        return cells

    def values(self, numbers: list[Cell], group: list[Column], bare_total: bool,
               totals_seen: int) -> list[Cell]:
        """Return a label's amount cells: its numbers without a 行次 column or a dash."""
        values = [n for n in numbers if n[2] != "-"]
        expected = len(group) or (2 if bare_total and totals_seen == 0 else 1)
        if values and ROW_NUMBER.match(values[0][2]) and (
                self.state.row_numbers or len(values) > expected
                or (len(values) == 2 and not group)):
            values = values[1:]  # the 行次 column
        return values

    def assign(self, label: Label | None, values: list[Cell], group: list[Column],
               section: Section, totals_seen: int) -> tuple[Assigned, int] | None:
        """Return which line each amount is, and the totals seen; None when it cannot be said."""
        if label is None:  # 总计 alone: the totals, revenue first
            keys = ["revenue_total", "expenditure_total"][totals_seen:]
            if totals_seen == 0 and self.state.side == "expenditure" and len(values) == 1:
                keys = ["expenditure_total"]  # a vertical table's second 总计
            assigned: Assigned = [(k, section.phase, v) for k, v in
                                  zip(keys, values, strict=False)] if len(values) <= len(keys) else []
            return assigned, totals_seen + max(1, len(assigned))
        if len(values) == 1:
            return [(label.key, section.phase, values[0])], totals_seen
        if group and len(values) == len(group):
            return [(label.key, (phase or section.phase, scope), v)
                    for (phase, scope), v in zip(group, values, strict=True)], totals_seen
        return None  # several numbers and no header saying which is which

    def record(self, assigned: Assigned, label: Label | None, cell: Cell, line: str,
               number: int, line_start: int, section: Section) -> None:
        """Add a statement for each amount a row gives a line."""
        start, end = cell[0], cell[1]
        unit_written = self.state.unit or ""  # "" when the table states none
        for key, phase_given, value in assigned:
            phase, column_scope = phase_given if isinstance(phase_given, tuple) else (
                phase_given, None)
            scope = column_scope or (label.scope if label else None) or section.scope
            phase = (label.phase if label else None) or phase
            self.found.append(Found(
                key, scope, phase, self.year, line[start:end].strip(),
                to_wan(value[2], unit_written or self.default_unit), value[2], unit_written,
                None, line[start:value[1]].strip(), number, line_start + start))

    def read_row(self, cells: list[Cell], line: str, number: int, line_start: int,
                 section: Section) -> None:
        """Read the statements of one row: each label with the amounts after it."""
        totals_seen, first_side = 0, None
        for side, (cell, numbers) in enumerate(_labelled(cells)):
            label = _table_label(cell[2])
            bare_total = ITEM_NUMBER.sub("", cell[2]) in BARE_TOTAL
            if label is None and not bare_total:
                continue
            columns = self.state.columns
            group = columns[min(side, len(columns) - 1)] if columns else []
            values = self.values(numbers, group, bare_total, totals_seen)
            if label is not None and first_side is None and label.key in BY_KEY:
                first_side = BY_KEY[label.key].direction
            if not values:
                continue  # a row with its 行次 only: the amount cell is empty
            given = self.assign(None if bare_total else label, values, group, section,
                                totals_seen)
            if given is None:
                continue
            assigned, totals_seen = given
            self.record(assigned, label, cell, line, number, line_start, section)
        if first_side is not None:
            self.state.side = first_side

    def read(self) -> list[Found]:
        """Read every row of the text."""
        offset = 0
        for number, line in enumerate(self.lines, start=1):
            line_start, offset = offset, offset + len(line)
            section = self.sections.at(line_start)
            self.enter(section)
            cells = self.row_cells(number, line, section)
            if cells is not None:
                self.read_row(cells, line, number, line_start, section)
        return self.found


def read_tables(original: str, sections: SectionIndex, year: int, default_unit: str,
                last_resort: bool = False) -> list[Found]:
    """Return the statements of flattened table rows (label and number cells) of a text.

    Rows need a table title or a stated unit above them; as a last resort (a text that
    states no overview otherwise) rows with neither are read in the default unit.
    """
    return _RowReader(original, sections, year, default_unit, last_resort).read()
