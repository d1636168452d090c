"""Run jobs in worker processes on this machine: start them, time them, collect them, kill them.

Up to N workers run at once, the jobs expected to take longest first; a worker past the hard
limit is killed with its kernel; finished notebooks go to the page exporter. SIGTERM and SIGHUP
stop the run like Ctrl-C: every worker's process group is killed, then ``RunInterrupted``.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Protocol

from luoshi_analysis.engine import kernels
from luoshi_analysis.engine.jobs import Job, Result, Status
from luoshi_analysis.engine.page_exporter import (
    PageAnswer,
    PageExporter,
    PageKey,
    PageRequest,
    RunnerEnd,
)
from luoshi_analysis.engine.preload import compile_notebook_schemas, warm_library
from luoshi_analysis.engine.schedule import longest_first
from luoshi_analysis.engine.worker import HANDLED_SIGNALS, Outcome, child
from luoshi_analysis.reports.notebook import collection_title, report_title


class RunInterrupted(KeyboardInterrupt):
    """The run was stopped by a signal (SIGTERM, SIGHUP); handled like Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, _frame: object) -> None:
    raise RunInterrupted(signum)


@contextlib.contextmanager
def signals_like_ctrl_c() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into RunInterrupted while the jobs run (main thread only)."""
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


# A kernel's sockets are files (ipc://<dir>/k-N); their paths must fit a socket's 107 bytes.
SOCKET_DIR_BYTES = 60


def run_temp_dir() -> str:
    """Make the run's folder of temporary files, kernel sockets among them.

    It is made in the temporary folder ($TMPDIR), or in /tmp where that folder's path is too
    long for a socket's (a worker of a cluster often has a deep one).
    """
    base = tempfile.gettempdir()
    if len(base.encode()) > SOCKET_DIR_BYTES and os.access("/tmp", os.W_OK):
        base = "/tmp"
    return tempfile.mkdtemp(prefix="luoshi-run-", dir=base)


def kill_group(pid: int) -> None:
    """Kill a worker's process group (the worker and the kernel it forked)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def page_request(job: Job) -> PageRequest:
    """Return the request for a job's page (its title names the unit from the source record)."""
    title = (report_title(job.year, job.notebook, job.lang, job.data_root) if job.unit
             else collection_title(job.year, job.notebook, job.lang))
    figures = job.parameters.get("output_dir")
    return PageRequest(job.executed, job.html, job.lang, title, job.with_code,
                       Path(str(figures)) if figures else None)


def result_of(job: Job, status: Status, error: str, attempts: int, duration: float) -> Result:
    """Return a job's Result; a failed job marks its earlier page stale (the index says so)."""
    ok = status is Status.OK
    if ok:
        job.stale_marker.unlink(missing_ok=True)
    elif job.html.exists():
        with contextlib.suppress(OSError):
            job.stale_marker.write_text(f"{status}: {error[:200]}\n", "utf-8")
    return Result(
        year=job.year, notebook=job.notebook, lang=job.lang, status=status,
        duration_s=round(duration, 2), html=str(job.html) if ok else "",
        executed=str(job.executed) if job.executed.exists() else "",
        error=error, attempts=attempts, unit=job.unit,
    )


@dataclass
class _Running:
    """A worker at work: its job's index, its process, when it started."""

    index: int
    process: BaseProcess
    started: float


class Progress(Protocol):
    """A progress bar: told each time a job is done."""

    def update(self, n: float | None = 1) -> bool | None:
        """Count n more jobs done."""


