"""Alt text of every chart, in the page's language, written from the same frame the chart draws.

Each function is named after the chart function of ``plots`` it describes and takes the same
frame: what the chart shows and its numbers, for a reader who cannot see the image.
"""

from __future__ import annotations

import pandas as pd

from luoshi_analysis.core.numbers import format_number
from luoshi_analysis.core.schema import SECTIONS
from luoshi_analysis.reports.figures import marked_name, shown_figure, structure_parts
from luoshi_analysis.reports.labels import bracket, text, unit_label

MAX_CHANGES = 30  # as many changes as the change chart shows


def _alt(key: str, lang: str, **values: object) -> str:
    return text(f"alt_{key}", lang, **values)


def _sentences(parts: list[str], lang: str) -> str:
    """Join sentences: 。 after each in Chinese, ". " between them in English."""
    parts = [p.rstrip("。. ") for p in parts if p]
    return "".join(f"{p}。" for p in parts) if lang == "zh" else ". ".join(parts) + "."


def _items(items: list[str], lang: str) -> str:
    return ("；" if lang == "zh" else "; ").join(items)


def _amount(value: float, lang: str) -> str:
    return _alt("amount", lang, amount=format_number(value))


def _lower(label: str, lang: str) -> str:
    """A line's label inside an English sentence: "total revenue"."""
    return label[0].lower() + label[1:] if lang == "en" and label[:2].istitle() else label


def _share_item(row: pd.Series, name: str, lang: str) -> str:
    values = {"label": row[name], "amount": _amount(row["amount"], lang),
              "share": format_number(row["share_of_parent_pct"])}
    if pd.notna(row.get("stated_share_pct")):
        return _alt("share_item_stated", lang, stated=format_number(row["stated_share_pct"]),
                    **values)
    return _alt("share_item", lang, **values)


def _structure(structure: pd.DataFrame, lang: str, side: str) -> str:
    name = f"label_{lang}"
    found = structure_parts(structure)
    year = int(structure["year"].iloc[0])
    sentences = [text(f"{side}_title", lang, year=year)]
    panels = [("parts", found.parts, found.total)] if len(found.parts) else []
    for part, rows, base in [*panels, ("categories", found.categories, found.base)]:
        sentences.append(_alt("panel", lang, name=text(f"{side}_{part}", lang),
                              base=_lower(str(base[name]), lang),
                              total=_amount(float(base["amount"]), lang),
                              items=_items([_share_item(r, name, lang)
                                            for _, r in rows.iterrows()], lang)))
    if len(found.zero):
        sep = "、" if lang == "zh" else ", "
        sentences.append(text("zero_note", lang, labels=sep.join(found.zero[name])))
    return _sentences(sentences, lang)


def revenue_chart(structure: pd.DataFrame, lang: str = "zh") -> str:
    """Describe ``plots.revenue_chart``: each panel's denominator, every line's amount and share."""
    return _structure(structure, lang, "revenue")


def spending_chart(structure: pd.DataFrame, lang: str = "zh") -> str:
    """Describe ``plots.spending_chart``: each panel's denominator, every line's amount and share."""
    return _structure(structure, lang, "expenditure")


def sources_uses_chart(flows: pd.DataFrame, lang: str = "zh") -> str:
    """Describe ``plots.sources_uses_chart``: each side's lines and total, and whether they balance."""
    from luoshi_analysis.core.money import exact_sum

    year = int(flows["year"].iloc[0])
    sentences = [text("sources_uses_title", lang, year=year)]
    totals = []
    for direction, side in (("revenue", "sources"), ("expenditure", "uses")):
        rows = flows[flows["direction"] == direction]
        totals.append(exact_sum(rows["amount"]))
        items = [f"{r[f'label_{lang}']}{'' if lang == 'zh' else ' '}{_amount(r['amount'], lang)}"
                 for _, r in rows.iterrows()]
        sentences.append(_alt("side", lang, side=text(side, lang),
                              total=_amount(totals[-1], lang), items=_items(items, lang)))
    difference = exact_sum([totals[0], -totals[1]])
    sentences.append(_alt("balanced", lang) if difference == 0 else
                     _alt("unbalanced", lang, difference=_amount(difference, lang)))
    return _sentences(sentences, lang)


def ratios_chart(ratios: pd.DataFrame, lang: str = "zh") -> str:
    """Describe ``plots.ratios_chart``: each ratio's value and what it divides by what."""
    year = int(ratios["year"].iloc[0])
    items = [_alt("ratio", lang, name=r[f"name_{lang}"], value=format_number(r["value_pct"]),
                  formula=r[f"formula_{lang}"]) for _, r in ratios.iterrows()]
    return _sentences([text("ratios_title", lang, year=year), _items(items, lang)], lang)


