"""Character-level work on report text: decoding, cleaning PDF artefacts, normalising, escaping.

Normalisation maps each kept character one to one (full-width to ASCII, traditional to
simplified through OpenCC character by character, radical code points to ideographs) and drops
whitespace, keeping for every character its offset in the original text, so a match always maps
back to a verbatim fragment.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from luoshi_analysis.core.errors import IngestError
from luoshi_analysis.ingest.language import simplified_char

_CJK = re.compile(r"[\u4e00-\u9fff]")
# CJK Radicals Supplement code points some PDF fonts emit for the ideograph of the same shape;
# NFKC does not fold these (it does fold the Kangxi radicals, U+2F00–U+2FDF).
RADICALS = dict(zip(
    "⺠⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻥⻦⻧⻨⻩⻪⻬⻮⻰⻄⻣⻤⺁⺝⻗",
    "民见角贝车长门青韦页风飞食马鱼鸟卤麦黄黾齐齿龙西骨鬼厂月雨",
    strict=True,
))
# Spaces a PDF text layer puts inside a number: "5446 .35", "5446. 35", "1, 334.20".
_SPACE_IN_NUMBER = re.compile(r"(?<=\d)[ \t]+(?=\.\d)|(?<=\d\.)[ \t]+(?=\d)|(?<=\d,)[ \t]+(?=\d{3}(?!\d))")
GB_FAMILY = ("gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936", "gb18030", "euc-cn", "x-euc-cn")


def codec_name(declared: str) -> str | None:
    """Return the Python codec for a declared charset (GB2312/GBK as GB18030), or None."""
    name = declared.strip().lower()
    if name in GB_FAMILY:
        return "gb18030"  # the superset: pages labelled GB2312 often hold GBK characters
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_report(data: bytes, path: Path | str, declared: str | None = None) -> tuple[str, str]:
    """Decode a report's bytes; return (text, encoding).

    Accepts UTF-8 (with or without BOM), UTF-16 (with BOM, or without where the NUL pattern
    shows it) and GB18030 (which includes GBK and GB2312). A charset the file declares (a web
    page's ``<meta charset>``) is tried first, after a byte-order mark.

    Raises:
        IngestError: empty, binary, or in no encoding it can read.
    """
    if not data.strip():
        raise IngestError(f"{path}: the file is empty; expected the text of a report")
    candidates: list[str]
    declared_codec = codec_name(declared) if declared else None
    if declared_codec and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE,
                                               codecs.BOM_UTF16_BE)):
        candidates = [declared_codec, *(e for e in ("utf-8", "gb18030") if e != declared_codec)]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        # NUL bytes: UTF-16 without a BOM, or binary; try both byte orders, most Chinese first
        candidates = sorted(("utf-16-le", "utf-16-be"), key=lambda e: -_cjk_count(data, e))
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
        if controls > max(2, len(text) // 100) or "\x00" in text:
            raise IngestError(f"{path}: a binary file ({controls} control characters), not a report")
        if not _CJK.search(text):
            raise IngestError(f"{path}: decoded as {encoding} but holds no Chinese text")
        return text, encoding
    if b"\x00" in data:
        raise IngestError(f"{path}: a binary file (NUL bytes, not UTF-16 text), not a report")
    raise IngestError(
        f"{path}: cannot read the text: it is not UTF-8, GB18030/GBK or UTF-16; "
        "save it in one of these and try again")


def _cjk_count(data: bytes, encoding: str) -> int:
    try:
        return len(_CJK.findall(data.decode(encoding)))
    except UnicodeDecodeError:
        return -1


@dataclass(frozen=True)
class Normalized:
    """Text prepared for parsing, with the original offset of each character."""

    text: str
    offsets: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> str:
        """Return the original (verbatim) text behind normalised text[start:end]."""
        return self.original[self.offsets[start]:self.offsets[end - 1] + 1]

    def line_of(self, start: int) -> int:
        """Return the 1-based line of the original text at normalised position start."""
        return self.original.count("\n", 0, self.offsets[start]) + 1


def clean_char(ch: str) -> str:
    """Return the ideograph a radical code point stands for (PDF font artefact), else ch."""
    if "\u2f00" <= ch <= "\u2fdf":  # Kangxi radicals
        return unicodedata.normalize("NFKC", ch)
    return RADICALS.get(ch, ch)


def clean_extracted(text: str) -> str:
    """Clean text taken from a PDF's text layer: radicals to ideographs, spaces inside numbers."""
    text = "".join(clean_char(ch) for ch in text)
    return _SPACE_IN_NUMBER.sub("", text)


def _normal_char(ch: str) -> str:
    ch = clean_char(ch)
    if "\uff01" <= ch <= "\uff5e":  # full-width ASCII
        ch = unicodedata.normalize("NFKC", ch)
    return simplified_char(ch)


def normalize(text: str) -> Normalized:
    """Drop whitespace (line breaks inside words or numbers from PDF copy) and map characters."""
    kept, offsets = [], []
    for index, ch in enumerate(text):
        if ch.isspace() or ch in "\u00a0\u3000\ufeff":
            continue
        kept.append(_normal_char(ch))
        offsets.append(index)
    return Normalized("".join(kept), tuple(offsets), text)
