"""A process beside each cluster worker that loads the run's stack once and forks a run per task.

A task's notebooks could be run by a fresh ``luoshi run`` each time, but that pays for Python,
pandas, matplotlib, papermill, nbconvert and the kernels' preload on every unit-year (about
1.3 s of a 6 s task on two cores). The warm runner pays once per worker: it imports and warms
everything the local executor warms, then serves tasks one at a time, each in a child forked
from it — the fork trick of the local executor, one level up. The child leads its own process
group (a task past its time limit is killed with its kernels) and dies with the runner; the
runner ends when its worker does (its request pipe closes), killing the task it was running.

Requests and answers are pickled frames on the runner's stdin and stdout; only this module
writes or reads them, and both ends are the same installed package.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from luoshi_analysis.engine.jobs import Job, Result

RESULTS_FILE = "results.pickle"  # in the task's folder: what the child's run returned
LOG_FILE = "run.log"  # in the task's folder: the child's stray output, never the protocol's
_HEADER = struct.Struct("!I")
POLL_S = 0.5  # how often a runner waiting on a child checks that its worker is still there


@dataclass(frozen=True)
class Request:
    """One task for the runner: its jobs (paths in ``folder``) and their hard limit."""

    folder: Path  # the task's folder: data, templates, outputs; the child works in it
    jobs: list[Job]
    timeout_s: float


class RunnerGone(RuntimeError):
    """The warm runner ended (or its pipe broke) before it answered."""


def _send(stream: BinaryIO, message: object) -> None:
    data = pickle.dumps(message)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: BinaryIO) -> object:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    return pickle.loads(stream.read(size))  # noqa: S301 - our own frames, from our own child


# ---------------------------------------------------------------- in the runner process


def _warm() -> None:
    """Load and warm what every run loads: kernels' stack, papermill, schemas, nbconvert."""
    from luoshi_analysis.engine.preload import skip_slow_optional_imports

    skip_slow_optional_imports()
    from luoshi_analysis.engine import kernels
    from luoshi_analysis.engine.export import warm_exporter
    from luoshi_analysis.engine.preload import compile_notebook_schemas
    from luoshi_analysis.engine.supervisor import run_jobs  # noqa: F401 - imported to be inherited

    if kernels.can_fork():
        kernels.preload()
    import papermill  # noqa: F401

    compile_notebook_schemas(set())
    warm_exporter()


