"""`luoshi validate`: tables, raw-file hashes, identities and source fragments of each year."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from luoshi_analysis.analysis.checks import check, formatted, statement_violations
from luoshi_analysis.analysis.fragments import ROUND_TRIP, fragment_violations
from luoshi_analysis.cli.common import (
    EXIT_VIOLATIONS,
    chosen_units,
    collection_root,
    data_root,
    markdown,
)
from luoshi_analysis.core import config
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.core.load import (
    as_year,
    budget_document_years,
    document_years,
    load_budget,
    load_indicators,
    load_statements,
    parse_year,
    record_lines,
    years,
)
from luoshi_analysis.core.provenance import read_sources, verify_raw
from luoshi_analysis.core.terminal import echo

UNREVIEWED_NAMED = 12  # unreviewed rows named by key in the warning; the rest are counted


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare `luoshi validate` and its options."""
    p = sub.add_parser("validate", help="check tables, raw-file hashes and accounting identities")
    p.add_argument("--year", action="append", help="a year to check (repeatable; default: all)")
    p.add_argument("--unit", action="append", metavar="NAME",
                   help="a unit of the collection to check (repeatable; default: every unit)")
    p.set_defaults(func=run)


def _chosen_years(wanted: list[str] | None, root: Path | None) -> tuple[list[int], list[int]]:
    """Return (years with a budget document only, years with a report) to check."""
    budget_only = budget_document_years(root)
    if not wanted:
        return budget_only, years(root)
    asked = [int(y) if str(y).strip().isascii() and str(y).strip().isdigit() else y for y in wanted]
    pending = list(dict.fromkeys(y for y in asked if y in budget_only))
    chosen = list(dict.fromkeys(as_year(y, root) for y in asked if y not in pending))
    return pending, chosen


def _budget_document_year(year: int, root: Path | None) -> None:
    """Print what a year with only its budget document holds (its hashes are checked)."""
    verify_raw(year, root)
    statements = load_statements(year, root)
    echo(f"\n## {year} — budget document only, no 决算 yet")
    for source in read_sources(year, root):
        echo(f"raw file {source.raw_file} ({source.phase}): sha256 {source.sha256[:12]}… matches")
    echo(f"statements: {len(statements)} stated amounts; the year's tables and checks "
         "come with its report")


def _violation(year: int, row: pd.Series) -> str:
    return (f"VIOLATION {year} {row['check']}: expected {row['expected']:.4f}, "
            f"found {row['found']:.4f}, difference {row['difference']:+.4f} "
            f"(tolerance {row['tolerance']:.4f} {row['unit']})")


def _tables(budget: pd.DataFrame, checks: pd.DataFrame) -> None:
    """Print the budget lines and the checks, numbers as the report writes them (1334.20)."""
    shown = pd.DataFrame({
        "label_zh": budget["label_zh"], "label_en": budget["label_en"],
        "amount (万元)": budget["amount"].map(lambda v: f"{v:.2f}"),
        "stated share %": budget["stated_share_pct"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}"),
    })
    echo(markdown(shown, numbers=["amount (万元)", "stated share %"]))
    echo()
    numbers = ["expected", "found", "difference", "tolerance"]
    table = formatted(checks)[["check", *numbers, "ok"]]
    table[numbers] = table[numbers].apply(lambda column: column.str.replace(",", ""))  # 5446.35
    echo(markdown(table, numbers=numbers))


def _unreviewed(year: int, indicators: pd.DataFrame, root: Path | None) -> None:
    """Warn (one line) about indicator rows no person has reviewed: their names are machine-made."""
    rows = indicators.index[~indicators["reviewed"]]
    if not len(rows):
        return
    lines = record_lines(config.processed_dir(year, root) / config.INDICATORS_FILE)
    named = [f"line {lines[i]} {str(indicators.at[i, 'key'])}" for i in rows[:UNREVIEWED_NAMED]]
    more = f" and {len(rows) - UNREVIEWED_NAMED} more" if len(rows) > UNREVIEWED_NAMED else ""
    echo(f"WARNING {year} indicators.csv: {len(rows)} of {len(indicators)} rows not yet reviewed "
         f"(reviewed=false): {', '.join(named)}{more}; their names were made by ingest and the "
         "pages mark them unreviewed until a person checks each and sets reviewed to true",
         file=sys.stderr, one_line=True)


