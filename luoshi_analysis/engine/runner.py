"""Batch runner: execute each notebook for each year under a hard time limit, export HTML."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import multiprocessing
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from importlib import metadata
from multiprocessing.connection import wait
from pathlib import Path
from typing import TYPE_CHECKING

from luoshi_analysis.core import config
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.reports.labels import LANGS

if TYPE_CHECKING:
    from luoshi_analysis.engine.page_exporter import PageRequest

# nbformat, nbconvert, jupyter_client and matplotlib are imported where used: `luoshi validate`
# and `luoshi tables` build this module's options and should not pay for them.

DEFAULT_TIMEOUT = 600
# Lock held by a run for its whole length (the system releases it when the run dies); it also
# marks the folder as an outputs folder, so a later run may write into it.
LOCK_FILE = ".luoshi-run.lock"
HANDLED_SIGNALS = ("SIGTERM", "SIGHUP")
# Parameters the runner sets itself; users may add others a template declares.
RUNNER_PARAMETERS = ("year", "lang", "output_dir", "data_dir", "figure_formats")
MANIFEST_FILE = "run-manifest.json"
# top-level notebook metadata {"luoshi": {"report_template": true}} marks what `luoshi run` runs
TEMPLATE_MARKER = "report_template"
VERSIONED_PACKAGES = ("luoshi-analysis", "pandas", "matplotlib", "papermill", "nbconvert",
                      "nbclient", "ipykernel")


@dataclass
class Job:
    """One notebook for one year in one language, and where its results go."""

    year: int
    notebook: str
    lang: str
    template: Path
    out_dir: Path
    parameters: dict
    with_code: bool
    cell_timeout: float | None  # None: no limit per cell, only the hard limit

    @property
    def stem(self) -> str:
        """Deterministic output name built from the parameters."""
        return f"{self.notebook}_{self.lang}"

    @property
    def executed(self) -> Path:
        """Path of the executed notebook (kept on failure, with its error)."""
        return self.out_dir / f"{self.stem}.ipynb"

    @property
    def html(self) -> Path:
        """Path of the exported page (replaced only by a good run)."""
        return self.out_dir / f"{self.stem}.html"

    @property
    def data_root(self) -> Path | None:
        """The data folder the notebook reads (None: the default one)."""
        return Path(self.parameters["data_dir"]) if self.parameters.get("data_dir") else None

    @property
    def stale_marker(self) -> Path:
        """Marker saying the page is from an earlier run: the last run of this job failed."""
        from luoshi_analysis.engine.export import stale_marker

        return stale_marker(self.out_dir, self.stem)


@dataclass
class Result:
    """What happened to one job."""

    year: int
    notebook: str
    lang: str
    status: str  # ok, failed, timeout (hard limit), cell timeout, kernel died
    duration_s: float
    html: str = ""
    executed: str = ""
    error: str = ""
    attempts: int = 1
    pdf: str = ""


def is_report_template(path: Path) -> bool:
    """Return True when a notebook's top-level metadata has ``"luoshi": {"report_template": true}``.

    Anything else (a scratch notebook, a file that is not notebook JSON) is not a template.
    """
    try:
        metadata = json.loads(path.read_text("utf-8")).get("metadata", {})
        return metadata.get("luoshi", {}).get(TEMPLATE_MARKER) is True
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return False


def notebooks_in_folder() -> tuple[dict[str, Path], list[Path]]:
    """Return the notebooks folder's report templates by name, and its other notebooks (skipped).

    Only the folder's top level is looked at: its scratch/ subfolder is never run.
    """
    templates, skipped = {}, []
    for path in sorted(config.notebooks_dir().glob("*.ipynb")):
        if is_report_template(path):
            templates[path.stem] = path
        else:
            skipped.append(path)
    return templates, skipped


def available_notebooks() -> dict[str, Path]:
    """Return the report templates by name (notebooks marked as such; scratch work is left out)."""
    return notebooks_in_folder()[0]


def declared_parameters(template: Path) -> dict:
    """Return the parameters a template declares in its `parameters` cell."""
    import papermill

    return papermill.inspect_notebook(str(template))


class KernelDied(Exception):
    """The kernel process ended while a notebook was running in it."""


def _is_kernel_start_failure(exc: BaseException) -> bool:
    from nbclient.exceptions import CellControlSignal, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, (PapermillExecutionError, CellControlSignal, DeadKernelError, KernelDied)):
        return False
    return isinstance(exc, (RuntimeError, TimeoutError, OSError))


_ENGINE = "luoshi"


def _register_engine() -> None:
    """Register papermill's nbclient engine, keeping the notebook as run so far on any failure.

    With one save at the end (not one per cell), papermill itself writes nothing when the kernel
    dies or a cell times out; this engine writes the cells finished until then.
    """
    import nbformat
    from papermill.engines import NBClientEngine, papermill_engines

    class KeepingEngine(NBClientEngine):
        keep_at: Path | None = None

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            except BaseException:
                if cls.keep_at is not None:
                    with contextlib.suppress(Exception):
                        nbformat.write(nb_man.nb, cls.keep_at)
                raise

    if _ENGINE not in papermill_engines._engines:
        papermill_engines.register(_ENGINE, KeepingEngine)


def _execute_notebook(job: Job, output: Path, close_fds: tuple[int, ...]) -> None:
    """Run papermill on one job, in a forked, preloaded kernel where the platform allows.

    Raises:
        KernelDied: the kernel ended mid-run (its exit signal or code in the message).
    """
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.engines import papermill_engines

    from luoshi_analysis.engine import kernels

    _register_engine()
    papermill_engines.get_engine(_ENGINE).keep_at = output
    manager = kernels.fork_kernel(str(job.out_dir), close_fds) if kernels.can_fork() else None
    try:
        papermill.execute_notebook(
            str(job.template), str(output), parameters=job.parameters,
            kernel_name=kernels.KERNEL_NAME, progress_bar=False, log_output=False,
            execution_timeout=job.cell_timeout, cwd=str(job.out_dir),
            # one write at the end, not one per cell (a timed-out run leaves no notebook)
            request_save_on_cell_execute=False, engine_name=_ENGINE,
            # the project kernel is this process's environment, registered or not
            **({"km": manager} if manager else {"kernel_manager_class": kernels.ProjectKernelManager}),
        )
    except DeadKernelError as exc:
        code = manager.returncode() if manager is not None else None
        raise KernelDied(kernels.exit_description(code) if code is not None else "") from exc
    finally:
        if manager is not None:
            manager.discard()  # the notebook is done: no polite shutdown round-trip


def _keep_executed(partial_nb: Path, job: Job) -> None:
    if partial_nb.exists():
        partial_nb.replace(job.executed)


def execute(job: Job, close_fds: tuple[int, ...] = (), runner_pid: int | None = None) -> dict:
    """Execute one job's notebook in this process; return a result dict ("executed" when done).

    The runner exports the page (``export_page``), so that nbconvert's work overlaps with the
    notebooks still running and no page can be written once the runner is gone.

    Args:
        job: The job.
        close_fds: Descriptors a forked kernel must not keep.
        runner_pid: The runner this worker serves; nothing is put in place once it is gone.
    """
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    job.out_dir.mkdir(parents=True, exist_ok=True)
    partial_nb = job.out_dir / f".{job.stem}.partial.ipynb"
    attempts = 0
    while True:
        attempts += 1
        try:
            _execute_notebook(job, partial_nb, close_fds)
            outcome = {"status": "executed"}
            break
        except PapermillExecutionError as exc:
            outcome = {"status": "failed", "error": f"{exc.ename}: {exc.evalue}".strip()}
            break
        except CellTimeoutError:
            outcome = {"status": "cell timeout",
                       "error": f"a cell ran longer than {job.cell_timeout:g} s (interrupted)"}
            break
        except KernelDied as exc:
            outcome = {"status": "kernel died",
                       "error": f"the kernel died ({exc})" if str(exc) else "the kernel died"}
            break
        except Exception as exc:  # noqa: BLE001 - a kernel that fails to start gets one retry
            if attempts == 1 and _is_kernel_start_failure(exc):
                continue
            outcome = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
            break
    if runner_pid is not None and os.getppid() != runner_pid:
        os._exit(1)  # the runner is gone: leave what is in place as it is
    _keep_executed(partial_nb, job)
    return {**outcome, "attempts": attempts}


def page_request(job: Job) -> PageRequest:
    """Return the request for a job's page (its title names the unit from the source record)."""
    from luoshi_analysis.engine.page_exporter import PageRequest
    from luoshi_analysis.reports.notebook import report_title

    return PageRequest(job.executed, job.html, job.lang,
                       report_title(job.year, job.notebook, job.lang, job.data_root),
                       job.with_code)


