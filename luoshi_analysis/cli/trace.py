"""`luoshi trace`: the sentence of the raw report a figure comes from."""

from __future__ import annotations

import argparse

from luoshi_analysis.analysis.trace import trace
from luoshi_analysis.cli.common import data_root
from luoshi_analysis.core.terminal import echo


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare `luoshi trace` and its options."""
    p = sub.add_parser("trace", help="show the sentence of the report a figure comes from")
    p.add_argument("--year", required=True, help="report year")
    p.add_argument("key", help="a key of the budget or indicator table")
    p.add_argument("--phase", choices=("executed", "budgeted", "adjusted"), default="",
                   help="trace the statement of this phase (a 部门预算's: budgeted)")
    p.add_argument("--unit", metavar="NAME",
                   help="the unit of the collection (default: the data folder's own unit)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the sentence of the raw report a figure comes from."""
    found = trace(args.year, args.key, data_root(args), phase=args.phase)
    echo(f"{found.table}.{found.key} — {found.raw_file} line {found.line}", one_line=True)
    echo(f"fragment: {found.fragment}", one_line=True)
    echo(f"sentence: {found.sentence}", one_line=True)
    return 0
