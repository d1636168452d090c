"""The `luoshi` command line: one module per command; everything printed for a person is here.

Commands: validate, tables, trace, run, check-pages, ingest. Each module declares its options
(``add_parser``) and carries them out (``run``) by calling the library with plain values.
"""

from __future__ import annotations

import argparse
import sys

from luoshi_analysis.cli import check_pages, ingest, run, tables, trace, validate
from luoshi_analysis.cli.common import EXIT_ERROR
from luoshi_analysis.core import config
from luoshi_analysis.core.errors import LuoshiError
from luoshi_analysis.core.terminal import echo

COMMANDS = (validate, tables, trace, run, check_pages, ingest)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of `luoshi`."""
    parser = argparse.ArgumentParser(
        prog="luoshi",
        description="Sourced tables, charts and reports from Luoshi Town's performance reports.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument("--data-dir", help=f"data folder (default: ${config.DATA_ENV}, else the "
                        "data/ folder of this checkout, wherever the command is run from; "
                        "installed from a wheel, the copy it ships)")
    parser.add_argument("--collection", metavar="DIR",
                        help="a collection: a folder of units' data folders (default: "
                             f"${config.COLLECTION_ENV}, else the data folder)")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(sub)
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
        # SIGTERM and SIGHUP arrive as a KeyboardInterrupt carrying the signal (engine.supervisor)
        signum = getattr(exc, "signum", 2)
        print(f"luoshi: interrupted{f' by {exc}' if signum != 2 else ''}", file=sys.stderr)
        return 128 + signum


if __name__ == "__main__":
    sys.exit(main())