def _child(job: Job, conn, runner_pid: int) -> None:
    """Run a job in a child process that leads its own process group (so it can be killed)."""
    from luoshi_analysis.engine.kernels import die_with_parent

    os.setsid()
    die_with_parent(runner_pid)
    for name in ("SIGINT", *HANDLED_SIGNALS):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    # kernel chatter goes to a log beside the outputs, not over the progress bar
    job.out_dir.mkdir(parents=True, exist_ok=True)
    log = os.open(job.out_dir / f".{job.stem}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    # the kernel is started as `python`: make it this environment's python
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    try:
        outcome = execute(job, (conn.fileno(),), runner_pid)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, never lost
        outcome = {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                   "traceback": traceback.format_exc()}
    conn.send(outcome)
    conn.close()


class RunInterrupted(KeyboardInterrupt):
    """The run was stopped by a signal (SIGTERM, SIGHUP); handled like Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, _frame) -> None:
    raise RunInterrupted(signum)


@contextlib.contextmanager
def _signals_like_ctrl_c():
    """Turn SIGTERM and SIGHUP into RunInterrupted while the jobs run (main thread only)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {name: signal.signal(getattr(signal, name), _raise_interrupted)
                for name in HANDLED_SIGNALS}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_jobs(jobs: list[Job], workers: int, hard_timeout: float, progress: bool = True,
             expected: dict[tuple[str, str], float] | None = None) -> list[Result]:
    """Run jobs in up to `workers` child processes; kill any that passes hard_timeout.

    A failing job never stops the others. The jobs expected to take longest start first (so
    no core idles at the end); results come back in the order of jobs. SIGTERM and SIGHUP
    stop the run like Ctrl-C: every worker's process group is killed, then RunInterrupted.

    Args:
        jobs: The jobs.
        workers: How many run at once.
        hard_timeout: Seconds after which a job's worker and kernel are killed.
        progress: Show a progress bar.
        expected: Seconds per (notebook, lang) from an earlier run, to order the jobs.
    """
    from luoshi_analysis.engine import kernels
    from luoshi_analysis.engine.page_exporter import PageExporter

    # first, so that nbconvert loads on the other core while this process loads the kernels'
    exporter = PageExporter()
    try:
        # import the kernels' stack once (this also builds matplotlib's font cache before any
        # child starts: parallel builds can hang); every kernel is forked with it loaded
        if kernels.can_fork():
            kernels.preload()
        else:
            import matplotlib.font_manager  # noqa: F401
        import papermill  # noqa: F401 - once here, not in every worker
        from tqdm import tqdm

        _compile_notebook_schemas({job.template for job in jobs})

        # what is loaded now is never collected: a forked kernel's garbage collector then
        # leaves these objects alone instead of writing to (and so copying) their pages
        gc.freeze()
        bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress,
                   file=sys.stderr, dynamic_ncols=True)
        try:
            return _run_jobs(jobs, workers, hard_timeout, expected, exporter, bar)
        finally:
            bar.close()
    finally:
        exporter.close()


