"""One write transaction for a year: its source record, staged tables, backup and swap into place.

Both kinds of document (a year's report and a budget document kept beside it) are written the
same way: the raw file byte for byte, the text read from it, the year's tables staged in full
in a hidden folder, checked against their schemas, then swapped in with one rename. A crash
leaves the old year or the new one, never half of each.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from luoshi_analysis.core import config
from luoshi_analysis.core.atomic import replace_dir, write_bytes, write_text
from luoshi_analysis.core.load import read_table
from luoshi_analysis.core.provenance import SourceRecord, write_datapackage
from luoshi_analysis.core.schema import TABLES, TableSchema
from luoshi_analysis.ingest.readers import ReadReport

STAGING_PREFIX = ".staging-"
BACKUPS_SUBDIR = "backups"  # outside processed/: years() and validate never see it
READ_TEXT_SUFFIX = ".read.txt"


def amount_conversion(units: set[str]) -> tuple[str, str]:
    """Return (units as reported, what was done to them) for a source record."""
    units = {"万元" if u == "万" else u for u in units}
    if units == {"元"}:
        return "元", "amounts divided by 10000 from 元 to 万元"
    if units <= {"万元"}:
        return "万元", "none: the report gives amounts in 万元"
    steps = {"元": "in 元 divided by 10000 to 万元", "亿元": "in 亿元 multiplied by 10000 to 万元"}
    done = "; ".join(f"amounts {steps[u]}" for u in sorted(units) if u in steps)
    kept = "; 万元 kept as written" if "万元" in units else ""
    return " and ".join(sorted(units)), done + kept


def new_source_record(read: ReadReport, year: int, unit: dict[str, str], units: set[str],
                      notes: str, stem: str, phase: str = "executed",
                      raw_file: str = "", kind: str = "", url: str = "") -> SourceRecord:
    """Return the source record of a document being added: hashes, file names, conversion.

    Args:
        read: The document as read (its bytes, text, format and encoding).
        year: The fiscal year.
        unit: title, issuer, district, city, issuer_en of the document.
        units: The money units its amounts were written in.
        notes: Free notes (how it was ingested).
        stem: "report" or "budget": the raw file is raw/<year>/<stem>_<year>_<sha8><suffix>.
        phase: executed (a report) or budgeted (a budget document).
        raw_file: Keep this raw file name (the same file ingested again).
        url: The page it was published at.
        kind: What the document is (a key of REPORT_KINDS): 部门决算, 部门预算, 绩效 …
    """
    sha256 = hashlib.sha256(read.data).hexdigest()
    raw_file = raw_file or f"{config.RAW_SUBDIR}/{year}/{stem}_{year}_{sha256[:8]}{read.suffix}"
    read_text_file = f"{raw_file}{READ_TEXT_SUFFIX}" if read.format != "text" else ""
    unit_as_reported, conversion = amount_conversion(units)
    return SourceRecord(
        year=year, title=unit["title"], issuer=unit["issuer"], district=unit["district"],
        city=unit["city"], issuer_en=unit["issuer_en"], raw_file=raw_file, sha256=sha256,
        amount_unit_as_reported=unit_as_reported, conversion=conversion, phase=phase,
        encoding_as_received=read.encoding if read.format in ("text", "html") else "",
        notes=notes, format=read.format, url=url, read_text_file=read_text_file,
        read_text_sha256=(hashlib.sha256(read.text.encode("utf-8")).hexdigest()
                          if read_text_file else ""),
        kind=kind or ("budget" if phase == "budgeted" else ""),
    )


def remove_leftovers(root: Path, year: int) -> None:
    """Remove what an interrupted ingest left: staging folders and half-written files."""
    processed = root / config.PROCESSED_SUBDIR
    for stale in processed.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    aside = processed / f".{year}.old"  # replace_dir's fallback moves the old year here first
    if aside.is_dir():
        if (processed / str(year)).exists():
            shutil.rmtree(aside, ignore_errors=True)
        else:
            aside.rename(processed / str(year))  # interrupted between its two renames
    for folder in (config.raw_dir(year, root), processed / str(year)):
        for partial in folder.glob(".*.partial"):
            partial.unlink(missing_ok=True)


@contextlib.contextmanager
def staged_year(root: Path, year: int, keep_existing: bool = False) -> Iterator[Path]:
    """Yield a hidden staging folder for a year's tables; it is removed if anything fails.

    Args:
        root: The data folder.
        year: The year.
        keep_existing: Start from a copy of the year's current folder (a document added
            beside the year's tables leaves the others as they are).
    """
    root.mkdir(parents=True, exist_ok=True)
    remove_leftovers(root, year)
    processed = root / config.PROCESSED_SUBDIR
    processed.mkdir(parents=True, exist_ok=True)
    staging = processed / f"{STAGING_PREFIX}{year}-{time.time_ns()}"
    target = config.processed_dir(year, root)
    if keep_existing and target.exists():
        shutil.copytree(target, staging)
    else:
        staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_tables(staging: Path, tables: dict[str, tuple[pd.DataFrame, TableSchema]],
                 source: SourceRecord, others: tuple[SourceRecord, ...] = ()) -> None:
    """Write tables and the datapackage into a staging folder; each must pass its schema.

    The datapackage lists the tables the staged year holds (those written and any kept).
    """
    for name, (frame, _schema) in tables.items():
        write_text(staging / name, frame.to_csv(index=False, lineterminator="\n"))
    held = tuple(name for name in TABLES if (staging / f"{name}.csv").is_file())
    write_datapackage(source, staging, others, held)
    for name, (_frame, schema) in tables.items():
        read_table(staging / name, schema)  # the schema holds before anything moves


def _backup(root: Path, year: int, old: SourceRecord | None) -> Path:
    """Copy the year's current tables and raw files into backups/<year>-<UTC time>/; return it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = root / BACKUPS_SUBDIR / f"{year}-{stamp}"
    n = 1
    while folder.exists():
        n += 1
        folder = root / BACKUPS_SUBDIR / f"{year}-{stamp}-{n}"
    shutil.copytree(config.processed_dir(year, root),
                    folder / config.PROCESSED_SUBDIR / str(year))
    for name in (old.raw_file, old.read_text_file) if old else ():
        if name and (root / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, folder / name)
    return folder


def swap_in(root: Path, staging: Path, source: SourceRecord, read: ReadReport,
            replaced: SourceRecord | None, back_up: bool) -> Path | None:
    """Write the raw files, back up the year when asked, and put the staged year in place.

    Args:
        root: The data folder.
        staging: The staged folder of the year's tables.
        source: The new document's source record (its raw and read-text file names).
        read: The document as read: its bytes and text are written byte for byte.
        replaced: The record of the document this one replaces; its raw files are removed
            once the backup holds them.
        back_up: Copy the year's current folder into backups/ first.

    Returns:
        The backup folder, if one was made.
    """
    year = source.year
    target = config.processed_dir(year, root)
    files = ((source.raw_file, read.data), (source.read_text_file, read.text.encode("utf-8")))
    backup = None
    try:
        for name, content in files:
            path = root / name if name else None
            if path and not (path.is_file() and path.read_bytes() == content):
                write_bytes(path, content)  # the raw file byte for byte, as received
        if back_up and target.exists():
            backup = _backup(root, year, replaced)
        replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if replaced:  # the old raw file now lives in the backup only
        kept = {name for name, _content in files}
        for name in (replaced.raw_file, replaced.read_text_file):
            if name and name not in kept:
                (root / name).unlink(missing_ok=True)
    return backup
