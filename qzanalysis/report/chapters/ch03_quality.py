"""第三章 质量保障措施：专业结构、公共基础课、专业设置与招生计划、信息化教学、实训工位；各节中学校自己登记的数字。

The school's words come from data/<year>/text/; functions marked @review_voice (checks, recomputations,
commentary generated from the data) appear in the review edition only.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import MaxNLocator

from qzanalysis.core.catalog import table_specs
from qzanalysis.report import charts, style
from qzanalysis.report.chapters.common import (
    check,
    done,
    fact_label,
    figure_section_facts,
    has_facts,
    missing,
    no_data,
    table_section_facts,
)
from qzanalysis.report.formatting import MISSING_TEXT, display_table, fmt_number
from qzanalysis.report.narrative import esc, fact_text, review_voice, sentence, show_markdown, show_table

LEVEL_COLUMNS = [
    "intermediate_worker",
    "advanced_worker",
    "technician",
    "gaokao_class",
    "secondary_higher_3_2",
    "secondary_bachelor_3_4",
]
HOUR_PARTS = ["compulsory_hours", "restricted_elective_hours", "free_elective_hours"]


def _titles(name: str) -> dict[str, str]:
    spec = table_specs()[name]
    return {f.name: f.title for f in spec.fields}


# ---- 3.1.1 专业结构 ------------------------------------------------------------------------------
@review_voice
def narrative_programs(data) -> None:
    table = data.table("program_levels")
    if table is None:
        no_data("专业结构")
        return
    groups = list(dict.fromkeys(table["group"]))
    text = sentence(
        "学校现有 {g} 个专业群（{names}），共 {n} 个专业。",
        g=len(groups),
        names="、".join(groups),
        n=len(table),
    )
    technician = int(table["technician"].fillna(False).sum())
    text += sentence("直接培养技师（预备技师）的专业有 {t} 个", t=technician)
    printed = data.fact("technician_majors_printed")
    if not missing(printed):
        text += (
            "，与报告所印一致"
            if printed == technician
            else sentence("（报告印 {p} 个）", p=fmt_number(printed, 0))
        )
    show_markdown(text + "。")


def table_program_levels(data) -> None:
    """报告 3.1.1 节专业结构图：专业 × 培养层次（● 表示开设）。"""
    table = data.table("program_levels")
    if table is None:
        no_data("专业结构")
        return
    show_table(table, "program_levels", "专业结构与培养层次")


def figure_program_levels(data):
    """专业 × 培养层次矩阵，按专业群分隔。"""
    table = data.table("program_levels")
    if table is None:
        return no_data("专业结构")
    titles = _titles("program_levels")
    fig = charts.matrix(
        table[LEVEL_COLUMNS],
        list(table["major"]),
        [titles[c] for c in LEVEL_COLUMNS],
        "各专业的培养层次",
        row_groups=list(table["group"]),
    )
    return done(fig)


def figure_majors_per_level(data):
    """开设各培养层次的专业数。"""
    table = data.table("program_levels")
    if table is None:
        return no_data("专业结构")
    titles = _titles("program_levels")
    counts = [int(table[c].fillna(False).sum()) for c in LEVEL_COLUMNS]
    fig = charts.bar(
        [titles[c] for c in LEVEL_COLUMNS],
        counts,
        "开设各培养层次的专业数",
        "个",
    )
    fig.axes[0].yaxis.set_major_locator(MaxNLocator(integer=True))
    return done(fig)


# ---- 3.2.1 公共基础课 ----------------------------------------------------------------------------
@review_voice
def narrative_public_courses(data) -> None:
    table = data.table("public_course_hours")
    if table is None:
        no_data("公共基础课课时")
        return
    parts_sum = table[HOUR_PARTS].astype("float64").sum(axis=1, min_count=1)
    mismatched = table[parts_sum != table["total_hours"].astype("float64")]
    common = table[table["applies_to"] == "所有专业"]
    text = sentence("学校开设公共基础课 {n} 门", n=len(table))
    printed = data.fact("public_courses_printed")
    if not missing(printed) and printed != len(table):
        text += sentence("（报告正文写 {p} 门）", p=fmt_number(printed, 0))
    text += sentence(
        "，其中 {c} 门面向所有专业，合计 {h}。",
        c=len(common),
        h=fmt_number(common["total_hours"].sum(), 0, "学时"),
    )
    if not table["total_hours"].isna().all():
        top = table.loc[table["total_hours"].astype("float64").idxmax()]
        text += sentence(
            "课时最多的是{c}（{h}）。", c=top["course"], h=fmt_number(top["total_hours"], 0, "学时")
        )
    if mismatched.empty:
        text += "各课程三个模块的课时之和均等于所印总学时。"
    else:
        text += sentence("{c} 的模块课时之和与所印总学时不符。", c="、".join(mismatched["course"]))
    show_markdown(text)


def table_public_course_hours(data) -> None:
    """报告 3.2.1 节公共基础课课时总学时安排表（“/”为该模块不设）。"""
    table = data.table("public_course_hours")
    if table is None:
        no_data("公共基础课课时")
        return
    frame = display_table(table, "public_course_hours")
    spec_titles = table_specs()["public_course_hours"].titles()
    for col in HOUR_PARTS:
        frame[spec_titles[col]] = frame[spec_titles[col]].replace(MISSING_TEXT, "/")
    show_table(frame, None, "公共基础课课时总学时安排表")
    show_markdown("> 注：“/”表示该课程不设此模块。")


def figure_public_course_hours(data):
    """公共基础课课时，按模块堆叠。"""
    table = data.table("public_course_hours")
    if table is None:
        return no_data("公共基础课课时")
    titles = _titles("public_course_hours")
    frame = table.assign(label=table["course"] + "（" + table["applies_to"].fillna("") + "）")
    fig = charts.stacked_bar(
        frame,
        "label",
        {c: titles[c] for c in HOUR_PARTS},
        "公共基础课课时（按模块）",
        "学时",
    )
    return done(fig)


# ---- 3.2.2 专业设置与招生计划 --------------------------------------------------------------------
@review_voice
def narrative_enrolment_plan(data) -> None:
    plan = data.table("enrolment_plan")
    if plan is None:
        no_data("招生计划")
        return
    durations, registries = list(dict.fromkeys(plan["duration"])), list(dict.fromkeys(plan["registry"]))
    text = sentence("{year} 年学校开设专业 {m}", year=data.year, m=fact_text(data, "majors_offered_printed"))
    text += sentence(
        "，招生计划涉及 {d} 种学制（{dn}）、{r} 种学籍（{rn}），共 {rows} 个招生方向，计划招生 **{p}**。",
        d=len(durations),
        dn="、".join(durations),
        r=len(registries),
        rn="、".join(registries),
        rows=len(plan),
        p=fmt_number(plan["planned"].sum(), 0, "人"),
    )
    c = check(data, "enrolment_plan_completion")
    if not missing(c["computed"]):
        text += sentence(
            "实际招生 {e}，招生计划完成率为 **{r}**（报告未印此值）。",
            e=fact_text(data, "enrolment"),
            r=fmt_number(c["computed"], c["ind"].decimals, "%"),
        )
    for printed_id, count in (
        ("study_durations_printed", len(durations)),
        ("registry_types_printed", len(registries)),
    ):
        printed = data.fact(printed_id)
        if not missing(printed) and printed != count:
            text += sentence(
                "（报告正文写{l} {p}，招生计划表中为 {c} 种。）",
                l=fact_label(printed_id),
                p=fmt_number(printed, 0),
                c=count,
            )
    show_markdown(text)


def table_enrolment_plan(data) -> None:
    """报告 3.2.2 节专业设置与招生计划表（原表一格中括号内另列的计划，单列一行）。"""
    plan = data.table("enrolment_plan")
    if plan is None:
        no_data("招生计划")
        return
    show_table(plan, "enrolment_plan", "专业设置与招生计划", columns=list(plan.columns))


def plan_by_duration(data) -> pd.DataFrame:
    plan = data.table("enrolment_plan")
    if plan is None:
        return pd.DataFrame()
    # A 学制 × 学籍 pair with no row in the plan has no places planned: 0, not missing.
    pivot = plan.pivot_table(
        index="duration", columns="registry", values="planned", aggfunc="sum", sort=False, fill_value=0
    )
    return pivot.reindex(list(dict.fromkeys(plan["duration"])))


@review_voice
def table_plan_by_duration(data) -> None:
    """招生计划按学制与学籍汇总，及与实际招生的对比。"""
    pivot = plan_by_duration(data)
    if pivot.empty:
        no_data("招生计划")
        return
    rows = []
    for duration, r in pivot.iterrows():
        row = {"学制": duration}
        row.update({f"{reg}学籍": fmt_number(r[reg], 0, "人") for reg in pivot.columns})
        row["合计"] = fmt_number(r.sum(min_count=1), 0, "人")
        rows.append(row)
    total = {"学制": "计划合计"}
    total.update({f"{reg}学籍": fmt_number(pivot[reg].sum(min_count=1), 0, "人") for reg in pivot.columns})
    total["合计"] = fmt_number(pivot.sum().sum(), 0, "人")
    rows.append(total)
    actual = {"学制": "实际招生"}
    actual.update({f"{reg}学籍": MISSING_TEXT for reg in pivot.columns})
    actual["合计"] = fact_text(data, "enrolment")
    rows.append(actual)
    show_table(pd.DataFrame(rows), None, "招生计划（按学制、学籍）与实际招生")


def figure_enrolment_plan(data):
    """上：各学制招生计划（按学籍堆叠）；下：计划合计与实际招生。"""
    pivot = plan_by_duration(data)
    if pivot.empty:
        return no_data("招生计划")
    style.use_house_style()
    rows = len(pivot.index)
    fig, (top, bottom_ax) = plt.subplots(
        2, 1, figsize=(style.FIG_WIDTH, 0.42 * rows + 3.2), gridspec_kw={"height_ratios": [rows + 1, 2.2]}
    )
    labels = [charts.wrap(str(v), 8) for v in pivot.index]
    left = pd.Series(0.0, index=pivot.index)
    for i, reg in enumerate(pivot.columns):
        values = pivot[reg].astype("float64").fillna(0)
        top.barh(
            labels,
            values,
            left=left,
            label=f"{reg}学籍",
            color=style.PALETTE[i % len(style.PALETTE)],
            height=0.62,
        )
        charts.note_values(fig, [f"{k}{reg}学籍 {v:,.0f}" for k, v in values.items() if v])
        left += values
    for y, (name, total) in enumerate(left.items()):
        charts.value_label(top, f"{total:,.0f}", total, y, horizontal=True, name=f"{name}合计")
    top.invert_yaxis()
    top.legend()
    planned, actual = float(pivot.sum().sum()), data.fact("enrolment")
    bars = bottom_ax.barh(
        ["计划合计", "实际招生"],
        [planned, 0 if missing(actual) else actual],
        color=[style.YEAR_COLORS["previous"], style.PRIMARY],
        height=0.62,
    )
    for b, name, value in zip(bars, ["计划合计", "实际招生"], [planned, actual], strict=True):
        charts.value_label(
            bottom_ax,
            "未提供" if missing(value) else f"{value:,.0f}",
            0 if missing(value) else value,
            b.get_y() + b.get_height() / 2,
            horizontal=True,
            name=name,
        )
    bottom_ax.invert_yaxis()
    fig.suptitle("各学制招生计划与实际招生（人）", x=0.02, ha="left", fontsize=style.TITLE_SIZE)
    return done(fig)


# ---- 3.2.4 课程建设 / 3.2.6 信息化教学 -------------------------------------------------------------
@review_voice
def narrative_online(data) -> None:
    """在线学习学生：各种分法的合计与在线总人数的核对。"""
    table = data.table("online_learners")
    if table is None and not has_facts(data, "online_learners_total"):
        no_data("在线教学")
        return
    text = sentence("在线网络学习学生共 **{n}**。", n=fact_text(data, "online_learners_total"))
    total = data.fact("online_learners_total")
    if table is not None:
        for breakdown, sub in table.groupby("breakdown", sort=False):
            parts = "、".join(
                f"{esc(r.category)} {fmt_number(r.learners, 0, '人')}"
                + (f"（{fmt_number(r.learners / total * 100, 1, '%')}）" if total else "")
                for r in sub.itertuples()
            )
            text += sentence("按{b}分：", b=breakdown) + parts
            s = sub["learners"].sum()
            text += (
                "，合计与在线总人数一致。"
                if s == total
                else sentence("，合计 {s}，与在线总人数不同。", s=fmt_number(s, 0, "人"))
            )
        notes = table["note"].dropna()
        if len(notes):
            text += sentence("（注：{n}。）", n="；".join(notes))
    show_markdown(text)


@review_voice
def table_online_learners(data) -> None:
    table = data.table("online_learners")
    if table is None:
        no_data("在线教学")
        return
    show_table(
        table,
        "online_learners",
        "在线学习学生人数（按终端、按网络）",
        columns=["breakdown", "category", "learners"],
    )


def figure_online_learners(data):
    """在线学习学生：按终端、按网络两幅饼图，上下排列。"""
    table = data.table("online_learners")
    if table is None:
        return no_data("在线教学")
    style.use_house_style()
    groups = list(table.groupby("breakdown", sort=False))
    fig, axes = plt.subplots(len(groups), 1, figsize=(style.FIG_WIDTH, 3.0 * len(groups)), squeeze=False)
    for ax, (breakdown, sub) in zip(axes.flat, groups, strict=True):
        labels = [f"按{breakdown}：{r.category} {r.learners:,} 人" for r in sub.itertuples()]
        charts.pie(labels, sub["learners"].astype("float64"), "", ax=ax)
    fig.suptitle("在线学习学生构成（人）", x=0.02, ha="left", fontsize=style.TITLE_SIZE)
    return done(fig)


# ---- 3.2.7 实训基地 ------------------------------------------------------------------------------
@review_voice
def narrative_workstations(data) -> None:
    """实训工位：3.2.7 节所印工位数，与 1.4 节表中所印工位数的核对。"""
    if not has_facts(data, "workstations_text"):
        no_data("实训工位")
        return
    text = sentence("本节所印实训工位 {w}。", w=fact_text(data, "workstations_text"))
    if has_facts(data, "workstations_table"):
        if data.fact("workstations_text") == data.fact("workstations_table"):
            text += "与 1.4 节表中所印工位数一致。"
        else:
            text += sentence(
                "1.4 节表中所印为 {t}，两处不同，报告未说明原因。", t=fact_text(data, "workstations_table")
            )
    show_markdown(text)


__all__ = [
    "table_section_facts",
    "figure_section_facts",
    "narrative_programs",
    "table_program_levels",
    "figure_program_levels",
    "figure_majors_per_level",
    "narrative_public_courses",
    "table_public_course_hours",
    "figure_public_course_hours",
    "narrative_enrolment_plan",
    "table_enrolment_plan",
    "table_plan_by_duration",
    "figure_enrolment_plan",
    "narrative_online",
    "table_online_learners",
    "figure_online_learners",
    "narrative_workstations",
]
