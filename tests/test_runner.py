"""The batch runner: failures, bad parameters and a hung kernel."""

import json
import os
import time

import pytest
from notebook_helpers import write_notebook

from luoshi_analysis.cli import main


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    """A notebooks folder of tiny templates, used instead of notebooks/."""
    folder = tmp_path / "templates"
    monkeypatch.setenv("LUOSHI_NOTEBOOKS_DIR", str(folder))
    return folder


def _run(outputs, *extra):
    return main(["run", "--year", "2020", "--lang", "zh", "--outputs", str(outputs), "--quiet",
                 *extra])


def test_one_failing_notebook_does_not_stop_the_others(tiny, tmp_path, capsys):
    write_notebook(tiny, "good", 'print("fine")')
    write_notebook(tiny, "bad", 'raise ValueError("broken on purpose")')
    outputs = tmp_path / "out"
    assert _run(outputs) == 1
    err = capsys.readouterr().err
    failures = [line for line in err.splitlines() if line.startswith("FAILED")]
    assert len(failures) == 1 and "bad" in failures[0] and "broken on purpose" in failures[0]
    assert (outputs / "2020" / "good_zh.html").is_file()
    assert not (outputs / "2020" / "bad_zh.html").exists()
    kept = json.loads((outputs / "2020" / "bad_zh.ipynb").read_text("utf-8"))
    errors = [o for c in kept["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors and errors[0]["evalue"] == "broken on purpose"
    manifest = json.loads((outputs / "run-manifest.json").read_text("utf-8"))
    assert sorted(r["status"] for r in manifest["results"]) == ["failed", "ok"]


def test_a_broken_rerun_never_replaces_the_good_page(tiny, tmp_path):
    template = write_notebook(tiny, "report", 'print("version one")')
    outputs = tmp_path / "out"
    assert _run(outputs) == 0
    page = outputs / "2020" / "report_zh.html"
    good = page.read_text("utf-8")
    assert "version one" in good
    write_notebook(tiny, "report", 'raise RuntimeError("now broken")')
    assert template.is_file()
    assert _run(outputs) == 1
    assert page.read_text("utf-8") == good
    assert not list((outputs / "2020").glob(".*.partial*"))


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
    (["--timeout", "-1"], "--timeout -1"),
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
    started = time.monotonic()
    assert _run(outputs, "--timeout", "8") == 1
    assert time.monotonic() - started < 60
    assert "(timeout)" in capsys.readouterr().err
    assert (outputs / "2020" / "quick_zh.html").is_file()
    kernel_pid = int(pid_file.read_text())
    for _ in range(50):
        try:
            os.kill(kernel_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"kernel {kernel_pid} still running after the time limit")
