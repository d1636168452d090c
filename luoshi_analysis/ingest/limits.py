"""What ingest reads at the most, and how a library's failure is told in one line."""

from __future__ import annotations

import re
from pathlib import Path

from luoshi_analysis.core.errors import IngestError
from luoshi_analysis.core.terminal import for_terminal

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
HTML_START = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title|table"
    rb"|div|p)[\s>/]", re.IGNORECASE | re.DOTALL)
META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.IGNORECASE)
CJK = re.compile(r"[\u4e00-\u9fff]")
# A 收入支出决算总表 has a row with one of these labels and an amount.
TOTAL_LABELS = ("收入总计", "支出总计", "本年收入", "本年支出", "收入合计", "支出合计", "收入总额",
                "支出总额")
AMOUNT_CELL = re.compile(r"^-?[\d,]+(?:\.\d+)?$")
UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")  # what pdfminer writes for a glyph it cannot map
SENTENCE_END = ("。", "！", "？", "；", "：", ":", ";", "!", "?")


def why(exc: BaseException) -> str:
    """Return a library's error as a short line; its text may quote the file's bytes."""
    text = for_terminal(f"{type(exc).__name__}: {exc}")
    return text if len(text) <= 160 else text[:159] + "…"


def check_size(size: int, path: Path) -> None:
    """Refuse a text larger than a report's (the size of what was read so far, in UTF-8)."""
    if size > MAX_TEXT_BYTES:
        raise IngestError(f"{path}: the text read from it is larger than {MAX_TEXT_BYTES // MiB} MB; "
                          "a report's text is at most that")


HTML_SPACE = re.compile(r"[ \t\n\r\f\v]+")  # not the no-break space, which is written on purpose


def tidy_lines(text: str) -> str:
    """Return text without blank lines and with each line stripped of spaces at its ends."""
    lines = (line.strip(" ") for line in text.split("\n"))
    return "\n".join(line for line in lines if line.strip(" \t")) + "\n"
