"""Finding a fragment in a report's text: every occurrence, and the sentence that holds it."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from luoshi_analysis.core.errors import ParameterError

if TYPE_CHECKING:
    from opencc import OpenCC

_SENTENCE_END = re.compile(r"[。；;！？\n]")


def occurrences(text: str, fragment: str) -> list[int]:
    """Return every offset of text at which fragment starts (overlapping ones too)."""
    found, start = [], text.find(fragment) if fragment else -1
    while start >= 0:
        found.append(start)
        start = text.find(fragment, start + 1)
    return found


def sentence_of(text: str, fragment: str) -> str:
    """Return the sentence (up to 。；！？ or a line break) of text that holds fragment."""
    start = next(iter(occurrences(text, fragment)), -1)
    if start < 0:
        raise ParameterError(f"fragment {fragment!r} does not occur in the raw report")
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    begin = before[-1] if before else 0
    after = _SENTENCE_END.search(text, start + len(fragment))
    end = after.end() if after else len(text)
    return text[begin:end].strip()


@functools.cache
def to_simplified() -> OpenCC:
    """Return OpenCC's converter from traditional to simplified characters, made once."""
    import opencc  # deferred: a few modules need it, and only for some texts

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Return text in simplified characters (OpenCC t2s)."""
    return str(to_simplified().convert(text))
