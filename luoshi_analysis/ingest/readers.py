"""Read a published report — text, web page, PDF, Word, spreadsheet — into text, by its content.

The format is told by the file's first bytes and structure, never by its name alone: a PDF saved
as ``.html`` is read as a PDF. Tables become one line per row with cells separated by a tab, so
the overview parser sees a flattened table the way it sees one copied out of a page.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from luoshi_analysis.core.errors import IngestError
from luoshi_analysis.ingest.limits import (
    CJK,
    FORMAT_SUFFIX,
    HTML_SPACE,
    HTML_START,
    IMAGE_MAGIC,
    MAX_FILE_BYTES,
    META_CHARSET,
    OLE_MAGIC,
    MiB,
    check_size,
    tidy_lines,
)
from luoshi_analysis.ingest.normalize import decode_report
from luoshi_analysis.ingest.office import read_ole, read_zip
from luoshi_analysis.ingest.pdf_text import read_pdf


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
    if HTML_START.match(data.removeprefix(b"\xef\xbb\xbf")[:4096]):
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
        text, fmt = read_zip(data, path)
    elif kind == "ole":
        text, fmt = read_ole(data, path)
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
        if HTML_START.match(text[:4096].encode("utf-8")):  # a page saved as UTF-16
            text, fmt = html_text(text), "html"
    _check_text(text, path, fmt)
    return ReadReport(data=data, text=text, format=fmt, encoding=encoding)


def _check_text(text: str, path: Path, fmt: str) -> None:
    check_size(len(text.encode("utf-8")), path)
    if fmt != "text" and not CJK.search(text):
        raise IngestError(f"{path}: read as {fmt} but holds no Chinese text; expected a report")


# -- web pages ----------------------------------------------------------------------------------

_DROPPED_TAGS = ("script", "style", "noscript", "template", "head", "iframe", "object", "svg")
_BLOCK_TAGS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
               "section", "article", "header", "footer", "nav", "aside", "main", "blockquote",
               "pre", "hr", "form", "fieldset", "address", "figure", "figcaption", "caption",
               "center", "title", "table", "tr", "td", "th")  # the last: what layout tables hold
MAX_DATA_CELL = 200  # a longer cell is a page's text laid out in a table, not a figure


def html_charset(data: bytes) -> str | None:
    """Return the charset a page declares in its first 4 KB (``<meta charset>``), if any."""
    match = META_CHARSET.search(data[:4096])
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
            payload = part.get_payload(decode=True)
            return read_html(payload if isinstance(payload, bytes) else b"", path,
                             declared=part.get_content_charset())
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
            string.replace_with(HTML_SPACE.sub(" ", str(string)))
    for table in reversed(soup.find_all("table")):  # inner tables first
        rows = [[HTML_SPACE.sub(" ", cell.get_text(" ")).strip()
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
    return tidy_lines(soup.get_text())