def _warm_library(job: Job) -> None:
    """Run the library's loaders and checks once on a job's year, in the process workers fork from.

    Their lazy imports and regular expressions are then loaded once here instead of in every
    kernel (0.05-0.1 s each). Nothing is kept but code: the library caches no data. Bad data
    is reported by the notebooks themselves, so any error here is ignored.
    """
    import luoshi_analysis as la

    root = job.data_root
    with contextlib.suppress(Exception):
        la.load_budget(job.year, root)
        la.load_indicators(job.year, root)
        la.check(job.year, root)
        la.statement_violations(job.year, root)
        la.statements_over_years(root)


def _compile_notebook_schemas(templates: set[Path]) -> None:
    """Validate the templates and a notebook with an output here, once, before any fork.

    nbformat compiles its JSON schemas on first use (about 0.08 s); done here, every worker
    inherits them instead of compiling its own.
    """
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    for template in sorted(templates):
        with contextlib.suppress(Exception):  # a broken template fails in its own job
            nbformat.read(template, as_version=4)
    nbformat.validate(new_notebook(cells=[new_code_cell(outputs=[new_output("stream", text="")])]))


def _run_jobs(jobs: list[Job], workers: int, hard_timeout: float,
              expected: dict[tuple[str, str], float] | None, exporter, bar) -> list[Result]:
    """The loop of ``run_jobs``: start workers, collect their notebooks, have pages exported."""
    from luoshi_analysis.engine import kernels
    from luoshi_analysis.engine.schedule import longest_first

    # children's temporary files (kernel sockets among them) live in one folder per run, removed
    # at the end even when a child was killed before it could clean up
    previous_tempdir, tempfile.tempdir = tempfile.tempdir, tempfile.mkdtemp(prefix="luoshi-run-")
    context = multiprocessing.get_context("fork")
    order = longest_first([(job.notebook, job.lang) for job in jobs], expected or {})
    pending = [(index, jobs[index]) for index in order]
    running: dict = {}  # connection -> (index, process, started)
    results: dict[int, Result] = {}
    runner_pid = os.getpid()

    def exported(answers) -> None:
        for (index, started, attempts), outcome in answers:
            if outcome["status"] == "ok":
                jobs[index].stale_marker.unlink(missing_ok=True)
            results[index] = _result(jobs[index], {**outcome, "attempts": attempts},
                                     time.monotonic() - started)
            bar.update(1)

    warm = not (jobs and kernels.can_fork())
    try:
        with _signals_like_ctrl_c():
            while pending or running or exporter.busy:
                _start_workers(pending, running, workers, context, runner_pid)
                if not warm:
                    # after the first (longest) jobs have started, not before: they wait less,
                    # and every later kernel is forked with the library warm
                    _warm_library(jobs[0])
                    gc.freeze()
                    warm = True
                now = time.monotonic()
                deadlines = [started + hard_timeout for _, _, started in running.values()]
                deadlines += exporter.deadlines(hard_timeout)
                ready = wait(list(running) + exporter.connections(),
                             timeout=max(0.05, min(deadlines) - now))
                for conn in ready:
                    if conn not in running:
                        continue  # the exporter's: read below
                    index, process, started = running.pop(conn)
                    try:
                        outcome = conn.recv()
                    except EOFError:
                        process.join()
                        outcome = {"status": "failed", "error": "the worker ended without a "
                                   f"result ({kernels.exit_description(process.exitcode)})"}
                    process.join()
                    _kill_group(process.pid)  # a kernel left behind dies with its group
                    if outcome["status"] == "executed":
                        exported(exporter.submit((index, started, outcome["attempts"]),
                                                 page_request(jobs[index])))
                        continue
                    results[index] = _result(jobs[index], outcome, time.monotonic() - started)
                    bar.update(1)
                exported(exporter.answers())
                now = time.monotonic()
                for conn, (index, process, started) in list(running.items()):
                    if now - started >= hard_timeout:
                        _kill_group(process.pid)
                        process.join()
                        del running[conn]
                        results[index] = _result(jobs[index], {
                            "status": "timeout",
                            "error": f"stopped after {hard_timeout:g} s (kernel killed)",
                        }, now - started)
                        bar.update(1)
                exported(exporter.expire(hard_timeout))
    except KeyboardInterrupt:
        for _, process, _ in running.values():
            _kill_group(process.pid)
        for _, process, _ in running.values():
            process.join()
        raise
    finally:
        shutil.rmtree(tempfile.tempdir, ignore_errors=True)
        tempfile.tempdir = previous_tempdir
    return [results[i] for i in range(len(jobs))]


