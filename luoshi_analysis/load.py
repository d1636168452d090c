"""Load a year's tables from the data folder, enforcing the schema."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from luoshi_analysis import config
from luoshi_analysis.errors import (
    DataFolderError,
    DataValidationError,
    ParameterError,
    UnknownYearError,
)
from luoshi_analysis.provenance import verify_raw
from luoshi_analysis.schema import BUDGET, INDICATORS, STATEMENTS, TableSchema, enforce

_YEAR_DIR = re.compile(r"^\d{4}$")


def _root(root: Path | None) -> Path:
    path = Path(root) if root is not None else config.data_dir()
    if not path.is_dir():
        raise DataFolderError(
            f"data folder {path} not found; set {config.DATA_ENV} or run from a checkout"
        )
    return path


def years(root: Path | None = None) -> list[int]:
    """Return the years that have tables in the data folder, oldest first."""
    processed = _root(root) / config.PROCESSED_SUBDIR
    if not processed.is_dir():
        return []
    return sorted(
        int(p.name)
        for p in processed.iterdir()
        if _YEAR_DIR.match(p.name) and (p / config.BUDGET_FILE).is_file()
    )


def budget_document_years(root: Path | None = None) -> list[int]:
    """Return the years that so far have only a budget document (部门预算), oldest first.

    Such a year keeps its statements and source record but has no budget overview yet, so
    ``years`` (and every chart and check of a report) leaves it out until its 决算 arrives.
    """
    processed = _root(root) / config.PROCESSED_SUBDIR
    if not processed.is_dir():
        return []
    return sorted(
        int(p.name)
        for p in processed.iterdir()
        if _YEAR_DIR.match(p.name) and not (p / config.BUDGET_FILE).is_file()
        and (p / f"{STATEMENTS.name}.csv").is_file()
    )


def as_year(year: object, root: Path | None = None) -> int:
    """Return year as an int that has data, or raise a clear error."""
    available = years(root)
    try:
        value = int(str(year).strip())
    except ValueError:
        raise ParameterError(
            f"year {year!r} is not a year; years with data are "
            f"{', '.join(map(str, available)) or 'none'}"
        ) from None
    if value not in available:
        error = UnknownYearError(year, available)
        if value in budget_document_years(root):
            error.args = (f"{error.args[0]}; {value} has only its budget document (部门预算) so "
                          "far — ingest its report to add its tables",)
        raise error
    return value


def read_table(path: Path, table: TableSchema) -> pd.DataFrame:
    """Read one CSV as strings and enforce its schema."""
    if not path.is_file():
        raise DataFolderError(f"{path}: missing; expected the {table.name} table here")
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8", quoting=csv.QUOTE_MINIMAL
        )
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataValidationError(path, f"not a readable UTF-8 CSV ({exc})") from None
    return enforce(frame, table, path)


def _load(year: object, table: TableSchema, root: Path | None) -> pd.DataFrame:
    year = as_year(year, root)
    verify_raw(year, root)
    path = config.processed_dir(year, root) / f"{table.name}.csv"
    frame = read_table(path, table)
    wrong = frame.index[frame["year"] != year]
    if len(wrong):
        raise DataValidationError(
            path, f"year is {frame.at[wrong[0], 'year']}, expected {year}", line=int(wrong[0]) + 2,
            field="year",
        )
    return frame


def load_budget(year: object, root: Path | None = None) -> pd.DataFrame:
    """Return a year's budget overview: one row per revenue or expenditure line (万元).

    Args:
        year: The report year, e.g. 2020.
        root: A data folder other than the default.

    Raises:
        UnknownYearError: no data for the year.
        DataValidationError: the table breaks its schema.
        ProvenanceError: the raw report changed.
    """
    return _load(year, BUDGET, root)


def load_indicators(year: object, root: Path | None = None) -> pd.DataFrame:
    """Return a year's outcome indicators: one row per figure of 效益性分析.

    Args:
        year: The report year, e.g. 2020.
        root: A data folder other than the default.

    Raises:
        UnknownYearError: no data for the year.
        DataValidationError: the table breaks its schema.
        ProvenanceError: the raw report changed.
    """
    return _load(year, INDICATORS, root)


def load_statements(year: object, root: Path | None = None) -> pd.DataFrame:
    """Return every amount a year's report states: scope, phase, key, amount (万元), fragment.

    Rows whose ``year`` is earlier than ``report_year`` come from the report's year-on-year
    clauses (``stated_by`` = "later_report"); rows of a 部门预算 kept beside the report are
    ``stated_by`` = "budget_document". A year ingested before statements were kept has no
    statements.csv and gets an empty table. A year with only its budget document loads too.

    Args:
        year: The report year, e.g. 2020.
        root: A data folder other than the default.

    Raises:
        UnknownYearError: no data for the year.
        DataValidationError: the table breaks its schema.
        ProvenanceError: the raw report changed.
    """
    if str(year).strip().isdigit() and int(str(year).strip()) in budget_document_years(root):
        year = int(str(year).strip())  # a year with its budget document only
    else:
        year = as_year(year, root)
    verify_raw(year, root)
    path = config.processed_dir(year, root) / f"{STATEMENTS.name}.csv"
    if not path.is_file():
        empty = pd.DataFrame({c: pd.Series(dtype=str) for c in STATEMENTS.columns})
        return enforce(empty, STATEMENTS, path)
    frame = read_table(path, STATEMENTS)
    wrong = frame.index[frame["report_year"] != year]
    if len(wrong):
        raise DataValidationError(
            path, f"report_year is {frame.at[wrong[0], 'report_year']}, expected {year}",
            line=int(wrong[0]) + 2, field="report_year",
        )
    return frame
