"""One task of a run on a Dask cluster: a unit-year's notebooks, run on a worker from bytes alone.

A task carries everything it needs — the unit's data files (raw and processed), the templates,
each job's settings with every path relative — and returns the pages, executed notebooks and
figures as bytes with each notebook's result. On the worker its files are written to a
temporary folder, its jobs are rebuilt there and run by the local executor's own supervisor in
a child of the worker's warm runner (``warm_runner``: the stack loaded once per worker), under a
hard time limit; nothing of the client's machine is needed, and nothing is left behind.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from luoshi_analysis.engine.jobs import Job, Result

# Files of a unit's outputs a task returns (its logs stay on the worker).
RETURNED_SUFFIXES = (".html", ".ipynb", ".png", ".svg", ".pdf")
# Beyond each notebook's own limit: the child's start-up and the pages' export.
SLACK_S = 120.0
DATA, NOTEBOOKS, OUTPUTS = "data", "notebooks", "outputs"  # the task folder's parts


@dataclass(frozen=True)
class PortableJob:
    """A job with no path in it: where its files go and what it reads are rebuilt on the worker."""

    notebook: str
    lang: str
    year: int
    unit: str  # "" for a page about every unit of the collection
    out_key: str  # its outputs folder, relative: <unit folder>/<year> or collection/<year>
    parameters: dict[str, object]  # the run's own parameters (-p), never a path
    with_code: bool
    cell_timeout_s: float | None

    @classmethod
    def of(cls, job: Job, outputs: Path) -> PortableJob:
        """Return the portable form of a job planned for the outputs folder ``outputs``."""
        own = {"year", "lang", "output_dir", "data_dir", "collection_dir"}
        return cls(job.notebook, job.lang, job.year, job.unit,
                   job.out_dir.relative_to(outputs).as_posix(),
                   {k: v for k, v in job.parameters.items() if k not in own}, job.with_code,
                   job.cell_timeout)

    def job(self, folder: Path) -> Job:
        """Return the job to run in a task's folder (its data, templates and outputs there)."""
        out_dir = folder / OUTPUTS / self.out_key
        parameters: dict[str, object] = {"year": self.year, "lang": self.lang,
                                         "output_dir": str(out_dir / "figures"),
                                         ("data_dir" if self.unit else "collection_dir"):
                                         str(folder / DATA)}
        return Job(self.year, self.notebook, self.lang, folder / NOTEBOOKS /
                   f"{self.notebook}.ipynb", out_dir, {**parameters, **self.parameters},
                   self.with_code, self.cell_timeout_s, self.unit)


@dataclass(frozen=True)
class ClusterTask:
    """A unit-year (or a year of the whole collection) to run on a worker, as plain values."""

    key: str  # <unit folder>/<year>: where its files go in the outputs
    jobs: tuple[PortableJob, ...]
    templates: dict[str, bytes]  # template name -> notebook bytes
    data: dict[str, bytes]  # path in the task's data folder -> bytes
    timeout_s: float  # each notebook's hard limit


@dataclass
class TaskOutput:
    """What a task sends back: a result per notebook, and files under the outputs folder."""

    results: list[Result] = field(default_factory=list)  # paths relative to the outputs
    files: dict[str, bytes] = field(default_factory=dict)  # path under <outputs> -> bytes
    error: str = ""  # the run could not be carried out at all (one line)


def _write(folder: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        if not path.resolve().is_relative_to(folder.resolve()):
            raise ValueError(f"task file {name!r} is outside its folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _relative(result: Result, outputs: Path) -> Result:
    """The result with its files named relative to the outputs folder (none of this machine)."""
    for name in ("html", "executed", "pdf"):
        value = getattr(result, name, "")
        if value:
            setattr(result, name, Path(value).relative_to(outputs).as_posix())
    return result


def _collect(outputs: Path, results: list[Result]) -> TaskOutput:
    """Return the run's results and its files, under their paths in the outputs folder."""
    files = {path.relative_to(outputs).as_posix(): path.read_bytes()
             for path in sorted(outputs.rglob("*"))
             if path.is_file() and path.suffix in RETURNED_SUFFIXES
             and not path.name.startswith(".")}
    return TaskOutput([_relative(r, outputs) for r in results], files)


def run_task(task: ClusterTask) -> TaskOutput:
    """Run a task's notebooks on this worker and return their results and files (a Dask task).

    A notebook that fails is reported in its result, as locally; the task itself fails (and
    Dask may retry it elsewhere) only when its run cannot finish at all.
    """
    from luoshi_analysis.engine.warm_runner import Request, run_warm

    with tempfile.TemporaryDirectory(prefix="luoshi-task-") as scratch:
        folder = Path(scratch)
        _write(folder / DATA, task.data)
        _write(folder / NOTEBOOKS,
               {f"{name}.ipynb": content for name, content in task.templates.items()})
        jobs = [portable.job(folder) for portable in task.jobs]
        limit = task.timeout_s * len(jobs) + SLACK_S
        try:
            results = run_warm(Request(folder, jobs, task.timeout_s), limit)
        except TimeoutError as exc:
            raise TimeoutError(f"{task.key}: {exc}") from None
        return _collect(folder / OUTPUTS, results)


def worker_version() -> str:
    """Return the version of the package a worker has installed (checked before a run)."""
    from luoshi_analysis import __version__

    return __version__
