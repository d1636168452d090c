"""Load a year's tables from the data folder, enforcing the schema."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from luoshi_analysis.core import config
from luoshi_analysis.core.atomic import read_bytes
from luoshi_analysis.core.errors import (
    DataFolderError,
    DataValidationError,
    ParameterError,
    UnknownYearError,
)
from luoshi_analysis.core.provenance import listed_tables, verify_raw
from luoshi_analysis.core.schema import BUDGET, INDICATORS, STATEMENTS, TableSchema, enforce

# ASCII digits only: `\d` and int() also accept full-width and other Unicode digits.
_YEAR_DIR = re.compile(r"^[0-9]{4}$")


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


def document_years(root: Path | None = None) -> list[int]:
    """Return every year with a document of the unit (of any kind), oldest first.

    A year's folder holds its source records (datapackage.json) and the tables its documents
    give: a budget overview (``years``), outcome indicators, stated amounts, or some of them.
    """
    processed = _root(root) / config.PROCESSED_SUBDIR
    if not processed.is_dir():
        return []
    return sorted(int(p.name) for p in processed.iterdir()
                  if _YEAR_DIR.match(p.name) and (p / config.DATAPACKAGE_FILE).is_file())


def parse_year(year: object, available: list[int] | None = None) -> int:
    """Return a year written as four ASCII digits as an int, or raise one clear line.

    Raises:
        ParameterError: not four digits 0-9 (naming the years with data, when given).
    """
    if not _YEAR_DIR.match(str(year).strip()):
        shown = f"; years with data are {', '.join(map(str, available)) or 'none'}" if (
            available is not None) else ""
        raise ParameterError(f"year {year!r} is not a year (four digits 0-9){shown}")
    return int(str(year).strip())


def as_year(year: object, root: Path | None = None, available: list[int] | None = None) -> int:
    """Return year as an int that has data, or raise a clear error.

    Args:
        year: The year asked for.
        root: A data folder other than the default.
        available: The years to accept (default: the years with a budget overview).
    """
    available = years(root) if available is None else available
    value = parse_year(year, available)
    if value not in available:
        error = UnknownYearError(year, available)
        if value in budget_document_years(root):
            error.args = (f"{error.args[0]}; {value} has only its budget document (部门预算) so "
                          "far — ingest its report to add its tables",)
        raise error
    return value


def _decode(path: Path, data: bytes) -> str:
    """Return a CSV file's text: UTF-8, with or without the BOM spreadsheets write."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataValidationError(
            path, f"byte 0x{data[exc.start]:02x} is not UTF-8; save the table as UTF-8 CSV",
            line=line,
        ) from None


def _records(path: Path, text: str, width: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield (physical line where it starts, fields) of each record after the header.

    A quoted value may span lines and blank lines are skipped, so a record's line is counted
    in the file's own lines, never in records.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(reader, None)
    while True:
        start = reader.line_num + 1  # a quoted value may span lines: name where the row starts
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataValidationError(
                path, f"not a readable CSV ({exc}); a quote opened here may never be closed",
                line=start) from None
        if not row:
            continue  # a blank line
        if width is not None and len(row) != width:
            raise DataValidationError(
                path, f"{len(row)} fields, the header has {width}; "
                "quote a value that holds a comma", line=start)
        yield start, row


def record_lines(path: Path) -> list[int]:
    """Return the line of the file where each row of a table starts (the header is line 1).

    Rows come in the order ``read_table`` returns them, so the line of row ``i`` of a loaded
    table is ``record_lines(path)[i]``: what load errors and validation violations name.
    """
    text = _decode(path, read_bytes(path, "expected a table here"))
    return [start for start, _row in _records(path, text)]


def read_table(path: Path, table: TableSchema) -> pd.DataFrame:
    """Read one CSV as strings and enforce its schema."""
    text = _decode(path, read_bytes(path, f"expected the {table.name} table here"))
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise DataValidationError(path, "holds a NUL character; a CSV holds text", line=line)
    header = next(csv.reader(io.StringIO(text, newline=""), strict=True), None)
    if header is None:
        raise DataValidationError(
            path, f"is empty; the {table.name} table needs the header "
            f"{','.join(table.columns)} and one row per line")
    if (twice := next((c for c in header if header.count(c) > 1), None)) is not None:
        raise DataValidationError(path, f"column {twice!r} appears twice in the header", line=1)
    records = list(_records(path, text, len(header)))
    # index = line - 2, so that errors raised by enforce name the file's own lines
    frame = pd.DataFrame([row for _start, row in records], columns=header,
                         index=[start - 2 for start, _row in records], dtype=str)
    return enforce(frame, table, path)


def _states_executed_amounts(year: int, root: Path | None) -> bool:
    """Whether a year's report states executed amounts: unknown (True) without statements."""
    path = config.processed_dir(year, root) / "statements.csv"
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"), newline="")))
    except (OSError, UnicodeDecodeError, csv.Error):
        return True  # no statements (or unreadable ones, which their own loader reports)
    return not rows or any(row.get("phase") == "executed" for row in rows)


def _empty(table: TableSchema, path: Path) -> pd.DataFrame:
    """Return a table with no rows, its columns typed as the schema says."""
    return enforce(pd.DataFrame({c: pd.Series(dtype=str) for c in table.columns}), table, path)


def _load(year: object, table: TableSchema, root: Path | None) -> pd.DataFrame:
    year = as_year(year, root, None if table is BUDGET else document_years(root))
    verify_raw(year, root)
    path = config.processed_dir(year, root) / f"{table.name}.csv"
    frame = read_table(path, table)
    if frame.empty and table is BUDGET and _states_executed_amounts(year, root):
        raise DataValidationError(
            path, "has a header but no rows; the budget table needs the lines of the overview "
            "(only a budget document, which states no executed amount, leaves it empty)")
    wrong = frame.index[frame["year"] != year]
    if len(wrong):
        raise DataValidationError(
            path, f"year is {frame['year'].loc[wrong[0]]}, expected {year}",
            line=record_lines(path)[int(str(wrong[0]))],
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

    A year whose documents state no outcome figures (a plain 部门决算) gets an empty table.

    Args:
        year: The report year, e.g. 2020.
        root: A data folder other than the default.

    Raises:
        UnknownYearError: no data for the year.
        DataValidationError: the table breaks its schema.
        ProvenanceError: the raw report changed.
    """
    year = as_year(year, root, document_years(root))
    if INDICATORS.name not in listed_tables(year, root):
        verify_raw(year, root)  # documents without outcome figures (a plain 部门决算)
        return _empty(INDICATORS, config.processed_dir(year, root) / config.INDICATORS_FILE)
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
    year = as_year(year, root, document_years(root))
    verify_raw(year, root)
    path = config.processed_dir(year, root) / f"{STATEMENTS.name}.csv"
    if not path.is_file():
        return _empty(STATEMENTS, path)
    frame = read_table(path, STATEMENTS)
    wrong = frame.index[frame["report_year"] != year]
    if len(wrong):
        raise DataValidationError(
            path, f"report_year is {frame['report_year'].loc[wrong[0]]}, expected {year}",
            line=record_lines(path)[int(str(wrong[0]))], field="report_year",
        )
    return frame
