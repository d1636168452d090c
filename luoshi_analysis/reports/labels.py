"""Bilingual text for charts, tables and pages: lookups into text/<lang>.toml, units and figures.

Every sentence, heading and label a reader sees lives in ``text/zh.toml`` and ``text/en.toml``
(the same keys in each); this module looks them up. Units and figures are formatted here.
"""

from __future__ import annotations

import functools
import math
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd

from luoshi_analysis.core.errors import ParameterError
from luoshi_analysis.core.lines import BY_KEY
from luoshi_analysis.core.units import KNOWN

LANGS = ("zh", "en")
TEXT_DIR = Path(__file__).resolve().parent / "text"


@functools.cache
def texts(lang: str) -> dict[str, Any]:
    """Return every text of a language, as read from text/<lang>.toml (read once per process)."""
    with (TEXT_DIR / f"{check_lang(lang)}.toml").open("rb") as handle:
        return tomllib.load(handle)


def check_lang(lang: object) -> str:
    """Return lang if it is allowed, else raise a ParameterError saying what is."""
    if lang not in LANGS:
        raise ParameterError(f"lang {lang!r} is not allowed; use one of: {', '.join(LANGS)}")
    return str(lang)


def pick(table: str, key: str, lang: str) -> str:
    """Return the text of key in one table of a language's texts (scopes, phases …); else key."""
    return texts(lang)[table].get(key, key)


def text(key: str, lang: str, **values: object) -> str:
    """Return a short text in a language, filled with values."""
    return texts(lang)["text"][key].format(**values)


def bracket(inner: str, lang: str) -> str:
    """Return inner in the brackets of the language: （…） in Chinese, (…) in English."""
    return f"（{inner}）" if lang == "zh" else f" ({inner})"


def prose(notebook: str, key: str, lang: str, **values: object) -> str:
    """Return a block of a notebook's prose (markdown) in a language, filled with values."""
    return texts(lang)["prose"][notebook][key].format(**values)


def has_prose(notebook: str, key: str, lang: str) -> bool:
    """Whether a notebook has a prose block of that key in a language."""
    return key in texts(lang)["prose"].get(notebook, {})


def notebook_title(notebook: str, lang: str) -> str:
    """Return a template's name in a language (the template's file name if unknown)."""
    return pick("notebook_titles", notebook, lang)


def known_notebooks() -> list[str]:
    """Return the templates that have a title, in the order the index lists them."""
    return list(texts("zh")["notebook_titles"])


def line_label(key: str, lang: str) -> str:
    """Return the name of a budget line (收入总计, Total revenue) by its key, in a language."""
    line = BY_KEY.get(key)
    if line is not None:
        return line.label_zh if lang == "zh" else line.label_en
    return pick("extra_lines", key, lang)


def localized_columns(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return frame keeping the lang variant of bilingual columns, headed in that language.

    A column "label_zh" becomes "label" in zh (and is dropped in en); known column names
    are then replaced by their heading in lang.
    """
    other = "en" if lang == "zh" else "zh"
    kept = frame[[c for c in frame.columns if not c.endswith(f"_{other}")]]
    kept = kept.rename(columns=lambda c: c.removesuffix(f"_{lang}"))
    return kept.rename(columns=texts(lang)["columns"])


def issuer_name(source: Any, lang: str) -> str:
    """Return the reporting unit's name from a source record: issuer, or issuer_en in English.

    An English page falls back to the Chinese name where the record has no English one.
    """
    english = str(getattr(source, "issuer_en", "") or "")
    return english if lang == "en" and english else str(source.issuer)


def workbook_header(column: str, unit: str | None = None) -> str:
    """Return a workbook column header: "金额 Amount (万元)"; unknown columns keep their name."""
    zh_texts, en_texts = texts("zh"), texts("en")
    table = "workbook_headers" if column in zh_texts["workbook_headers"] else "columns"
    zh = zh_texts[table].get(column, "")
    en = en_texts[table].get(column, column)
    head = en if zh == en or not zh else f"{zh} {en}"
    return f"{head} ({unit})" if unit else head


def amount_unit(unit: str, lang: str) -> str:
    """Return the name of a money or share unit in a language (万元 is "10k yuan")."""
    return pick("amount_units", unit, lang)


# How a unit as written reads in English, and its factor (万亩 is 10,000 mu): from the one unit
# table, core/units.py; a unit it does not know reads as written.
UNIT_EN = {unit: (name, factor) for unit, (_class, name, factor) in KNOWN.items()}


def unit_label(unit: str, lang: str) -> str:
    """Return an axis label for a unit: as written in zh, in words in en (×10,000 mu)."""
    if lang == "zh":
        return unit
    name, factor = UNIT_EN.get(unit, (unit, 1))
    scale = {1: "", 10_000: "×10,000 ", 100_000_000: "×100 million "}[factor]
    return f"{scale}{name}".strip() or "count"


def figure_number(value: float) -> str:
    """Return a figure as the report would write it: 18,000 (never 18,000.00), 49.8, 7.61."""
    if math.isclose(value, round(value)):
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_figure(
    value: float, unit: str, qualifier: str, lang: str, written: str = "", fragment: str = ""
) -> str:
    """Return a figure as a reader sees it, with its qualifier: 近3万亩, over 20,000 mu.

    Args:
        value: The figure.
        unit: Its unit as written (万亩, 人, %…).
        qualifier: exact, more_than, nearly, cumulative_total, at_least or rank.
        lang: "zh" or "en".
        written: The figure as written in the report (kept verbatim in Chinese).
        fragment: The source fragment; where it holds the figure with its qualifier, that
            wording is used (200余万元 and 34万余元 are both in use).
    """
    if lang == "zh":
        number = written or figure_number(value)
        if qualifier == "rank":
            return f"第{number}"
        if qualifier == "more_than":
            head, tail = (unit[0], unit[1:]) if unit[:1] in ("万", "亿") else ("", unit)
            before_unit = f"{number}余{unit}"
            return before_unit if before_unit in fragment else f"{number}{head}余{tail}"
        if qualifier == "nearly":
            return f"近{number}{unit}"
        if qualifier == "cumulative_total":
            return f"共达{number}{unit}"
        if qualifier == "at_least":
            return f"{number}{unit}以上"
        return f"{number}{unit}"
    name, factor = UNIT_EN.get(unit, (unit, 1))
    amount = figure_number(value * factor)
    shown = f"{amount}{name}" if name in ("%", "‰") else f"{amount} {name}".strip()
    if qualifier == "rank":
        return f"No. {amount}"
    prefix = {"more_than": "over ", "nearly": "nearly ", "at_least": "at least "}.get(qualifier, "")
    suffix = " in total" if qualifier == "cumulative_total" else ""
    return f"{prefix}{shown}{suffix}"
