"""`luoshi tables`: print a year's tables as CSV or markdown, or write them as an Excel workbook."""

from __future__ import annotations

import argparse
import sys

from luoshi_analysis.cli.common import data_root, markdown
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.core.load import load_budget, load_indicators, load_statements
from luoshi_analysis.core.terminal import clean, echo


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare `luoshi tables` and its options."""
    p = sub.add_parser("tables", help="print a year's tables, or write them as an Excel workbook")
    p.add_argument("--year", help="report year, e.g. 2020 (with --xlsx: default every year)")
    p.add_argument("--xlsx", metavar="FILE",
                   help="write budget, indicators, checks and source record to this .xlsx")
    p.add_argument("--table", choices=["budget", "indicators", "statements"],
                   help="one table (default: budget and indicators)")
    p.add_argument("--format", choices=["csv", "markdown"], default="markdown")
    p.add_argument("--unit", metavar="NAME",
                   help="the unit of the collection (default: the data folder's own unit)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print a year's budget and/or indicator table as CSV or markdown, or write a workbook."""
    root = data_root(args)
    if args.xlsx:
        from luoshi_analysis.reports.excel import to_excel  # openpyxl only when asked for

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
            echo(markdown(frame))
    return 0
