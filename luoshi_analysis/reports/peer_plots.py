"""Charts of a collection's units side by side: structure, ratios against the median, change."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from luoshi_analysis.analysis.overview import BUDGETED
from luoshi_analysis.analysis.peers import (
    EXPENDITURE_CATEGORIES,
    REVENUE_CATEGORIES,
    share_column,
    stated_categories,
)
from luoshi_analysis.analysis.ratios import BUDGET_PHASE_RATIOS, RATIOS
from luoshi_analysis.core.numbers import format_number
from luoshi_analysis.reports.fonts import use_cjk_font
from luoshi_analysis.reports.labels import line_label, pick, texts
from luoshi_analysis.reports.plots import ems, wrap

use_cjk_font()

WIDTH_IN = 10.0
ROW_IN = 0.32  # height of one unit's row: the figure grows with the units
FONT = 9
CHECKS_MARK, UNREVIEWED_MARK = "▲", "◇"
NEUTRAL = "#4a4a4a"
# One colour per category, in the order of the overview's lines; light ones take dark text.
PALETTE = ("#1f6fb2", "#6baed6", "#08306b", "#9ecae1", "#756bb1", "#e6550d", "#fdae6b",
           "#31a354", "#a1d99b", "#9e9e9e")
LIGHT = {"#6baed6", "#9ecae1", "#fdae6b", "#a1d99b", "#9e9e9e"}
MIN_LABELLED_SHARE = 8.0  # a segment narrower than this (in %) carries no number
# The ratios of the dot plot: (column of the peers table, its definition in analysis.ratios).
DOT_RATIOS = (
    ("expenditure_project_pct_of_expenditure_current_year",
     next(r for r in RATIOS if r.key == "project_spending_share")),
    ("carryforward_rate_pct", next(r for r in RATIOS if r.key == "carryforward_rate")),
    ("budget_execution_rate_pct",
     next(r for r in BUDGET_PHASE_RATIOS if r.key == "budget_execution_rate")),
)


def peer_text(key: str, lang: str, **values: object) -> str:
    """Return a short text of the peers page in a language (text/<lang>.toml, [peers])."""
    return str(texts(lang)["peers"][key]).format(**values)


def unit_name(row: pd.Series | dict, lang: str) -> str:
    """Return a unit's name in a language: its English name where known, else as reported."""
    english = row.get("unit_en") or ""
    return str(english) if lang == "en" and english else str(row["unit"])


def fails_checks(row: pd.Series | dict) -> bool:
    """Whether a unit's checks fail (a budgeted row has none to fail)."""
    value = row.get("checks_ok")
    return value is not None and not pd.isna(value) and not bool(value)


def unit_label(row: pd.Series | dict, lang: str) -> str:
    """Return a unit's label in a chart: its name, (budget) where budgeted, and its marks."""
    label = unit_name(row, lang)
    if row["phase"] == BUDGETED:
        label += peer_text("budget_suffix", lang)
    marks = (CHECKS_MARK if fails_checks(row) else "") + (
        UNREVIEWED_MARK if int(row.get("rows_unreviewed") or 0) else "")
    return f"{label} {marks}" if marks else label


def marks_note(frame: pd.DataFrame, lang: str) -> str:
    """Return the note naming the marked units: failing checks, unreviewed figures, budgets."""
    sep = peer_text("list_separator", lang)
    rows = frame.to_dict("records")
    notes = []
    for key, chosen in (("mark_checks", [r for r in rows if fails_checks(r)]),
                        ("mark_unreviewed", [r for r in rows if int(r["rows_unreviewed"] or 0)]),
                        ("mark_budget", [r for r in rows if r["phase"] == BUDGETED])):
        if chosen:
            notes.append(_wrap_list(peer_text(key, lang, names="\0").split("\0"),
                                    [unit_name(r, lang) for r in chosen], sep))
    return "\n".join(notes)


def _wrap_list(around: list[str], names: list[str], sep: str, width_in: float = WIDTH_IN - 0.4,
               fontsize: float = 8.5) -> str:
    """Return a sentence naming units, broken into lines between names, never inside one."""
    limit = width_in * 72 / fontsize
    lines, line = [], around[0]
    for i, name in enumerate(names):
        piece = name + (sep if i < len(names) - 1 else "".join(around[1:]))
        if line.strip() and ems(line) + ems(piece.rstrip()) > limit:
            lines.append(line.rstrip())
            line = ""
        line += piece
    lines.append(line.rstrip())
    return "\n".join(lines)


def _figure(rows: int, extra_in: float) -> Figure:
    """Return a figure whose height grows with the units it shows."""
    return Figure(figsize=(WIDTH_IN, ROW_IN * max(rows, 1) + extra_in), layout="constrained")


def _note_lines(note: str) -> int:
    return note.count("\n") + 1 if note else 0