def _start_workers(pending: list, running: dict, workers: int, context, runner_pid: int) -> None:
    """Start a worker process for the next pending jobs while fewer than `workers` run."""
    while pending and len(running) < workers:
        index, job = pending.pop(0)
        parent_end, child_end = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(job, child_end, runner_pid), daemon=False)
        process.start()
        child_end.close()
        running[parent_end] = (index, process, time.monotonic())


def _result(job: Job, outcome: dict, duration: float) -> Result:
    ok = outcome["status"] == "ok"
    if not ok and job.html.exists():
        # the page on disk is from an earlier run; the index says so until a run succeeds
        with contextlib.suppress(OSError):
            job.stale_marker.write_text(f"{outcome['status']}: {outcome.get('error', '')[:200]}\n",
                                        "utf-8")
    return Result(
        year=job.year, notebook=job.notebook, lang=job.lang, status=outcome["status"],
        duration_s=round(duration, 2),
        html=str(job.html) if ok else "",
        executed=str(job.executed) if job.executed.exists() else "",
        error=outcome.get("error", ""), attempts=outcome.get("attempts", 1),
    )


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def parse_extra_parameters(items: list[str]) -> dict:
    """Parse NAME=VALUE items; values are read as JSON where they parse, else as text."""
    extra = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ParameterError(f"parameter {item!r} must look like NAME=VALUE")
        if name in RUNNER_PARAMETERS:
            raise ParameterError(f"parameter {name!r} is set by the runner; use --{name.replace('_', '-')}")
        try:
            extra[name] = json.loads(value)
        except json.JSONDecodeError:
            extra[name] = value
    return extra


