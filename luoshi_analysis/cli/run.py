"""`luoshi run`: execute the report templates for each year and export the pages."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from luoshi_analysis.cli.common import EXIT_VIOLATIONS, collection_root
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.core.load import parse_year
from luoshi_analysis.engine.jobs import DEFAULT_TIMEOUT, Result, RunSettings, parse_extra_parameters
from luoshi_analysis.reports.labels import LANGS


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare `luoshi run` and its options."""
    parser = sub.add_parser("run", help="execute the notebooks per year and export HTML")
    parser.add_argument("--year", action="append", help="a year to run (repeatable; default: all)")
    parser.add_argument("--notebooks", nargs="+", metavar="NAME",
                        help="templates to run (default: every report template in notebooks/)")
    parser.add_argument("--lang", action="append", choices=LANGS,
                        help="language of the reports (repeatable; default: zh and en)")
    # numbers are read as text and checked here: a bad value is one line, not a usage message
    parser.add_argument("--jobs", default=str(os.cpu_count() or 1), metavar="N",
                        help="notebooks run at once (default: the number of cores)")
    parser.add_argument("--with-code", action="store_true", help="show code cells in the HTML")
    parser.add_argument("--figure-formats", default="png", metavar="png[,svg]",
                        help="figure files written beside the pages (default png: each chart is "
                             "drawn once; png,svg adds vector copies, a second draw)")
    parser.add_argument("--timeout", default=f"{DEFAULT_TIMEOUT:g}", metavar="SECONDS",
                        help=f"hard limit per notebook in seconds (default {DEFAULT_TIMEOUT:g}); "
                             "its worker and kernel are killed")
    parser.add_argument("--cell-timeout", metavar="SECONDS",
                        help="limit per cell in seconds; the cell is interrupted and the "
                             "notebook reported as a cell timeout (default: none, only the "
                             "hard limit)")
    parser.add_argument("--unit", action="append", metavar="NAME",
                        help="a unit of the collection to run (repeatable; default: every unit)")
    parser.add_argument("--outputs", help="outputs folder (default: outputs/)")
    parser.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                        help="another parameter a template declares (checked before running)")
    parser.add_argument("--pdf", action="store_true", help="also print each page to A4 PDF")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="run on a Dask cluster: a scheduler's tcp://HOST:PORT (or tls://), or "
                             "local[:N] for N worker processes on this machine (needs the dask "
                             "extra; default: the local executor)")
    parser.set_defaults(func=run)


def _seconds(option: str, value: str) -> float:
    """Read a time limit: a finite number of seconds above 0."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ParameterError(f"{option} {value}: give a number of seconds above 0, e.g. 600")
    return seconds


def _whole_number(option: str, value: str) -> int:
    """Read a count: a whole number of 1 or more."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ParameterError(f"{option} {value}: give a whole number of 1 or more, e.g. 2")
    return number


def settings_from(args: argparse.Namespace) -> RunSettings:
    """Return the run settings the options ask for; a bad value is one ParameterError line."""
    from luoshi_analysis.reports.notebook import parse_figure_formats

    return RunSettings(
        years=tuple(parse_year(y) for y in args.year) if args.year else None,
        notebooks=tuple(args.notebooks) if args.notebooks else None,
        langs=tuple(args.lang) if args.lang else None,
        jobs=_whole_number("--jobs", args.jobs),
        timeout_s=_seconds("--timeout", args.timeout),
        cell_timeout_s=(_seconds("--cell-timeout", args.cell_timeout)
                        if args.cell_timeout is not None else None),
        with_code=args.with_code,
        figure_formats=parse_figure_formats(args.figure_formats),
        extra=parse_extra_parameters(args.parameter),
        collection=collection_root(args) if args.collection or args.data_dir else None,
        units=tuple(args.unit) if args.unit else None,
        outputs=Path(args.outputs) if args.outputs else None,
        pdf=args.pdf, progress=not args.quiet, scheduler=args.scheduler)


def summary_table(results: list[Result]) -> str:
    """Return the end-of-run table: one line per notebook."""
    from tabulate import tabulate

    rows = [(r.year, r.notebook, r.lang, r.status, f"{r.duration_s:.1f}",
             r.html or r.executed) for r in results]
    return tabulate(rows, headers=["year", "notebook", "lang", "status", "seconds", "output"])


def run(args: argparse.Namespace) -> int:
    """Carry out `luoshi run`; 0 when every notebook succeeded, 1 otherwise."""
    from luoshi_analysis.engine.preload import skip_slow_optional_imports

    skip_slow_optional_imports()  # before anything imports jsonschema (1.4 s sooner)
    from luoshi_analysis.engine.run import run as run_templates  # the kernels' stack, deferred

    settings = settings_from(args)
    report = run_templates(settings, lambda line: print(line, file=sys.stderr, flush=True))
    print(summary_table(report.results))
    print(f"\n{len(report.results) - len(report.failed)} of {len(report.results)} notebooks ok; "
          f"index: {report.index}; manifest: {report.manifest}")
    if report.skipped:
        print(f"skipped {len(report.skipped)} notebook(s) not marked as report templates "
              f"(scratch work): {', '.join(report.skipped)}")
    for found in report.unreviewed:
        print(f"WARNING {found.unit} {found.year}: {found.count} of {found.total} outcome figures "
              f"not yet reviewed; their pages mark them 未复核 / unreviewed until a person checks "
              f"each in {found.table} and sets reviewed to true", file=sys.stderr)
    for r in report.failed:
        where = f" — executed notebook kept at {r.executed}" if r.executed else ""
        print(f"FAILED {r.year} {r.notebook} [{r.lang}] ({r.status}): {r.error}{where}",
              file=sys.stderr)
    if report.pdf_error:
        print(f"luoshi: error: {report.pdf_error}", file=sys.stderr)
    return 0 if report.ok else EXIT_VIOLATIONS
