"""What a run will do: the units and years chosen, checked first, and a job per template and page.

Every chosen unit-year is validated before any kernel starts (its tables against their schemas,
its raw files against their hashes), so bad data is one line, not a dozen failed notebooks.
A template runs only where its document gives it something to show: the budget pages for a
year with an overview (executed, or a budget's), the spending page for one that says how the
money was used, the outcome page for a year with outcome figures; the others are recorded as
skipped, with the reason the unit's index shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from luoshi_analysis.analysis.overview import overview, overview_phase, spending_lines
from luoshi_analysis.core.collection import Unit
from luoshi_analysis.core.errors import ParameterError, UnknownYearError
from luoshi_analysis.core.load import (
    document_years,
    load_budget,
    load_indicators,
    load_statements,
    years,
)
from luoshi_analysis.engine.jobs import Job, Template, declared_parameters

COLLECTION_FOLDER = "collection"  # <outputs>/collection/<year>/: pages about every unit


@dataclass(frozen=True)
class Skip:
    """A template not run for a unit's year, and why (a key of [text] in reports/text)."""

    unit: str
    year: int
    notebook: str
    reason: str  # "no_overview", "no_spending" or "no_indicators"


@dataclass
class Plan:
    """The jobs of a run, and the templates it leaves out for a unit's year."""

    jobs: list[Job] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    years: dict[str, list[int]] = field(default_factory=dict)  # unit name -> years it runs


@dataclass(frozen=True)
class JobOptions:
    """What every job of a run shares."""

    langs: tuple[str, ...]
    outputs: Path
    collection: Path
    with_code: bool
    cell_timeout: float | None
    extra: dict[str, object]


def validate_year(year: int, root: Path) -> None:
    """Load a unit-year's tables, so that bad data stops the run before it starts (one line)."""
    if year in years(root):
        load_budget(year, root)
    load_indicators(year, root)
    load_statements(year, root)


def chosen_years(units: list[Unit], wanted: tuple[int, ...] | None) -> dict[str, list[int]]:
    """Return the years to run per unit: all its documents' years, or those of ``wanted``.

    Raises:
        UnknownYearError: a wanted year no unit of the collection has.
    """
    available = {unit.name: document_years(unit.folder) for unit in units}
    if not wanted:
        return available
    every = sorted({y for found in available.values() for y in found})
    missing = [y for y in wanted if y not in every]
    if missing:
        raise UnknownYearError(str(missing[0]), every)
    return {name: [y for y in found if y in wanted] for name, found in available.items()}


def _gives_something(template: Template, year: int, root: Path) -> str:
    """Return "" when the template has something to show for the year, else the reason not."""
    if template.needs == "indicators":
        return "" if not load_indicators(year, root).empty else "no_indicators"
    if not overview_phase(year, root):
        return "no_overview"
    if template.needs == "spending" and not spending_lines(overview(year, root)):
        return "no_spending"
    return ""


def _job(template: Template, year: int, lang: str, out_dir: Path, options: JobOptions,
         unit: Unit | None) -> Job:
    parameters: dict[str, object] = {"year": year, "lang": lang,
                                     "output_dir": str(out_dir / "figures")}
    if unit is not None:
        parameters["data_dir"] = str(unit.folder)
    else:
        parameters["collection_dir"] = str(options.collection)
    return Job(year, template.name, lang, template.path, out_dir,
               {**parameters, **options.extra}, options.with_code, options.cell_timeout,
               unit.name if unit else "")


def _check_extra(templates: list[Template], extra: dict[str, object]) -> None:
    """Refuse a -p parameter that a template to run does not declare."""
    for template in templates if extra else []:
        declared = declared_parameters(template.path)
        not_declared = [p for p in extra if p not in declared]
        if not_declared:
            raise ParameterError(
                f"notebook {template.name!r} has no parameter {not_declared[0]!r}; "
                f"it declares: {', '.join(declared)}")


def plan(units: list[Unit], wanted_years: tuple[int, ...] | None, templates: list[Template],
         options: JobOptions) -> Plan:
    """Return the jobs to run, every chosen unit-year validated first.

    Args:
        units: The units to run (each with its data folder).
        wanted_years: The years asked for (None: every year of every unit).
        templates: The report templates to run.
        options: Languages, folders and what every job shares.

    Raises:
        UnknownYearError: a year no unit has.
        ParameterError: a -p parameter a template does not declare.
        LuoshiError: a unit-year's data is broken (its one-line error).
    """
    _check_extra(templates, options.extra)
    result = Plan(years=chosen_years(units, wanted_years))
    for unit in units:
        for year in result.years[unit.name]:
            validate_year(year, unit.folder)
    for template in templates:
        if template.scope == "collection":
            covered = sorted({y for unit in units for y in result.years[unit.name]
                              if overview_phase(y, unit.folder)})
            result.jobs += [_job(template, year, lang,
                                 options.outputs / COLLECTION_FOLDER / str(year), options, None)
                            for year in covered for lang in options.langs]
            continue
        for unit in units:
            for year in result.years[unit.name]:
                reason = _gives_something(template, year, unit.folder)
                if reason:
                    result.skips.append(Skip(unit.name, year, template.name, reason))
                    continue
                out_dir = options.outputs / unit.slug / str(year)
                result.jobs += [_job(template, year, lang, out_dir, options, unit)
                                for lang in options.langs]
    return result
