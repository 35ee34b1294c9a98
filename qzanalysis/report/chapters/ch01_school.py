"""第一章 学校情况：校园面积、学生情况、教师队伍、设施设备。

Every function displays one paragraph or table, or returns one closed Figure; missing data shows as
“本年度未提供……数据” or “—”, never as 0. The school's words come from data/<year>/text/ (placed by the
notebook); functions marked @review_voice speak for the audit and appear in the review edition only.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from qzanalysis.core.catalog import fact_specs
from qzanalysis.indicators.compare import compare, implied_denominator
from qzanalysis.indicators.formula import fact_value
from qzanalysis.indicators.registry import better_direction, indicator_table, registry
from qzanalysis.report import charts
from qzanalysis.report.chapters.common import (
    check,
    check_phrase,
    done,
    fact_label,
    fact_note,
    figure_section_facts,
    has_facts,
    missing,
    no_data,
    printed_text,
    printed_unit,
    show_facts,
    show_table_or_notice,
    table_section_facts,
    trend_years,
    year_label,
)
from qzanalysis.report.formatting import MISSING_TEXT, fmt_change, fmt_number
from qzanalysis.report.narrative import esc, fact_text, review_voice, sentence, show_markdown, show_table


# ---- indicator tables and year panels ----------------------------------------------------------
def indicator_frame(data, ids: list[str]) -> pd.DataFrame:
    """Display rows for registered indicators: 指标 / 报告值 / 重算值 / 核对 / 口径."""
    table = indicator_table(data).set_index("id")
    rows = []
    for ind_id in ids:
        ind = registry()[ind_id]
        row = table.loc[ind_id]
        decimals = data.fact_decimals(ind.printed) if ind.printed else None
        rows.append(
            {
                "指标": ind.name,
                "报告值": fmt_number(row["报告值"], decimals or 0, ind.unit) if ind.printed else "报告未印",
                "重算值": fmt_number(row["计算值"], ind.decimals, ind.unit),
                "核对": row["核对"],
                "口径": row["口径"],  # the definition this school uses, in words
            }
        )
    return pd.DataFrame(rows)


def show_indicators(data, ids: list[str], caption: str) -> None:
    frame = indicator_frame(data, ids)
    if ((frame["报告值"].isin([MISSING_TEXT, "报告未印"])) & (frame["重算值"] == MISSING_TEXT)).all():
        no_data(caption)
        return
    show_table(frame, None, caption)


def implied_students(data, ind_id: str, numerator: float) -> float:
    """The student count that would give the printed per-student value (NaN when unknown)."""
    c = check(data, ind_id)
    value = implied_denominator(numerator, c["printed"])
    return math.nan if value is None else value


# ---- 1.1.3 校园面积 ------------------------------------------------------------------------------
@review_voice
def narrative_campus(data) -> None:
    """占地与建筑面积，报告所印生均值与按在籍学生数重算的值。"""
    land = "land_area" if has_facts(data, "land_area") else "land_area_mu"  # as the school gave it
    if not has_facts(data, land) and not has_facts(data, "building_area"):
        no_data("校园面积")
        return
    text = sentence(
        "学校目前占地面积 **{land}**，建筑面积 **{building}**。",
        land=fact_text(data, land),
        building=fact_text(data, "building_area"),
    )
    text += check_phrase(data, "land_area_per_student") + "；"
    text += check_phrase(data, "building_area_per_student") + "。"
    implied = [
        implied_students(data, "building_area_per_student", data.fact("building_area")),
        implied_students(data, "land_area_per_student", fact_value(data, "land_area")[0]),
    ]
    n = data.fact("students_total")
    if (
        all(not missing(v) for v in implied + [n])
        and abs(implied[0] - implied[1]) < 0.01 * implied[0]
        and abs(implied[0] - n) > 0.01 * n
    ):
        text += sentence(
            "两项报告值都相当于按约 {m} 名学生计算，与在籍学生数不同。",
            m=fmt_number(round(implied[0], -1), 0),
        )
    if has_facts(data, "building_area_gap_printed"):
        text += sentence(
            "报告还写明生均建筑面积低于《中等职业学校设置标准》要求 {gap}（{note}）。",
            gap=fact_text(data, "building_area_gap_printed"),
            note=fact_note(data, "building_area_gap_printed") or "报告原文",
        )
    show_markdown(text)


@review_voice
def table_campus(data) -> None:
    """校园面积与生均面积：报告值与重算值。"""
    show_indicators(data, ["land_area_per_student", "building_area_per_student"], "生均面积：报告值与重算值")


# ---- 1.2 学生情况 -------------------------------------------------------------------------------
@review_voice
def narrative_students(data) -> None:
    """在籍学生、招生、毕业生与毕业率；各层次、各口径合计与总数的核对。"""
    if not has_facts(data, "students_total"):
        no_data("在籍学生")
        return
    text = sentence("{year} 年在籍学生共 **{n}**", year=data.year, n=fact_text(data, "students_total"))
    if has_facts(data, "enrolment"):
        text += sentence("，其中当年招生 **{e}**", e=fact_text(data, "enrolment"))
    if has_facts(data, "graduates_total"):
        text += sentence("，毕业生 **{g}**", g=fact_text(data, "graduates_total"))
    if has_facts(data, "graduation_rate_printed"):
        text += sentence("，毕业率 {r}", r=fact_text(data, "graduation_rate_printed"))
    text += "。"
    levels = data.table("students_by_level")
    if levels is not None and not levels["students"].isna().all():
        parts = "、".join(f"{esc(r.level)} {fmt_number(r.students, 0, '人')}" for r in levels.itertuples())
        total = levels["students"].sum()
        text += f"按培养层次分，{parts}，合计 {fmt_number(total, 0, '人')}"
        text += _agreement(total, data.fact("students_total"), "在籍学生数") + "。"
    channels = data.table("graduates_by_channel")
    if channels is not None and not channels["graduates"].isna().all():
        parts = "、".join(
            f"{esc(r.channel)} {fmt_number(r.graduates, 0, '人')}" for r in channels.itertuples()
        )
        total = channels["graduates"].sum()
        text += f"毕业生中{parts}，合计 {fmt_number(total, 0, '人')}"
        text += _agreement(total, data.fact("graduates_total"), "毕业生数") + "。"
    show_markdown(text)


def _agreement(total: float, expected: float, name: str) -> str:
    if missing(expected):
        return ""
    if total == expected:
        return f"，与{name}一致"
    return f"，与{name}（{fmt_number(expected, 0, '人')}）相差 {fmt_number(abs(total - expected), 0, '人')}"


def student_rows(data) -> list[dict]:
    """The rows of the report's 1.2 table (项目 / 类别 / 数值)."""
    rows = [
        {"项目": "招生规模", "类别": "", "数值": fact_text(data, "enrolment")},
        {"项目": "在籍学生数", "类别": "", "数值": fact_text(data, "students_total")},
        {"项目": "男女生比例", "类别": "", "数值": fact_text(data, "male_female_ratio_printed")},
    ]
    channels = data.table("graduates_by_channel")
    if channels is None:
        rows.append({"项目": "毕业生规模", "类别": "合计", "数值": fact_text(data, "graduates_total")})
    else:
        rows += [
            {"项目": "毕业生规模", "类别": r.channel, "数值": fmt_number(r.graduates, 0, "人")}
            for r in channels.itertuples()
        ]
    levels = data.table("students_by_level")
    if levels is None:
        rows.append({"项目": "学生结构", "类别": "分层次", "数值": MISSING_TEXT})
    else:
        rows += [
            {"项目": "学生结构", "类别": r.level, "数值": fmt_number(r.students, 0, "人")}
            for r in levels.itertuples()
        ]
    rows += [
        {"项目": "春季学期巩固率", "类别": "", "数值": fact_text(data, "retention_rate_spring_printed")},
        {"项目": "秋季学期巩固率", "类别": "", "数值": fact_text(data, "retention_rate_autumn_printed")},
    ]
    return rows


