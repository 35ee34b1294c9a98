"""Chart helpers in the house style, and the rules every chart follows, set here once.

Each helper returns a closed matplotlib Figure whose title carries its unit. `finish` applies the rules to
any figure, so a chapter's own drawing obeys them too:

- bars start at zero (a bar's length is its value);
- legends sit above the plot, never on the data; value labels sit inside the axes, never on each other;
- a bar chart whose bars carry value labels has no value axis and no grid lines to cross them; a reference
  line (a median, a standard) passes behind the labels' white boxes;
- no text is smaller than `style.MIN_FONT_PT`, and no figure is wider than `style.FIG_WIDTH`, so chart
  text on a phone is no smaller than the report's footnotes;
- a figure shows one quantity (one unit in its title);
- colours of a change follow the indicator's `better` direction (`change_color`).

Chapter code passes tidy frames and Chinese labels; no chart code lives in notebooks. In a kernel, figures
display through `figure_bundle`: a PNG without the title (the report prints it as the caption) and display
metadata ``{"qz": {"figure": {"title", "alt"}}}``, the alt text being the title and the values shown.
"""

from __future__ import annotations

import base64
import io
import math
import unicodedata

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from qzanalysis.core.values import is_missing
from qzanalysis.report import style

VALUE_LABEL = "qz-value"  # gid of value labels (tests and alt text find them by it)
REFERENCE = "qz-reference"  # gid of reference lines and their labels


# ---- text measures ----------------------------------------------------------------------------------
def text_width(text: str) -> float:
    """Width of one line in ems: a CJK character is one em, Latin letters and digits about 0.6."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)


_NO_LINE_START = set("）)，。、：；%！？」』")  # Chinese line breaking: these never begin a line


def wrap(text: str, width: float) -> str:
    """Break a label into lines of at most about `width` ems: before an opening bracket when that fits,
    otherwise into lines of even length; a closing bracket or punctuation never starts a line."""
    text = str(text).replace("\n", "")
    if text_width(text) <= width:
        return text
    for cut in (text.find("：") + 1, text.find("（")):
        if 0 < cut < len(text) and text_width(text[:cut]) <= width:
            return text[:cut] + "\n" + wrap(text[cut:], width)
    lines = math.ceil(text_width(text) / width)
    target = text_width(text) / lines
    out: list[str] = []
    line, used = "", 0.0
    for i, ch in enumerate(text):
        breaking = used + text_width(ch) > target + 0.3 and line and len(out) < lines - 1
        if breaking and ch not in _NO_LINE_START and text[i:] not in _NO_LINE_START:
            out.append(line)
            line, used = "", 0.0
        line, used = line + ch, used + text_width(ch)
    return "\n".join([*out, line])


def _lines(labels) -> int:
    return max((str(v).count("\n") + 1 for v in labels), default=1)


def _bar_height(n_rows: int, lines: int = 1, bars_per_row: int = 1) -> float:
    """Figure height (inches) for n rows of horizontal bars whose labels have up to `lines` lines."""
    row = max(0.3 * bars_per_row, 0.2 * lines + 0.12) + 0.14
    return max(1.8, row * n_rows + 0.9)


def _ems_across(fraction: float = 1.0) -> float:
    """How many label-size ems fit across `fraction` of the figure width."""
    return style.FIG_WIDTH * 72 * fraction / style.LABEL_SIZE


# ---- colours ----------------------------------------------------------------------------------------
def change_color(delta: float, better: str | None) -> str:
    """GOOD when the change goes the indicator's better way (`better`: "higher" or "lower"), BAD when it goes
    the other way, NEUTRAL when there is no change, no direction, or no value."""
    if better not in ("higher", "lower") or is_missing(delta) or delta == 0:
        return style.NEUTRAL
    return style.GOOD if (delta > 0) == (better == "higher") else style.BAD


# ---- building blocks --------------------------------------------------------------------------------
def _figure(figsize=None, height: float | None = None):
    style.use_house_style()
    width, h = figsize or style.FIGSIZE
    return plt.subplots(figsize=(min(width, style.FIG_WIDTH), height or h))


def _title(fig_or_ax, title: str, unit: str | None):
    fig = fig_or_ax if isinstance(fig_or_ax, Figure) else fig_or_ax.figure
    fig.suptitle(f"{title}（{unit}）" if unit else title, x=0.02, ha="left", fontsize=style.TITLE_SIZE)


def _values(fig) -> list[str]:
    if not hasattr(fig, "qz_values"):
        fig.qz_values = []
    return fig.qz_values


def note_values(fig, items) -> None:
    """Record 'name value' strings for the alt text of a figure whose values are not value labels."""
    _values(fig).extend(str(i) for i in items)


def value_label(ax, text: str, x, y, horizontal: bool = False, name: str | None = None):
    """A value label at a bar's end or a point: right of it when horizontal, above it otherwise.

    The label has a white box drawn above lines, so a reference line never crosses its text. `name`
    (e.g. the category) goes with the value into the figure's alt text."""
    offset, align = ((4, 0), {"va": "center"}) if horizontal else ((0, 3), {"ha": "center", "va": "bottom"})
    label = ax.annotate(
        text,
        (x, y),
        xytext=offset,
        textcoords="offset points",
        fontsize=style.LABEL_SIZE,
        bbox={"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none"},
        zorder=6,
        **align,
    )
    label.set_gid(VALUE_LABEL)
    _values(ax.figure).append(f"{name.replace(chr(10), '')} {text}" if name else text)
    return label


