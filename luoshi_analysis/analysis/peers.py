"""Units of a collection side by side: each unit's totals, shares and ratios of a year, one row each."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pandas as pd

from luoshi_analysis.analysis.checks import check
from luoshi_analysis.analysis.overview import BUDGETED, EXECUTED, overview, overview_phase
from luoshi_analysis.analysis.ratios import BUDGET_PHASE_RATIOS, RATIOS, budget_phase_ratios
from luoshi_analysis.core.collection import Unit, units
from luoshi_analysis.core.errors import UnknownYearError
from luoshi_analysis.core.lines import BY_KEY, LINES
from luoshi_analysis.core.load import document_years, load_indicators, load_statements, parse_year
from luoshi_analysis.core.provenance import read_source
from luoshi_analysis.core.schema import Field, TableSchema

# The amounts of a row (万元), as the unit's own report states them.
AMOUNT_KEYS = ("revenue_total", "expenditure_total", "revenue_current_year",
               "expenditure_current_year", "expenditure_carryforward")
# The categories of this year's revenue and spending, each shown as a share of its subtotal.
REVENUE_CATEGORIES = tuple(line.key for line in LINES if line.parent == "revenue_current_year")
EXPENDITURE_CATEGORIES = tuple(line.key for line in LINES
                               if line.parent == "expenditure_current_year")
# The lines compared with the previous year (peer_change).
CHANGE_KEYS = ("revenue_total", "expenditure_total", "revenue_current_year",
               "expenditure_current_year")
_CARRYFORWARD = next(r for r in RATIOS if r.key == "carryforward_rate")
_EXECUTION = next(r for r in BUDGET_PHASE_RATIOS if r.key == "budget_execution_rate")


def share_column(key: str, of: str) -> str:
    """Return the name of the column holding a line's share of another: {key}_pct_of_{of}."""
    return f"{key}_pct_of_{of}"


REVENUE_SHARES = tuple(share_column(k, "revenue_current_year") for k in REVENUE_CATEGORIES)
EXPENDITURE_SHARES = tuple(share_column(k, "expenditure_current_year")
                           for k in EXPENDITURE_CATEGORIES)


def stated_categories(peers: pd.DataFrame, side: str) -> list[str]:
    """Return the categories of one side ("revenue" or "expenditure") some unit states a share of.

    A category every unit states as none, or not at all, adds nothing to a comparison.
    """
    keys = REVENUE_CATEGORIES if side == "revenue" else EXPENDITURE_CATEGORIES
    return [k for k in keys if (peers[share_column(k, f"{side}_current_year")] > 0).any()]


def _amount_field(key: str) -> Field:
    line = BY_KEY[key]
    return Field(key, "number", f"{line.label_zh} ({line.label_en}) as the unit's report states "
                 "it, exact; converted at ingest where the report writes 元.", unit="万元",
                 required=False, minimum=0)


def _share_field(key: str, of: str) -> Field:
    line, whole = BY_KEY[key], BY_KEY[of]
    return Field(share_column(key, of), "number",
                 f"{line.label_zh} / {whole.label_zh} × 100 ({line.label_en} as a share of "
                 f"{whole.label_en.lower()}); empty where the report does not state the line.",
                 unit="%", required=False, minimum=0)


# The field dictionary of the peers table (computed, never stored): column, type, unit, meaning.
PEERS = TableSchema(
    name="peers",
    title="Units of a collection side by side: one row per unit and year",
    primary_key=("year", "unit"),
    fields=(
        Field("year", "integer", "Fiscal year.", minimum=2000),
        Field("unit", "string", "The unit: the issuer as its reports state it."),
        Field("unit_en", "string", "Its English name where the source record gives one.",
              required=False),
        Field("folder", "string", "The unit's data folder."),
        Field("phase", "string", "executed: the year's final accounts (决算); budgeted: only "
              "its budget document (部门预算), whose amounts are budgeted.",
              enum=(EXECUTED, BUDGETED)),
        *(_amount_field(k) for k in AMOUNT_KEYS),
        Field("current_year_is_total", "boolean", "本年收入合计 and 本年支出合计 are the "
              "document's 收入总计 and 支出总计: a 部门预算 that states no balance and no "
              "separate current-year line (as analysis.ratios reads it)."),
        *(_share_field(k, "revenue_current_year") for k in REVENUE_CATEGORIES),
        *(_share_field(k, "expenditure_current_year") for k in EXPENDITURE_CATEGORIES),
        Field("carryforward_rate_pct", "number", f"{_CARRYFORWARD.name_zh}: "
              f"{_CARRYFORWARD.formula_en} (analysis.ratios carryforward_rate).", unit="%",
              required=False, minimum=0),
        Field("budget_execution_rate_pct", "number", f"{_EXECUTION.name_zh}: "
              f"{_EXECUTION.formula_en}; only where the documents state both.", unit="%",
              required=False, minimum=0),
        Field("budget_execution_scope", "string", "Whose money the execution rate counts "
              "(all_funds, fiscal_appropriation, general_public_budget): the first the "
              "documents state in both phases.", required=False),
        Field("checks_ok", "boolean", "Every check of analysis.checks.check holds (for a "
              "budgeted row, the identities of its budget)."),
        Field("checks_failed", "integer", "How many of those checks fail.", minimum=0),
        Field("rows_unreviewed", "integer", "Outcome-indicator rows not yet reviewed.", minimum=0),
        Field("source_title", "string", "Title of the year's document (its source record)."),
        Field("source_kind", "string", "What the document is (部门决算, 部门预算 …); empty for "
              "records older than the field.", required=False),
        Field("source_url", "string", "The page the document was published at, where known.",
              required=False),
        Field("amount_unit_as_reported", "string", "The unit the document writes amounts in "
              "(万元, 元); amounts here are in 万元 either way."),
    ),
)
PEER_COLUMNS = PEERS.columns
CHANGE_COLUMNS = ["year", "year_previous", "unit", "unit_en", "phase", "key", "label_zh",
                  "label_en", "amount_previous", "amount_current", "change", "change_pct"]


