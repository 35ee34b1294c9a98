"""Chart helpers in the house style. Each returns the matplotlib Figure; titles carry their unit.

Chapter code passes tidy frames and Chinese labels; no chart code lives in notebooks.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from qzanalysis.core.values import is_missing
from qzanalysis.report import style


def _figure(figsize=None):
    style.use_house_style()
    return plt.subplots(figsize=figsize or style.FIGSIZE)


def finish(fig, category_axis: str | None = None):
    """Last step of every chart: thousands separators on value axes reaching 1,000 (as in the tables),
    no grid lines along a categorical axis (they would run through the bars), and close the figure so a
    notebook shows it once (as the cell's result, not again when the inline backend flushes)."""
    for ax in fig.axes:
        if category_axis:
            ax.grid(axis=category_axis, visible=False)
        for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            if axis.axis_name != category_axis and max(abs(v) for v in limits) >= 1000:
                axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    plt.close(fig)
    return fig


def _title(ax, title: str, unit: str | None):
    ax.set_title(f"{title}（{unit}）" if unit else title, loc="left")


def value_label(ax, text: str, x, y, horizontal: bool = False):
    """A small value label at a bar's end or a point: to its right when horizontal, above it otherwise."""
    offset, align = ((3, 0), {"va": "center"}) if horizontal else ((0, 2), {"ha": "center", "va": "bottom"})
    ax.annotate(
        text, (x, y), xytext=offset, textcoords="offset points", fontsize=style.LABEL_SIZE - 1.5, **align
    )


def _label_bars(ax, bars, decimals: int, unit_suffix: str = ""):
    for bar in bars:
        value = bar.get_height()
        if np.isnan(value):
            continue
        value_label(ax, f"{value:,.{decimals}f}{unit_suffix}", bar.get_x() + bar.get_width() / 2, value)


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
    """A vertical bar chart with value labels."""
    fig, ax = _figure(figsize)
    bars = ax.bar(list(labels), list(values), color=color or style.PRIMARY)
    _label_bars(ax, bars, decimals)
    _title(ax, title, unit)
    if ylim:
        ax.set_ylim(*ylim)
    ax.margins(y=0.12)
    return finish(fig, category_axis="x")


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
    """Horizontal bars sorted from high to low, optional reference line; missing values are left out."""
    frame = pd.DataFrame({"label": list(labels), "value": list(values)}).dropna().sort_values("value")
    fig, ax = _figure(figsize or (8.0, max(3.0, 0.38 * len(frame) + 1.2)))
    colors = [
        style.NEGATIVE if highlight_below is not None and v < highlight_below else style.PRIMARY
        for v in frame["value"]
    ]
    bars = ax.barh(frame["label"], frame["value"], color=colors)
    for b, v in zip(bars, frame["value"], strict=True):
        value_label(ax, f"{v:,.{decimals}f}", v, b.get_y() + b.get_height() / 2, horizontal=True)
    if reference is not None:
        ax.axvline(reference, color=style.SECONDARY, linestyle="--", linewidth=1)
        if reference_label:
            ax.annotate(
                reference_label,
                (reference, len(frame) - 0.5),
                color=style.SECONDARY,
                fontsize=style.LABEL_SIZE - 1.5,
                xytext=(3, 0),
                textcoords="offset points",
            )
    _title(ax, title, unit)
    ax.margins(x=0.12)
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
    """Bars for each category, one per group (e.g. per year), with value labels."""
    fig, ax = _figure(figsize)
    categories = order or list(dict.fromkeys(frame[category]))
    groups = group_order or list(dict.fromkeys(frame[group]))
    width = 0.8 / max(1, len(groups))
    x = np.arange(len(categories))
    colors = colors or style.PALETTE
    for i, g in enumerate(groups):
        sub = frame[frame[group] == g].set_index(category)[value].reindex(categories)
        bars = ax.bar(
            x + (i - (len(groups) - 1) / 2) * width,
            sub.values.astype(float),
            width,
            label=str(g),
            color=colors[i % len(colors)],
        )
        _label_bars(ax, bars, decimals)
    ax.set_xticks(x, categories)
    ax.legend(frameon=False)
    _title(ax, title, unit)
    ax.margins(y=0.15)
    return finish(fig, category_axis="x")


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
    fig, ax = _figure(figsize or (8.0, max(3.2, 0.42 * len(frame) + 1.4)))
    left = np.zeros(len(frame))
    labels = list(frame[index])
    for i, (col, label) in enumerate(parts.items()):
        values = frame[col].astype("float64").fillna(0).to_numpy()
        if horizontal:
            ax.barh(labels, values, left=left, label=label, color=style.PALETTE[i % len(style.PALETTE)])
        else:
            ax.bar(labels, values, bottom=left, label=label, color=style.PALETTE[i % len(style.PALETTE)])
        left = left + values
    if total_labels:
        for pos, total in enumerate(left):
            xy = (total, pos) if horizontal else (pos, total)
            value_label(ax, f"{total:,.0f}", xy[0], xy[1], horizontal=horizontal)
    if horizontal:
        ax.invert_yaxis()
        ax.margins(x=0.1)
    ax.legend(frameon=False, loc="lower right" if horizontal else "upper right")
    _title(ax, title, unit)
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
                value_label(ax, f"{yv:,.{decimals}f}", xv, yv)
    if series is not None:
        ax.legend(frameon=False)
    _title(ax, title, unit)
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
    """A dot matrix for yes/no tables (e.g. 专业 × 培养层次); `frame` holds booleans."""
    fig, ax = _figure(figsize or (8.5, 0.45 * len(frame) + 1.8))
    values = frame.fillna(False).astype(bool).to_numpy()
    ys, xs = np.nonzero(values)
    ax.scatter(xs, ys, s=160, color=style.PRIMARY, zorder=3)
    ax.set_xticks(range(len(col_labels)), col_labels)
    ax.set_yticks(range(len(row_labels)), row_labels)
    ax.set_xlim(-0.6, len(col_labels) - 0.4)
    ax.set_ylim(len(row_labels) - 0.5, -0.5)
    ax.xaxis.tick_top()
    ax.grid(True, color="#dddddd")
    if row_groups:
        previous = None
        for pos, g in enumerate(row_groups):
            if g != previous and pos:
                ax.axhline(pos - 0.5, color="#888888", linewidth=0.8)
            previous = g
    _title(ax, title, None)
    ax.title.set_position((0, 1.12))
    return finish(fig)


def can_be_shares(values) -> bool:
    """True when the values can be drawn as shares of a whole: none missing or negative, not all zero."""
    numbers = [float(v) for v in values]
    return all(not math.isnan(v) and v >= 0 for v in numbers) and any(numbers)


def shares(ax, labels, values) -> None:
    """Draw parts of a whole on `ax`: a pie, or bars when the parts cannot be shares (a negative or missing
    part, or all zero), so that whatever the data hold is shown rather than refused."""
    values = [float(v) for v in values]
    if not can_be_shares(values):
        bars = ax.bar(list(labels), values, color=style.PRIMARY)
        _label_bars(ax, bars, 0)
        ax.margins(y=0.12)
        ax.grid(axis="x", visible=False)  # no grid line through the bars
        return
    ax.pie(
        values,
        labels=list(labels),
        autopct="%1.1f%%",
        startangle=90,
        counterclock=False,
        colors=style.PALETTE,
        wedgeprops={"linewidth": 1, "edgecolor": "white"},
    )
    ax.axis("equal")


def pie(labels, values, title: str, unit: str | None = None, figsize=None):
    """Share of a whole; only for 2–5 parts that sum to a total (bars when they cannot be shares)."""
    fig, ax = _figure(figsize or (6.0, 4.2))
    shares(ax, labels, values)
    _title(ax, title, unit if can_be_shares(values) else None)
    return finish(fig)


def year_panels(items: list[dict], title: str, years: list[int], ncols: int = 3):
    """Small multiples: one panel per indicator, one bar per year. items: label, unit, decimals, values (per year)."""
    style.use_house_style()
    n = len(items)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.9 * ncols + 0.6, 2.5 * nrows + 0.7), squeeze=False)
    colors = style.year_colors(len(years))
    labels = [f"{y} 年" for y in years]
    for ax, item in zip(axes.flat, items, strict=False):
        values = [float(v) if not is_missing(v) else np.nan for v in item["values"]]
        bars = ax.bar(labels, values, color=colors, width=0.6)
        suffix = item["unit"] if item["unit"] in ("%", ":1") else ""
        top = np.nanmax(values) if not np.isnan(values).all() else 1.0
        for b, v in zip(bars, values, strict=True):
            text = "未提供" if np.isnan(v) else f"{v:,.{item['decimals']}f}{suffix}"
            value_label(ax, text, b.get_x() + b.get_width() / 2, 0 if np.isnan(v) else v)
        unit = "" if item["unit"] in (":1", None, "") else f"（{item['unit']}）"
        ax.set_title(item["label"] + unit, loc="left", fontsize=style.LABEL_SIZE)
        ax.set_ylim(0, top * 1.22 if top > 0 else 1)
        ax.set_yticks([])
        ax.grid(False)
        ax.spines["left"].set_visible(False)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle(title, x=0.02, ha="left", fontsize=style.TITLE_SIZE)
    return fig