def reference_line(ax, value: float, label: str | None = None, horizontal_bars: bool = True):
    """A dashed reference (median, standard) across the bars, drawn behind value labels; its label sits
    above the plot so it never lands on a bar or a value."""
    draw = ax.axvline if horizontal_bars else ax.axhline
    line = draw(value, color=style.SECONDARY, linestyle="--", linewidth=1.2, zorder=4)
    line.set_gid(REFERENCE)
    if label:
        xy = (value, 1.0) if horizontal_bars else (1.0, value)
        text = ax.annotate(
            label,
            xy,
            xycoords=("data", "axes fraction") if horizontal_bars else ("axes fraction", "data"),
            xytext=(0, 4) if horizontal_bars else (4, 0),
            textcoords="offset points",
            ha="center" if horizontal_bars else "left",
            va="bottom" if horizontal_bars else "center",
            color=style.SECONDARY,
            fontsize=style.LABEL_SIZE,
            zorder=6,
        )
        text.set_gid(REFERENCE)
        _values(ax.figure).append(label)
    return line


def _label_bars(ax, bars, decimals: int, names, unit_suffix: str = "", horizontal: bool = False):
    for bar, name in zip(bars, names, strict=True):
        value = bar.get_width() if horizontal else bar.get_height()
        if np.isnan(value):
            continue
        text = f"{value:,.{decimals}f}{unit_suffix}"
        if horizontal:
            value_label(ax, text, value, bar.get_y() + bar.get_height() / 2, True, name)
        else:
            value_label(ax, text, bar.get_x() + bar.get_width() / 2, value, False, name)


# ---- the rules, applied to every figure -------------------------------------------------------------
def finish(fig, category_axis: str | None = None):
    """Last step of every chart (see the module docstring for the rules); closes the figure so a notebook
    shows it once. `category_axis` ("x" or "y") names the axis of categories when the figure has bars."""
    width, height = fig.get_size_inches()
    if width > style.FIG_WIDTH:
        fig.set_size_inches(style.FIG_WIDTH, height)
    for text in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "set_fontsize")):
        if text.get_fontsize() < style.MIN_FONT_PT:
            text.set_fontsize(style.MIN_FONT_PT)
    for ax in fig.axes:
        _bars_from_zero(ax)
        _legend_on_top(ax)
        labelled = any(t.get_gid() == VALUE_LABEL for t in ax.texts)
        orientation = _bar_orientation(ax)
        if labelled and orientation:
            value_axis = ax.yaxis if orientation == "vertical" else ax.xaxis
            value_axis.set_visible(False)
            ax.spines["left" if orientation == "vertical" else "bottom"].set_visible(False)
            ax.grid(False)
        elif category_axis:
            ax.grid(axis=category_axis, visible=False)
        for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            if axis.axis_name != category_axis and max(abs(v) for v in limits) >= 1000:
                axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    _keep_labels_inside(fig)
    plt.close(fig)
    register_display()  # again: the inline backend registers its own PNG formatter at its first figure
    return fig


def _bar_orientation(ax) -> str | None:
    for container in ax.containers:
        if isinstance(container, BarContainer):
            return getattr(container, "orientation", None) or "vertical"
    return None


