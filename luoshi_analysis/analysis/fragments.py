"""Check every figure against its verbatim fragment, and each fragment against the raw report."""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from luoshi_analysis.core import config
from luoshi_analysis.core.load import as_year, load_budget, load_indicators, record_lines
from luoshi_analysis.core.numbers import chinese_number
from luoshi_analysis.core.provenance import raw_text
from luoshi_analysis.core.text import occurrences

# A number as the report writes it: ASCII digits (full-width ones are not figures of the tables).
NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
NONE_WRITTEN = "无"  # the report's word for an amount of zero


# Said of a figure as written that a number-typed round trip changed (3 → 3.0, 1334.20 → 1334.2).
ROUND_TRIP = "a CSV round trip through pandas or a spreadsheet"


def round_trip_of(written: str, fragment: str) -> str | None:
    """Return the number of the fragment that `written` is a float-typed rewrite of, if any.

    pandas' read_csv/to_csv (and a spreadsheet saving a column as numbers) writes 3 as 3.0 and
    1334.20 as 1334.2: the value is the same, the figure as written no longer is.
    """
    if not NUMBER.fullmatch(written):
        return None
    return next((n for n in numbers_in(fragment) if n != written and float(n) == float(written)),
                None)


@dataclass(frozen=True)
class FragmentViolation:
    """A row whose figure and fragment, or fragment and raw report, no longer agree."""

    year: int
    table: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        """Return the violation as one line naming table, line and key."""
        return f"{self.table}.csv line {self.line} ({self.key}): {self.message}"

    @property
    def round_trip(self) -> bool:
        """Whether the violation looks like a number-typed round trip of the table (3 → 3.0)."""
        return ROUND_TRIP in self.message


def numbers_in(fragment: str) -> list[str]:
    """Return the numbers written in digits in a fragment, as written."""
    return NUMBER.findall(fragment)


def written_value(written: str) -> float | None:
    """Return the value of a figure as written (1123, 7.61, 两, 无), or None if it is none."""
    if NUMBER.fullmatch(written):
        return float(written)
    if written == NONE_WRITTEN:
        return 0.0
    value = chinese_number(written)
    return None if value is None else float(value)


def _shown(fragment: str) -> str:
    return repr(fragment if len(fragment) <= 40 else fragment[:39] + "…")


def _in_fragment(written: str, fragment: str) -> bool:
    """Whether a figure as written stands in the fragment (as a whole number, not part of one)."""
    if NUMBER.fullmatch(written):
        return written in numbers_in(fragment)
    return written in fragment


def _row_violations(text: str, row: pd.Series, value_field: str, written_field: str) -> list[str]:
    """Return what is wrong with one row's fragment and figure (empty when all agree)."""
    fragment, written, value = row["source_fragment"], row[written_field], row[value_field]
    problems = []
    found = len(occurrences(text, fragment))
    if found != 1:
        where = "does not occur" if not found else f"occurs {found} times"
        problems.append(f"source_fragment {_shown(fragment)} {where} in the raw report; "
                        "it must occur exactly once")
    if not _in_fragment(written, fragment):
        was = round_trip_of(written, fragment)
        hint = (f" ({was} → {written} is what {ROUND_TRIP} does to a number: keep "
                f"{written_field} as text)") if was else ""
        problems.append(f"{written_field} {written!r} is not in its source_fragment "
                        f"{_shown(fragment)}{hint}")
    expected = written_value(written)
    if expected is None:
        problems.append(f"{written_field} {written!r} is not a number (digits 0-9, a Chinese "
                        f"numeral, or {NONE_WRITTEN})")
    elif value != expected:
        problems.append(f"{value_field} {value:g} is not the {written!r} its source_fragment "
                        f"{_shown(fragment)} states")
    return problems


def fragment_violations(year: object, root: Path | None = None) -> list[FragmentViolation]:
    """Return every row of a year's budget and indicator tables that its fragment does not bear out.

    Each figure must be what its value-as-written says and stand in its source fragment (a
    budget line's label and stated share too), and each fragment must occur exactly once in
    the raw report.

    Args:
        year: The report year.
        root: A data folder other than the default.
    """
    year = as_year(year, root)
    text = raw_text(year, root)
    out: list[FragmentViolation] = []

    lines: dict[str, list[int]] = {}

    def add(table: str, index: Hashable, key: str, messages: list[str]) -> None:
        if messages and table not in lines:  # the file's own lines, as load errors name them
            lines[table] = record_lines(config.processed_dir(year, root) / f"{table}.csv")
        out.extend(FragmentViolation(year, table, lines[table][int(str(index))], key, m)
                   for m in messages)

    for index, row in load_budget(year, root).iterrows():
        problems = _row_violations(text, row, "amount", "amount_as_written")
        fragment = row["source_fragment"]
        if row["label_zh"] not in fragment:
            problems.append(f"label_zh {row['label_zh']!r} is not in its source_fragment "
                            f"{_shown(fragment)}")
        share = row["stated_share_pct"]
        if pd.notna(share) and not any(float(n) == share for n in numbers_in(fragment)):
            problems.append(f"stated_share_pct {share:g} is not in its source_fragment "
                            f"{_shown(fragment)}")
        add("budget", index, row["key"], problems)
    for index, row in load_indicators(year, root).iterrows():
        add("indicators", index, row["key"], _row_violations(text, row, "value", "value_as_written"))
    return out
