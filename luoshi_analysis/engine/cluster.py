"""Run a planned collection on a Dask cluster: one task per unit-year, pages written here.

``--scheduler tcp://HOST:PORT`` (or ``tls://…``) sends the tasks to a running scheduler;
``--scheduler local`` or ``local:N`` starts a LocalCluster of N worker processes for the run.
Each task carries its unit's data files and the templates as bytes (``cluster_task``); what
comes back — pages, executed notebooks, figures — is written here, to a temporary name and
renamed, under the outputs folder's lock, exactly as the local executor writes. A worker that
dies has its tasks run again elsewhere (Dask's retries, bounded); Ctrl-C cancels what is left.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from luoshi_analysis.core.atomic import write_bytes
from luoshi_analysis.core.collection import Unit
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.engine.cluster_task import (
    ClusterTask,
    PortableJob,
    TaskOutput,
    run_task,
    worker_version,
)
from luoshi_analysis.engine.jobs import Job, Result, RunSettings, Status
from luoshi_analysis.engine.schedule import UNKNOWN_FIRST
from luoshi_analysis.engine.supervisor import result_of

if TYPE_CHECKING:
    from distributed import Client

LOCAL = re.compile(r"^local(?::(?P<workers>[1-9]\d{0,2}))?$")
REMOTE = re.compile(r"^(?:tcp|tls|ucx|ws|wss)://[^\s/]+:\d{1,5}$")
CONNECT_TIMEOUT_S = 10
RETRIES = 2  # a task whose worker died or that failed is run again at most this often
# Dask's background work, cut for a batch run: the statistical profiler samples each worker's
# threads every 10 ms, the event-loop watchdog ticks every 20 ms and the system monitor polls
# every 0.5 s — 0.16 of a core for an idle LocalCluster of two workers here, 0.03 with these
# (profiles and the dashboard's live charts are what a batch run gives up). Set in the client
# and, through its nannies, in a LocalCluster's workers; docs/cluster.md gives the same as
# environment variables for workers started by hand.
QUIET_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}


def check_scheduler(address: str) -> str:
    """Return a scheduler address if it is one `luoshi run --scheduler` takes.

    Raises:
        ParameterError: neither local[:N] nor PROTOCOL://HOST:PORT.
    """
    if LOCAL.match(address) or REMOTE.match(address):
        return address
    raise ParameterError(f"--scheduler {address!r}: give local, local:N (N workers on this "
                         "machine) or a scheduler's address such as tcp://10.0.0.5:8786")


@contextlib.contextmanager
def open_cluster(address: str) -> Iterator[Client]:
    """Yield a Dask client of the scheduler (or of a LocalCluster started for the run).

    Its workers are checked first: at least one, each with this version of the package.

    Raises:
        ParameterError: dask.distributed is not installed, the scheduler cannot be reached, it
            has no worker, or a worker runs another version.
    """
    from luoshi_analysis.engine.warm_runner import start_ahead

    with _client(check_scheduler(address)) as client:
        _check_workers(client)
        client.run(start_ahead)  # each worker loads the stack while the tasks are packed
        yield client


@contextlib.contextmanager
def _client(address: str) -> Iterator[Client]:
    """Yield a Dask client of the scheduler (or of a LocalCluster started for the run)."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise ParameterError("--scheduler needs dask.distributed: pip install "
                             "'luoshi-analysis[dask]' (make install installs it)") from None
    with contextlib.ExitStack() as stack:
        stack.enter_context(dask.config.set(QUIET_CONFIG))
        local = LOCAL.match(address)
        if local:
            cluster = stack.enter_context(LocalCluster(
                n_workers=int(local["workers"] or 2), threads_per_worker=1, processes=True,
                dashboard_address=None))
            yield stack.enter_context(Client(cluster))
            return
        try:
            client = Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError) as exc:
            raise ParameterError(f"--scheduler {address}: cannot reach the scheduler "
                                 f"({str(exc).splitlines()[0][:160]})") from None
        yield stack.enter_context(client)


def _check_workers(client: Client) -> None:
    """Refuse a cluster without workers, or whose workers run another version of the package.

    Raises:
        ParameterError: no worker within the connect time, or a version other than ours.
    """
    from luoshi_analysis import __version__

    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError):
        raise ParameterError(f"the scheduler has no worker (waited {CONNECT_TIMEOUT_S} s); "
                             "start one with `dask worker ADDRESS`") from None
    versions = client.run(worker_version)
    other = {worker: v for worker, v in versions.items() if v != __version__}
    if other:
        worker, version = sorted(other.items())[0]
        raise ParameterError(f"worker {worker} has luoshi-analysis {version}, this run "
                             f"{__version__}; install the same version on every worker")


