"""What every command shares: exit codes, the data folder option, tables printed for a person."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from luoshi_analysis.core import config
from luoshi_analysis.core.collection import Unit, find_unit, is_data_folder, units
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.core.terminal import clean

EXIT_ERROR = 2  # an expected error: one line on stderr
EXIT_VIOLATIONS = 1  # the command ran, and a check failed


def data_root(args: argparse.Namespace) -> Path | None:
    """Return the one unit's data folder the options name (None: the default one).

    ``--unit NAME`` names a unit of the collection; without it, a collection whose folder is
    itself a data folder (the checkout's data/) means that unit, and a collection of one
    unit means that one.

    Raises:
        ParameterError: the collection holds several units and none is named.
    """
    name = getattr(args, "unit", None)
    if isinstance(name, list):
        name = name[0] if len(name) == 1 else None
    if not args.collection and not name:
        return Path(args.data_dir) if args.data_dir else None
    root = collection_root(args)
    if name:
        return find_unit(name, root).folder
    if is_data_folder(root):
        return root
    found = units(root)
    if len(found) == 1:
        return found[0].folder
    raise ParameterError(f"the collection {root} holds {len(found)} units; name one with "
                         f"--unit NAME ({', '.join(u.name for u in found) or 'none'})")


def collection_root(args: argparse.Namespace) -> Path:
    """Return the collection the options name: --collection, --data-dir, or the configured one."""
    if args.collection and args.data_dir:
        raise ParameterError("--collection and --data-dir name the same thing; give one of them")
    chosen = args.collection or args.data_dir
    return Path(chosen).expanduser().resolve() if chosen else config.collection_dir()


def chosen_units(args: argparse.Namespace) -> list[Unit]:
    """Return the units named by --unit (repeatable), or every unit of the collection."""
    root = collection_root(args)
    names = getattr(args, "unit", None) or []
    if names:
        return list({u.folder: u for u in (find_unit(n, root) for n in names)}.values())
    found = units(root)
    if not found:
        raise ParameterError(f"no unit with data in {root}; ingest a report first "
                             "(luoshi ingest REPORT)")
    return found


def markdown(frame: pd.DataFrame, numbers: list[str] | None = None) -> str:
    """Return a markdown table with empty cells where values are missing, each cell one line.

    Args:
        frame: The table.
        numbers: Columns already formatted as text ("1334.20"): shown as they are (never
            re-read as numbers, which would print 1334.2) and right-aligned.
    """
    shown = frame.astype(object).where(frame.notna(), "")
    shown = shown.map(lambda v: clean(v, one_line=True) if isinstance(v, str) else v)
    shown.columns = [clean(c, one_line=True) for c in shown.columns]
    if numbers is None:
        return shown.to_markdown(index=False, floatfmt="")
    align = ["right" if c in numbers else "left" for c in frame.columns]
    return shown.to_markdown(index=False, disable_numparse=True, colalign=align)
