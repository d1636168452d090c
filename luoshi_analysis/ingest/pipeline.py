"""Add a year from its report: read it, parse it, and write its raw copy and tables in one step."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from luoshi_analysis.core import config
from luoshi_analysis.core.errors import IngestError, LuoshiError
from luoshi_analysis.core.load import (
    budget_document_years,
    load_indicators,
    read_table,
    years,
)
from luoshi_analysis.core.provenance import SourceRecord, read_source, read_sources
from luoshi_analysis.core.schema import BUDGET, INDICATORS, STATEMENTS, TableSchema
from luoshi_analysis.core.statements import Disagreement
from luoshi_analysis.core.terminal import for_terminal
from luoshi_analysis.ingest.document import report_kind, report_year
from luoshi_analysis.ingest.frames import statements_frame
from luoshi_analysis.ingest.issuer import find_issuer, same_unit
from luoshi_analysis.ingest.normalize import Normalized, normalize
from luoshi_analysis.ingest.outcomes import candidate_table, project_statements, section_spans
from luoshi_analysis.ingest.overview import OverviewResult, parse_overview
from luoshi_analysis.ingest.readers import ReadReport, read_report
from luoshi_analysis.ingest.review import ReviewCarry, carry_reviewed
from luoshi_analysis.ingest.transaction import (
    new_source_record,
    staged_year,
    swap_in,
    write_tables,
)

PROJECT_LEVEL = "performance_self_evaluation"  # 项目支出绩效自评, 绩效目标表, 工作总结
BUDGETED = "budgeted"  # the phase of a 部门预算 / 预算批复 and of its source record
BUDGET_DOCUMENT = "budget_document"  # stated_by of a budget document's statements


@dataclass
class IngestResult:
    """What an ingest wrote and found."""

    year: int
    root: Path  # the data folder written to
    source: SourceRecord
    budget: pd.DataFrame
    statements: pd.DataFrame
    disagreements: list[Disagreement]
    indicators: pd.DataFrame
    reused_keys: int
    folder: Path
    review: ReviewCarry | None = None
    backup: Path | None = None
    phase: str = "executed"  # budgeted: a budget document added beside the year's report
    unchanged: bool = False  # the same budget document was already there: nothing written
    beside: tuple[SourceRecord, ...] = ()  # budget documents kept beside the report

    @property
    def has_report(self) -> bool:
        """Whether the year now has its report's tables (not only a budget document)."""
        return self.year in years(self.root)


def _folder_sources(root: Path) -> list[SourceRecord]:
    """Return the source records of the folder's years (a year without a readable one is skipped).

    A year with only its budget document counts too: its issuer is the folder's unit.
    """
    sources: list[SourceRecord] = []
    for y in sorted(years(root) + budget_document_years(root)) if root.is_dir() else []:
        try:
            sources.append(read_source(y, root))
        except LuoshiError:
            continue
    return sources


def _unit(report: Path, read: ReadReport, folder: list[SourceRecord],
          mismatch_ok: bool) -> tuple[dict[str, str], str]:
    """Return a report's unit (title, issuer, district, city, issuer_en) for this folder, and a note.

    Raises:
        IngestError: the report names a unit other than the folder's, without mismatch_ok.
    """
    found = find_issuer(read.text)
    named = [source for source in folder if source.issuer]  # a folder's unit may be unknown yet
    known = named[-1] if named else None
    if found.issuer and known and not any(same_unit(found.issuer, s.issuer) for s in named):
        if not mismatch_ok:
            raise IngestError(
                f"{report}: the report is issued by {for_terminal(found.issuer)}, but this data folder "
                f"holds {known.issuer}'s reports; one data folder is one unit — use another "
                "--data-dir, or pass --issuer-mismatch-ok to add it here anyway")
        known = None
    if not found.issuer and known:
        return ({"title": found.title, "issuer": known.issuer, "district": known.district,
                 "city": known.city, "issuer_en": known.issuer_en},
                "the report names no issuer; the data folder's unit is assumed")
    same = known is not None
    return ({"title": found.title, "issuer": found.issuer,
             "district": found.district or (known.district if known else ""),
             "city": found.city or (known.city if known else ""),
             "issuer_en": known.issuer_en if same and known else ""},
            "" if found.issuer else "the report names no issuer")


def _as_written(path: Path, table: TableSchema) -> pd.DataFrame:
    """Return a table the schema accepts, its cells as written (so rewriting changes nothing)."""
    read_table(path, table)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for position, fld in enumerate(table.fields):  # a column the schema added since: its default
        if fld.name not in frame.columns and fld.default is not None:
            frame.insert(position, fld.name, fld.default)
    return frame


