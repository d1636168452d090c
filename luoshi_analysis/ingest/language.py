"""Chinese language tools, loaded once and quietly on first use: OpenCC, jieba and cn2an.

None of them is imported with the package: ``import luoshi_analysis`` stays fast. jieba builds
its prefix dictionary on first use (about a second) and keeps it in a cache file under the
user's cache folder (``luoshi_analysis.core.config.cache_dir``), or the temporary folder when
that cannot be written; its log lines never reach the terminal.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from luoshi_analysis.core import config
from luoshi_analysis.core.text import to_simplified

JIEBA_CACHE = "jieba.cache"
# Words of government reports jieba's dictionary lacks: it would cut them (新冠 → 新 + 冠).
DOMAIN_WORDS = ("新冠", "新冠疫苗", "新冠肺炎", "加强针", "核酸采样点", "综治民调", "矛盾纠纷",
                "标准化厂房", "入园企业", "脱贫户", "监测户", "拼接屏", "商超", "户厕", "执行率",
                "满意度", "知晓率", "覆盖率", "合格率", "参保率", "签约率")


@functools.cache
def simplified_char(ch: str) -> str:
    """Return the simplified form of one character (itself where OpenCC gives none, or several)."""
    if ch < "\u3400":  # ASCII, punctuation, kana …: nothing to convert
        return ch
    converted = to_simplified().convert(ch)
    return converted if len(converted) == 1 else ch


def _cache_file() -> str:
    """Return a writable path for jieba's dictionary cache: the user's cache folder, else tmp."""
    folder = config.cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return str(folder / JIEBA_CACHE)
    except OSError:
        pass
    return str(Path(tempfile.gettempdir()) / f"luoshi-{JIEBA_CACHE}")


@functools.cache
def segmenter() -> Any:
    """Return jieba's tokenizer, initialised once with its log silenced and its cache placed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba imports pkg_resources, deprecated in setuptools
        import jieba
    jieba.setLogLevel(logging.CRITICAL)
    tokenizer = jieba.Tokenizer()
    tokenizer.cache_file = _cache_file()
    tokenizer.initialize()
    for word in DOMAIN_WORDS:
        tokenizer.add_word(word, freq=None, tag="n")
    return tokenizer


@functools.cache
def _tagger() -> Any:
    import jieba.posseg

    return jieba.posseg.POSTokenizer(segmenter())


def tagged(text: str) -> list[tuple[str, str]]:
    """Return the words of a text with their part of speech, as jieba reads them (HMM off)."""
    return [(pair.word, pair.flag) for pair in _tagger().cut(text, HMM=False)]


def words(text: str) -> list[str]:
    """Return the words of a text as jieba segments it (HMM off: no invented words)."""
    return [word for word, _flag in tagged(text)]


def word_bounds(text: str) -> set[int]:
    """Return the offsets of text at which a word starts or ends (0 and len(text) included)."""
    bounds, at = {0}, 0
    for word in words(text):
        at += len(word)
        bounds.add(at)
    return bounds


def chinese_numeral(text: str) -> float | None:
    """Return the value of a Chinese numeral (四, 十二, 两, 三百) through cn2an, or None."""
    import cn2an

    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return float(value)
