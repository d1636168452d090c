"""Write the tables of one or more years into one Excel workbook (openpyxl), atomically."""

from __future__ import annotations

import io
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from luoshi_analysis.analysis.checks import PLACES, check
from luoshi_analysis.core import config, load, schema
from luoshi_analysis.core.errors import DataFolderError, ParameterError
from luoshi_analysis.core.provenance import read_source
from luoshi_analysis.reports.labels import pick, workbook_header

AMOUNT_FORMAT = "0.00"  # amounts are numbers shown with the report's two decimals
SHARE_FORMAT = "0.00"
FINE_FORMAT = "0.0000"  # computed shares in the checks
MAX_WIDTH = 60
# Check columns whose precision follows the row's unit (万元 or %).
_PER_ROW = ("expected", "found", "difference", "tolerance")


def _sheet_name(table: str) -> str:
    return f"{pick('workbook_sheets', table, 'zh')} {pick('workbook_sheets', table, 'en')}"


def _beside_figures(columns: list[str]) -> list[str]:
    """Return columns with source_fragment moved right after the figure as written."""
    if "source_fragment" not in columns:
        return columns
    rest = [c for c in columns if c != "source_fragment"]
    written = [i for i, c in enumerate(rest) if c.endswith("_as_written")]
    at = written[-1] + 1 if written else len(rest)
    return [*rest[:at], "source_fragment", *rest[at:]]


def _formats(table: schema.TableSchema | None) -> tuple[dict[str, str], dict[str, str]]:
    """Return the number format and the unit of each column of a schema table."""
    formats, units = {}, {}
    for fld in table.fields if table else ():
        if fld.unit:
            units[fld.name] = fld.unit
        if fld.type == "integer":
            formats[fld.name] = "0"
        elif fld.type == "number" and fld.unit == "万元":
            formats[fld.name] = AMOUNT_FORMAT
        elif fld.type == "number" and fld.unit == "%":
            formats[fld.name] = SHARE_FORMAT
    return formats, units


def _statements(years: list[int], root: Path | None) -> pd.DataFrame | None:
    """Return the statements of the years that have them, or None where none has."""
    loader = getattr(load, "load_statements", None)
    if loader is None:
        return None
    frames = []
    for year in years:
        try:
            frame = loader(year, root)
        except DataFolderError:  # a year ingested before statements existed has none
            continue
        if len(frame):
            frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else None


def _write_sheet(book, title: str, frame: pd.DataFrame, formats: dict[str, str],
                 units: dict[str, str], row_formats: list[str | None] | None = None) -> None:
    """Add a sheet: bilingual headers, typed cells, frozen header row, filter on every column."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    columns = list(frame.columns)
    sheet.append([workbook_header(c, units.get(c)) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for values in frame.itertuples(index=False):
        sheet.append([None if v is None or (isinstance(v, float) and pd.isna(v))
                      else v.item() if hasattr(v, "item") else v for v in values])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cells = sheet[letter][1:]
        for row, cell in enumerate(cells):
            chosen = (row_formats[row] if row_formats and column in _PER_ROW else None) or \
                formats.get(column)
            if chosen and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = chosen
        shown = [str(workbook_header(column, units.get(column)))] + [
            "" if c.value is None else str(c.value) for c in cells]
        widest = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in s) for s in shown)
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(8, widest + 2))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def workbook_bytes(years: list[int] | None = None, root: Path | None = None) -> bytes:
    """Return the .xlsx bytes of the budget, indicators, checks, source record and statements.

    Args:
        years: The years to include (default: every year with data).
        root: A data folder other than the default.
    """
    from openpyxl import Workbook

    chosen = [load.as_year(y, root) for y in years] if years else load.years(root)
    if not chosen:
        raise ParameterError(f"no years with data in {root or config.data_dir()}")
    book = Workbook()
    if book.active is not None:  # a new workbook's empty first sheet
        book.remove(book.active)
    for name, loader, table in (("budget", load.load_budget, schema.BUDGET),
                                ("indicators", load.load_indicators, schema.INDICATORS)):
        frame = pd.concat([loader(y, root) for y in chosen], ignore_index=True)
        formats, units = _formats(table)
        _write_sheet(book, _sheet_name(name), frame[_beside_figures(list(frame.columns))],
                     formats, units)
    checks = pd.concat([check(y, root) for y in chosen], ignore_index=True)
    fine = {u: FINE_FORMAT if p > 2 else AMOUNT_FORMAT for u, p in PLACES.items()}
    _write_sheet(book, _sheet_name("checks"), checks, {"year": "0"}, {},
                 [fine.get(u, FINE_FORMAT) for u in checks["unit"]])
    sources = pd.DataFrame([asdict(read_source(y, root)) for y in chosen])
    _write_sheet(book, _sheet_name("source"), sources, {"year": "0"}, {})
    statements = _statements(chosen, root)
    if statements is not None:
        formats, units = _formats(getattr(schema, "STATEMENTS", None))
        _write_sheet(book, _sheet_name("statements"),
                     statements[_beside_figures(list(statements.columns))], formats, units)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_excel(path: str | Path, years: list[int] | None = None, root: Path | None = None) -> Path:
    """Write the tables as one Excel workbook; the file is replaced only once fully written.

    One sheet each for the budget, the indicators, the checks, the source record and (where
    a year has them) the statements; headers in Chinese and English with units; amounts are
    numbers shown with two decimals; the report's text sits beside each figure.

    Args:
        path: The .xlsx file to write.
        years: The years to include (default: every year with data).
        root: A data folder other than the default.

    Returns:
        The path written.
    """
    from luoshi_analysis.core.atomic import write_bytes

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ParameterError(f"{target}: an Excel workbook needs the extension .xlsx")
    if not target.parent.is_dir():  # a mistyped folder is not made: the workbook would be lost
        raise ParameterError(f"{target}: the folder {target.parent} does not exist; create it "
                             "first or write the workbook into a folder that does")
    write_bytes(target, workbook_bytes(years, root))
    return target
