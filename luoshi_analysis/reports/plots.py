"""Chart functions: tidy frames in, matplotlib Figures out (no files, no global state)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import cast

import pandas as pd
from matplotlib.figure import Figure

from luoshi_analysis.core.money import exact_sum
from luoshi_analysis.core.numbers import format_number
from luoshi_analysis.core.schema import SECTIONS
from luoshi_analysis.reports.figures import marked_name, share_base, structure_parts
from luoshi_analysis.reports.fonts import use_cjk_font
from luoshi_analysis.reports.labels import bracket, format_figure, text, unit_label

use_cjk_font()

COLORS = {
    "carry": "#9e9e9e",
    "revenue": "#1f6fb2",
    "revenue_alt": "#6baed6",
    "basic": "#e6550d",
    "project": "#31a354",
    "neutral": "#4a4a4a",
}
QUALIFIED_HATCH = "///"
ISSUER_LINE_IN = 0.25  # room for the issuer's name above a title, in inches
MAX_CHANGE_BARS = 30  # more bars than this stop being readable; the table beside has all


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _titled(title: str, issuer: str) -> str:
    """Return a chart title with the reporting unit's name on a line above it, if given."""
    return f"{issuer}\n{title}" if issuer else title


def _footnote(fig: Figure, note: str) -> None:
    """Put a note under the whole figure, in the space the layout keeps for it.

    A plain fig.text is not seen by the constrained layout, which then draws the lowest
    axis label over it; supxlabel is laid out below every axis.
    """
    fig.supxlabel(note, x=0.01, ha="left", fontsize=8.5, color=COLORS["neutral"])


def wrap(label: str, width_in: float, fontsize: float) -> str:
    """Break a label into lines no wider than width_in: between words, or between CJK glyphs."""
    limit = width_in * 72 / fontsize
    lines, line = [], ""
    for word in re.findall(r"[\u2e80-\uffff]\s*|[^\s\u2e80-\uffff]+\s*", label):
        if line and ems(line) + ems(word.rstrip()) > limit:
            lines.append(line.rstrip())
            line = ""
        line += word
    lines.append(line.rstrip())
    return "\n".join(lines)


def _plain(ax) -> None:
    """Drop the top and right frame lines."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _hbar(ax, names: Sequence[str] | pd.Series, values: Sequence[float] | pd.Series,
          notes: Sequence[str],
          colors: Sequence[str] | str, hatches: Sequence[str] | None = None) -> None:
    """Draw labelled horizontal bars, top to bottom in the order given."""
    positions = list(range(len(names)))[::-1]
    bars = ax.barh(positions, values, color=colors, edgecolor="white")
    for bar, hatch in zip(bars, hatches or [""] * len(bars), strict=True):
        if hatch:
            bar.set_hatch(hatch)
            bar.set_edgecolor("#333333")
    ax.set_yticks(positions, names)
    ax.bar_label(bars, labels=list(notes), padding=4, fontsize=9)
    ax.margins(x=0.35)
    _plain(ax)


_bracket = bracket


def _share_note(row: pd.Series, lang: str) -> str:
    """Return '2,018.84 · 49.09% (stated 49.09%)': the share is of the panel's denominator."""
    note = format_number(row["amount"])
    if pd.notna(row.get("share_of_parent_pct")):
        note += f" · {format_number(row['share_of_parent_pct'])}%"
    if pd.notna(row.get("stated_share_pct")):
        note += _bracket(f"{text('stated', lang)} {format_number(row['stated_share_pct'])}%", lang)
    return note