def table_students(data) -> None:
    """报告 1.2 节的学生情况表。"""
    frame = pd.DataFrame(student_rows(data))
    show_table_or_notice(frame, ["数值"], sentence("{year} 年学生情况", year=data.year), "学生情况")


@review_voice
def table_student_indicators(data) -> None:
    """1.2 节的比率：报告值与重算值（缺原始人数的标为无法核对）。"""
    show_markdown("学生情况各比率的报告值与按定义重算的结果如下；报告未公布原始人数的，标为“无法核对”。")
    show_indicators(
        data,
        [
            "graduation_rate",
            "male_female_ratio",
            "retention_rate_spring",
            "retention_rate_autumn",
            "training_per_student",
        ],
        "学生情况比率：报告值与重算值",
    )


@review_voice
def narrative_training(data) -> None:
    """面向社会培训人次及其与在籍学生数之比。"""
    if not has_facts(data, "social_training_attendances_1_2"):
        no_data("社会培训")
        return
    text = sentence("学校面向社会培训 **{t}**", t=fact_text(data, "social_training_attendances_1_2"))
    if has_facts(data, "high_skill_trained_1_2"):
        text += sentence("，培养高技能人才 {h}", h=fact_text(data, "high_skill_trained_1_2"))
    text += "。" + check_phrase(data, "training_per_student") + "。"
    note = fact_note(data, "social_training_attendances_1_2")
    if note:
        text += sentence("（{note}。）", note=note)
    show_markdown(text)


