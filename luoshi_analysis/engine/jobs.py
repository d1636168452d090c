"""What a run is made of: its settings, the templates, the jobs it plans and their results."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from pathlib import Path

from luoshi_analysis.core import config
from luoshi_analysis.core.errors import ParameterError

DEFAULT_TIMEOUT = 600.0
# top-level notebook metadata {"luoshi": {"report_template": "<its file name>"}} marks what
# `luoshi run` runs: JupyterLab's copy (revenue_structure-Copy1) keeps the marker of the file it
# copies and so is no template until its marker is changed to its own name
TEMPLATE_MARKER = "report_template"
# Parameters the runner sets itself; users may add others a template declares.
RUNNER_PARAMETERS = ("year", "lang", "output_dir", "data_dir", "collection_dir", "figure_formats")


def stale_marker(folder: Path, stem: str) -> Path:
    """The file the runner leaves beside a page whose last run failed (it holds the reason)."""
    return folder / f".{stem}.stale"


class Status(enum.StrEnum):
    """How a job ended."""

    OK = "ok"
    FAILED = "failed"  # a cell raised, or the worker failed
    TIMEOUT = "timeout"  # the hard limit: worker and kernel killed
    CELL_TIMEOUT = "cell timeout"  # one cell passed --cell-timeout and was interrupted
    KERNEL_DIED = "kernel died"


@dataclass(frozen=True)
class RunSettings:
    """Everything a run is asked to do; every field a declared option of `luoshi run`.

    A field left None takes its default when the run is planned: every unit and every year
    with data, every report template, both languages, the configured collection and outputs.
    """

    years: tuple[int, ...] | None = None  # years to run (each must have data)
    notebooks: tuple[str, ...] | None = None  # template names (files notebooks/<name>.ipynb)
    langs: tuple[str, ...] | None = None  # page languages: zh, en
    jobs: int = 1  # notebooks run at once
    timeout_s: float = DEFAULT_TIMEOUT  # hard limit per notebook: worker and kernel killed
    cell_timeout_s: float | None = None  # limit per cell; None: only the hard limit
    with_code: bool = False  # show code cells in the pages
    figure_formats: tuple[str, ...] = ("png",)  # chart files beside the pages: png[, svg]
    extra: dict[str, object] = field(default_factory=dict)  # other parameters templates declare
    collection: Path | None = None  # a collection, or one unit's data folder (None: configured)
    units: tuple[str, ...] | None = None  # units to run, by name (None: every unit)
    outputs: Path | None = None  # the outputs folder (None: the configured one)
    pdf: bool = False  # also print each page to A4 PDF
    progress: bool = True  # a progress bar on stderr
    scheduler: str | None = None  # a Dask scheduler (tcp://HOST:PORT, local[:N]); None: this machine


@dataclass
class Job:
    """One notebook for one unit (or the whole collection) and year in one language."""

    year: int
    notebook: str
    lang: str
    template: Path
    out_dir: Path  # <outputs>/<unit's folder name>/<year>
    parameters: dict[str, object]
    with_code: bool
    cell_timeout: float | None  # None: no limit per cell, only the hard limit
    unit: str = ""  # the unit's name ("" for a page about the whole collection)

    @property
    def stem(self) -> str:
        """Deterministic output name built from the parameters."""
        return f"{self.notebook}_{self.lang}"

    @property
    def executed(self) -> Path:
        """Path of the executed notebook (kept on failure, with its error)."""
        return self.out_dir / f"{self.stem}.ipynb"

    @property
    def html(self) -> Path:
        """Path of the exported page (replaced only by a good run)."""
        return self.out_dir / f"{self.stem}.html"

    @property
    def data_root(self) -> Path | None:
        """The data folder the notebook reads (None: the default one)."""
        value = self.parameters.get("data_dir")
        return Path(str(value)) if value else None

    @property
    def stale_marker(self) -> Path:
        """Marker saying the page is from an earlier run: the last run of this job failed."""
        return stale_marker(self.out_dir, self.stem)


@dataclass
class Result:
    """What happened to one job."""

    year: int
    notebook: str
    lang: str
    status: Status
    duration_s: float
    html: str = ""
    executed: str = ""
    error: str = ""
    attempts: int = 1
    pdf: str = ""
    unit: str = ""  # the unit's name ("" for a collection page)


@dataclass(frozen=True)
class Template:
    """A report template: its file, and what it is run for.

    Its notebook metadata says so, naming the notebook's own file: ``{"luoshi":
    {"report_template": "spending_mix", "scope": "unit", "needs": "spending"}}``. scope "unit"
    runs it for each unit and year, "collection" once a year for the whole collection; needs
    "overview" runs it for years with a budget overview (executed, or a budget document's),
    "spending" for years whose overview also states how the money was used (基本支出, 项目支出,
    年末结转和结余 …), "indicators" for years with outcome figures.
    """

    name: str
    path: Path
    scope: str = "unit"
    needs: str = "overview"


SCOPES = ("unit", "collection")
NEEDS = ("overview", "spending", "indicators")


def _metadata(path: Path) -> dict[str, object]:
    """Return a notebook's ``luoshi`` metadata ({} for any other file)."""
    try:
        marker = json.loads(path.read_text("utf-8")).get("metadata", {}).get("luoshi", {})
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return {}
    return marker if isinstance(marker, dict) else {}


def _marker(path: Path) -> dict[str, object] | None:
    """Return a notebook's ``luoshi`` metadata when it marks a report template, else None."""
    marker = _metadata(path)
    return marker if marker.get(TEMPLATE_MARKER) == path.stem else None


def copied_from(path: Path) -> str:
    """Return the template a notebook is a copy of (its marker names another file), or ""."""
    named = _metadata(path).get(TEMPLATE_MARKER)
    return named if isinstance(named, str) and named != path.stem else ""


def is_report_template(path: Path) -> bool:
    """Return True when a notebook's metadata marks it a template under its own name.

    ``"luoshi": {"report_template": "revenue_structure"}`` in revenue_structure.ipynb. Anything
    else — a scratch notebook, JupyterLab's copy of a template (its marker still names the
    original), a file that is not notebook JSON — is not a template.
    """
    return _marker(path) is not None


def read_template(path: Path) -> Template:
    """Return a report template's scope and needs from its metadata (defaults: unit, overview).

    Raises:
        ParameterError: a scope or need that is not allowed (names the file and what is).
    """
    marker = _marker(path) or {}
    scope, needs = str(marker.get("scope", "unit")), str(marker.get("needs", "overview"))
    if scope not in SCOPES or needs not in NEEDS:
        raise ParameterError(
            f"{path}: metadata luoshi.scope {scope!r} / luoshi.needs {needs!r} is not allowed; "
            f"scope is one of {', '.join(SCOPES)}, needs one of {', '.join(NEEDS)}")
    return Template(path.stem, path, scope, needs)


def notebooks_in_folder() -> tuple[dict[str, Path], list[Path]]:
    """Return the notebooks folder's report templates by name, and its other notebooks (skipped).

    Only the folder's top level is looked at: its scratch/ subfolder is never run.
    """
    templates, skipped = {}, []
    for path in sorted(config.notebooks_dir().glob("*.ipynb")):
        if is_report_template(path):
            templates[path.stem] = path
        else:
            skipped.append(path)
    return templates, skipped


def available_notebooks() -> dict[str, Path]:
    """Return the report templates by name (notebooks marked as such; scratch work is left out)."""
    return notebooks_in_folder()[0]


def declared_parameters(template: Path) -> dict[str, object]:
    """Return the parameters a template declares in its `parameters` cell."""
    import papermill  # deferred: planning without -p never needs it

    return dict(papermill.inspect_notebook(str(template)))


def parse_extra_parameters(items: list[str]) -> dict[str, object]:
    """Parse NAME=VALUE items; values are read as JSON where they parse, else as text."""
    extra: dict[str, object] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ParameterError(f"parameter {item!r} must look like NAME=VALUE")
        if name in RUNNER_PARAMETERS:
            raise ParameterError(f"parameter {name!r} is set by the runner; use --{name.replace('_', '-')}")
        try:
            extra[name] = json.loads(value)
        except json.JSONDecodeError:
            extra[name] = value
    return extra