def _structure_chart(structure: pd.DataFrame, lang: str, issuer: str, side: str) -> Figure:
    """Chart one side of the budget in panels, each of shares of one named denominator.

    The upper panel (where the report states them) splits the total into the carry-over or
    carry-forward and this year's subtotal; the lower one splits the subtotal (or, without
    one, the total) by category.
    """
    year = int(structure["year"].iloc[0])
    name = f"label_{lang}"
    found = structure_parts(structure)
    parts, present, zero = found.parts, found.categories, found.zero
    colors = {"revenue": [COLORS["revenue_alt"]] * len(present),
              "expenditure": [COLORS["basic"] if k == "expenditure_basic" else COLORS["project"]
                              for k in present["key"]]}[side]
    height = 1.9 + 0.42 * (len(parts) + len(present)) + (ISSUER_LINE_IN if issuer else 0)
    fig = _figure(10, height + (0.3 if len(zero) else 0))
    panels = [(parts, found.total, f"{side}_parts")] if len(parts) else []
    panels.append((present, found.base, f"{side}_categories"))
    axes = fig.subplots(len(panels), 1, height_ratios=[max(len(p), 1) for p, _b, _k in panels],
                        squeeze=False)[:, 0]
    for ax, (rows, base, key) in zip(axes, panels, strict=True):
        shades = colors if rows is present else [
            COLORS["carry"] if lv == "balance" else COLORS["revenue"] for lv in rows["level"]]
        _hbar(ax, rows[name], rows["amount"], [_share_note(r, lang) for _, r in rows.iterrows()],
              shades)
        ax.set_title(text(key, lang) + _bracket(share_base(str(base[name]), lang), lang),
                     loc="left", fontsize=11)
    axes[-1].set_xlabel(text("amount_axis", lang))
    if len(zero):
        sep = "、" if lang == "zh" else ", "
        _footnote(fig, text("zero_note", lang, labels=sep.join(zero[name])))
    total = found.total
    fig.suptitle(_titled(f"{text(f'{side}_title', lang, year=year)} — {total[name]} "
                         f"{format_number(float(total['amount']))}", issuer), fontsize=13)
    return fig


def revenue_chart(structure: pd.DataFrame, lang: str = "zh", issuer: str = "") -> Figure:
    """Chart where the money came from: carry-over vs this year's revenue, then by category.

    Each panel's shares are of one denominator, named in its title (收入总计, 本年收入合计).

    Args:
        structure: Rows of ``revenue_structure`` (one side of the budget, with shares).
        lang: "zh" or "en".
        issuer: The reporting unit's name (from the source record), drawn above the title.
    """
    return _structure_chart(structure, lang, issuer, "revenue")


def spending_chart(structure: pd.DataFrame, lang: str = "zh", issuer: str = "") -> Figure:
    """Chart how the money was used: this year's spending vs carry-forward, then by category.

    Each panel's shares are of one denominator, named in its title (支出总计, 本年支出合计):
    the shares of one panel add up to 100 %.

    Args:
        structure: Rows of ``spending_mix`` (the expenditure side, with shares).
        lang: "zh" or "en".
        issuer: The reporting unit's name (from the source record), drawn above the title.
    """
    return _structure_chart(structure, lang, issuer, "expenditure")


def sources_uses_chart(flows: pd.DataFrame, lang: str = "zh", issuer: str = "") -> Figure:
    """Chart sources beside uses as two stacked columns of equal height when the year balances.

    Args:
        flows: Rows of ``sources_and_uses`` (non-zero leaf lines of both sides).
        lang: "zh" or "en".
        issuer: The reporting unit's name (from the source record), drawn above the title.
    """
    year = int(flows["year"].iloc[0])
    palette = [COLORS["carry"], COLORS["revenue"], COLORS["revenue_alt"], COLORS["basic"],
               COLORS["project"], "#bdbdbd", "#756bb1", "#fd8d3c"]
    fig = _figure(8, 6)
    ax = fig.subplots()
    color_at = 0
    for column, direction in enumerate(("revenue", "expenditure")):
        side = flows[flows["direction"] == direction]
        bottom = 0.0
        for _, row in side.iterrows():
            color = COLORS["carry"] if "carry" in row["key"] else palette[1 + color_at % 7]
            color_at += 0 if "carry" in row["key"] else 1
            ax.bar(column, row["amount"], bottom=bottom, color=color, edgecolor="white", width=0.6)
            ax.text(column, bottom + row["amount"] / 2,
                    f"{row[f'label_{lang}']}\n{row['amount']:,.2f}",
                    ha="center", va="center", fontsize=9, color="white")
            bottom = exact_sum([bottom, row["amount"]])
        ax.text(column, bottom, format_number(bottom), ha="center", va="bottom", fontsize=10)
    ax.set_xticks([0, 1], [text("sources", lang), text("uses", lang)])
    ax.set_ylabel(text("amount_axis", lang))
    _plain(ax)
    fig.suptitle(_titled(text("sources_uses_title", lang, year=year), issuer), fontsize=13)
    return fig


