"""Source records: which report a year's tables come from, and its file hash."""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import json
import re
import types
import typing
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from luoshi_analysis.core import config
from luoshi_analysis.core.atomic import read_bytes
from luoshi_analysis.core.errors import ProvenanceError
from luoshi_analysis.core.schema import TABLES, JSONObject

AMOUNT_UNIT = "万元"
AMOUNT_FACTOR = 10000
# The kinds of document a unit publishes (a source record names one), and their usual names:
# final accounts, budget, evaluation of the whole spending, self-evaluation of outcomes (项目
# 支出绩效自评, 绩效目标自评表, 工作总结), and a town's fiscal revenue and expenditure (全镇财政收支).
REPORT_KINDS = {
    "final_accounts": "部门决算",
    "budget": "部门预算",
    "performance_evaluation": "部门整体支出绩效评价报告",
    "performance_self_evaluation": "绩效自评报告",
    "township_fiscal": "财政收支报告",
}


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
    kind: str = ""  # what the document is (REPORT_KINDS); "" for records older than the field
    url: str = ""  # the page the document was published at (http or https), where known


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def datapackage_descriptor(source: SourceRecord, others: tuple[SourceRecord, ...] = (),
                           tables: tuple[str, ...] | None = None) -> JSONObject:
    """Return the Frictionless data-package descriptor of one year.

    Args:
        source: The year's report (the primary source, listed first).
        others: Further documents of the year (a 部门预算 beside the 决算), listed after it.
        tables: The tables the year holds (default: all); a document without outcome
            figures, say, has no indicators table.
    """
    year = source.year
    return {
        "profile": "tabular-data-package",
        "name": f"luoshi-performance-report-{year}",
        "title": (f"{year}年度{source.city}{source.district}{source.issuer}"
                  f"{REPORT_KINDS.get(source.kind, REPORT_KINDS['performance_evaluation'])}"),
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
            for table in TABLES.values() if tables is None or table.name in tables
        ],
    }


def write_datapackage(source: SourceRecord, folder: Path, others: tuple[SourceRecord, ...] = (),
                      tables: tuple[str, ...] | None = None) -> Path:
    """Write a year's datapackage.json (its report first, then others) into folder; return it."""
    path = folder / config.DATAPACKAGE_FILE
    descriptor = datapackage_descriptor(source, others, tables)
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_TYPE_NAMES = {int: "a whole number", str: "a string", float: "a number", bool: "true or false",
               type(None): "null"}


