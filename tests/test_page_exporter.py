"""The process that writes pages beside the runner: answers in order, and never loses a page."""

from __future__ import annotations

import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from luoshi_analysis.engine import export
from luoshi_analysis.engine.page_exporter import PageAnswer, PageExporter, PageRequest


def _executed(folder, name: str, said: str):
    nb = new_notebook(cells=[new_code_cell(f"print({said!r})", outputs=[
        new_output("stream", name="stdout", text=said + "\n")])])
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return PageRequest(path, folder / f"{name}.html", "zh", f"title {name}", with_code=False)


def _collect(exporter: PageExporter, count: int, seconds: float = 60) -> list:
    answers, deadline = [], time.monotonic() + seconds
    while len(answers) < count and time.monotonic() < deadline:
        answers += exporter.answers()
        time.sleep(0.01)
    return answers


def test_pages_are_written_and_answered_in_the_order_asked(tmp_path):
    exporter = PageExporter()
    try:
        requests = [_executed(tmp_path, f"nb{i}", f"said {i}") for i in range(3)]
        for i, request in enumerate(requests):
            assert exporter.submit(i, request) == []  # answered later, by the process
        answers = _collect(exporter, 3)
    finally:
        exporter.close()
    assert [key for key, _ in answers] == [0, 1, 2]
    assert all(outcome == PageAnswer(True) for _, outcome in answers)
    for i, request in enumerate(requests):
        page = request.page.read_text("utf-8")
        assert f"said {i}" in page and f"title nb{i}" in page
    assert not exporter.process.is_alive()


def _ask_once_ended(exporter: PageExporter, folder, said: str) -> tuple[list, PageRequest]:
    """Ask for a page once the exporter's process has ended; return the answers and request."""
    try:
        exporter.process.join(timeout=30)
        request = _executed(folder, "late", said)
        answers = exporter.submit("late", request) or _collect(exporter, 1)
    finally:
        exporter.close()
    return answers, request


def test_a_killed_exporter_costs_no_page(tmp_path):
    exporter = PageExporter()
    exporter.process.kill()
    answers, request = _ask_once_ended(exporter, tmp_path, "still written")
    assert answers == [("late", PageAnswer(True))]
    assert "still written" in request.page.read_text("utf-8")


def test_an_export_that_fails_fails_its_page_only(tmp_path):
    exporter = PageExporter()
    try:
        broken = PageRequest(tmp_path / "missing.ipynb", tmp_path / "missing.html", "zh", "t",
                             with_code=False)
        good = _executed(tmp_path, "good", "fine")
        exporter.submit("broken", broken)
        exporter.submit("good", good)
        answers = dict(_collect(exporter, 2))
    finally:
        exporter.close()
    assert not answers["broken"].ok
    assert "missing.ipynb" in answers["broken"].error
    assert answers["good"] == PageAnswer(True)
    assert not broken.page.exists() and good.page.is_file()


def test_an_exporter_that_hangs_is_given_up_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(export, "export_page_file", lambda *args: time.sleep(60))
    exporter = PageExporter()  # forked now: the process has the hanging export
    try:
        request = _executed(tmp_path, "stuck", "never")
        exporter.submit("stuck", request)
        assert exporter.expire(limit=30) == []  # not yet
        time.sleep(0.6)
        assert exporter.answers() == []
        (key, outcome), = exporter.expire(limit=0.5)
    finally:
        exporter.close()
    assert key == "stuck" and not outcome.ok and "0.5 s" in outcome.error
    assert not exporter.busy and not exporter.process.is_alive()
    assert not request.page.exists()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_exporter_writes_what_the_runner_would(tmp_path, lang):
    request = _executed(tmp_path, "same", "same text")
    request = PageRequest(request.executed, request.page, lang, "a title", with_code=False)
    exporter = PageExporter()
    try:
        exporter.submit("same", request)
        assert _collect(exporter, 1) == [("same", PageAnswer(True))]
    finally:
        exporter.close()
    nb = nbformat.read(request.executed, as_version=4)
    assert request.page.read_text("utf-8") == export.notebook_to_html(nb, lang, "a title", False)


def test_an_exporter_that_cannot_start_leaves_the_pages_to_the_runner(tmp_path, monkeypatch, capfd):
    def broken_warm_up():
        raise RuntimeError("nbconvert is broken here")

    monkeypatch.setattr(export, "warm_exporter", broken_warm_up)
    # forked with the broken warm-up: the process ends at once
    answers, request = _ask_once_ended(PageExporter(), tmp_path, "written by the runner")
    assert answers == [("late", PageAnswer(True))]
    assert "written by the runner" in request.page.read_text("utf-8")
    assert "Traceback" not in capfd.readouterr().err  # no stack trace from the child
