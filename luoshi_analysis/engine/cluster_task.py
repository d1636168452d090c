"""One task of a run on a Dask cluster: a unit-year's notebooks, run on a worker from bytes alone.

A task carries everything it needs — the unit's data files (raw and processed), the templates,
the run's settings — and returns the pages, executed notebooks and figures as bytes with each
notebook's result. On the worker it writes them to a temporary folder and runs the same local
runner as ``luoshi run`` in a child process (the fork trick of warm kernels included, one
notebook at a time), under a hard time limit; nothing of the client's machine is needed, and
nothing is left behind. The child also keeps papermill's changes of the working folder and
of ``tempfile`` out of the worker process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from luoshi_analysis.engine.outputs import MANIFEST_FILE

# Files of a unit's outputs a task returns (its logs stay on the worker).
RETURNED_SUFFIXES = (".html", ".ipynb", ".png", ".svg", ".pdf")
# Beyond each notebook's own limit: the child's start-up and the pages' export.
SLACK_S = 120.0
PARENT_ENV = "LUOSHI_STOP_WITHOUT"  # a pid: a run started for a task stops when it is gone


@dataclass(frozen=True)
class ClusterTask:
    """A unit-year (or a year of the whole collection) to run on a worker, as plain values."""

    key: str  # <unit folder>/<year>: where its files go in the outputs
    year: int
    notebooks: tuple[str, ...]
    templates: dict[str, bytes]  # template name -> notebook bytes
    data: dict[str, bytes]  # path in the task's collection folder -> bytes
    langs: tuple[str, ...]
    timeout_s: float
    cell_timeout_s: float | None = None
    with_code: bool = False
    figure_formats: tuple[str, ...] = ("png",)
    parameters: tuple[str, ...] = ()  # -p NAME=VALUE of the run


@dataclass
class TaskOutput:
    """What a task sends back: a result per notebook (as the manifest holds it), and files."""

    results: list[dict[str, object]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # path under <outputs> -> bytes
    error: str = ""  # the run could not be carried out at all (one line)


def _write(folder: Path, files: dict[str, bytes]) -> None:
    for name, content in files.items():
        path = folder / name
        if not path.resolve().is_relative_to(folder.resolve()):
            raise ValueError(f"task file {name!r} is outside its folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def _command(task: ClusterTask, collection: Path, outputs: Path) -> list[str]:
    command = [sys.executable, "-m", "luoshi_analysis", "--collection", str(collection), "run",
               "--outputs", str(outputs), "--year", str(task.year), "--jobs", "1", "--quiet",
               "--timeout", f"{task.timeout_s:g}", "--figure-formats", ",".join(task.figure_formats),
               "--notebooks", *task.notebooks]
    for lang in task.langs:
        command += ["--lang", lang]
    if task.cell_timeout_s is not None:
        command += ["--cell-timeout", f"{task.cell_timeout_s:g}"]
    if task.with_code:
        command.append("--with-code")
    for parameter in task.parameters:
        command += ["-p", parameter]
    return command


def _collect(outputs: Path) -> TaskOutput:
    """Return the child run's results and the files of its pages, under their outputs paths."""
    manifest = json.loads((outputs / MANIFEST_FILE).read_text("utf-8"))
    files = {str(path.relative_to(outputs)): path.read_bytes()
             for path in sorted(outputs.rglob("*"))
             if path.is_file() and path.suffix in RETURNED_SUFFIXES
             and not path.name.startswith(".")}
    return TaskOutput(list(manifest["results"]), files)


def run_task(task: ClusterTask) -> TaskOutput:
    """Run a task's notebooks on this worker and return their results and files (a Dask task).

    A notebook that fails is reported in its result, as locally; the task itself fails (and
    Dask may retry it elsewhere) only when the child run cannot finish at all.
    """
    with tempfile.TemporaryDirectory(prefix="luoshi-task-") as scratch:
        root = Path(scratch)
        collection, outputs, notebooks = root / "data", root / "outputs", root / "notebooks"
        _write(collection, task.data)
        _write(notebooks, {f"{name}.ipynb": content for name, content in task.templates.items()})
        env = {**os.environ, "LUOSHI_NOTEBOOKS_DIR": str(notebooks),
               "LUOSHI_CACHE_DIR": str(root / "cache"), "COLUMNS": "100",
               PARENT_ENV: str(os.getpid())}  # the run stops if this worker dies
        limit = task.timeout_s * len(task.notebooks) * len(task.langs) + SLACK_S
        child = subprocess.Popen(_command(task, collection, outputs), env=env, cwd=scratch,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 start_new_session=True)
        try:
            _out, err = child.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            raise TimeoutError(f"{task.key}: the run passed {limit:g} s and was killed") from None
        if not (outputs / MANIFEST_FILE).is_file():
            last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            return TaskOutput(error=f"{task.key}: the run did not start: {last[0]}")
        return _collect(outputs)


def worker_version() -> str:
    """Return the version of the package a worker has installed (checked before a run)."""
    from luoshi_analysis import __version__

    return __version__
