"""What a screen reader and axe-core make of a page: alt text in the page's language, serious findings."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

CJK_CHAR = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
# nbconvert's alt text for an image whose output carries none, in English on every page.
ALT_PLACEHOLDER = "No description has been provided for this image"
AXE_FAILING_IMPACTS = ("serious", "critical")  # axe-core findings that fail a page
AXE_LIMIT_MS = 60_000  # axe-core takes about a second on the longest page
AXE_RUN_JS = """([options, limit]) => Promise.race([
  axe.run(document, options).then(r => ({violations: r.violations})),
  new Promise(done => setTimeout(() => done({error: `no result after ${limit / 1000} s`}), limit)),
]).catch(e => ({error: String(e)}))"""


def alt_problems(images: list[tuple[str | None, str]], lang: str) -> list[str]:
    """Return one problem per image whose text alternative fails a reader of the page's language.

    An image needs an alt that is not nbconvert's placeholder and is written in the page's
    language. A Chinese character says about as much as three Latin letters: a zh alt needs
    more than a third as many Chinese characters as letters, an en alt fewer (an English name
    may quote a Chinese one, as in "Poor students (雨露计划)").

    Args:
        images: (alt or None, src) of each image.
        lang: The page's language (``<html lang>``).
    """
    problems = []
    for alt, src in images:
        where = f"image {src[:40]}…"
        han = 3 * len(CJK_CHAR.findall(alt or ""))
        latin = len(LATIN_LETTER.findall(alt or ""))
        if alt is None or not alt.strip():
            problems.append(f"{where} has no alt text; a screen reader cannot say what it shows")
        elif alt.strip() == ALT_PLACEHOLDER:
            problems.append(f"{where} has nbconvert's placeholder alt {ALT_PLACEHOLDER!r}")
        elif lang.startswith("zh") and han <= latin:
            problems.append(f"{where} has alt text not in Chinese on a zh page: {alt[:60]!r}")
        elif lang.startswith("en") and han >= latin:
            problems.append(f"{where} has alt text in Chinese on an en page: {alt[:60]!r}")
    return problems


def axe_problems(page: Page) -> list[str]:
    """Run axe-core (the copy axe-playwright-python installs) on a page; return serious findings.

    One problem per rule with a serious or critical impact, naming the rule, what it asks and
    the first element that breaks it. Nothing is fetched: the script is a file of the package.
    axe-core yields to the page's timers while it works, so a page whose clock is stopped
    (``audit_page``) has it resumed first; a run that does not finish is a problem too.
    """
    from axe_playwright_python.base import AXE_SCRIPT

    page.clock.resume()
    page.evaluate(AXE_SCRIPT)
    response = page.evaluate(AXE_RUN_JS, [{"resultTypes": ["violations"]}, AXE_LIMIT_MS])
    if "error" in response:
        return [f"accessibility: axe-core did not finish ({response['error']})"]
    problems = []
    for rule in response["violations"]:
        if rule.get("impact") in AXE_FAILING_IMPACTS:
            nodes = rule.get("nodes") or [{}]
            target = " ".join(str(t) for t in nodes[0].get("target", []))[:80]
            problems.append(f"accessibility ({rule['impact']}): {rule['id']} — {rule['help']}; "
                            f"{len(rule.get('nodes', []))} element(s), first {target}")
    return problems
