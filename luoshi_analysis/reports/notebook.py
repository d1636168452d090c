"""Helpers the notebook templates call: parameter checks, titles, prose, figures and tables."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from luoshi_analysis.analysis.overview import overview_phase
from luoshi_analysis.core import config
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.core.load import as_year, document_years
from luoshi_analysis.core.provenance import read_source
from luoshi_analysis.reports.labels import (
    amount_unit,
    check_lang,
    has_prose,
    issuer_name,
    notebook_title,
    pick,
    prose,
    text,
)
from luoshi_analysis.reports.tables import (
    QUOTED_COLUMNS,
    indicator_table,
    share_table,
    statements_by_year_table,
    table_html,
    violations_table,
)

# The tables' functions live in reports.tables; templates and tests also find them here.
__all__ = ["QUOTED_COLUMNS", "NotebookContext", "indicator_table", "share_table", "start",
           "statements_by_year_table", "table_html", "violations_table"]

PNG_DPI = 144
# Figures of a run in JupyterLab go here (under outputs/), never over the published
# outputs/<year>/figures that `luoshi run` writes, unless the analyst passes that folder.
INTERACTIVE_SUBDIR = "interactive"
# Figure names of the year comparison, per side: (previous year, every year).
YEAR_FIGURES = {"revenue": ("revenue_change", "revenue_years"),
                "expenditure": ("spending_change", "expenditure_years")}


def report_title(year: int, notebook: str, lang: str, root: Path | None = None) -> str:
    """Return the page title: the unit named by the year's source record, its document, notebook."""
    source = read_source(year, root)
    kind = source.kind or ("budget" if source.phase == "budgeted" else "performance_evaluation")
    return text("report_title", lang, issuer=issuer_name(source, lang), year=year,
                document=pick("report_titles", kind, lang), name=notebook_title(notebook, lang))


def collection_title(year: int, notebook: str, lang: str) -> str:
    """Return the title of a page about every unit of the collection, for one year."""
    return text("collection_title", lang, year=year, name=notebook_title(notebook, lang))


def published_figures_dir(year: int) -> Path:
    """Return the folder `luoshi run` publishes a year's figures in: outputs/<year>/figures."""
    return config.outputs_dir() / str(year) / "figures"


def interactive_figures_dir(year: int) -> Path:
    """Return the folder an interactive run writes figures in: outputs/interactive/<year>/figures."""
    return config.outputs_dir() / INTERACTIVE_SUBDIR / str(year) / "figures"


def _display(obj) -> None:
    from IPython.display import display

    display(obj)


FIGURE_FORMATS = ("png", "svg")  # chart files a notebook can write


def parse_figure_formats(value: object) -> tuple[str, ...]:
    """Return the figure formats named in value ("png" or "png,svg"); png is always among them.

    Raises:
        ParameterError: a format other than png or svg, or none at all.
    """
    formats = {f.strip().lower() for f in str(value).split(",") if f.strip()}
    if not formats or not formats <= set(FIGURE_FORMATS):
        raise ParameterError(f"figure_formats {value!r} is not allowed; allowed: png, or png,svg")
    return tuple(f for f in FIGURE_FORMATS if f in formats | {"png"})


