"""Notebook functions for 第八章 主要问题和改进措施 and 附录 数据核查.

Each function displays one block (Markdown or an HTML table) or returns one Figure. Everything shown is
derived from the year's data; a missing table or fact gives a missing-data notice, never a 0.
"""

from __future__ import annotations

import math

from ..formatting import table_html
from ..narrative import esc, missing_notice, show_markdown
from .expr import number_text
from .report import audit, declines, lowest, standards_not_met, verdict_counts
from .rules import CONSISTENT, INCONSISTENT, ROUNDING, UNCHECKABLE
from .standards import MET, NOT_MET, UNKNOWN, standards_table

LOWEST_N = 3


def _display_html(html: str):
    from IPython.display import HTML, display

    display(HTML(html))


def _fmt(value: float, unit: str, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = number_text(value, decimals)
    if unit == ":1":
        return f"{text}:1"
    return text + ("%" if unit == "%" else (f" {unit}" if unit else ""))


# ---- 第八章 --------------------------------------------------------------------------------------
def problem_groups(data, prev) -> dict[str, list[str]]:
    """The problems the data show, grouped, most serious first in each group (plain text, not escaped)."""
    groups: dict[str, list[str]] = {}
    gaps = standards_not_met(data)
    merged: dict[tuple, dict] = {}
    for _, r in gaps.iterrows():  # the same threshold in two documents is one problem
        key = (r["本校值"], r["标准"])
        if key in merged:
            merged[key]["文件"] += "、" + r["文件"]
        else:
            merged[key] = {**r.to_dict(), "指标": r["指标"].split("（")[0]}
    groups["未达到国家标准"] = [
        f"{r['指标']}为 {r['本校值']}，标准为 {r['标准']}，差 {r['差距'].lstrip('−+')}（{r['文件']}）。"
        for r in merged.values()
    ]
    falls = declines(data, prev)
    groups["比上年下降"] = [
        f"{r['项目']}由 {_fmt(r['上年'], r['单位'], r['decimals'])}降至 {_fmt(r['本年'], r['单位'], r['decimals'])}。"
        if r["变化"] < 0
        else f"{r['项目']}由 {_fmt(r['上年'], r['单位'], r['decimals'])}升至 {_fmt(r['本年'], r['单位'], r['decimals'])}（此项越低越好）。"
        for _, r in falls.iterrows()
    ]
    weak = []
    majors = lowest(data, "skill_pass_rates", "pass_rate", ["major", "occupation"], LOWEST_N)
    if not majors.empty:
        weak.append(
            "专业技能合格率最低的专业："
            + "；".join(
                f"{r['major']}（{r['occupation']}）{_fmt(r['pass_rate'], '%', 2)}"
                for _, r in majors.iterrows()
            )
            + "。"
        )
    subjects = lowest(data, "culture_scores", "pass_rate", ["grade", "subject"], LOWEST_N)
    if not subjects.empty:
        weak.append(
            "文化课及格率最低的学科："
            + "；".join(
                f"{r['grade']}{r['subject']} {_fmt(r['pass_rate'], '%', 1)}" for _, r in subjects.iterrows()
            )
            + "。"
        )
    groups["薄弱专业与学科"] = weak
    table = audit(data, prev)
    bad = table[table["结论"] == INCONSISTENT]
    groups["报告数据不一致"] = [
        f"{r['项目']}（{r['章节']}）：报告印 {r['报告值']}"
        + (f"，核算为 {r['重算值']}" if r["重算值"] != "—" else "")
        + f"。{r['说明']}"
        for _, r in bad.iterrows()
    ]
    return groups


GROUP_INTRO = {
    "未达到国家标准": "以下办学条件低于国家标准（按差距由大到小排列）：",
    "比上年下降": "以下指标比上年退步（按变化幅度由大到小排列）：",
    "薄弱专业与学科": "以下专业和学科的合格率最低：",
    "报告数据不一致": "以下数值在报告中前后不一致或算法有误，发布前应更正：",
}
GROUP_MISSING = {
    "未达到国家标准": "按现有数据，所列国家标准均已达到或无法判断。",
    "比上年下降": "没有上一年度的可比数据，或没有比上年退步的指标。",
    "薄弱专业与学科": "本年度未提供专业技能合格率和文化课成绩数据。",
    "报告数据不一致": "数据核查未发现不一致。",
}


def narrative_overview(data, prev) -> None:
    groups = problem_groups(data, prev)
    counts = {k: len(v) for k, v in groups.items()}
    prev_text = f"与 {prev.year} 年度相比" if prev is not None else "本年度没有上一年度数据可比"
    parts = [f"{k} {v} 项" for k, v in counts.items()]
    show_markdown(
        esc(
            f"本章问题清单由 {data.year} 年度数据自动生成（{prev_text}）：" + "，".join(parts) + "。"
            "每一项都可以在附录“数据核查”中找到算法和出处。"
        )
    )


def empty_group_text(data, prev, group: str) -> str:
    """What to say when a group has no items: never “all fine” when nothing could be checked."""
    if group == "未达到国家标准":
        table = standards_table(data)
        counts = table["结论"].value_counts()
        met, unknown = int(counts.get(MET, 0)), int(counts.get(UNKNOWN, 0))
        if met == 0:
            return f"按现有数据，所列 {len(table)} 项国家标准都无法判断（缺少数据），无法说明是否达标。"
        if unknown:
            return f"按现有数据，能判断的 {met} 项国家标准均已达到；另有 {unknown} 项缺少数据，无法判断。"
        return f"按现有数据，所列 {met} 项国家标准均已达到。"
    if group == "报告数据不一致":
        counts = dict(verdict_counts(audit(data, prev)).values)
        checked = counts[CONSISTENT] + counts[ROUNDING] + counts[INCONSISTENT]
        if checked == 0:
            return (
                f"本年度没有可以核对的项目：无法核对 {counts[UNCHECKABLE]} 项，一致 0 项，"
                "因此不能说明报告数据是否一致。"
            )
        return (
            f"在能核对的 {checked} 项中未发现不一致（一致 {counts[CONSISTENT]} 项，"
            f"舍入差异 {counts[ROUNDING]} 项）；另有 {counts[UNCHECKABLE]} 项无法核对。"
        )
    return GROUP_MISSING[group]


def list_problems(data, prev, group: str) -> None:
    """One group of the problem list as Markdown bullets."""
    items = problem_groups(data, prev)[group]
    if not items:
        show_markdown(f"> {esc(empty_group_text(data, prev, group))}")
        return
    show_markdown(esc(GROUP_INTRO[group]) + "\n\n" + "\n".join(f"- {esc(t)}" for t in items))


def figure_standards(data):
    """本校值占国家标准的百分比（不低于型标准），低于 100% 的标红。"""
    from ..charts import barh_sorted

    table = standards_table(data)
    table = table[table["unit"].ne(":1") & table["结论"].ne(UNKNOWN) & table["id"].isin(_ge_standards())]
    share = table["value"] / table["threshold"] * 100
    return barh_sorted(
        table["指标"],
        share,
        "本校值占国家标准的比例",
        "%",
        decimals=0,
        highlight_below=100,
        reference=100,
        reference_label="标准",
    )


def _ge_standards() -> list[str]:
    from .standards import standards

    return [s.id for s in standards().values() if s.comparison in (">=", ">")]


def school_assessment(data) -> None:
    """The school's own assessment (8.1/8.2 headings with a one-line summary), clearly labelled."""
    table = data.table("school_assessment")
    if table is None:
        show_markdown(missing_notice("学校自评（主要问题和改进措施）"))
        return
    lines = [f"以下为{esc(data.year)}年度报告第八章原文的标题与要点，属学校自评，不是由数据计算得出。"]
    for part, rows in table.groupby("part", sort=False):
        lines += ["", f"**{esc(part)}**", ""]
        for row in rows.itertuples():
            summary = f"：{esc(row.summary)}" if row.summary else ""
            lines.append(f"- **{esc(row.section)} {esc(row.heading)}**{summary}")
    show_markdown("\n".join(lines))


# ---- 附录 数据核查 --------------------------------------------------------------------------------
def narrative_audit_summary(data) -> None:
    table = audit(data)
    counts = dict(verdict_counts(table).values)
    show_markdown(
        esc(
            f"共核查 {len(table)} 项可由原始数据推导或相互印证的数值：不一致 {counts[INCONSISTENT]} 项，"
            f"舍入差异 {counts[ROUNDING]} 项，无法核对 {counts[UNCHECKABLE]} 项，一致 {counts[CONSISTENT]} 项。"
        )
    )


def table_verdict_counts(data) -> None:
    _display_html(table_html(verdict_counts(audit(data)).astype(str), "核查结论汇总"))


def table_audit(data, verdicts: list[str] | None = None) -> None:
    """The audit table (不一致 first); `verdicts` limits it to some verdicts."""
    table = audit(data)
    if verdicts:
        table = table[table["结论"].isin(verdicts)]
    if table.empty:
        show_markdown("> 没有此类结论的项目。")
        return
    columns = ["章节", "项目", "报告值", "重算值", "算法", "差异", "结论", "说明"]
    _display_html(table_html(table[columns], "数据核查明细"))


def table_standards(data) -> None:
    table = standards_table(data)
    order = {NOT_MET: 0, UNKNOWN: 1, MET: 2}
    table = table.sort_values("结论", key=lambda s: s.map(order), kind="stable")
    columns = ["指标", "适用", "本校值", "取值", "标准", "结论", "差距", "全国平均", "出处", "核实", "说明"]
    _display_html(table_html(table[columns], "对照国家标准"))


def narrative_verdict_legend() -> None:
    show_markdown(
        "- **一致**：重算值四舍五入后等于报告值。\n"
        "- **舍入差异**：四舍五入得不到报告值，但把重算值截尾到所印位数（截尾），或从多三位小数起逐位四舍五入（逐位舍入）恰好得到报告值；说明栏注明是哪一种。\n"
        "- **不一致**：四舍五入、截尾、逐位舍入都得不到报告值，或同一数量两处印的不同，或单位印错。\n"
        "- **无法核对**：报告没有公布重算所需的原始数，或缺少上年数据。"
    )


__all__ = [
    "empty_group_text",
    "figure_standards",
    "list_problems",
    "narrative_audit_summary",
    "narrative_overview",
    "narrative_verdict_legend",
    "problem_groups",
    "school_assessment",
    "table_audit",
    "table_standards",
    "table_verdict_counts",
]
