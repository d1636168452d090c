"""The outputs folder: which folders a run may write into, its run lock, and its manifest."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from luoshi_analysis.core.atomic import write_text
from luoshi_analysis.core.collection import Unit
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.engine.jobs import Result

# Lock held by a run for its whole length (the system releases it when the run dies); it also
# marks the folder as an outputs folder, so a later run may write into it.
LOCK_FILE = ".luoshi-run.lock"
MANIFEST_FILE = "run-manifest.json"
VERSIONED_PACKAGES = ("luoshi-analysis", "pandas", "matplotlib", "papermill", "nbconvert",
                      "nbclient", "ipykernel")


def is_outputs_folder(folder: Path) -> bool:
    """An outputs folder is one a run wrote into: it holds the lock file or a run manifest."""
    return (folder / LOCK_FILE).is_file() or (folder / MANIFEST_FILE).is_file()


def check_outputs(outputs: Path, data_root: Path) -> None:
    """Refuse an outputs folder where pages would mix with other files or overwrite data.

    Args:
        outputs: The outputs folder asked for.
        data_root: The collection (or data folder) the run reads.

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
    if outputs.is_dir() and not is_outputs_folder(outputs):
        try:
            others = [p.name for p in outputs.iterdir() if p.name not in (".gitkeep", ".gitignore")]
        except OSError as exc:
            raise ParameterError(f"--outputs {outputs}: cannot be read ({exc.strerror})") from exc
        if others:
            raise ParameterError(f"--outputs {outputs}: holds other files (e.g. {sorted(others)[0]!r}) "
                                 f"and is not an outputs folder; {hint}")


@contextlib.contextmanager
def outputs_lock(outputs: Path, wait_message: Callable[[str], None] | None = None) -> Iterator[None]:
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


def versions() -> dict[str, str]:
    """Return the versions of Python and of the packages a page depends on."""
    found = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def write_manifest(outputs: Path, settings: dict[str, object], results: list[Result],
                   started: float) -> Path:
    """Write the run manifest: parameters, versions, and each page's last status and duration."""
    manifest = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "duration_s": round(time.time() - started, 2),
        "settings": settings,
        "versions": versions(),
        "results": merged_results(outputs, [asdict(r) for r in results]),
    }
    path = outputs / MANIFEST_FILE
    write_text(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return path


UNIT_RECORD = ".luoshi-unit.json"  # in <outputs>/<unit>/: whose pages these are, from which data


def unit_record(folder: Path) -> dict[str, str] | None:
    """Return the record of a unit folder of the outputs (name, key, data), or None."""
    try:
        record = json.loads((folder / UNIT_RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not all(isinstance(record.get(k), str)
                                               for k in ("name", "key", "data")):
        return None
    return {k: record[k] for k in ("name", "key", "data")}


def claim_unit_folders(outputs: Path, units: list[Unit]) -> None:
    """Record, in each unit's outputs folder, which unit and data its pages are made from.

    A folder already holding another unit's pages is refused, never relabelled.

    Raises:
        ParameterError: a unit's folder holds the pages of another unit.
    """
    for unit in units:
        folder = outputs / unit.slug
        held = unit_record(folder)
        if held is not None and held["key"] != unit.key:
            raise ParameterError(
                f"--outputs {outputs}: {folder.name}/ holds the pages of {held['name']} (made "
                f"from {held['data']}), not of {unit.name}; choose another outputs folder")
    for unit in units:
        folder = outputs / unit.slug
        folder.mkdir(parents=True, exist_ok=True)
        record = {"name": unit.name, "key": unit.key, "data": str(unit.folder)}
        if unit_record(folder) != record:
            write_text(folder / UNIT_RECORD, json.dumps(record, ensure_ascii=False) + "\n")


BACKUPS = "backups"  # <outputs>/backups/<UTC time>/: what a run took out of the outputs
PAGE_SUFFIXES = (".html", ".ipynb", ".pdf")


def _year_folders(outputs: Path) -> list[Path]:
    """Every <unit>/<year> (and collection/<year>) folder of an outputs folder."""
    return sorted(p for p in outputs.glob("*/*") if p.is_dir() and p.name.isdigit()
                  and p.parent.name != BACKUPS)


def _set_aside(path: Path, outputs: Path, backup: Path) -> None:
    """Move a file of the outputs into the run's backup folder, keeping its place."""
    target = backup / path.relative_to(outputs)
    target.parent.mkdir(parents=True, exist_ok=True)
    path.replace(target)


def tidy(outputs: Path, templates: set[str], started: float) -> Path | None:
    """Leave in the outputs exactly what the templates make; return the backup folder, if any.

    Removes the empty kernel logs; moves into <outputs>/backups/<UTC time>/ the pages (with
    their executed notebooks, PDFs and figures) of templates that no longer exist, and each
    PDF older than its page (a page made again without --pdf), so the index never links them.
    """
    backup = outputs / BACKUPS / time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
    moved = False
    for folder in _year_folders(outputs):
        for log in folder.glob(".*.log"):
            if log.stat().st_size == 0:
                log.unlink(missing_ok=True)
        for page in list(folder.glob("*_*.html")):
            stem = page.stem
            notebook = stem.rsplit("_", 1)[0]
            pdf = page.with_suffix(".pdf")
            if notebook not in templates:
                parts = [page.with_suffix(s) for s in PAGE_SUFFIXES]
                parts += list((folder / "figures").glob(f"{notebook}_*_{stem.rsplit('_', 1)[1]}.*"))
                for part in (p for p in parts if p.exists()):
                    _set_aside(part, outputs, backup)
                moved = True
            elif pdf.exists() and pdf.stat().st_mtime < page.stat().st_mtime:
                _set_aside(pdf, outputs, backup)
                moved = True
    return backup if moved else None


def merged_results(outputs: Path, results: list[dict[str, object]]) -> list[dict[str, object]]:
    """Return this run's results after the last result of every page it did not make again.

    The manifest so keeps each unit-year's last result, not only the last run's subset; a
    page that is gone (its template removed) leaves the manifest too.
    """
    def key(result: dict[str, object]) -> tuple[object, ...]:
        return (result.get("unit", ""), result.get("year"), result.get("notebook"),
                result.get("lang"))

    try:
        earlier = json.loads((outputs / MANIFEST_FILE).read_text("utf-8"))["results"]
    except (OSError, ValueError, KeyError, TypeError):
        earlier = []
    made = {key(r) for r in results}
    kept = [r for r in earlier if isinstance(r, dict) and key(r) not in made
            and (not r.get("html") or Path(str(r["html"])).is_file())]
    return kept + results
