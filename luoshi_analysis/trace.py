"""Trace a figure back to the sentence of the raw report it came from."""

from __future__ import annotations

import re
from pathlib import Path

from luoshi_analysis.errors import ParameterError
from luoshi_analysis.load import (
    as_year,
    budget_document_years,
    load_budget,
    load_indicators,
    load_statements,
)
from luoshi_analysis.provenance import raw_text, read_sources

_SENTENCE_END = re.compile(r"[。；;！？\n]")


def sentence_of(text: str, fragment: str) -> str:
    """Return the sentence (up to 。；！？ or a line break) of text that holds fragment."""
    start = text.find(fragment)
    if start < 0:
        raise ParameterError(f"fragment {fragment!r} does not occur in the raw report")
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    begin = before[-1] if before else 0
    after = _SENTENCE_END.search(text, start + len(fragment))
    end = after.end() if after else len(text)
    return text[begin:end].strip()


def _found(table: str, key: str, fragment: str, text: str, raw_file: str) -> dict[str, str]:
    return {
        "table": table,
        "key": key,
        "fragment": fragment,
        "sentence": sentence_of(text, fragment),
        "line": str(text.count("\n", 0, text.find(fragment)) + 1),
        "raw_file": raw_file,
    }


def trace(year: object, key: str, root: Path | None = None, phase: str = "") -> dict[str, str]:
    """Return a figure's table row, its verbatim fragment and the sentence it sits in.

    A key of neither table, or any key with a phase, is looked up in the year's statements; a
    statement of a budget document (部门预算) kept beside the report traces to that document.

    Args:
        year: The report year.
        key: A key of the budget or indicator table, e.g. "people_out_of_poverty".
        root: A data folder other than the default.
        phase: executed, budgeted or adjusted: trace the statement of that phase.
    """
    pending = str(year).strip().isdigit() and int(str(year).strip()) in budget_document_years(root)
    year = int(str(year).strip()) if pending else as_year(year, root)
    tables = () if phase or pending else (
        ("budget", load_budget(year, root)), ("indicators", load_indicators(year, root)))
    for table, frame in tables:
        match = frame[frame["key"] == key]
        if not match.empty:
            fragment = match.iloc[0]["source_fragment"]
            return _found(table, key, fragment, raw_text(year, root), read_sources(year, root)[0].raw_file)
    statements = load_statements(year, root)
    match = statements[(statements["key"] == key) & (statements["year"] == year)
                       & ((statements["phase"] == phase) if phase else True)]
    if not match.empty:
        row = match.iloc[0]
        raw_file = read_sources(year, root)[0].raw_file
        if row["stated_by"] == "budget_document":
            raw_file = next(s.raw_file for s in read_sources(year, root) if s.phase == "budgeted")
        return _found("statements", key, row["source_fragment"], raw_text(year, root, raw_file),
                      raw_file)
    raise ParameterError(f"no figure with key {key!r}{f' and phase {phase}' if phase else ''} in "
                         f"{year}; see `luoshi tables --year {year}`")
