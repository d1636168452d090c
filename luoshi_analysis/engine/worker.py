"""One job in its own process: run the notebook under papermill in a forked kernel, report back.

The worker leads its own process group (the runner's hard limit kills it and its kernel
together), dies with the runner, writes the kernel's chatter to a hidden log beside the
outputs, and sends the runner one ``Outcome``. It never writes the page: the runner has it
exported, so no page is put in place once the runner is gone.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from luoshi_analysis.engine import kernels, papermill_engine
from luoshi_analysis.engine.jobs import Job, Status

HANDLED_SIGNALS = ("SIGTERM", "SIGHUP")


@dataclass
class Outcome:
    """What a worker reports: the notebook ran (its page is still to be made), or why not."""

    status: Status
    error: str = ""
    attempts: int = 1
    executed: bool = False  # every cell ran: the runner exports the page
    traceback: str = ""


class KernelDied(Exception):
    """The kernel process ended while a notebook was running in it."""


def _is_kernel_start_failure(exc: BaseException) -> bool:
    from nbclient.exceptions import CellControlSignal, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, (PapermillExecutionError, CellControlSignal, DeadKernelError, KernelDied)):
        return False
    return isinstance(exc, (RuntimeError, TimeoutError, OSError))


def _execute_notebook(job: Job, output: Path, close_fds: tuple[int, ...]) -> None:
    """Run papermill on one job, in a forked, preloaded kernel where the platform allows.

    Raises:
        KernelDied: the kernel ended mid-run (its exit signal or code in the message).
    """
    from nbclient.exceptions import DeadKernelError

    manager = kernels.fork_kernel(str(job.out_dir), close_fds) if kernels.can_fork() else None
    try:
        papermill_engine.execute(job.template, output, job.parameters, job.out_dir,
                                 job.cell_timeout, manager)
    except DeadKernelError as exc:
        code = manager.returncode() if manager is not None else None
        raise KernelDied(kernels.exit_description(code) if code is not None else "") from exc
    finally:
        if manager is not None:
            manager.discard()  # the notebook is done: no polite shutdown round-trip


def _attempt(job: Job, output: Path, close_fds: tuple[int, ...],
             may_retry: bool) -> Outcome | None:
    """Run the notebook once; None when the kernel failed to start and may_retry."""
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    try:
        _execute_notebook(job, output, close_fds)
        return Outcome(Status.OK, executed=True)
    except PapermillExecutionError as exc:
        return Outcome(Status.FAILED, f"{exc.ename}: {exc.evalue}".strip())
    except CellTimeoutError:
        return Outcome(Status.CELL_TIMEOUT,
                       f"a cell ran longer than {job.cell_timeout:g} s (interrupted)")
    except KernelDied as exc:
        return Outcome(Status.KERNEL_DIED,
                       f"the kernel died ({exc})" if str(exc) else "the kernel died")
    except Exception as exc:  # noqa: BLE001 - a kernel that fails to start gets one retry
        if may_retry and _is_kernel_start_failure(exc):
            return None
        return Outcome(Status.FAILED, f"{type(exc).__name__}: {exc}")


def execute(job: Job, close_fds: tuple[int, ...] = (), runner_pid: int | None = None) -> Outcome:
    """Execute one job's notebook in this process and keep the executed notebook.

    Args:
        job: The job.
        close_fds: Descriptors a forked kernel must not keep.
        runner_pid: The runner this worker serves; nothing is put in place once it is gone.
    """
    job.out_dir.mkdir(parents=True, exist_ok=True)
    partial = job.out_dir / f".{job.stem}.partial.ipynb"
    outcome = _attempt(job, partial, close_fds, may_retry=True)
    if outcome is None:  # the kernel did not start: once more
        outcome = _attempt(job, partial, close_fds, may_retry=False)
        assert outcome is not None  # without a retry every attempt has an outcome
        outcome.attempts = 2
    if runner_pid is not None and os.getppid() != runner_pid:
        os._exit(1)  # the runner is gone: leave what is in place as it is
    if partial.exists():
        partial.replace(job.executed)
    return outcome


def child(job: Job, conn: Connection[Outcome, None], runner_pid: int) -> None:
    """Run a job in a child process that leads its own process group (so it can be killed)."""
    os.setsid()
    kernels.die_with_parent(runner_pid)
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
        outcome = Outcome(Status.FAILED, f"{type(exc).__name__}: {exc}",
                          traceback=traceback.format_exc())
    conn.send(outcome)
    conn.close()
