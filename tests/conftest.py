"""Shared fixtures: the shipped data, and throw-away copies of it to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from luoshi_analysis.core import config

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
RAW_2020 = DATA / "raw" / "2020" / "luoshi_2020_performance_report.txt"
SEED = "罗市镇人民政府"  # the unit at the top of data/; the demo collection's units sit beside it
# `luoshi run` over data/ runs every unit of the demo collection: a test running notebooks on the
# checkout's data runs the seed only
SEED_ONLY = ("--unit", SEED)
# Tests in these modules execute notebooks, start JupyterLab or build a wheel: `make test-fast`
# (pytest -m "not slow and not browser") leaves them out; so does a test using these fixtures.
SLOW_MODULES = {"test_notebooks", "test_runner", "test_install", "test_lab", "test_browser"}
SLOW_FIXTURES = {"report_run", "two_year_outputs", "later_report_outputs"}
BROWSER_MODULES = {"test_browser", "test_lab"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that run notebooks (slow) or a browser (browser), by module and fixture."""
    for item in items:
        module = item.path.stem
        if module in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        if module in BROWSER_MODULES:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Runs in tests record notebook durations in a throw-away folder, not the user's cache."""
    patch = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("cache")
    patch.setenv(config.CACHE_ENV, str(folder))
    yield folder
    patch.undo()


def copy_seed(target: Path) -> Path:
    """Copy the seed town's data folder (data/raw, data/processed) to target, not the demo units."""
    target.mkdir(parents=True)
    for part in (config.RAW_SUBDIR, config.PROCESSED_SUBDIR):
        shutil.copytree(DATA / part, target / part)
    return target


@pytest.fixture()
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seed's data folder in a temporary folder, used as the data folder."""
    root = copy_seed(tmp_path / "data")
    monkeypatch.setenv(config.DATA_ENV, str(root))
    return root


@pytest.fixture()
def raw_text() -> str:
    """The raw 2020 report as text."""
    return RAW_2020.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def report_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """One `luoshi run` of every template for 2020 in both languages, shared by the tests."""
    from luoshi_analysis.cli import main

    outputs = tmp_path_factory.mktemp("report") / "outputs"
    code = main(["run", *SEED_ONLY, "--year", "2020", "--outputs", str(outputs), "--quiet"])
    return outputs, code
