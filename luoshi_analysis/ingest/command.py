"""Add a year from its report: raw copy, read text, budget table, candidate indicators, checks."""

from __future__ import annotations

import argparse
import hashlib
import shutil
import textwrap
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from luoshi_analysis.analysis.checks import CHECK_COLUMNS, check
from luoshi_analysis.analysis.ratios import budget_phase_ratios
from luoshi_analysis.core import config
from luoshi_analysis.core.atomic import replace_dir, write_bytes, write_text
from luoshi_analysis.core.errors import IngestError, LuoshiError
from luoshi_analysis.core.load import (
    budget_document_years,
    load_indicators,
    load_statements,
    read_table,
    years,
)
from luoshi_analysis.core.provenance import SourceRecord, read_source, read_sources, write_datapackage
from luoshi_analysis.core.schema import BUDGET, INDICATORS, SECTIONS, STATEMENTS, TableSchema
from luoshi_analysis.core.terminal import for_terminal
from luoshi_analysis.ingest.issuer import find_issuer, same_unit
from luoshi_analysis.ingest.normalize import normalize
from luoshi_analysis.ingest.outcomes import candidate_table
from luoshi_analysis.ingest.overview import (
    Disagreement,
    OverviewResult,
    parse_overview,
    stated_year,
)
from luoshi_analysis.ingest.readers import ReadReport, read_report

STAGING_PREFIX = ".staging-"
BACKUPS_SUBDIR = "backups"  # outside processed/: years() and validate never see it
READ_TEXT_SUFFIX = ".read.txt"
BUDGETED = "budgeted"  # the phase of a 部门预算 / 预算批复 and of its source record
BUDGET_DOCUMENT = "budget_document"  # stated_by of a budget document's statements


@dataclass
class ReviewCarry:
    """What a forced re-ingest did with the year's reviewed indicator rows."""

    kept: list[str] = field(default_factory=list)  # keys of reviewed rows kept
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (key, fragment) no longer in the text
    added: int = 0  # unreviewed candidates new in this ingest


@dataclass
class IngestResult:
    """What an ingest wrote and found."""

    year: int
    source: SourceRecord
    budget: pd.DataFrame
    statements: pd.DataFrame
    disagreements: list[Disagreement]
    indicators: pd.DataFrame
    reused_keys: int
    checks: pd.DataFrame
    folder: Path
    review: ReviewCarry | None = None
    backup: Path | None = None
    phase: str = "executed"  # budgeted: a budget document added beside the year's report
    unchanged: bool = False  # the same budget document was already there: nothing written
    ratios: pd.DataFrame | None = None  # budget-phase ratios the year now allows
    beside: tuple[SourceRecord, ...] = ()  # budget documents kept beside the report


def _conversion(units: set[str]) -> tuple[str, str]:
    units = {"万元" if u == "万" else u for u in units}
    if units == {"元"}:
        return "元", "amounts divided by 10000 from 元 to 万元"
    if units <= {"万元"}:
        return "万元", "none: the report gives amounts in 万元"
    steps = {"元": "in 元 divided by 10000 to 万元", "亿元": "in 亿元 multiplied by 10000 to 万元"}
    done = "; ".join(f"amounts {steps[u]}" for u in sorted(units) if u in steps)
    kept = "; 万元 kept as written" if "万元" in units else ""
    return " and ".join(sorted(units)), done + kept


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    write_text(path, frame.to_csv(index=False, lineterminator="\n"))


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


def _remove_leftovers(root: Path, year: int) -> None:
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


