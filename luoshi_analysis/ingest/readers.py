"""Read a published report — text, web page, PDF, Word, spreadsheet — into text, by its content.

The format is told by the file's first bytes and structure, never by its name alone: a PDF saved
as ``.html`` is read as a PDF. Tables become one line per row with cells separated by a tab, so
the overview parser sees a flattened table the way it sees one copied out of a page.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from luoshi_analysis.core.errors import IngestError
from luoshi_analysis.core.terminal import for_terminal
from luoshi_analysis.ingest.normalize import clean_extracted, decode_report, normalize

MiB = 1024 * 1024
# A report is tens of kilobytes of text; a PDF of one, with fonts, a few megabytes.
MAX_FILE_BYTES = 20 * MiB
MAX_TEXT_BYTES = 5 * MiB  # the text read from a file, in UTF-8
MAX_UNPACKED_BYTES = 100 * MiB  # a .docx/.xlsx is a zip: what it unpacks to
MAX_PDF_PAGES = 500  # a report has tens of pages; each page costs the PDF library real time

FORMAT_SUFFIX = {"text": ".txt", "html": ".html", "mhtml": ".mhtml", "pdf": ".pdf", "docx": ".docx",
                 "xlsx": ".xlsx", "xls": ".xls"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")
_HTML_START = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|table"
    rb"|div|p)[\s>/]", re.IGNORECASE | re.DOTALL)
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A 收入支出决算总表 has a row with one of these labels and an amount.
TOTAL_LABELS = ("收入总计", "支出总计", "本年收入", "本年支出", "收入合计", "支出合计", "收入总额",
                "支出总额")
_AMOUNT_CELL = re.compile(r"^-?[\d,]+(?:\.\d+)?$")
_UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")  # what pdfminer writes for a glyph it cannot map
_SENTENCE_END = ("。", "！", "？", "；", "：", ":", ";", "!", "?")


@dataclass(frozen=True)
class ReadReport:
    """A report file as received and the text read from it."""

    data: bytes  # the file's bytes, byte for byte
    text: str  # the text read from it (tables as tab-separated rows)
    format: str  # text, html, pdf, docx, xlsx or xls
    encoding: str  # the text encoding for text and html; "" for the binary formats

    @property
    def suffix(self) -> str:
        """Return the file extension the raw copy is stored under."""
        return FORMAT_SUFFIX[self.format]


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Return a regular file's bytes, refusing it before reading when it is larger than limit.

    At most limit + 1 bytes are ever read, so a file that grows while it is read cannot exhaust
    memory; devices, FIFOs and folders are refused without being opened.

    Raises:
        IngestError: missing, not a regular file, unreadable or too large.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read the file ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, FIFO or socket)"
        raise IngestError(f"{path}: {kind}; give the path of a saved report file")
    too_large = (f"{path}: larger than {limit // MiB} MB; a report (text, web page, PDF, Word or "
                 f"spreadsheet) is at most {limit // MiB} MB")
    if info.st_size > limit:
        raise IngestError(f"{too_large} (this file is {info.st_size / MiB:.1f} MB)")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise IngestError(f"{path}: cannot read the file ({exc.strerror})") from None
    if len(data) > limit:
        raise IngestError(too_large)
    return data


def sniff(data: bytes) -> str:
    """Return the format the bytes are in: pdf, zip, ole, image, rtf, html or text."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.startswith(IMAGE_MAGIC):
        return "image"
    if data.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    if _HTML_START.match(data.removeprefix(b"\xef\xbb\xbf")[:4096]):
        return "html"
    head = data[:4096].lower()
    if b"mime-version:" in head and b"multipart/related" in head:
        return "mhtml"  # a page saved as one file (.mhtml/.mht, "web page, single file")
    return "text"


def read_report(path: Path | str) -> ReadReport:
    """Read a report file of any supported format into text.

    Raises:
        IngestError: too large, unreadable, of a format that holds no readable text (a scan,
            a password-protected file, a legacy .doc, an image, an unknown binary), a workbook
            without a total table, or text larger than ``MAX_TEXT_BYTES``.
    """
    path = Path(path)
    data = read_bounded(path)
    kind = sniff(data)
    encoding = ""
    if kind == "pdf":
        text, fmt = read_pdf(data, path), "pdf"
    elif kind == "zip":
        text, fmt = _read_zip(data, path)
    elif kind == "ole":
        text, fmt = _read_ole(data, path)
    elif kind == "image":
        raise IngestError(f"{path}: an image, not text; a scanned report needs OCR first — "
                          "give the text, web page, PDF with a text layer or Word file instead")
    elif kind == "rtf":
        raise IngestError(f"{path}: an RTF document; save it as .docx or PDF and ingest that")
    elif kind == "html":
        (text, encoding), fmt = read_html(data, path), "html"
    elif kind == "mhtml":
        (text, encoding), fmt = read_mhtml(data, path), "mhtml"
    else:
        (text, encoding), fmt = decode_report(data, path), "text"
        if _HTML_START.match(text[:4096].encode("utf-8")):  # a page saved as UTF-16
            text, fmt = html_text(text), "html"
    _check_text(text, path, fmt)
    return ReadReport(data=data, text=text, format=fmt, encoding=encoding)