def figure_student_levels(data):
    """学生结构：各培养层次在籍学生数。"""
    levels = data.table("students_by_level")
    if levels is None or levels["students"].isna().all():
        return no_data("分层次学生")
    fig = charts.bar(levels["level"], levels["students"].astype("float64"), "在籍学生的层次结构", "人")
    return done(fig)


def figure_graduates_by_channel(data):
    """毕业生按口径（教育口 / 人社口）。"""
    channels = data.table("graduates_by_channel").dropna() if data.has("graduates_by_channel") else None
    if channels is None or channels.empty:
        return no_data("分口径毕业生")
    labels = [f"{r.channel} {fmt_number(r.graduates, 0, '人')}" for r in channels.itertuples()]
    fig = charts.pie(labels, channels["graduates"].astype("float64"), "毕业生按口径分布", "人")
    return done(fig)


# ---- 1.3 教师队伍 -------------------------------------------------------------------------------
TEACHER_COUNTS = [
    "full_time_teachers",
    "specialty_teachers",
    "dual_qualified_teachers",
    "part_time_teachers",
    "bachelor_plus_teachers",
    "master_plus_teachers",
    "senior_title_teachers",
]
TEACHER_RATIOS = [
    "student_teacher_ratio",
    "dual_qualified_ratio",
    "part_time_ratio",
    "bachelor_ratio",
    "master_ratio",
    "senior_title_ratio",
]


@review_voice
def narrative_teachers(data, prev) -> None:
    """教师人数，以及与上年相比变化最大的比率。"""
    if not has_facts(data, "full_time_teachers"):
        no_data("教师队伍")
        return
    text = sentence(
        "{year} 年学校有专任教师 **{ft}**，其中专业课教师 {sp}，取得“双师型”资格的专业教师 {dq}；兼职教师 {pt}。"
        "本科以上学历 {ba}（其中硕士 {ma}），高级职称 {st}。",
        year=data.year,
        ft=fact_text(data, "full_time_teachers"),
        sp=fact_text(data, "specialty_teachers"),
        dq=fact_text(data, "dual_qualified_teachers"),
        pt=fact_text(data, "part_time_teachers"),
        ba=fact_text(data, "bachelor_plus_teachers"),
        ma=fact_text(data, "master_plus_teachers"),
        st=fact_text(data, "senior_title_teachers"),
    )
    text += check_phrase(data, "student_teacher_ratio") + "；"
    text += check_phrase(data, "dual_qualified_ratio") + "。"
    if prev is not None:
        ind = registry()["dual_qualified_ratio"]
        now, before = data.fact(ind.printed), prev.fact(ind.printed)
        if not missing(now) and not missing(before):
            text += sentence(
                "与 {py} 年相比，“双师型”比例{verb} {d}。",
                py=prev.year,
                verb="提高" if now >= before else "下降",
                d=fmt_number(abs(now - before), 1, "个百分点"),
            )
    show_markdown(text)


@review_voice
def table_teacher_counts(data) -> None:
    """教师人数（人）。"""
    show_facts(
        data, sentence("{year} 年教师人数", year=data.year), TEACHER_COUNTS + ["students_for_teacher_ratio"]
    )


def teacher_ratio_table(data, prev) -> pd.DataFrame:
    """The report's 1.3 table as printed: 教师队伍 / previous year / this year / 变化情况 (the printed change)."""
    rows = []
    for ind_id in TEACHER_RATIOS:
        ind = registry()[ind_id]
        dec = data.fact_decimals(ind.printed) or ind.decimals
        row = {"教师队伍": ind.name}
        if prev is not None:
            row[year_label(prev.year)] = fmt_number(prev.fact(ind.printed), dec, ind.unit)
        row[year_label(data.year)] = fmt_number(data.fact(ind.printed), dec, ind.unit)
        row["变化情况"] = printed_text(data, ind.printed_change) if ind.printed_change else MISSING_TEXT
        rows.append(row)
    return pd.DataFrame(rows)


