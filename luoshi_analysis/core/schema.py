"""Field dictionary and table schemas, enforced whenever a table is loaded."""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import pandas as pd

from luoshi_analysis.core.errors import DataValidationError
from luoshi_analysis.core.units import KNOWN, UNIT_PATTERN

DIRECTIONS = ("revenue", "expenditure")
LEVELS = ("total", "subtotal", "category", "balance")
QUALIFIERS = {
    "exact": "as stated",
    "more_than": "余 — more than the value",
    "nearly": "近 — nearly the value",
    "cumulative_total": "共达 — cumulative total",
    "at_least": "以上 — the value or more",
    "rank": "第N — a rank position",
    "at_most": "≤, 不超过 — the value or less (a ceiling)",
}
# Units are an open list: any unit written after a figure is kept (core/units.py classifies the
# known ones); UNITS names those the known-unit table holds.
UNITS = tuple(KNOWN)
ROLES = {
    "actual": "what was done or reached (实际完成值, 完成情况)",
    "target": "what was planned (年度指标值, 目标, 计划, 预期; a 绩效目标审批表's figures)",
}
SECTIONS = {
    0: ("outcomes", "绩效产出", "Outcomes"),  # a report without the eight sections of 效益性分析
    1: ("key_projects", "重点项目建设", "Key projects"),
    2: ("industry", "产业结构", "Industrial structure"),
    3: ("poverty_alleviation", "脱贫攻坚", "Poverty alleviation"),
    4: ("livelihoods", "民生保障", "Livelihood security"),
    5: ("rural_environment", "美丽乡村", "Beautiful countryside"),
    6: ("public_order", "社会稳定", "Social stability"),
    7: ("epidemic_control", "疫情防控", "Epidemic control"),
    8: ("party_building", "党的领导", "Party leadership"),
}
KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
# A JSON value, as written into datapackage.json descriptors.
JSONValue: TypeAlias = "str | int | float | bool | None | list[JSONValue] | dict[str, JSONValue]"
JSONObject: TypeAlias = "dict[str, JSONValue]"


@dataclass(frozen=True)
class Field:
    """One column: its type, meaning, unit and the values it allows."""

    name: str
    type: str  # Frictionless type: integer, number, string, boolean
    description: str
    unit: str | None = None
    required: bool = True
    enum: tuple[str | int, ...] | None = None
    minimum: float | None = None
    pattern: str | None = None
    extra: JSONObject = field(default_factory=dict)
    references: str | None = None  # another field of the same table whose values this one names
    default: str | None = None  # the value of an optional column a table written before it lacks

    def descriptor(self) -> JSONObject:
        """Return the Frictionless field descriptor."""
        out: JSONObject = {"name": self.name, "type": self.type, "description": self.description}
        if self.unit:
            out["unit"] = self.unit
        constraints: JSONObject = {"required": self.required}
        if self.enum is not None:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        out["constraints"] = constraints
        out.update(self.extra)
        return out


@dataclass(frozen=True)
class TableSchema:
    """A table: its fields in order and its primary key."""

    name: str
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    # field -> field that must have a value wherever the first one has one
    requires: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """Return the column names in order."""
        return [f.name for f in self.fields]

    def descriptor(self) -> JSONObject:
        """Return the Frictionless table-schema descriptor."""
        return {
            "fields": [f.descriptor() for f in self.fields],
            "primaryKey": list(self.primary_key),
            "missingValues": [""],
        }


YEAR = Field("year", "integer", "Fiscal year the report covers.", minimum=2000)

