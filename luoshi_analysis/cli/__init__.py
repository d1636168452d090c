"""The `luoshi` command line: validate, tables, trace, run, check-pages, ingest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from luoshi_analysis.core import config
from luoshi_analysis.core.errors import LuoshiError, ParameterError
from luoshi_analysis.core.terminal import clean, echo

EXIT_ERROR = 2
EXIT_VIOLATIONS = 1


def _markdown(frame: pd.DataFrame) -> str:
    """Return a markdown table with empty cells where values are missing, each cell one line."""
    shown = frame.astype(object).where(frame.notna(), "")
    shown = shown.map(lambda v: clean(v, one_line=True) if isinstance(v, str) else v)
    shown.columns = [clean(c, one_line=True) for c in shown.columns]
    return shown.to_markdown(index=False, floatfmt="")


def _data_root(args: argparse.Namespace) -> Path | None:
    return Path(args.data_dir) if args.data_dir else None


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate tables, hashes, identities and source fragments of one year or all; 1 if one fails."""
    from luoshi_analysis.analysis.checks import check, statement_violations
    from luoshi_analysis.analysis.fragments import fragment_violations
    from luoshi_analysis.core.load import (
        as_year,
        budget_document_years,
        load_budget,
        load_indicators,
        load_statements,
        years,
    )
    from luoshi_analysis.core.provenance import read_sources, verify_raw

    root = _data_root(args)
    budget_only = budget_document_years(root)
    if args.year:
        wanted = [int(y) if str(y).strip().isascii() and str(y).strip().isdigit() else y
                  for y in args.year]
        pending = list(dict.fromkeys(y for y in wanted if y in budget_only))
        chosen = list(dict.fromkeys(as_year(y, root) for y in wanted if y not in pending))
    else:
        pending, chosen = budget_only, years(root)
    if not chosen and not pending:
        raise ParameterError(f"no years with data in {root or config.data_dir()}")
    for year in pending:  # a budget document only: its hashes and statements, nothing to chart
        verify_raw(year, root)
        statements = load_statements(year, root)
        echo(f"\n## {year} — budget document only, no 决算 yet")
        for source in read_sources(year, root):
            echo(f"raw file {source.raw_file} ({source.phase}): sha256 {source.sha256[:12]}… matches")
        echo(f"statements: {len(statements)} stated amounts; the year's tables and checks "
              "come with its report")
    failed = 0
    for year in chosen:
        source = verify_raw(year, root)
        budget = load_budget(year, root)
        indicators = load_indicators(year, root)
        checks = check(year, root)
        bad = checks[~checks["ok"]]
        fragments = fragment_violations(year, root)
        failed += len(bad) + len(fragments)
        echo(f"\n## {year} — {source.title}")
        echo(f"raw report {source.raw_file}: sha256 {source.sha256[:12]}… matches")
        for other in read_sources(year, root)[1:]:  # a 部门预算 kept beside the report
            echo(f"raw file {other.raw_file} ({other.phase}): sha256 {other.sha256[:12]}… matches")
        echo(f"budget: {len(budget)} lines; indicators: {len(indicators)} figures in "
             f"{indicators['section'].nunique()} sections "
             f"({int((~indicators['reviewed']).sum())} not yet reviewed)\n")
        shown = budget[["label_zh", "label_en", "amount", "stated_share_pct"]].rename(
            columns={"amount": "amount (万元)", "stated_share_pct": "stated share %"})
        echo(_markdown(shown))
        echo()
        table = checks[["check", "expected", "found", "difference", "tolerance", "ok"]].copy()
        for column in ("expected", "found", "difference", "tolerance"):
            table[column] = table[column].map(lambda v: f"{v:.4f}")
        echo(_markdown(table))
        echo(f"\nsource fragments: {len(budget) + len(indicators)} figures, "
             + ("each stands in its fragment, each fragment once in the raw report"
                if not fragments else f"{len(fragments)} disagreement(s)"))
        for _, row in bad.iterrows():
            echo(f"VIOLATION {year} {row['check']}: expected {row['expected']:.4f}, "
                 f"found {row['found']:.4f}, difference {row['difference']:+.4f} "
                 f"(tolerance {row['tolerance']:.4f} {row['unit']})", file=sys.stderr,
                 one_line=True)
        for violation in fragments:
            echo(f"VIOLATION {year} {violation}", file=sys.stderr, one_line=True)
        disagreeing = statement_violations(year, root)  # reported, never corrected
        failed += len(disagreeing)
        for message in disagreeing["message"]:
            echo(f"VIOLATION {year} statements: {message}", file=sys.stderr, one_line=True)
    echo(f"\n{len(chosen) + len(pending)} year(s) checked: "
         + ("all checks hold" if not failed else f"{failed} check(s) violated"))
    return EXIT_VIOLATIONS if failed else 0


