"""第七章 特色创新：学校自己写的特色（data/<year>/text/ch07_features.md）。各校的特色不同，本章的数据图表
（职业技能等级认定的工种、等级、认定与获证）只在审阅版中附在学校文字之后。

The school's words come from data/<year>/text/; functions marked @review_voice (checks, recomputations,
commentary generated from the data) appear in the review edition only.
"""

from __future__ import annotations

import pandas as pd

from qzanalysis.report import charts, style
from qzanalysis.report.chapters import ch05_contribution as ch05
from qzanalysis.report.chapters.common import check, done, missing, no_data, show_key_figures
from qzanalysis.report.formatting import fmt_number
from qzanalysis.report.narrative import fact_text, review_voice, sentence, show_markdown, show_table

FEATURE_FACTS = [
    "certification_pilot_occupations",
    "certification_occupations",
    "certification_occupations_after_review",
    "certification_attempts_printed",
    "certified",
    "certification_rate_printed",
    "in_school_certification_printed",
]


def level_range(data) -> str | None:
    """'五级—一级': the highest and lowest level with people this year, in the report's order; None if no table."""
    table = data.table("skill_certification")
    if table is None:
        return None
    present = set(table.loc[table["people"].notna() & (table["people"] > 0), "level"])
    ordered = [lv for lv in ch05.levels() if lv in present]
    if not ordered:
        return None
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]}—{ordered[-1]}"


@review_voice
def narrative_feature(data) -> None:
    """第七章导语：试点工种数、等级范围、认定与获证规模。"""
    pilots = data.optional_fact("certification_pilot_occupations")
    attempts = data.fact("certification_attempts_printed")
    if missing(pilots) and missing(attempts):
        no_data("职业技能等级认定试点")
        return
    text = sentence(
        "{year} 年学校职业技能等级认定试点工作覆盖 **{p}**工种",
        year=data.year,
        p=fact_text(data, "certification_pilot_occupations"),
    )
    levels = level_range(data)
    if levels:
        text += sentence("，等级涵盖{lv}", lv=levels)
    text += "。"
    if not missing(attempts):
        text += sentence("全年认定 {a}", a=fact_text(data, "certification_attempts_printed"))
        if not missing(data.fact("certified")):
            text += sentence("，获证 {c}", c=fact_text(data, "certified"))
        c = check(data, "certification_rate")
        if not missing(c["computed"]):
            text += sentence("，获证率 {r}", r=fmt_number(c["computed"], c["decimals"], "%"))
        text += "（详见第五章）。"
    after = data.fact("certification_occupations_after_review")
    if not missing(pilots) and not missing(after) and pilots != after:
        text += sentence(
            "\n\n> 注意：本章所印试点工种 {p} 与第五章所印复评后认定工种 {a}不同。",
            p=fact_text(data, "certification_pilot_occupations"),
            a=fact_text(data, "certification_occupations_after_review"),
        )
    show_markdown(text)


@review_voice
def table_feature(data, prev) -> None:
    show_key_figures(data, prev, FEATURE_FACTS, "职业技能等级认定：主要数字")


def occupations(data) -> pd.DataFrame:
    rows = [
        ("复评前开展认定工种", data.fact("certification_occupations")),
        ("复评后认定工种", data.fact("certification_occupations_after_review")),
    ]
    return pd.DataFrame(rows, columns=["阶段", "工种"]).dropna()


@review_voice
def figure_occupations(data):
    """认定工种：复评前后。"""
    frame = occupations(data)
    if frame.empty:
        return no_data("认定工种")
    colors = style.year_colors(len(frame))
    fig = charts.bar(
        frame["阶段"],
        frame["工种"],
        f"{data.year} 年职业技能等级认定工种",
        "个",
        color=colors,
    )
    return done(fig)


def level_shares(data) -> pd.DataFrame | None:
    """各等级认定人次占全部认定人次的比例（%），按报告的等级顺序。"""
    table = data.table("skill_certification")
    if table is None:
        return None
    frame = table[table["scope"] == ch05.SCOPE_ALL].set_index("level")["people"].reindex(ch05.levels())
    frame = frame.astype("float64")
    total = frame.sum(min_count=1)
    if missing(total) or total == 0:
        return None
    return pd.DataFrame({"等级": frame.index, "人次": frame.values, "占比": frame.values / total * 100})


@review_voice
def figure_level_shares(data):
    """各等级认定人次占比。"""
    frame = level_shares(data)
    if frame is None:
        return no_data("职业技能等级认定人数（按等级）")
    frame = frame.dropna(subset=["占比"])
    fig = charts.bar(frame["等级"], frame["占比"], f"{data.year} 年各等级认定人次占比", "%", decimals=1)
    return done(fig)


@review_voice
def table_level_shares(data) -> None:
    frame = level_shares(data)
    if frame is None:
        no_data("职业技能等级认定人数（按等级）")
        return
    out = pd.DataFrame(
        {
            "等级": frame["等级"],
            "认定人次": frame["人次"].map(lambda v: fmt_number(v, 0)),
            "占比（%）": frame["占比"].map(lambda v: fmt_number(v, 1)),
        }
    )
    show_table(out, None, f"{data.year} 年各等级认定人次占比")


__all__ = [
    "narrative_feature",
    "table_feature",
    "figure_occupations",
    "figure_level_shares",
    "table_level_shares",
]
