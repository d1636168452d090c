"""The `luoshi` command line: validate, tables, trace, run, check-pages, ingest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from luoshi_analysis import config
from luoshi_analysis.errors import LuoshiError, ParameterError

EXIT_ERROR = 2
EXIT_VIOLATIONS = 1


def _markdown(frame: pd.DataFrame) -> str:
    """Return a markdown table with empty cells where values are missing."""
    shown = frame.astype(object).where(frame.notna(), "")
    return shown.to_markdown(index=False, floatfmt="")


def _data_root(args: argparse.Namespace) -> Path | None:
    return Path(args.data_dir) if args.data_dir else None


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate tables, hashes and identities of one year or all; 1 if a check fails."""
    from luoshi_analysis.checks import check
    from luoshi_analysis.load import as_year, load_budget, load_indicators, years
    from luoshi_analysis.provenance import verify_raw

    root = _data_root(args)
    chosen = [as_year(y, root) for y in args.year] if args.year else years(root)
    if not chosen:
        raise ParameterError(f"no years with data in {root or config.data_dir()}")
    failed = 0
    for year in chosen:
        source = verify_raw(year, root)
        budget = load_budget(year, root)
        indicators = load_indicators(year, root)
        checks = check(year, root)
        bad = checks[~checks["ok"]]
        failed += len(bad)
        print(f"\n## {year} — {source.title}")
        print(f"raw report {source.raw_file}: sha256 {source.sha256[:12]}… matches")
        print(f"budget: {len(budget)} lines; indicators: {len(indicators)} figures in "
              f"{indicators['section'].nunique()} sections "
              f"({int((~indicators['reviewed']).sum())} not yet reviewed)\n")
        shown = budget[["label_zh", "label_en", "amount", "stated_share_pct"]].rename(
            columns={"amount": "amount (万元)", "stated_share_pct": "stated share %"})
        print(_markdown(shown))
        print()
        table = checks[["check", "expected", "found", "difference", "tolerance", "ok"]].copy()
        for column in ("expected", "found", "difference", "tolerance"):
            table[column] = table[column].map(lambda v: f"{v:.4f}")
        print(_markdown(table))
        for _, row in bad.iterrows():
            print(f"VIOLATION {year} {row['check']}: expected {row['expected']:.4f}, "
                  f"found {row['found']:.4f}, difference {row['difference']:+.4f} "
                  f"(tolerance {row['tolerance']:.4f} {row['unit']})", file=sys.stderr)
    print(f"\n{len(chosen)} year(s) checked: "
          + ("all checks hold" if not failed else f"{failed} check(s) violated"))
    return EXIT_VIOLATIONS if failed else 0


def cmd_tables(args: argparse.Namespace) -> int:
    """Print a year's budget and/or indicator table as CSV or markdown."""
    from luoshi_analysis.load import load_budget, load_indicators

    root = _data_root(args)
    loaders = {"budget": load_budget, "indicators": load_indicators}
    names = [args.table] if args.table else list(loaders)
    for i, name in enumerate(names):
        frame = loaders[name](args.year, root)
        if args.format == "csv":
            sys.stdout.write(frame.to_csv(index=False))
        else:
            if len(names) > 1:
                print(("\n" if i else "") + f"## {name}\n")
            print(_markdown(frame))
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    """Print the sentence of the raw report a figure comes from."""
    from luoshi_analysis.trace import trace

    found = trace(args.year, args.key, _data_root(args))
    print(f"{found['table']}.{found['key']} — raw report line {found['line']}")
    print(f"fragment: {found['fragment']}")
    print(f"sentence: {found['sentence']}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Execute the notebooks for each year and export them to HTML."""
    from luoshi_analysis.runner import run_from_args

    return run_from_args(args)


def cmd_check_pages(args: argparse.Namespace) -> int:
    """Open every exported page offline in headless Chromium; 1 if any page has a problem."""
    from luoshi_analysis.browser import audit_outputs

    outputs = Path(args.outputs) if args.outputs else config.outputs_dir()
    screenshots = Path(args.screenshots) if args.screenshots else None
    audits = audit_outputs(outputs, screenshots)
    broken = 0
    for audit in audits:
        status = "ok" if not audit.problems else f"{len(audit.problems)} problem(s)"
        print(f"{audit.path.relative_to(outputs)}: {status} — {audit.title}")
        for problem in audit.problems:
            print(f"  - {problem}")
        broken += bool(audit.problems)
    print(f"\n{len(audits) - broken} of {len(audits)} pages work offline")
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

    p = sub.add_parser("tables", help="print a year's tables")
    p.add_argument("--year", required=True, help="report year, e.g. 2020")
    p.add_argument("--table", choices=["budget", "indicators"], help="one table (default: both)")
    p.add_argument("--format", choices=["csv", "markdown"], default="markdown")
    p.set_defaults(func=cmd_tables)

    p = sub.add_parser("trace", help="show the sentence of the report a figure comes from")
    p.add_argument("--year", required=True, help="report year")
    p.add_argument("key", help="a key of the budget or indicator table")
    p.set_defaults(func=cmd_trace)

    from luoshi_analysis.runner import add_run_arguments

    p = sub.add_parser("run", help="execute the notebooks per year and export HTML")
    add_run_arguments(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("check-pages", help="open every exported page offline in headless Chromium")
    p.add_argument("--outputs", help="outputs folder (default: outputs/)")
    p.add_argument("--screenshots", help="folder for a full-page screenshot of each page")
    p.set_defaults(func=cmd_check_pages)

    p = sub.add_parser("ingest", help="add a year from its report text")
    p.add_argument("report", help="the report text (UTF-8, GB18030/GBK or UTF-16)")
    p.add_argument("--year", required=True, type=int, help="the report's fiscal year")
    p.add_argument("--force", action="store_true", help="replace an existing year")
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
        print(f"luoshi: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt as exc:
        # SIGTERM and SIGHUP arrive as a KeyboardInterrupt carrying the signal (runner.py)
        signum = getattr(exc, "signum", 2)
        print(f"luoshi: interrupted{f' by {exc}' if signum != 2 else ''}", file=sys.stderr)
        return 128 + signum


if __name__ == "__main__":
    sys.exit(main())