def _amounts(unit: Unit, year: int) -> tuple[str, dict[str, float], bool] | None:
    """Return (phase, amounts by line, current_year_is_total) of a unit's year, or None.

    The amounts are the year's overview (analysis.overview): its report's, else its budget's.
    """
    phase = overview_phase(year, unit.folder)
    table = overview(year, unit.folder) if phase else None
    if phase is None or table is None or table.empty:
        return None
    amounts = dict(zip(table["key"].astype(str), table["amount"].astype(float), strict=True))
    if phase == EXECUTED:
        return EXECUTED, amounts, False
    from_total = False
    for side, balance in (("revenue", "revenue_carryover"),
                          ("expenditure", "expenditure_carryforward")):
        total, current = f"{side}_total", f"{side}_current_year"
        if current not in amounts and total in amounts and not amounts.get(balance):
            amounts[current] = amounts[total]  # a 部门预算's 收入/支出预算 is the year's
            from_total = True
    return BUDGETED, amounts, from_total


def _ratio(numerator: float | None, denominator: float | None) -> float:
    """Return numerator / denominator × 100, or NaN where either is missing or the base is 0."""
    if numerator is None or denominator is None or not denominator or math.isnan(denominator):
        return float("nan")
    return numerator / denominator * 100


def _execution(statements: pd.DataFrame, year: int) -> tuple[float, str]:
    """Return the budget execution rate and its scope: the first scope stating both phases."""
    for scope in _EXECUTION.scopes:
        found = budget_phase_ratios(statements[statements["scope"] == scope], year)
        rate = found[found["key"] == _EXECUTION.key]
        if not rate.empty:
            return float(rate["value_pct"].iloc[0]), scope
    return float("nan"), ""


def _checks(unit: Unit, year: int) -> tuple[bool, int]:
    """Return whether every check of a year holds, and how many fail."""
    ok = check(year, unit.folder)["ok"].astype(bool)
    return bool(ok.all()), int((~ok).sum())


def unit_row(unit: Unit, year: int) -> dict[str, object] | None:
    """Return a unit's row of a year, or None where its documents state no amounts for it."""
    found = _amounts(unit, year)
    if found is None:
        return None
    phase, amount, from_total = found
    statements = load_statements(year, unit.folder)
    source = read_source(year, unit.folder)
    indicators = load_indicators(year, unit.folder)
    rate, scope = _execution(statements, year) if phase == EXECUTED else (float("nan"), "")
    checks_ok, checks_failed = _checks(unit, year)
    row: dict[str, object] = {
        "year": year, "unit": unit.name, "unit_en": source.issuer_en, "folder": str(unit.folder),
        "phase": phase, **{k: amount.get(k, float("nan")) for k in AMOUNT_KEYS},
        "current_year_is_total": from_total,
    }
    for keys, whole in ((REVENUE_CATEGORIES, "revenue_current_year"),
                        (EXPENDITURE_CATEGORIES, "expenditure_current_year")):
        for key in keys:
            row[share_column(key, whole)] = _ratio(amount.get(key), amount.get(whole))
    row.update({
        "carryforward_rate_pct": _ratio(amount.get(_CARRYFORWARD.numerator),
                                        amount.get(_CARRYFORWARD.denominator)),
        "budget_execution_rate_pct": rate, "budget_execution_scope": scope,
        "checks_ok": checks_ok, "checks_failed": checks_failed,
        "rows_unreviewed": int((~indicators["reviewed"].astype(bool)).sum()),
        "source_title": source.title, "source_kind": source.kind, "source_url": source.url,
        "amount_unit_as_reported": source.amount_unit_as_reported,
    })
    return row


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Return the rows as a peers table, every column typed as the field dictionary says."""
    frame = pd.DataFrame(rows, columns=PEER_COLUMNS)
    types = {"integer": "int64", "number": "float64", "boolean": "bool", "string": "object"}
    return frame.astype({f.name: types[f.type] for f in PEERS.fields})


def unit_years(unit: Unit) -> list[int]:
    """Return the years a unit's documents give an overview for: executed, or budgeted only."""
    return [y for y in document_years(unit.folder) if overview_phase(y, unit.folder)]


