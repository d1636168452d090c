"""Trace a figure back to the sentence of the raw report it came from."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.core.load import (
    as_year,
    budget_document_years,
    load_budget,
    load_indicators,
    load_statements,
)
from luoshi_analysis.core.provenance import raw_text, read_sources
from luoshi_analysis.core.text import sentence_of


@dataclass(frozen=True)
class Trace:
    """Where a figure comes from: its table row, verbatim fragment, sentence and raw line.

    Printed, it reads as two lines; in a notebook it shows the sentence with the fragment
    marked.
    """

    year: int
    table: str
    key: str
    fragment: str
    sentence: str
    line: int
    raw_file: str = ""  # the raw file (path in the data folder) the line number refers to

    def __getitem__(self, name: str):
        """Return a field by name, as the dict trace() used to return allowed."""
        return getattr(self, name)

    def __str__(self) -> str:
        """Return the figure's key and line, then the sentence with the fragment in 【】."""
        marked = self.sentence.replace(self.fragment, f"【{self.fragment}】", 1)
        return f"{self.year} {self.table}.{self.key} — {self._where()}\n{marked}"

    def _where(self) -> str:
        return f"{self.raw_file or 'raw report'} line {self.line}"

    def _repr_html_(self) -> str:
        """Return the sentence as escaped HTML with the fragment in <mark>."""
        head, _, tail = self.sentence.partition(self.fragment)
        return (
            f"<p><code>{html.escape(f'{self.table}.{self.key}')}</code> — {self.year}, "
            f"{html.escape(self._where())}</p>"
            f'<blockquote lang="zh">{html.escape(head)}<mark>{html.escape(self.fragment)}'
            f"</mark>{html.escape(tail)}</blockquote>"
        )


def _found(year: int, table: str, key: str, fragment: str, text: str, raw_file: str) -> Trace:
    return Trace(year=year, table=table, key=key, fragment=fragment,
                 sentence=sentence_of(text, fragment),
                 line=text.count("\n", 0, text.find(fragment)) + 1, raw_file=raw_file)


def trace(year: object, key: str, root: Path | None = None, phase: str = "") -> Trace:
    """Return a figure's table, its verbatim fragment, the sentence it sits in and its line.

    A key of neither table, or any key with a phase, is looked up in the year's statements; a
    statement of a budget document (部门预算) kept beside the report traces to that document.

    Args:
        year: The report year.
        key: A key of the budget or indicator table, e.g. "people_out_of_poverty".
        root: A data folder other than the default.
        phase: executed, budgeted or adjusted: trace the statement of that phase.

    Raises:
        ParameterError: no figure has that key in that year.
    """
    pending = str(year).strip().isdigit() and int(str(year).strip()) in budget_document_years(root)
    year = int(str(year).strip()) if pending else as_year(year, root)
    tables = () if phase or pending else (
        ("budget", load_budget(year, root)), ("indicators", load_indicators(year, root)))
    for table, frame in tables:
        match = frame[frame["key"] == key]
        if not match.empty:
            fragment = match.iloc[0]["source_fragment"]
            return _found(year, table, key, fragment, raw_text(year, root),
                          read_sources(year, root)[0].raw_file)
    statements = load_statements(year, root)
    match = statements[(statements["key"] == key) & (statements["year"] == year)
                       & ((statements["phase"] == phase) if phase else True)]
    if not match.empty:
        row = match.iloc[0]
        raw_file = read_sources(year, root)[0].raw_file
        if row["stated_by"] == "budget_document":
            raw_file = next(s.raw_file for s in read_sources(year, root) if s.phase == "budgeted")
        return _found(year, "statements", key, row["source_fragment"],
                      raw_text(year, root, raw_file), raw_file)
    raise ParameterError(
        f"no figure with key {key!r}{f' and phase {phase}' if phase else ''} in {year}; the keys "
        f"are in la.load_budget({year})['key'], la.load_indicators({year})['key'] and "
        f"la.load_statements({year})['key'] (in a shell: luoshi tables --year {year})"
    )