def _finish(fig: Figure, title: str, note: str) -> None:
    """Title the figure and put the note under it, in the space the layout keeps."""
    fig.suptitle(wrap(title, WIDTH_IN - 0.4, 12), fontsize=12)
    if note:
        fig.supxlabel(note, x=0.01, ha="left", fontsize=8.5, color=NEUTRAL)


def _plain(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _legend_columns(labels: Sequence[str], fontsize: float) -> int:
    """Return how many legend entries fit side by side across the figure."""
    widest = max((ems(s) for s in labels), default=1) * fontsize / 72 + 0.45
    return max(1, min(len(labels), int((WIDTH_IN - 0.4) // widest)))


def _segments(ax: Axes, values: list[float], left: list[float], color: str,
              budgeted: list[bool]) -> None:
    """Draw one category's segment of every unit's bar; a budget's is hatched."""
    positions = list(range(len(values)))[::-1]
    bars = ax.barh(positions, values, left=left, color=color, edgecolor="white", height=0.7)
    labels = ax.bar_label(bars, labels=[format_number(v, 1) if v >= MIN_LABELLED_SHARE else ""
                                        for v in values], label_type="center", fontsize=7.5,
                          color="#222222" if color in LIGHT else "white")
    for bar, label, hatched in zip(bars, labels, budgeted, strict=True):
        if hatched:  # a budget, not final accounts: hatched, its number on a plain ground
            bar.set_hatch("//")
            label.set_color("#222222")
            label.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 0.8})


def structure_chart(peers: pd.DataFrame, side: str, lang: str = "zh") -> Figure:
    """Chart each unit's categories as shares of its year's revenue or spending, side by side.

    One stacked bar per unit, sorted by the share of the first category; a unit whose report
    does not split the subtotal gets a note instead of a bar. Failing checks, unreviewed
    figures and budgeted rows are marked in the unit's label and named under the chart.

    Args:
        peers: Rows of ``peers`` (one year).
        side: "revenue" or "expenditure".
        lang: "zh" or "en".
    """
    keys = REVENUE_CATEGORIES if side == "revenue" else EXPENDITURE_CATEGORIES
    whole = f"{side}_current_year"
    shown = stated_categories(peers, side)
    shares = peers[[share_column(k, whole) for k in shown]].fillna(0).to_numpy().tolist()
    order = peers.iloc[sorted(range(len(peers)), key=lambda i: [-v for v in shares[i]])]
    note = marks_note(peers, lang)
    fig = _figure(len(order), 1.5 + 0.2 * _note_lines(note))
    ax = fig.subplots()
    left = [0.0] * len(order)
    for key in shown:
        values = order[share_column(key, whole)].fillna(0).tolist()
        _segments(ax, values, left, PALETTE[keys.index(key) % len(PALETTE)],
                  list(order["phase"] == BUDGETED))
        left = [a + b for a, b in zip(left, values, strict=True)]
    positions = list(range(len(order)))[::-1]
    for position, total in zip(positions, left, strict=True):
        if not total:
            ax.text(1, position, peer_text("not_stated", lang), va="center", fontsize=8,
                    color=NEUTRAL)
    ax.set_yticks(positions, [unit_label(r, lang) for r in order.to_dict("records")],
                  fontsize=FONT)
    ax.set(ylim=(-0.6, len(order) - 0.4), xlim=(0, 100))
    ax.set_xlabel(peer_text("share_axis", lang), fontsize=FONT)
    _plain(ax)
    if shown:
        names = [line_label(k, lang) for k in shown]
        ax.legend([Patch(facecolor=PALETTE[keys.index(k) % len(PALETTE)]) for k in shown], names,
                  loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=8.5,
                  ncols=_legend_columns(names, 8.5), borderaxespad=0.3)
    _finish(fig, peer_text(f"{side}_title", lang, year=int(peers["year"].iloc[0])), note)
    return fig


def _median(values: pd.Series) -> float | None:
    """Return the median of two or more values, else None."""
    present = values.dropna()
    return float(present.median()) if len(present) >= 2 else None


def _dot_panel(ax: Axes, rows: pd.DataFrame, column: str, name: str, lang: str) -> None:
    """Draw one ratio: a dot per unit, hollow where budgeted, a vertical line at the median."""
    positions = list(range(len(rows)))[::-1]
    executed = rows["phase"] != BUDGETED
    median = _median(rows.loc[executed, column])
    values = rows[column].tolist()
    present = [v for v in values if not math.isnan(v)]
    low, high = (min(present + [median or 0]), max(present + [median or 0])) if present else (0, 1)
    span = max(high - low, 1.0)
    ax.set_xlim(low - 0.08 * span, high + 0.45 * span)
    if median is not None:
        ax.axvline(median, color=NEUTRAL, linewidth=1, linestyle="--")
    for position, value, is_executed in zip(positions, values, executed, strict=True):
        if math.isnan(value):
            continue
        ax.plot([value], [position], marker="o", markersize=6, linestyle="",
                color="#1f6fb2", markerfacecolor="#1f6fb2" if is_executed else "white")
        ax.text(value + 0.04 * span, position, f"{format_number(value, 1)}%", va="center",
                fontsize=7.5)
    median_text = (peer_text("median", lang, value=format_number(median, 1))
                   if median is not None else peer_text("no_median", lang))
    ax.set_title(wrap(f"{name}\n{median_text}", 2.6, 9), fontsize=9, loc="left")
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.tick_params(axis="x", labelsize=8)
    ax.grid(axis="y", color="#eeeeee", linewidth=0.6)
    _plain(ax)


def ratio_chart(peers: pd.DataFrame, lang: str = "zh") -> Figure:
    """Chart the ratios of each unit as dots against the median of the units with final accounts.

    Project spending share, carry-forward rate and budget execution rate, one panel each where
    some unit's report allows it; units keep one order (by project spending share) across the
    panels.

    Args:
        peers: Rows of ``peers`` (one year).
        lang: "zh" or "en".
    """
    order = peers.sort_values(DOT_RATIOS[0][0], ascending=False, na_position="last",
                              kind="stable")
    note_parts = [wrap(peer_text("hollow_note", lang), WIDTH_IN - 0.4, 8.5)]
    if order["budget_execution_rate_pct"].notna().any():
        note_parts.append(wrap(peer_text("execution_scope_note", lang), WIDTH_IN - 0.4, 8.5))
    marks = marks_note(peers, lang)
    note = "\n".join(note_parts + ([marks] if marks else []))
    fig = _figure(len(order), 1.9 + 0.2 * _note_lines(note))
    shown = [(c, r) for c, r in DOT_RATIOS if order[c].notna().any()] or list(DOT_RATIOS[:1])
    axes = fig.subplots(1, len(shown), sharey=True, squeeze=False)[0]
    for ax, (column, ratio) in zip(axes, shown, strict=True):
        _dot_panel(ax, order, column, ratio.name_zh if lang == "zh" else ratio.name_en, lang)
    positions = list(range(len(order)))[::-1]
    axes[0].set_yticks(positions, [unit_label(r, lang) for r in order.to_dict("records")],
                       fontsize=FONT)
    year = int(peers["year"].iloc[0])
    _finish(fig, peer_text("ratios_title", lang, year=year), note)
    return fig


CHANGE_CHART_KEYS = ("revenue_total", "expenditure_current_year")


def change_chart(change: pd.DataFrame, peers: pd.DataFrame, lang: str = "zh") -> Figure:
    """Chart each unit's change of total revenue and of this year's spending, in %.

    Args:
        change: Rows of ``peer_change`` (units with both years in the same phase).
        peers: Rows of ``peers`` of the later year (for the units' marks).
        lang: "zh" or "en".
    """
    by_unit = {r["unit"]: r for r in peers.to_dict("records")}
    keys = [k for k in CHANGE_CHART_KEYS if (change["key"] == k).any()]
    first = change[change["key"] == keys[0]].sort_values("change_pct", ascending=False)
    units = list(dict.fromkeys(list(first["unit"]) + list(change["unit"])))
    note = marks_note(peers[peers["unit"].isin(units)], lang)
    fig = _figure(len(units), 1.7 + 0.2 * _note_lines(note))
    axes = fig.subplots(1, len(keys), sharey=True, squeeze=False)[0]
    positions = dict(zip(units, range(len(units) - 1, -1, -1), strict=True))
    for ax, key in zip(axes, keys, strict=True):
        rows = change[change["key"] == key]
        values = rows["change_pct"].tolist()
        ax.barh([positions[u] for u in rows["unit"]], values, height=0.6,
                color=["#31a354" if v >= 0 else "#e6550d" for v in values])
        low, high = min(values + [0.0]), max(values + [0.0])
        span = max(high - low, 1.0)
        ax.set_xlim(low - 0.35 * span * (low < 0), high + 0.35 * span)
        for position, value in zip([positions[u] for u in rows["unit"]], values, strict=True):
            ax.text(value + (0.02 if value >= 0 else -0.02) * span, position,
                    f"{format_number(value, 1, sign=True)}%", va="center",
                    ha="left" if value >= 0 else "right", fontsize=7.5)
        ax.axvline(0, color=NEUTRAL, linewidth=0.8)
        ax.set_title(line_label(key, lang), fontsize=9, loc="left")
        ax.set_xlabel(peer_text("change_axis", lang), fontsize=8)
        ax.set_ylim(-0.6, len(units) - 0.4)
        _plain(ax)
    axes[0].set_yticks(list(positions.values()),
                       [unit_label(by_unit[u], lang) if u in by_unit else u for u in positions],
                       fontsize=FONT)
    a, b = int(change["year_previous"].iloc[0]), int(change["year"].iloc[0])
    _finish(fig, peer_text("change_title", lang, a=a, b=b), note)
    return fig


def phase_name(phase: str, lang: str) -> str:
    """Return a row's phase as a reader reads it (决算, 预算; final accounts, budget)."""
    return pick("peer_phases", phase, lang)