BUDGET = TableSchema(
    name="budget",
    title="Budget overview (部门整体支出概况): revenue and expenditure lines",
    primary_key=("year", "key"),
    requires={"stated_share_pct": "parent_key"},  # a stated share is a share of the parent line
    fields=(
        YEAR,
        Field("line", "integer", "Order of the line in the overview, from 1.", minimum=1),
        Field("key", "string", "Stable English key of the line.", pattern=KEY_PATTERN),
        Field("direction", "string", "Revenue or expenditure side.", enum=DIRECTIONS),
        Field(
            "level",
            "string",
            "total (收入/支出总计), subtotal (本年合计), category, or balance (结转和结余).",
            enum=LEVELS,
        ),
        Field("parent_key", "string", "Key of the line this one is part of.", required=False,
              references="key"),
        Field("label_zh", "string", "Chinese label as written in the report."),
        Field("label_en", "string", "English label."),
        Field(
            "amount",
            "number",
            "Amount as the report gives it (0 where the report states 无).",
            unit="万元",
            minimum=0,
            extra={
                "currency": "CNY",
                "factor": 10000,
                "direction": "given per row by the field 'direction'",
                "phase": "executed",
            },
        ),
        Field("amount_as_written", "string", "The amount exactly as written, or 无."),
        Field(
            "stated_share_pct",
            "number",
            "Share of the parent line the report states (占X%), kept as stated.",
            unit="%",
            required=False,
            minimum=0,
        ),
        Field("source_fragment", "string", "Verbatim text of the raw report the line comes from."),
    ),
)

INDICATORS = TableSchema(
    name="indicators",
    title="Outcome indicators (效益性分析): every quantitative statement",
    primary_key=("year", "key"),
    fields=(
        YEAR,
        Field("section", "integer", "Section number (1)–(8) of 效益性分析; 0 for a figure of a "
              "report without those sections.", enum=tuple(SECTIONS)),
        Field(
            "section_key",
            "string",
            "English key of the section.",
            enum=tuple(v[0] for v in SECTIONS.values()),
        ),
        Field("key", "string", "Stable English key of the figure.", pattern=KEY_PATTERN),
        Field("name_zh", "string", "Short Chinese name of the figure."),
        Field("name_en", "string", "Short English name of the figure."),
        Field("value", "number", "The figure as a number.", minimum=0),
        Field("value_as_written", "string", "The figure exactly as written (digits or 两/四…)."),
        Field("unit", "string", "Unit as written in the report (any: 户, 剂次, 万人次, 元/年 …).",
              pattern=UNIT_PATTERN),
        Field("qualifier", "string", "How the report qualifies the figure.", enum=tuple(QUALIFIERS)),
        Field("role", "string", "actual (what was done) or target (what was planned); a table "
              "written before the field reads as actual.", enum=tuple(ROLES), required=False,
              default="actual"),
        Field("reviewed", "boolean", "True once an analyst has confirmed the row."),
        Field("source_fragment", "string", "Verbatim text of the raw report holding the figure."),
    ),
)

# Scopes of a stated amount: whose money the figure counts.
SCOPES = {
    "all_funds": "all funds of the unit (收入总计, 本年收入合计 …)",
    "fiscal_appropriation": "fiscal appropriations (财政拨款收入/支出 …)",
    "general_public_budget": "general public budget appropriations (一般公共预算财政拨款 …)",
    "government_funds": "government-fund budget appropriations (政府性基金预算财政拨款 …)",
    "state_capital": "state-owned capital operation budget (国有资本经营预算 …)",
    "fiscal_special_account": "fiscal special account (财政专户管理资金 …)",
    "three_public_expenses": "the 'three public expenses' (三公经费)",
    "project": "one project's funds (项目资金 of a 项目支出绩效自评表)",
}
# Phases of a stated amount: executed (决算), budgeted (预算), adjusted budget (调整预算).
PHASES = {"executed": "决算, what was received or spent", "budgeted": "预算, as budgeted",
          "adjusted": "调整预算, the budget as adjusted"}
STATED_BY = {
    "this_report": "stated by the report of report_year about that year",
    "later_report": "stated by a later report: derived from its year-on-year clause (stated "
                    "amount ∓ change, see derivation) or written there as the earlier year's",
    "budget_document": "stated by the year's budget document (部门预算 / 预算批复) kept beside "
                       "its report: the year's source whose phase is budgeted",
}

