"""Open exported pages in headless Chromium as a reader would, offline, and report what breaks."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from luoshi_analysis.errors import ParameterError

CHROMIUM_ENV = "LUOSHI_CHROMIUM"
# Flags for a headless browser on a machine with no network and no display.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
CJK_FACE = re.compile(r"CJK|Han Sans|Han Serif|YaHei|PingFang|Hei|Song|Kai|WenQuanYi|Hiragino",
                      re.IGNORECASE)
CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TOWN_NAMES = ("罗市镇", "Luoshi")
REPORT_WORDS = ("报告", "report")
USUAL_CHINESE_FACES = ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC")


def chromium_path() -> str:
    """Return the Chromium to drive: $LUOSHI_CHROMIUM, or chromium on the PATH."""
    found = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not found:
        raise ParameterError(
            "Chromium not found: install Debian's chromium (apt-get install chromium "
            f"fonts-noto-cjk) or set {CHROMIUM_ENV}")
    return found


def launch(playwright, env: dict[str, str] | None = None):
    """Launch headless Chromium with the flags this workplace needs; return the Browser."""
    return playwright.chromium.launch(
        executable_path=chromium_path(), args=list(CHROMIUM_ARGS), env=env, headless=True
    )


@dataclass
class PageAudit:
    """What a reader's browser made of one page."""

    path: Path
    title: str = ""
    problems: list[str] = field(default_factory=list)
    heading_fonts: list[str] = field(default_factory=list)
    images: int = 0


def _is_local(url: str) -> bool:
    return url.startswith(("file:", "data:", "about:", "blob:"))


def _heading_fonts(context, page) -> tuple[str, list[dict]]:
    """Return the first heading's text and the platform fonts that drew it (DevTools)."""
    session = context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    if not node:
        return "", []
    heading = page.inner_text("h1")
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    session.detach()
    return heading, fonts


def audit_page(context, path: Path, screenshot: Path | None = None) -> PageAudit:
    """Load a page with the network cut off and list every way it fails a reader.

    Checks: the page loads; no request leaves the file; no console error; every image has
    loaded; every local link resolves to a file; the title names the town, a year and the
    report; the font stack names the usual Chinese faces; a Chinese heading is drawn by a
    CJK face.
    """
    audit = PageAudit(Path(path))
    outside: list[str] = []
    errors: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if _is_local(url):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    page = context.new_page()
    page.route("**/*", route)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(Path(path).resolve().as_uri(), wait_until="load", timeout=30_000)
        page.wait_for_load_state("networkidle", timeout=10_000)
    except Exception as exc:  # noqa: BLE001 - a page that does not load is the finding
        audit.problems.append(f"page did not finish loading: {exc}")
        page.close()
        return audit
    audit.title = page.title()
    if page.evaluate("document.readyState") != "complete":
        audit.problems.append("page did not finish loading")
    outside += [u for u in page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)") if not _is_local(u)]
    for url in sorted(set(outside)):
        audit.problems.append(f"request to an outside host: {url}")
    for message in errors:
        audit.problems.append(f"console error: {message}")
    images = page.evaluate(
        "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.src.slice(0, 40)])")
    audit.images = len(images)
    for complete, width, src in images:
        if not complete or width == 0:
            audit.problems.append(f"image did not load: {src}…")
    for href in page.evaluate("Array.from(document.links).map(a => a.href)"):
        if href.startswith("file:"):
            target = Path(unquote(urlparse(href).path))
            if not target.is_file():
                audit.problems.append(f"link does not resolve to a file: {target}")
    title = audit.title
    if not (any(n in title for n in TOWN_NAMES) and re.search(r"(19|20)\d\d", title)
            and any(w in title.lower() for w in REPORT_WORDS)):
        audit.problems.append(f"title {title!r} does not name the town, the year and the report")
    stack = page.evaluate("getComputedStyle(document.body).fontFamily")
    missing = [face for face in USUAL_CHINESE_FACES if face not in stack]
    if missing:
        audit.problems.append(f"font stack {stack!r} lacks {', '.join(missing)}")
    heading, fonts = _heading_fonts(context, page)
    audit.heading_fonts = [f["familyName"] for f in fonts]
    cjk_chars = len(CJK_CHAR.findall(heading))
    if cjk_chars:
        drawn = sum(f["glyphCount"] for f in fonts if CJK_FACE.search(f["familyName"]))
        if drawn < cjk_chars:
            audit.problems.append(
                f"heading {heading[:20]!r} drawn with {audit.heading_fonts}, not a CJK face "
                f"({drawn} of {cjk_chars} Chinese glyphs)")
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return audit


def audit_outputs(outputs: Path, screenshots: Path | None = None) -> list[PageAudit]:
    """Audit every exported page under an outputs folder (index and each year's pages)."""
    from playwright.sync_api import sync_playwright

    pages = [outputs / "index.html", *sorted(outputs.glob("[0-9][0-9][0-9][0-9]/*.html"))]
    pages = [p for p in pages if p.is_file()]
    if not pages:
        raise ParameterError(f"no exported pages in {outputs}; run `luoshi run` first")
    audits = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
        for page in pages:
            shot = None
            if screenshots is not None:
                shot = screenshots / page.relative_to(outputs).with_suffix(".png")
            audits.append(audit_page(context, page, shot))
        browser.close()
    return audits
