"""Indicator figures on a page: which to chart, which to show as tiles, how an unreviewed one is marked."""

from __future__ import annotations

import html

import pandas as pd

from luoshi_analysis.reports.labels import bracket, format_figure, text


def split_section(indicators: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split one section's figures into those a chart compares and those shown as tiles.

    Figures of a unit that two or more figures of the section share are charted on one axis;
    a figure alone in its unit, and any rank (第N, where a shorter bar is the better place),
    reads better as a tile than as a one-bar chart.

    Returns:
        (charted rows, tile rows), each in the section's order.
    """
    ranked = indicators["qualifier"] == "rank"
    shared = indicators[~ranked].groupby("unit", sort=False)["key"].transform("size") > 1
    charted = indicators.index.isin(shared[shared].index)
    return indicators[charted], indicators[~charted]


def is_unreviewed(row: pd.Series) -> bool:
    """Whether no person has reviewed an indicator row yet (reviewed=false, as ingest leaves it)."""
    return "reviewed" in row and not bool(row["reviewed"])


def marked_name(row: pd.Series, lang: str) -> str:
    """Return an indicator's name in lang, marked when no person has reviewed the row yet."""
    name = str(row[f"name_{lang}"])
    return name + bracket(text("unreviewed", lang), lang) if is_unreviewed(row) else name


def shown_figure(row: pd.Series, lang: str) -> str:
    """Return an indicator's figure as a reader sees it (3245人, nearly 30,000 mu)."""
    return format_figure(row["value"], row["unit"], row["qualifier"], lang,
                         row["value_as_written"], row["source_fragment"])


def tiles_html(indicators: pd.DataFrame, lang: str, label: str = "") -> str:
    """Return figures as tiles: each a name and its figure in a definition list, as text.

    The figure is drawn large above its name (CSS), and read after it by a screen reader;
    an unreviewed figure carries a visible mark in lang.

    Args:
        indicators: Indicator rows.
        lang: "zh" or "en".
        label: What the tiles are, for assistive technology (aria-label), if anything.
    """
    items = []
    for _, row in indicators.iterrows():
        name = html.escape(str(row[f"name_{lang}"]))
        mark = ""
        if is_unreviewed(row):
            mark = f' <mark class="luoshi-unreviewed">{html.escape(text("unreviewed", lang))}</mark>'
        items.append(f'<div class="luoshi-tile"><dt>{name}{mark}</dt>'
                     f"<dd>{html.escape(shown_figure(row, lang))}</dd></div>")
    aria = f' aria-label="{html.escape(label)}"' if label else ""
    return f'<dl class="luoshi-tiles"{aria}>{"".join(items)}</dl>'