def teacher_ratio_frame(data, prev) -> pd.DataFrame:
    """The audit of the 1.3 table: the change by the two years' printed values, and this year recomputed."""
    rows = []
    for ind_id in TEACHER_RATIOS:
        ind = registry()[ind_id]
        now = data.fact(ind.printed)
        dec = data.fact_decimals(ind.printed) or ind.decimals
        row = {"指标": ind.name, "变化情况（报告印）": printed_text(data, ind.printed_change)}
        if prev is not None:
            delta = now - prev.fact(ind.printed)
            unit = "" if ind.unit == ":1" else "个百分点"
            row["变化（按两年报告值）"] = (
                fmt_change(delta, dec, unit).strip() if not missing(delta) else MISSING_TEXT
            )
        c = check(data, ind_id)
        row[year_label(data.year) + "重算值"] = fmt_number(c["computed"], ind.decimals, ind.unit)
        row["核对"] = c["verdict"].value
        rows.append(row)
    return pd.DataFrame(rows)


def table_teacher_ratios(data, prev) -> None:
    """报告 1.3 节教师队伍比率表（按报告所印）；审阅版另列变化方向与重算值。"""
    frame = teacher_ratio_table(data, prev)
    values = [c for c in frame.columns if c.endswith(" 年")]
    if not show_table_or_notice(frame, values, "教师队伍主要比率", "教师队伍比率"):
        return
    _teacher_ratio_checks(data, prev)


@review_voice
def _teacher_ratio_checks(data, prev) -> None:
    show_table(teacher_ratio_frame(data, prev), None, "教师队伍比率：变化方向与重算值")
    quirks = []  # how the report printed its 变化情况 column, as the data record it
    changes = [c for c in (registry()[i].printed_change for i in TEACHER_RATIOS) if c]
    if prev is not None and any(_unsigned_fall(data, prev, i) for i in TEACHER_RATIOS):
        quirks.append("不带正负号（有的比率实为下降）")
    if any(printed_unit(data, c) == "%" and data.fact_spec(c).unit == "百分点" for c in changes):
        quirks.append("以“%”表示百分点")
    lead = "报告的“变化情况”一栏" + "，并".join(quirks) + "；" if quirks else ""
    show_markdown("> " + lead + "“变化（按两年报告值）”一栏标出方向，重算值按指标定义由教师人数计算。")


def _unsigned_fall(data, prev, ind_id: str) -> bool:
    """Whether the report prints this ratio's fall as a change without its minus sign."""
    ind = registry()[ind_id]
    printed = data.fact(ind.printed_change) if ind.printed_change else math.nan
    delta = data.fact(ind.printed) - prev.fact(ind.printed)
    return not missing(printed) and not missing(delta) and printed > 0 and delta < 0


def figure_teacher_counts(data):
    """教师队伍构成（人）。"""
    values = {fact_label(f): data.fact(f) for f in TEACHER_COUNTS}
    if all(missing(v) for v in values.values()):
        return no_data("教师人数")
    fig = charts.barh_sorted(
        list(values), list(values.values()), sentence("{y} 年教师队伍构成", y=data.year), "人", decimals=0
    )
    return done(fig)


def figure_teacher_ratios(data, prev):
    """教师队伍比率：上年与本年（报告值），一指标一小图。"""
    years = trend_years(data, prev)
    items: list[dict[str, Any]] = []
    for ind_id in TEACHER_RATIOS:
        ind = registry()[ind_id]
        values = [d.fact(ind.printed) for d in years]
        items.append(
            {
                "label": ind.name,
                "unit": ind.unit,
                "decimals": ind.decimals,
                "values": values,
                "better": ind.better,
            }
        )
    if all(missing(v) for item in items for v in item["values"]):
        return no_data("教师队伍比率")
    fig = charts.year_panels(items, "教师队伍主要比率", [d.year for d in years])
    return done(fig)


@review_voice
def narrative_teacher_training(data) -> None:
    """1.3.2 / 3.3.2 教师培训人次与学时，人均学时核对。"""
    if not has_facts(data, "teacher_training_attendances"):
        no_data("教师培训")
        return
    text = sentence(
        "{year} 年教师参加指令性和自主选课培训 **{n}**，完成培训 **{h}**。",
        year=data.year,
        n=fact_text(data, "teacher_training_attendances"),
        h=fact_text(data, "teacher_training_hours"),
    )
    text += check_phrase(data, "teacher_training_hours_per_person") + "。"
    show_markdown(text)


