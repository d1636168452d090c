"""`luoshi ingest`: add a year from its report, then say what was found and what to review."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

import pandas as pd

from luoshi_analysis.analysis.checks import CHECK_COLUMNS, check
from luoshi_analysis.analysis.ratios import budget_phase_ratios
from luoshi_analysis.cli.common import EXIT_ERROR, EXIT_VIOLATIONS, collection_root
from luoshi_analysis.core import config
from luoshi_analysis.core.errors import LuoshiError, ParameterError
from luoshi_analysis.core.load import load_statements
from luoshi_analysis.core.provenance import REPORT_KINDS
from luoshi_analysis.core.schema import SECTIONS
from luoshi_analysis.core.terminal import echo, for_terminal
from luoshi_analysis.ingest.pipeline import BUDGET_DOCUMENT, BUDGETED, IngestResult, ingest
from luoshi_analysis.ingest.route import route


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare `luoshi ingest` and its options."""
    p = sub.add_parser("ingest", help="add a year from its report (text, web page, PDF, Word, Excel)")
    p.add_argument("report", nargs="+",
                   help="the report(s): text (UTF-8, GB18030/GBK, UTF-16), a saved web page, a PDF "
                        "with a text layer, a Word .docx, or an .xlsx/.xls workbook")
    p.add_argument("--year", type=int, default=None,
                   help="the report's fiscal year; read from the report's title when omitted. Given, "
                        "it confirms that year: a report whose text states another year is refused, "
                        "unless --override-year files it under --year anyway")
    p.add_argument("--override-year", action="store_true",
                   help="file the report under --year even though its text states another year")
    p.add_argument("--url", default="",
                   help="the page the report was published at (kept in its source record); "
                        "with one report only")
    p.add_argument("--unit", metavar="NAME",
                   help="the unit the report is filed under (default: the issuer it states); "
                        "with a collection, its folder")
    p.add_argument("--force", action="store_true",
                   help="replace an existing year (reviewed indicators still in the text are kept; "
                        "the old tables go to backups/)")
    p.add_argument("--issuer-mismatch-ok", action="store_true",
                   help="add a report whose issuer differs from the data folder's unit")
    p.add_argument("--phase", choices=("executed", "budgeted"), default="",
                   help="budgeted: add the file as the year's 部门预算 / 预算批复 beside its 决算 "
                        "(default: decided by what the text states)")
    p.set_defaults(func=run)


def year_checks(result: IngestResult) -> pd.DataFrame:
    """Return the checks of the ingested year (none while it has only a budget document)."""
    if not result.has_report:
        return pd.DataFrame(columns=CHECK_COLUMNS).astype({"ok": bool})
    return check(result.year, result.root)


def _ingest_one(report: Path, args: argparse.Namespace) -> IngestResult:
    """Ingest one report: into the data folder named by --data-dir, or its collection's unit."""
    one_unit = args.data_dir or (os.environ.get(config.DATA_ENV)
                                 and not os.environ.get(config.COLLECTION_ENV))
    if one_unit and not args.collection:  # one unit's data folder, as before collections
        folder = Path(args.data_dir) if args.data_dir else config.data_dir()
        return ingest(report, args.year, folder, force=args.force,
                      issuer_mismatch_ok=args.issuer_mismatch_ok, phase=args.phase,
                      override_year=args.override_year, url=args.url)
    destination = route(report, collection_root(args), args.unit or "", args.year,
                        args.override_year)
    # the unit was chosen by its issuer's key (every spelling of it) or named by the analyst
    return ingest(report, destination.year, destination.folder, force=args.force,
                  issuer_mismatch_ok=True, phase=args.phase, override_year=args.override_year,
                  url=args.url)


def run(args: argparse.Namespace) -> int:
    """Carry out `luoshi ingest` for each report; 1 when a written year fails a check.

    A report that cannot be used is one error line and the others are still ingested; the
    exit status is then 2.
    """
    if args.url and len(args.report) > 1:
        raise ParameterError("--url names the page of one report; give one report with it")
    if args.override_year and args.year is None:
        raise ParameterError("--override-year needs --year Y: the year to file the report under")
    status = 0
    for name in args.report:
        try:
            result = _ingest_one(Path(name), args)
        except LuoshiError as exc:
            if args.debug or len(args.report) == 1:
                raise
            echo(f"luoshi: error: {exc}", file=sys.stderr, one_line=True)
            status = EXIT_ERROR
            continue
        checks = year_checks(result)
        print(review_summary(result, checks))
        if not checks["ok"].all():
            status = status or EXIT_VIOLATIONS
    return status


