"""Word and Excel files: a .docx's paragraphs and tables, a workbook's total table, as text."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from luoshi_analysis.core.errors import IngestError
from luoshi_analysis.ingest.limits import (
    AMOUNT_CELL,
    HTML_SPACE,
    MAX_UNPACKED_BYTES,
    TOTAL_LABELS,
    MiB,
    check_size,
    tidy_lines,
    why,
)
from luoshi_analysis.ingest.normalize import normalize


def read_zip(data: bytes, path: Path) -> tuple[str, str]:
    """Read a zip archive as the Word or Excel file it holds; return (text, format)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise IngestError(f"{path}: a damaged zip archive ({why(exc)}); not a .docx or .xlsx") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise IngestError(f"{path}: unpacks to {unpacked / MiB:.0f} MB, more than "
                          f"{MAX_UNPACKED_BYTES // MiB} MB; not a report")
    if "word/document.xml" in names:
        return read_docx(data, path), "docx"
    if "xl/workbook.xml" in names:
        return read_xlsx(data, path), "xlsx"
    if "OFD.xml" in names:
        raise IngestError(f"{path}: an OFD document (版式文档); export it as PDF (with text) and "
                          "ingest that")
    if "mimetype" in names and archive.read("mimetype").startswith(b"application/vnd.oasis"):
        raise IngestError(f"{path}: an OpenDocument file; save it as .docx, .xlsx or PDF and "
                          "ingest that")
    raise IngestError(f"{path}: a zip archive that is not a Word .docx or Excel .xlsx file")


def read_ole(data: bytes, path: Path) -> tuple[str, str]:
    """Read an OLE file: a legacy .xls workbook; refuse an encrypted file or a .doc."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    except OSError as exc:
        raise IngestError(f"{path}: a damaged Office file ({why(exc)})") from None
    if "EncryptedPackage" in streams:
        raise IngestError(f"{path}: a password-protected Office file; save an unprotected copy "
                          "and ingest that")
    if "WordDocument" in streams:
        raise IngestError(f"{path}: a legacy Word .doc file; save it as .docx (or PDF) and "
                          "ingest that")
    if streams & {"Workbook", "Book"}:
        return read_xls(data, path), "xls"
    raise IngestError(f"{path}: an Office container that is neither a .doc nor an .xls; "
                      "save the report as .docx, .xlsx or PDF")


def read_docx(data: bytes, path: Path) -> str:
    """Return a Word document's paragraphs and tables (rows as tab-separated lines), in order."""
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_docx_rows(block))
            else:
                lines.append(block.text)
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors on damage
        raise IngestError(f"{path}: cannot read the Word file ({why(exc)})") from None
    return tidy_lines("\n".join(lines))


def _docx_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, last = [], None
        for cell in row.cells:
            if cell._tc is last:  # a merged cell repeats; keep it once
                continue
            last = cell._tc
            cells.append(HTML_SPACE.sub(" ", cell.text).strip())
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append("\t".join(cells))
    return rows


def _format_cell(value: object, number_format: str | None = None) -> str:
    """Return a spreadsheet cell as written: amounts with the decimals their format shows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int | float):
        fmt = number_format or ""
        decimals = re.search(r"\.([0#]+)", fmt)
        places = len(decimals.group(1)) if decimals else None
        if "%" in fmt:
            return f"{value * 100:.{places or 0}f}%"
        if places is not None:
            grouped = "," if re.search(r"[#0],[#0]", fmt) else ""
            return f"{value:{grouped}.{places}f}"
        if float(value).is_integer():
            return str(int(value))
        return repr(float(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return HTML_SPACE.sub(" ", str(value)).strip()


def _sheet_text(title: str, rows: list[list[str]]) -> tuple[list[str], bool]:
    """Return a sheet's lines and whether it holds a total row (a total label and an amount)."""
    lines, has_total = [title], False
    for cells in rows:
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        lines.append("\t".join(cells))
        labels = normalize("".join(c for c in cells if not AMOUNT_CELL.match(c))).text
        if any(label in labels for label in TOTAL_LABELS) and any(AMOUNT_CELL.match(c) for c in cells):
            has_total = True
    return lines, has_total


def _workbook_text(path: Path, sheets: list[tuple[str, list[list[str]]]]) -> str:
    lines, found = [], False
    for title, rows in sheets:
        sheet_lines, has_total = _sheet_text(title, rows)
        lines.extend(sheet_lines)
        found = found or has_total
    if not found:
        names = ", ".join(title for title, _ in sheets) or "none"
        raise IngestError(
            f"{path}: the workbook has no 收入支出决算总表: no row labelled 收入总计, 支出总计, "
            f"本年收入 or 本年支出 with an amount (sheets: {names})")
    return "\n".join(lines) + "\n"


def read_xlsx(data: bytes, path: Path) -> str:
    """Return an .xlsx workbook's rows as lines (cells tab-separated), sheet by sheet.

    Raises:
        IngestError: damaged, or no sheet holds a recognisable 收入支出决算总表.
    """
    import openpyxl

    sheets = []
    size = 0
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for sheet in workbook.worksheets:
            rows = []
            for row in sheet.iter_rows():
                cells = [_format_cell(cell.value, getattr(cell, "number_format", None)) for cell in row]
                size += sum(len(c) for c in cells)
                check_size(size, path)
                rows.append(cells)
            sheets.append((sheet.title, rows))
        workbook.close()
    except IngestError:
        raise
    except Exception as exc:  # openpyxl raises many types on a damaged workbook
        raise IngestError(f"{path}: cannot read the workbook ({why(exc)})") from None
    return _workbook_text(path, sheets)


def read_xls(data: bytes, path: Path) -> str:
    """Return a legacy .xls workbook's rows as lines (cells tab-separated), sheet by sheet.

    Raises:
        IngestError: password-protected, damaged, or no recognisable 收入支出决算总表.
    """
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=False)
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise IngestError(f"{path}: a password-protected .xls workbook; save an unprotected "
                              "copy and ingest that") from None
        raise IngestError(f"{path}: cannot read the .xls workbook ({why(exc)})") from None
    except Exception as exc:  # xlrd raises struct/assertion errors on damaged files
        raise IngestError(f"{path}: cannot read the .xls workbook ({why(exc)})") from None
    sheets = []
    for sheet in book.sheets():
        rows = []
        for r in range(sheet.nrows):
            cells = []
            for cell in sheet.row(r):
                value = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    value = None
                cells.append(_format_cell(value))
            rows.append(cells)
        sheets.append((sheet.name, rows))
    return _workbook_text(path, sheets)
