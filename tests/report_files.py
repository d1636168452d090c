"""Make report files as units publish them — web page, PDF, Word, Excel, Office containers — for tests.

Every file is made here from text the tests write, with well-kept libraries (Chromium through
Playwright for PDFs, python-docx, openpyxl, pypdf, msoffcrypto-tool) or, for the OLE container
and legacy .xls records no maintained library writes, by the few lines below; none is committed.
"""

from __future__ import annotations

import html
import io
import struct

TABLE_STYLE = ("table{border-collapse:collapse}td,th{border:1px solid #000;padding:2px 6px}"
               "body{font-family:'Noto Sans CJK SC','Source Han Sans SC',sans-serif}")


def html_page(text: str, charset: str = "utf-8", table: list[list[str]] | None = None,
              extra_head: str = "") -> str:
    """Return a web page holding text (one <p> per line) and optionally a bordered table."""
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines() if line.strip())
    if table:
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>\n"
                       for row in table)
        body += f"<table>\n{rows}</table>\n"
    return (f'<!DOCTYPE html>\n<html><head><meta charset="{charset}"><title>公开</title>'
            f"<style>{TABLE_STYLE}</style>{extra_head}</head>\n<body>\n{body}</body></html>\n")


def pdfs_from_html(pages: dict[str, str]) -> dict[str, bytes]:
    """Print each page to PDF in headless Chromium (one browser for all); return name -> bytes.

    Each page is also saved as a web archive, as Chromium's "web page, single file" does,
    under "<name>.mhtml".
    """
    from playwright.sync_api import sync_playwright

    from luoshi_analysis.engine.browser import launch

    out = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            for name, markup in pages.items():
                page.set_content(markup)
                out[name] = page.pdf(format="A4")
                session = page.context.new_cdp_session(page)
                snapshot = session.send("Page.captureSnapshot", {"format": "mhtml"})["data"]
                out[f"{name}.mhtml"] = snapshot.encode("utf-8")
                session.detach()
        finally:
            browser.close()
    return out


def encrypt_pdf(data: bytes, password: str = "secret") -> bytes:
    """Return the PDF protected by a user password (pypdf)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(blocks: list[str | list[list[str]]]) -> bytes:
    """Return a Word document of paragraphs (str) and tables (list of rows), in that order."""
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            table = document.add_table(rows=len(block), cols=max(len(r) for r in block))
            for row, cells in zip(table.rows, block, strict=True):
                for cell, value in zip(row.cells, cells, strict=False):
                    cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(sheets: dict[str, list[list[object]]], number_format: str = "#,##0.00") -> bytes:
    """Return an .xlsx workbook; numbers get number_format, as a 决算 table shows them."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def encrypt_office(data: bytes, password: str = "secret") -> bytes:
    """Return an Office file protected by a password (msoffcrypto-tool): an OLE EncryptedPackage."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def compound_file(streams: dict[str, bytes]) -> bytes:
    """Return a minimal OLE compound file (version 3, 512-byte sectors) holding the streams.

    Streams are padded to 4096 bytes so none lives in the mini stream. Enough for a reader
    to list the streams of, e.g., a legacy Word file (a WordDocument stream).
    """
    end, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    names = list(streams)
    assert len(names) <= 3
    datas = [streams[n].ljust(4096, b"\0") for n in names]
    sector = 512
    chains, next_sector = [], 2  # sector 0: FAT, sector 1: directory
    for data in datas:
        count = -(-len(data) // sector)
        chains.append(list(range(next_sector, next_sector + count)))
        next_sector += count
    fat = [fat_sector, end] + [free] * (next_sector - 2)
    for chain in chains:
        for a, b in zip(chain, chain[1:], strict=False):
            fat[a] = b
        fat[chain[-1]] = end
    assert len(fat) <= sector // 4
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", no_stream, right, child) + b"\0" * 16 + b"\0" * 4
                + b"\0" * 16 + struct.pack("<IQ", start, size))

    # siblings chained to the right: enough for a reader that walks the tree
    entries = [entry("Root Entry", 5, 1 if names else no_stream, no_stream, end, 0)]
    for i, (name, data, chain) in enumerate(zip(names, datas, chains, strict=True)):
        right = i + 2 if i + 1 < len(names) else no_stream
        entries.append(entry(name, 2, no_stream, right, chain[0], len(data)))
    while len(entries) < 4:
        entries.append(b"\0" * 64 + struct.pack("<HBB", 0, 0, 0)
                       + struct.pack("<III", no_stream, no_stream, no_stream) + b"\0" * 48)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    assert len(header) == sector
    body = struct.pack(f"<{sector // 4}I", *fat) + b"".join(entries)
    return header + body + b"".join(data.ljust(len(chain) * sector, b"\0")
                                    for data, chain in zip(datas, chains, strict=True))


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(substream: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 0x06))


def xls_bytes(sheets: dict[str, list[list[object]]], encrypted: bool = False) -> bytes:
    """Return a minimal legacy .xls (BIFF8 in a compound file): text (LABEL) and number cells.

    No maintained library writes .xls any more, so the few records a reader needs are built
    here; ``encrypted`` adds the FILEPASS record a password-protected workbook starts with.
    """
    eof = _record(0x000A, b"")
    bodies = []
    for rows in sheets.values():
        body = _bof(0x10)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    body += _record(0x0204, struct.pack("<HHHHB", r, c, 0, len(value), 1)
                                    + value.encode("utf-16-le"))
                elif value is not None:
                    body += _record(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
        bodies.append(body + eof)

    def globals_(offsets: list[int]) -> bytes:
        out = _bof(0x05)
        if encrypted:
            out += _record(0x002F, struct.pack("<HHH", 1, 1, 1))
        for name, offset in zip(sheets, offsets, strict=True):
            out += _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), 1)
                           + name.encode("utf-16-le"))
        return out + eof

    size = len(globals_([0] * len(bodies)))
    offsets = [size + sum(len(b) for b in bodies[:i]) for i in range(len(bodies))]
    return compound_file({"Workbook": globals_(offsets) + b"".join(bodies)})


def strip_character_maps(data: bytes) -> bytes:
    """Return the PDF with its fonts' ToUnicode maps removed, as some typesetting systems write it."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        fonts = page["/Resources"]["/Font"]
        for name in fonts:
            font = fonts[name].get_object()
            if "/ToUnicode" in font:
                del font[NameObject("/ToUnicode")]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
