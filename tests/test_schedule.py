"""The runner's record of notebook durations: a hint that never breaks a run."""

from __future__ import annotations

import json

from luoshi_analysis.engine import schedule


def test_durations_are_remembered_per_notebooks_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LUOSHI_CACHE_DIR", str(tmp_path / "cache"))
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    schedule.remember_durations(mine, [("report", "zh", 2.0), ("report", "zh", 3.5),
                                       ("report", "en", 1.0)])
    assert schedule.remembered_durations(mine) == {("report", "zh"): 3.5, ("report", "en"): 1.0}
    assert schedule.remembered_durations(theirs) == {}


def test_the_outputs_folders_own_manifest_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("LUOSHI_CACHE_DIR", str(tmp_path / "cache"))
    notebooks = tmp_path / "notebooks"
    schedule.remember_durations(notebooks, [("a", "zh", 9.0), ("b", "zh", 1.0)])
    manifest = tmp_path / "run-manifest.json"
    manifest.write_text(json.dumps({"results": [
        {"notebook": "a", "lang": "zh", "status": "ok", "duration_s": 0.5},
        {"notebook": "b", "lang": "zh", "status": "failed", "duration_s": 0.1},
    ]}), "utf-8")
    assert schedule.expected_durations(manifest, notebooks) == {("a", "zh"): 0.5, ("b", "zh"): 1.0}


def test_unknown_notebooks_start_first_then_the_longest(tmp_path):
    keys = [("a", "zh"), ("b", "zh"), ("c", "zh"), ("d", "zh")]
    order = schedule.longest_first(keys, {("a", "zh"): 1.0, ("b", "zh"): 5.0, ("d", "zh"): 2.0})
    assert [keys[i][0] for i in order] == ["c", "b", "d", "a"]


def test_a_broken_or_unwritable_record_is_ignored(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("LUOSHI_CACHE_DIR", str(cache))
    cache.mkdir()
    (cache / schedule.DURATIONS_FILE).write_text("{not json", "utf-8")
    assert schedule.remembered_durations(tmp_path) == {}
    schedule.remember_durations(tmp_path, [("a", "zh", 1.0)])  # replaces the broken record
    assert schedule.remembered_durations(tmp_path) == {("a", "zh"): 1.0}
    blocker = tmp_path / "file"
    blocker.write_text("", "utf-8")
    monkeypatch.setenv("LUOSHI_CACHE_DIR", str(blocker / "cache"))  # cannot be a folder
    schedule.remember_durations(tmp_path, [("a", "zh", 1.0)])
    assert schedule.remembered_durations(tmp_path) == {}
