"""Path constants and the rules for finding data, notebooks and outputs."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# A checkout has pyproject.toml beside the package; an installed wheel does not.
PROJECT_DIR = PACKAGE_DIR.parent
IS_CHECKOUT = (PROJECT_DIR / "pyproject.toml").is_file() and (PROJECT_DIR / "data").is_dir()
# The wheel carries copies of data/ and notebooks/ here (see setup.py).
BUNDLED_DIR = PACKAGE_DIR / "bundled"

DATA_ENV = "LUOSHI_DATA_DIR"
COLLECTION_ENV = "LUOSHI_COLLECTION"
OUTPUTS_ENV = "LUOSHI_OUTPUTS_DIR"
NOTEBOOKS_ENV = "LUOSHI_NOTEBOOKS_DIR"
CACHE_ENV = "LUOSHI_CACHE_DIR"

RAW_SUBDIR = "raw"
PROCESSED_SUBDIR = "processed"
BUDGET_FILE = "budget.csv"
INDICATORS_FILE = "indicators.csv"
STATEMENTS_FILE = "statements.csv"
DATAPACKAGE_FILE = "datapackage.json"

TEMPLATES_DIR = PACKAGE_DIR / "engine" / "templates"
NBCONVERT_TEMPLATE = "luoshi"
# an image output's metadata key naming the figure files ctx.show wrote (checked after export)
FIGURE_FILES_KEY = "luoshi_figure_files"


def data_dir() -> Path:
    """Return the data folder: $LUOSHI_DATA_DIR, the checkout's data/, or the wheel's copy."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser().resolve()
    if IS_CHECKOUT:
        return PROJECT_DIR / "data"
    return BUNDLED_DIR / "data"


def collection_dir() -> Path:
    """Return the collection: $LUOSHI_COLLECTION, else the data folder (a collection of its own).

    The checkout's data/ holds the seed town at its top and the demo collection's other units
    in folders beside raw/ and processed/ (see ``core.collection``).
    """
    if os.environ.get(COLLECTION_ENV):
        return Path(os.environ[COLLECTION_ENV]).expanduser().resolve()
    return data_dir()


def notebooks_dir() -> Path:
    """Return the folder of notebook templates: $LUOSHI_NOTEBOOKS_DIR, the checkout's or the wheel's."""
    if os.environ.get(NOTEBOOKS_ENV):
        return Path(os.environ[NOTEBOOKS_ENV]).expanduser().resolve()
    if IS_CHECKOUT and (PROJECT_DIR / "notebooks").is_dir():
        return PROJECT_DIR / "notebooks"
    return BUNDLED_DIR / "notebooks"


def outputs_dir() -> Path:
    """Return the outputs folder: $LUOSHI_OUTPUTS_DIR, the checkout's outputs/, or ./outputs."""
    if os.environ.get(OUTPUTS_ENV):
        return Path(os.environ[OUTPUTS_ENV]).expanduser().resolve()
    if IS_CHECKOUT:
        return PROJECT_DIR / "outputs"
    return Path.cwd() / "outputs"


def cache_dir() -> Path:
    """Return the folder of this user's caches: $LUOSHI_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache.

    It holds hints only (how long each notebook took), never data: deleting it is always safe.
    """
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser()
    return Path(base) / "luoshi-analysis"


def raw_dir(year: int, root: Path | None = None) -> Path:
    """Return the folder of a year's raw report text."""
    return (root or data_dir()) / RAW_SUBDIR / str(year)


def processed_dir(year: int, root: Path | None = None) -> Path:
    """Return the folder of a year's derived tables and datapackage."""
    return (root or data_dir()) / PROCESSED_SUBDIR / str(year)
