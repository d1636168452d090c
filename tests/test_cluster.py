"""Runs on a Dask cluster: real `dask scheduler` and `dask worker` processes on this machine."""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DATA
from notebook_helpers import UNIT, write_notebook

from luoshi_analysis.cli import main

pytestmark = pytest.mark.slow
DASK = str(Path(sys.executable).with_name("dask"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([DASK, *args], cwd=cwd, env=env or dict(os.environ),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture()
def cluster(tmp_path):
    """A scheduler and two single-threaded workers, each started in a folder of its own."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    homes = [tmp_path / f"worker-{i}" for i in range(2)]
    for home in homes:
        (home / "tmp").mkdir(parents=True)
    scheduler = _start("scheduler", "--host", "127.0.0.1", "--port", str(port),
                       "--no-dashboard", cwd=tmp_path)
    workers = [_start("worker", address, "--nthreads", "1", "--nworkers", "1", "--no-nanny",
                      "--no-dashboard", "--local-directory", str(home), cwd=home,
                      env={**os.environ, "TMPDIR": str(home / "tmp")})
               for home in homes]
    try:
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, workers, homes
    finally:
        for process in (*workers, scheduler):
            _stop(process)


def _collection(tmp_path: Path) -> Path:
    """The seed town and a second unit, as a collection."""
    collection = tmp_path / "collection"
    shutil.copytree(DATA / "raw", collection / UNIT / "raw")
    shutil.copytree(DATA / "processed", collection / UNIT / "processed")
    report = Path(__file__).parent / "overview_corpus" / "a_town_final_accounts_2022.txt"
    assert main(["--collection", str(collection), "ingest", str(report)]) == 0
    return collection


def test_pages_made_on_a_cluster_are_the_pages_made_here(cluster, tmp_path):
    address, _workers, _homes = cluster
    collection = _collection(tmp_path)
    local, remote = tmp_path / "local", tmp_path / "remote"
    assert main(["--collection", str(collection), "run", "--outputs", str(local), "--quiet"]) == 0
    assert main(["--collection", str(collection), "run", "--outputs", str(remote), "--quiet",
                 "--scheduler", address]) == 0
    pages = sorted(p.relative_to(local) for p in local.rglob("*.html"))
    # the dashboard, two unit indexes, their pages, the peers pages of 2020 and 2022 and their index
    assert len(pages) == 1 + 2 + 6 + 4 + 4 + 1
    for page in pages:
        assert (remote / page).read_bytes() == (local / page).read_bytes(), page
    for figure in local.rglob("*.png"):
        assert (remote / figure.relative_to(local)).read_bytes() == figure.read_bytes(), figure


def test_a_task_carries_no_path_of_this_machine(tmp_path):
    from luoshi_analysis.core.collection import units
    from luoshi_analysis.engine.cluster import _groups, _task
    from luoshi_analysis.engine.jobs import RunSettings, Template
    from luoshi_analysis.engine.plan import JobOptions, plan

    collection = _collection(tmp_path)
    found = units(collection)
    template = Template("spending_mix", Path(__file__).parents[1] / "notebooks" / "spending_mix.ipynb")
    planned = plan(found, None, [template], JobOptions(("zh",), tmp_path / "out", collection,
                                                       False, None, {}))
    for group in _groups(planned.jobs, found, collection):
        task = _task(group, found, collection, tmp_path / "out", RunSettings())
        payload = pickle.dumps(task)
        assert str(tmp_path).encode() not in payload and b"/work/" not in payload
        assert any(name.startswith("processed/") for name in task.data)


def test_a_worker_killed_mid_run_leaves_every_page_complete(cluster, tmp_path):
    address, workers, homes = cluster
    collection = _collection(tmp_path)
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "slow", 'import time\ntime.sleep(6)\nprint("done")')
    env = {**os.environ, "LUOSHI_NOTEBOOKS_DIR": str(notebooks)}
    outputs = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-m", "luoshi_analysis", "--collection",
                            str(collection), "run", "--outputs", str(outputs), "--quiet",
                            "--scheduler", address], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    import psutil  # a dependency of dask.distributed

    # wait for the notebook to run: the worker's warm runner, the task's run (with its page
    # exporter), the notebook's worker process and its kernel
    worker, left, deadline = psutil.Process(workers[0].pid), [], time.monotonic() + 90
    while len(left) < 5 and time.monotonic() < deadline:
        time.sleep(0.2)
        left = worker.children(recursive=True)
    assert list((homes[0] / "tmp").glob("luoshi-task-*")), "worker 0 never started a task"
    assert len(left) >= 5, f"worker 0 runs its notebook in {left}"
    os.killpg(workers[0].pid, signal.SIGKILL)  # the worker (its warm runner leads a group)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, out + err
    _gone, alive = psutil.wait_procs(left, timeout=15)
    assert not alive, f"processes of the killed worker still run: {alive}"
    for unit in (UNIT, "青石乡人民政府"):
        for lang in ("zh", "en"):
            page = (outputs / unit / ("2020" if unit == UNIT else "2022") / f"slow_{lang}.html")
            assert page.read_text("utf-8").rstrip().endswith("</html>"), page
    assert not list(outputs.rglob("*.partial"))


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    done = subprocess.run([sys.executable, "-m", "luoshi_analysis", "run", "--outputs",
                           str(tmp_path / "out"), "--scheduler", address, "--quiet"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert "cannot reach the scheduler" in done.stderr and address in done.stderr


@pytest.mark.parametrize("address", ["local:0", "tcp://nowhere", "spark://x:1", "local:two"])
def test_a_malformed_scheduler_address_is_refused_before_anything_runs(address, tmp_path, capsys):
    assert main(["run", "--outputs", str(tmp_path / "out"), "--scheduler", address]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--scheduler" in err and "local:N" in err
    assert not (tmp_path / "out").exists()


def test_a_notebook_past_its_time_limit_on_a_cluster_is_one_line_and_the_rest_finish(
        cluster, tmp_path):
    address, _workers, _homes = cluster
    collection = _collection(tmp_path)
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "quick", 'print("done")')
    write_notebook(notebooks, "stuck", "import time\nif year == 2022:\n    time.sleep(60)")
    env = {**os.environ, "LUOSHI_NOTEBOOKS_DIR": str(notebooks)}
    outputs = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "luoshi_analysis", "--collection",
                           str(collection), "run", "--outputs", str(outputs), "--quiet",
                           "--lang", "zh", "--timeout", "8", "--scheduler", address],
                          env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 1, done.stdout + done.stderr
    failed = [line for line in done.stderr.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "2022 stuck [zh] (timeout)" in failed[0], done.stderr
    assert "Traceback" not in done.stderr
    assert (outputs / "青石乡人民政府" / "2022" / "quick_zh.html").is_file()
    assert (outputs / UNIT / "2020" / "stuck_zh.html").is_file()
    assert not (outputs / "青石乡人民政府" / "2022" / "stuck_zh.html").exists()


def test_tasks_start_longest_first_and_pages_about_every_unit_lead_among_equals(tmp_path):
    from luoshi_analysis.engine.cluster import _Group, longest_first
    from luoshi_analysis.engine.jobs import Job

    def group(key: str, unit: str, *notebooks: str) -> _Group:
        jobs = tuple(Job(2020, nb, "zh", tmp_path / f"{nb}.ipynb", tmp_path / key, {}, False,
                         None, unit) for nb in notebooks)
        return _Group(key, jobs, tmp_path)

    short, long_, peers = (group("a/2020", "甲", "revenue"), group("b/2020", "乙", "outcome"),
                           group("collection/2020", "", "peers"))
    timed = {("revenue", "zh"): 1.0, ("outcome", "zh"): 4.0, ("peers", "zh"): 2.0}
    assert [g.key for g in longest_first([short, peers, long_], timed)] == [
        "b/2020", "collection/2020", "a/2020"]
    # no record yet: every task counts as longest, and the collection's pages go first
    assert [g.key for g in longest_first([short, long_, peers], {})] == [
        "collection/2020", "a/2020", "b/2020"]


def _background_config() -> tuple[object, object, object]:
    import dask

    return (dask.config.get("distributed.worker.profile.enabled"),
            dask.config.get("distributed.admin.tick.interval"),
            dask.config.get("distributed.admin.system-monitor.interval"))


def test_a_local_cluster_runs_without_dasks_profiler_and_fast_ticks():
    """The workers of `--scheduler local:N` are started with Dask's background work cut down."""
    from luoshi_analysis.engine.cluster import QUIET_CONFIG, open_cluster

    with open_cluster("local:1") as client:
        found = set(client.run(_background_config).values())
    assert found == {(False, QUIET_CONFIG["distributed.admin.tick.interval"],
                      QUIET_CONFIG["distributed.admin.system-monitor.interval"])}
    import dask

    assert dask.config.get("distributed.worker.profile.enabled") is not False  # only for the run
