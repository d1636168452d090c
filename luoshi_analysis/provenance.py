"""Source records: which report a year's tables come from, and its file hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from luoshi_analysis import config
from luoshi_analysis.errors import DataFolderError, ProvenanceError
from luoshi_analysis.schema import TABLES

AMOUNT_UNIT = "万元"
AMOUNT_FACTOR = 10000


@dataclass(frozen=True)
class SourceRecord:
    """Provenance of one year's report (kept in that year's datapackage.json)."""

    year: int
    title: str
    issuer: str
    district: str
    city: str
    raw_file: str  # path relative to the data folder
    sha256: str
    issuer_en: str = ""  # English name of the issuer, where known; pages fall back to `issuer`
    currency: str = "CNY"
    amount_unit: str = AMOUNT_UNIT
    amount_factor: int = AMOUNT_FACTOR
    amount_unit_as_reported: str = AMOUNT_UNIT
    conversion: str = "none: the report gives amounts in 万元"
    phase: str = "executed"  # budgeted: a 部门预算 / 预算批复 kept beside the year's report
    encoding_as_received: str = "utf-8"
    notes: str = ""
    format: str = "text"  # what the raw file is: text, html, pdf, docx, xlsx or xls
    read_text_file: str = ""  # for non-text formats: the text read from the raw file (UTF-8)
    read_text_sha256: str = ""


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def datapackage_descriptor(source: SourceRecord,
                           others: tuple[SourceRecord, ...] = ()) -> dict[str, Any]:
    """Return the Frictionless data-package descriptor of one year.

    Args:
        source: The year's report (the primary source, listed first).
        others: Further documents of the year (a 部门预算 beside the 决算), listed after it.
    """
    year = source.year
    return {
        "profile": "tabular-data-package",
        "name": f"luoshi-performance-report-{year}",
        "title": f"{year}年度{source.city}{source.district}{source.issuer}部门整体支出绩效评价报告",
        "sources": [{"title": s.title, "path": s.raw_file, **asdict(s)}
                    for s in (source, *others)],
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "encoding": "utf-8",
                "schema": table.descriptor(),
            }
            for table in TABLES.values()
        ],
    }


def write_datapackage(source: SourceRecord, folder: Path,
                      others: tuple[SourceRecord, ...] = ()) -> Path:
    """Write a year's datapackage.json (its report first, then others) into folder; return it."""
    path = folder / config.DATAPACKAGE_FILE
    text = json.dumps(datapackage_descriptor(source, others), ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def read_sources(year: int, root: Path | None = None) -> list[SourceRecord]:
    """Read every source record of a year: its report first, then documents kept beside it.

    Raises:
        DataFolderError: the datapackage is missing.
        ProvenanceError: it has no usable source record.
    """
    path = config.processed_dir(year, root) / config.DATAPACKAGE_FILE
    if not path.is_file():
        raise DataFolderError(f"{path}: missing; every year needs a datapackage.json")
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        fields = SourceRecord.__dataclass_fields__
        sources = [SourceRecord(**{k: v for k, v in source.items() if k in fields})
                   for source in descriptor["sources"]]
        if not sources:
            raise IndexError("the sources list is empty")
        return sources
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ProvenanceError(f"{path}: no readable source record ({exc})") from exc


def read_source(year: int, root: Path | None = None) -> SourceRecord:
    """Read the source record of a year's report (the first of its datapackage.json).

    Raises:
        DataFolderError: the datapackage is missing.
        ProvenanceError: it has no usable source record.
    """
    return read_sources(year, root)[0]


def raw_path(source: SourceRecord, root: Path | None = None) -> Path:
    """Return the absolute path of a source's raw report."""
    return (root or config.data_dir()) / source.raw_file


def _verify_file(path: Path, expected: str, what: str) -> bytes:
    if not path.is_file():
        raise ProvenanceError(f"{path}: {what} missing; expected sha256 {expected}")
    data = path.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != expected:
        raise ProvenanceError(
            f"{path}: sha256 is {found}, the source record says {expected}; "
            f"{what}s are never edited — restore the original file"
        )
    return data


def _verify_source(source: SourceRecord, root: Path | None) -> None:
    _verify_file(raw_path(source, root), source.sha256, "raw report")
    if source.read_text_file:
        _verify_file((root or config.data_dir()) / source.read_text_file, source.read_text_sha256,
                     "read text")


def verify_raw(year: int, root: Path | None = None) -> SourceRecord:
    """Check that every raw file of a year (and the text read from it, if stored) is unchanged.

    Returns:
        The source record of the year's report (the first source).

    Raises:
        ProvenanceError: a file is missing or its sha256 differs from the record.
    """
    sources = read_sources(year, root)
    for source in sources:
        _verify_source(source, root)
    return sources[0]


def raw_text(year: int, root: Path | None = None, raw_file: str = "") -> str:
    """Return the verified text of a year's report (or of another source) that fragments trace to.

    For a plain-text report that is the raw file decoded; for a web page, PDF, Word file or
    spreadsheet it is the text read from it, stored beside the raw file.

    Args:
        year: The report year.
        root: A data folder other than the default.
        raw_file: The raw file of one of the year's sources (default: the report, listed first).

    Raises:
        ProvenanceError: a file changed, or the year has no source with that raw file.
    """
    sources = read_sources(year, root)
    source = next((s for s in sources if s.raw_file == raw_file), None) if raw_file else sources[0]
    if source is None:
        raise ProvenanceError(f"{year} has no source {raw_file}; its sources are "
                              + ", ".join(s.raw_file for s in sources))
    _verify_source(source, root)
    if source.read_text_file:
        return ((root or config.data_dir()) / source.read_text_file).read_bytes().decode("utf-8")
    return raw_path(source, root).read_bytes().decode(source.encoding_as_received)
