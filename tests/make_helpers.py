"""Run the project's own Makefile from a test, as a user would type `make ...`."""

import os
import subprocess

from conftest import REPO

# set by an outer `make test`; they would pass its variables (PYTHON, VENV) on to this make
OUTER_MAKE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")


def run_make(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run make in the checkout with args and extra environment variables; return the result."""
    clean = {k: v for k, v in os.environ.items() if k not in OUTER_MAKE}
    return subprocess.run(["make", "--no-print-directory", "-C", str(REPO), *args],
                          env={**clean, **env}, capture_output=True, text=True, check=False)