def _unit(report: Path, read: ReadReport, folder: list[SourceRecord], mismatch_ok: bool):
    """Return (title, issuer, district, city, issuer_en, note) of a report for this folder.

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
        return (found.title, known.issuer, known.district, known.city, known.issuer_en,
                "the report names no issuer; the data folder's unit is assumed")
    same = known is not None
    return (found.title, found.issuer, found.district or (known.district if same else ""),
            found.city or (known.city if same else ""), known.issuer_en if same else "",
            "" if found.issuer else "the report names no issuer")


def _spans(text: str, fragment: str) -> list[tuple[int, int]]:
    """Return where fragment occurs in text, as (start, end) pairs."""
    spans, start = [], text.find(fragment) if fragment else -1
    while start >= 0:
        spans.append((start, start + len(fragment)))
        start = text.find(fragment, start + 1)
    return spans


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def _carry_reviewed(new: pd.DataFrame, old: pd.DataFrame | None,
                    text: str) -> tuple[pd.DataFrame, ReviewCarry]:
    """Keep the old year's reviewed rows whose fragment is still in the new text.

    A kept row takes the place of the new candidate of the same value and unit whose fragment
    overlaps its own in the text (reviewers often trim a fragment); a candidate whose key a kept
    row holds gets the next free key of its section.
    """
    carry = ReviewCarry()
    if old is None or old.empty:
        carry.added = len(new)
        return new, carry
    reviewed = old[old["reviewed"].str.lower() == "true"]
    still = reviewed["source_fragment"].map(lambda fragment: bool(fragment) and fragment in text)
    kept = reviewed[still]
    carry.kept = kept["key"].tolist()
    carry.dropped = list(zip(reviewed.loc[~still, "key"], reviewed.loc[~still, "source_fragment"],
                             strict=True))
    taken = [(_spans(text, row["source_fragment"]), row["value_as_written"], row["unit"])
             for _, row in kept.iterrows()]

    def already_kept(row: pd.Series) -> bool:
        spans = _spans(text, row["source_fragment"])
        return any(value == row["value_as_written"] and unit == row["unit"] and _overlap(spans, other)
                   for other, value, unit in taken)

    fresh = new[[not already_kept(row) for _, row in new.iterrows()]].copy()
    used = set(kept["key"])
    for index, row in fresh.iterrows():
        if row["key"] in used:
            number = 1
            while f"{row['section_key']}_{number:02d}" in used:
                number += 1
            fresh.at[index, "key"] = f"{row['section_key']}_{number:02d}"
        used.add(fresh.at[index, "key"])
    carry.added = len(fresh)
    merged = pd.concat([kept, fresh], ignore_index=True)
    order = merged["source_fragment"].map(lambda fragment: text.find(fragment))
    merged = merged.assign(_s=merged["section"].astype(int), _o=order).sort_values(
        ["_s", "_o"], kind="stable").drop(columns=["_s", "_o"])
    return merged[INDICATORS.columns].reset_index(drop=True), carry


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


def _as_written(path: Path, table: TableSchema) -> pd.DataFrame:
    """Return a table the schema accepts, its cells as written (so rewriting changes nothing)."""
    read_table(path, table)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


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


def _swap_in(root: Path, year: int, staging: Path, files: tuple[tuple[str, bytes], ...],
             backup_of: SourceRecord | None, back_up: bool) -> Path | None:
    """Write the raw files, back up the year when asked, and put the staged year in place.

    Returns:
        The backup folder, if one was made.
    """
    target = config.processed_dir(year, root)
    backup = None
    try:
        for name, content in files:
            path = root / name if name else None
            if path and not (path.is_file() and path.read_bytes() == content):
                write_bytes(path, content)  # the raw file byte for byte, as received
        if back_up and target.exists():
            backup = _backup(root, year, backup_of)
        replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if backup_of:  # the old raw file now lives in the backup only
        kept = {name for name, _content in files}
        for name in (backup_of.raw_file, backup_of.read_text_file):
            if name and name not in kept:
                (root / name).unlink(missing_ok=True)
    return backup


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


def _ingest_budget_document(report: Path, year: int, root: Path, force: bool,
                            issuer_mismatch_ok: bool, read: ReadReport,
                            overview: OverviewResult) -> IngestResult:
    """Add a 部门预算 / 预算批复 to a year beside its report (or as the year's first document).

    Its raw file (and read text) become a further source of the year, its statements are
    appended to the year's statements.csv as stated_by "budget_document"; the budget table,
    the indicators and the report's source stay as they are. The same document again changes
    nothing; another one needs force and leaves the replaced one in a backup.
    """
    target = config.processed_dir(year, root)
    sources = read_sources(year, root) if (target / config.DATAPACKAGE_FILE).is_file() else []
    report_source = sources[0] if sources and sources[0].phase != BUDGETED else None
    old = next((s for s in sources if s.phase == BUDGETED), None)
    sha256 = hashlib.sha256(read.data).hexdigest()
    empty_checks = pd.DataFrame(columns=CHECK_COLUMNS).astype({"ok": bool})

    def result(source: SourceRecord, statements: pd.DataFrame, unchanged: bool,
               backup: Path | None = None) -> IngestResult:
        has_report = year in years(root)
        all_rows = load_statements(year, root)
        return IngestResult(
            year=year, source=source, budget=pd.DataFrame(columns=BUDGET.columns),
            statements=statements, disagreements=overview.disagreements,
            indicators=pd.DataFrame(columns=INDICATORS.columns), reused_keys=0,
            checks=check(year, root) if has_report else empty_checks, folder=target,
            backup=backup, phase=BUDGETED, unchanged=unchanged,
            ratios=budget_phase_ratios(all_rows, year) if has_report else None)

    if old and old.sha256 == sha256 and (root / old.raw_file).is_file():
        return result(old, _as_budget_document(overview.statements, year), unchanged=True)
    if old and not force:
        raise IngestError(
            f"{report}: year {year} already has a budget document ({old.raw_file}, sha256 "
            f"{old.sha256[:12]}…); use --force to replace it (the old one goes to backups/)")
    known = _folder_sources(root) + ([report_source] if report_source else [])
    title, issuer, district, city, issuer_en, issuer_note = _unit(
        report, read, known, issuer_mismatch_ok)
    root.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(root, year)
    raw_file = f"{config.RAW_SUBDIR}/{year}/budget_{year}_{sha256[:8]}{read.suffix}"
    read_bytes = read.text.encode("utf-8")
    read_text_file = f"{raw_file}{READ_TEXT_SUFFIX}" if read.format != "text" else ""
    unit_as_reported, conversion = _conversion(overview.units)
    source = SourceRecord(
        year=year, title=title, issuer=issuer, district=district, city=city, issuer_en=issuer_en,
        raw_file=raw_file, sha256=sha256, amount_unit_as_reported=unit_as_reported,
        conversion=conversion, phase=BUDGETED,
        encoding_as_received=read.encoding if read.format in ("text", "html") else "",
        notes=f"budget document kept beside the year's report; ingested by luoshi ingest from "
              f"{report.name} ({read.format})" + (f"; {issuer_note}" if issuer_note else ""),
        format=read.format, read_text_file=read_text_file,
        read_text_sha256=hashlib.sha256(read_bytes).hexdigest() if read_text_file else "",
    )
    path = target / config.STATEMENTS_FILE
    before = _as_written(path, STATEMENTS) if path.is_file() else pd.DataFrame(
        columns=STATEMENTS.columns)
    before = before[before["stated_by"] != BUDGET_DOCUMENT]  # the replaced document's rows go
    added = _as_budget_document(overview.statements, year)
    statements = _numbered(before, added)
    others = tuple(s for s in sources[1:] if s.phase != BUDGETED)
    primary, others = (report_source, (*others, source)) if report_source else (source, ())
    processed = root / config.PROCESSED_SUBDIR
    processed.mkdir(parents=True, exist_ok=True)
    staging = processed / f"{STAGING_PREFIX}{year}-{time.time_ns()}"
    if target.exists():
        shutil.copytree(target, staging)  # the year's other tables stay as they are
    else:
        staging.mkdir()
    try:
        _write_csv(statements, staging / config.STATEMENTS_FILE)
        write_datapackage(primary, staging, others)
        read_table(staging / config.STATEMENTS_FILE, STATEMENTS)  # the schema holds
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    backup = _swap_in(root, year, staging, ((raw_file, read.data), (read_text_file, read_bytes)),
                      old, back_up=old is not None)
    return result(source, added, unchanged=False, backup=backup)


def ingest(report: Path, year: int, root: Path | None = None, force: bool = False,
           issuer_mismatch_ok: bool = False, phase: str = "") -> IngestResult:
    """Read a report and write the year's raw copy, read text and tables into the data folder.

    Nothing is written when the report cannot be used. The year's tables are staged in full and
    swapped in with one rename, so a crash leaves the old year or the new one. Replacing a year
    (force) keeps its reviewed indicator rows whose fragment is still in the text, and keeps the
    replaced tables and raw file in backups/<year>-<UTC time>/ inside the data folder.

    A budget document (部门预算, 预算批复: every amount of its year budgeted), or any report
    with phase "budgeted", is added beside the year's report instead of replacing it (see
    ``_ingest_budget_document``); a later 决算 keeps it.

    Args:
        report: The report: text (UTF-8, GB18030/GBK or UTF-16), a saved web page, a PDF with a
            text layer, a Word .docx, or a workbook (.xlsx/.xls) with the 收入支出决算总表.
        year: The fiscal year it reports on.
        root: The data folder (default: the configured one).
        force: Replace the year if it already has data.
        issuer_mismatch_ok: Add the report even when it names a unit other than the folder's.
        phase: "budgeted" to add the file as the year's budget document, "executed" to take it
            as the year's report; empty to decide by what the text states.

    Raises:
        IngestError: unreadable, too large or unsupported file, no overview, year mismatch,
            another unit's report, or an existing year without force.
    """
    root = Path(root) if root is not None else config.data_dir()
    report = Path(report)
    read = read_report(report)
    text = read.text
    normalized = normalize(text)
    stated = stated_year(normalized)
    if stated and stated[0] != year:
        raise IngestError(
            f"{report}: the text is the {stated[0]} report ('{stated[0]}年度' on line {stated[1]}), "
            f"not {year}; pass --year {stated[0]} or check the file")
    try:
        overview = parse_overview(normalized, year)
    except IngestError as exc:
        raise IngestError(f"{report}: {exc}") from None
    if phase == BUDGETED or (not phase and _is_budget_document(overview, year)):
        return _ingest_budget_document(report, year, root, force, issuer_mismatch_ok, read,
                                       overview)
    target = config.processed_dir(year, root)
    has_report = (target / config.BUDGET_FILE).is_file()  # else at most a budget document
    if has_report and not force:
        raise IngestError(
            f"year {year} already has data in {target}; use --force to replace it")
    budget, units = overview.budget, overview.units
    folder_sources = _folder_sources(root)
    title, issuer, district, city, issuer_en, issuer_note = _unit(
        report, read, folder_sources, issuer_mismatch_ok)
    root.mkdir(parents=True, exist_ok=True)  # ingest may start a new data folder
    _remove_leftovers(root, year)
    earlier = [load_indicators(y, root) for y in years(root) if y != year]
    indicators = candidate_table(text, year, earlier)
    known = {key for frame in earlier for key in frame["key"]}
    replaced = next((s for s in folder_sources if s.year == year), None) if has_report else None
    budget_sources, budget_rows = _kept_budget_document(target, year, root)
    old_indicators = None
    if has_report:
        try:
            read_table(target / config.INDICATORS_FILE, INDICATORS)  # the schema holds
            old_indicators = pd.read_csv(target / config.INDICATORS_FILE, dtype=str,
                                         keep_default_na=False)  # rows kept as written
        except LuoshiError:
            old_indicators = None  # a broken table has nothing to keep; it is still backed up
    indicators, review = _carry_reviewed(indicators, old_indicators, text)
    sha256 = hashlib.sha256(read.data).hexdigest()
    if replaced and replaced.sha256 == sha256 and (root / replaced.raw_file).is_file():
        raw_file = replaced.raw_file  # the same file: keep its name
    else:
        raw_file = f"{config.RAW_SUBDIR}/{year}/report_{year}_{sha256[:8]}{read.suffix}"
    read_bytes = text.encode("utf-8")
    read_text_file = f"{raw_file}{READ_TEXT_SUFFIX}" if read.format != "text" else ""
    unit_as_reported, conversion = _conversion(units)
    notes = f"ingested by luoshi ingest from {report.name} ({read.format}); indicators unreviewed"
    if review.kept:
        notes = notes.replace("indicators unreviewed", f"{len(review.kept)} reviewed indicators kept")
    source = SourceRecord(
        year=year, title=title, issuer=issuer, district=district, city=city, issuer_en=issuer_en,
        raw_file=raw_file, sha256=sha256,
        amount_unit_as_reported=unit_as_reported, conversion=conversion,
        encoding_as_received=read.encoding if read.format in ("text", "html") else "",
        notes=notes + (f"; {issuer_note}" if issuer_note else ""),
        format=read.format, read_text_file=read_text_file,
        read_text_sha256=hashlib.sha256(read_bytes).hexdigest() if read_text_file else "",
    )
    processed = root / config.PROCESSED_SUBDIR
    processed.mkdir(parents=True, exist_ok=True)
    staging = processed / f"{STAGING_PREFIX}{year}-{time.time_ns()}"
    staging.mkdir()
    statements = _numbered(overview.statements, budget_rows)  # a budget document's rows stay
    try:
        _write_csv(budget, staging / config.BUDGET_FILE)
        _write_csv(indicators, staging / config.INDICATORS_FILE)
        _write_csv(statements, staging / config.STATEMENTS_FILE)
        write_datapackage(source, staging, tuple(budget_sources))
        read_table(staging / config.BUDGET_FILE, BUDGET)  # the schema holds before anything moves
        read_table(staging / config.INDICATORS_FILE, INDICATORS)
        read_table(staging / config.STATEMENTS_FILE, STATEMENTS)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    backup = _swap_in(root, year, staging, ((raw_file, read.data), (read_text_file, read_bytes)),
                      replaced, back_up=has_report)
    return IngestResult(
        year=year, source=source, budget=budget, statements=overview.statements,
        disagreements=overview.disagreements, indicators=indicators,
        reused_keys=int(indicators.loc[indicators["reviewed"] != "true", "key"].isin(known).sum()),
        checks=check(year, root),
        folder=target, review=review if replaced or review.kept else None, backup=backup,
        beside=tuple(budget_sources),
    )


def review_summary(result: IngestResult) -> str:
    """Return the summary printed after an ingest: what was found and what to review.

    Everything taken from the report passes through ``for_terminal``: a report's control
    characters and escape sequences are shown, never sent to the terminal.
    """
    safe = for_terminal
    source = result.source
    if result.phase == BUDGETED:
        return _budget_document_summary(result)
    indicators = result.indicators
    unreviewed = indicators[indicators["reviewed"].astype(str).str.lower() != "true"]
    by_section = unreviewed.groupby("section").size()
    sections = ", ".join(f"({s}) {SECTIONS[int(s)][1]} {n}" for s, n in by_section.items())
    failed = result.checks[~result.checks["ok"]]
    where = ", ".join(part for part in (source.city, source.district) if part)
    read = (f"{source.format}, {source.encoding_as_received}" if source.encoding_as_received
            else source.format)
    lines = [
        f"ingested {result.year}: {safe(source.title)}",
        f"  issuer     {safe(source.issuer) or '(not named)'}" + (f" ({safe(where)})" if where else ""),
        f"  raw file   {source.raw_file} ({read}, sha256 {source.sha256[:12]}…)",
    ]
    if source.read_text_file:
        lines.append(f"  read text  {source.read_text_file} (UTF-8, sha256 "
                     f"{source.read_text_sha256[:12]}…): the text every fragment traces to")
    lines += [
        f"  budget     {len(result.budget)} lines; amounts as reported in "
        f"{source.amount_unit_as_reported} ({source.conversion})",
        f"  statements {len(result.statements)} stated amounts (every scope and phase); "
        + (f"{len(result.disagreements)} disagree:" if result.disagreements else "none disagree"),
        *(f"    DISAGREEMENT {safe(d.message())}" for d in result.disagreements),
        *(f"  kept       the budget document {s.raw_file} and its statements (stated_by "
          f"{BUDGET_DOCUMENT})" for s in result.beside),
        f"  indicators {len(indicators)} rows, {len(unreviewed)} unreviewed candidates"
        + (f": {sections}" if sections else ""),
        f"             {result.reused_keys} keys reused from earlier years, "
        f"{len(unreviewed) - result.reused_keys} new",
    ]
    if result.review is not None:
        review = result.review
        lines.append(f"  reviewed   kept {len(review.kept)}, dropped {len(review.dropped)}, "
                     f"added {review.added} unreviewed candidates")
        if review.kept:
            lines += textwrap.wrap(", ".join(review.kept), width=100, initial_indent="    kept     ",
                                   subsequent_indent="             ", break_on_hyphens=False)
        for key, fragment in review.dropped:
            lines.append(f"    dropped  {key}: its fragment '{safe(fragment)}' is not in the new text")
    if result.backup is not None:
        lines.append(f"  backup     the replaced tables and raw file are in {result.backup}")
    lines.append("  checks     " + ("all hold" if failed.empty else f"{len(failed)} violated:"))
    for _, row in failed.iterrows():
        lines.append(f"    VIOLATION {row['check']}: expected {row['expected']:.4f}, found "
                     f"{row['found']:.4f}, difference {row['difference']:+.4f}")
    lines.append(f"next: review {result.folder / config.INDICATORS_FILE} — name each figure "
                 "(name_zh, name_en), confirm value, unit and qualifier, set reviewed to true")
    return "\n".join(lines)


def _budget_document_summary(result: IngestResult) -> str:
    """Return the summary printed after adding a budget document to a year."""
    safe = for_terminal
    source = result.source
    if result.unchanged:
        return (f"{result.year}: this budget document is already kept ({source.raw_file}, sha256 "
                f"{source.sha256[:12]}…); nothing changed")
    lines = [
        f"added the {result.year} budget document: {safe(source.title) or '(no title)'}",
        f"  issuer     {safe(source.issuer) or '(not named)'}",
        f"  raw file   {source.raw_file} ({source.format}, sha256 {source.sha256[:12]}…), "
        "kept beside the year's report",
    ]
    if source.read_text_file:
        lines.append(f"  read text  {source.read_text_file} (UTF-8, sha256 "
                     f"{source.read_text_sha256[:12]}…)")
    lines.append(f"  statements {len(result.statements)} amounts added to "
                 f"{result.folder / config.STATEMENTS_FILE} (stated_by {BUDGET_DOCUMENT}); "
                 "budget.csv and indicators.csv unchanged")
    if result.backup is not None:
        lines.append(f"  backup     the replaced budget document and tables are in {result.backup}")
    if result.ratios is None:
        lines.append(f"  no report  {result.year} has no 决算 yet: its statements are kept; "
                     "ingest the report to add its tables and the budget-phase ratios")
    elif result.ratios.empty:
        lines.append("  ratios     none yet: no line is stated both budgeted and executed")
    else:
        for row in result.ratios.itertuples(index=False):
            lines.append(f"  ratio      {row.name_zh} ({row.key}) {row.value_pct:.2f}% = "
                         f"{row.numerator:g} / {row.denominator:g} 万元")
    failed = result.checks[~result.checks["ok"]]
    if not failed.empty:
        lines.append(f"  checks     {len(failed)} violated (see luoshi validate)")
    return "\n".join(lines)


def ingest_from_args(args: argparse.Namespace) -> int:
    """Carry out `luoshi ingest`; 1 when the written year fails a check."""
    root = Path(args.data_dir) if args.data_dir else None
    result = ingest(Path(args.report), args.year, root, force=args.force,
                    issuer_mismatch_ok=args.issuer_mismatch_ok,
                    phase=getattr(args, "phase", "") or "")
    print(review_summary(result))
    return 0 if result.checks["ok"].all() else 1
