"""Checkers the tests share: one language per page or chart, and no text drawn over text."""

from __future__ import annotations

import html
import re
from unittest import mock

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

# Han ideographs, CJK punctuation and full-width forms: none belongs in English text.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
# Where Chinese may appear in English text: quoted deliberately, in brackets or quotes.
QUOTED = re.compile(r"\([^()]*\)|“[^“”]*”|\"[^\"]*\"|‘[^‘’]*’")
# Latin words a Chinese page may hold: units and abbreviations.
ZH_ALLOWED_WORDS = {"cny", "svg", "png", "pdf", "html", "csv", "km", "mu", "ok"}
LATIN_WORD = re.compile(r"(?<![\w/.:`-])[A-Za-z][A-Za-z'’]+(?![\w/.:`-])")
# Code, paths and keys: `…`, words joined by _ or : or / or . (sum:revenue_total, a/b.png)
CODE = re.compile(r"`[^`]*`|\S*[_:/\\.]\S*[A-Za-z]\S*|\S*[A-Za-z]\S*[_:/\\]\S*")


def mixed_language(text: str, lang: str, names: tuple[str, ...] = ()) -> list[str]:
    """Return the pieces of text that are in the other language (empty when it is clean).

    In English, Chinese may appear only in brackets or quotes or as one of names. In
    Chinese, no English word may appear outside names, code, keys, paths and ZH_ALLOWED_WORDS.
    """
    for name in sorted(names, key=len, reverse=True):
        if name:
            text = text.replace(name, " ")
    if lang == "en":
        previous = None
        while previous != text:  # nested brackets, innermost first
            previous, text = text, QUOTED.sub(" ", text)
        return [text[max(0, m.start() - 20):m.end() + 20] for m in CJK.finditer(text)]
    text = CODE.sub(" ", text)
    return [text[max(0, m.start() - 20):m.end() + 20] for m in LATIN_WORD.finditer(text)
            if m.group().lower() not in ZH_ALLOWED_WORDS]


_INVISIBLE = re.compile(r"<(style|script|head)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_QUOTED_ZH = re.compile(r"<(span|blockquote|td|p)\b[^>]*\blang=\"zh[^\"]*\"[^>]*>.*?</\1>",
                        re.DOTALL)
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def page_text(page: str, lang: str) -> str:
    """Return the text a reader sees in a page (its title and body), as plain text.

    In an English page, elements marked lang="zh…" (verbatim report text) are left out.
    """
    title = _TITLE.search(page)
    body = _INVISIBLE.sub(" ", page)
    if lang == "en":
        body = _QUOTED_ZH.sub(" ", body)
    text = (title.group(1) if title else "") + "\n" + _TAG.sub("\n", body)
    return html.unescape(text)


def drawn_texts(fig: Figure) -> list[tuple[str, object]]:
    """Draw fig and return every non-empty text drawn, with its box in pixels."""
    drawn: list[Text] = []
    original = Text.draw

    def record(self, renderer):
        drawn.append(self)
        return original(self, renderer)

    canvas = FigureCanvasAgg(fig)
    with mock.patch.object(Text, "draw", record):
        canvas.draw()
    renderer = canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for t in drawn
            if t.get_visible() and t.get_text().strip()]


def overlapping_texts(fig: Figure, slack: float = 1.0) -> list[tuple[str, str]]:
    """Return the pairs of drawn texts whose boxes overlap by more than slack pixels."""
    texts = drawn_texts(fig)
    pairs = []
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            width = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            height = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if width > slack and height > slack:
                pairs.append((a, b))
    return pairs


def texts_outside(fig: Figure, slack: float = 1.0) -> list[str]:
    """Return the drawn texts that reach beyond the figure's edges (cut off in the image)."""
    texts = drawn_texts(fig)
    width, height = fig.canvas.get_width_height()
    return [t for t, box in texts
            if box.x0 < -slack or box.y0 < -slack or box.x1 > width + slack
            or box.y1 > height + slack]