STATEMENTS = TableSchema(
    name="statements",
    title="Every stated amount of the report, with its scope and phase",
    primary_key=("report_year", "statement"),
    fields=(
        Field("year", "integer", "Fiscal year the amount is about.", minimum=2000),
        Field("report_year", "integer", "Year of the report (and data folder) that states it.",
              minimum=2000),
        Field("statement", "integer", "Order of the statement in the report, from 1.", minimum=1),
        Field("scope", "string", "Whose money the amount counts.", enum=tuple(SCOPES)),
        Field("phase", "string", "executed, budgeted or adjusted.", enum=tuple(PHASES)),
        Field("key", "string", "Key of the line (as in the budget table).", pattern=KEY_PATTERN),
        Field("label_zh", "string", "The line's name as written in the report."),
        Field(
            "amount",
            "number",
            "Amount in 万元, converted exactly from the unit written (0 where the report says 无).",
            unit="万元",
            minimum=0,
            extra={"currency": "CNY", "factor": 10000},
        ),
        Field("amount_as_written", "string", "The amount exactly as written, or 无."),
        Field("unit_as_written", "string", "The unit written with the amount (万元, 元, 亿元); "
              "empty for 无, or for a table that states no unit (read in the report's usual "
              "unit, else 万元).", required=False),
        Field("stated_share_pct", "number", "Share the report states with it (占X%).", unit="%",
              required=False, minimum=0),
        Field("stated_by", "string", "Who states it: this report, a later report's "
              "year-on-year clause, or the year's budget document.", enum=tuple(STATED_BY)),
        Field("derivation", "string", "For a year-on-year clause: how the amount was derived.",
              required=False),
        Field("source_fragment", "string", "Verbatim text of the raw report holding the amount."),
        Field("source_line", "integer", "Line of the raw report text where the fragment starts.",
              minimum=1),
    ),
)

TABLES = {t.name: t for t in (BUDGET, INDICATORS, STATEMENTS)}

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
# ASCII digits only: `\d` also matches full-width and Arabic-Indic digits, which pandas rejects.
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_INTEGER = re.compile(r"^-?[0-9]+$")
# No figure of a town's report comes near 10^12 (of 万元, or of anything else): more digits than
# this before the point is a typing or extraction error, not a figure (and would overflow).
MAX_WHOLE_DIGITS = 12


def _line(index: Hashable) -> int:
    """Return the CSV line of a data row (the header is line 1)."""
    return int(str(index)) + 2


def _first_bad(mask: pd.Series[bool]) -> int | None:
    bad = mask[mask]
    return None if bad.empty else int(str(bad.index[0]))


def enforce(frame: pd.DataFrame, table: TableSchema, path: Path | str) -> pd.DataFrame:
    """Check a table read as strings against its schema and return it typed.

    Args:
        frame: The table as read from CSV, every cell a string ("" when empty).
        table: The schema to enforce.
        path: The file the table came from, named in errors.

    Returns:
        The table with typed columns in schema order.

    Raises:
        DataValidationError: naming file, line and field on the first violation.
    """
    absent = {f.name: f.default for f in table.fields
              if f.name not in frame.columns and f.default is not None}
    if absent:  # a column added to the schema later: older tables read with its default
        frame = frame.assign(**absent)
    columns = list(frame.columns)
    missing = [c for c in table.columns if c not in columns]
    if missing:
        raise DataValidationError(
            path,
            f"missing column {missing[0]!r}; the {table.name} table needs "
            f"{', '.join(table.columns)}",
        )
    unknown = [c for c in columns if c not in table.columns]
    if unknown:
        raise DataValidationError(
            path, f"unknown column {unknown[0]!r}; allowed: {', '.join(table.columns)}"
        )
    typed: dict[str, pd.Series[str] | pd.Series[float] | pd.Series[bool]] = {}
    for fld in table.fields:
        text = frame[fld.name].fillna("").astype(str).str.strip()
        empty = text == ""
        if fld.required and (row := _first_bad(empty)) is not None:
            raise DataValidationError(path, "is empty; a value is required", line=_line(row), field=fld.name)
        typed[fld.name] = _convert(text, empty, fld, path)
    out = pd.DataFrame(typed, index=frame.index)
    key_columns = list(table.primary_key)
    if (row := _first_bad(out.duplicated(key_columns, keep="first"))) is not None:
        same = (out[key_columns] == out.loc[row, key_columns]).all(axis=1)
        key = ", ".join(f"{k}={_plain(out.at[row, k])!r}" for k in key_columns)
        raise DataValidationError(
            path,
            f"duplicate key ({key}), first on line {_line(same.idxmax())}; keys must be unique",
            line=_line(row),
            field=key_columns[-1],
        )
    _check_references(out, table, path)
    return out.reset_index(drop=True)


def _plain(value: object) -> object:
    """Return a numpy scalar as the Python value it holds (2020, not np.int64(2020))."""
    return value.item() if hasattr(value, "item") else value