def cmd_tables(args: argparse.Namespace) -> int:
    """Print a year's budget and/or indicator table as CSV or markdown, or write a workbook."""
    from luoshi_analysis.core.load import load_budget, load_indicators, load_statements

    root = _data_root(args)
    if args.xlsx:
        from luoshi_analysis.reports.excel import to_excel

        path = to_excel(args.xlsx, [args.year] if args.year else None, root)
        print(f"wrote {path}")
        return 0
    if not args.year:
        raise ParameterError("tables needs --year YEAR (or --xlsx FILE, for every year)")
    loaders = {"budget": load_budget, "indicators": load_indicators}
    if args.table == "statements":
        loaders["statements"] = load_statements
    names = [args.table] if args.table else list(loaders)
    for i, name in enumerate(names):
        frame = loaders[name](args.year, root)
        if args.format == "csv":
            sys.stdout.write(clean(frame.to_csv(index=False)))
        else:
            if len(names) > 1:
                echo(("\n" if i else "") + f"## {name}\n")
            echo(_markdown(frame))
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    """Print the sentence of the raw report a figure comes from."""
    from luoshi_analysis.analysis.trace import trace

    found = trace(args.year, args.key, _data_root(args), phase=args.phase or "")
    echo(f"{found.table}.{found.key} — {found.raw_file} line {found.line}", one_line=True)
    echo(f"fragment: {found.fragment}", one_line=True)
    echo(f"sentence: {found.sentence}", one_line=True)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Execute the notebooks for each year and export them to HTML."""
    from luoshi_analysis.engine.runner import run_from_args

    return run_from_args(args)


def cmd_check_pages(args: argparse.Namespace) -> int:
    """Open every exported page offline in headless Chromium; 1 if any page has a problem."""
    from luoshi_analysis.engine.browser import audit_outputs

    outputs = Path(args.outputs) if args.outputs else config.outputs_dir()
    screenshots = Path(args.screenshots) if args.screenshots else None
    audits = audit_outputs(outputs, screenshots)
    broken = 0
    for audit in audits:
        status = "ok" if not audit.problems else f"{len(audit.problems)} problem(s)"
        echo(f"{audit.path.relative_to(outputs)}: {status} — {audit.title}", one_line=True)
        for problem in audit.problems:
            echo(f"  - {problem}", one_line=True)
        broken += bool(audit.problems)
    echo(f"\n{len(audits) - broken} of {len(audits)} pages work offline")
    return EXIT_VIOLATIONS if broken else 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Read a report text and write a new year's raw copy and tables."""
    from luoshi_analysis.ingest.command import ingest_from_args

    return ingest_from_args(args)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of `luoshi`."""
    parser = argparse.ArgumentParser(
        prog="luoshi",
        description="Sourced tables, charts and reports from Luoshi Town's performance reports.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--data-dir", help=f"data folder (default: ${config.DATA_ENV} or ./data)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check tables, raw-file hashes and accounting identities")
    p.add_argument("--year", action="append", help="a year to check (repeatable; default: all)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("tables", help="print a year's tables, or write them as an Excel workbook")
    p.add_argument("--year", help="report year, e.g. 2020 (with --xlsx: default every year)")
    p.add_argument("--xlsx", metavar="FILE",
                   help="write budget, indicators, checks and source record to this .xlsx")
    p.add_argument("--table", choices=["budget", "indicators", "statements"],
                   help="one table (default: budget and indicators)")
    p.add_argument("--format", choices=["csv", "markdown"], default="markdown")
    p.set_defaults(func=cmd_tables)

    p = sub.add_parser("trace", help="show the sentence of the report a figure comes from")
    p.add_argument("--year", required=True, help="report year")
    p.add_argument("key", help="a key of the budget or indicator table")
    p.add_argument("--phase", choices=("executed", "budgeted", "adjusted"),
                   help="trace the statement of this phase (a 部门预算's: budgeted)")
    p.set_defaults(func=cmd_trace)

    from luoshi_analysis.engine.runner import add_run_arguments

    p = sub.add_parser("run", help="execute the notebooks per year and export HTML")
    add_run_arguments(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check-pages", help="open every exported page offline in headless Chromium")
    p.add_argument("--outputs", help="outputs folder (default: outputs/)")
    p.add_argument("--screenshots", help="folder for a full-page screenshot of each page")
    p.set_defaults(func=cmd_check_pages)

    p = sub.add_parser("ingest", help="add a year from its report (text, web page, PDF, Word, Excel)")
    p.add_argument("report", help="the report: text (UTF-8, GB18030/GBK, UTF-16), a saved web page, "
                                  "a PDF with a text layer, a Word .docx, or an .xlsx/.xls workbook")
    p.add_argument("--year", required=True, type=int, help="the report's fiscal year")
    p.add_argument("--force", action="store_true",
                   help="replace an existing year (reviewed indicators still in the text are kept; "
                        "the old tables go to backups/)")
    p.add_argument("--issuer-mismatch-ok", action="store_true",
                   help="add a report whose issuer differs from the data folder's unit")
    p.add_argument("--phase", choices=("executed", "budgeted"),
                   help="budgeted: add the file as the year's 部门预算 / 预算批复 beside its 决算 "
                        "(default: decided by what the text states)")
    p.set_defaults(func=cmd_ingest)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; expected errors are one line on stderr and a non-zero exit."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except LuoshiError as exc:
        if args.debug:
            raise
        echo(f"luoshi: error: {exc}", file=sys.stderr, one_line=True)
        return EXIT_ERROR
    except KeyboardInterrupt as exc:
        # SIGTERM and SIGHUP arrive as a KeyboardInterrupt carrying the signal (runner.py)
        signum = getattr(exc, "signum", 2)
        print(f"luoshi: interrupted{f' by {exc}' if signum != 2 else ''}", file=sys.stderr)
        return 128 + signum


if __name__ == "__main__":
    sys.exit(main())
