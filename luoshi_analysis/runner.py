"""Batch runner: execute each notebook for each year under a hard time limit, export HTML."""

from __future__ import annotations

import argparse
import json
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

from luoshi_analysis import config
from luoshi_analysis.errors import ParameterError
from luoshi_analysis.labels import LANGS

# nbformat, nbconvert, jupyter_client and matplotlib are imported where used: `luoshi validate`
# and `luoshi tables` build this module's options and should not pay for them.

DEFAULT_TIMEOUT = 600
# Parameters the runner sets itself; users may add others a template declares.
RUNNER_PARAMETERS = ("year", "lang", "output_dir", "data_dir")
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
    cell_timeout: int

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


@dataclass
class Result:
    """What happened to one job."""

    year: int
    notebook: str
    lang: str
    status: str  # ok, failed, timeout
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


def _is_kernel_start_failure(exc: BaseException) -> bool:
    from papermill.exceptions import PapermillExecutionError

    return not isinstance(exc, PapermillExecutionError) and isinstance(
        exc, (RuntimeError, TimeoutError, OSError)
    )


def _execute_notebook(job: Job, output: Path, close_fds: tuple[int, ...]) -> None:
    """Run papermill on one job, in a forked, preloaded kernel where the platform allows."""
    import papermill

    from luoshi_analysis import kernels

    manager = kernels.fork_kernel(str(job.out_dir), close_fds) if kernels.can_fork() else None
    try:
        papermill.execute_notebook(
            str(job.template), str(output), parameters=job.parameters,
            kernel_name=kernels.KERNEL_NAME, progress_bar=False, log_output=False,
            execution_timeout=job.cell_timeout, cwd=str(job.out_dir),
            # one write at the end, not one per cell (a timed-out run leaves no notebook)
            request_save_on_cell_execute=False,
            # the project kernel is this process's environment, registered or not
            **({"km": manager} if manager else {"kernel_manager_class": kernels.ProjectKernelManager}),
        )
    finally:
        if manager is not None:
            manager.discard()  # the notebook is done: no polite shutdown round-trip


def execute(job: Job, close_fds: tuple[int, ...] = ()) -> dict:
    """Execute one job in this process: papermill, then HTML export; return a result dict."""
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from luoshi_analysis.atomic import write_text
    from luoshi_analysis.export import notebook_to_html
    from luoshi_analysis.notebook import report_title

    job.out_dir.mkdir(parents=True, exist_ok=True)
    partial_nb = job.out_dir / f".{job.stem}.partial.ipynb"
    attempts = 0
    while True:
        attempts += 1
        try:
            _execute_notebook(job, partial_nb, close_fds)
            break
        except PapermillExecutionError as exc:
            partial_nb.replace(job.executed)
            return {"status": "failed", "error": f"{exc.ename}: {exc.evalue}".strip(),
                    "attempts": attempts}
        except Exception as exc:  # noqa: BLE001 - a kernel that fails to start gets one retry
            if attempts == 1 and _is_kernel_start_failure(exc):
                continue
            if partial_nb.exists():
                partial_nb.replace(job.executed)
            return {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                    "attempts": attempts}
    partial_nb.replace(job.executed)
    nb = nbformat.read(job.executed, as_version=4)
    data_root = Path(job.parameters["data_dir"]) if job.parameters.get("data_dir") else None
    page = notebook_to_html(nb, job.lang,
                            report_title(job.year, job.notebook, job.lang, data_root),
                            job.with_code)
    write_text(job.html, page)
    return {"status": "ok", "attempts": attempts}


def _child(job: Job, conn) -> None:
    """Run a job in a child process that leads its own process group (so it can be killed)."""
    os.setsid()
    # kernel chatter goes to a log beside the outputs, not over the progress bar
    job.out_dir.mkdir(parents=True, exist_ok=True)
    log = os.open(job.out_dir / f".{job.stem}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    # the kernel is started as `python`: make it this environment's python
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    try:
        outcome = execute(job, (conn.fileno(),))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, never lost
        outcome = {"status": "failed", "error": f"{type(exc).__name__}: {exc}",
                   "traceback": traceback.format_exc()}
    conn.send(outcome)
    conn.close()


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_jobs(jobs: list[Job], workers: int, hard_timeout: float, progress: bool = True) -> list[Result]:
    """Run jobs in up to `workers` child processes; kill any that passes hard_timeout.

    A failing job never stops the others. Results come back in the order of jobs.
    """
    from luoshi_analysis import kernels
    from luoshi_analysis.export import warm_exporter

    # import the kernels' stack once (this also builds matplotlib's font cache before any
    # child starts: parallel builds can hang); every kernel is forked with it loaded
    if kernels.can_fork():
        kernels.preload()
        warm_exporter()
    else:
        import matplotlib.font_manager  # noqa: F401
    from tqdm import tqdm

    # children's temporary files (kernel sockets among them) live in one folder per run, removed
    # at the end even when a child was killed before it could clean up
    previous_tempdir, tempfile.tempdir = tempfile.tempdir, tempfile.mkdtemp(prefix="luoshi-run-")
    context = multiprocessing.get_context("fork")
    pending = list(enumerate(jobs))
    running: dict = {}  # connection -> (index, process, started)
    results: dict[int, Result] = {}
    bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress,
               file=sys.stderr, dynamic_ncols=True)
    try:
        while pending or running:
            while pending and len(running) < workers:
                index, job = pending.pop(0)
                parent_end, child_end = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(job, child_end), daemon=False)
                process.start()
                child_end.close()
                running[parent_end] = (index, process, time.monotonic())
            now = time.monotonic()
            nearest = min(started + hard_timeout for _, _, started in running.values())
            ready = wait(list(running), timeout=max(0.05, nearest - now))
            for conn in ready:
                index, process, started = running.pop(conn)
                try:
                    outcome = conn.recv()
                except EOFError:
                    outcome = {"status": "failed",
                               "error": f"worker exited with code {process.exitcode}"}
                process.join()
                _kill_group(process.pid)  # a kernel left behind dies with its group
                results[index] = _result(jobs[index], outcome, time.monotonic() - started)
                bar.update(1)
            now = time.monotonic()
            for conn, (index, process, started) in list(running.items()):
                if now - started >= hard_timeout:
                    _kill_group(process.pid)
                    process.join()
                    del running[conn]
                    job = jobs[index]
                    results[index] = _result(job, {
                        "status": "timeout",
                        "error": f"stopped after {hard_timeout:g} s (kernel killed)",
                    }, now - started)
                    bar.update(1)
    except KeyboardInterrupt:
        for _, process, _ in running.values():
            _kill_group(process.pid)
        raise
    finally:
        bar.close()
        shutil.rmtree(tempfile.tempdir, ignore_errors=True)
        tempfile.tempdir = previous_tempdir
    return [results[i] for i in range(len(jobs))]