def _check_text(text: str, path: Path, fmt: str) -> None:
    _check_size(len(text.encode("utf-8")), path)
    if fmt != "text" and not _CJK.search(text):
        raise IngestError(f"{path}: read as {fmt} but holds no Chinese text; expected a report")


def _why(exc: BaseException) -> str:
    """Return a library's error as a short line; its text may quote the file's bytes."""
    text = for_terminal(f"{type(exc).__name__}: {exc}")
    return text if len(text) <= 160 else text[:159] + "…"


def _check_size(size: int, path: Path) -> None:
    if size > MAX_TEXT_BYTES:
        raise IngestError(f"{path}: the text read from it is larger than {MAX_TEXT_BYTES // MiB} MB; "
                          "a report's text is at most that")


# -- web pages ----------------------------------------------------------------------------------

_DROPPED_TAGS = ("script", "style", "noscript", "template", "head", "iframe", "object", "svg")
_BLOCK_TAGS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
               "section", "article", "header", "footer", "nav", "aside", "main", "blockquote",
               "pre", "hr", "form", "fieldset", "address", "figure", "figcaption", "caption",
               "center", "title", "table", "tr", "td", "th")  # the last: what layout tables hold
MAX_DATA_CELL = 200  # a longer cell is a page's text laid out in a table, not a figure
_HTML_SPACE = re.compile(r"[ \t\n\r\f\v]+")  # not the no-break space, which is written on purpose


def html_charset(data: bytes) -> str | None:
    """Return the charset a page declares in its first 4 KB (``<meta charset>``), if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def read_html(data: bytes, path: Path, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding) of a saved web page: its text, and each table row as one line.

    The declared ``<meta charset>`` (or the charset a web archive gives the page) is honoured,
    GB2312 and GBK decoded as GB18030, their superset; scripts, styles and the head are dropped.
    """
    markup, encoding = decode_report(data, path, declared=declared or html_charset(data))
    return html_text(markup), encoding


def read_mhtml(data: bytes, path: Path) -> tuple[str, str]:
    """Return (text, encoding) of the web page inside a web archive (.mhtml/.mht)."""
    import email
    import email.policy

    message = email.message_from_bytes(data, policy=email.policy.compat32)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            return read_html(payload, path, declared=part.get_content_charset())
    raise IngestError(f"{path}: a web archive (.mhtml) with no web page in it")


def html_text(markup: str) -> str:
    """Return a page's text: block elements on lines of their own, table rows tab-separated."""
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup.find_all(_DROPPED_TAGS):
        if not tag.decomposed:
            tag.decompose()
    for string in soup.find_all(string=True):
        if string.find_parent(["pre", "textarea"]) is None:
            string.replace_with(_HTML_SPACE.sub(" ", str(string)))
    for table in reversed(soup.find_all("table")):  # inner tables first
        rows = [[_HTML_SPACE.sub(" ", cell.get_text(" ")).strip()
                 for cell in row.find_all(["td", "th"], recursive=False)]
                for row in table.find_all("tr")]
        if any(len(cell) > MAX_DATA_CELL for row in rows for cell in row):
            continue  # a layout table holding the page's text: its cells are blocks, below
        lines = []
        for cells in rows:
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                lines.append("\t".join(cells))
        table.replace_with(NavigableString("\n" + "\n".join(lines) + "\n"))
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(_BLOCK_TAGS):
        block.insert_before("\n")
        block.insert_after("\n")
    return _tidy_lines(soup.get_text())


def _tidy_lines(text: str) -> str:
    lines = (line.strip(" ") for line in text.split("\n"))
    return "\n".join(line for line in lines if line.strip(" \t")) + "\n"


# -- PDF ----------------------------------------------------------------------------------------

