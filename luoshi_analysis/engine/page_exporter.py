"""A process beside the runner that turns executed notebooks into pages while others still run.

It is forked before the runner loads the kernels' stack, so nbconvert is imported and its
templates compiled on a core that would otherwise wait; during the run the runner then only
starts workers and collects results. It dies with the runner and puts no page in place once
the runner is gone.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeAlias

# The runner's name for a page it asked for: (job index, when the job started, attempts).
PageKey = tuple[int, float, int]


@dataclass(frozen=True)
class PageAnswer:
    """The exporter's answer for one page: written, or why not."""

    ok: bool
    error: str = ""


@dataclass(frozen=True)
class PageRequest:
    """One page to write from one executed notebook."""

    executed: Path
    page: Path
    lang: str
    title: str
    with_code: bool
    figures: Path | None = None  # the folder the notebook's charts were written to


def export(request: PageRequest, runner_pid: int | None = None) -> PageAnswer:
    """Write one page; return whether it was written, and if not why.

    Args:
        request: What to export.
        runner_pid: When given, nothing is written once that process is no longer the parent.
    """
    from luoshi_analysis.engine.export import FigureFileMissing, export_page_file

    if runner_pid is not None and os.getppid() != runner_pid:
        os._exit(1)
    try:
        export_page_file(request.executed, request.page, request.lang, request.title,
                         request.with_code, request.figures)
    except FigureFileMissing as exc:
        return PageAnswer(False, str(exc))
    except Exception as exc:  # noqa: BLE001 - one page that fails to export fails its job only
        return PageAnswer(False, f"HTML export: {type(exc).__name__}: {exc}")
    return PageAnswer(True)


# The two ends of the pipe: the runner sends requests and reads answers; the exporter the reverse.
RunnerEnd: TypeAlias = "Connection[PageRequest, PageAnswer]"
ExporterEnd: TypeAlias = "Connection[PageAnswer, PageRequest]"


def _serve(conn: ExporterEnd, runner_end: RunnerEnd, runner_pid: int) -> None:
    """In the exporter process: warm nbconvert up, then answer requests in order until EOF."""
    from luoshi_analysis.engine.export import warm_exporter
    from luoshi_analysis.engine.kernels import die_with_parent

    # the runner's objects are never collected here: the collector neither walks nor copies them
    gc.freeze()
    runner_end.close()  # else the runner closing its end would never reach this process as EOF
    die_with_parent(runner_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner decides what Ctrl-C stops
    try:
        warm_exporter()
    except Exception:  # noqa: BLE001 - the runner exports in its own process, and says why there
        return
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        conn.send(export(request, runner_pid))


class PageExporter:
    """The runner's handle on the exporter process: submit requests, collect answers in order.

    If the process is gone (killed, crashed), the pages still waiting are exported in the
    runner's own process, and so is every later one.
    """

    def __init__(self) -> None:
        """Fork the exporter process (it starts warming nbconvert up at once)."""
        context = multiprocessing.get_context("fork")
        ends: tuple[RunnerEnd, ExporterEnd] = context.Pipe(duplex=True)
        connection, child_end = ends
        self.connection: RunnerEnd | None = connection
        self.process = context.Process(target=_serve, args=(child_end, connection, os.getpid()),
                                       daemon=True)
        self.process.start()
        child_end.close()
        self.waiting: deque[tuple[PageKey, PageRequest, float]] = deque()  # in the order sent

    @property
    def busy(self) -> bool:
        """True while a page has been asked for and not answered."""
        return bool(self.waiting)

    def connections(self) -> list[RunnerEnd]:
        """The connection to wait on while answers are due (none otherwise)."""
        return [self.connection] if self.waiting and self.connection is not None else []

    def submit(self, key: PageKey, request: PageRequest) -> list[tuple[PageKey, PageAnswer]]:
        """Ask for a page; return answers known at once (only when the process is gone)."""
        self.waiting.append((key, request, time.monotonic()))
        if self.connection is None:
            return self._export_here()
        try:
            self.connection.send(request)
        except OSError:
            return self._export_here()
        return []

    def answers(self) -> list[tuple[PageKey, PageAnswer]]:
        """Return the (key, answer) pairs ready now, in the order asked."""
        done: list[tuple[PageKey, PageAnswer]] = []
        try:
            while self.waiting and self.connection is not None and self.connection.poll():
                outcome = self.connection.recv()
                key, _, _ = self.waiting.popleft()
                done.append((key, outcome))
        except (EOFError, OSError):
            done += self._export_here()
        return done

    def _export_here(self) -> list[tuple[PageKey, PageAnswer]]:
        """The exporter process is gone: export what it still owed in this process."""
        self._stop(grace=0)
        done: list[tuple[PageKey, PageAnswer]] = []
        while self.waiting:
            key, request, _ = self.waiting.popleft()
            done.append((key, export(request)))
        return done

    def deadlines(self, limit: float) -> list[float]:
        """When the oldest unanswered page passes the time limit (empty when none waits)."""
        return [self.waiting[0][2] + limit] if self.waiting else []

    def expire(self, limit: float) -> list[tuple[PageKey, PageAnswer]]:
        """Give up on a process that has not answered within limit seconds: fail what it owes.

        The process is killed; later pages are exported in the runner's own process.
        """
        if not self.waiting or time.monotonic() - self.waiting[0][2] < limit:
            return []
        self._stop(grace=0)
        failed = [(key, PageAnswer(False, f"HTML export: no page after {limit:g} s"))
                  for key, _, _ in self.waiting]
        self.waiting.clear()
        return failed

    def close(self) -> None:
        """Stop the exporter process (it ends on EOF; killed if it does not within a second)."""
        self._stop(grace=1)

    def _stop(self, grace: float) -> None:
        """Close the connection (EOF to the process), then kill it after grace seconds."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if grace:
            self.process.join(timeout=grace)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