def ratios_chart(ratios: pd.DataFrame, lang: str = "zh", issuer: str = "") -> Figure:
    """Chart the spending ratios the report allows, in %.

    Args:
        ratios: Rows of ``spending_ratios``.
        lang: "zh" or "en".
        issuer: The reporting unit's name (from the source record), drawn above the title.
    """
    year = int(ratios["year"].iloc[0])
    fig = _figure(10, 0.5 * len(ratios) + 1.4)
    ax = fig.subplots()
    _hbar(ax, ratios[f"name_{lang}"], ratios["value_pct"],
          [f"{v:.2f}%" for v in ratios["value_pct"]], COLORS["revenue"])
    ax.set_xlabel(text("share_axis", lang))
    fig.suptitle(_titled(text("ratios_title", lang, year=year), issuer), fontsize=13)
    return fig


def ems(text_: str) -> float:
    """Estimate the printed width of a text in ems (CJK glyphs are one em, Latin ~0.56)."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.56 for ch in text_)


def _label_width_in(labels: Sequence[str] | pd.Series, fontsize: float) -> float:
    """Estimate the printed width of the widest label in inches."""
    return max((ems(str(t)) for t in labels), default=0) * fontsize / 72


def section_chart(indicators: pd.DataFrame, lang: str = "zh", issuer: str = "") -> Figure:
    """Chart one section's figures: one axis per unit, so only like units share an axis.

    Qualified figures (余, 近, 共达, 以上) are hatched and their labels say so; an axis whose
    figures are all whole numbers (counts) has whole-number ticks; an unreviewed figure's
    name is marked. Axes are placed by measure rather than by a layout engine: these charts
    come many to a notebook. ``figures.split_section`` chooses the figures worth charting.

    Args:
        indicators: The indicator rows of one section.
        lang: "zh" or "en".
        issuer: The reporting unit's name (from the source record), drawn above the title.
    """
    from matplotlib.ticker import MaxNLocator

    section = int(indicators["section"].iloc[0])
    _key, name_zh, name_en = SECTIONS[section]
    names = [marked_name(r, lang) for _, r in indicators.iterrows()]
    indicators = indicators.assign(_name=names)
    groups = list(indicators.groupby("unit", sort=False))
    bar_in, axis_in, width_in, fontsize = 0.3, 0.62, 10.0, 9
    title_in = 0.55 + (ISSUER_LINE_IN if issuer else 0)
    heights = [len(rows) * bar_in + 0.12 for _, rows in groups]
    height_in = title_in + sum(heights) + axis_in * len(groups)
    left_in = _label_width_in(names, fontsize) + 0.25
    fig = Figure(figsize=(width_in, height_in))
    top = height_in - title_in
    for (unit, rows), block in zip(groups, heights, strict=True):
        ax = fig.add_axes((left_in / width_in, (top - block) / height_in,
                           1 - (left_in + 0.35) / width_in, block / height_in))
        top -= block + axis_in
        notes = [format_figure(r["value"], str(unit), r["qualifier"], lang, r["value_as_written"],
                               r["source_fragment"]) for _, r in rows.iterrows()]
        hatches = [QUALIFIED_HATCH if q not in ("exact", "rank") else "" for q in rows["qualifier"]]
        _hbar(ax, rows["_name"], rows["value"], notes, COLORS["revenue"], hatches)
        if (rows["value"] % 1 == 0).all():
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlabel(unit_label(str(unit), lang), loc="right", fontsize=fontsize,
                      color=COLORS["neutral"], labelpad=1)
        ax.tick_params(axis="both", labelsize=fontsize)
    title = text("section_title", lang, section=section, name=name_zh if lang == "zh" else name_en)
    fig.suptitle(_titled(title, issuer), fontsize=13, y=1 - 0.18 / height_in, va="top")
    return fig


def headline_chart(headline: pd.DataFrame, lang: str = "zh", issuer: str = "") -> Figure:
    """Draw the headline figures as tiles: big number with qualifier, name beneath.

    Args:
        headline: Rows of ``headline_indicators``.
        lang: "zh" or "en".
        issuer: The reporting unit's name (from the source record), drawn above the title.
    """
    year = int(headline["year"].iloc[0])
    columns = 5
    rows = max(1, -(-len(headline) // columns))
    title_in = 0.7 + (ISSUER_LINE_IN if issuer else 0)
    height_in = 1.5 * rows + title_in
    fig = Figure(figsize=(12, height_in))
    fig.suptitle(_titled(text("headline_title", lang, year=year), issuer), fontsize=14,
                 y=1 - 0.15 / height_in, va="top")
    for i, (_, row) in enumerate(headline.iterrows()):
        x = (i % columns + 0.5) / columns
        y_top = 1 - (title_in + 1.5 * (i // columns)) / height_in
        figure = format_figure(row["value"], row["unit"], row["qualifier"], lang,
                               row["value_as_written"], row["source_fragment"])
        fig.text(x, y_top - 0.45 / height_in, figure, ha="center", va="center", fontsize=17,
                 color=COLORS["revenue"])
        fig.text(x, y_top - 1.05 / height_in, wrap(row[f"name_{lang}"], 12 / columns - 0.3, 9),
                 ha="center", va="center", fontsize=9)
    return fig


def budget_change_chart(change: pd.DataFrame, lang: str = "zh", issuer: str = "") -> Figure:
    """Chart each line's amount in the earlier and the later year, side by side.

    Args:
        change: Rows of ``budget_change`` (one side of the budget).
        lang: "zh" or "en".
        issuer: The reporting unit's name (from the source record), drawn above the title.
    """
    rows = change[(change["amount_previous"] > 0) | (change["amount_current"] > 0)]
    first, last = int(rows["year_previous"].iloc[0]), int(rows["year_current"].iloc[0])
    fig = _figure(10, 0.7 * len(rows) + 1.6)
    ax = fig.subplots()
    positions = list(range(len(rows)))[::-1]
    height = 0.38
    old = ax.barh([p + height / 2 for p in positions], rows["amount_previous"], height,
                  color=COLORS["carry"], label=str(first))
    new = ax.barh([p - height / 2 for p in positions], rows["amount_current"], height,
                  color=COLORS["revenue"], label=str(last))
    ax.bar_label(old, labels=[f"{v:,.2f}" for v in rows["amount_previous"]], padding=3, fontsize=8)
    ax.bar_label(new, labels=[
        format_number(v) + (_bracket(f"{format_number(p, 1, sign=True)}%", lang)
                            if pd.notna(p) else "")
        for v, p in zip(rows["amount_current"], rows["change_pct"], strict=True)],
        padding=3, fontsize=8)
    ax.set_yticks(positions, rows[f"label_{lang}"])
    ax.set_xlabel(text("amount_axis", lang))
    ax.margins(x=0.3)
    ax.legend(loc="lower right", frameon=False)
    _plain(ax)
    fig.suptitle(_titled(text("yoy_title", lang, a=first, b=last), issuer), fontsize=13)
    return fig


def indicator_change_chart(change: pd.DataFrame, lang: str = "zh", issuer: str = "") -> Figure:
    """Chart the percentage change of indicators present in both years (unitless, so comparable).

    Args:
        change: Rows of ``indicator_change`` with a previous value other than zero.
        lang: "zh" or "en".
        issuer: The reporting unit's name (from the source record), drawn above the title.
    """
    comparable = change[change["change_pct"].notna()]
    first = int(comparable["year_previous"].iloc[0])
    last = int(comparable["year_current"].iloc[0])
    moved = comparable[comparable["change_pct"] != 0]
    rows = moved.loc[moved["change_pct"].abs().nlargest(MAX_CHANGE_BARS).index]
    rows = rows.sort_values("change_pct")
    fig = _figure(10, 0.3 * max(len(rows), 1) + 1.6)
    ax = fig.subplots()
    colors = [COLORS["project"] if v >= 0 else COLORS["basic"] for v in rows["change_pct"]]
    notes = [f"{format_number(p, 1, sign=True)}%"
             + _bracket(f"{a:g}→{b:g}{'' if lang == 'zh' else ' '}{unit_label(u, lang)}", lang)
             for p, a, b, u in zip(
        rows["change_pct"], rows["value_previous"], rows["value_current"], rows["unit"],
        strict=True)]
    positions = list(range(len(rows)))
    bars = ax.barh(positions, rows["change_pct"], color=colors)
    ax.bar_label(bars, labels=notes, padding=3, fontsize=8)
    ax.set_yticks(positions, rows[f"name_{lang}"], fontsize=8)
    ax.axvline(0, color=COLORS["neutral"], linewidth=0.8)
    ax.set_xlabel(text("change_axis", lang))
    ax.margins(x=0.35)
    note = text("change_note", lang, shown=len(rows), moved=len(moved),
                same=len(comparable) - len(moved))
    _footnote(fig, "\n".join([note, *_rank_notes(change, lang)]))
    fig.suptitle(_titled(text("yoy_title", lang, a=first, b=last), issuer), fontsize=13)
    return fig


def _rank_notes(change: pd.DataFrame, lang: str) -> list[str]:
    """Return one line per rank compared in places (never a percent): 3→2, up 1 place."""
    ranks = change[change.get("comparison", pd.Series(dtype=str)) == "places"]
    notes = []
    for row in ranks.itertuples():
        gained = round(cast(float, row.change))
        if lang == "zh":
            move = f"上升{gained}位" if gained > 0 else f"下降{-gained}位" if gained else "名次不变"
        else:
            move = (f"up {gained} place{'s' * (gained != 1)}" if gained > 0 else
                    f"down {-gained} place{'s' * (gained != -1)}" if gained else "same place")
        notes.append(f"{getattr(row, f'name_{lang}')}: {row.value_previous:g} → "
                     f"{row.value_current:g}, {move}")
    return notes


YEAR_COLORS = ("#9e9e9e", "#6baed6", "#1f6fb2", "#08306b", "#31a354", "#e6550d")


def statements_years_chart(frame: pd.DataFrame, lang: str = "zh", issuer: str = "") -> Figure:
    """Chart each line's amount by year; amounts from a later report's clause are hatched.

    Args:
        frame: Rows of ``notebook.statements_by_year`` (one side, two or more years).
        lang: "zh" or "en".
        issuer: The reporting unit's name (from the source record), drawn above the title.
    """
    from matplotlib.patches import Patch

    shown = frame[frame["amount"].notna()]
    moving = shown.groupby("key")["amount"].transform(lambda a: (a != 0).any())
    shown = shown[moving]  # a line stated as none (0) in every year says nothing here
    year_list = sorted(int(y) for y in shown["year"].unique())
    keys = list(dict.fromkeys(shown["key"]))
    label_of = dict(zip(shown["key"], shown[f"label_{lang}"], strict=False))
    height = 0.8 / len(year_list)
    fig = _figure(10, 0.28 * len(keys) * len(year_list) + 0.25 * len(keys) + 2.2)
    ax = fig.subplots()
    positions = list(range(len(keys)))[::-1]
    place = dict(zip(keys, positions, strict=True))
    handles = []
    for i, year in enumerate(year_list):
        rows = shown[shown["year"] == year]
        color = YEAR_COLORS[i % len(YEAR_COLORS)]
        offsets = [place[k] + 0.4 - height * (i + 0.5) for k in rows["key"]]
        bars = ax.barh(offsets, rows["amount"], height, color=color)
        handles.append(Patch(facecolor=color))
        for bar, source in zip(bars, rows["source"], strict=True):
            if source == "later_report":
                bar.set_hatch(QUALIFIED_HATCH)
                bar.set_edgecolor("#333333")
        ax.bar_label(bars, labels=[
            format_number(v) + (_bracket(f"{text('clause_short', lang)} {format_number(c)}", lang)
                                if pd.notna(c) else "")
            for v, c in zip(rows["amount"], rows["clause_amount"], strict=True)],
            padding=3, fontsize=8)
    ax.set_yticks(positions, [label_of[k] for k in keys])
    ax.set_xlabel(text("amount_axis", lang))
    ax.margins(x=0.3)
    _plain(ax)
    labels = [str(y) for y in year_list]
    if (shown["source"] == "later_report").any():
        handles.append(Patch(facecolor="white", edgecolor="#333333", hatch=QUALIFIED_HATCH))
        labels.append(wrap(text("years_hatch_note", lang), 6.5, 8.5))
    fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), frameon=False,
               fontsize=8.5)
    fig.suptitle(_titled(text("years_title", lang, first=year_list[0], last=year_list[-1]),
                         issuer), fontsize=13)
    return fig
