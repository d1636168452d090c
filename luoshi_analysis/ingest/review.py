"""Keep an analyst's review across a re-ingest: reviewed indicator rows whose fragment is still there."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from luoshi_analysis.core.schema import INDICATORS
from luoshi_analysis.core.text import occurrences


@dataclass
class ReviewCarry:
    """What a forced re-ingest did with the year's reviewed indicator rows."""

    kept: list[str] = field(default_factory=list)  # keys of reviewed rows kept
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (key, fragment) no longer in the text
    added: int = 0  # unreviewed candidates new in this ingest


def _spans(text: str, fragment: str) -> list[tuple[int, int]]:
    """Return where fragment occurs in text, as (start, end) pairs."""
    return [(start, start + len(fragment)) for start in occurrences(text, fragment)]


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def carry_reviewed(new: pd.DataFrame, old: pd.DataFrame | None,
                    text: str) -> tuple[pd.DataFrame, ReviewCarry]:
    """Keep the old year's reviewed rows whose fragment is still in the new text.

    A kept row takes the place of the new candidate of the same value and unit whose fragment
    overlaps its own in the text (reviewers often trim a fragment); a candidate whose key a kept
    row holds gets the next free key of its section.
    """
    carry = ReviewCarry()
    if old is None or old.empty:
        carry.added = len(new)
        return new, carry
    reviewed = old[old["reviewed"].str.lower() == "true"]
    if reviewed.empty:  # nothing reviewed yet: the new candidates replace the old ones
        carry.added = len(new)
        return new, carry
    still = reviewed["source_fragment"].map(lambda fragment: bool(fragment) and fragment in text)
    kept = reviewed[still]
    carry.kept = kept["key"].tolist()
    carry.dropped = list(zip(reviewed.loc[~still, "key"], reviewed.loc[~still, "source_fragment"],
                             strict=True))
    taken = [(_spans(text, row["source_fragment"]), row["value_as_written"], row["unit"])
             for _, row in kept.iterrows()]

    def already_kept(row: pd.Series) -> bool:
        spans = _spans(text, row["source_fragment"])
        return any(value == row["value_as_written"] and unit == row["unit"] and _overlap(spans, other)
                   for other, value, unit in taken)

    fresh = new[[not already_kept(row) for _, row in new.iterrows()]].copy()
    used = set(kept["key"])
    for index, row in fresh.iterrows():
        if row["key"] in used:
            number = 1
            while f"{row['section_key']}_{number:02d}" in used:
                number += 1
            fresh.at[index, "key"] = f"{row['section_key']}_{number:02d}"
        used.add(fresh.at[index, "key"])
    carry.added = len(fresh)
    merged = pd.concat([kept, fresh], ignore_index=True)
    order = merged["source_fragment"].map(lambda fragment: text.find(fragment))
    merged = merged.assign(_s=merged["section"].astype(int), _o=order).sort_values(
        ["_s", "_o"], kind="stable").drop(columns=["_s", "_o"])
    return merged[INDICATORS.columns].reset_index(drop=True), carry
