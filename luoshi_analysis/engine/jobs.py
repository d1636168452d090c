"""What a run is made of: its settings, the templates, the jobs it plans and their results."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from pathlib import Path

from luoshi_analysis.core import config
from luoshi_analysis.core.errors import ParameterError

DEFAULT_TIMEOUT = 600.0
# top-level notebook metadata {"luoshi": {"report_template": true}} marks what `luoshi run` runs
TEMPLATE_MARKER = "report_template"
# Parameters the runner sets itself; users may add others a template declares.
RUNNER_PARAMETERS = ("year", "lang", "output_dir", "data_dir", "figure_formats")


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

    A field left None takes its default when the run is planned: every year with data,
    every report template, both languages, the configured data and outputs folders.
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
    data_dir: Path | None = None  # the data folder (None: the configured one)
    outputs: Path | None = None  # the outputs folder (None: the configured one)
    pdf: bool = False  # also print each page to A4 PDF
    progress: bool = True  # a progress bar on stderr


@dataclass
class Job:
    """One notebook for one year in one language, and where its results go."""

    year: int
    notebook: str
    lang: str
    template: Path
    out_dir: Path
    parameters: dict[str, object]
    with_code: bool
    cell_timeout: float | None  # None: no limit per cell, only the hard limit

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


def is_report_template(path: Path) -> bool:
    """Return True when a notebook's top-level metadata has ``"luoshi": {"report_template": true}``.

    Anything else (a scratch notebook, a file that is not notebook JSON) is not a template.
    """
    try:
        metadata = json.loads(path.read_text("utf-8")).get("metadata", {})
        return metadata.get("luoshi", {}).get(TEMPLATE_MARKER) is True
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return False


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


def _checked_templates(notebooks: list[str], templates: dict[str, Path],
                       skipped: list[Path]) -> None:
    """Refuse a notebook name that is not a report template, naming the ones that are."""
    unknown = [n for n in notebooks if n not in templates]
    if unknown and unknown[0] in {p.stem for p in skipped}:
        raise ParameterError(
            f"notebook {unknown[0]!r} is not a report template (its metadata has no "
            f"luoshi.{TEMPLATE_MARKER} marker); templates: {', '.join(templates) or 'none'}")
    if unknown:
        raise ParameterError(
            f"unknown notebook {unknown[0]!r}; available: {', '.join(templates) or 'none'}")


def plan(years: list[int], notebooks: list[str], langs: list[str], outputs: Path,
         data_root: Path | None, with_code: bool, cell_timeout: float | None,
         extra: dict[str, object]) -> list[Job]:
    """Return the jobs to run, after checking notebooks and parameters against the templates.

    A year, notebook or language named twice runs once.
    """
    years, notebooks, langs = (list(dict.fromkeys(years)), list(dict.fromkeys(notebooks)),
                               list(dict.fromkeys(langs)))
    templates, skipped = notebooks_in_folder()
    _checked_templates(notebooks, templates, skipped)
    jobs = []
    for name in notebooks:
        declared = declared_parameters(templates[name]) if extra else {}
        not_declared = [p for p in extra if p not in declared]
        if not_declared:
            raise ParameterError(
                f"notebook {name!r} has no parameter {not_declared[0]!r}; "
                f"it declares: {', '.join(declared)}")
        for year in years:
            for lang in langs:
                out_dir = outputs / str(year)
                parameters = {"year": year, "lang": lang, "output_dir": str(out_dir / "figures"),
                              "data_dir": str(data_root) if data_root else "", **extra}
                jobs.append(Job(year, name, lang, templates[name], out_dir, parameters,
                                with_code, cell_timeout))
    return jobs