def peer_years(collection: Path | None = None) -> list[int]:
    """Return the years any unit of a collection has amounts for, oldest first."""
    return sorted({y for unit in units(collection) for y in unit_years(unit)})


def _checked_year(year: object, available: list[int]) -> int:
    """Return year as an int that some unit has, or raise naming the years that do."""
    value = parse_year(year, available)
    if value not in available:
        raise UnknownYearError(year, available)
    return value


def as_peer_year(year: object, collection: Path | None = None) -> int:
    """Return year as an int that some unit of the collection has amounts for.

    Raises:
        ParameterError: year is not four digits.
        UnknownYearError: no unit has it (the message lists the years some unit has).
    """
    return _checked_year(year, peer_years(collection))


def peers(year: object, collection: Path | None = None) -> pd.DataFrame:
    """Return one row per unit of a collection that has the year: its figures side by side.

    Amounts are in 万元, exactly as each unit's own report states them (a report in 元 was
    converted at ingest). A unit whose year has only its budget document (部门预算) gives its
    budgeted amounts with ``phase`` "budgeted"; the others are "executed" (决算). Shares are
    named by what they are a share of (``{line}_pct_of_{whole}``). The columns, their types
    and units are the field dictionary ``PEERS`` (``PEERS.descriptor()`` in Frictionless form):

    year, unit, unit_en, folder, phase; revenue_total, expenditure_total,
    revenue_current_year, expenditure_current_year, expenditure_carryforward (万元);
    current_year_is_total; each revenue category ``_pct_of_revenue_current_year`` and each
    spending category ``_pct_of_expenditure_current_year`` (%); carryforward_rate_pct (年末结转和结余
    / 收入总计, %); budget_execution_rate_pct and budget_execution_scope; checks_ok,
    checks_failed; rows_unreviewed; source_title, source_kind, source_url,
    amount_unit_as_reported.

    Args:
        year: The fiscal year.
        collection: A collection folder other than the configured one.

    Raises:
        UnknownYearError: no unit has the year (the message lists the years some unit has).
    """
    everything = units(collection)
    year = _checked_year(year, sorted({y for u in everything for y in unit_years(u)}))
    rows = [row for unit in everything if year in unit_years(unit)
            if (row := unit_row(unit, year)) is not None]
    return _frame(rows)


def peers_over_years(collection: Path | None = None) -> pd.DataFrame:
    """Return the peers table of every year: one row per unit and year (long format).

    Rows run unit by unit (in the collection's order), each unit's years oldest first; the
    columns are those of ``peers``.

    Args:
        collection: A collection folder other than the configured one.
    """
    rows = [row for unit in units(collection) for year in unit_years(unit)
            if (row := unit_row(unit, year)) is not None]
    return _frame(rows)


def _difference(later: float, earlier: float) -> float:
    """Return later − earlier exactly at any number of decimals (amounts from 元 have six)."""
    return float(Decimal(repr(float(later))) - Decimal(repr(float(earlier))))


def peer_change(over_years: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return each unit's totals in the year before and in the year, and their change.

    Only units with both years in the same phase are compared (a budget is never set against
    final accounts), and only lines both years state.

    Args:
        over_years: Rows of ``peers_over_years``.
        year: The later year.
    """
    previous = {str(r["unit"]): r for r in over_years[over_years["year"] == year - 1]
                .to_dict("records")}
    rows = []
    for now in over_years[over_years["year"] == year].to_dict("records"):
        unit = str(now["unit"])
        before = previous.get(unit)
        if before is None or before["phase"] != now["phase"]:
            continue
        for key in CHANGE_KEYS:
            old, new = float(before[key]), float(now[key])
            if math.isnan(old) or math.isnan(new):
                continue
            change = _difference(new, old)
            rows.append({"year": year, "year_previous": year - 1, "unit": unit,
                         "unit_en": now["unit_en"], "phase": now["phase"], "key": key,
                         "label_zh": BY_KEY[key].label_zh, "label_en": BY_KEY[key].label_en,
                         "amount_previous": old, "amount_current": new, "change": change,
                         "change_pct": _ratio(change, old)})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
