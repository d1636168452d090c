"""The context of a collection-scope template (peers): its parameters checked, its sections shown."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from luoshi_analysis.analysis.overview import BUDGETED
from luoshi_analysis.analysis.peers import (
    as_peer_year,
    peer_change,
    peers_over_years,
    stated_categories,
)
from luoshi_analysis.core import config
from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.reports import peer_plots, peer_tables
from luoshi_analysis.reports.labels import check_lang, texts
from luoshi_analysis.reports.notebook import (
    INTERACTIVE_SUBDIR,
    NotebookContext,
    parse_figure_formats,
)


class Markup(str):
    """Text already escaped for a page (its Chinese marked), put into a sentence as it is."""

    __slots__ = ()


COLLECTION_SUBDIR = "collection"  # interactive figures of a collection: beside the units'


def interactive_collection_figures_dir(year: int) -> Path:
    """Return where an interactive run of a collection template writes its figures.

    outputs/interactive/collection/<year>/figures: never the published figures, and apart
    from the figures of any one unit.
    """
    return config.outputs_dir() / INTERACTIVE_SUBDIR / COLLECTION_SUBDIR / str(year) / "figures"


def _display(obj: object) -> None:
    from IPython.display import display

    display(obj)


@dataclass
class PeerContext(NotebookContext):
    """A notebook run over the units of a collection for one year."""

    collection: Path | None = None  # the collection folder (None: the configured one)

    def title(self) -> None:
        """Show the page's heading (the year's comparison) in its language."""
        from IPython.display import Markdown

        title = peer_plots.peer_text("title", self.lang, year=self.year)
        _display(Markdown(f"# {html.escape(title, quote=False)}"))
        if self.interactive:
            self.say_peers("figures_scratch", folder=self.figures_dir)

    def say_peers(self, key: str, **values: object) -> None:
        """Show a short text of the peers page ([peers] in text/<lang>.toml), escaped.

        A value that is ``Markup`` (already escaped, its Chinese marked) goes in as it is.
        """
        from IPython.display import Markdown

        template = html.escape(str(texts(self.lang)["peers"][key]), quote=False)
        shown = template.format(**{k: v if isinstance(v, Markup) else html.escape(str(v), quote=False)
                                   for k, v in values.items()})
        _display(Markdown(shown))

    def names(self, peers: pd.DataFrame) -> Markup:
        """Return the units' names as a list in a sentence; in English, Chinese names marked."""
        shown = []
        for row in peers.to_dict("records"):
            name = html.escape(peer_plots.unit_name(row, self.lang), quote=False)
            chinese = self.lang == "en" and peer_tables.CJK.search(name)
            shown.append(f'<span lang="zh">{name}</span>' if chinese else name)
        return Markup(peer_plots.peer_text("list_separator", self.lang).join(shown))

    def table(self, frame: pd.DataFrame, places: int = 2, figures: tuple[str, ...] = ()) -> None:
        """Display a reader's table (its cells already text), Chinese cells marked in English."""
        from IPython.display import HTML

        del places, figures  # the peers tables format their own numbers: amounts keep every decimal
        _display(HTML(peer_tables.table_html(frame, self.lang)))

    def units_compared(self, peers: pd.DataFrame) -> None:
        """Say which units the page compares; with fewer than two, that a comparison needs two."""
        if len(peers) < 2:
            self.say_peers("units_one", year=self.year, name=self.names(peers) or "—")
        else:
            self.say_peers("units_many", count=len(peers), year=self.year, names=self.names(peers))
        budgeted = int((peers["phase"] == BUDGETED).sum())
        if budgeted:
            self.say_peers("units_budgeted", count=budgeted, year=self.year)

    def structure(self, peers: pd.DataFrame, side: str) -> None:
        """Show one side's structure (chart and table), or say no unit splits that side."""
        if not stated_categories(peers, side):
            self.say_peers(f"none_stated_{side}", year=self.year)
            return
        self.show(peer_plots.structure_chart(peers, side, self.lang), f"{side}_structure")
        self.table(peer_tables.structure_table(peers, side, self.lang))

    def compare_previous(self, peers: pd.DataFrame) -> None:
        """Show each unit's totals against the year before (chart and table), where it has one."""
        change = peer_change(peers_over_years(self.collection), self.year)
        if change.empty:
            self.say_peers("no_previous", previous=self.year - 1, year=self.year)
            return
        self.show(peer_plots.change_chart(change, peers, self.lang), "change")
        self.table(peer_tables.change_table(change, self.lang))

    def flags(self, peers: pd.DataFrame) -> None:
        """List the units whose checks fail or whose figures are unreviewed, or say none are."""
        marked = peer_tables.flagged(peers)
        if marked.empty:
            self.say_peers("flags_none")
            return
        self.say_peers("flags_some", count=len(marked))
        self.table(peer_tables.flags_table(peers, self.lang))


def start(notebook: str, year: object, lang: object, output_dir: str = "",
          collection_dir: str = "", figure_formats: str = "png") -> PeerContext:
    """Check a collection template's parameters and return its context; fail at once on a bad one.

    Args:
        notebook: The template's name, e.g. "peers".
        year: The fiscal year; some unit of the collection must have it.
        lang: "zh" or "en".
        output_dir: Where figures go; "" means outputs/interactive/collection/<year>/figures.
        collection_dir: The collection folder; "" means the configured one.
        figure_formats: "png" or "png,svg".

    Raises:
        UnknownYearError: no unit has the year (the message lists the years some unit has).
        ParameterError: lang, the collection folder or a figure format is not allowed.
    """
    lang = check_lang(lang)
    formats = parse_figure_formats(figure_formats)
    collection = Path(collection_dir) if collection_dir else None
    if collection is not None and not collection.is_dir():
        raise ParameterError(f"collection_dir {collection_dir!r} is not a folder")
    year = as_peer_year(year, collection)
    figures = Path(output_dir) if output_dir else interactive_collection_figures_dir(year)
    return PeerContext(year, lang, notebook, figures, None, "", not output_dir, formats,
                       collection=collection)
