"""`luoshi run`: execute the report templates for each year and export the pages."""

from __future__ import annotations

import argparse

from luoshi_analysis.engine.runner import add_run_arguments, run_from_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Declare `luoshi run` and its options."""
    p = sub.add_parser("run", help="execute the notebooks per year and export HTML")
    add_run_arguments(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Execute the notebooks for each year and export them to HTML."""
    return run_from_args(args)
