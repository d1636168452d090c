"""A whole run: plan the jobs, hold the outputs folder, run them, then PDFs, index and manifest."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from luoshi_analysis.core import config
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.core.load import as_year, years
from luoshi_analysis.engine.export import build_index
from luoshi_analysis.engine.jobs import Job, Result, RunSettings, Status, notebooks_in_folder, plan
from luoshi_analysis.engine.outputs import MANIFEST_FILE, check_outputs, outputs_lock, write_manifest
from luoshi_analysis.engine.preload import skip_slow_optional_imports
from luoshi_analysis.engine.schedule import expected_durations, remember_durations
from luoshi_analysis.engine.supervisor import run_jobs
from luoshi_analysis.reports.labels import LANGS
from luoshi_analysis.reports.notebook import parse_figure_formats


@dataclass
class RunReport:
    """What a run did: a result per job, the index and manifest it wrote, what it left out."""

    results: list[Result]
    outputs: Path
    index: Path
    manifest: Path
    skipped: list[str] = field(default_factory=list)  # notebooks not marked as templates
    pdf_error: str = ""  # why printing to PDF failed, if it did

    @property
    def failed(self) -> list[Result]:
        """The jobs that did not end ok."""
        return [r for r in self.results if r.status is not Status.OK]

    @property
    def ok(self) -> bool:
        """Whether every job ended ok and the PDFs (if asked for) were printed."""
        return not self.failed and not self.pdf_error


@dataclass(frozen=True)
class _Plan:
    """The settings resolved against the data and the templates, and the jobs they make."""

    jobs: list[Job]
    workers: int  # notebooks run at once: no more than there are jobs
    outputs: Path
    data_dir: Path
    skipped: list[str]  # notebooks of the folder not marked as templates
    manifest_settings: dict[str, object]


def _resolve(settings: RunSettings) -> _Plan:
    """Resolve the settings' defaults and check them; return the jobs to run.

    Raises:
        ParameterError: a value is not allowed (one line naming it and what is).
        UnknownYearError: a year has no data.
    """
    if settings.jobs < 1:
        raise ParameterError(f"--jobs {settings.jobs}: give a whole number of 1 or more, e.g. 2")
    data_root = settings.data_dir.resolve() if settings.data_dir else None
    outputs = settings.outputs.expanduser().resolve() if settings.outputs else config.outputs_dir()
    check_outputs(outputs, data_root or config.data_dir())
    chosen = [as_year(y, data_root) for y in settings.years] if settings.years else years(data_root)
    if not chosen:
        raise ParameterError(f"no years with data in {data_root or config.data_dir()}")
    chosen = list(dict.fromkeys(chosen))
    templates, others = notebooks_in_folder()
    notebooks = list(dict.fromkeys(settings.notebooks or templates))
    langs = list(dict.fromkeys(settings.langs or LANGS))
    extra = dict(settings.extra)
    if tuple(settings.figure_formats) != ("png",):  # only templates that declare it take it
        extra["figure_formats"] = ",".join(parse_figure_formats(",".join(settings.figure_formats)))
    jobs = plan(chosen, notebooks, langs, outputs, data_root, settings.with_code,
                settings.cell_timeout_s, extra)
    workers = min(settings.jobs, len(jobs))
    skipped = [] if settings.notebooks else [p.name for p in others]
    data_dir = data_root or config.data_dir()
    return _Plan(jobs, workers, outputs, data_dir, skipped, {
        "years": chosen, "notebooks": notebooks, "langs": langs,
        "jobs": workers, "jobs_requested": settings.jobs,
        "timeout_s": settings.timeout_s, "cell_timeout_s": settings.cell_timeout_s,
        "with_code": settings.with_code, "extra": extra, "data_dir": str(data_dir),
        "outputs": str(outputs), "notebooks_dir": str(config.notebooks_dir()),
        "skipped": skipped})


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
    """Execute the templates for each year and language, export the pages, write the index.

    A failing notebook never stops the others; a page is replaced only by a good run. One run
    at a time per outputs folder: a second waits for the first (``wait_message`` says so).

    Args:
        settings: What to run (see ``RunSettings``).
        wait_message: Called with one line when the outputs folder is in use by another run.

    Raises:
        ParameterError: a setting is not allowed, or the outputs folder cannot be used.
        UnknownYearError: a year has no data.
    """
    skip_slow_optional_imports()
    planned = _resolve(settings)
    if settings.pdf:
        from luoshi_analysis.engine.pdf import check_browser  # playwright only when asked

        check_browser()  # fail before running anything
    outputs = planned.outputs
    with outputs_lock(outputs, wait_message):
        started = time.time()
        notebooks_dir = config.notebooks_dir()
        results = run_jobs(planned.jobs, planned.workers, settings.timeout_s,
                           progress=settings.progress,
                           expected=expected_durations(outputs / MANIFEST_FILE, notebooks_dir))
        remember_durations(notebooks_dir, [(r.notebook, r.lang, r.duration_s) for r in results
                                           if r.status is Status.OK])
        pdf_error = _print_pdfs(results) if settings.pdf else ""
        index = build_index(outputs, planned.data_dir)
        manifest = write_manifest(outputs, planned.manifest_settings, results, started)
    return RunReport(results, outputs, index, manifest, planned.skipped, pdf_error)