def _bars_from_zero(ax) -> None:
    orientation = _bar_orientation(ax)
    if orientation is None:
        return
    get, set_ = (ax.get_ylim, ax.set_ylim) if orientation == "vertical" else (ax.get_xlim, ax.set_xlim)
    lo, hi = get()
    inverted = lo > hi
    lo, hi = sorted((lo, hi))
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    set_((hi, lo) if inverted else (lo, hi))


def _legend_on_top(ax) -> None:
    legend = ax.get_legend()
    if legend is None:
        return
    handles = legend.legend_handles
    labels = [t.get_text() for t in legend.get_texts()]
    legend.remove()
    room = _ems_across(0.95)
    widest = max(text_width(label) for label in labels) + 2.2  # handle and spacing, in ems
    ncol = max(1, min(len(labels), int(room // widest)))
    ax.legend(
        handles,
        labels,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.01),
        ncol=ncol,
        frameon=False,
        borderaxespad=0.0,
        handlelength=1.0,
        handletextpad=0.4,
        columnspacing=1.0,
        fontsize=style.LABEL_SIZE,
    )


def _keep_labels_inside(fig) -> None:
    """Widen the value limits until every value label lies inside its axes (then no label can reach a
    legend, a title or another panel)."""
    for _ in range(3):
        fig.draw_without_rendering()  # layout and text extents, without rasterising
        changed = False
        for ax in fig.axes:
            box = ax.get_window_extent()
            for text in ax.texts:
                if text.get_gid() != VALUE_LABEL or not text.get_visible():
                    continue
                ext = text.get_window_extent()
                orientation = _bar_orientation(ax) or "vertical"
                if orientation == "vertical" and ext.y1 > box.y1:
                    lo, hi = ax.get_ylim()
                    need = (ext.y1 - box.y0) / max(box.height, 1)
                    ax.set_ylim(lo, lo + (hi - lo) * need * 1.04)
                    changed = True
                elif orientation == "horizontal" and ext.x1 > box.x1:
                    lo, hi = ax.get_xlim()
                    need = (ext.x1 - box.x0) / max(box.width, 1)
                    ax.set_xlim(lo, lo + (hi - lo) * need * 1.04)
                    changed = True
                elif orientation == "horizontal" and ext.x0 < box.x0:
                    lo, hi = ax.get_xlim()
                    need = (box.x1 - ext.x0) / max(box.width, 1)
                    ax.set_xlim(hi - (hi - lo) * need * 1.04, hi)
                    changed = True
        if not changed:
            return


# ---- chart types ------------------------------------------------------------------------------------
def bar(
    labels,
    values,
    title: str,
    unit: str | None = None,
    decimals: int = 0,
    color=None,
    figsize=None,
    ylim=None,
):
    """Bars with value labels: vertical for a few short categories (years), horizontal otherwise.
    `ylim` is accepted for compatibility; bars always start at zero."""
    labels = [str(v) for v in labels]
    values = [float(v) if not is_missing(v) else np.nan for v in values]
    horizontal = len(labels) > 4 or max(text_width(v) for v in labels) > 5
    if horizontal:
        wrapped = [wrap(v, 8) for v in labels]
        fig, ax = _figure(figsize, _bar_height(len(labels), _lines(wrapped)))
        bars = ax.barh(wrapped, values, color=color or style.PRIMARY, height=0.62)
        ax.invert_yaxis()  # first category on top, as in the tables
        _label_bars(ax, bars, decimals, labels, horizontal=True)
    else:
        fig, ax = _figure(figsize)
        bars = ax.bar(labels, values, color=color or style.PRIMARY, width=0.6)
        _label_bars(ax, bars, decimals, labels)
    _title(fig, title, unit)
    return finish(fig, category_axis="y" if horizontal else "x")


def barh_sorted(
    labels,
    values,
    title: str,
    unit: str | None = None,
    decimals: int = 1,
    highlight_below=None,
    reference: float | None = None,
    reference_label: str | None = None,
    figsize=None,
):
    """Horizontal bars sorted from high (top) to low, optional reference line; missing values are left out."""
    frame = pd.DataFrame({"label": list(labels), "value": list(values)}).dropna().sort_values("value")
    names = list(frame["label"])
    wrapped = [wrap(v, 8) for v in names]
    fig, ax = _figure(figsize, _bar_height(len(frame), _lines(wrapped)))
    colors = [
        style.NEGATIVE if highlight_below is not None and v < highlight_below else style.PRIMARY
        for v in frame["value"]
    ]
    bars = ax.barh(wrapped, frame["value"], color=colors, height=0.62)
    _label_bars(ax, bars, decimals, names, horizontal=True)
    if reference is not None:
        reference_line(ax, reference, reference_label)
    _title(fig, title, unit)
    return finish(fig, category_axis="y")


def grouped_bar(
    frame: pd.DataFrame,
    category: str,
    group: str,
    value: str,
    title: str,
    unit: str | None = None,
    decimals: int = 1,
    colors=None,
    figsize=None,
    order=None,
    group_order=None,
):
    """Horizontal bars for each category (rows), one per group (e.g. per year), with value labels and the
    groups' legend above the plot. Horizontal so that labels never collide on a narrow screen."""
    categories = order or list(dict.fromkeys(frame[category]))
    groups = group_order or list(dict.fromkeys(frame[group]))
    n = len(groups)
    wrapped = [wrap(str(c), 8) for c in categories]
    fig, ax = _figure(figsize, _bar_height(len(categories), _lines(wrapped), n) + 0.3)
    height = 0.8 / max(1, n)
    y = np.arange(len(categories))
    colors = colors or style.PALETTE
    for i, g in enumerate(groups):
        sub = frame[frame[group] == g].set_index(category)[value].reindex(categories)
        bars = ax.barh(
            y + (i - (n - 1) / 2) * height,
            sub.values.astype(float),
            height * 0.92,
            label=str(g),
            color=colors[i % len(colors)],
        )
        names = [f"{str(c).replace(chr(10), '')}（{g}）" for c in categories]
        _label_bars(ax, bars, decimals, names, horizontal=True)
    ax.set_yticks(y, wrapped)
    ax.invert_yaxis()
    ax.legend()
    _title(fig, title, unit)
    return finish(fig, category_axis="y")


def stacked_bar(
    frame: pd.DataFrame,
    index: str,
    parts: dict[str, str],
    title: str,
    unit: str | None = None,
    horizontal: bool = True,
    figsize=None,
    total_labels: bool = True,
):
    """Stacked bars: `parts` maps column → legend label. Missing parts count as absent, not zero-valued data."""
    labels = [str(v) for v in frame[index]]
    shown = [wrap(v, 8) for v in labels] if horizontal else labels
    fig, ax = _figure(figsize, _bar_height(len(frame), _lines(shown)) + 0.3 if horizontal else None)
    left = np.zeros(len(frame))
    for i, (col, label) in enumerate(parts.items()):
        values = frame[col].astype("float64").fillna(0).to_numpy()
        color = style.PALETTE[i % len(style.PALETTE)]
        if horizontal:
            ax.barh(shown, values, left=left, label=label, color=color, height=0.62)
        else:
            ax.bar(shown, values, bottom=left, label=label, color=color, width=0.6)
        note_values(fig, [f"{name}{label} {v:,.0f}" for name, v in zip(labels, values, strict=True) if v])
        left = left + values
    if total_labels:
        for pos, (name, total) in enumerate(zip(labels, left, strict=True)):
            xy = (total, pos) if horizontal else (pos, total)
            value_label(ax, f"{total:,.0f}", xy[0], xy[1], horizontal=horizontal, name=f"{name}合计")
    if horizontal:
        ax.invert_yaxis()
    ax.legend()
    _title(fig, title, unit)
    return finish(fig, category_axis="y" if horizontal else "x")


def line(
    frame: pd.DataFrame,
    x: str,
    y: str,
    series: str | None,
    title: str,
    unit: str | None = None,
    decimals: int = 1,
    figsize=None,
):
    """Trend lines (one per series) over years or another ordered x."""
    fig, ax = _figure(figsize)
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=False))
    for i, (name, sub) in enumerate(groups):
        ax.plot(
            sub[x].astype(str), sub[y], marker="o", label=name, color=style.PALETTE[i % len(style.PALETTE)]
        )
        for xv, yv in zip(sub[x].astype(str), sub[y], strict=True):
            if yv == yv:
                value_label(ax, f"{yv:,.{decimals}f}", xv, yv, name=f"{name or ''}{xv}")
    if series is not None:
        ax.legend()
    _title(fig, title, unit)
    ax.margins(y=0.15)
    return finish(fig)


