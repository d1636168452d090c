"""The templates run with their defaults, and an installed wheel finds its data."""

import subprocess
import sys
import zipfile

import papermill
import pytest
from conftest import REPO


@pytest.mark.parametrize("name", ["revenue_structure", "spending_mix", "outcome_indicators"])
def test_template_runs_top_to_bottom_with_its_defaults(name, tmp_path, monkeypatch):
    monkeypatch.setenv("LUOSHI_OUTPUTS_DIR", str(tmp_path / "outputs"))
    nb = papermill.execute_notebook(str(REPO / "notebooks" / f"{name}.ipynb"),
                                    str(tmp_path / "out.ipynb"), progress_bar=False,
                                    kernel_name="python3", cwd=str(tmp_path))
    assert all(c.get("outputs") is not None for c in nb.cells if c.cell_type == "code")
    # run with its defaults, as in JupyterLab: figures go to the interactive folder only
    assert list((tmp_path / "outputs" / "interactive" / "2020" / "figures").glob(
        f"{name}_*_zh.svg"))
    assert not (tmp_path / "outputs" / "2020").exists(), "published figures left alone"


def test_installed_wheel_finds_data_and_templates(tmp_path):
    wheelhouse = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(wheelhouse), str(REPO)], check=True)
    wheel = next(wheelhouse.glob("luoshi_analysis-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "luoshi_analysis/bundled/data/processed/2020/budget.csv" in names
    assert "luoshi_analysis/bundled/notebooks/outcome_indicators.ipynb" in names
    assert "luoshi_analysis/templates/luoshi/index.html.j2" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = ("import luoshi_analysis as la, luoshi_analysis.config as c, luoshi_analysis.runner as r;"
             "print(la.__file__); print(la.years()); print(la.check(2020)['ok'].all());"
             "print(sorted(r.available_notebooks()))")
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[0].startswith(str(site))
    assert lines[1:] == ["[2020]", "True",
                         "['outcome_indicators', 'revenue_structure', 'spending_mix']"]