def _shown(value: object) -> str:
    """Return a short repr of a value for an error line."""
    text = json.dumps(value, ensure_ascii=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _matches(value: object, hint: object) -> bool:
    """Return whether a JSON value has the type a SourceRecord field is annotated with."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return any(_matches(value, arg) for arg in typing.get_args(hint))
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint in (str, bool, type(None)):
        return isinstance(value, hint)
    origin = typing.get_origin(hint) or hint
    return not isinstance(origin, type) or isinstance(value, origin)


def _type_name(hint: object) -> str:
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return " or ".join(_type_name(arg) for arg in typing.get_args(hint))
    named = _TYPE_NAMES.get(hint) if isinstance(hint, type) else None
    return named or str(getattr(hint, "__name__", hint))


def _is_text_encoding(name: str) -> bool:
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    return getattr(info, "_is_text_encoding", True)  # rot13, base64 … are not


def source_record(source: object, path: Path, year: int, index: int = 0) -> SourceRecord:
    """Return the SourceRecord of one source of a datapackage, checking every field.

    Args:
        source: The JSON value of ``sources[index]``.
        path: The datapackage.json it comes from, named in errors.
        year: The year of the folder the datapackage is in.
        index: Its place in the ``sources`` list, named in errors.

    Raises:
        ProvenanceError: naming the file and the field that is missing, mistyped or not allowed.
    """
    if not isinstance(source, dict):
        raise ProvenanceError(
            f"{path}: sources[{index}] is {_shown(source)}; expected an object with the fields of "
            "the source record")
    hints = typing.get_type_hints(SourceRecord)
    values = {}
    for fld in dataclasses.fields(SourceRecord):
        if fld.name not in source:
            if fld.default is dataclasses.MISSING and fld.default_factory is dataclasses.MISSING:
                raise ProvenanceError(
                    f"{path}: field {fld.name!r} of sources[{index}] is missing; the source record "
                    "needs it")
            continue
        value = source[fld.name]
        if not _matches(value, hints[fld.name]):
            raise ProvenanceError(
                f"{path}: field {fld.name!r} of sources[{index}] is {_shown(value)}; expected "
                f"{_type_name(hints[fld.name])}")
        values[fld.name] = value
    record = SourceRecord(**values)
    problem = _record_problem(record, year)
    if problem:
        raise ProvenanceError(f"{path}: field {problem[0]!r} of sources[{index}] {problem[1]}")
    return record


_WEB_ADDRESS = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _inside_data_folder(relative: str) -> bool:
    """Whether a path written in a source record stays inside the data folder."""
    parts = PurePosixPath(relative)
    return bool(parts.parts) and not parts.is_absolute() and "\\" not in relative \
        and ".." not in parts.parts


def _record_problem(record: SourceRecord, year: int) -> tuple[str, str] | None:
    """Return (field, what is wrong) for the first value of a record that is not allowed."""
    if record.year != year:
        return "year", f"is {record.year} in the folder of {year}; they must agree"
    # the text read from a PDF, web page … is stored beside the raw file, with its own hash
    read_text = getattr(record, "read_text_file", "")
    for name, needed in (("raw_file", True), ("read_text_file", bool(read_text))):
        value = getattr(record, name, "")
        if needed and not _inside_data_folder(value):
            return name, (f"is {_shown(value)}; expected a path inside the data folder, like "
                          f"{config.RAW_SUBDIR}/{year}/report.txt")
    for name, needed in (("sha256", True), ("read_text_sha256", bool(read_text))):
        value = getattr(record, name, "")
        if needed and not _SHA256.match(value):
            return name, f"is {_shown(value)}; expected 64 hex digits 0-9a-f"
    # a PDF or Word file is not decoded (its read text is UTF-8): it may name no encoding
    encoding_needed = bool(record.encoding_as_received) or not read_text
    if encoding_needed and not _is_text_encoding(record.encoding_as_received):
        return "encoding_as_received", (f"is {_shown(record.encoding_as_received)}; expected a "
                                        "text encoding Python knows, e.g. utf-8, gb18030, utf-16")
    if record.amount_factor <= 0:
        return "amount_factor", f"is {record.amount_factor}; expected a positive number"
    if record.kind and record.kind not in REPORT_KINDS:
        return "kind", f"is {_shown(record.kind)}; expected one of {', '.join(REPORT_KINDS)}"
    if record.url and not _WEB_ADDRESS.match(record.url):
        return "url", f"is {_shown(record.url)}; expected a web address starting http:// or https://"
    return None


def read_sources(year: int, root: Path | None = None) -> list[SourceRecord]:
    """Read every source record of a year: its report first, then documents kept beside it.

    Raises:
        DataFolderError: the datapackage is missing.
        ProvenanceError: it has no usable source record (names the field).
    """
    path = config.processed_dir(year, root) / config.DATAPACKAGE_FILE
    data = read_bytes(path, "every year needs a datapackage.json")
    try:
        descriptor = json.loads(data.decode("utf-8-sig"))  # an editor may add a BOM
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ProvenanceError(
            f"{path}: byte 0x{data[exc.start]:02x} on line {line} is not UTF-8; a "
            "datapackage.json is UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise ProvenanceError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    sources = descriptor.get("sources") if isinstance(descriptor, dict) else None
    if not isinstance(sources, list) or not sources:
        raise ProvenanceError(
            f"{path}: no 'sources' list; expected a JSON object whose 'sources' holds the "
            "source record")
    return [source_record(source, path, year, index) for index, source in enumerate(sources)]


def listed_tables(year: int, root: Path | None = None) -> set[str]:
    """Return the names of the tables a year's datapackage.json lists as its resources.

    A listed table must be there; one not listed is simply not among the year's documents.
    A datapackage that cannot be read lists every table (its loader reports the problem).
    """
    path = config.processed_dir(year, root) / config.DATAPACKAGE_FILE
    try:
        resources = json.loads(path.read_bytes().decode("utf-8-sig")).get("resources")
        return {r["name"] for r in resources if isinstance(r, dict) and isinstance(r.get("name"), str)}
    except (OSError, ValueError, AttributeError, TypeError):
        return set(TABLES)


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
