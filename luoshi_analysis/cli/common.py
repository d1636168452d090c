"""What every command shares: exit codes, the data folder option, tables printed for a person."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from luoshi_analysis.core.terminal import clean

EXIT_ERROR = 2  # an expected error: one line on stderr
EXIT_VIOLATIONS = 1  # the command ran, and a check failed


def data_root(args: argparse.Namespace) -> Path | None:
    """Return the data folder given by --data-dir (None: the default one)."""
    return Path(args.data_dir) if args.data_dir else None


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