class Supervisor:
    """The loop of one run: workers in, outcomes out, pages exported, time limits kept."""

    def __init__(self, jobs: list[Job], workers: int, hard_timeout: float,
                 expected: dict[tuple[str, str], float], exporter: PageExporter, bar: Progress):
        self.jobs, self.workers, self.hard_timeout = jobs, workers, hard_timeout
        self.exporter, self.bar = exporter, bar
        order = longest_first([(job.notebook, job.lang) for job in jobs], expected)
        self.pending = [(index, jobs[index]) for index in order]
        self.running: dict[Connection[None, Outcome], _Running] = {}
        self.results: dict[int, Result] = {}
        self.context: ForkContext = multiprocessing.get_context("fork")
        self.runner_pid = os.getpid()

    def finish(self, index: int, status: Status, error: str, attempts: int,
               started: float) -> None:
        """Record a job's result and move the progress bar."""
        self.results[index] = result_of(self.jobs[index], status, error, attempts,
                                        time.monotonic() - started)
        self.bar.update(1)

    def exported(self, answers: list[tuple[PageKey, PageAnswer]]) -> None:
        """Record the jobs whose pages the exporter has written (or failed to write)."""
        for (index, started, attempts), answer in answers:
            self.finish(index, Status.OK if answer.ok else Status.FAILED, answer.error, attempts,
                        started)

    def start_workers(self) -> None:
        """Start a worker process for the next pending jobs while fewer than `workers` run."""
        while self.pending and len(self.running) < self.workers:
            index, job = self.pending.pop(0)
            ends: tuple[Connection[None, Outcome], Connection[Outcome, None]] = (
                self.context.Pipe(duplex=False))
            parent_end, child_end = ends
            process = self.context.Process(target=child, args=(job, child_end, self.runner_pid),
                                           daemon=False)
            process.start()
            child_end.close()
            self.running[parent_end] = _Running(index, process, time.monotonic())

    def collect(self, conn: Connection[None, Outcome]) -> None:
        """Take a finished worker's outcome: export its page, or record why it failed."""
        worker = self.running.pop(conn)
        try:
            outcome = conn.recv()
        except EOFError:
            worker.process.join()
            outcome = Outcome(Status.FAILED, "the worker ended without a result "
                                             f"({kernels.exit_description(worker.process.exitcode)})")
        worker.process.join()
        kill_group(worker.process.pid or 0)  # a kernel left behind dies with its group
        if outcome.executed:
            self.exported(self.exporter.submit((worker.index, worker.started, outcome.attempts),
                                               page_request(self.jobs[worker.index])))
        else:
            self.finish(worker.index, outcome.status, outcome.error, outcome.attempts,
                        worker.started)

    def expire(self) -> None:
        """Kill the workers past the hard limit, with their kernels."""
        now = time.monotonic()
        for conn, worker in list(self.running.items()):
            if now - worker.started >= self.hard_timeout:
                kill_group(worker.process.pid or 0)
                worker.process.join()
                del self.running[conn]
                self.finish(worker.index, Status.TIMEOUT,
                            f"stopped after {self.hard_timeout:g} s (kernel killed)", 1,
                            worker.started)
        self.exported(self.exporter.expire(self.hard_timeout))

    def wait_for_news(self) -> None:
        """Wait until a worker or the exporter has something, or the next time limit."""
        deadlines = [w.started + self.hard_timeout for w in self.running.values()]
        deadlines += self.exporter.deadlines(self.hard_timeout)
        timeout = max(0.05, min(deadlines) - time.monotonic()) if deadlines else 0.05
        waitables: list[Connection[None, Outcome] | RunnerEnd] = [*self.running,
                                                                  *self.exporter.connections()]
        for conn in wait(waitables, timeout=timeout):
            worker_end = next((c for c in self.running if c is conn), None)
            if worker_end is not None:  # else the exporter's: its answers are read below
                self.collect(worker_end)
        self.exported(self.exporter.answers())

    def kill_all(self) -> None:
        """Kill every running worker and its kernel, and reap them."""
        for worker in self.running.values():
            kill_group(worker.process.pid or 0)
        for worker in self.running.values():
            worker.process.join()

    def run(self) -> list[Result]:
        """Run every job; return the results in the order of the jobs."""
        warm = not (self.jobs and kernels.can_fork())
        try:
            with signals_like_ctrl_c():
                while self.pending or self.running or self.exporter.busy:
                    self.start_workers()
                    if not warm:
                        # after the first (longest) jobs have started, not before: they wait
                        # less, and every later kernel is forked with the library warm
                        warm_library(self.jobs[0].year, self.jobs[0].data_root)
                        gc.freeze()
                        warm = True
                    self.wait_for_news()
                    self.expire()
        except KeyboardInterrupt:
            self.kill_all()
            raise
        return [self.results[i] for i in range(len(self.jobs))]


def run_jobs(jobs: list[Job], workers: int, hard_timeout: float, progress: bool = True,
             expected: dict[tuple[str, str], float] | None = None) -> list[Result]:
    """Run jobs in up to `workers` child processes; kill any that passes hard_timeout.

    A failing job never stops the others. The jobs expected to take longest start first (so
    no core idles at the end); results come back in the order of jobs.

    Args:
        jobs: The jobs.
        workers: How many run at once.
        hard_timeout: Seconds after which a job's worker and kernel are killed.
        progress: Show a progress bar.
        expected: Seconds per (notebook, lang) from an earlier run, to order the jobs.
    """
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

        compile_notebook_schemas({job.template for job in jobs})
        # what is loaded now is never collected: a forked kernel's garbage collector then
        # leaves these objects alone instead of writing to (and so copying) their pages
        gc.freeze()
        bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress,
                   file=sys.stderr, dynamic_ncols=True)
        # children's temporary files (kernel sockets among them) live in one folder per run,
        # removed at the end even when a child was killed before it could clean up
        previous, tempfile.tempdir = tempfile.tempdir, run_temp_dir()
        try:
            return Supervisor(jobs, workers, hard_timeout, expected or {}, exporter, bar).run()
        finally:
            shutil.rmtree(tempfile.tempdir, ignore_errors=True)
            tempfile.tempdir = previous
            bar.close()
    finally:
        exporter.close()
