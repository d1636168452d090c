"""Helpers the notebook templates call: parameter checks, titles, prose, figures and tables."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from luoshi_analysis import config
from luoshi_analysis.errors import ParameterError
from luoshi_analysis.labels import (
    LANGS,
    NOTEBOOK_TITLES,
    amount_unit,
    check_lang,
    format_figure,
    format_number,
    issuer_name,
    localized_columns,
    notebook_title,
    prose,
    text,
    unit_label,
)
from luoshi_analysis.load import as_year
from luoshi_analysis.provenance import read_source

PNG_DPI = 144
# Figures of a run in JupyterLab go here (under outputs/), never over the published
# outputs/<year>/figures that `luoshi run` writes, unless the analyst passes that folder.
INTERACTIVE_SUBDIR = "interactive"
# Columns that quote the report verbatim: Chinese in every page, marked as such.
QUOTED_COLUMNS = ("source_fragment",)
TITLES = NOTEBOOK_TITLES  # kept for callers of the earlier name


def report_title(year: int, notebook: str, lang: str, root: Path | None = None) -> str:
    """Return the page title: the unit named by the year's source record, year, notebook."""
    issuer = issuer_name(read_source(year, root), lang)
    return text("report_title", lang, issuer=issuer, year=year,
                name=notebook_title(notebook, lang))


def published_figures_dir(year: int) -> Path:
    """Return the folder `luoshi run` publishes a year's figures in: outputs/<year>/figures."""
    return config.outputs_dir() / str(year) / "figures"


def interactive_figures_dir(year: int) -> Path:
    """Return the folder an interactive run writes figures in: outputs/interactive/<year>/figures."""
    return config.outputs_dir() / INTERACTIVE_SUBDIR / str(year) / "figures"


def _display(obj) -> None:
    from IPython.display import display

    display(obj)


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

    def title(self) -> None:
        """Show the notebook's heading (issuer, year, report) in its language."""
        from IPython.display import Markdown

        title = report_title(self.year, self.notebook, self.lang, self.data_root)
        _display(Markdown(f"# {html.escape(title, quote=False)}"))
        if self.interactive:
            self.say(*(text("figures_scratch", lang, folder=self.figures_dir,
                            published=published_figures_dir(self.year)) for lang in LANGS))

    def prose(self, key: str) -> None:
        """Show a block of the notebook's prose in its language only (see labels.PROSE)."""
        from IPython.display import Markdown

        issuer = html.escape(self.issuer, quote=False)
        _display(Markdown(prose(self.notebook, key, self.lang, issuer=issuer)))

    def show(self, fig: Figure, name: str) -> None:
        """Write a figure as SVG and PNG under the figures folder and display the PNG.

        Each format is drawn once: the page shows the PNG's own bytes (no third draw, no
        read-back). Files are written to a temporary name and renamed into place.
        """
        import io

        from IPython.display import Image

        from luoshi_analysis.atomic import write_bytes

        stem = self.figures_dir / f"{self.notebook}_{name}_{self.lang}"
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=PNG_DPI, pil_kwargs={"compress_level": 3})
        fig.set_layout_engine("none")  # laid out once; the SVG reuses it
        svg = io.BytesIO()
        fig.savefig(svg, format="svg", dpi=PNG_DPI)
        # figures are remade by any rerun: no flush to disk per file
        write_bytes(stem.with_suffix(".png"), png.getvalue(), fsync=False)
        write_bytes(stem.with_suffix(".svg"), svg.getvalue(), fsync=False)
        _display(Image(data=png.getvalue(), format="png"))

    def table(self, frame: pd.DataFrame, places: int = 2) -> None:
        """Display a table as escaped HTML in the notebook's language.

        Bilingual columns keep the notebook's language; numbers show `places` decimals (never
        "-0.00"); text from the data is escaped; verbatim report text is marked as Chinese.
        """
        from IPython.display import HTML

        _display(HTML(table_html(frame, self.lang, places)))

    def checks(self, checks: pd.DataFrame) -> None:
        """Display the checks with expected, found, difference and tolerance at their precision."""
        from luoshi_analysis.checks import formatted

        shown = formatted(checks)[["description_zh", "description_en", "expected", "found",
                                   "difference", "tolerance", "unit", "ok"]]
        self.table(shown.assign(unit=shown["unit"].map(lambda u: amount_unit(u, self.lang))))

    def previous_year(self) -> int | None:
        """Return the year before this one in the data, or say there is none and return None."""
        from luoshi_analysis.analysis import previous_year
        from luoshi_analysis.load import years

        found = previous_year(self.year, years(self.data_root))
        if found is None:
            self.say(*(text("no_previous", lang, year=self.year) for lang in LANGS))
        return found

    def say(self, zh: str, en: str) -> None:
        """Show a computed sentence in the notebook's language (escaped)."""
        from IPython.display import Markdown

        _display(Markdown(html.escape(zh if self.lang == "zh" else en, quote=False)))


def table_html(frame: pd.DataFrame, lang: str, places: int = 2) -> str:
    """Return a table as escaped HTML in lang: localized headings, units, fixed decimals, ✓/✗.

    Cells of QUOTED_COLUMNS (verbatim report text) carry lang="zh" so that an English page
    marks its Chinese quotations as such.
    """
    quoted = [c for c in QUOTED_COLUMNS if c in frame.columns]
    if "unit" in frame.columns:  # units as written (户, 万元) read as words in English
        frame = frame.assign(unit=frame["unit"].map(lambda u: unit_label(str(u), lang)))
    shown = localized_columns(frame, lang)
    quoted_shown = list(localized_columns(frame[quoted], lang).columns) if quoted else []
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_bool_dtype(values):
            cells = values.map({True: "✓", False: "✗"})
        elif pd.api.types.is_float_dtype(values):
            cells = values.map(lambda v: format_number(v, places))
        else:
            cells = values.map(lambda v: "" if pd.isna(v) else html.escape(str(v)))
            if column in quoted_shown:
                cells = cells.map(lambda v: f'<span lang="zh">{v}</span>' if v else v)
        shown[column] = cells
    shown.columns = [html.escape(str(c)) for c in shown.columns]
    return shown.to_html(index=False, escape=False, classes="luoshi-table", border=0)


def start(
    notebook: str, year: object, lang: object, output_dir: str = "", data_dir: str = ""
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

    Raises:
        UnknownYearError: the year has no data (the message lists the years that do).
        ParameterError: lang or a folder is not allowed.
    """
    lang = check_lang(lang)
    data_root = Path(data_dir) if data_dir else None
    if data_root is not None and not data_root.is_dir():
        raise ParameterError(f"data_dir {data_dir!r} is not a folder")
    if data_root is not None:
        os.environ[config.DATA_ENV] = str(data_root.resolve())
    year = as_year(year, data_root)
    figures = Path(output_dir) if output_dir else interactive_figures_dir(year)
    issuer = issuer_name(read_source(year, data_root), lang)
    return NotebookContext(year, lang, notebook, figures, data_root, issuer, not output_dir)


def indicator_table(indicators: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the indicators as a reader's table: section, name, figure with qualifier, source."""
    figures = [
        format_figure(r["value"], r["unit"], r["qualifier"], lang, r["value_as_written"],
                      r["source_fragment"])
        for _, r in indicators.iterrows()
    ]
    return indicators[["section", "name_zh", "name_en", "source_fragment"]].assign(
        figure=figures
    )[["section", "name_zh", "name_en", "figure", "source_fragment"]]