def review_summary(result: IngestResult, checks: pd.DataFrame) -> str:
    """Return the summary printed after an ingest: what was found and what to review.

    Everything taken from the report passes through ``for_terminal``: a report's control
    characters and escape sequences are shown, never sent to the terminal.
    """
    safe = for_terminal
    source = result.source
    if result.phase == BUDGETED:
        return _budget_document_summary(result, checks)
    indicators = result.indicators
    unreviewed = indicators[indicators["reviewed"].astype(str).str.lower() != "true"]
    by_section = unreviewed.groupby("section").size()
    sections = ", ".join(f"({s}) {SECTIONS[int(str(s))][1]} {n}" for s, n in by_section.items())
    failed = checks[~checks["ok"]]
    where = ", ".join(part for part in (source.city, source.district) if part)
    read = (f"{source.format}, {source.encoding_as_received}" if source.encoding_as_received
            else source.format)
    kind = REPORT_KINDS.get(source.kind, "")
    lines = [
        f"ingested {result.year}: {safe(source.title)}" + (f" ({kind})" if kind else ""),
        f"  issuer     {safe(source.issuer) or '(not named)'}" + (f" ({safe(where)})" if where else ""),
        f"  raw file   {source.raw_file} ({read}, sha256 {source.sha256[:12]}…)",
    ]
    if source.read_text_file:
        lines.append(f"  read text  {source.read_text_file} (UTF-8, sha256 "
                     f"{source.read_text_sha256[:12]}…): the text every fragment traces to")
    lines += [
        f"  budget     {len(result.budget)} lines; amounts as reported in "
        f"{source.amount_unit_as_reported} ({source.conversion})" if not result.budget.empty else
        "  budget     none: the report states no budget overview of the unit (no budget.csv)",
        f"  statements {len(result.statements)} stated amounts (every scope and phase); "
        + (f"{len(result.disagreements)} disagree:" if result.disagreements else "none disagree"),
        *(f"    DISAGREEMENT {safe(d.message())}" for d in result.disagreements),
        *(f"  kept       the budget document {s.raw_file} and its statements (stated_by "
          f"{BUDGET_DOCUMENT})" for s in result.beside),
        f"  indicators {len(indicators)} rows, {len(unreviewed)} unreviewed candidates"
        + (f": {sections}" if sections else ""),
        f"             {result.reused_keys} keys reused from earlier years, "
        f"{len(unreviewed) - result.reused_keys} new",
    ]
    if result.review is not None:
        review = result.review
        lines.append(f"  reviewed   kept {len(review.kept)}, dropped {len(review.dropped)}, "
                     f"added {review.added} unreviewed candidates")
        if review.kept:
            lines += textwrap.wrap(", ".join(review.kept), width=100, initial_indent="    kept     ",
                                   subsequent_indent="             ", break_on_hyphens=False)
        for key, fragment in review.dropped:
            lines.append(f"    dropped  {key}: its fragment '{safe(fragment)}' is not in the new text")
    if result.backup is not None:
        lines.append(f"  backup     the replaced tables and raw file are in {result.backup}")
    lines.append("  checks     " + ("all hold" if failed.empty else f"{len(failed)} violated:"))
    for _, row in failed.iterrows():
        lines.append(f"    VIOLATION {row['check']}: expected {row['expected']:.4f}, found "
                     f"{row['found']:.4f}, difference {row['difference']:+.4f}")
    lines.append(f"next: review {result.folder / config.INDICATORS_FILE} — name each figure "
                 "(name_zh, name_en), confirm value, unit and qualifier, set reviewed to true")
    return "\n".join(lines)


def _budget_document_summary(result: IngestResult, checks: pd.DataFrame) -> str:
    """Return the summary printed after adding a budget document to a year."""
    safe = for_terminal
    source = result.source
    if result.unchanged:
        return (f"{result.year}: this budget document is already kept ({source.raw_file}, sha256 "
                f"{source.sha256[:12]}…); nothing changed")
    lines = [
        f"added the {result.year} budget document: {safe(source.title) or '(no title)'}",
        f"  issuer     {safe(source.issuer) or '(not named)'}",
        f"  raw file   {source.raw_file} ({source.format}, sha256 {source.sha256[:12]}…), "
        "kept beside the year's report",
    ]
    if source.read_text_file:
        lines.append(f"  read text  {source.read_text_file} (UTF-8, sha256 "
                     f"{source.read_text_sha256[:12]}…)")
    lines.append(f"  statements {len(result.statements)} amounts added to "
                 f"{result.folder / config.STATEMENTS_FILE} (stated_by {BUDGET_DOCUMENT}); "
                 "budget.csv and indicators.csv unchanged")
    if result.backup is not None:
        lines.append(f"  backup     the replaced budget document and tables are in {result.backup}")
    ratios = (budget_phase_ratios(load_statements(result.year, result.root), result.year)
              if result.has_report else None)
    if ratios is None:
        lines.append(f"  no report  {result.year} has no 决算 yet: its statements are kept; "
                     "ingest the report to add its tables and the budget-phase ratios")
    elif ratios.empty:
        lines.append("  ratios     none yet: no line is stated both budgeted and executed")
    else:
        for row in ratios.itertuples(index=False):
            lines.append(f"  ratio      {row.name_zh} ({row.key}) {row.value_pct:.2f}% = "
                         f"{row.numerator:g} / {row.denominator:g} 万元")
    failed = checks[~checks["ok"]]
    if not failed.empty:
        lines.append(f"  checks     {len(failed)} violated (see luoshi validate)")
    return "\n".join(lines)