def matrix(
    frame: pd.DataFrame,
    row_labels: list[str],
    col_labels: list[str],
    title: str,
    figsize=None,
    row_groups: list[str] | None = None,
):
    """A dot matrix for yes/no tables (e.g. 专业 × 培养层次); `frame` holds booleans. Column headers wrap
    to their column's width so neighbours never run together."""
    rows = [wrap(r, 8) for r in row_labels]
    fig, ax = _figure(figsize, (0.2 * _lines(rows) + 0.3) * len(rows) + 2.2)
    values = frame.fillna(False).astype(bool).to_numpy()
    ys, xs = np.nonzero(values)
    ax.scatter(xs, ys, s=110, color=style.PRIMARY, zorder=3)
    # Row labels take about 8 ems; the rest is shared by the columns. Headers alternate between two tiers,
    # so each may use the width of two columns without touching its neighbours.
    column_ems = max(2.0, 2 * (_ems_across() - 8.5) / max(1, len(col_labels)) - 0.8)
    headers = [wrap(c, column_ems) for c in col_labels]
    lower = _lines(headers[0::2])
    ax.set_xticks(range(len(col_labels)), headers)
    for i, tick in enumerate(ax.xaxis.get_major_ticks()):
        if i % 2:  # the upper tier: lifted by the lower tier's height
            tick.set_pad(tick.get_pad() + lower * style.LABEL_SIZE * 1.2 + 2)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlim(-0.6, len(col_labels) - 0.4)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.xaxis.tick_top()
    ax.grid(True, color="#dddddd")
    if row_groups:
        previous = None
        for pos, g in enumerate(row_groups):
            if g != previous and pos:
                ax.axhline(pos - 0.5, color="#888888", linewidth=0.8)
            previous = g
    note_values(
        fig,
        [
            f"{row}：{'、'.join(c for c, v in zip(col_labels, vals, strict=True) if v) or '无'}"
            for row, vals in zip(row_labels, values, strict=True)
        ],
    )
    _title(fig, title, None)
    return finish(fig)