# ---- 1.4 设施设备 -------------------------------------------------------------------------------
FACILITY_ROWS = [  # (value fact, printed growth fact)
    ("equipment_value_per_student_printed", "equipment_value_per_student_growth_printed"),
    ("workstations_table", "workstations_growth_printed"),
    ("books_per_student_printed", "books_per_student_growth_printed"),
]


@review_voice
def narrative_facilities(data) -> None:
    """图书与生均图书核对（学校自己登记的设施设备数字见本节的表和图）。"""
    if not has_facts(data, "books"):
        no_data("设施设备")
        return
    text = sentence(
        "学校藏书 **{b}**，报刊杂志 {p}。", b=fact_text(data, "books"), p=fact_text(data, "periodicals")
    )
    show_markdown(text + check_phrase(data, "books_per_student") + "。")


def facility_table(data, prev) -> pd.DataFrame:
    """The report's 1.4 table as printed: 指标 / previous year / this year / 增长情况."""
    rows = []
    for value_id, growth_id in FACILITY_ROWS:
        unit = fact_specs()[value_id].unit
        dec = data.fact_decimals(value_id) or 0
        row = {"指标": fact_label(value_id)}
        if prev is not None:
            row[year_label(prev.year)] = fmt_number(prev.fact(value_id), dec, unit)
        row[year_label(data.year)] = fmt_number(data.fact(value_id), dec, unit)
        row["增长情况"] = printed_text(data, growth_id)
        rows.append(row)
    return pd.DataFrame(rows)


def facility_frame(data, prev) -> pd.DataFrame:
    """The audit of the 1.4 table: the printed growth beside the growth recomputed from the two years."""
    rows = []
    for value_id, growth_id in FACILITY_ROWS:
        row = {"指标": fact_label(value_id), "增长情况（报告印）": fact_text(data, growth_id)}
        before = prev.fact(value_id) if prev is not None else math.nan
        now = data.fact(value_id)
        growth = (now - before) / before * 100 if not missing(before) and before else math.nan
        if prev is not None:
            row["增长（按两年数值重算）"] = fmt_number(growth, data.fact_decimals(growth_id) or 2, "%")
            row["核对"] = compare(growth, data.fact(growth_id), data.fact_decimals(growth_id))[0].value
        row["说明"] = fact_note(data, value_id)
        rows.append(row)
    return pd.DataFrame(rows)


def table_facilities(data, prev) -> None:
    """报告 1.4 节设施设备表（两年对比与增长率，按报告所印）；审阅版另列增长率重算。"""
    frame = facility_table(data, prev)
    years = [c for c in frame.columns if c.endswith(" 年")]
    if show_table_or_notice(frame, years, "设施设备主要指标", "设施设备"):
        _facility_checks(data, prev)


@review_voice
def _facility_checks(data, prev) -> None:
    show_table(facility_frame(data, prev), None, "设施设备：增长率重算")


@review_voice
def table_facility_indicators(data) -> None:
    """1.4 节的生均指标：报告值与重算值。"""
    show_indicators(
        data,
        ["equipment_value_per_student", "books_per_student", "workstations_per_student"],
        "生均设施设备：报告值与重算值",
    )


def figure_facilities(data, prev):
    """设施设备指标：上年与本年，一指标一小图。"""
    years = trend_years(data, prev)
    items: list[dict[str, Any]] = [
        {
            "label": fact_label(v),
            "unit": fact_specs()[v].unit,
            "decimals": data.fact_decimals(v) or 0,
            "values": [d.fact(v) for d in years],
            "better": better_direction(v),
        }
        for v, _ in FACILITY_ROWS
    ]
    if all(missing(v) for item in items for v in item["values"]):
        return no_data("设施设备")
    fig = charts.year_panels(items, "设施设备主要指标", [d.year for d in years])
    return done(fig)


__all__ = [
    "table_section_facts",
    "figure_section_facts",
    "narrative_campus",
    "table_campus",
    "narrative_students",
    "table_students",
    "table_student_indicators",
    "narrative_training",
    "figure_student_levels",
    "figure_graduates_by_channel",
    "narrative_teachers",
    "table_teacher_counts",
    "table_teacher_ratios",
    "figure_teacher_counts",
    "figure_teacher_ratios",
    "narrative_teacher_training",
    "narrative_facilities",
    "table_facilities",
    "table_facility_indicators",
    "figure_facilities",
]
