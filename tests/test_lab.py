"""JupyterLab as an analyst meets it (project kernel, templates run), and scratch work kept apart."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, SEED_ONLY
from make_helpers import run_make
from notebook_helpers import UNIT, write_notebook

from luoshi_analysis.cli import main
from luoshi_analysis.engine import jobs, kernels

# the report templates and the charts each draws at least (any correct template; more are fine);
# named here, not globbed: an analyst's stray notebook in notebooks/ is not a template
MIN_CHARTS = {"outcome_indicators": 7, "peers": 3, "revenue_structure": 1, "spending_mix": 3}
NAMES = list(MIN_CHARTS)
TEMPLATES = [REPO / "notebooks" / f"{name}.ipynb" for name in NAMES]
PROJECT_KERNELSPEC = {"name": "luoshi-analysis", "display_name": "Python (luoshi-analysis)",
                      "language": "python"}
# JupyterLab settings for a test: every cell in the page (no virtual scrolling), no news fetched
LAB_SETTINGS = {
    "notebook-extension/tracker": {"windowingMode": "none"},
    "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


@pytest.mark.parametrize("template", TEMPLATES, ids=NAMES)
def test_template_declares_the_project_kernel_and_the_marker(template):
    metadata = json.loads(template.read_text("utf-8"))["metadata"]
    assert metadata["kernelspec"] == PROJECT_KERNELSPEC
    assert metadata["luoshi"]["report_template"] == template.stem
    if template.stem == "peers":  # once a year over the whole collection
        assert metadata["luoshi"] == {"report_template": "peers", "scope": "collection"}
    else:
        assert metadata["luoshi"]["scope"] == "unit" and metadata["luoshi"]["needs"] in (
            "overview", "spending", "indicators")
    assert (kernels.KERNEL_NAME, kernels.KERNEL_DISPLAY_NAME) == (
        PROJECT_KERNELSPEC["name"], PROJECT_KERNELSPEC["display_name"])


def test_only_marked_notebooks_are_templates(tmp_path, monkeypatch):
    monkeypatch.delenv("LUOSHI_NOTEBOOKS_DIR", raising=False)
    assert sorted(jobs.available_notebooks()) == NAMES
    folder = tmp_path / "notebooks"
    write_notebook(folder, "report", 'print("fine")')
    write_notebook(folder, "mine", 'print("scratch")', template=False)
    (folder / "empty.ipynb").write_text("", "utf-8")
    write_notebook(folder / "scratch", "copied", 'print("a template copied to scratch")')
    monkeypatch.setenv("LUOSHI_NOTEBOOKS_DIR", str(folder))
    templates, skipped = jobs.notebooks_in_folder()
    assert list(templates) == ["report"]
    assert [p.name for p in skipped] == ["empty.ipynb", "mine.ipynb"]


def test_scratch_notebooks_do_not_change_the_run(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "notebooks"
    monkeypatch.setenv("LUOSHI_NOTEBOOKS_DIR", str(folder))
    write_notebook(folder, "report", 'print("fine")')
    failing = 'raise RuntimeError("scratch work, half done")'
    write_notebook(folder, "Untitled", failing, template=False)
    write_notebook(folder / "scratch", "my_look", failing, template=False)
    write_notebook(folder / "scratch", "copy_of_report", failing)  # marked, but in scratch/
    outputs = tmp_path / "out"
    assert main(["run", *SEED_ONLY, "--year", "2020", "--lang", "en", "--outputs", str(outputs),
                 "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "1 of 1 notebooks ok" in out
    assert re.search(r"^skipped 1 notebook.*: Untitled\.ipynb$", out, re.MULTILINE), out
    manifest = json.loads((outputs / "run-manifest.json").read_text("utf-8"))
    assert [(r["notebook"], r["status"]) for r in manifest["results"]] == [("report", "ok")]
    assert manifest["settings"]["skipped"] == ["Untitled.ipynb"]
    assert sorted(p.name for p in (outputs / UNIT / "2020").glob("*.html")) == ["report_en.html"]
    # named on purpose, a scratch notebook is refused with the reason, before anything runs
    assert main(["run", "--year", "2020", "--notebooks", "Untitled", "--outputs", str(outputs)]) == 2
    err = capsys.readouterr().err
    assert "'Untitled' is not a report template" in err and "report" in err


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_luoshi_run_needs_no_registered_kernel(tmp_path, monkeypatch, fork):
    """A fresh clone, CI or a pip install has no luoshi-analysis kernel spec; the run still works."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    def nothing_registered(self, kernel_name):
        raise NoSuchKernel(kernel_name)

    monkeypatch.setattr(KernelSpecManager, "get_kernel_spec", nothing_registered)
    monkeypatch.setattr(kernels, "can_fork", lambda: fork)
    folder = tmp_path / "notebooks"
    monkeypatch.setenv("LUOSHI_NOTEBOOKS_DIR", str(folder))
    write_notebook(folder, "report", "import sys\nprint(sys.executable)")
    outputs = tmp_path / "out"
    assert main(["run", *SEED_ONLY, "--year", "2020", "--lang", "en", "--outputs", str(outputs),
                 "--quiet"]) == 0
    executed = nbformat.read(outputs / UNIT / "2020" / "report_en.ipynb", as_version=4)
    printed = [o.get("text", "") for c in executed.cells for o in c.get("outputs", [])]
    assert "".join(printed).strip() == sys.executable
    assert executed.metadata.kernelspec.name == kernels.KERNEL_NAME