def can_be_shares(values) -> bool:
    """True when the values can be drawn as shares of a whole: none missing or negative, not all zero."""
    numbers = [float(v) for v in values]
    return all(not math.isnan(v) and v >= 0 for v in numbers) and any(numbers)


def pie(labels, values, title: str, unit: str | None = None, figsize=None, ax=None):
    """Share of a whole; only for 2–5 parts that sum to a total. Names, values and shares go in the legend
    above the pie, so no text can overlap a small slice. Parts that cannot be shares (a negative or missing
    part, or all zero) are drawn as bars instead: whatever the data hold is shown, not refused."""
    fig, ax = _figure(figsize, 3.4) if ax is None else (ax.figure, ax)
    values = [float(v) for v in values]
    total = sum(values)
    names = [str(v).replace("\n", " ") for v in labels]
    if not can_be_shares(values):
        bars = ax.bar(names, values, color=style.PRIMARY, width=0.6)
        _label_bars(ax, bars, 0, names)
        if any(v < 0 for v in values):
            ax.axhline(0, color="#555555", linewidth=0.8)  # the value axis is hidden: show where zero is
        note_values(fig, [f"{n} {v:,.0f}" for n, v in zip(names, values, strict=True) if not math.isnan(v)])
        if title:
            _title(fig, title, None)  # the unit of shares (%) does not apply to the bars
        return finish(fig, category_axis="x") if title else fig
    entries = [f"{n}（{v / total * 100:.1f}%）" if total else n for n, v in zip(names, values, strict=True)]
    wedges, _ = ax.pie(
        values,
        startangle=90,
        counterclock=False,
        colors=style.PALETTE,
        wedgeprops={"linewidth": 1, "edgecolor": "white"},
    )
    ax.legend(wedges, entries)
    ax.axis("equal")
    note_values(fig, entries)
    if title:
        _title(fig, title, unit)
    return finish(fig) if title else fig