@dataclass
class NotebookContext:
    """What a notebook run needs after its parameters are checked."""

    year: int
    lang: str
    notebook: str
    figures_dir: Path
    data_root: Path | None
    issuer: str = ""  # the reporting unit's name in lang, from the year's source record
    interactive: bool = False  # figures go to the interactive folder, not the published one
    figure_formats: tuple[str, ...] = ("png",)  # files written per chart; png is always drawn
    phase: str | None = "executed"  # the year's overview: executed, budgeted (a budget only), None

    def title(self) -> None:
        """Show the notebook's heading (issuer, year, report) in its language."""
        from IPython.display import Markdown

        title = report_title(self.year, self.notebook, self.lang, self.data_root)
        _display(Markdown(f"# {html.escape(title, quote=False)}"))
        if self.interactive:
            self.say("figures_scratch", folder=self.figures_dir,
                     published=published_figures_dir(self.year))

    def prose(self, key: str) -> None:
        """Show a block of the notebook's prose in its language (text/<lang>.toml, [prose.*])."""
        from IPython.display import Markdown

        issuer = html.escape(self.issuer, quote=False)
        if self.phase == "budgeted" and has_prose(self.notebook, f"{key}_budgeted", self.lang):
            key = f"{key}_budgeted"  # a year with only its budget: the prose says so
        _display(Markdown(prose(self.notebook, key, self.lang, issuer=issuer)))

    def show(self, fig: Figure, name: str, alt: str | None = None) -> None:
        """Write a figure under the figures folder and display it: one PNG draw serves both.

        The page shows the PNG file's own bytes with ``alt`` as its text alternative (the
        ``reports.describe`` function of the chart says what it shows and its numbers; without
        one, the figure's title stands in). An SVG copy (a second draw) is written only when
        ``figure_formats`` asks for it. Files are written to a temporary name and renamed.
        """
        import io

        from IPython.display import Image

        from luoshi_analysis.core.atomic import write_bytes

        stem = self.figures_dir / f"{self.notebook}_{name}_{self.lang}"
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=PNG_DPI, pil_kwargs={"compress_level": 3})
        # figures are remade by any rerun: no flush to disk per file
        write_bytes(stem.with_suffix(".png"), png.getvalue(), fsync=False)
        written = [stem.with_suffix(".png").name]
        if "svg" in self.figure_formats:
            fig.set_layout_engine("none")  # laid out once; the SVG reuses it
            svg = io.BytesIO()
            fig.savefig(svg, format="svg", dpi=PNG_DPI)
            write_bytes(stem.with_suffix(".svg"), svg.getvalue(), fsync=False)
            written.append(stem.with_suffix(".svg").name)
        if alt is None:
            title = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
            alt = " ".join(title.split()) or name
        # {"image/png": {"alt": …}} becomes the page's alt (engine/templates/luoshi); the files
        # written are named so that the runner can check they are still there with the page
        _display(Image(data=png.getvalue(), format="png", alt=alt,
                       metadata={config.FIGURE_FILES_KEY: written}))

    def table(self, frame: pd.DataFrame, places: int = 2, figures: tuple[str, ...] = ()) -> None:
        """Display a table as escaped HTML in the notebook's language.

        Bilingual columns keep the notebook's language; numbers are right-aligned and show
        `places` decimals (never "-0.00"), except the columns named in `figures` (counts and
        measures: 18,000, not 18,000.00); text from the data is escaped; verbatim report text
        is marked as Chinese.
        """
        from IPython.display import HTML

        _display(HTML(table_html(frame, self.lang, places, figures)))

    def tiles(self, indicators: pd.DataFrame, label: str = "") -> None:
        """Display figures as tiles of text: each figure, large, above its name."""
        from IPython.display import HTML

        from luoshi_analysis.reports.figures import tiles_html

        if len(indicators):
            _display(HTML(tiles_html(indicators, self.lang, label)))

    def unreviewed(self, indicators: pd.DataFrame) -> None:
        """Say how many figures no person has reviewed yet, if any: their names are machine-made."""
        count = int((~indicators["reviewed"].astype(bool)).sum()) if len(indicators) else 0
        if count:
            from IPython.display import HTML

            _display(HTML(f'<p class="luoshi-unreviewed-note"><mark class="luoshi-unreviewed">'
                          f'{html.escape(text("unreviewed", self.lang))}</mark> '
                          f'{html.escape(text("unreviewed_note", self.lang, count=count))}</p>'))

    def section(self, indicators: pd.DataFrame) -> None:
        """Show one section of outcome figures: heading, a chart of those sharing a unit, tiles.

        Figures that share a unit with another of the section are charted together (one axis
        per unit); every other figure, and every rank, is a tile of text.
        """
        from luoshi_analysis.core.schema import SECTIONS
        from luoshi_analysis.reports import describe, plots
        from luoshi_analysis.reports.figures import split_section

        number = int(indicators["section"].iloc[0])
        _key, name_zh, name_en = SECTIONS[number]
        title = text("section_title", self.lang, section=number,
                     name=name_zh if self.lang == "zh" else name_en)
        self.heading(title, level=3)
        charted, tiles = split_section(indicators)
        if len(charted):
            self.show(plots.section_chart(charted, self.lang, self.issuer), f"section_{number}",
                      alt=describe.section_chart(charted, self.lang))
        self.tiles(tiles, label=title)

    def heading(self, title: str, level: int = 2) -> None:
        """Show a heading (escaped) in the page's outline."""
        from IPython.display import Markdown

        _display(Markdown(f"{'#' * level} {html.escape(title, quote=False)}"))

    def checks(self, checks: pd.DataFrame) -> None:
        """Display the checks with expected, found, difference and tolerance at their precision."""
        from luoshi_analysis.analysis.checks import formatted

        shown = formatted(checks)[["description_zh", "description_en", "expected", "found",
                                   "difference", "tolerance", "unit", "ok"]]
        self.table(shown.assign(unit=shown["unit"].map(lambda u: amount_unit(u, self.lang))))

    def previous_year(self, stated_earlier: bool = False) -> int | None:
        """Return the year before this one in the data, or say there is none and return None.

        Args:
            stated_earlier: Later reports' year-on-year clauses state an earlier year (shown
                after this), so that "nothing to compare" would not be true.
        """
        from luoshi_analysis.analysis.change import previous_year
        from luoshi_analysis.core.load import years

        found = previous_year(self.year, years(self.data_root))
        if found is None:
            key = "no_previous_report" if stated_earlier else "no_previous"
            self.say(key, year=self.year)
        return found

    def statement_checks(self, violations: pd.DataFrame) -> None:
        """Show the statements about this year that disagree, or one sentence that none do.

        Args:
            violations: Rows of ``statement_violations`` (any years); those about this year or
                stated by this year's report are shown.
        """
        mine = violations[(violations["year"] == self.year)
                          | (violations["other_report"] == self.year)]
        if mine.empty:
            self.say("statements_agree", year=self.year)
            return
        self.say("statements_disagree", count=len(mine))
        self.table(violations_table(mine, self.lang))

    def say(self, key: str, **values: object) -> None:
        """Show a short text (text/<lang>.toml, [text]) in the notebook's language, escaped."""
        from IPython.display import Markdown

        _display(Markdown(html.escape(text(key, self.lang, **values), quote=False)))

    def compare_years(self, direction: str) -> None:
        """Show how one side of the budget compares with earlier years.

        The previous year line by line (chart and table), then each line's amounts in every
        year the reports state, where more than one year is known.

        Args:
            direction: "revenue" or "expenditure".
        """
        from luoshi_analysis.analysis.change import budget_change
        from luoshi_analysis.analysis.overview import overview
        from luoshi_analysis.analysis.views import statements_by_year, statements_over_years
        from luoshi_analysis.reports import describe, plots

        change_figure, years_figure = YEAR_FIGURES[direction]
        self.prose("previous")
        by_year = statements_by_year(statements_over_years(self.data_root), direction, self.year)
        previous = self.previous_year(stated_earlier=bool((by_year["year"] < self.year).any()))
        if previous is not None:
            change = budget_change(overview(previous, self.data_root),
                                   overview(self.year, self.data_root), direction)
            self.show(plots.budget_change_chart(change, self.lang, self.issuer), change_figure,
                      alt=describe.budget_change_chart(change, self.lang))
            shares = {"share_previous_pct": f"share_of_{direction}_total_previous_pct",
                      "share_current_pct": f"share_of_{direction}_total_current_pct"}
            self.table(change[["label_zh", "label_en", "amount_previous", "amount_current",
                               "change", "change_pct", *shares]].rename(columns=shares))
        # two years, or an earlier one known only from a later report's year-on-year clause
        if by_year["year"].drop_duplicates().size > 1:
            self.prose("over_years")
            self.show(plots.statements_years_chart(by_year, self.lang, self.issuer), years_figure,
                      alt=describe.statements_years_chart(by_year, self.lang))
            self.table(statements_by_year_table(by_year, self.lang))

    def compare_indicators(self, indicators: pd.DataFrame) -> None:
        """Show the change of each indicator since the previous year (chart and table)."""
        from luoshi_analysis.analysis.change import indicator_change
        from luoshi_analysis.core.load import load_indicators
        from luoshi_analysis.reports import describe, plots

        self.prose("previous")
        previous = self.previous_year()
        if previous is None:
            return
        change = indicator_change(load_indicators(previous, self.data_root), indicators)
        if change["change_pct"].notna().any():
            self.show(plots.indicator_change_chart(change, self.lang, self.issuer),
                      "indicator_change", alt=describe.indicator_change_chart(change, self.lang))
        self.table(change[["section", "name_zh", "name_en", "unit", "value_previous",
                           "value_current", "change", "change_pct"]],
                   figures=("value_previous", "value_current", "change"))