def _numbered(*parts: pd.DataFrame) -> pd.DataFrame:
    """Return statements one after another, numbered again from 1 (the primary key holds)."""
    frames = [part for part in parts if not part.empty]
    if not frames:
        return parts[0]
    joined = pd.concat([frame.astype(str) for frame in frames], ignore_index=True)
    return joined.assign(statement=[str(n) for n in range(1, len(joined) + 1)])


def _kept_budget_document(target: Path, year: int, root: Path,
                          ) -> tuple[list[SourceRecord], pd.DataFrame]:
    """Return a year's budget-document sources and their statements (kept by a new report)."""
    none = pd.DataFrame(columns=STATEMENTS.columns)
    if not (target / config.DATAPACKAGE_FILE).is_file():
        return [], none
    sources = [s for s in read_sources(year, root) if s.phase == BUDGETED]
    path = target / config.STATEMENTS_FILE
    if not sources or not path.is_file():
        return sources, none
    try:
        rows = _as_written(path, STATEMENTS)
    except LuoshiError:
        return sources, none  # a broken table keeps nothing; it is still backed up
    return sources, rows[rows["stated_by"] == BUDGET_DOCUMENT]


def _old_indicators(target: Path) -> pd.DataFrame | None:
    """Return the year's current indicator rows as written, or None (none, or a broken table)."""
    try:
        return _as_written(target / config.INDICATORS_FILE, INDICATORS)
    except LuoshiError:
        return None  # a broken table has nothing to keep; it is still backed up


def _is_budget_document(overview: OverviewResult, year: int) -> bool:
    """Return whether a text states its year's amounts as budgeted only (部门预算, 预算批复)."""
    own = overview.statements[(overview.statements["stated_by"] == "this_report")
                              & (overview.statements["year"] == year)]
    return not own.empty and bool((own["phase"] != "executed").all())


def _as_budget_document(statements: pd.DataFrame, year: int) -> pd.DataFrame:
    """Return a budget document's statements: stated by it, and its own year's budgeted.

    What such a document says of its year without a phase word (收入总计 in a 预算批复) is its
    budget; amounts of other years keep the phase they were read with.
    """
    own = (statements["year"] == year) & (statements["phase"] == "executed")
    return statements.assign(stated_by=BUDGET_DOCUMENT,
                             phase=statements["phase"].where(~own, BUDGETED))


def _ingest_budget_document(report: Path, reading: _Reading, root: Path, force: bool,
                            issuer_mismatch_ok: bool) -> IngestResult:
    """Add a 部门预算 / 预算批复 to a year beside its report (or as the year's first document).

    Its raw file (and read text) become a further source of the year, its statements are
    appended to the year's statements.csv as stated_by "budget_document"; the budget table,
    the indicators and the report's source stay as they are. The same document again changes
    nothing; another one needs force and leaves the replaced one in a backup.
    """
    year, read, overview = reading.year, reading.read, reading.overview
    assert overview is not None  # a budget document states its budget
    target = config.processed_dir(year, root)
    sources = read_sources(year, root) if (target / config.DATAPACKAGE_FILE).is_file() else []
    report_source = sources[0] if sources and sources[0].phase != BUDGETED else None
    old = next((s for s in sources if s.phase == BUDGETED), None)
    added = _as_budget_document(overview.statements, year)

    def result(source: SourceRecord, unchanged: bool, backup: Path | None = None) -> IngestResult:
        return IngestResult(
            year=year, root=root, source=source, budget=pd.DataFrame(columns=BUDGET.columns),
            statements=added, disagreements=overview.disagreements,
            indicators=pd.DataFrame(columns=INDICATORS.columns), reused_keys=0, folder=target,
            backup=backup, phase=BUDGETED, unchanged=unchanged)

    if old and old.sha256 == hashlib.sha256(read.data).hexdigest() and (root / old.raw_file).is_file():
        return result(old, unchanged=True)
    if old and not force:
        raise IngestError(
            f"{report}: year {year} already has a budget document ({old.raw_file}, sha256 "
            f"{old.sha256[:12]}…); use --force to replace it (the old one goes to backups/)")
    known = _folder_sources(root) + ([report_source] if report_source else [])
    unit, issuer_note = _unit(report, read, known, issuer_mismatch_ok)
    source = new_source_record(
        read, year, unit, overview.units, stem="budget", phase=BUDGETED, url=reading.url,
        notes=f"budget document kept beside the year's report; ingested by luoshi ingest from "
              f"{report.name} ({read.format})" + (f"; {issuer_note}" if issuer_note else ""))
    others = tuple(s for s in sources[1:] if s.phase != BUDGETED)
    primary, others = (report_source, (*others, source)) if report_source else (source, ())
    with staged_year(root, year, keep_existing=True) as staging:
        path = staging / config.STATEMENTS_FILE
        before = _as_written(path, STATEMENTS) if path.is_file() else pd.DataFrame(
            columns=STATEMENTS.columns)
        before = before[before["stated_by"] != BUDGET_DOCUMENT]  # the replaced document's rows go
        write_tables(staging, {config.STATEMENTS_FILE: (_numbered(before, added), STATEMENTS)},
                     primary, others)
    backup = swap_in(root, staging, source, read, old, back_up=old is not None)
    return result(source, unchanged=False, backup=backup)