def _check_references(frame: pd.DataFrame, table: TableSchema, path: Path | str) -> None:
    """Check that each field referring to another field of the table names a value it holds."""
    for fld in table.fields:
        target = fld.references
        if target is None:
            continue
        known = set(frame[target])
        named = frame[fld.name]
        if (row := _first_bad(named.notna() & ~named.isin(known))) is not None:
            raise DataValidationError(
                path,
                f"{named[row]!r} is not a {target} of this table; it must name the {target} "
                f"of another line",
                line=_line(row),
                field=fld.name,
            )
        parent = dict(zip(frame[target], named, strict=True))
        for index, start in frame[target].items():
            seen, at = [start], parent.get(start)
            while at is not None and at not in seen:
                seen.append(at)
                at = parent.get(at)
            if at is not None:
                raise DataValidationError(
                    path,
                    f"{' → '.join(map(str, [*seen, at]))} is a cycle; a line cannot be part "
                    "of itself",
                    line=_line(index),
                    field=fld.name,
                )
    for name, needs in table.requires.items():
        if (row := _first_bad(frame[name].notna() & frame[needs].isna())) is not None:
            raise DataValidationError(
                path,
                f"has a value but {needs!r} is empty; {name!r} needs {needs!r}",
                line=_line(row),
                field=name,
            )


def _convert(text: pd.Series[str], empty: pd.Series[bool], fld: Field,
             path: Path | str) -> pd.Series[str] | pd.Series[float] | pd.Series[bool]:
    """Convert one string column to its type and check its constraints."""
    if fld.type in ("number", "integer"):
        pattern = _INTEGER if fld.type == "integer" else _NUMBER
        bad = ~empty & ~text.str.match(pattern)
        if (row := _first_bad(bad)) is not None:
            kind = ("a whole number (ASCII digits 0-9)" if fld.type == "integer"
                    else "a number like 1334.20 (ASCII digits 0-9 and a point)")
            raise DataValidationError(
                path, f"{text[row]!r} is not {kind}", line=_line(row), field=fld.name
            )
        whole_digits = text.str.lstrip("-").str.split(".").str[0].str.lstrip("0").str.len()
        if (row := _first_bad(~empty & (whole_digits > MAX_WHOLE_DIGITS))) is not None:
            shown = text[row] if len(text[row]) <= 24 else f"{text[row][:20]}… ({len(text[row])} characters)"
            raise DataValidationError(
                path,
                f"{shown} is too large; at most {MAX_WHOLE_DIGITS} digits before the point",
                line=_line(row),
                field=fld.name,
            )
        values = pd.to_numeric(text.where(~empty), errors="raise")
        if fld.type == "integer" and not empty.any():
            values = values.astype("int64")
        if fld.minimum is not None and (row := _first_bad(values < fld.minimum)) is not None:
            raise DataValidationError(
                path,
                f"{text[row]} is below the minimum {fld.minimum:g}",
                line=_line(row),
                field=fld.name,
            )
    elif fld.type == "boolean":
        lowered = text.str.lower()
        bad = ~empty & ~lowered.isin(_TRUE | _FALSE)
        if (row := _first_bad(bad)) is not None:
            raise DataValidationError(
                path, f"{text[row]!r} is not true or false", line=_line(row), field=fld.name
            )
        values = lowered.isin(_TRUE)
    else:
        values = text.where(~empty, None) if not fld.required else text
        if fld.pattern and (row := _first_bad(~empty & ~text.str.match(fld.pattern))) is not None:
            what = ("a key (lower-case letters, digits and _)" if fld.pattern == KEY_PATTERN
                    else "a unit as written (1–8 characters, no digits or spaces: 户, 剂次, 元/年)")
            raise DataValidationError(
                path, f"{text[row]!r} is not {what}", line=_line(row), field=fld.name)
    if fld.enum is not None:
        allowed = {str(v) for v in fld.enum}
        bad = ~empty & ~text.isin(allowed)
        if (row := _first_bad(bad)) is not None:
            raise DataValidationError(
                path,
                f"{text[row]!r} is not allowed; allowed: {', '.join(str(v) for v in fld.enum)}",
                line=_line(row),
                field=fld.name,
            )
    return values