def test_scratch_place_is_git_ignored_but_explained():
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    readme = REPO / "notebooks" / "scratch" / "README.md"
    assert "luoshi run" in readme.read_text("utf-8")
    paths = ["notebooks/scratch/my_look.ipynb", "notebooks/scratch/data.csv",
             "notebooks/Untitled.ipynb", "notebooks/scratch/Untitled3.ipynb",
             "notebooks/scratch/README.md", "notebooks/revenue_structure.ipynb",
             "notebooks/new_template.ipynb"]
    done = subprocess.run(["git", "-C", str(REPO), "check-ignore", "--no-index", *paths],
                          capture_output=True, text=True, check=False)
    assert done.stdout.split() == paths[:4]


# --- JupyterLab in headless Chromium -------------------------------------------------------


@dataclass
class Lab:
    """A JupyterLab server started for the tests."""

    url: str
    token: str
    root: Path
    outputs: Path
    log: Path

    def api(self, path: str, method: str = "GET"):
        """Call the server's REST API; return the decoded JSON (or None)."""
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None


    def kernel_of(self, path: str, wait: float = 120) -> str:
        """Return the name of the kernel the server started for a notebook, once it has one."""
        deadline = time.monotonic() + wait
        while True:
            found = [s["kernel"]["name"] for s in self.api("/api/sessions")
                     if s["path"] == path and s.get("kernel")]
            if found or time.monotonic() > deadline:
                return ", ".join(found) or "no kernel"
            time.sleep(0.5)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _install_kernel_with_make(data_dir: Path) -> Path:
    """Register the project kernel the way `make kernel` does, into a temporary Jupyter data dir."""
    venv = Path(sys.prefix)
    # -o: the environment running the tests is installed already; only register the kernel
    done = run_make("-s", "-o", f"{venv}/.installed-stamp", "kernel", f"VENV={venv}",
                    JUPYTER_DATA_DIR=str(data_dir))
    assert done.returncode == 0, done.stdout + done.stderr
    return data_dir / "kernels" / kernels.KERNEL_NAME / "kernel.json"