def _report_year(year: int, root: Path | None) -> int:
    """Print a year's tables and checks; return how many checks fail."""
    source = verify_raw(year, root)
    budget = load_budget(year, root)
    indicators = load_indicators(year, root)
    checks = check(year, root)
    bad = checks[~checks["ok"]]
    fragments = fragment_violations(year, root)
    echo(f"\n## {year} — {source.title}")
    echo(f"raw report {source.raw_file}: sha256 {source.sha256[:12]}… matches")
    for other in read_sources(year, root)[1:]:  # a 部门预算 kept beside the report
        echo(f"raw file {other.raw_file} ({other.phase}): sha256 {other.sha256[:12]}… matches")
    echo(f"budget: {len(budget)} lines; indicators: {len(indicators)} figures in "
         f"{indicators['section'].nunique()} sections "
         f"({int((~indicators['reviewed']).sum())} not yet reviewed)\n")
    _tables(budget, checks)
    echo(f"\nsource fragments: {len(budget) + len(indicators)} figures, "
         + ("each stands in its fragment, each fragment once in the raw report"
            if not fragments else f"{len(fragments)} disagreement(s)"))
    _unreviewed(year, indicators, root)
    for _, row in bad.iterrows():
        echo(_violation(year, row), file=sys.stderr, one_line=True)
    for violation in fragments:
        echo(f"VIOLATION {year} {violation}", file=sys.stderr, one_line=True)
    round_trips = sum(v.round_trip for v in fragments)
    if round_trips:
        echo(f"NOTE {year}: {round_trips} of these look like {ROUND_TRIP} (3 → 3.0, 1334.20 → "
             "1334.2): read the tables with pandas.read_csv(path, dtype=str, "
             "keep_default_na=False), or edit them as the README says", file=sys.stderr,
             one_line=True)
    disagreeing = statement_violations(year, root)  # reported, never corrected
    for message in disagreeing["message"]:
        echo(f"VIOLATION {year} statements: {message}", file=sys.stderr, one_line=True)
    return len(bad) + len(fragments) + len(disagreeing)


def _unit_years(args: argparse.Namespace, root: Path) -> tuple[list[int], list[int]]:
    """Return a unit's (budget-document-only years, report years) that --year asks for."""
    if not args.year:
        return _chosen_years(None, root)
    asked = [parse_year(y) for y in args.year]
    held = set(document_years(root))
    wanted = [str(y) for y in asked if y in held]
    return _chosen_years(wanted, root) if wanted else ([], [])


def run(args: argparse.Namespace) -> int:
    """Validate tables, hashes, identities and source fragments of every unit's years; 1 if one fails."""
    targets = chosen_units(args) if args.collection or args.unit else None
    if targets is None:  # one data folder, as --data-dir or the configured one names it
        root = data_root(args)
        pending, chosen = _chosen_years(args.year, root)
        if not chosen and not pending:
            raise ParameterError(f"no years with data in {root or config.data_dir()}")
        failed = _check_unit(root, pending, chosen)
        checked = len(chosen) + len(pending)
    else:
        failed = checked = 0
        for unit in targets:
            pending, chosen = _unit_years(args, unit.folder)
            if chosen or pending:
                echo(f"\n# {unit.name} — {unit.folder}", one_line=True)
                failed += _check_unit(unit.folder, pending, chosen)
                checked += len(chosen) + len(pending)
        if not checked:
            held = sorted({y for unit in targets for y in document_years(unit.folder)})
            raise ParameterError(
                f"no unit of {collection_root(args)} has the year(s) {', '.join(args.year or [])}; "
                f"years with data: {', '.join(map(str, held)) or 'none'}")
    echo(f"\n{checked} year(s) checked: "
         + ("all checks hold" if not failed else f"{failed} check(s) violated"))
    return EXIT_VIOLATIONS if failed else 0


def _check_unit(root: Path | None, pending: list[int], chosen: list[int]) -> int:
    """Print and check one unit's years; return how many checks fail."""
    for year in pending:  # a budget document only: its hashes and statements, nothing to chart
        _budget_document_year(year, root)
    return sum(_report_year(year, root) for year in chosen)
