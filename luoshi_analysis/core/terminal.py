"""Text for the terminal: control characters and escape sequences from data are shown, not obeyed."""

from __future__ import annotations

import re
import sys
from typing import TextIO

# C0 controls but tab and line feed, DEL, C1 controls (8-bit CSI, OSC …), and the bidirectional
# marks, embeddings, overrides and isolates that can reorder what a line appears to say.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[{_CONTROLS}]")
# One line: line feeds and the Unicode line and paragraph separators too.
_UNSAFE_ONE_LINE = re.compile(f"[{_CONTROLS}\n\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: object, *, one_line: bool = False) -> str:
    r"""Return text with every control character written out as an escape (ESC as ``\x1b``).

    An escape sequence (ESC [ 2 J, OSC … BEL) then prints as harmless characters. Tabs are kept,
    and line feeds unless ``one_line``.

    Args:
        text: What to print; not a string is converted with ``str``.
        one_line: Also escape line breaks, so the text stays on one line.
    """
    return (_UNSAFE_ONE_LINE if one_line else _UNSAFE).sub(_escaped, str(text))


def echo(text: object = "", *, file: TextIO | None = None, one_line: bool = False) -> None:
    """Print text made safe by ``clean`` (to stdout unless a file is given)."""
    print(clean(text, one_line=one_line), file=file or sys.stdout)


def for_terminal(text: object) -> str:
    """Return text from a report or a library message, safe to print on one line."""
    return clean(text, one_line=True)