@dataclass(frozen=True)
class _Group:
    """The jobs of one task: a unit-year, or a year of the collection."""

    key: str  # <unit folder>/<year> under the outputs
    jobs: tuple[Job, ...]
    folder: Path  # the data folder its files come from (the collection for collection pages)


def _files(folder: Path, top: Path | None = None) -> dict[str, bytes]:
    """Return a data folder's raw and processed files by their path under ``top``."""
    top = top or folder
    return {str(path.relative_to(top)): path.read_bytes()
            for part in ("raw", "processed") for path in sorted((folder / part).rglob("*"))
            if path.is_file() and not any(p.startswith(".") for p in path.relative_to(top).parts)}


def _groups(jobs: list[Job], units: list[Unit], collection: Path) -> list[_Group]:
    folders = {unit.name: unit.folder for unit in units}
    keyed: dict[str, list[Job]] = {}
    for job in jobs:
        keyed.setdefault(str(job.out_dir.relative_to(job.out_dir.parent.parent)), []).append(job)
    return [_Group(key, tuple(found), folders[found[0].unit] if found[0].unit else collection)
            for key, found in keyed.items()]


def _task(group: _Group, units: list[Unit], collection: Path, outputs: Path,
          settings: RunSettings) -> ClusterTask:
    first = group.jobs[0]
    if first.unit:
        data = _files(group.folder)
    else:  # a page about every unit: each unit's files, where they are in the collection
        data = {name: content for unit in units
                for name, content in _files(unit.folder, collection).items()}
    templates = {job.notebook: job.template for job in group.jobs}
    return ClusterTask(group.key, tuple(PortableJob.of(job, outputs) for job in group.jobs),
                       {name: path.read_bytes() for name, path in templates.items()}, data,
                       settings.timeout_s)


def _results(group: _Group, output: TaskOutput, outputs: Path) -> list[Result]:
    """Write a task's files into the outputs (each by rename) and return its jobs' results."""
    for name, content in output.files.items():
        path = (outputs / name).resolve()
        if not path.is_relative_to(outputs.resolve()):
            continue  # a task never writes outside the outputs folder
        write_bytes(path, content, fsync=False)
    by_job = {(r.notebook, r.lang): r for r in output.results}
    results = []
    for job in group.jobs:
        found = by_job.get((job.notebook, job.lang))
        if found is None:
            results.append(result_of(job, Status.FAILED, output.error or
                                     "the task returned no result for this notebook", 1, 0.0))
        else:
            results.append(result_of(job, found.status, found.error, found.attempts,
                                     found.duration_s))
    return results


def longest_first(groups: list[_Group], expected: dict[tuple[str, str], float]) -> list[_Group]:
    """Order the tasks longest first, from the notebooks' earlier durations.

    A task with a notebook of no record counts as longest; among equals, pages about every
    unit come first (they read every unit's data, so they grow with the collection).
    """
    def cost(group: _Group) -> tuple[float, bool]:
        seconds = sum(expected.get((job.notebook, job.lang), UNKNOWN_FIRST) for job in group.jobs)
        return -seconds, bool(group.jobs[0].unit)

    return sorted(groups, key=cost)


def run_on_cluster(client: Client, jobs: list[Job], units: list[Unit], collection: Path,
                   outputs: Path, settings: RunSettings,
                   expected: dict[tuple[str, str], float] | None = None) -> list[Result]:
    """Run the jobs on a cluster (``open_cluster``); return their results in the jobs' order.

    Tasks start longest first (``expected``: seconds per notebook and language, as for the
    local executor), so no worker runs a long task alone at the end. The progress bar follows
    the tasks as they finish; on any interruption (Ctrl-C, SIGTERM) the tasks still waiting or
    running are cancelled, and no page of theirs is written.
    """
    from distributed import as_completed
    from tqdm import tqdm

    groups = longest_first(_groups(jobs, units, collection), expected or {})
    futures = {client.submit(run_task, _task(group, units, collection, outputs, settings),
                             key=f"luoshi-{i}-{group.key}", retries=RETRIES, pure=False,
                             priority=len(groups) - i): group
               for i, group in enumerate(groups)}
    found: dict[int, Result] = {}
    bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not settings.progress,
               file=sys.stderr, dynamic_ncols=True)
    try:
        for future in as_completed(futures):
            group = futures[future]
            try:
                output = future.result()
            except Exception as exc:  # noqa: BLE001 - a task that failed every retry
                output = TaskOutput(error=f"{type(exc).__name__}: {str(exc)[:200]}")
            for job, result in zip(group.jobs, _results(group, output, outputs), strict=True):
                found[id(job)] = result
            bar.update(len(group.jobs))
    finally:
        client.cancel(list(futures))
        bar.close()
    return [found[id(job)] for job in jobs]
