"""Trace a figure back to the sentence of the raw report it came from."""

from __future__ import annotations

import re
from pathlib import Path

from luoshi_analysis.errors import ParameterError
from luoshi_analysis.load import as_year, load_budget, load_indicators
from luoshi_analysis.provenance import raw_text

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


def trace(year: object, key: str, root: Path | None = None) -> dict[str, str]:
    """Return a figure's table row, its verbatim fragment and the sentence it sits in.

    Args:
        year: The report year.
        key: A key of the budget or indicator table, e.g. "people_out_of_poverty".
        root: A data folder other than the default.
    """
    year = as_year(year, root)
    for table, frame in (("budget", load_budget(year, root)), ("indicators", load_indicators(year, root))):
        match = frame[frame["key"] == key]
        if not match.empty:
            row = match.iloc[0]
            text = raw_text(year, root)
            return {
                "table": table,
                "key": key,
                "fragment": row["source_fragment"],
                "sentence": sentence_of(text, row["source_fragment"]),
                "line": str(text.count("\n", 0, text.find(row["source_fragment"])) + 1),
            }
    raise ParameterError(f"no figure with key {key!r} in {year}; see `luoshi tables --year {year}`")