def plan(
    years: list[int], notebooks: list[str], langs: list[str], outputs: Path, data_root: Path | None,
    with_code: bool, cell_timeout: float | None, extra: dict,
) -> list[Job]:
    """Return the jobs to run, after checking notebooks and parameters against the templates.

    A year, notebook or language named twice runs once.
    """
    years, notebooks, langs = (list(dict.fromkeys(v)) for v in (years, notebooks, langs))
    templates, skipped = notebooks_in_folder()
    unknown = [n for n in notebooks if n not in templates]
    if unknown and unknown[0] in {p.stem for p in skipped}:
        raise ParameterError(
            f"notebook {unknown[0]!r} is not a report template (its metadata has no "
            f"luoshi.{TEMPLATE_MARKER} marker); templates: {', '.join(templates) or 'none'}")
    if unknown:
        raise ParameterError(
            f"unknown notebook {unknown[0]!r}; available: {', '.join(templates) or 'none'}")
    jobs = []
    for name in notebooks:
        declared = declared_parameters(templates[name]) if extra else {}
        not_declared = [p for p in extra if p not in declared]
        if not_declared:
            raise ParameterError(
                f"notebook {name!r} has no parameter {not_declared[0]!r}; "
                f"it declares: {', '.join(declared)}")
        for year in years:
            for lang in langs:
                out_dir = outputs / str(year)
                parameters = {"year": year, "lang": lang, "output_dir": str(out_dir / "figures"),
                              "data_dir": str(data_root) if data_root else "", **extra}
                jobs.append(Job(year, name, lang, templates[name], out_dir, parameters,
                                with_code, cell_timeout))
    return jobs


