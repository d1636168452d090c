"""Helpers the notebook templates call: parameter checks, titles, figures and tables."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from luoshi_analysis import config
from luoshi_analysis.errors import ParameterError
from luoshi_analysis.labels import LANGS, check_lang, format_figure, localized_columns, text
from luoshi_analysis.load import as_year

PNG_DPI = 144

TITLES = {
    "revenue_structure": ("收入结构", "Revenue structure"),
    "spending_mix": ("支出结构", "Spending mix"),
    "outcome_indicators": ("绩效成效指标", "Outcome indicators"),
}


def report_title(year: int, notebook: str, lang: str) -> str:
    """Return the page title: town, year, report and notebook."""
    zh, en = TITLES.get(notebook, (notebook, notebook))
    if lang == "zh":
        return f"{config.TOWN_ZH}{year}年部门整体支出绩效评价报告 · {zh}"
    return f"{config.TOWN_EN} {year} performance evaluation report · {en}"


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

    def title(self) -> None:
        """Show the notebook's heading (town, year, report) in its language."""
        from IPython.display import Markdown

        _display(Markdown(f"# {html.escape(report_title(self.year, self.notebook, self.lang))}"))

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

    def table(self, frame: pd.DataFrame, float_format: str = "{:,.2f}") -> None:
        """Display a table as escaped HTML in the notebook's language.

        Bilingual columns keep the notebook's language; text from the data is escaped.
        """
        from IPython.display import HTML

        shown = localized_columns(frame, self.lang)
        for column in shown.columns:
            if pd.api.types.is_bool_dtype(shown[column]):
                shown[column] = shown[column].map({True: "✓", False: "✗"})
            elif pd.api.types.is_float_dtype(shown[column]):
                shown[column] = shown[column].map(
                    lambda v: "" if pd.isna(v) else float_format.format(v))
        _display(HTML(shown.to_html(index=False, escape=True, classes="luoshi-table", border=0)))

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

        _display(Markdown(html.escape(zh if self.lang == "zh" else en)))


def start(
    notebook: str, year: object, lang: object, output_dir: str = "", data_dir: str = ""
) -> NotebookContext:
    """Check a notebook's parameters and return its context; fail at once on a bad value.

    Args:
        notebook: The template's name, e.g. "revenue_structure".
        year: The report year.
        lang: "zh" or "en".
        output_dir: Where figures go; "" means outputs/<year>/figures.
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
    figures = Path(output_dir) if output_dir else config.outputs_dir() / str(year) / "figures"
    return NotebookContext(year, lang, notebook, figures, data_root)


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
