"""Statements of a line's amount: choosing among those that disagree, and reading them back from a table.

Two statements of one line (same year, scope and phase) that differ are both kept; the one the
accounting identities support fills the overview (or the first, when no identity decides), and
the other is reported with both fragments and lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from luoshi_analysis.core.lines import LINE_NAMES_ZH, LINES, Found

# Identities that say which of two disagreeing statements is right: (whole, parts, needed).
IDENTITIES = (
    ("revenue_total", ("revenue_carryover", "revenue_current_year",
                       "revenue_non_fiscal_balance_used"), 2),
    ("expenditure_total", ("expenditure_carryforward", "expenditure_current_year",
                           "expenditure_surplus_distribution"), 2),
    ("revenue_current_year", tuple(line.key for line in LINES if line.parent ==
                                   "revenue_current_year" and line.key not in (
                                       "revenue_fiscal_general_budget",
                                       "revenue_fiscal_government_funds",
                                       "revenue_fiscal_state_capital")), 2),
    ("expenditure_current_year", tuple(line.key for line in LINES
                                       if line.parent == "expenditure_current_year"), 2),
    ("revenue_fiscal_appropriation", ("revenue_fiscal_general_budget",
                                      "revenue_fiscal_government_funds",
                                      "revenue_fiscal_state_capital"), 1),
    ("revenue_total", ("expenditure_total",), 1),
)


def _support(key: str, amount: Decimal, values: dict[str, Decimal]) -> int:
    """Return how many identities hold when key has amount, the other lines as in values."""
    trial = dict(values, **{key: amount})
    held = 0
    for whole, parts, needed in IDENTITIES:
        if key != whole and key not in parts:
            continue
        present = [p for p in parts if p in trial]
        if whole not in trial or len(present) < needed:
            continue
        if abs(sum(trial[p] for p in present) - trial[whole]) <= Decimal("0.01"):
            held += 1
    return held


@dataclass(frozen=True)
class Disagreement:
    """Two statements of one line (same year, scope and phase) with different amounts."""

    year: int
    key: str
    scope: str
    phase: str
    kept: str  # fragment whose amount fills the overview
    kept_line: int
    other: str  # fragment left aside (still in statements.csv)
    other_line: int
    kept_amount: Decimal
    other_amount: Decimal
    reason: str  # why `kept` was kept

    def message(self) -> str:
        """Return the one-line violation an analyst reads."""
        name = LINE_NAMES_ZH.get(self.key, self.key)
        return (f"{self.year} {name} ({self.key}, {self.scope}, {self.phase}): "
                f"'{self.kept}' (line {self.kept_line}) and '{self.other}' (line "
                f"{self.other_line}) disagree; kept {self.kept_amount} 万元 ({self.reason})")


def choose(statements: list[Found]) -> tuple[dict[tuple, Found], list[Disagreement]]:
    """Pick one statement per (year, key, scope, phase); report the ones that disagree.

    The statement the accounting identities support is kept; with no support either way,
    the first in the text. Statements derived from year-on-year clauses are not chosen here.
    """
    groups: dict[tuple, list[Found]] = {}
    for item in sorted(statements, key=lambda f: f.position):
        if item.stated_by == "this_report":
            groups.setdefault((item.year, item.scope, item.phase, item.key), []).append(item)
    chosen = {k: v[0] for k, v in groups.items()}
    conflicts = {k: list(dict.fromkeys(i.amount for i in v)) for k, v in groups.items()}
    conflicts = {k: v for k, v in conflicts.items() if len(v) > 1}
    support: dict[tuple, dict[Decimal, int]] = {}
    for _round in range(3):  # a choice can change what the identities say about another line
        for slot, amounts in conflicts.items():
            year, scope, phase, key = slot
            values = {k[3]: f.amount for k, f in chosen.items() if k[:3] == (year, scope, phase)}
            support[slot] = {a: _support(key, a, values) for a in amounts}
            scores = support[slot]
            best = max(amounts, key=lambda a: (scores[a], -amounts.index(a)))  # noqa: B023 - used at once
            chosen[slot] = next(i for i in groups[slot] if i.amount == best)
    disagreements = []
    for slot, amounts in conflicts.items():
        year, scope, phase, key = slot
        kept = chosen[slot]
        reason = ("the accounting identities hold with it" if support[slot][kept.amount] > 0
                  else "stated first; no identity decides")
        for other_amount in amounts:
            if other_amount == kept.amount:
                continue
            other = next(i for i in groups[slot] if i.amount == other_amount)
            disagreements.append(Disagreement(
                year, key, scope, phase, kept.fragment, kept.line, other.fragment, other.line,
                kept.amount, other.amount, reason))
    return chosen, disagreements


def found_from_frame(statements: pd.DataFrame) -> list[Found]:
    """Return the statements of a statements table (as loaded) as Found records, in order."""
    items = []
    for row in statements.to_dict("records"):
        share = row["stated_share_pct"]
        items.append(Found(
            str(row["key"]), str(row["scope"]), str(row["phase"]), int(row["year"]),
            str(row["label_zh"]), Decimal(str(row["amount"])), str(row["amount_as_written"]),
            str(row["unit_as_written"] or ""), None if pd.isna(share) else str(share),
            str(row["source_fragment"]), int(row["source_line"]), int(row["statement"]),
            stated_by=str(row["stated_by"]), derivation=str(row["derivation"] or "")))
    return items