def _make_lab_command(lab_args: str) -> str:
    """Return the `jupyter lab` command line `make lab` runs (dry run: nothing is started)."""
    venv = Path(sys.prefix)
    done = run_make("-s", "-n", "-o", f"{venv}/.installed-stamp", "lab", f"VENV={venv}",
                    f"LAB_ARGS={lab_args}")
    assert done.returncode == 0, done.stdout + done.stderr
    command = next(line for line in done.stdout.splitlines() if "jupyter lab" in line)
    assert "--ServerApp.root_dir=. " in command, command
    assert "--LabApp.default_url=/lab/tree/notebooks" in command, command
    return command


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab from this environment on 127.0.0.1, with its own Jupyter folders and a token."""
    if shutil.which("make") is None:
        pytest.fail("make is needed: the kernel is registered with `make kernel`")
    base = tmp_path_factory.mktemp("lab")
    data, config, runtime = base / "data", base / "config", base / "runtime"
    spec = _install_kernel_with_make(data)
    argv = json.loads(spec.read_text("utf-8"))["argv"]
    assert Path(argv[0]).resolve() == Path(sys.executable).resolve(), argv
    for name, values in LAB_SETTINGS.items():
        path = config / "lab" / "user-settings" / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(values), "utf-8")
    # a copy of the project's layout: nothing Lab saves lands in the checkout
    root = base / "project"
    (root / "notebooks").mkdir(parents=True)
    for template in TEMPLATES:
        shutil.copy(template, root / "notebooks" / template.name)
    shutil.copytree(REPO / "data", root / "data")
    (root / "outputs").mkdir()
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_DATA_DIR": str(data), "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTER_RUNTIME_DIR": str(runtime), "IPYTHONDIR": str(base / "ipython"),
           "LUOSHI_OUTPUTS_DIR": str(base / "outputs")}
    env.pop("JUPYTER_PATH", None)
    # the command `make lab` runs (its options, its folder), started here in the copy
    command = _make_lab_command(f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} "
                                f"--ServerApp.port_retries=0 --IdentityProvider.token={token} "
                                "--LabApp.extension_manager=readonly")
    log = base / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(["bash", "-c", command], cwd=root, env=env,
                                  stdout=sink, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
    running = Lab(f"http://127.0.0.1:{port}", token, root, base / "outputs", log)
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                pytest.fail(f"jupyter lab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
            try:
                running.api("/api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield running
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture(scope="module")
def browser_context(lab):
    """Headless Chromium that may reach the Lab server and nothing else; and what it tried."""
    from playwright import sync_api

    from luoshi_analysis.engine.browser import launch

    outside: list[str] = []

    def only_local(route):
        url = route.request.url
        if url.startswith((lab.url + "/", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.route("**/*", only_local)
        yield context, outside
        browser.close()


WAIT_FOR_RUN = """panel => {
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .map(p => p.textContent.trim());
    const errors = panel.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length;
    return errors > 0 || (prompts.length > 0 && prompts.every(t => /^\\[\\d+\\]:$/.test(t)));
}"""
CHARTS_SHOWN = """panel => [...panel.querySelectorAll('.jp-OutputArea-output img')]
    .filter(img => img.complete && img.naturalWidth > 100).length"""


@pytest.mark.browser
@pytest.mark.slow
def test_make_lab_serves_the_project_and_opens_at_the_notebooks(lab, browser_context):
    from playwright.sync_api import expect

    top = {item["name"] for item in lab.api("/api/contents")["content"]}
    assert {"notebooks", "data", "outputs"} <= top, top
    # the review step: the processed tables are files Lab opens
    table = lab.api("/api/contents/data/processed/2020/indicators.csv?content=0")
    assert table["type"] == "file", table
    context, outside = browser_context
    page = context.new_page()
    try:
        page.set_default_timeout(300_000)
        page.goto(f"{lab.url}/?reset&token={lab.token}")  # as `make lab` opens it
        page.wait_for_url(re.compile(r"/lab/tree/notebooks"), timeout=300_000)
        listing = page.locator(".jp-DirListing-content .jp-DirListing-itemName")
        expect(listing.filter(has_text="revenue_structure.ipynb")).to_have_count(1, timeout=300_000)
        assert outside == [], "requests outside the Lab server"
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_template_runs_in_jupyterlab_with_the_project_kernel(lab, browser_context, name, tmp_path):
    from playwright.sync_api import expect

    context, outside = browser_context
    page = context.new_page()
    try:
        # generous limits: on a busy 2-core machine Lab alone can take a minute to load
        page.set_default_timeout(300_000)
        # ?reset: a fresh workspace, not the tabs the previous test left open
        page.goto(f"{lab.url}/lab/tree/notebooks/{name}.ipynb?reset&token={lab.token}")
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        expect(panel.locator(".jp-Toolbar-kernelName")).to_have_text(
            kernels.KERNEL_DISPLAY_NAME, timeout=300_000)
        indicator = panel.locator(".jp-Notebook-ExecutionIndicator")
        expect(indicator).to_have_attribute("data-status", "idle", timeout=300_000)
        assert lab.kernel_of(f"notebooks/{name}.ipynb") == kernels.KERNEL_NAME, lab.api("/api/sessions")

        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        page.wait_for_function(WAIT_FOR_RUN, arg=panel.element_handle(), timeout=300_000)
        expect(indicator).to_have_attribute("data-status", "idle", timeout=60_000)
        page.screenshot(path=tmp_path / f"{name}.png", full_page=False)

        errors = panel.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        assert errors.count() == 0, errors.all_inner_texts()
        assert panel.locator(".jp-OutputArea-output").count() > 0
        charts = panel.evaluate(CHARTS_SHOWN)
        assert charts >= MIN_CHARTS[name], f"{charts} charts shown"
        assert outside == [], "requests outside the Lab server"
    finally:
        for session in lab.api("/api/sessions"):
            if session["path"].endswith(f"{name}.ipynb"):
                lab.api(f"/api/sessions/{session['id']}", method="DELETE")  # frees the kernel
        page.close()