def _result(job: Job, outcome: dict, duration: float) -> Result:
    ok = outcome["status"] == "ok"
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
    with_code: bool, cell_timeout: int, extra: dict,
) -> list[Job]:
    """Return the jobs to run, after checking notebooks and parameters against the templates."""
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
        declared = declared_parameters(templates[name])
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
    from luoshi_analysis.atomic import write_text

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
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks run at once (default: the number of cores)")
    parser.add_argument("--with-code", action="store_true", help="show code cells in the HTML")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"hard limit per notebook in seconds (default {DEFAULT_TIMEOUT})")
    parser.add_argument("--outputs", help="outputs folder (default: outputs/)")
    parser.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                        help="another parameter a template declares (checked before running)")
    parser.add_argument("--pdf", action="store_true", help="also print each page to A4 PDF")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run_from_args(args: argparse.Namespace) -> int:
    """Carry out `luoshi run`; 0 when every notebook succeeded, 1 otherwise."""
    from luoshi_analysis.export import build_index
    from luoshi_analysis.load import as_year, years
    from luoshi_analysis.notebook import TITLES

    data_root = Path(args.data_dir).resolve() if args.data_dir else None
    chosen = [as_year(y, data_root) for y in args.year] if args.year else years(data_root)
    if not chosen:
        raise ParameterError(f"no years with data in {data_root or config.data_dir()}")
    if args.jobs < 1:
        raise ParameterError(f"--jobs {args.jobs} must be 1 or more")
    if args.timeout <= 0:
        raise ParameterError(f"--timeout {args.timeout:g} must be more than 0 seconds")
    templates, others = notebooks_in_folder()
    notebooks = args.notebooks or list(templates)
    skipped = [] if args.notebooks else [p.name for p in others]
    langs = list(dict.fromkeys(args.lang or LANGS))
    outputs = Path(args.outputs).resolve() if args.outputs else config.outputs_dir()
    extra = parse_extra_parameters(args.parameter)
    if args.pdf:
        from luoshi_analysis.browser import chromium_path

        chromium_path()  # fail before running anything
    jobs = plan(chosen, notebooks, langs, outputs, data_root, args.with_code,
                int(args.timeout), extra)
    started = time.time()
    results = run_jobs(jobs, min(args.jobs, len(jobs)), args.timeout, progress=not args.quiet)
    if args.pdf:
        from luoshi_analysis.pdf import print_results_to_pdf

        for result, pdf in zip([r for r in results if r.status == "ok"],
                               print_results_to_pdf(results), strict=True):
            result.pdf = str(pdf)
    outputs.mkdir(parents=True, exist_ok=True)
    build_index(outputs, TITLES, data_root)
    settings = {"years": chosen, "notebooks": notebooks, "langs": langs, "jobs": args.jobs,
                "timeout_s": args.timeout, "with_code": args.with_code, "extra": extra,
                "data_dir": str(data_root or config.data_dir()), "outputs": str(outputs),
                "skipped": skipped}
    manifest = write_manifest(outputs, settings, results, started)
    print(summary_table(results))
    failed = [r for r in results if r.status != "ok"]
    print(f"\n{len(results) - len(failed)} of {len(results)} notebooks ok; "
          f"index: {outputs / 'index.html'}; manifest: {manifest}")
    if skipped:
        print(f"skipped {len(skipped)} notebook(s) not marked as report templates (scratch work): "
              f"{', '.join(skipped)}")
    for r in failed:
        where = f" — executed notebook kept at {r.executed}" if r.executed else ""
        print(f"FAILED {r.year} {r.notebook} [{r.lang}] ({r.status}): {r.error}{where}",
              file=sys.stderr)
    return 1 if failed else 0
