"""The batch runner: failures, bad parameters, hung and dying kernels, signals and the lock."""

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from conftest import SEED_ONLY
from notebook_helpers import UNIT, write_notebook

from luoshi_analysis.cli import main
from luoshi_analysis.engine.outputs import LOCK_FILE

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    """A notebooks folder of tiny templates, used instead of notebooks/."""
    folder = tmp_path / "templates"
    monkeypatch.setenv("LUOSHI_NOTEBOOKS_DIR", str(folder))
    return folder


def _run(outputs, *extra):
    return main(["run", *SEED_ONLY, "--year", "2020", "--lang", "zh", "--outputs", str(outputs),
                 "--quiet", *extra])


def test_one_failing_notebook_does_not_stop_the_others(tiny, tmp_path, capsys):
    write_notebook(tiny, "good", 'print("fine")')
    write_notebook(tiny, "bad", 'raise ValueError("broken on purpose")')
    outputs = tmp_path / "out"
    assert _run(outputs) == 1
    err = capsys.readouterr().err
    failures = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert len(failures) == 1 and "bad" in failures[0] and "broken on purpose" in failures[0]
    assert (outputs / UNIT / "2020" / "good_zh.html").is_file()
    assert not (outputs / UNIT / "2020" / "bad_zh.html").exists()
    kept = json.loads((outputs / UNIT / "2020" / "bad_zh.ipynb").read_text("utf-8"))
    errors = [o for c in kept["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors and errors[0]["evalue"] == "broken on purpose"
    manifest = json.loads((outputs / "run-manifest.json").read_text("utf-8"))
    assert sorted(r["status"] for r in manifest["results"]) == ["failed", "ok"]


def test_a_broken_rerun_never_replaces_the_good_page(tiny, tmp_path):
    template = write_notebook(tiny, "report", 'print("version one")')
    outputs = tmp_path / "out"
    assert _run(outputs) == 0
    page = outputs / UNIT / "2020" / "report_zh.html"
    good = page.read_text("utf-8")
    assert "version one" in good
    write_notebook(tiny, "report", 'raise RuntimeError("now broken")')
    assert template.is_file()
    assert _run(outputs) == 1
    assert page.read_text("utf-8") == good
    assert not list((outputs / UNIT / "2020").glob(".*.partial*"))


def test_unknown_parameter_is_an_error_before_anything_runs(tmp_path, capsys):
    outputs = tmp_path / "out"
    assert main(["run", "--year", "2020", "--outputs", str(outputs), "-p", "yaer=2023"]) == 2
    err = capsys.readouterr().err
    assert "has no parameter 'yaer'" in err and "year, lang, output_dir, data_dir" in err
    assert not outputs.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--year", "1999"], "unknown year '1999'"),
    (["--notebooks", "nope"], "unknown notebook 'nope'"),
    (["--jobs", "0"], "--jobs 0"),
    (["--jobs", "-3"], "--jobs -3"),
    (["--jobs", "many"], "--jobs many"),
    (["--jobs", "1.5"], "--jobs 1.5"),
    (["--timeout", "-1"], "--timeout -1"),
    (["--timeout", "nan"], "--timeout nan"),
    (["--timeout", "inf"], "--timeout inf"),
    (["--timeout", "soon"], "--timeout soon"),
    (["--cell-timeout", "0"], "--cell-timeout 0"),
    (["--cell-timeout=-inf"], "--cell-timeout -inf"),
    (["-p", "year=2021"], "set by the runner"),
])
def test_bad_run_options_are_one_line(args, message, tmp_path, capsys):
    assert main(["run", "--outputs", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_hung_cell_is_killed_at_the_time_limit(tiny, tmp_path, capsys):
    pid_file = tmp_path / "kernel.pid"
    write_notebook(tiny, "hang", f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                                 "time.sleep(600)")
    write_notebook(tiny, "quick", 'print("done")')
    outputs = tmp_path / "out"
    assert _run(outputs, "--timeout", "3") == 1
    assert "(timeout)" in capsys.readouterr().err
    assert (outputs / UNIT / "2020" / "quick_zh.html").is_file()
    kernel_pid = int(pid_file.read_text())
    for _ in range(50):
        try:
            os.kill(kernel_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"kernel {kernel_pid} still running after the time limit")


def _write_cells(folder, name, *cells):
    """A notebook of the runner's parameters cell followed by several code cells."""
    path = write_notebook(folder, name, cells[0])
    nb = nbformat.read(path, as_version=4)
    nb.cells.extend(nbformat.v4.new_code_cell(c) for c in cells[1:])
    nbformat.write(nb, path)
    return path


def _cells_by_source(path):
    return {c.source: c for c in nbformat.read(path, as_version=4).cells}


def _manifest(outputs):
    return json.loads((outputs / "run-manifest.json").read_text("utf-8"))


@pytest.mark.parametrize(("killer", "how"), [
    ("os._exit(3)", "exit code 3"),
    ("os.kill(os.getpid(), signal.SIGKILL)", "signal SIGKILL"),
])
def test_a_kernel_that_dies_is_reported_at_once(killer, how, tiny, tmp_path, capsys):
    _write_cells(tiny, "dies", 'print("first cell done")', f"import os, signal\n{killer}",
                 'print("never")')
    outputs = tmp_path / "out"
    # a hard limit of 120 s: reporting "kernel died" means it did not wait for it
    assert _run(outputs, "--timeout", "120") == 1
    (result,) = _manifest(outputs)["results"]
    assert result["status"] == "kernel died"
    assert how in result["error"]
    assert f"(kernel died): the kernel died ({how})" in capsys.readouterr().err
    kept = _cells_by_source(outputs / UNIT / "2020" / "dies_zh.ipynb")
    assert "first cell done" in kept['print("first cell done")'].outputs[0]["text"]
    assert not kept['print("never")'].get("outputs")


def test_a_cell_past_the_cell_timeout_is_interrupted(tiny, tmp_path, capsys):
    _write_cells(tiny, "slow", 'print("quick cell")', "import time\ntime.sleep(300)")
    outputs = tmp_path / "out"
    assert _run(outputs, "--timeout", "120", "--cell-timeout", "2") == 1
    (result,) = _manifest(outputs)["results"]
    assert result["status"] == "cell timeout"
    assert "longer than 2 s" in result["error"]
    kept = _cells_by_source(outputs / UNIT / "2020" / "slow_zh.ipynb")
    assert "quick cell" in kept['print("quick cell")'].outputs[0]["text"]


def test_duplicate_years_and_notebooks_run_once(tiny, tmp_path):
    write_notebook(tiny, "one", 'print("once")')
    outputs = tmp_path / "out"
    assert _run(outputs, "--year", "2020", "--notebooks", "one", "one", "--jobs", "100") == 0
    manifest = _manifest(outputs)
    assert len(manifest["results"]) == 1
    assert manifest["settings"]["years"] == {UNIT: [2020]}
    assert manifest["settings"]["jobs"] == 1  # the workers used, not the 100 asked for


def test_index_marks_a_page_whose_template_now_fails_as_stale(tiny, tmp_path):
    write_notebook(tiny, "custom_report", 'print("version one")')
    outputs = tmp_path / "out"
    assert _run(outputs) == 0
    index = (outputs / UNIT / "index.html").read_text("utf-8")
    # a template from another notebooks folder is linked too
    assert 'href="2020/custom_report_zh.html"' in index and "stale" not in index
    write_notebook(tiny, "custom_report", 'raise RuntimeError("now broken")')
    assert _run(outputs) == 1
    index = (outputs / UNIT / "index.html").read_text("utf-8")
    assert 'href="2020/custom_report_zh.html"' in index
    # one short line in each page's language; the error itself, with its paths, only in the manifest
    assert "旧版：上次运行出错" in index  # the zh page's note (this run made no en page)
    assert "now broken" not in index and str(tmp_path) not in index
    assert "旧版：上次运行出错" in (outputs / "index.html").read_text("utf-8")  # on the dashboard
    manifest = json.loads((outputs / "run-manifest.json").read_text("utf-8"))
    assert any("now broken" in r["error"] for r in manifest["results"])
    write_notebook(tiny, "custom_report", 'print("fixed")')
    assert _run(outputs) == 0
    assert "luoshi-stale" not in (outputs / UNIT / "index.html").read_text("utf-8")


def test_only_the_templates_are_published(tiny, tmp_path, capsys):
    """A Lab copy of a template is no template; a template removed leaves the index and outputs."""
    write_notebook(tiny, "first", 'print("one")')
    write_notebook(tiny, "second", 'print("two")')
    copy = write_notebook(tiny, "first-Copy1", 'print("copy")')
    nb = json.loads(copy.read_text("utf-8"))
    nb["metadata"]["luoshi"]["report_template"] = "first"  # as JupyterLab's Duplicate leaves it
    copy.write_text(json.dumps(nb), "utf-8")
    outputs = tmp_path / "out"
    assert _run(outputs) == 0
    out = capsys.readouterr().out
    assert "first-Copy1.ipynb (a copy of first" in out and "report_template" in out
    year = outputs / UNIT / "2020"
    assert sorted(p.name for p in year.glob("*.html")) == ["first_zh.html", "second_zh.html"]
    assert not list(year.glob(".*.log")) or all(p.stat().st_size for p in year.glob(".*.log"))
    (tiny / "second.ipynb").unlink()
    assert _run(outputs) == 0
    assert sorted(p.name for p in year.glob("*.html")) == ["first_zh.html"]
    assert "second" not in (outputs / UNIT / "index.html").read_text("utf-8")
    assert list((outputs / "backups").glob("*/*/2020/second_zh.html"))  # set aside, not lost
    manifest = json.loads((outputs / "run-manifest.json").read_text("utf-8"))
    assert {r["notebook"] for r in manifest["results"]} == {"first"}


def test_the_manifest_keeps_each_pages_last_result(tiny, tmp_path):
    write_notebook(tiny, "first", 'print("one")')
    outputs = tmp_path / "out"
    assert _run(outputs) == 0
    assert main(["run", "--year", "2020", "--lang", "en", "--outputs", str(outputs), "--quiet"]) == 0
    manifest = json.loads((outputs / "run-manifest.json").read_text("utf-8"))
    assert sorted(r["lang"] for r in manifest["results"]) == ["en", "zh"]


@pytest.mark.parametrize("where", ["root", "data", "inside data", "file", "stranger",
                                   "under a file"])
def test_outputs_folder_is_guarded(where, tmp_path, capsys):
    data = tmp_path / "data"
    (data / "processed").mkdir(parents=True)
    stranger = tmp_path / "documents"
    stranger.mkdir()
    (stranger / "thesis.docx").write_text("mine", "utf-8")
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine", "utf-8")
    outputs = {"root": Path("/"), "data": data, "inside data": data / "processed" / "out",
               "file": a_file, "stranger": stranger, "under a file": a_file / "out"}[where]
    code = main(["--data-dir", str(data), "run", "--outputs", str(outputs), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "--outputs" in err, err
    assert (stranger / "thesis.docx").read_text("utf-8") == "mine"
    assert a_file.read_text("utf-8") == "mine"
    assert not list(data.rglob("*.html"))


def test_an_earlier_outputs_folder_is_accepted(tiny, tmp_path):
    write_notebook(tiny, "one", 'print("once")')
    outputs = tmp_path / "out"
    outputs.mkdir()
    (outputs / ".gitkeep").write_text("", "utf-8")
    assert _run(outputs) == 0
    (outputs / "notes.md").write_text("the user's own note", "utf-8")
    assert _run(outputs) == 0  # an outputs folder (it holds the run lock) may hold other files


def test_pdf_without_chromium_fails_before_running(tiny, tmp_path, monkeypatch, capsys):
    ran = tmp_path / "ran"
    write_notebook(tiny, "one", f"open({str(ran)!r}, 'w').write('ran')")
    monkeypatch.setenv("LUOSHI_CHROMIUM", str(tmp_path / "no-such-chromium"))
    outputs = tmp_path / "out"
    assert _run(outputs, "--pdf") == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Chromium" in err
    assert not ran.exists() and not outputs.exists()


def _marked_processes(marker: str) -> list[int]:
    """Pids of processes whose environment carries marker (the run, its workers, kernels)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _start_run(tiny, outputs, marker, *extra):
    env = {**os.environ, "LUOSHI_NOTEBOOKS_DIR": str(tiny), "LUOSHI_TEST_MARKER": marker}
    return subprocess.Popen(
        [sys.executable, "-m", "luoshi_analysis.cli", "run", *SEED_ONLY, "--year", "2020", "--lang",
         "zh", "--outputs", str(outputs), "--quiet", *extra],
        env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_a_stopped_run_leaves_no_process_and_writes_no_page(signum, tiny, tmp_path):
    started = tmp_path / "started"
    write_notebook(tiny, "busy", f"open({str(started)!r}, 'w').write('x')\n"
                                 "import time\nfor _ in range(40):\n    time.sleep(0.1)")
    write_notebook(tiny, "spin", f"open({str(started)!r} + '2', 'w').write('x')\n"
                                 "while True:\n    pass")
    outputs = tmp_path / "out"
    marker = uuid.uuid4().hex
    run = _start_run(tiny, outputs, marker, "--jobs", "2")
    try:
        assert _wait_for(lambda: started.exists() and Path(f"{started}2").exists(), 60)
        run.send_signal(signum)
        _, err = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
    assert _wait_for(lambda: not _marked_processes(marker), 5), _marked_processes(marker)
    assert not (outputs / UNIT / "2020" / "busy_zh.html").exists()  # and nobody is left to write it
    if signum != signal.SIGKILL:
        assert run.returncode == 128 + signum
        assert err.strip().splitlines()[-1] == f"luoshi: interrupted by {signum.name}"


def test_two_runs_into_one_folder_both_end_cleanly(tiny, tmp_path):
    write_notebook(tiny, "one", 'import time\ntime.sleep(1)\nprint("one")')
    write_notebook(tiny, "two", 'print("two")')
    outputs = tmp_path / "out"
    runs = [_start_run(tiny, outputs, uuid.uuid4().hex) for _ in range(2)]
    ends = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], ends
    assert {r["status"] for r in _manifest(outputs)["results"]} == {"ok"}
    assert (outputs / UNIT / "2020" / "one_zh.html").is_file()
    assert not list(outputs.rglob("*.partial"))


def test_a_second_run_waits_and_names_the_first(tiny, tmp_path):
    write_notebook(tiny, "one", 'print("one")')
    outputs = tmp_path / "out"
    outputs.mkdir()
    said = tmp_path / "stderr.txt"
    with (outputs / LOCK_FILE).open("w") as held, said.open("w") as stderr:
        held.write("luoshi run pid 4242 started 2026-01-01T00:00:00+0000\n")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX)
        env = {**os.environ, "LUOSHI_NOTEBOOKS_DIR": str(tiny)}
        run = subprocess.Popen(
            [sys.executable, "-m", "luoshi_analysis.cli", "run", *SEED_ONLY, "--year", "2020",
             "--lang", "zh", "--outputs", str(outputs), "--quiet"],
            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr)
        assert _wait_for(lambda: "pid 4242" in said.read_text("utf-8"), 60)
        assert run.poll() is None and not (outputs / "run-manifest.json").exists()
    assert run.wait(timeout=120) == 0
    assert "waiting" in said.read_text("utf-8")
    assert (outputs / UNIT / "2020" / "one_zh.html").is_file()


def test_a_browser_failing_after_the_notebooks_still_leaves_index_and_manifest(
        tiny, tmp_path, monkeypatch, capsys):
    from luoshi_analysis.engine import pdf

    write_notebook(tiny, "one", 'print("once")')
    monkeypatch.setattr(pdf, "check_browser", lambda: None)  # it started when checked ...

    def gone(_results):
        raise FileNotFoundError("chromium vanished")  # ... and is gone when printing

    monkeypatch.setattr(pdf, "print_results_to_pdf", gone)
    outputs = tmp_path / "out"
    assert _run(outputs, "--pdf") == 1
    err = capsys.readouterr().err
    assert "luoshi: error: PDF printing failed: FileNotFoundError: chromium vanished" in err
    assert "Traceback" not in err
    assert (outputs / "index.html").is_file()
    assert _manifest(outputs)["results"][0]["status"] == "ok"


def _start_times(outputs: Path) -> dict[str, str]:
    return {path.stem: nbformat.read(path, as_version=4).metadata.papermill.start_time
            for path in (outputs / UNIT / "2020").glob("*_zh.ipynb")}


def test_a_new_outputs_folder_starts_the_notebook_that_took_longest_first(
        tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("LUOSHI_CACHE_DIR", str(tmp_path / "cache"))
    write_notebook(tiny, "quick", 'print("quick")')
    write_notebook(tiny, "slow", 'import time\ntime.sleep(1.5)')
    assert _run(tmp_path / "first", "--jobs", "1") == 0
    first = _start_times(tmp_path / "first")
    assert first["quick_zh"] < first["slow_zh"]  # nothing known yet: the templates' own order
    assert _run(tmp_path / "second", "--jobs", "1") == 0  # another folder: no manifest there
    second = _start_times(tmp_path / "second")
    assert second["slow_zh"] < second["quick_zh"]


def test_the_kernel_client_uses_its_own_readiness_wait():
    from jupyter_client.client import KernelClient

    from luoshi_analysis.engine.kernels import QuickReadyClient

    # AsyncKernelClient binds wait_for_ready to the base function: a subclass must rebind it
    assert QuickReadyClient.wait_for_ready is not KernelClient._async_wait_for_ready
    assert QuickReadyClient.wait_for_ready.__qualname__.startswith("QuickReadyClient.")


def test_runner_kernels_start_without_a_debugger_but_a_notebook_may_import_debugpy(tiny, tmp_path):
    write_notebook(tiny, "debug", "import ipykernel.debugger as debugger\n"
                                  "print('debugger available:', debugger._is_debugpy_available)\n"
                                  "import debugpy\nprint('debugpy imported:', debugpy.__name__)")
    outputs = tmp_path / "out"
    run = _start_run(tiny, outputs, uuid.uuid4().hex)  # a fresh runner process, as a user's
    _, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    (cell,) = [c for c in nbformat.read(outputs / UNIT / "2020" / "debug_zh.ipynb", as_version=4).cells
               if "debugger" in c.source]
    printed = "".join(o.get("text", "") for o in cell.outputs)
    assert "debugger available: False" in printed
    assert "debugpy imported: debugpy" in printed


DELETES_ITS_FIGURES = '''
from pathlib import Path
from matplotlib.figure import Figure
from luoshi_analysis.reports import notebook
ctx = notebook.start("drawn", year, lang, output_dir, data_dir, "{formats}")
fig = Figure(figsize=(2, 1))
fig.subplots().plot([1, 2])
ctx.show(fig, "line", alt="一条线")
for written in Path(output_dir).iterdir():  # the figures folder emptied while the run goes on
    written.unlink()
'''


def test_a_png_deleted_during_the_run_is_written_again_from_the_notebook(tiny, tmp_path):
    write_notebook(tiny, "drawn", DELETES_ITS_FIGURES.format(formats="png"))
    outputs = tmp_path / "out"
    assert _run(outputs) == 0
    png = outputs / UNIT / "2020" / "figures" / "drawn_line_zh.png"
    assert png.is_file()
    import base64

    page = (outputs / UNIT / "2020" / "drawn_zh.html").read_text("utf-8")
    assert base64.b64encode(png.read_bytes()).decode() in page  # the page's own chart


def test_a_figure_file_that_cannot_be_written_again_fails_its_job(tiny, tmp_path, capsys):
    write_notebook(tiny, "drawn", DELETES_ITS_FIGURES.format(formats="png,svg"))
    outputs = tmp_path / "out"
    assert _run(outputs) == 1
    failed = [line for line in capsys.readouterr().err.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "drawn_line_zh.svg was removed during the run" in failed[0]
    manifest = json.loads((outputs / "run-manifest.json").read_text("utf-8"))
    assert [r["status"] for r in manifest["results"]] == ["failed"]


def test_the_run_names_each_unit_year_whose_figures_are_not_yet_reviewed(data_copy, tmp_path,
                                                                          capsys):
    table = data_copy / "processed" / "2020" / "indicators.csv"
    rows = table.read_text("utf-8").splitlines(keepends=True)
    rows[1] = rows[1].replace(",actual,true,", ",actual,false,")  # as ingest leaves a new row
    rows[2] = rows[2].replace(",actual,true,", ",actual,false,")
    table.write_text("".join(rows), "utf-8")
    outputs = tmp_path / "out"
    assert main(["run", "--notebooks", "revenue_structure", "--lang", "zh", "--outputs",
                 str(outputs), "--quiet"]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines()
                if line.startswith("WARNING")]
    assert len(warnings) == 1, warnings
    assert f"{UNIT} 2020: 2 of 101 outcome figures not yet reviewed" in warnings[0]
    assert str(table) in warnings[0]
