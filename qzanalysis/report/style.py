"""The house style: one CJK font, one palette, one set of sizes, for every chart in every chapter.

Chinese glyphs must render with the pip set-up alone: prefer an installed system CJK font, otherwise
register the OFL Noto Sans CJK that the `noto-cjk-sans-otc` package ships. matplotlib's installation
is never modified; the font is registered in each process (the font cache does not keep it).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

# No matplotlib.use() here: kernels keep their inline backend (so returned figures display), and
# headless processes get Agg automatically.
import matplotlib.pyplot as plt
from matplotlib import font_manager

SYSTEM_CJK_FAMILIES = [
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
]

# 配色：学校蓝为主色，其余为色盲友好的搭配。
PALETTE = ["#1f5fa8", "#e07b39", "#3a9e6e", "#c8464b", "#7d5ba6", "#8c6d46", "#d4a017", "#5a7d9a"]
PRIMARY, SECONDARY, POSITIVE, NEGATIVE = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3]
YEAR_COLORS = {"previous": "#9fb8d6", "current": PRIMARY}


def year_colors(n: int) -> list[str]:
    """Bar colours for n years in order: earlier years muted, the last one in the primary colour."""
    return [YEAR_COLORS["previous"]] * (n - 1) + [YEAR_COLORS["current"]]


# Sizes are set for a phone first. A chart is drawn at FIG_WIDTH inches and shown at most that wide on a
# screen (DISPLAY_WIDTH_PX css pixels, about its printed size); on a 390 px phone it shrinks to the text
# column (about 360 px), where MIN_FONT_PT still renders at ≥ 12 px, the size of the report's footnotes.
FIG_WIDTH = 4.8
FIGSIZE = (FIG_WIDTH, 3.2)
DISPLAY_WIDTH_PX = 480
TITLE_SIZE = 13.0
LABEL_SIZE = 12.0
MIN_FONT_PT = 12.0
EXPORT_DPI = 200  # PNG pixels per inch: 960 px wide, sharp on a phone's 2–3× screen

# Colours of a change: good or bad by the indicator's `better` direction, grey when it has none.
GOOD, BAD, NEUTRAL = "#2e8b57", "#c8464b", "#8a94a3"


def _pip_font_path() -> Path | None:
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return None
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    return path if path.exists() else None


@cache
def cjk_font_family() -> str:
    """Name of the CJK family charts use; registers the bundled font when no system font is found."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in SYSTEM_CJK_FAMILIES:
        if family in installed:
            return family
    path = _pip_font_path()
    if path is None:
        raise RuntimeError("找不到中文字体：请安装 noto-cjk-sans-otc（pyproject.toml 已声明）")
    font_manager.fontManager.addfont(str(path))
    # A .ttc registers one family per face; take the Simplified Chinese one by name, not by guess.
    names = {f.name for f in font_manager.fontManager.ttflist if Path(f.fname) == path}
    return "Noto Sans CJK SC" if "Noto Sans CJK SC" in names else sorted(names)[0]


def use_house_style() -> str:
    """Apply the house style (idempotent). Call after any seaborn.set_theme, which resets fonts."""
    import seaborn as sns

    family = cjk_font_family()
    sns.set_theme(style="whitegrid", palette=PALETTE, font_scale=1.0)
    plt.rcParams.update(
        {
            "font.family": ["DejaVu Sans", family],
            "axes.unicode_minus": False,
            "figure.figsize": FIGSIZE,
            "figure.dpi": 110,
            "savefig.dpi": 110,
            "axes.titlesize": TITLE_SIZE,
            "axes.titleweight": "normal",  # the bundled CJK face has no bold; keep Latin and Chinese alike
            "axes.labelsize": LABEL_SIZE,
            "xtick.labelsize": LABEL_SIZE,
            "ytick.labelsize": LABEL_SIZE,
            "legend.fontsize": LABEL_SIZE,
            "font.size": LABEL_SIZE,
            "axes.grid": False,  # bars carry value labels; grid lines would only cross them
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.constrained_layout.use": True,
        }
    )
    return family
