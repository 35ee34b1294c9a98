"""三、国家标准达标情况: every compared school against the national standards of its own type(s).

A 中等职业学校 is held to the 中职 standards, a 技工院校 to the 技工院校 ones, a school of both types to both; a
standard for another type shows as 不适用. Missing inputs give 无法判断, never 达标 or 未达标.
"""

from __future__ import annotations

import pandas as pd

from qzanalysis.indicators import area as calc
from qzanalysis.indicators.standards import NOT_MET, UNKNOWN, documents, standards
from qzanalysis.report.area.common import Area
from qzanalysis.report.narrative import sentence, show_markdown, show_table


def narrative_rule(area: Area) -> None:
    """Which documents apply to which type of school (from standards.yaml)."""
    by_type: dict[str, list[str]] = {}
    for std in standards().values():
        title = documents()[std.document]["title"]
        titles = by_type.setdefault(std.applies_to, [])
        if title not in titles:
            titles.append(title)
    parts = [sentence("{kind}对照{docs}", kind=kind, docs="、".join(docs)) for kind, docs in by_type.items()]
    show_markdown(
        "各校按本校填报的学校类型对照国家标准："
        + "；".join(parts)
        + "。不属于本校类型的标准记为“不适用”，缺少数据的记为“无法判断”。"
    )


def table_summary(area: Area) -> None:
    if not area.compared:
        show_markdown("没有通过校验的学校，无法对照标准。")
        return
    summary = calc.standards_summary(calc.standards_matrix(area.schools))
    show_table(summary.drop(columns=["代码"]), None, "各校达标情况汇总")  # readers know schools by name


def matrix_frame(area: Area) -> pd.DataFrame:
    """Rows: standards (with the type they apply to); columns: schools; cells: 达标/未达标/无法判断/不适用."""
    matrix = calc.standards_matrix(area.schools)
    wide = matrix.pivot_table(
        index=["标准", "适用"], columns="学校", values="结论", aggfunc="first", sort=False
    )
    order = [calc.short_name(s) for s in area.compared]
    return wide[order].reset_index()


def table_matrix(area: Area) -> None:
    if not area.compared:
        return
    show_table(matrix_frame(area), None, "国家标准逐校对照")


def narrative_shortfalls(area: Area) -> None:
    """The standards most often not met, with the schools; the schools that meet every applicable one."""
    if not area.compared:
        return
    matrix = calc.standards_matrix(area.schools)
    missed = matrix[matrix["结论"] == NOT_MET]
    lines = []
    counts = missed.groupby("标准", sort=False)["学校"].agg(list)
    for standard, schools in sorted(counts.items(), key=lambda item: -len(item[1])):
        lines.append(
            sentence(
                "- {std}：{n} 所未达标（{names}）", std=standard, n=len(schools), names="、".join(schools)
            )
        )
    summary = calc.standards_summary(matrix)
    clean = summary[(summary[NOT_MET] == 0) & (summary[UNKNOWN] == 0)]["学校"].tolist()
    text = (
        "未达标的标准：\n\n" + "\n".join(lines)
        if lines
        else "纳入比较的学校对照各自适用的标准，均未发现未达标项。"
    )
    if clean:
        text += "\n\n" + sentence("适用的标准全部达标且无缺项的学校：{names}。", names="、".join(clean))
    show_markdown(text)