def section_chart(indicators: pd.DataFrame, lang: str = "zh") -> str:
    """Describe ``plots.section_chart``: each unit's axis and every figure on it, as written."""
    section = int(indicators["section"].iloc[0])
    _key, name_zh, name_en = SECTIONS[section]
    title = text("section_title", lang, section=section, name=name_zh if lang == "zh" else name_en)
    sentences = [_alt("section", lang, title=title)]
    for unit, rows in indicators.groupby("unit", sort=False):
        items = [_alt("figure", lang, name=marked_name(r, lang), figure=shown_figure(r, lang))
                 for _, r in rows.iterrows()]
        sentences.append(_alt("axis", lang, unit=unit_label(str(unit), lang),
                              items=_items(items, lang)))
    return _sentences(sentences, lang)


def headline_chart(headline: pd.DataFrame, lang: str = "zh") -> str:
    """Describe ``plots.headline_chart``: every headline figure with its name."""
    year = int(headline["year"].iloc[0])
    items = [_alt("figure", lang, name=marked_name(r, lang), figure=shown_figure(r, lang))
             for _, r in headline.iterrows()]
    return _sentences([text("headline_title", lang, year=year), _items(items, lang)], lang)


def _change(value: float, lang: str) -> str:
    return "" if pd.isna(value) else bracket(f"{format_number(value, 1, sign=True)}%", lang)


def budget_change_chart(change: pd.DataFrame, lang: str = "zh") -> str:
    """Describe ``plots.budget_change_chart``: each line's amount in both years and its change."""
    rows = change[(change["amount_previous"] > 0) | (change["amount_current"] > 0)]
    first, last = int(rows["year_previous"].iloc[0]), int(rows["year_current"].iloc[0])
    items = [_alt("line_change", lang, label=r[f"label_{lang}"], a=first, b=last,
                  before=_amount(r["amount_previous"], lang), after=_amount(r["amount_current"], lang),
                  change=_change(r["change_pct"], lang)) for _, r in rows.iterrows()]
    return _sentences([text("yoy_title", lang, a=first, b=last) + _alt("in_amounts", lang),
                       _items(items, lang)], lang)


def statements_years_chart(frame: pd.DataFrame, lang: str = "zh") -> str:
    """Describe ``plots.statements_years_chart``: each line's amount by year and where it is from."""
    shown = frame[frame["amount"].notna()]
    moving = shown.groupby("key")["amount"].transform(lambda a: (a != 0).any())
    shown = shown[moving]
    years = sorted(int(y) for y in shown["year"].unique())
    items = []
    for _key, rows in shown.groupby("key", sort=False):
        amounts = [_alt("year_amount", lang, year=int(r["year"]), amount=_amount(r["amount"], lang))
                   + (_alt("from_clause", lang) if r["source"] == "later_report" else "")
                   for _, r in rows.iterrows()]
        items.append(f"{rows[f'label_{lang}'].iloc[0]}{'：' if lang == 'zh' else ': '}"
                     + ("，" if lang == "zh" else ", ").join(amounts))
    return _sentences([text("years_title", lang, first=years[0], last=years[-1]),
                       _items(items, lang)], lang)


def indicator_change_chart(change: pd.DataFrame, lang: str = "zh") -> str:
    """Describe ``plots.indicator_change_chart``: how many changed, and the largest changes."""
    comparable = change[change["change_pct"].notna()]
    first = int(comparable["year_previous"].iloc[0])
    last = int(comparable["year_current"].iloc[0])
    moved = comparable[comparable["change_pct"] != 0]
    rows = moved.loc[moved["change_pct"].abs().nlargest(MAX_CHANGES).index]
    items = []
    for _, r in rows.iterrows():
        before = {**r, "value": r["value_previous"], "qualifier": r["qualifier_previous"],
                  "value_as_written": "", "source_fragment": ""}
        after = {**r, "value": r["value_current"], "qualifier": r["qualifier_current"],
                 "value_as_written": "", "source_fragment": ""}
        items.append(_alt("indicator_change", lang, name=r[f"name_{lang}"],
                          before=shown_figure(pd.Series(before), lang),
                          after=shown_figure(pd.Series(after), lang),
                          change=_change(r["change_pct"], lang)))
    summary = _alt("changes", lang, moved=len(moved), same=len(comparable) - len(moved),
                   shown=len(rows))
    return _sentences([text("yoy_title", lang, a=first, b=last), summary, _items(items, lang)],
                      lang)