def write_manifest(outputs: Path, settings: dict, results: list[Result], started: float) -> Path:
    """Write the run manifest (parameters, versions, status and duration per notebook)."""
    from luoshi_analysis.core.atomic import write_text

    manifest = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "duration_s": round(time.time() - started, 2),
        "settings": settings,
        "versions": _versions(),
        "results": [asdict(r) for r in results],
    }
    path = outputs / MANIFEST_FILE
    write_text(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return path


def summary_table(results: list[Result]) -> str:
    """Return the end-of-run table: one line per notebook."""
    from tabulate import tabulate

    rows = [(r.year, r.notebook, r.lang, r.status, f"{r.duration_s:.1f}",
             r.html or r.executed) for r in results]
    return tabulate(rows, headers=["year", "notebook", "lang", "status", "seconds", "output"])


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of `luoshi run` to a parser."""
    parser.add_argument("--year", action="append", help="a year to run (repeatable; default: all)")
    parser.add_argument("--notebooks", nargs="+", metavar="NAME",
                        help="templates to run (default: every report template in notebooks/)")
    parser.add_argument("--lang", action="append", choices=LANGS,
                        help="language of the reports (repeatable; default: zh and en)")
    # numbers are read as text and checked by the runner: a bad value is one line, not a usage
    parser.add_argument("--jobs", default=str(os.cpu_count() or 1), metavar="N",
                        help="notebooks run at once (default: the number of cores)")
    parser.add_argument("--with-code", action="store_true", help="show code cells in the HTML")
    parser.add_argument("--figure-formats", default="png", metavar="png[,svg]",
                        help="figure files written beside the pages (default png: each chart is "
                             "drawn once; png,svg adds vector copies, a second draw)")
    parser.add_argument("--timeout", default=str(DEFAULT_TIMEOUT), metavar="SECONDS",
                        help=f"hard limit per notebook in seconds (default {DEFAULT_TIMEOUT}); "
                             "its worker and kernel are killed")
    parser.add_argument("--cell-timeout", metavar="SECONDS",
                        help="limit per cell in seconds; the cell is interrupted and the "
                             "notebook reported as a cell timeout (default: none, only the "
                             "hard limit)")
    parser.add_argument("--outputs", help="outputs folder (default: outputs/)")
    parser.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                        help="another parameter a template declares (checked before running)")
    parser.add_argument("--pdf", action="store_true", help="also print each page to A4 PDF")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _seconds(option: str, value: str) -> float:
    """Read a time limit: a finite number of seconds above 0."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise ParameterError(f"{option} {value}: give a number of seconds above 0, e.g. 600")
    return seconds


def _jobs(value: str) -> int:
    """Read --jobs: a whole number of 1 or more."""
    try:
        jobs = int(value)
    except (TypeError, ValueError):
        jobs = 0
    if jobs < 1:
        raise ParameterError(f"--jobs {value}: give a whole number of 1 or more, e.g. 2")
    return jobs


def _is_outputs_folder(folder: Path) -> bool:
    """An outputs folder is one a run wrote into: it holds the lock file or a run manifest."""
    return (folder / LOCK_FILE).is_file() or (folder / MANIFEST_FILE).is_file()


def check_outputs(outputs: Path, data_root: Path) -> None:
    """Refuse an outputs folder where pages would mix with other files or overwrite data.

    Raises:
        ParameterError: outputs is the root folder, the data folder or inside it, an existing
            file, or a folder that holds other things and is not an outputs folder.
    """
    hint = "choose a new or empty folder, or one an earlier `luoshi run` wrote"
    data_root = data_root.resolve()
    if outputs == Path(outputs.anchor):
        raise ParameterError(f"--outputs {outputs}: the root folder is not allowed; {hint}")
    if outputs == data_root or data_root in outputs.parents:
        raise ParameterError(f"--outputs {outputs}: is inside the data folder {data_root}; {hint}")
    if outputs.exists() and not outputs.is_dir():
        raise ParameterError(f"--outputs {outputs}: is an existing file, not a folder; {hint}")
    existing = next(p for p in (outputs, *outputs.parents) if p.exists())
    if existing != outputs and not existing.is_dir():
        raise ParameterError(f"--outputs {outputs}: cannot be created, {existing} is a file; {hint}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ParameterError(f"--outputs {outputs}: {existing} is read-only; {hint}")
    if outputs.is_dir() and not _is_outputs_folder(outputs):
        try:
            others = [p.name for p in outputs.iterdir() if p.name not in (".gitkeep", ".gitignore")]
        except OSError as exc:
            raise ParameterError(f"--outputs {outputs}: cannot be read ({exc.strerror})") from exc
        if others:
            raise ParameterError(f"--outputs {outputs}: holds other files (e.g. {sorted(others)[0]!r}) "
                                 f"and is not an outputs folder; {hint}")


@contextlib.contextmanager
def outputs_lock(outputs: Path, wait_message=None):
    """Hold the outputs folder's run lock; wait while another run holds it.

    The lock is an flock on a file in the folder, so the system releases it when a run ends in
    any way, SIGKILL included. The holder writes its pid and start time into the file, and a
    waiting run says whom it waits for.

    Args:
        outputs: The outputs folder (created if missing).
        wait_message: Called with a one-line description of the running holder before waiting.

    Raises:
        ParameterError: the folder cannot be created or written.
    """
    import fcntl

    path = outputs / LOCK_FILE
    try:
        outputs.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise ParameterError(f"--outputs {outputs}: cannot write there ({exc.strerror})") from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another run"
            if wait_message:
                wait_message(f"luoshi: {outputs} is in use by {holder}; waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"luoshi run pid {os.getpid()} started "
                     f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n")
        handle.flush()
        yield


def skip_slow_optional_imports() -> None:
    """Keep jsonschema from importing rfc3987_syntax, which compiles a grammar for 1.3 s.

    nbformat (and so papermill and nbconvert) imports jsonschema, which loads rfc3987_syntax
    when it is installed (JupyterLab's dependencies bring it) to check "iri" formats; notebook
    schemas have none. Blocking it before the first import makes `luoshi run` start 1.4 s sooner.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: its import raises ImportError


def run_from_args(args: argparse.Namespace) -> int:
    """Carry out `luoshi run`; 0 when every notebook succeeded, 1 otherwise."""
    skip_slow_optional_imports()
    from luoshi_analysis.core.load import as_year, years

    data_root = Path(args.data_dir).resolve() if args.data_dir else None
    jobs_wanted = _jobs(args.jobs)
    timeout = _seconds("--timeout", args.timeout)
    cell_timeout = (_seconds("--cell-timeout", args.cell_timeout)
                    if args.cell_timeout is not None else None)
    outputs = Path(args.outputs).expanduser().resolve() if args.outputs else config.outputs_dir()
    check_outputs(outputs, data_root or config.data_dir())
    chosen = [as_year(y, data_root) for y in args.year] if args.year else years(data_root)
    if not chosen:
        raise ParameterError(f"no years with data in {data_root or config.data_dir()}")
    chosen = list(dict.fromkeys(chosen))
    templates, others = notebooks_in_folder()
    notebooks = list(dict.fromkeys(args.notebooks or templates))
    skipped = [] if args.notebooks else [p.name for p in others]
    langs = list(dict.fromkeys(args.lang or LANGS))
    extra = parse_extra_parameters(args.parameter)
    if args.figure_formats != "png":  # only templates that declare it take the parameter
        from luoshi_analysis.reports.notebook import parse_figure_formats

        extra["figure_formats"] = ",".join(parse_figure_formats(args.figure_formats))
    if args.pdf:
        from luoshi_analysis.engine.pdf import check_browser

        check_browser()  # fail before running anything
    jobs = plan(chosen, notebooks, langs, outputs, data_root, args.with_code, cell_timeout, extra)
    with outputs_lock(outputs, lambda line: print(line, file=sys.stderr, flush=True)):
        return _run_locked(args, jobs, outputs, {
            "years": chosen, "notebooks": notebooks, "langs": langs,
            "jobs": min(jobs_wanted, len(jobs)), "jobs_requested": jobs_wanted,
            "timeout_s": timeout, "cell_timeout_s": cell_timeout, "with_code": args.with_code,
            "extra": extra, "data_dir": str(data_root or config.data_dir()),
            "outputs": str(outputs), "notebooks_dir": str(config.notebooks_dir()),
            "skipped": skipped})


def _run_locked(args: argparse.Namespace, jobs: list[Job], outputs: Path, settings: dict) -> int:
    """Run the planned jobs, then PDFs, index and manifest (the outputs lock is held)."""
    from luoshi_analysis.engine.export import build_index
    from luoshi_analysis.engine.schedule import expected_durations, remember_durations

    started = time.time()
    notebooks_dir = config.notebooks_dir()
    results = run_jobs(jobs, settings["jobs"], settings["timeout_s"], progress=not args.quiet,
                       expected=expected_durations(outputs / MANIFEST_FILE, notebooks_dir))
    remember_durations(notebooks_dir,
                       [(r.notebook, r.lang, r.duration_s) for r in results if r.status == "ok"])
    pdf_error = ""
    if args.pdf:
        from luoshi_analysis.engine.pdf import print_results_to_pdf

        try:
            for result, pdf in zip([r for r in results if r.status == "ok" and r.html],
                                   print_results_to_pdf(results), strict=True):
                result.pdf = str(pdf)
        except Exception as exc:  # noqa: BLE001 - the pages are made: index and manifest still
            pdf_error = f"PDF printing failed: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    build_index(outputs, Path(settings["data_dir"]))
    manifest = write_manifest(outputs, settings, results, started)
    print(summary_table(results))
    failed = [r for r in results if r.status != "ok"]
    print(f"\n{len(results) - len(failed)} of {len(results)} notebooks ok; "
          f"index: {outputs / 'index.html'}; manifest: {manifest}")
    skipped = settings["skipped"]
    if skipped:
        print(f"skipped {len(skipped)} notebook(s) not marked as report templates (scratch work): "
              f"{', '.join(skipped)}")
    for r in failed:
        where = f" — executed notebook kept at {r.executed}" if r.executed else ""
        print(f"FAILED {r.year} {r.notebook} [{r.lang}] ({r.status}): {r.error}{where}",
              file=sys.stderr)
    if pdf_error:
        print(f"luoshi: error: {pdf_error}", file=sys.stderr)
    return 1 if failed or pdf_error else 0
