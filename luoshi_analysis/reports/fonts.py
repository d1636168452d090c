"""Register a Simplified-Chinese font with matplotlib so charts render on any machine."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

from luoshi_analysis.core.errors import LuoshiError

# mplfonts ships this OFL face as a single-region OTF (a .ttc would give matplotlib only its
# first, Japanese, face). Its other fonts are never used, and its `init` never run.
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FAMILY = "Noto Sans CJK SC"


def cjk_font_path() -> Path:
    """Return the path of the bundled Noto Sans CJK SC font file."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise LuoshiError("the mplfonts package is missing; reinstall luoshi-analysis")
    path = Path(next(iter(spec.submodule_search_locations))) / "fonts" / CJK_FONT_FILE
    if not path.is_file():
        raise LuoshiError(f"{path}: font file missing; reinstall mplfonts")
    return path


@cache
def use_cjk_font() -> str:
    """Register the CJK font for this process and make it the default; return its family."""
    font_manager.fontManager.addfont(str(cjk_font_path()))
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = [CJK_FAMILY, "DejaVu Sans"]
    mpl.rcParams["axes.unicode_minus"] = True  # Noto Sans CJK SC has U+2212
    mpl.rcParams["svg.fonttype"] = "path"  # SVGs render without the reader's fonts
    mpl.rcParams["pdf.fonttype"] = 42
    # Labels are data: a $ in a name is a dollar sign, never mathtext (which fails on "$\frac{").
    mpl.rcParams["text.parse_math"] = False
    return CJK_FAMILY
