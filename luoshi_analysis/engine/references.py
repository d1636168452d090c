"""What a page's markup refers to, and whether any of it reaches outside the outputs folder."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

# Attributes whose value is a URL the browser may fetch, follow or send to.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background",
                  "manifest", "xlink:href", "lowsrc", "dynsrc", "profile"}
LIST_ATTRIBUTES = {"srcset", "imagesrcset"}  # "url 2x, url 640w"
SCHEMES_WITHOUT_REQUEST = ("data", "blob", "about", "javascript", "mailto", "tel")
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)
REFRESH_URL = re.compile(r"""url\s*=\s*['"]?([^'"]*)""", re.IGNORECASE)


class _References(HTMLParser):
    """Collect every URL a page's markup refers to: (where, url) pairs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value for name, value in attrs if value is not None}
        for name, value in values.items():
            where = f"<{tag} {name}>"
            if name in URL_ATTRIBUTES:
                self.found.append((where, value))
            elif name in LIST_ATTRIBUTES:
                self.found += [(where, part.split()[0]) for part in value.split(",")
                               if part.split()]
            elif name == "ping":
                self.found += [(where, url) for url in value.split()]
            elif name == "style":
                self._css(where, value)
            elif (name == "content" and tag == "meta"
                  and values.get("http-equiv", "").lower() == "refresh"):
                self.found += [(where, m.group(1)) for m in REFRESH_URL.finditer(value)]
        self._in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css("<style>", data)

    def _css(self, where: str, text: str) -> None:
        for match in CSS_URL.finditer(text):
            self.found.append((where, match.group(2) or match.group(4) or ""))


def references(html: str) -> list[tuple[str, str]]:
    """Return (where, url) for every URL in a page's attributes, meta refresh and CSS."""
    collector = _References()
    collector.feed(html)
    collector.close()
    return collector.found


def outside_reference(url: str, page: Path, root: Path) -> str | None:
    """Say why a URL in a page reaches outside the outputs folder, or return None if it does not.

    Args:
        url: The URL as written (relative ones are resolved against the page).
        page: The page's file.
        root: The outputs folder, the only place a page may refer to.
    """
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    if urlparse(url).scheme.lower() in SCHEMES_WITHOUT_REQUEST:
        return None
    target = urlparse(urljoin(Path(page).resolve().as_uri(), url))
    if target.scheme != "file":
        return "an outside host"
    if target.netloc not in ("", "localhost"):
        return f"an outside host ({target.netloc})"
    path = Path(unquote(target.path)).resolve()
    if not path.is_relative_to(Path(root).resolve()):
        return "a file outside the outputs folder"
    return None


def reference_problems(html: str, page: Path, root: Path, source: str,
                       known: set[tuple[str, str]] | None = None) -> list[str]:
    """Return one problem per URL of a page's markup that reaches outside the outputs folder.

    Args:
        html: The markup.
        page: The page's file (relative URLs are resolved against it).
        root: The outputs folder.
        source: What the markup is, named in each problem.
        known: References already reported, skipped; those found are added to it.
    """
    known = set() if known is None else known
    problems = []
    for where, url in references(html):
        reason = outside_reference(url, page, root)
        if reason and (where, url) not in known:
            known.add((where, url))
            problems.append(f"{source} refers to {reason}: {where} {url[:200]}")
    return problems


def is_local(url: str) -> bool:
    """Whether a URL is the browser's own (a file, inline data): no network is involved."""
    return url.startswith(("file:", "data:", "about:", "blob:"))
