"""Open exported pages in headless Chromium as a reader would, offline, and report what breaks."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.core.provenance import REPORT_KINDS
from luoshi_analysis.engine.a11y import alt_problems, axe_problems
from luoshi_analysis.engine.outputs import BACKUPS, MANIFEST_FILE, unit_record
from luoshi_analysis.engine.plan import COLLECTION_FOLDER
from luoshi_analysis.engine.references import (
    is_local,
    outside_reference,
    reference_problems,
)
from luoshi_analysis.reports.labels import pick

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route

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
# A title names the report: 报告 / report, or the document's kind as page titles write it
# ([report_titles] of reports/text: 部门决算, 部门预算, final accounts, budget …).
REPORT_WORDS = ("报告", "report", *sorted({
    pick("report_titles", kind, lang).lower() for kind in REPORT_KINDS for lang in ("zh", "en")}))
USUAL_CHINESE_FACES = ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC")
PAGE_SUFFIXES = (".html", ".htm")
# Simulated time run on a page's clock so that delayed requests happen during the audit.
TIMER_RUN_MS = 10_000
TIMER_JUMP_MS = 24 * 3600 * 1000
TIMER_JUMPS = 3
SETTLE_MS = 300  # real time for requests the timers started to reach the router


def chromium_path() -> str:
    """Return the Chromium to drive: $LUOSHI_CHROMIUM, or chromium on the PATH."""
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        if not (Path(chosen).is_file() and os.access(chosen, os.X_OK)):
            raise ParameterError(
                f"{CHROMIUM_ENV}={chosen} is not an executable file; point it at Chromium or "
                "unset it to use chromium on the PATH")
        return chosen
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise ParameterError(
            "Chromium not found: install Debian's chromium (apt-get install chromium "
            f"fonts-noto-cjk, or make browser-deps) or set {CHROMIUM_ENV}")
    return found


def launch(playwright: Playwright, env: dict[str, str | float | bool] | None = None) -> Browser:
    """Launch headless Chromium with the flags this workplace needs; return the Browser.

    Raises:
        ParameterError: Chromium is missing or does not start (one line naming it).
    """
    from playwright.sync_api import Error as PlaywrightError

    path = chromium_path()
    try:
        return playwright.chromium.launch(
            executable_path=path, args=list(CHROMIUM_ARGS), env=env, headless=True
        )
    except PlaywrightError as exc:
        first = next((line for line in str(exc).splitlines() if line.strip()), "no message")
        raise ParameterError(
            f"Chromium {path} did not start ({first.strip()[:160]}); reinstall it "
            "(apt-get install chromium, or make browser-deps)") from None


def _outputs_root(page: Path) -> Path:
    """Return a page's outputs folder: the nearest above it with a run manifest, or an index."""
    folder = Path(page).resolve().parent
    chain = (folder, *folder.parents)
    return next((f for f in chain if (f / MANIFEST_FILE).is_file()),
                next((f for f in chain if (f / "index.html").is_file()), folder))


def _about_every_unit(page: Path, root: Path) -> bool:
    """Whether a page is about the whole collection (its index, its pages): it names no unit."""
    relative = Path(page).resolve().relative_to(Path(root).resolve())
    return len(relative.parts) == 1 or relative.parts[0] == COLLECTION_FOLDER


@dataclass
class PageAudit:
    """What a reader's browser made of one page."""

    path: Path
    title: str = ""
    problems: list[str] = field(default_factory=list)
    heading_fonts: list[str] = field(default_factory=list)
    images: int = 0


def unit_names(outputs: Path) -> tuple[str, ...]:
    """Return the names (Chinese, English) of the units whose pages an outputs folder holds.

    They come from each unit folder's record and the source records of the data folder it
    names; a folder without a record (or whose data is gone) gives its recorded name or none.
    """
    from luoshi_analysis.core.errors import LuoshiError
    from luoshi_analysis.core.load import document_years
    from luoshi_analysis.core.provenance import read_source
    from luoshi_analysis.reports.labels import issuer_name

    names: set[str] = set()
    for folder in (p for p in Path(outputs).iterdir() if p.is_dir()):
        record = unit_record(folder)
        if record is None:
            continue
        names.add(record["name"])
        data = Path(record["data"])
        for year in document_years(data) if data.is_dir() else []:
            try:
                source = read_source(year, data)
            except LuoshiError:
                continue
            names |= {issuer_name(source, lang) for lang in ("zh", "en")}
    return tuple(sorted(n for n in names if n))


