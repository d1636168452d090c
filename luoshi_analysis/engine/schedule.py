"""Order the runner's jobs longest first, from how long each notebook took in earlier runs.

On N cores a run ends when its last job does: a long notebook started last keeps one core
busy while the others idle. Durations come from the outputs folder's run manifest and from a
small per-user record (``config.cache_dir() / durations.json``), so a run into a new outputs
folder is ordered as well as a re-run. Both are hints only: a missing or broken record just
means the order falls back to a guess.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from luoshi_analysis.core import config

DURATIONS_FILE = "durations.json"
# a notebook with no record starts before any with one: if it is long, it is not left to the end
UNKNOWN_FIRST = float("inf")


def durations_file() -> Path:
    """Return the per-user record of notebook durations."""
    return config.cache_dir() / DURATIONS_FILE


def _folder_key(notebooks_dir: Path) -> str:
    return str(notebooks_dir.resolve())


def remembered_durations(notebooks_dir: Path) -> dict[tuple[str, str], float]:
    """Return seconds per (notebook, lang) recorded for a notebooks folder by earlier runs."""
    try:
        record = json.loads(durations_file().read_text("utf-8"))
        entries = record[_folder_key(notebooks_dir)]
        return {tuple(key.split("/", 1)): float(seconds) for key, seconds in entries.items()
                if "/" in key}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def manifest_durations(manifest_path: Path) -> dict[tuple[str, str], float]:
    """Return seconds per (notebook, lang) of the good jobs in a run manifest, if it reads."""
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
        return {(r["notebook"], r["lang"]): float(r["duration_s"])
                for r in manifest.get("results", []) if r.get("status") == "ok"}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def expected_durations(manifest_path: Path, notebooks_dir: Path) -> dict[tuple[str, str], float]:
    """Return the best known seconds per (notebook, lang): this folder's last run, else any run."""
    return {**remembered_durations(notebooks_dir), **manifest_durations(manifest_path)}


def remember_durations(notebooks_dir: Path, durations: list[tuple[str, str, float]]) -> None:
    """Add (notebook, lang, seconds) of good jobs to the per-user record (failures are ignored).

    When a notebook ran for several years, the longest is kept: ordering errs towards early.
    """
    longest: dict[tuple[str, str], float] = {}
    for notebook, lang, seconds in durations:
        longest[(notebook, lang)] = max(longest.get((notebook, lang), 0.0), seconds)
    if not longest:
        return
    from luoshi_analysis.core.atomic import write_bytes

    path = durations_file()
    try:
        record = json.loads(path.read_text("utf-8"))
        if not isinstance(record, dict):
            record = {}
    except (OSError, ValueError):
        record = {}
    entries = record.get(_folder_key(notebooks_dir))
    entries = dict(entries) if isinstance(entries, dict) else {}
    entries.update({f"{notebook}/{lang}": round(seconds, 2)
                    for (notebook, lang), seconds in longest.items()})
    record[_folder_key(notebooks_dir)] = entries
    with contextlib.suppress(OSError):  # a read-only home only loses the hint
        write_bytes(path, (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode(),
                    fsync=False)


def longest_first(keys: list[tuple[str, str]],
                  expected: dict[tuple[str, str], float]) -> list[int]:
    """Return the positions of (notebook, lang) keys in the order to start them.

    Known long jobs first, unknown ones before all known ones; ties keep their given order.
    """
    return sorted(range(len(keys)), key=lambda i: -expected.get(keys[i], UNKNOWN_FIRST))
