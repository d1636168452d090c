"""Make the README's screenshots from a run of the demo collection: dashboard, peers, alt text.

Usage: .venv/bin/luoshi --collection data run --outputs /tmp/o && .venv/bin/python docs/screenshots.py /tmp/o
Writes docs/dashboard.png (the collection's index), docs/peers_zh.png (the top of the 2026 peers
page: five units side by side) and docs/alt_text_zh.png (the seed town's revenue chart with its
accessibility tree, Playwright's aria snapshot, as a screen reader gets it, shown in a box under
the chart). Nothing on the pages is changed but that box.
"""

import sys
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from luoshi_analysis.engine.browser import launch

DOCS = Path(__file__).resolve().parent
SEED_UNIT = "罗市镇人民政府"
PEERS_YEAR = 2026  # the year with the most units in the demo collection
WIDTH = 1280
SHOW_TREE = """tree => {
  const img = document.images[0];
  const box = document.createElement('pre');
  box.textContent = 'Accessibility tree of this chart (Playwright aria snapshot):\\n' + tree;
  box.style.cssText = 'white-space: pre-wrap; border: 2px solid #e0b000; background: #fffbe6;'
    + 'padding: 0.6em; margin: 0.5em 0; font-size: 14px; line-height: 1.5;';
  img.closest('.jp-OutputArea-child').after(box);
  return box.getBoundingClientRect().bottom + scrollY;
}"""


def dashboard(browser: Browser, outputs: Path) -> None:
    """Screenshot the collection's index, whole."""
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    page.goto((outputs / "index.html").resolve().as_uri())
    page.screenshot(path=str(DOCS / "dashboard.png"), full_page=True)
    page.close()


def peers(browser: Browser, outputs: Path) -> None:
    """Screenshot the peers page from its title to the end of the revenue structure table."""
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    page.goto((outputs / "collection" / str(PEERS_YEAR) / "peers_zh.html").resolve().as_uri())
    bottom = page.evaluate("() => document.querySelectorAll('table.luoshi-table')[0]"
                           ".getBoundingClientRect().bottom + scrollY")
    page.screenshot(path=str(DOCS / "peers_zh.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": WIDTH, "height": bottom + 20})
    page.close()


def alt_text(browser: Browser, outputs: Path) -> None:
    """Screenshot the seed town's revenue chart and, under it, what a screen reader is given."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto((outputs / SEED_UNIT / "2020" / "revenue_structure_zh.html").resolve().as_uri())
    chart = page.locator("img").first
    tree = chart.aria_snapshot()
    top = chart.bounding_box()["y"] + page.evaluate("scrollY")
    bottom = page.evaluate(SHOW_TREE, tree)
    page.screenshot(path=str(DOCS / "alt_text_zh.png"), full_page=True,
                    clip={"x": 0, "y": top - 10, "width": 1100, "height": bottom - top + 20})
    page.close()


def main(outputs: Path) -> None:
    """Write the three screenshots from the outputs folder of a collection run."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for shot in (dashboard, peers, alt_text):
            shot(browser, outputs)
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
