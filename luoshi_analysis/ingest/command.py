"""Add a year from its report text: raw copy, budget table, candidate indicators, checks."""

from __future__ import annotations

import argparse
import hashlib
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from luoshi_analysis import config
from luoshi_analysis.atomic import replace_dir, write_bytes, write_text
from luoshi_analysis.checks import check
from luoshi_analysis.errors import IngestError
from luoshi_analysis.ingest.normalize import decode_report, normalize
from luoshi_analysis.ingest.outcomes import candidate_table
from luoshi_analysis.ingest.overview import Disagreement, parse_overview, stated_year
from luoshi_analysis.load import load_indicators, read_table, years
from luoshi_analysis.provenance import SourceRecord, write_datapackage
from luoshi_analysis.schema import BUDGET, INDICATORS, SECTIONS, STATEMENTS

STAGING_PREFIX = ".staging-"


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


def _title(text: str, year: int) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()][:2]
    title = "".join(lines) if len(lines) == 2 and "报告" in lines[1] else (lines[0] if lines else "")
    return title or f"{year}年度{config.TOWN_ZH}部门整体支出绩效评价报告"


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


def ingest(report: Path, year: int, root: Path | None = None, force: bool = False) -> IngestResult:
    """Read a report text and write year's raw copy and tables into the data folder.

    Nothing is written when the text cannot be used. The year's tables are staged in full and
    swapped in with one rename, so a crash leaves the old year or the new one.

    Args:
        report: The report text (UTF-8, GB18030/GBK or UTF-16).
        year: The fiscal year it reports on.
        root: The data folder (default: the configured one).
        force: Replace the year if it already has data.

    Raises:
        IngestError: unreadable or empty file, no overview, year mismatch, disagreeing figures,
            or an existing year without force.
    """
    root = Path(root) if root is not None else config.data_dir()
    try:
        data = Path(report).read_bytes()
    except OSError as exc:
        raise IngestError(f"{report}: cannot read the file ({exc.strerror})") from None
    text, encoding = decode_report(data, report)
    normalized = normalize(text)
    stated = stated_year(normalized)
    if stated and stated[0] != year:
        raise IngestError(
            f"{report}: the text is the {stated[0]} report ('{stated[0]}年度' on line {stated[1]}), "
            f"not {year}; pass --year {stated[0]} or check the file")
    target = config.processed_dir(year, root)
    if target.exists() and not force:
        raise IngestError(
            f"year {year} already has data in {target}; use --force to replace it")
    overview = parse_overview(normalized, year)
    budget, units = overview.budget, overview.units
    root.mkdir(parents=True, exist_ok=True)  # ingest may start a new data folder
    earlier = [load_indicators(y, root) for y in years(root) if y != year]
    indicators = candidate_table(text, year, earlier)
    known = {key for frame in earlier for key in frame["key"]}
    sha256 = hashlib.sha256(data).hexdigest()
    raw_name = f"luoshi_{year}_performance_report_{sha256[:8]}.txt"
    unit_as_reported, conversion = _conversion(units)
    source = SourceRecord(
        year=year, title=_title(text, year), issuer=config.ISSUER_ZH,
        district=config.DISTRICT_ZH, city=config.CITY_ZH,
        raw_file=f"{config.RAW_SUBDIR}/{year}/{raw_name}", sha256=sha256,
        amount_unit_as_reported=unit_as_reported, conversion=conversion,
        encoding_as_received=encoding,
        notes=f"ingested by luoshi ingest from {Path(report).name}; indicators unreviewed",
    )
    processed = root / config.PROCESSED_SUBDIR
    processed.mkdir(parents=True, exist_ok=True)
    for stale in processed.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = processed / f"{STAGING_PREFIX}{year}-{time.time_ns()}"
    staging.mkdir()
    try:
        _write_csv(budget, staging / config.BUDGET_FILE)
        _write_csv(indicators, staging / config.INDICATORS_FILE)
        _write_csv(overview.statements, staging / config.STATEMENTS_FILE)
        write_datapackage(source, staging)
        read_table(staging / config.BUDGET_FILE, BUDGET)  # the schema holds before anything moves
        read_table(staging / config.INDICATORS_FILE, INDICATORS)
        read_table(staging / config.STATEMENTS_FILE, STATEMENTS)
        raw_path = root / source.raw_file
        if not (raw_path.is_file() and raw_path.read_bytes() == data):
            write_bytes(raw_path, data)  # byte for byte, as received
        replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return IngestResult(
        year=year, source=source, budget=budget, statements=overview.statements,
        disagreements=overview.disagreements, indicators=indicators,
        reused_keys=int(indicators["key"].isin(known).sum()), checks=check(year, root),
        folder=target,
    )


def review_summary(result: IngestResult) -> str:
    """Return the summary printed after an ingest: what was found and what to review."""
    indicators = result.indicators
    by_section = indicators.groupby("section").size()
    sections = ", ".join(f"({s}) {SECTIONS[s][1]} {n}" for s, n in by_section.items())
    failed = result.checks[~result.checks["ok"]]
    lines = [
        f"ingested {result.year}: {result.source.title}",
        f"  raw text   {result.source.raw_file} ({result.source.encoding_as_received}, "
        f"sha256 {result.source.sha256[:12]}…)",
        f"  budget     {len(result.budget)} lines; amounts as reported in "
        f"{result.source.amount_unit_as_reported} ({result.source.conversion})",
        f"  statements {len(result.statements)} stated amounts (every scope and phase); "
        + (f"{len(result.disagreements)} disagree:" if result.disagreements else "none disagree"),
        *(f"    DISAGREEMENT {d.message()}" for d in result.disagreements),
        f"  indicators {len(indicators)} candidates, unreviewed: {sections}",
        f"             {result.reused_keys} keys reused from earlier years, "
        f"{len(indicators) - result.reused_keys} new",
        "  checks     " + ("all hold" if failed.empty else f"{len(failed)} violated:"),
    ]
    for _, row in failed.iterrows():
        lines.append(f"    VIOLATION {row['check']}: expected {row['expected']:.4f}, found "
                     f"{row['found']:.4f}, difference {row['difference']:+.4f}")
    lines.append(f"next: review {result.folder / config.INDICATORS_FILE} — name each figure "
                 "(name_zh, name_en), confirm value, unit and qualifier, set reviewed to true")
    return "\n".join(lines)


def ingest_from_args(args: argparse.Namespace) -> int:
    """Carry out `luoshi ingest`; 1 when the written year fails a check."""
    root = Path(args.data_dir) if args.data_dir else None
    result = ingest(Path(args.report), args.year, root, force=args.force)
    print(review_summary(result))
    return 0 if result.checks["ok"].all() else 1
