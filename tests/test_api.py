"""The public surface stays as it was: the functions of `la`, and what `luoshi --help` says.

The snapshots in tests/api_snapshot/ were first taken from the package before its layers were
moved into folders (`COLUMNS=100 luoshi … --help`, `la.__all__`), so that the move changed
nothing a user sees; since then they grow only on purpose (collections added --collection and
--unit, the cluster --scheduler), each change committed with its snapshot.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import luoshi_analysis as la

SNAPSHOTS = Path(__file__).resolve().parent / "api_snapshot"
COMMANDS = ["", "validate", "tables", "trace", "run", "check-pages", "ingest"]


def test_the_library_offers_the_same_functions():
    assert la.__all__ == (SNAPSHOTS / "all.txt").read_text("utf-8").split()
    for name in la.__all__:
        assert callable(getattr(la, name)), name


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_the_same_help(command):
    env = {**os.environ, "COLUMNS": "100"}
    shown = subprocess.run([sys.executable, "-m", "luoshi_analysis", *command.split(), "--help"],
                           capture_output=True, text=True, check=True, env=env).stdout
    assert shown == (SNAPSHOTS / f"help_{command or 'luoshi'}.txt").read_text("utf-8")
