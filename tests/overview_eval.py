"""How many stated figures the overview parser recovers from a folder of report texts.

The folder holds report texts (``<name>_<year>.txt``) and ``expected.csv`` listing, per
report, every figure it states (report, year, scope, phase, key, amount in 万元, in_budget).
A figure is recovered when the statements hold it; one marked in_budget must also be the
amount the budget overview carries. Run: ``python tests/overview_eval.py [folder]``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from luoshi_analysis.core.errors import IngestError
from luoshi_analysis.ingest.normalize import normalize
from luoshi_analysis.ingest.overview import parse_overview

CORPUS = Path(__file__).resolve().parent / "overview_corpus"


@dataclass
class Evaluation:
    """Recovered and stated figures over a folder, and what was missed or refused."""

    stated: int = 0
    recovered: int = 0
    refused: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)  # budget-table figures the text does not state
    extra: list[str] = field(default_factory=list)  # own statements no expected row lists

    @property
    def share(self) -> float:
        """Return recovered / stated."""
        return self.recovered / self.stated if self.stated else 0.0


def evaluate(folder: Path = CORPUS) -> Evaluation:
    """Parse every report of folder and compare with its expected.csv."""
    expected = pd.read_csv(folder / "expected.csv", dtype=str)
    result = Evaluation()
    for report, rows in expected.groupby("report", sort=True):
        year = int(report.rsplit("_", 1)[1])
        text = (folder / f"{report}.txt").read_text("utf-8")
        result.stated += len(rows)
        try:
            overview = parse_overview(normalize(text), year)
        except IngestError as exc:
            result.refused.append(f"{report}: {exc}")
            continue
        found = {(int(r.year), r.scope, r.phase, r.key, Decimal(r.amount))
                 for r in overview.statements.itertuples()}
        budget = {r.key: Decimal(r.amount) for r in overview.budget.itertuples()}
        in_budget = {(r.key, Decimal(r.amount)) for r in rows.itertuples() if r.in_budget == "1"}
        result.false += [f"{report}: budget {key} {amount}" for key, amount in budget.items()
                         if (key, amount) not in in_budget]
        listed = {(int(r.year), r.scope, r.phase, r.key, Decimal(r.amount)) for r in rows.itertuples()}
        result.extra += [f"{report}: {r.year} {r.scope} {r.phase} {r.key} {r.amount} "
                         f"'{r.source_fragment}'" for r in overview.statements.itertuples()
                         if r.stated_by == "this_report" and (int(r.year), r.scope, r.phase, r.key,
                                                              Decimal(r.amount)) not in listed]
        for row in rows.itertuples():
            amount = Decimal(row.amount)
            hit = (int(row.year), row.scope, row.phase, row.key, amount) in found
            if row.in_budget == "1":
                hit = hit and budget.get(row.key) == amount
            result.recovered += hit
            if not hit:
                result.missed.append(f"{report}: {row.year} {row.scope} {row.phase} {row.key} "
                                     f"{row.amount}")
    return result


if __name__ == "__main__":
    outcome = evaluate(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS)
    print(f"recovered {outcome.recovered} of {outcome.stated} stated figures "
          f"({outcome.share:.1%}); {len(outcome.refused)} texts refused; "
          f"{len(outcome.false)} false budget figures; {len(outcome.extra)} statements not listed")
    for line in outcome.refused + outcome.missed:
        print("  " + line)
    for line in outcome.false:
        print("  FALSE " + line)
    for line in outcome.extra:
        print("  EXTRA " + line)
