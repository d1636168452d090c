"""The templates run with their defaults, an installed wheel finds its data, the lock installs."""

import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import papermill
import pytest
from conftest import REPO
from make_helpers import run_make


@pytest.mark.parametrize("name", ["revenue_structure", "spending_mix", "outcome_indicators"])
def test_template_runs_top_to_bottom_with_its_defaults(name, tmp_path, monkeypatch):
    monkeypatch.setenv("LUOSHI_OUTPUTS_DIR", str(tmp_path / "outputs"))
    nb = papermill.execute_notebook(str(REPO / "notebooks" / f"{name}.ipynb"),
                                    str(tmp_path / "out.ipynb"), progress_bar=False,
                                    kernel_name="python3", cwd=str(tmp_path))
    assert all(c.get("outputs") is not None for c in nb.cells if c.cell_type == "code")
    # run with its defaults, as in JupyterLab: figures go to the interactive folder only
    assert list((tmp_path / "outputs" / "interactive" / "2020" / "figures").glob(
        f"{name}_*_zh.png"))
    assert not (tmp_path / "outputs" / "2020").exists(), "published figures left alone"


def test_installed_wheel_finds_data_and_templates(tmp_path):
    wheelhouse = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(wheelhouse), str(REPO)], check=True)
    wheel = next(wheelhouse.glob("luoshi_analysis-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "luoshi_analysis/bundled/data/processed/2020/budget.csv" in names
    assert "luoshi_analysis/bundled/notebooks/outcome_indicators.ipynb" in names
    assert "luoshi_analysis/engine/templates/luoshi/index.html.j2" in names
    assert {"luoshi_analysis/reports/text/zh.toml", "luoshi_analysis/reports/text/en.toml"} <= set(names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = ("import luoshi_analysis as la, luoshi_analysis.engine.jobs as r;"
             "print(la.__file__); print(la.years()); print(la.check(2020)['ok'].all());"
             "print(sorted(r.available_notebooks()))")
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[0].startswith(str(site))
    assert lines[1:] == ["[2020]", "True",
                         "['outcome_indicators', 'peers', 'revenue_structure', 'spending_mix']"]


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_lock_pins_every_declared_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    pinned = {}
    for line in (REPO / "requirements.lock").read_text("utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        if match:
            pinned.setdefault(_normalized(match[1]), []).append(match[2])
    names = [_normalized(re.match(r"[A-Za-z0-9._-]+", d)[0]) for d in declared]
    missing = [n for n in names if n not in pinned]
    assert not missing, f"not in requirements.lock (run `make lock`): {missing}"
    # one lock for every accepted Python: the pins that need a newer patch release carry a marker
    assert "python_full_version" in (REPO / "requirements.lock").read_text("utf-8")


def _debian_python() -> Path:
    python = Path(os.environ.get("LUOSHI_DEBIAN_PYTHON", "/usr/bin/python3"))
    if not python.exists():
        pytest.skip(f"{python} does not exist (not a Debian-like machine)")
    done = subprocess.run([str(python), "-c", "import sys; print(sys.version_info >= (3, 11))"],
                          capture_output=True, text=True, check=True)
    if done.stdout.strip() != "True":
        pytest.skip(f"{python} is older than the Python 3.11 the project accepts")
    return python


def test_make_install_works_with_the_machines_debian_python3(tmp_path):
    """`make install` from the lock with the system python3 (3.11.2 on Debian 12), as a fresh user."""
    python = _debian_python()
    venv = tmp_path / "venv"
    done = run_make("install", f"PYTHON={python}", f"VENV={venv}")
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    probe = ("import platform, bs4, docx, jupyterlab, openpyxl, pdfplumber, xlrd, pytest;"
             "import luoshi_analysis as la; print(platform.python_version());"
             "print(la.check(2020)['ok'].all())")
    ran = subprocess.run([str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True,
                         check=True)
    wanted = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert ran.stdout.split() == [wanted, "True"]
    spec = json.loads((venv / "share" / "jupyter" / "kernels" / "luoshi-analysis" / "kernel.json")
                      .read_text("utf-8"))
    assert spec["argv"][0] == str(venv / "bin" / "python")
    assert spec["display_name"] == "Python (luoshi-analysis)"
