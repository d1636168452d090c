"""A whole run: plan the jobs, hold the outputs folder, run them, then PDFs, indexes and manifest."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from luoshi_analysis.core import config
from luoshi_analysis.core.collection import Unit, find_unit, units
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.core.load import load_indicators
from luoshi_analysis.engine.index import build_indexes
from luoshi_analysis.engine.jobs import (
    Result,
    RunSettings,
    Status,
    Template,
    copied_from,
    notebooks_in_folder,
    read_template,
)
from luoshi_analysis.engine.outputs import (
    MANIFEST_FILE,
    check_outputs,
    claim_unit_folders,
    outputs_lock,
    tidy,
    write_manifest,
)
from luoshi_analysis.engine.plan import JobOptions, Plan, Skip, plan
from luoshi_analysis.engine.preload import skip_slow_optional_imports
from luoshi_analysis.engine.schedule import expected_durations, remember_durations
from luoshi_analysis.engine.supervisor import run_jobs
from luoshi_analysis.reports.labels import LANGS
from luoshi_analysis.reports.notebook import parse_figure_formats

if TYPE_CHECKING:
    from distributed import Client


@dataclass(frozen=True)
class Unreviewed:
    """A unit-year whose outcome figures are not all reviewed: the pages mark them so."""

    unit: str
    year: int
    count: int  # rows with reviewed = false
    total: int
    table: Path  # the indicators.csv to review


def unreviewed_rows(units: list[Unit], years: dict[str, list[int]]) -> list[Unreviewed]:
    """Return the unit-years run whose indicator rows are not all reviewed by a person."""
    found = []
    for unit in units:
        for year in years.get(unit.name, []):
            indicators = load_indicators(year, unit.folder)
            count = int((~indicators["reviewed"].astype(bool)).sum()) if len(indicators) else 0
            if count:
                found.append(Unreviewed(unit.name, year, count, len(indicators),
                                        config.processed_dir(year, unit.folder)
                                        / config.INDICATORS_FILE))
    return found


@dataclass
class RunReport:
    """What a run did: a result per job, the index and manifest it wrote, what it left out."""

    results: list[Result]
    outputs: Path
    index: Path
    manifest: Path
    skipped: list[str] = field(default_factory=list)  # notebooks not marked as templates
    pdf_error: str = ""  # why printing to PDF failed, if it did
    skips: list[Skip] = field(default_factory=list)  # templates with nothing to show for a year
    unreviewed: list[Unreviewed] = field(default_factory=list)  # unit-years with unreviewed rows

    @property
    def failed(self) -> list[Result]:
        """The jobs that did not end ok."""
        return [r for r in self.results if r.status is not Status.OK]

    @property
    def ok(self) -> bool:
        """Whether every job ended ok and the PDFs (if asked for) were printed."""
        return not self.failed and not self.pdf_error


@dataclass(frozen=True)
class _Resolved:
    """The settings resolved against the collection and the templates, and the plan they make."""

    plan: Plan
    units: list[Unit]
    workers: int  # notebooks run at once: no more than there are jobs
    outputs: Path
    collection: Path
    skipped: list[str]  # notebooks of the folder not marked as templates
    manifest_settings: dict[str, object]


def _templates(settings: RunSettings) -> tuple[list[Template], list[str]]:
    """Return the templates to run (named, or every one) and the notebooks that are not ones."""
    found, others = notebooks_in_folder()
    names = list(dict.fromkeys(settings.notebooks or found))
    for name in names:
        if name not in found and name in {p.stem for p in others}:
            raise ParameterError(
                f"notebook {name!r} is not a report template (its metadata luoshi.report_template "
                f"does not name it); templates: {', '.join(found) or 'none'}")
        if name not in found:
            raise ParameterError(
                f"unknown notebook {name!r}; available: {', '.join(found) or 'none'}")
    skipped = [] if settings.notebooks else [
        f"{p.name} (a copy of {copied_from(p)}: set its metadata luoshi.report_template to "
        f"{p.stem!r} to publish it)" if copied_from(p) else p.name for p in others]
    return [read_template(found[name]) for name in names], skipped


def _units(settings: RunSettings, collection: Path) -> list[Unit]:
    """Return the units to run: those named (any spelling), or every unit of the collection."""
    if settings.units:
        chosen = [find_unit(name, collection) for name in settings.units]
        return list({unit.folder: unit for unit in chosen}.values())
    found = units(collection)
    if not found:
        raise ParameterError(f"no unit with data in {collection}; ingest a report first "
                             "(luoshi ingest REPORT)")
    return found


def _resolve(settings: RunSettings) -> _Resolved:
    """Resolve the settings' defaults, check them and the data; return the plan.

    Raises:
        ParameterError: a value is not allowed (one line naming it and what is).
        UnknownYearError: a year no unit has.
        LuoshiError: a chosen unit-year's data is broken.
    """
    if settings.jobs < 1:
        raise ParameterError(f"--jobs {settings.jobs}: give a whole number of 1 or more, e.g. 2")
    collection = (settings.collection.expanduser().resolve() if settings.collection
                  else config.collection_dir())
    outputs = settings.outputs.expanduser().resolve() if settings.outputs else config.outputs_dir()
    check_outputs(outputs, collection)
    chosen_units = _units(settings, collection)
    templates, skipped = _templates(settings)
    langs = tuple(dict.fromkeys(settings.langs or LANGS))
    extra = dict(settings.extra)
    if tuple(settings.figure_formats) != ("png",):  # only templates that declare it take it
        extra["figure_formats"] = ",".join(parse_figure_formats(",".join(settings.figure_formats)))
    wanted = tuple(dict.fromkeys(settings.years)) if settings.years else None
    planned = plan(chosen_units, wanted, templates, JobOptions(
        langs, outputs, collection, settings.with_code, settings.cell_timeout_s, extra))
    if not planned.jobs:
        raise ParameterError(f"nothing to run: no chosen year of {collection} has a page to make")
    workers = min(settings.jobs, len(planned.jobs))
    return _Resolved(planned, chosen_units, workers, outputs, collection, skipped, {
        "collection": str(collection), "units": [u.name for u in chosen_units],
        "years": planned.years, "notebooks": [t.name for t in templates], "langs": list(langs),
        "jobs": workers, "jobs_requested": settings.jobs,
        "timeout_s": settings.timeout_s, "cell_timeout_s": settings.cell_timeout_s,
        "with_code": settings.with_code, "extra": extra, "outputs": str(outputs),
        "notebooks_dir": str(config.notebooks_dir()), "skipped": skipped,
        "scheduler": settings.scheduler or "",
        "not_run": [vars(skip) for skip in planned.skips]})


def _print_pdfs(results: list[Result]) -> str:
    """Print every good page to PDF; return why it failed, or ""."""
    from luoshi_analysis.engine.pdf import print_results_to_pdf  # playwright only when asked

    try:
        for result, pdf in zip([r for r in results if r.status is Status.OK and r.html],
                               print_results_to_pdf(results), strict=True):
            result.pdf = str(pdf)
    except Exception as exc:  # noqa: BLE001 - the pages are made: index and manifest still
        return f"PDF printing failed: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    return ""


def run(settings: RunSettings, wait_message: Callable[[str], None] | None = None) -> RunReport:
    """Execute the templates for each unit, year and language; export the pages and indexes.

    A failing notebook never stops the others; a page is replaced only by a good run. One run
    at a time per outputs folder: a second waits for the first (``wait_message`` says so).
    Each unit's pages go to <outputs>/<unit>/<year>/, pages about the whole collection to
    <outputs>/collection/<year>/; <outputs>/<unit>/index.html and <outputs>/index.html link them.

    Args:
        settings: What to run (see ``RunSettings``).
        wait_message: Called with one line when the outputs folder is in use by another run.

    Raises:
        ParameterError: a setting is not allowed, or the outputs folder cannot be used.
        UnknownYearError: a year no unit has.
        LuoshiError: a chosen unit-year's data is broken (before anything runs).
    """
    skip_slow_optional_imports()
    if settings.scheduler:
        from luoshi_analysis.engine.cluster import check_scheduler  # dask only when asked

        check_scheduler(settings.scheduler)  # a malformed address stops the run first
    resolved = _resolve(settings)
    if settings.pdf:
        from luoshi_analysis.engine.pdf import check_browser  # playwright only when asked

        check_browser()  # fail before running anything
    with contextlib.ExitStack() as cluster:
        client = None
        if settings.scheduler:  # reached, with its workers checked, before anything is written
            from luoshi_analysis.engine.cluster import open_cluster

            client = cluster.enter_context(open_cluster(settings.scheduler))
        return _locked_run(settings, resolved, client, wait_message)


def _locked_run(settings: RunSettings, resolved: _Resolved, client: Client | None,
                wait_message: Callable[[str], None] | None) -> RunReport:
    """Run the planned jobs (here or on the cluster), then PDFs, indexes and manifest."""
    outputs = resolved.outputs
    with outputs_lock(outputs, wait_message):
        claim_unit_folders(outputs, resolved.units)
        started = time.time()
        notebooks_dir = config.notebooks_dir()
        expected = expected_durations(outputs / MANIFEST_FILE, notebooks_dir)
        if client is not None:
            from luoshi_analysis.engine.cluster import run_on_cluster

            results = run_on_cluster(client, resolved.plan.jobs, resolved.units,
                                     resolved.collection, outputs, settings, expected)
        else:
            results = run_jobs(resolved.plan.jobs, resolved.workers, settings.timeout_s,
                               progress=settings.progress, expected=expected)
        remember_durations(notebooks_dir, [(r.notebook, r.lang, r.duration_s) for r in results
                                           if r.status is Status.OK])
        pdf_error = _print_pdfs(results) if settings.pdf else ""
        tidy(outputs, set(notebooks_in_folder()[0]), started)
        index = build_indexes(outputs)
        manifest = write_manifest(outputs, resolved.manifest_settings, results, started)
    return RunReport(results, outputs, index, manifest, resolved.skipped, pdf_error,
                     resolved.plan.skips, unreviewed_rows(resolved.units, resolved.plan.years))