@dataclass
class _Reading:
    """A report as read: its text, year, overview (None: outcome figures only) and kind."""

    read: ReadReport
    year: int
    overview: OverviewResult | None
    kind: str
    url: str = ""  # the page it was published at, where the analyst gives it


def settle_year(report: Path, normalized: Normalized, year: int | None,
                 override_year: bool) -> int:
    """Return the year a report is filed under: the one it states, confirmed or overridden.

    Raises:
        IngestError: the text states no year and none was given, or states another year than
            the one given (without override_year).
    """
    stated = report_year(normalized)
    if year is None:
        if stated is None:
            raise IngestError(
                f"{report}: the report's year cannot be read from its title or text; pass "
                "--year Y with the fiscal year it reports on")
        return stated[0]
    if stated and stated[0] != year and not override_year:
        raise IngestError(
            f"{report}: the text is the {stated[0]} report ('{stated[0]}年' on line {stated[1]}), "
            f"not {year}; pass --year {stated[0]}, or --year {year} --override-year to file it "
            f"under {year} anyway")
    return year


def _read_for_year(report: Path, year: int | None, override_year: bool = False) -> _Reading:
    """Read a report, settle its year and parse its overview (None when it states none).

    Raises:
        IngestError: unreadable file, no year, a text of another year.
    """
    read = read_report(report)
    normalized = normalize(read.text)
    year = settle_year(report, normalized, year, override_year)
    overview = None  # a performance text without an overview: its outcome figures only
    if report_kind(read.text, False, True) != PROJECT_LEVEL:  # a project's funds are no overview
        with contextlib.suppress(IngestError):
            overview = parse_overview(normalized, year)
    township = overview is not None and overview.township
    return _Reading(read, year, overview, report_kind(read.text, township, overview is not None))


def _has_report(target: Path, year: int, root: Path) -> bool:
    """Return whether a year already holds a report (of any kind, not only a budget document)."""
    if not (target / config.DATAPACKAGE_FILE).is_file():
        return False
    try:
        return read_sources(year, root)[0].phase != BUDGETED
    except LuoshiError:
        return True  # a broken folder is replaced only with force


def ingest(report: Path, year: int | None = None, root: Path | None = None, force: bool = False,
           issuer_mismatch_ok: bool = False, phase: str = "",
           override_year: bool = False, url: str = "") -> IngestResult:
    """Read a report and write the year's raw copy, read text and tables into the data folder.

    Nothing is written when the report cannot be used. The year's tables are staged in full and
    swapped in with one rename, so a crash leaves the old year or the new one. Replacing a year
    (force) keeps its reviewed indicator rows whose fragment is still in the text, and keeps the
    replaced tables and raw file in backups/<year>-<UTC time>/ inside the data folder.

    What is written depends on the document: a 部门决算 or 整体支出绩效 report gives the budget
    overview, its statements and outcome candidates; a performance text without an overview
    (项目支出绩效自评, 绩效目标自评表, 工作总结) its outcome candidates and project statements,
    no budget table; a town's report on its budgets its township statements only. A budget
    document (部门预算, 预算批复: every amount of its year budgeted), or any report with phase
    "budgeted", is added beside the year's report instead (see ``_ingest_budget_document``).

    Args:
        report: The report: text (UTF-8, GB18030/GBK or UTF-16), a saved web page, a PDF with a
            text layer, a Word .docx, or a workbook (.xlsx/.xls) with the 收入支出决算总表.
        year: The fiscal year it reports on; None to take the year its title states.
        root: The data folder (default: the configured one).
        force: Replace the year if it already has data.
        issuer_mismatch_ok: Add the report even when it names a unit other than the folder's.
        phase: "budgeted" to add the file as the year's budget document, "executed" to take it
            as the year's report; empty to decide by what the text states.
        override_year: File the report under ``year`` even though its text states another.
        url: The page the report was published at (kept in its source record).

    Raises:
        IngestError: unreadable, too large or unsupported file, neither an overview nor an
            outcome figure, no year, year mismatch, another unit's report, or an existing year
            without force.
    """
    root = Path(root) if root is not None else config.data_dir()
    report = Path(report)
    reading = replace(_read_for_year(report, year, override_year), url=url)
    overview = reading.overview
    if overview is not None and not overview.township and (
            phase == BUDGETED or (not phase and _is_budget_document(overview, reading.year))):
        return _ingest_budget_document(report, reading, root, force, issuer_mismatch_ok)
    return _ingest_report(report, reading, root, force, issuer_mismatch_ok)


