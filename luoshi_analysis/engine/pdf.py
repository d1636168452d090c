"""Print exported pages to A4 PDF with headless Chromium (for readers who file or print)."""

from __future__ import annotations

from pathlib import Path

from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.engine.browser import chromium_path, launch


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


def print_pages(pages: list[Path]) -> list[Path]:
    """Print each HTML page to a PDF beside it (A4, print styles); return the PDF paths.

    Each PDF is written to a temporary name and renamed into place.
    """
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(offline=True)
        for html in pages:
            page = context.new_page()
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.emulate_media(media="print")
            target = html.with_suffix(".pdf")
            partial = target.with_name(f".{target.name}.partial")
            page.pdf(path=str(partial), format="A4", print_background=True,
                     prefer_css_page_size=True)
            partial.replace(target)
            written.append(target)
            page.close()
        browser.close()
    return written


def print_results_to_pdf(results) -> list[Path]:
    """Print the pages of the runner's successful results to PDF."""
    return print_pages([Path(r.html) for r in results if r.status == "ok" and r.html])