def title_problem(title: str, units: tuple[str, ...] = (), about_every_unit: bool = False,
                  ) -> str | None:
    """Say what a page title lacks, or return None: the unit, a year and the report.

    With the unit's names known (``unit_names``), the title must name one of them; without
    them, it must name something before the year (no town is assumed). A page about every unit
    of a collection names none of them: its year and the report are enough.
    """
    year = re.search(r"(19|20)\d\d", title)
    if about_every_unit:
        named = True
    elif units:
        named = any(u in title for u in units)
    else:
        named = bool(year and re.sub(r"[\W_]+", "", title[:year.start()]))
    if named and year and any(w in title.lower() for w in REPORT_WORDS):
        return None
    unit = " or ".join(repr(u) for u in units) if units and not about_every_unit else "the unit"
    return f"title {title!r} does not name {unit}, the year and the report"


def _heading_fonts(context: BrowserContext, page: Page) -> tuple[str, list[dict]]:
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


def audit_page(context: BrowserContext, path: Path, screenshot: Path | None = None,
               root: Path | None = None, units: tuple[str, ...] | None = None) -> PageAudit:
    """Load a page with the network cut off and list every way it fails a reader.

    Checks: the page loads; no request leaves the file, during loading or from a timer run
    on a simulated clock (beacons, fetches, images, navigation); no URL of its markup, as
    written or as the scripts left the DOM, reaches an outside host or a file outside the
    outputs folder (links, forms, preconnect/prefetch, meta refresh, srcset, CSS url());
    no console error; every image has loaded; every local link resolves to a file; the
    title names the unit, a year and the report (see ``title_problem``); the font stack
    names the usual Chinese faces; a Chinese heading is drawn by a CJK face; every image
    has alt text in the page's language, not nbconvert's placeholder (``alt_problems``);
    axe-core finds nothing serious or critical (``axe_problems``).

    Args:
        context: A Playwright browser context (offline).
        path: The page.
        screenshot: Where to save a full-page screenshot, if anywhere.
        root: The outputs folder (default: the nearest folder above the page with an index).
        units: The unit's names the title must hold (default: from the outputs folder's run
            manifest, see ``unit_names``).
    """
    audit = PageAudit(Path(path))
    root = Path(root) if root is not None else _outputs_root(path)
    about_all = _about_every_unit(path, root)
    if units is None:
        units = () if about_all else unit_names(root)
    known: set[tuple[str, str]] = set()
    audit.problems += reference_problems(
        Path(path).read_text("utf-8", errors="replace"), path, root, "page", known)
    page, outside, errors = _offline_page(context, path, root)
    uri = Path(path).resolve().as_uri()
    try:
        page.goto(uri, wait_until="load", timeout=30_000)
        page.wait_for_load_state("networkidle", timeout=10_000)
    except Exception as exc:  # noqa: BLE001 - a page that does not load is the finding
        audit.problems.append(f"page did not finish loading: {exc}")
        page.close()
        return audit
    audit.title = page.title()
    audit.problems += reference_problems(
        page.content(), path, root, "page after its scripts ran", known)
    if page.evaluate("document.readyState") != "complete":
        audit.problems.append("page did not finish loading")
    audit.problems += _image_and_link_problems(page, path, root, audit)
    problem = title_problem(audit.title, units, about_all)
    if problem:
        audit.problems.append(problem)
    audit.problems += _font_problems(context, page, audit)
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    audit.problems += _later_problems(page, uri, outside, path, root)
    audit.problems += [f"console error: {message}" for message in errors]
    if page.url == uri:
        audit.problems += axe_problems(page)
    page.close()
    return audit


def _offline_page(context: BrowserContext, path: Path, root: Path,
                  ) -> tuple[Page, list[str], list[str]]:
    """Open a tab that serves only the outputs' own files; return it, and the lists it fills.

    Every other request (and any web socket) is recorded and refused; console errors and
    uncaught exceptions are recorded too. Timers run on a clock the audit moves forward.
    """
    outside: list[str] = []
    errors: list[str] = []

    def route(request_route: Route) -> None:
        request = request_route.request
        if is_local(request.url) and not outside_reference(request.url, path, root):
            request_route.continue_()
            return
        outside.append(request.url)
        if request.is_navigation_request():
            request_route.fulfill(status=204)  # "no content": the page stays where it is
        else:
            request_route.abort()

    page = context.new_page()
    page.clock.install()
    page.route("**/*", route)
    page.on("websocket", lambda socket: outside.append(socket.url))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, outside, errors


