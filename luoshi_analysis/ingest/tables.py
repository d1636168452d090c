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


def read_tables(original: str, sections: SectionIndex, year: int, default_unit: str,
                last_resort: bool = False) -> list[Found]:
    """Return the statements of flattened table rows (label and number cells) of a text.

    Rows need a table title or a stated unit above them; as a last resort (a text that
    states no overview otherwise) rows with neither are read in the default unit.
    """
    found: list[Found] = []
    state = _TableState()
    offset = 0
    lines = original.splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        line_start, offset = offset, offset + len(line)
        section = sections.at(line_start)
        if section is not state.section:
            if section.kind == "table" or state.section is None \
                    or (section.scope, section.phase) != (state.section.scope, state.section.phase):
                state = _TableState() if state.unit is None else _TableState(state.unit)
            state.section = section
        if section.kind == "other" or "。" in line:
            continue
        unit = TABLE_UNIT.search(line) or HEADING_UNIT.search(line)
        if unit:
            state.unit = unit["unit"]
        cells = _cells(line.rstrip("\r\n"))
        following = lines[number].lstrip() if number < len(lines) else ""
        if cells and cells[-1][3] and re.match(r"(?:万元|亿元|元|万|%)", following):
            cells[-1] = (*cells[-1][:3], False)  # 4112.15⏎万元: prose broken after a number
        words = [c[2] for c in cells if not c[3]]
        if any("行次" in word for word in words):  # 项目 行次 金额: a header run together
            state.row_numbers = True
        header = None if any(c[3] for c in cells) else _header(words)
        if header is not None:
            state.columns = header
            continue
        if not any(c[3] for c in cells) or (
                state.unit is None and section.kind != "table" and not last_resort):
            continue  # bare numbers outside a table with no unit given: not guessed
        totals_seen = 0
        first_side = None
        side = -1  # which label of the row (and which column group) this is
        i = 0
        while i < len(cells):
            start, end, text, is_number = cells[i]
            i += 1
            if is_number:
                continue
            side += 1
            numbers = []
            while i < len(cells) and cells[i][3]:
                numbers.append(cells[i])
                i += 1
            label = _table_label(text)
            bare_total = ITEM_NUMBER.sub("", text) in BARE_TOTAL
            if label is None and not bare_total:
                continue
            group = state.columns[min(side, len(state.columns) - 1)] if state.columns else []
            values = [n for n in numbers if n[2] != "-"]
            expected = len(group) or (2 if bare_total and totals_seen == 0 else 1)
            if values and ROW_NUMBER.match(values[0][2]) and (
                    state.row_numbers or len(values) > expected
                    or (len(values) == 2 and not group)):
                values = values[1:]  # the 行次 column
            if label is not None and first_side is None and label.key in BY_KEY:
                first_side = BY_KEY[label.key].direction
            if not values:
                continue  # a row with its 行次 only: the amount cell is empty
            unit_written = state.unit or ""  # "" when the table states none
            if bare_total:
                keys = ["revenue_total", "expenditure_total"][totals_seen:]
                if totals_seen == 0 and state.side == "expenditure" and len(values) == 1:
                    keys = ["expenditure_total"]  # a vertical table's second 总计
                assigned = [(k, section.phase, v) for k, v in zip(keys, values, strict=False)] \
                    if len(values) <= len(keys) else []
                totals_seen += max(1, len(assigned))
            elif len(values) == 1:
                assigned = [(label.key, section.phase, values[0])]
            elif group and len(values) == len(group):
                assigned = [(label.key, (phase or section.phase, scope), v)
                            for (phase, scope), v in zip(group, values, strict=True)]
            else:
                continue  # several numbers and no header saying which is which
            for key, phase, value in assigned:
                column_scope = None
                if isinstance(phase, tuple):
                    phase, column_scope = phase
                scope = column_scope or (label.scope if label else None) or section.scope
                phase = (label.phase if label else None) or phase
                amount_text = value[2]
                found.append(Found(
                    key, scope, phase, year, line[start:end].strip(),
                    to_wan(amount_text, unit_written or default_unit), amount_text, unit_written,
                    None,
                    line[start:value[1]].strip(), number, line_start + start))
        if first_side is not None:
            state.side = first_side
    return found
