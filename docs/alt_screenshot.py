"""Make docs/alt_text_zh.png: a chart of a real page with what a screen reader is given for it.

Usage: .venv/bin/luoshi run --outputs /tmp/o && .venv/bin/python docs/alt_screenshot.py /tmp/o
The accessibility tree of the page's first chart (Playwright's aria snapshot, as a screen
reader gets it) is shown in a box under the chart; nothing else on the page is changed.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from luoshi_analysis.engine.browser import launch

SHOW = """tree => {
  const img = document.images[0];
  const box = document.createElement('pre');
  box.textContent = 'Accessibility tree of this chart (Playwright aria snapshot):\\n' + tree;
  box.style.cssText = 'white-space: pre-wrap; border: 2px solid #e0b000; background: #fffbe6;'
    + 'padding: 0.6em; margin: 0.5em 0; font-size: 14px; line-height: 1.5;';
  img.closest('.jp-OutputArea-child').after(box);
  return box.getBoundingClientRect().bottom + scrollY;
}"""


def main(outputs: Path, target: Path) -> None:
    """Screenshot the revenue page's chart and its accessibility tree into target."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto((outputs / "2020" / "revenue_structure_zh.html").resolve().as_uri())
        tree = page.locator("img").first.aria_snapshot()
        top = page.locator("img").first.bounding_box()["y"] + page.evaluate("scrollY")
        bottom = page.evaluate(SHOW, tree)
        page.screenshot(path=str(target), full_page=True,
                        clip={"x": 0, "y": top - 10, "width": 1100, "height": bottom - top + 20})
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).resolve().parent / "alt_text_zh.png")
