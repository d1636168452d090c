"""The warm runner of a cluster worker: one per worker, reused, killed tasks, a dead runner."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from notebook_helpers import write_notebook

from luoshi_analysis.engine import warm_runner
from luoshi_analysis.engine.cluster_task import NOTEBOOKS, OUTPUTS, PortableJob
from luoshi_analysis.engine.jobs import Status
from luoshi_analysis.engine.warm_runner import Request, RunnerGone, WarmRunner, run_warm

pytestmark = pytest.mark.slow


def _request(folder: Path, body: str, timeout_s: float = 60.0) -> Request:
    """A task folder holding one tiny template, and the request to run it in Chinese."""
    write_notebook(folder / NOTEBOOKS, "tiny", body)
    job = PortableJob("tiny", "zh", 2020, "", "collection/2020", {}, False, None)
    return Request(folder, [job.job(folder)], timeout_s)


@pytest.fixture()
def fresh_pool():
    """No warm runner of an earlier test is reused; those started here are stopped."""
    warm_runner._IDLE.clear()
    yield warm_runner._IDLE
    for runner in warm_runner._IDLE:
        runner.stop()
    warm_runner._IDLE.clear()


def test_tasks_reuse_one_runner_and_each_runs_in_a_fresh_child(tmp_path, fresh_pool):
    pids = []
    for number in range(2):
        folder = tmp_path / f"task-{number}"
        results = run_warm(_request(folder, "import os\nprint(os.getpid())"), 120)
        assert [r.status for r in results] == [Status.OK]
        page = folder / OUTPUTS / "collection" / "2020" / "tiny_zh.html"
        assert page.read_text("utf-8").rstrip().endswith("</html>")
        pids.append(fresh_pool[0].process.pid)
    assert len(fresh_pool) == 1 and pids[0] == pids[1]
    # a module one task imports is not there for the next: each runs in its own child
    first = run_warm(_request(tmp_path / "a", "import sys\nsys.modules['marker_of_a'] = sys"), 60)
    second = run_warm(_request(tmp_path / "b", "import sys\nassert 'marker_of_a' not in sys.modules"),
                      60)
    assert [r.status for r in first + second] == [Status.OK, Status.OK]


def test_a_task_past_its_limit_is_killed_and_the_runner_serves_the_next(tmp_path, fresh_pool):
    runner = WarmRunner()
    try:
        with pytest.raises(TimeoutError, match="passed 3 s"):
            runner.run(_request(tmp_path / "slow", "import time\ntime.sleep(120)"), 3)
        assert runner.alive()
        results = runner.run(_request(tmp_path / "next", 'print("done")'), 120)
        assert [r.status for r in results] == [Status.OK]
    finally:
        runner.stop()
    assert not runner.alive()


def test_a_runner_that_died_is_reported_and_replaced(tmp_path, fresh_pool):
    run_warm(_request(tmp_path / "first", 'print("done")'), 120)
    dead = fresh_pool[0]
    os.killpg(dead.process.pid, signal.SIGKILL)
    dead.process.wait()
    with pytest.raises(RunnerGone):
        dead.run(_request(tmp_path / "lost", 'print("done")'), 60)
    results = run_warm(_request(tmp_path / "again", 'print("done")'), 120)
    assert [r.status for r in results] == [Status.OK]
    assert fresh_pool[0] is not dead and fresh_pool[0].alive()
