"""A collection of units: a folder of unit folders, each a data folder of one unit's documents.

A data folder (``raw/``, ``processed/``, source records) is one unit, named by the issuer its
reports state. A collection is a folder whose sub-folders are such data folders; the folder
itself may be one too (the checkout's ``data/`` holds the seed town at its top and the other
units beside it), so a plain data folder is a collection of one.

A unit's folder name comes from an untrusted file (the issuer a report states): it is made
safe here (no path separators, no ``..``, no control or bidi characters, bounded length) and
never leaves the collection. Two spellings of one issuer — full-width or half-width,
traditional or simplified characters, with or without a trailing 办公室 — have one key and so
one folder.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from luoshi_analysis.core import config
from luoshi_analysis.core.errors import DataFolderError, LuoshiError, ParameterError
from luoshi_analysis.core.text import simplified

# A data folder's own parts, and the outputs folder's own folders: never a unit's folder name.
RESERVED_NAMES = frozenset({config.RAW_SUBDIR, config.PROCESSED_SUBDIR, "backups", "collection",
                            "interactive"})
MAX_NAME_CHARS = 60  # a folder name in characters (well under 255 bytes of UTF-8)
# Characters a folder name never holds: separators, reserved on some systems, invisible.
_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]')
# What an issuer's name may end with and still be the same unit (its general office).
_OFFICE_SUFFIXES = ("办公室",)


@dataclass(frozen=True)
class Unit:
    """One budget unit of a collection: its name as its reports state it, and its data folder."""

    name: str  # the issuer, e.g. 罗市镇人民政府 (the folder's name where no report names it)
    folder: Path  # its data folder (raw/, processed/)

    @property
    def key(self) -> str:
        """The unit's canonical spelling: one key for every way its reports write its name."""
        return unit_key(self.name)

    @property
    def slug(self) -> str:
        """A safe folder name for the unit (its pages go to <outputs>/<slug>/)."""
        return folder_name(self.name)


def unit_key(name: str) -> str:
    """Return the canonical key of an issuer's name: NFKC, simplified, no spaces or 办公室."""
    key = simplified(unicodedata.normalize("NFKC", name))
    key = "".join(ch for ch in key if not ch.isspace() and unicodedata.category(ch)[0] != "C")
    for suffix in _OFFICE_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
    return key


def folder_name(name: str) -> str:
    """Return a safe folder name for a unit named in a report; never a path, never empty.

    Raises:
        ParameterError: nothing usable is left of the name (say which, and --unit NAME).
    """
    cleaned = _UNSAFE.sub("", unicodedata.normalize("NFKC", name)).strip().strip(".")
    cleaned = re.sub(r"\s+", " ", cleaned)[:MAX_NAME_CHARS].strip()
    if not cleaned or cleaned in RESERVED_NAMES or set(cleaned) <= {"."}:
        raise ParameterError(f"unit name {name!r} gives no usable folder name; pass --unit NAME "
                             "with the unit's name as its reports write it")
    return cleaned


def is_data_folder(folder: Path) -> bool:
    """Whether a folder is one unit's data folder (it holds processed/ or raw/)."""
    return (folder / config.PROCESSED_SUBDIR).is_dir() or (folder / config.RAW_SUBDIR).is_dir()


def _named(folder: Path) -> Unit:
    """Return the unit of a data folder, named by the newest source record that names one."""
    from luoshi_analysis.core.load import document_years  # load imports provenance: no cycle
    from luoshi_analysis.core.provenance import read_source

    for year in reversed(document_years(folder)):
        try:
            issuer = read_source(year, folder).issuer
        except LuoshiError:
            continue
        if issuer:
            return Unit(issuer, folder)
    return Unit(folder.name, folder)


def units(collection: Path | None = None) -> list[Unit]:
    """Return the units of a collection, in the order of their folders' names.

    The collection folder itself comes first when it is a data folder, then its sub-folders
    that are.

    Raises:
        DataFolderError: the collection folder does not exist.
    """
    root = Path(collection) if collection is not None else config.collection_dir()
    if not root.is_dir():
        raise DataFolderError(f"collection {root} not found; pass --collection DIR or set "
                              f"{config.COLLECTION_ENV}")
    found = [_named(root)] if is_data_folder(root) else []
    for child in sorted(root.iterdir()):
        if (child.is_dir() and child.name not in RESERVED_NAMES
                and not child.name.startswith(".") and is_data_folder(child)):
            found.append(_named(child))
    return found


def find_unit(name: str, collection: Path | None = None) -> Unit:
    """Return the unit a name means (any spelling of its issuer, or its folder's name).

    Raises:
        ParameterError: no unit of the collection has that name (the message lists them).
    """
    everything = units(collection)
    key = unit_key(name)
    for unit in everything:
        if unit.key == key or unit.folder.name == name:
            return unit
    shown = ", ".join(u.name for u in everything) or "none"
    raise ParameterError(f"unit {name!r} is not in the collection; its units are: {shown}")


def unit_folder_for(issuer: str, collection: Path) -> Path:
    """Return the data folder a report of this issuer belongs in: its unit's, or a new one.

    A new folder is named after the issuer as the report writes it (made safe); it is not
    created here.

    Raises:
        ParameterError: the safe name is held by a folder of another unit (both are named).
    """
    key = unit_key(issuer)
    for unit in units(collection) if collection.is_dir() else []:
        if unit.key == key:
            return unit.folder
    folder = collection / folder_name(issuer)
    if folder.exists():
        other = _named(folder)
        raise ParameterError(
            f"the folder {folder} for {issuer!r} already holds {other.name!r}, another unit; "
            "pass --unit NAME to file the report under another name")
    return folder