def year_panels(items: list[dict], title: str, years: list[int], ncols: int = 2):
    """Small multiples: one panel per indicator, one bar per year. items: label, unit, decimals, values
    (per year), and optionally `better` ("higher"/"lower"), which colours this year's bar by its change."""
    style.use_house_style()
    n = len(items)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(style.FIG_WIDTH, 2.3 * nrows + 0.4), squeeze=False)
    labels = [f"{y} 年" for y in years]
    for ax, item in zip(axes.flat, items, strict=False):
        values = [float(v) if not is_missing(v) else np.nan for v in item["values"]]
        colors = style.year_colors(len(years))
        if item.get("better") and len(values) > 1:
            colors[-1] = change_color(values[-1] - values[-2], item["better"])
        bars = ax.bar(labels, values, color=colors, width=0.6)
        suffix = item["unit"] if item["unit"] in ("%", ":1") else ""
        for b, v, year in zip(bars, values, labels, strict=True):
            text = "未提供" if np.isnan(v) else f"{v:,.{item['decimals']}f}{suffix}"
            value_label(
                ax,
                text,
                b.get_x() + b.get_width() / 2,
                0 if np.isnan(v) else v,
                name=f"{item['label']}{year}",
            )
        unit = "" if item["unit"] in (":1", None, "") else f"（{item['unit']}）"
        ax.set_title(
            wrap(item["label"] + unit, _ems_across(1 / ncols) - 1), loc="left", fontsize=style.LABEL_SIZE
        )
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle(title, x=0.02, ha="left", fontsize=style.TITLE_SIZE)
    return fig


# ---- display: PNG and alt text ----------------------------------------------------------------------
def figure_title(fig) -> str:
    """The figure's title: its suptitle, else the first axes' title."""
    if fig._suptitle is not None and fig._suptitle.get_text():
        return fig._suptitle.get_text()
    for ax in fig.axes:
        for loc in ("left", "center"):
            if ax.get_title(loc=loc):
                return ax.get_title(loc=loc)
    return ""


def alt_text(fig) -> str:
    """The title and the values the figure shows, for readers who cannot see the image."""
    title = figure_title(fig).replace("\n", "")
    values = [v for v in getattr(fig, "qz_values", []) if v]
    if len(values) > 60:
        values = values[:60] + ["……"]
    return title + ("：" + "；".join(values) if values else "") + "。"


def _title_artist(fig):
    if fig._suptitle is not None and fig._suptitle.get_text():
        return fig._suptitle
    for ax in fig.axes:
        for artist in (ax.title, ax._left_title):
            if artist.get_text():
                return artist
    return None


def png_bytes(fig, with_title: bool = False) -> bytes:
    """The figure as a compact PNG (a 256-colour palette, no dithering) at `style.EXPORT_DPI`; without its
    title unless asked, since the report sets the title as the figure's caption."""
    from PIL import Image

    title = None if with_title else _title_artist(fig)
    if title is not None:
        title.set_visible(False)
    try:
        fig.savefig(buffer := io.BytesIO(), format="rgba", dpi=style.EXPORT_DPI, facecolor="white")
    finally:
        if title is not None:
            title.set_visible(True)
    # Raw pixels, not a PNG: the palette image below is the only PNG encoded.
    pixels = buffer.getvalue()
    width = round(fig.get_figwidth() * style.EXPORT_DPI)
    size = (width, len(pixels) // (4 * width))
    image = Image.frombuffer("RGBA", size, pixels, "raw", "RGBA", 0, 1).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def figure_bundle(fig, include=None, exclude=None):
    """IPython display of a figure: the PNG, the title as text, and the caption and alt text as metadata."""
    png = png_bytes(fig)
    fig._qz_png = png  # the per-MIME PNG formatter returns this same image
    width_in, height_in = fig.get_size_inches()
    title = figure_title(fig)
    data = {"image/png": base64.b64encode(png).decode("ascii"), "text/plain": title}
    metadata = {
        "image/png": {
            "width": style.DISPLAY_WIDTH_PX,
            "height": round(style.DISPLAY_WIDTH_PX * height_in / width_in),
        },
        "qz": {"figure": {"title": title, "alt": alt_text(fig)}},
    }
    return data, metadata


def _png_formatter(fig):
    png = getattr(fig, "_qz_png", None) or png_bytes(fig)
    return base64.b64encode(png).decode("ascii")


def register_display() -> bool:
    """In an IPython kernel, show figures through `figure_bundle`; True when registered."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter
    formatter.mimebundle_formatter.for_type(Figure, figure_bundle)
    formatter.formatters["image/png"].for_type(Figure, _png_formatter)
    return True


register_display()