def _image_and_link_problems(page: Page, path: Path, root: Path, audit: PageAudit) -> list[str]:
    """Images that did not load or lack a fitting alt; local links to no file."""
    problems = []
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, "
                           "i.src.slice(0, 40), i.getAttribute('alt')])")
    audit.images = len(images)
    for complete, width, src, _alt in images:
        if not complete or width == 0:
            problems.append(f"image did not load: {src}…")
    problems += alt_problems([(alt, src) for _c, _w, src, alt in images],
                             page.evaluate("document.documentElement.lang"))
    for href in page.evaluate("Array.from(document.links).map(a => a.href)"):
        if href.startswith("file:") and not outside_reference(href, path, root):
            target = Path(unquote(urlparse(href).path))
            if not target.is_file():
                problems.append(f"link does not resolve to a file: {target}")
    return problems


def _font_problems(context: BrowserContext, page: Page, audit: PageAudit) -> list[str]:
    """A font stack without the usual Chinese faces; a Chinese heading not drawn by a CJK face."""
    problems = []
    stack = page.evaluate("getComputedStyle(document.body).fontFamily")
    missing = [face for face in USUAL_CHINESE_FACES if face not in stack]
    if missing:
        problems.append(f"font stack {stack!r} lacks {', '.join(missing)}")
    heading, fonts = _heading_fonts(context, page)
    audit.heading_fonts = [f["familyName"] for f in fonts]
    cjk_chars = len(CJK_CHAR.findall(heading))
    if cjk_chars:
        drawn = sum(f["glyphCount"] for f in fonts if CJK_FACE.search(f["familyName"]))
        if drawn < cjk_chars:
            problems.append(
                f"heading {heading[:20]!r} drawn with {audit.heading_fonts}, not a CJK face "
                f"({drawn} of {cjk_chars} Chinese glyphs)")
    return problems


def _later_problems(page: Page, uri: str, outside: list[str], path: Path, root: Path,
                    ) -> list[str]:
    """Run the page's timers forward (a delayed beacon, fetch or redirect happens now)."""
    problems = []
    page.clock.run_for(TIMER_RUN_MS)
    for _ in range(TIMER_JUMPS):
        page.clock.fast_forward(TIMER_JUMP_MS)
    page.wait_for_timeout(SETTLE_MS)
    if page.url != uri:
        problems.append(f"page navigated away to {page.url}")
    else:
        outside += page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    for url in sorted({u for u in outside if outside_reference(u, path, root)}):
        problems.append(f"request to {outside_reference(url, path, root)}: {url[:200]}")
    return problems


def pages_under(outputs: Path) -> list[Path]:
    """Return every page under an outputs folder, at any depth: index.html first.

    Pages a run set aside (<outputs>/backups/) are no longer published and not audited.
    """
    pages = sorted(p for p in Path(outputs).rglob("*")
                   if p.suffix.lower() in PAGE_SUFFIXES and p.is_file()
                   and p.relative_to(outputs).parts[0] != BACKUPS)
    return sorted(pages, key=lambda p: p != Path(outputs) / "index.html")


def audit_outputs(outputs: Path, screenshots: Path | None = None) -> list[PageAudit]:
    """Audit every page under an outputs folder (the index, each year's pages, any other)."""
    from playwright.sync_api import sync_playwright

    if not Path(outputs).is_dir():
        raise ParameterError(f"{outputs}: no such folder; give the outputs folder of `luoshi run`")
    pages = pages_under(outputs)
    if not pages:
        raise ParameterError(f"no exported pages in {outputs}; run `luoshi run` first")
    audits = []
    units = unit_names(outputs)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
        for page in pages:
            shot = None
            if screenshots is not None:
                shot = screenshots / page.relative_to(outputs).with_suffix(".png")
            about_all = _about_every_unit(page, outputs)
            audits.append(audit_page(context, page, shot, root=outputs,
                                     units=() if about_all else units))
        browser.close()
    return audits
