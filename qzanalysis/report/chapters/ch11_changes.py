"""附录 与上年相比的变化: what changed since the previous year, as text, tables and one chart.
The computations are in qzanalysis/indicators/changes.py."""

from __future__ import annotations

import pandas as pd

from qzanalysis.core.dataset import YearData
from qzanalysis.indicators.changes import (
    category_changes,
    emptied_cells,
    indicator_changes,
    summary,
    table_presence,
)
from qzanalysis.report.formatting import fmt_change, fmt_number


# ---- display (called from notebooks/ch11_changes.ipynb) -----------------------------------------
def no_previous_text(current: YearData) -> str:
    return f"> 数据目录中没有 {current.year} 年以前的数据，本年度无法与上年比较。"


def overview_text(current: YearData, previous: YearData | None) -> str:
    from qzanalysis.report.narrative import sentence

    if previous is None:
        return no_previous_text(current)
    s = summary(current, previous)
    return sentence(
        "本附录将 {year} 年的数据与 {prev} 年逐项比较：两年都有数值的指标共 {compared} 项，其中 {changed} 项有变化；"
        "各数据表中新增类别 {appeared} 个、不再出现的类别 {disappeared} 个；两年提供情况不同的数据表 {tables} 张；"
        "上年填写而本年空缺的单元格 {emptied} 个。这里只列出差别，差别本身不一定是问题，需结合说明解读。",
        year=current.year,
        prev=previous.year,
        compared=s["compared"],
        changed=s["changed"],
        appeared=s["appeared"],
        disappeared=s["disappeared"],
        tables=s["tables_changed"],
        emptied=s["emptied"],
    )


def change_text(value: float, decimals: int, unit: str) -> str:
    """'+0.4 个百分点' for a rate, '−0.8' for a ratio such as 15.1:1, '+50 个' otherwise."""
    if unit == "%":
        return fmt_change(value, decimals, "个百分点")
    return (
        fmt_change(value, decimals, "").rstrip() if unit in (":1", "") else fmt_change(value, decimals, unit)
    )


def largest_changes_display(current: YearData, previous: YearData | None, n: int = 15) -> pd.DataFrame:
    """The n largest relative changes, formatted for readers."""
    frame = indicator_changes(current, previous)
    frame = frame[frame["变化"] != 0].head(n)
    return pd.DataFrame(
        {
            "指标": frame["指标"],
            "类型": frame["类型"],
            f"{previous.year if previous else '上'}年": [
                fmt_number(v, d, u)
                for v, d, u in zip(frame["上年"], frame["小数位"], frame["单位"], strict=True)
            ],
            f"{current.year}年": [
                fmt_number(v, d, u)
                for v, d, u in zip(frame["本年"], frame["小数位"], frame["单位"], strict=True)
            ],
            "变化": [
                change_text(v, d, u)
                for v, d, u in zip(frame["变化"], frame["小数位"], frame["单位"], strict=True)
            ],
            "变化率": [fmt_change(v, 1, "%") for v in frame["变化率"]],
            "章节": frame["章节"],
        }
    )


def show_overview(current: YearData, previous: YearData | None) -> None:
    from qzanalysis.report.narrative import show_markdown

    show_markdown(overview_text(current, previous))


def _show(frame: pd.DataFrame, caption: str, empty_text: str) -> None:
    from qzanalysis.report.narrative import esc, show_markdown, show_table

    if frame.empty:
        show_markdown(f"> {esc(empty_text)}")
    else:
        show_table(frame, caption=caption)


def show_largest_changes(current: YearData, previous: YearData | None, n: int = 15) -> None:
    from qzanalysis.report.narrative import show_markdown

    if previous is None:
        show_markdown(no_previous_text(current))
        return
    _show(
        largest_changes_display(current, previous, n),
        f"变化最大的 {n} 项指标（按变化率排序）",
        f"{previous.year} 年与 {current.year} 年都有数值的指标中，没有发生变化的。",
    )


def figure_largest_changes(current: YearData, previous: YearData | None, n: int = 12):
    """Horizontal bars of the n largest relative changes (%). A bar is green when the indicator moved the way
    its metadata calls better (`better` in indicators.yaml), red when it moved the other way, grey when the
    indicator has no better direction (e.g. a count). None without data."""
    from qzanalysis.indicators.registry import better_direction
    from qzanalysis.report import charts

    frame = indicator_changes(current, previous)
    frame = frame[frame["变化率"].notna() & (frame["变化"] != 0)].head(n)
    if frame.empty or previous is None:
        return None
    # A printed value and the indicator recomputed from raw counts can share a name: keep the bars apart.
    names = [
        f"{name}（计算值）" if kind == "计算指标" else name
        for name, kind in zip(frame["指标"], frame["类型"], strict=True)
    ]
    wrapped = [charts.wrap(v, 8) for v in names]
    fig, ax = charts._figure(None, charts._bar_height(len(frame), charts._lines(wrapped)))
    colors = [
        charts.change_color(value, better_direction(fid))
        for fid, value in zip(frame["id"], frame["变化率"], strict=True)
    ]
    bars = ax.barh(wrapped, frame["变化率"], color=colors, height=0.62)
    for bar, name, value in zip(bars, names, frame["变化率"], strict=True):
        label = charts.value_label(
            ax,
            fmt_change(value, 1, "%"),
            value,
            bar.get_y() + bar.get_height() / 2,
            horizontal=True,
            name=name,
        )
        if value < 0:  # a fall is labelled left of its bar's end
            label.set_ha("right")
            label.xyann = (-4, 0)
    ax.invert_yaxis()
    ax.axvline(0, color="#555555", linewidth=0.8)
    charts._title(fig, f"{current.year} 年比 {previous.year} 年变化最大的指标（变化率）", "%")
    return charts.finish(fig, category_axis="y")


def show_category_changes(current: YearData, previous: YearData | None) -> None:
    from qzanalysis.report.narrative import show_markdown

    if previous is None:
        show_markdown(no_previous_text(current))
        return
    frame = category_changes(current, previous)
    _show(
        frame[["表", "类别", "变化"]],
        f"{previous.year} 年至 {current.year} 年新增或不再出现的类别",
        "两年都提供的数据表中，类别（专业、学科、资助类型等）没有增减。",
    )


def show_table_presence(current: YearData, previous: YearData | None) -> None:
    from qzanalysis.report.narrative import show_markdown

    if previous is None:
        show_markdown(no_previous_text(current))
        return
    frame = table_presence(current, previous).rename(
        columns={"上年": f"{previous.year}年", "本年": f"{current.year}年"}
    )
    _show(frame.drop(columns="table"), "两年提供情况不同的数据表", "两年提供的数据表相同。")


def show_emptied_cells(current: YearData, previous: YearData | None) -> None:
    from qzanalysis.report.narrative import show_markdown

    if previous is None:
        show_markdown(no_previous_text(current))
        return
    frame = emptied_cells(current, previous).rename(columns={"上年值": f"{previous.year}年的值"})
    _show(
        frame.drop(columns="table"),
        f"{previous.year} 年已填、{current.year} 年空缺的数据",
        f"没有 {previous.year} 年已填而 {current.year} 年空缺的数据。",
    )