def start(
    notebook: str, year: object, lang: object, output_dir: str = "", data_dir: str = "",
    figure_formats: str = "png",
) -> NotebookContext:
    """Check a notebook's parameters and return its context; fail at once on a bad value.

    Args:
        notebook: The template's name, e.g. "revenue_structure".
        year: The report year.
        lang: "zh" or "en".
        output_dir: Where figures go; "" means outputs/interactive/<year>/figures, so that a
            run in JupyterLab never replaces the published outputs/<year>/figures (which
            `luoshi run` passes here, as may an analyst who means to replace them).
        data_dir: The data folder; "" means the default.
        figure_formats: The figure files to write, comma-separated: "png" (the default; each
            chart is drawn once) or "png,svg" (vector copies too).

    Raises:
        UnknownYearError: the year has no data (the message lists the years that do).
        ParameterError: lang, a folder or a figure format is not allowed.
    """
    lang = check_lang(lang)
    formats = parse_figure_formats(figure_formats)
    data_root = Path(data_dir) if data_dir else None
    if data_root is not None and not data_root.is_dir():
        raise ParameterError(f"data_dir {data_dir!r} is not a folder")
    if data_root is not None:
        os.environ[config.DATA_ENV] = str(data_root.resolve())
    year = as_year(year, data_root, document_years(data_root))
    figures = Path(output_dir) if output_dir else interactive_figures_dir(year)
    issuer = issuer_name(read_source(year, data_root), lang)
    return NotebookContext(year, lang, notebook, figures, data_root, issuer, not output_dir,
                           formats, overview_phase(year, data_root))


