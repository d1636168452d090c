"""The text layer of a PDF: each page's lines and its ruled tables' rows, top to bottom."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

from luoshi_analysis.core.errors import IngestError
from luoshi_analysis.ingest.limits import (
    MAX_PDF_PAGES,
    SENTENCE_END,
    UNMAPPED_GLYPH,
    check_size,
    why,
)
from luoshi_analysis.ingest.normalize import clean_extracted


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
        raise IngestError(f"{path}: not a readable PDF ({why(cause)})") from None
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
                check_size(size, path)
                pages.append(text)
    except IngestError:
        raise
    except Exception as exc:  # a damaged file can fail in many ways inside the PDF library
        raise IngestError(f"{path}: cannot read the PDF ({why(exc)})") from None
    if not chars:
        raise IngestError(f"{path}: the PDF has no text layer (a scan of {len(pages)} page(s)); "
                          "run OCR on it or ask for the text, web page or Word version")
    text = "\n".join(pages)
    unmapped = len(UNMAPPED_GLYPH.findall(text))
    if unmapped and unmapped >= 0.2 * len(UNMAPPED_GLYPH.sub("x", text)):
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
                   and not text.rstrip().endswith(SENTENCE_END))
    return "\n".join(out)


def _pdf_cell(cell: str | None) -> str:
    # a wrapped cell ("年初结转\n和结余", "5,446.\n35") is one label or number
    return re.sub(r"\s*\n\s*", "", cell or "").replace("\t", " ").strip()