def _year_tables(report: Path, reading: _Reading, earlier: list[pd.DataFrame],
                 ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return a report's budget, indicator candidates and statements (before review carry).

    Raises:
        IngestError: the text states neither an overview nor an outcome figure.
    """
    overview, year = reading.overview, reading.year
    no_budget = pd.DataFrame(columns=BUDGET.columns)
    if overview is not None and overview.township:
        return no_budget, pd.DataFrame(columns=INDICATORS.columns), overview.statements
    excluded = tuple(overview.statements["source_fragment"]) if overview is not None else ()
    indicators = candidate_table(reading.read.text, year, earlier, excluded)
    if reading.kind in ("final_accounts", "budget") and not section_spans(reading.read.text):
        indicators = indicators.iloc[0:0]  # a 决算 or 预算 states no outcomes: its % are shares
    projects = statements_frame(project_statements(reading.read.text, year), year)
    if overview is None:
        if indicators.empty:
            raise IngestError(
                f"{report}: no budget overview and no outcome figure found: the text states none "
                "of 收入总计, 支出总计, 本年收入, 本年支出, 收入预算 or their parts with an amount in "
                "万元, 元 or 亿元, and no figure with its unit (户, 人, 个, 万元 …)")
        return no_budget, indicators, projects
    return overview.budget, indicators, _numbered(overview.statements, projects)


def _ingest_report(report: Path, reading: _Reading, root: Path, force: bool,
                   issuer_mismatch_ok: bool) -> IngestResult:
    """Write a year from its report (of any kind but a budget document kept beside one)."""
    read, year, overview = reading.read, reading.year, reading.overview
    target = config.processed_dir(year, root)
    has_report = _has_report(target, year, root)  # else at most a budget document
    if has_report and not force:
        raise IngestError(
            f"year {year} already has data in {target}; use --force to replace it")
    earlier = [load_indicators(y, root) for y in years(root) if y != year] if root.is_dir() else []
    budget, indicators, statements = _year_tables(report, reading, earlier)
    folder_sources = _folder_sources(root)
    unit, issuer_note = _unit(report, read, folder_sources, issuer_mismatch_ok)
    root.mkdir(parents=True, exist_ok=True)  # ingest may start a new data folder
    known = {key for frame in earlier for key in frame["key"]}
    replaced = next((s for s in folder_sources if s.year == year), None) if has_report else None
    budget_sources, budget_rows = _kept_budget_document(target, year, root)
    indicators, review = carry_reviewed(
        indicators, _old_indicators(target) if has_report else None, read.text)
    same_file = (replaced and replaced.sha256 == hashlib.sha256(read.data).hexdigest()
                 and (root / replaced.raw_file).is_file())
    notes = f"ingested by luoshi ingest from {report.name} ({read.format}); " + (
        f"{len(review.kept)} reviewed indicators kept" if review.kept else "indicators unreviewed")
    source = new_source_record(
        read, year, unit, overview.units if overview else set(), stem="report",
        raw_file=replaced.raw_file if same_file and replaced else "",  # the same file: its name
        notes=notes + (f"; {issuer_note}" if issuer_note else ""), kind=reading.kind,
        url=reading.url)
    tables = {config.BUDGET_FILE: (budget, BUDGET)} if overview and not overview.township else {}
    if not (overview and overview.township):
        tables[config.INDICATORS_FILE] = (indicators, INDICATORS)
    statements = _numbered(statements, budget_rows)  # a budget document's rows stay
    if not statements.empty or overview is not None:
        tables[config.STATEMENTS_FILE] = (statements, STATEMENTS)
    with staged_year(root, year) as staging:
        write_tables(staging, tables, source, tuple(budget_sources))
    backup = swap_in(root, staging, source, read, replaced, back_up=has_report)
    return IngestResult(
        year=year, root=root, source=source, budget=budget, statements=statements,
        disagreements=overview.disagreements if overview else [], indicators=indicators,
        reused_keys=int(indicators.loc[indicators["reviewed"] != "true", "key"].isin(known).sum()),
        folder=target, review=review if replaced or review.kept else None, backup=backup,
        beside=tuple(budget_sources),
    )