def _child(request: Request, runner_pid: int, protocol_fds: tuple[int, ...]) -> None:
    """In a forked child: run the task's jobs, write their results to its folder, exit."""
    from luoshi_analysis.engine import kernels
    from luoshi_analysis.engine.supervisor import run_jobs

    code = 1
    try:
        os.setsid()  # its own group: killed with its workers and kernels at the time limit
        kernels.die_with_parent(runner_pid)
        for fd in protocol_fds:
            os.close(fd)
        log = os.open(request.folder / LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.chdir(request.folder)
        results = run_jobs(request.jobs, 1, request.timeout_s, progress=False)
        (request.folder / RESULTS_FILE).write_bytes(pickle.dumps(results))
        code = 0
    except BaseException:  # noqa: BLE001 - the task reads the log; this process only exits
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def _wait_child(pid: int, requests: BinaryIO) -> int | None:
    """Wait for a child; return its wait status, or None when the worker went away meanwhile."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        readable, _, _ = select.select([requests], [], [], POLL_S)
        if readable and not requests.peek(1):  # type: ignore[attr-defined]  # EOF: worker gone
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None


def serve() -> None:
    """The runner's loop: warm up, then answer each request with the child's pid and status."""
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # a stray print goes to the worker's log, never into the answers
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the client's Ctrl-C cancels tasks instead
    _warm()
    _send(answers, ("ready", os.getpid()))
    library_warm = False
    while True:
        try:
            request = _receive(requests)
        except EOFError:
            return
        assert isinstance(request, Request)
        if not library_warm and request.jobs:  # the loaders' lazy imports, once per worker
            from luoshi_analysis.engine.preload import warm_library

            warm_library(request.jobs[0].year, request.jobs[0].data_root)
            library_warm = True
        pid = os.fork()
        if pid == 0:
            _child(request, os.getppid(), (requests.fileno(), answers.fileno()))
        _send(answers, ("started", pid))
        status = _wait_child(pid, requests)
        if status is None:
            return
        _send(answers, ("ended", os.waitstatus_to_exitcode(status)))


# ---------------------------------------------------------------- in the worker process


class WarmRunner:
    """A warm runner process, seen from the worker that started it."""

    def __init__(self, start_timeout_s: float = 120.0):
        self.process = subprocess.Popen(
            # -c, not -m: the runner's classes are then this module's, as pickled by the worker
            [sys.executable, "-c", "from luoshi_analysis.engine.warm_runner import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
        assert self.process.stdin is not None and self.process.stdout is not None
        self._requests, self._answers = self.process.stdin, self.process.stdout
        self._expect("ready", start_timeout_s)

    def _expect(self, kind: str, timeout_s: float) -> int:
        """Read the runner's next answer, of the kind expected, within the time given."""
        readable, _, _ = select.select([self._answers], [], [], max(0.0, timeout_s))
        if not readable:
            raise TimeoutError(kind)
        try:
            answer = _receive(self._answers)  # type: ignore[arg-type]
        except (EOFError, pickle.UnpicklingError, struct.error):
            raise RunnerGone(f"the warm runner ended ({self.process.poll()})") from None
        if not (isinstance(answer, tuple) and answer[0] == kind):
            raise RunnerGone(f"the warm runner answered {answer!r}, not {kind!r}")
        return int(answer[1])

    def run(self, request: Request, limit_s: float) -> list[Result]:
        """Run a task's jobs in a fresh child; return their results.

        Raises:
            TimeoutError: the task passed ``limit_s`` (its child and kernels were killed).
            RunnerGone: the runner ended meanwhile; the runner is unusable.
            RuntimeError: the child's run ended without results (the last line of its log).
        """
        try:
            _send(self._requests, request)  # type: ignore[arg-type]
        except (BrokenPipeError, OSError):
            raise RunnerGone("the warm runner is gone") from None
        pid = self._expect("started", 30.0)
        deadline = time.monotonic() + limit_s
        try:
            code = self._expect("ended", deadline - time.monotonic())
        except TimeoutError:  # the child's group: its run, workers and kernels
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            self._expect("ended", 30.0)
            raise TimeoutError(f"the task passed {limit_s:g} s and was killed") from None
        results = request.folder / RESULTS_FILE
        if code != 0 or not results.is_file():
            log = (request.folder / LOG_FILE)
            lines = log.read_text("utf-8", "replace").strip().splitlines() if log.is_file() else []
            raise RuntimeError(f"the run ended without results ({code}): "
                               f"{(lines or ['no message'])[-1][:200]}")
        found = pickle.loads(results.read_bytes())  # noqa: S301 - written by our own child
        return list(found)

    def alive(self) -> bool:
        """Whether the runner process is still running."""
        return self.process.poll() is None

    def stop(self) -> None:
        """End the runner (its pipe closes; it exits) and reap it."""
        with contextlib.suppress(OSError):
            self._requests.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


_IDLE: list[WarmRunner] = []
_STARTING: list[Future[WarmRunner]] = []  # runners being started ahead of the first task
_LOCK = threading.Lock()


def start_ahead() -> None:
    """Start a warm runner on this worker in the background, so the first task finds it ready.

    Called on every worker as a run opens its cluster (``Client.run``); returns at once. A
    worker that already has an idle runner (an earlier run's) starts none.
    """
    with _LOCK:
        if any(runner.alive() for runner in _IDLE) or _STARTING:
            return
        starting: Future[WarmRunner] = Future()
        _STARTING.append(starting)

    def start() -> None:
        try:
            starting.set_result(WarmRunner())
        except BaseException as exc:  # noqa: BLE001 - the task that takes it raises it
            starting.set_exception(exc)

    threading.Thread(target=start, name="luoshi-warm-runner-start", daemon=True).start()


def _take() -> WarmRunner:
    """Take an idle runner, or the one being started, or start one (each thread its own)."""
    with _LOCK:
        while _IDLE and not _IDLE[-1].alive():
            _IDLE.pop()
        if _IDLE:
            return _IDLE.pop()
        starting = _STARTING.pop() if _STARTING else None
    return starting.result() if starting is not None else WarmRunner()


def run_warm(request: Request, limit_s: float) -> list[Result]:
    """Run a task on one of this worker's warm runners (kept for the worker's next tasks)."""
    runner = _take()
    usable = True
    try:
        return runner.run(request, limit_s)
    except RunnerGone:
        usable = False
        raise
    finally:
        if usable and runner.alive():
            with _LOCK:
                _IDLE.append(runner)
        else:
            runner.stop()