def read_pdf(data: bytes, path: Path) -> str:
    """Return the text layer of a PDF: page text, and each ruled table's rows as lines.

    Raises:
        IngestError: password-protected, damaged, or with no text layer (a scan).
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError
    from pdfplumber.utils.exceptions import PdfminerException

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font warnings are not the user's
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFEncryptionError):
            raise IngestError(f"{path}: the PDF is password-protected; save an unprotected copy "
                              "(or its text) and ingest that") from None
        raise IngestError(f"{path}: not a readable PDF ({_why(cause)})") from None
    pages, size, chars = [], 0, 0
    try:
        with pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise IngestError(f"{path}: {len(pdf.pages)} pages; a report is at most "
                                  f"{MAX_PDF_PAGES} pages — split out the report and ingest that")
            for page in pdf.pages:
                page = page.dedupe_chars()
                chars += len(page.chars)
                text = _pdf_page_text(page)
                size += len(text.encode("utf-8"))
                _check_size(size, path)
                pages.append(text)
    except IngestError:
        raise
    except Exception as exc:  # a damaged file can fail in many ways inside the PDF library
        raise IngestError(f"{path}: cannot read the PDF ({_why(exc)})") from None
    if not chars:
        raise IngestError(f"{path}: the PDF has no text layer (a scan of {len(pages)} page(s)); "
                          "run OCR on it or ask for the text, web page or Word version")
    text = "\n".join(pages)
    unmapped = len(_UNMAPPED_GLYPH.findall(text))
    if unmapped and unmapped >= 0.2 * len(_UNMAPPED_GLYPH.sub("x", text)):
        raise IngestError(f"{path}: the PDF's fonts have no character map ({unmapped} glyphs read "
                          "as (cid:…)), so its text cannot be read; run OCR on it or ask for the "
                          "text, web page or Word version")
    return clean_extracted(text) + "\n"


def _pdf_page_text(page) -> str:
    """Return a page's lines and tables top to bottom, lines wrapped at the margin rejoined."""
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]

    def outside_tables(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    lines = (page.filter(outside_tables) if tables else page).extract_text_lines(return_chars=False)
    blocks = [(line["top"], line["text"], line["x1"], line["x0"]) for line in lines]
    for table in tables:
        rows = ["\t".join(_pdf_cell(cell) for cell in row) for row in table.extract()]
        blocks.append((table.bbox[1], "\n".join(row for row in rows if row.strip("\t")), None, None))
    blocks.sort(key=lambda block: block[0])
    text_lines = [b for b in blocks if b[2] is not None]
    # the right margin mirrors the left one (as printed pages have it), so a short page's
    # longest line is not taken for a full one
    margin = page.width - min((b[3] for b in text_lines), default=0)
    widest = max(text_lines, key=lambda b: b[2] - b[3], default=None)
    char_width = (widest[2] - widest[3]) / max(len(widest[1]), 1) if widest else 0
    out: list[str] = []
    wrapped = False
    for _top, text, x1, _x0 in blocks:
        if wrapped and x1 is not None:
            out[-1] += text
        else:
            out.append(text)
        # a line that reaches the right margin and ends mid-sentence continues on the next
        wrapped = (x1 is not None and x1 >= margin - 2.5 * char_width
                   and not text.rstrip().endswith(_SENTENCE_END))
    return "\n".join(out)


def _pdf_cell(cell: str | None) -> str:
    # a wrapped cell ("年初结转\n和结余", "5,446.\n35") is one label or number
    return re.sub(r"\s*\n\s*", "", cell or "").replace("\t", " ").strip()


# -- Office files -------------------------------------------------------------------------------

def _read_zip(data: bytes, path: Path) -> tuple[str, str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise IngestError(f"{path}: a damaged zip archive ({_why(exc)}); not a .docx or .xlsx") from None
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


def _read_ole(data: bytes, path: Path) -> tuple[str, str]:
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    except OSError as exc:
        raise IngestError(f"{path}: a damaged Office file ({_why(exc)})") from None
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
        raise IngestError(f"{path}: cannot read the Word file ({_why(exc)})") from None
    return _tidy_lines("\n".join(lines))


def _docx_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, last = [], None
        for cell in row.cells:
            if cell._tc is last:  # a merged cell repeats; keep it once
                continue
            last = cell._tc
            cells.append(_HTML_SPACE.sub(" ", cell.text).strip())
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
    return _HTML_SPACE.sub(" ", str(value)).strip()


def _sheet_text(title: str, rows: list[list[str]]) -> tuple[list[str], bool]:
    """Return a sheet's lines and whether it holds a total row (a total label and an amount)."""
    lines, has_total = [title], False
    for cells in rows:
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        lines.append("\t".join(cells))
        labels = normalize("".join(c for c in cells if not _AMOUNT_CELL.match(c))).text
        if any(label in labels for label in TOTAL_LABELS) and any(_AMOUNT_CELL.match(c) for c in cells):
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
                _check_size(size, path)
                rows.append(cells)
            sheets.append((sheet.title, rows))
        workbook.close()
    except IngestError:
        raise
    except Exception as exc:  # openpyxl raises many types on a damaged workbook
        raise IngestError(f"{path}: cannot read the workbook ({_why(exc)})") from None
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
        raise IngestError(f"{path}: cannot read the .xls workbook ({_why(exc)})") from None
    except Exception as exc:  # xlrd raises struct/assertion errors on damaged files
        raise IngestError(f"{path}: cannot read the .xls workbook ({_why(exc)})") from None
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
