"""How many outcome figures a reader counts the candidate finder recovers, and how it names them.

The folder holds performance texts (``<name>_<year>.txt``) and ``expected.csv`` listing, per
report, every outcome figure a reader counts (report, value, unit as written, name_zh, kind,
fragment: a verbatim piece of the text, unique in it, holding the figure). A figure is
recovered when a candidate has its number at the same place, the same value and the unit as
written; it is named as the reader named it when one name holds the other or at least three
quarters of the candidate name's characters are in the reader's. ``issuers.csv`` gives each
text's issuing unit. Run: ``python tests/outcomes_eval.py [folder]``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from luoshi_analysis.core.errors import IngestError
from luoshi_analysis.core.units import unit_class
from luoshi_analysis.ingest.document import report_kind
from luoshi_analysis.ingest.issuer import find_issuer, same_unit
from luoshi_analysis.ingest.normalize import normalize
from luoshi_analysis.ingest.outcomes import Candidate, outcome_figures
from luoshi_analysis.ingest.overview import parse_overview

CORPUS = Path(__file__).resolve().parent / "corpus_round2" / "outcomes"
ALLOCATION = re.compile(r"预算|资金|拨款")


@dataclass
class OutcomeEvaluation:
    """Recovered, named and rightly kinded figures over a folder, and what was missed."""

    stated: int = 0
    recovered: int = 0
    named: int = 0
    kinded: int = 0
    issuers: int = 0
    texts: int = 0
    missed: list[str] = field(default_factory=list)
    misnamed: list[str] = field(default_factory=list)
    miskinded: list[str] = field(default_factory=list)
    wrong_issuer: list[str] = field(default_factory=list)


def _plain(name: str) -> str:
    return re.sub(r"[“”\"《》()（）、,，:：\s]", "", normalize(name).text)


def same_name(candidate: str, reader: str) -> bool:
    """Return whether a candidate's name names what the reader's name names."""
    c, r = _plain(candidate), _plain(reader)
    if not c:
        return False
    if c in r or r in c:
        return True
    return len(c) >= 2 and sum(ch in r for ch in c) / len(c) >= 0.75


def kind_of(candidate: Candidate) -> str:
    """Return the expected file's kind of a candidate: rank, target, money or actual."""
    if candidate.qualifier == "rank":
        return "rank"
    money = unit_class(candidate.unit) == "money" or candidate.kind == "money"
    if candidate.role == "target" and not (money and ALLOCATION.search(candidate.name)):
        return "target"
    return "money" if money else "actual"


def _position(text: str, fragment: str, value: str) -> int:
    """Return the offset of the expected figure's number in the text."""
    start = text.index(fragment)
    numbers = [m for m in re.finditer(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", fragment)
               if Decimal(m.group().replace(",", "")) == Decimal(value)]
    if not numbers:
        raise ValueError(f"{value} is not in {fragment!r}")
    return start + numbers[-1].start()  # "覆盖率 | ≧ | 100 | % | 100%": the result is the last


def _excluded(text: str, year: int) -> tuple[str, ...]:
    """Return the overview's fragments, as ingest excludes them (a project's text states none)."""
    if report_kind(text, False, True) == "performance_self_evaluation":
        return ()
    try:
        statements = parse_overview(normalize(text), year).statements
    except IngestError:
        return ()
    return tuple(statements["source_fragment"])


def evaluate(folder: Path = CORPUS) -> OutcomeEvaluation:
    """Find every text's candidates and compare them with its expected.csv and issuers.csv."""
    expected = pd.read_csv(folder / "expected.csv", dtype=str, keep_default_na=False)
    issuers = pd.read_csv(folder / "issuers.csv", dtype=str).set_index("report")["issuer"]
    result = OutcomeEvaluation()
    for report, rows in expected.groupby("report", sort=True):
        year = int(report.rsplit("_", 1)[1])
        text = (folder / f"{report}.txt").read_text("utf-8")
        found = {c.position: c for c in outcome_figures(text, _excluded(text, year))}
        result.texts += 1
        issuer = find_issuer(text)
        full = issuer.city + issuer.district + issuer.issuer
        if issuer.issuer and (same_unit(issuer.issuer, issuers[report])
                              or same_unit(full, issuers[report])):
            result.issuers += 1
        else:
            result.wrong_issuer.append(f"{report}: {issuer.issuer!r}, expected {issuers[report]}")
        for row in rows.itertuples():
            result.stated += 1
            candidate = found.get(_position(text, row.fragment, row.value))
            where = f"{report}: {row.value}{row.unit} {row.name_zh} ({row.fragment})"
            if candidate is None or Decimal(candidate.value_as_written.replace(",", "")) != \
                    Decimal(row.value) or candidate.unit != row.unit:
                got = f" — got {candidate.value_as_written}{candidate.unit}" if candidate else ""
                result.missed.append(where + got)
                continue
            result.recovered += 1
            if same_name(candidate.name, row.name_zh):
                result.named += 1
            else:
                result.misnamed.append(f"{where}: named {candidate.name!r}")
            if kind_of(candidate) == row.kind:
                result.kinded += 1
            else:
                result.miskinded.append(f"{where}: {kind_of(candidate)}, expected {row.kind}")
    return result


if __name__ == "__main__":
    outcome = evaluate(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS)
    print(f"recovered {outcome.recovered} of {outcome.stated} outcome figures; named "
          f"{outcome.named}, kind right {outcome.kinded}; issuers {outcome.issuers}/{outcome.texts}")
    for title, lines in (("MISSED", outcome.missed), ("NAMED", outcome.misnamed),
                         ("KIND", outcome.miskinded), ("ISSUER", outcome.wrong_issuer)):
        for line in lines:
            print(f"  {title} {line}")
