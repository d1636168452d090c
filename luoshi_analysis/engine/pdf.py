"""Print exported pages to A4 PDF with headless Chromium (for readers who file or print)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.engine.browser import chromium_path, launch

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from luoshi_analysis.engine.jobs import Result

# The printed area of an A4 page under the print styles (luoshi.css: @page margins 14 mm top,
# 12 mm sides, 16 mm bottom), in CSS pixels (96 per inch).
PRINT_WIDTH_PX = round((210 - 2 * 12) / 25.4 * 96)
PRINT_HEIGHT_PX = round((297 - 14 - 16) / 25.4 * 96)
KEEP_CLASS = "luoshi-keep"  # a part kept on one page (print styles: break-inside: avoid)
# Faces for the footer, which Chromium draws apart from the page and its styles.
FOOTER_FONTS = ("'WenQuanYi Zen Hei', 'Noto Sans CJK SC', 'Source Han Sans SC', "
                "'Microsoft YaHei', sans-serif")

# Regroups the page for print: every output in document order, split at each heading (h1–h3)
# into parts; a part that fits on a page is kept on one (a heading never ends a page without
# what follows it, and a short part is moved whole to the next page rather than split). The
# printed file only: the page on disk is not changed.
GROUP_PARTS_JS = """([keepClass, pageHeight]) => {
  const main = document.querySelector('main') || document.body;
  const blocks = [...main.querySelectorAll('.jp-OutputArea-child, .jp-MarkdownCell, .jp-Cell-inputWrapper')]
    .filter(b => !b.parentElement.closest('.jp-OutputArea-child, .jp-MarkdownCell'));
  const parts = [];
  for (const block of blocks) {
    if (!parts.length || block.querySelector('h1, h2, h3')) parts.push([]);
    parts[parts.length - 1].push(block);
  }
  const flat = document.createElement('div');
  flat.className = 'luoshi-print';
  const kept = [];
  for (const part of parts) {
    const box = document.createElement('div');
    for (const block of part) box.appendChild(block);
    flat.appendChild(box);
    kept.push(box);
  }
  main.replaceChildren(flat);
  const heights = kept.map(box => box.getBoundingClientRect().height);
  kept.forEach((box, i) => {
    if (heights[i] <= pageHeight) box.classList.add(keepClass);
    else if (box.firstChild) box.firstChild.classList.add('luoshi-keep-with-next');
  });
  return heights.map(Math.round);
}"""


def check_browser() -> None:
    """Start and close the browser once, so `run --pdf` fails before running any notebook.

    Raises:
        ParameterError: Chromium is missing or does not start.
    """
    found = chromium_path()
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            launch(playwright).close()
    except Exception as exc:  # noqa: BLE001 - any failure to start is the same user problem
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ParameterError(f"--pdf: Chromium {found} does not start ({first}); install "
                             "Debian's chromium or set LUOSHI_CHROMIUM") from exc


def footer_template(lang: str) -> str:
    """Return the footer Chromium prints on every page: the page's title, and page N of M.

    The title names the unit, the year and the report (``report_title``); the page count is
    in the page's language.
    """
    from luoshi_analysis.reports.labels import LANGS, text

    words = text("pdf_page", lang if lang in LANGS else "zh", page="\0", pages="\1")
    count = (html.escape(words).replace("\0", '<span class="pageNumber"></span>')
             .replace("\1", '<span class="totalPages"></span>'))
    return (f'<div style="font-family: {FOOTER_FONTS}; font-size: 8pt; color: #444; width: 100%;'
            ' margin: 0 12mm; display: flex; justify-content: space-between; gap: 6mm;">'
            '<span class="title" style="overflow: hidden; white-space: nowrap;'
            ' text-overflow: ellipsis;"></span>'
            f'<span style="white-space: nowrap;">{count}</span></div>')


def print_page(page: Page, source: Path, target: Path) -> list[int]:
    """Print one HTML page to a PDF (A4, print styles, footer); return its parts' heights.

    The PDF is written to a temporary name and renamed into place.
    """
    page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": PRINT_HEIGHT_PX})
    page.goto(source.resolve().as_uri(), wait_until="load")
    page.emulate_media(media="print")
    heights: list[int] = page.evaluate(GROUP_PARTS_JS, [KEEP_CLASS, PRINT_HEIGHT_PX])
    lang = page.evaluate("document.documentElement.lang") or "zh"
    partial = target.with_name(f".{target.name}.partial")
    page.pdf(path=str(partial), format="A4", print_background=True, prefer_css_page_size=True,
             display_header_footer=True, header_template="<span></span>",
             footer_template=footer_template(lang))
    partial.replace(target)
    return heights


def print_pages(pages: list[Path]) -> list[Path]:
    """Print each HTML page to a PDF beside it (A4, print styles); return the PDF paths.

    Each PDF is written to a temporary name and renamed into place.
    """
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(offline=True)
        for source in pages:
            page = context.new_page()
            target = source.with_suffix(".pdf")
            print_page(page, source, target)
            written.append(target)
            page.close()
        browser.close()
    return written


def print_results_to_pdf(results: list[Result]) -> list[Path]:
    """Print the pages of the runner's successful results to PDF."""
    return print_pages([Path(r.html) for r in results if r.status == "ok" and r.html])
