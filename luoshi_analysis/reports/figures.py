"""What a page shows of a year's figures: budget parts by denominator, indicator tiles and marks."""

from __future__ import annotations

import html
from typing import NamedTuple

import pandas as pd

from luoshi_analysis.reports.labels import bracket, format_figure, text


def share_base(label: str, lang: str) -> str:
    """Return what a share is of, for a title: "占收入总计的百分比", "% of total revenue"."""
    if lang == "en" and label[:2].istitle():
        label = label[0].lower() + label[1:]
    return text("share_base", lang, label=label)


class StructureParts(NamedTuple):
    """One side of the budget as its chart shows it, each part with one denominator."""

    total: pd.Series  # the side's total line
    parts: pd.DataFrame  # balance and subtotal, shares of the total (none in many budgets)
    base: pd.Series  # the line the categories split: this year's subtotal, else the total
    categories: pd.DataFrame  # the non-zero categories: shares of base
    zero: pd.DataFrame  # categories the report gives as none


def structure_parts(structure: pd.DataFrame) -> StructureParts:
    """Split one side of the budget (``budget_structure`` rows) into what its chart shows."""
    total = structure[structure["level"] == "total"].iloc[0]
    categories = structure[structure["level"] == "category"]
    parents = categories["parent_key"].dropna()
    by_key = structure.set_index("key")
    base = by_key.loc[parents.mode().iloc[0]] if len(parents) else total
    return StructureParts(
        total=total,
        parts=structure[structure["level"].isin(["balance", "subtotal"])],
        base=base,
        categories=categories[categories["amount"] > 0],
        zero=categories[categories["amount"] == 0],
    )


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
