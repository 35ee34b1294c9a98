"""第五章 社会贡献：社会培训、高技能人才、职业技能等级认定；各节中学校自己登记的数字（技术服务、对口支援等）。

The school's words come from data/<year>/text/; functions marked @review_voice (checks, recomputations,
commentary generated from the data) appear in the review edition only.
"""

from __future__ import annotations

import math

import pandas as pd

from qzanalysis.core.catalog import table_specs
from qzanalysis.indicators.compare import compare, implied_denominator
from qzanalysis.indicators.registry import registry
from qzanalysis.report import charts
from qzanalysis.report.chapters.common import (
    basis_text,
    check,
    done,
    figure_section_facts,
    missing,
    no_data,
    printed_clause,
    show_key_figures,
    table_section_facts,
)
from qzanalysis.report.formatting import MISSING_TEXT, fmt_number
from qzanalysis.report.narrative import fact_text, review_voice, sentence, show_markdown, show_table

LEVELS_FIELD = ("skill_certification", "level")
SCOPE_ALL, SCOPE_SCHOOL = "全部", "在校生"
SCOPE_LABELS = {SCOPE_ALL: "全部认定人次", SCOPE_SCHOOL: "其中在校生"}
SCOPE_TOTALS = {SCOPE_ALL: "certification_attempts_printed", SCOPE_SCHOOL: "in_school_certification_printed"}


def levels() -> list[str]:
    """五级 … 一级, in the order of the schema (the order the report prints)."""
    table, field = LEVELS_FIELD
    return list(table_specs()[table].field(field).constraints["enum"])


# ---- 5.1–5.2 社会培训与高技能人才 ------------------------------------------------------------------
@review_voice
def narrative_training(data) -> None:
    """社会培训人次、高技能人才；5.2 与 1.2 两处所印数字并列说明。"""
    now = data.fact("social_training_attendances")
    other = data.fact("social_training_attendances_1_2")
    if missing(now) and missing(other):
        no_data("社会培训")
        return
    main = "social_training_attendances" if not missing(now) else "social_training_attendances_1_2"
    text = sentence(
        "{year} 年学校开展社会培训 **{n}**",
        year=data.year,
        n=fact_text(data, main),
    )
    if not missing(data.fact("high_skill_trained")):
        text += sentence("，培养高技能人才 **{h}**", h=fact_text(data, "high_skill_trained"))
    text += "。"
    notes = []
    if not missing(now) and not missing(other) and now != other:
        notes.append(
            sentence(
                "培训人次在报告中印了两处：5.2 节为 {a}，1.2 节为 {b}，相差 {d}。两个数字都是报告原印，"
                "报告未说明差异原因；本章采用 5.2 节的数字，1.2 节的数字见第一章。",
                a=fact_text(data, "social_training_attendances"),
                b=fact_text(data, "social_training_attendances_1_2"),
                d=fmt_number(abs(now - other), 0, "人次"),
            )
        )
    high, high_12 = data.fact("high_skill_trained"), data.fact("high_skill_trained_1_2")
    if not missing(high) and not missing(high_12) and high != high_12:
        notes.append(
            sentence(
                "高技能人才同样印了两处：5.2 节为 {a}，1.2 节为 {b}（单位一为“人”、一为“人次”），两者均为报告原印。",
                a=fact_text(data, "high_skill_trained"),
                b=fact_text(data, "high_skill_trained_1_2"),
            )
        )
    show_markdown(text + ("\n\n" + "\n\n".join(f"> {n}" for n in notes) if notes else ""))


@review_voice
def table_training(data, prev) -> None:
    show_key_figures(
        data,
        prev,
        [
            "social_training_attendances",
            "social_training_attendances_1_2",
            "high_skill_trained",
            "high_skill_trained_1_2",
        ],
        "社会培训与高技能人才培养",
    )


def training_multiple(data) -> dict:
    """培训人次与在籍学生数之比：各分子口径的计算值与核对结果、学校采用的口径（`chosen`）、报告值，以及按
    学校口径报告值隐含的分母（`implied_students`）。"""
    ind = registry()["training_per_student"]
    printed = data.fact(ind.printed)
    decimals = data.fact_decimals(ind.printed) or ind.decimals
    chosen = ind.chosen_options(data).get("numerator")
    out = {"printed": printed, "decimals": decimals, "chosen": chosen, "options": {}}
    for option, meaning in ind.options["numerator"]["choices"].items():
        value = ind.compute(data, numerator=option)
        verdict, _ = compare(value, printed, decimals)
        out["options"][option] = {"meaning": meaning, "value": value, "verdict": verdict.value}
    value = out["options"].get(chosen, {}).get("value", math.nan)
    implied = implied_denominator(value * data.fact("students_total"), printed)
    out["implied_students"] = math.nan if implied is None else implied
    return out


@review_voice
def narrative_training_multiple(data) -> None:
    """培训人次为在校生数的倍数：按学校口径重新计算的值与报告值。"""
    m = training_multiple(data)
    school = m["options"].get(m["chosen"], {})
    value = school.get("value", math.nan)
    if missing(value) and missing(m["printed"]):
        no_data("培训人次与在校生数之比")
        return
    basis = basis_text(data, "training_per_student")
    if missing(value):
        show_markdown(
            sentence(
                "报告称培训人次为在校生数的 {p}；本年度数据不足以按 {b} 重新计算。",
                p=fmt_number(m["printed"], m["decimals"], "倍"),
                b=basis,
            )
        )
        return
    text = sentence(
        "{name}按 {b} 计算为 **{v}**。",
        name=registry()["training_per_student"].name,
        b=basis,
        v=fmt_number(value, m["decimals"], "倍"),
    )
    if not missing(m["printed"]) and school["verdict"] not in ("一致", "舍入差异"):
        text += sentence(
            "报告值为 {p}，与重新计算的 {v}不一致；报告值相当于以约 {imp}为分母。",
            p=fmt_number(m["printed"], m["decimals"], "倍"),
            v=fmt_number(value, m["decimals"], "倍"),
            imp=fmt_number(m["implied_students"], 0, "人"),
        )
    show_markdown(text)


@review_voice
def figure_training_by_year(data):
    """社会培训人次（5.2 节所印），逐年；只有一个年度有数时不画图（返回 None）。

    一张图只画一个量：在籍学生数（人）与培训人次不是同一个量，1.2 节与 5.2 节对同一人次的两处印法
    也不是两个量——两者的出入属于审阅版的数据核查。"""
    from qzanalysis.core.years import all_years

    years = [d for d in all_years(data) if not missing(d.fact("social_training_attendances"))]
    if len(years) < 2:
        return None
    fig = charts.bar(
        [f"{d.year} 年" for d in years],
        [d.fact("social_training_attendances") for d in years],
        "社会培训人次",
        "人次",
        color=charts.style.year_colors(len(years)),
    )
    return done(fig)


# ---- 5.2 职业技能等级认定 ------------------------------------------------------------------------
def certification_wide(data) -> pd.DataFrame | None:
    """People by scope (rows) and level (columns, 五级…一级); absent cells stay missing. None when no table."""
    table = data.table("skill_certification")
    if table is None:
        return None
    wide = table.pivot_table(index="scope", columns="level", values="people", aggfunc="sum")
    wide = wide.reindex(index=[SCOPE_ALL, SCOPE_SCHOOL], columns=levels())
    present = table.groupby("scope")["people"].count()
    wide["各级之和"] = [
        table.loc[table["scope"] == s, "people"].sum() if present.get(s, 0) else math.nan for s in wide.index
    ]
    wide["合计（报告值）"] = [data.fact(SCOPE_TOTALS[s]) for s in wide.index]
    return wide


@review_voice
def narrative_certification(data) -> None:
    """职业技能等级认定人次、获证人次、获证率（报告值与重新计算值）、认定工种。"""
    attempts = data.fact("certification_attempts_printed")
    wide = certification_wide(data)
    if missing(attempts) and wide is None:
        no_data("职业技能等级认定")
        return
    c = check(data, "certification_rate")
    text = sentence(
        "{year} 年学校面向在校生和社会人员开展职业技能等级认定 **{a}**",
        year=data.year,
        a=fact_text(data, "certification_attempts_printed"),
    )
    if not missing(data.fact("certified")):
        text += sentence("，获证 **{g}**", g=fact_text(data, "certified"))
    text += "。"
    if not missing(c["computed"]):
        text += sentence(
            "按各等级认定人次之和计算，获证率为 **{v}**", v=fmt_number(c["computed"], c["decimals"], "%")
        )
        text += printed_clause(c, "%", "获证率")
    elif not missing(c["printed"]):
        text += sentence(
            "报告所印获证率为 {p}（缺少获证人次或分级认定人数，无法重新计算）。",
            p=fmt_number(c["printed"], c["decimals"], "%"),
        )
    occ, occ_after = (
        data.fact("certification_occupations"),
        data.fact("certification_occupations_after_review"),
    )
    if not missing(occ):
        text += sentence("当年开展认定工种 {o}", o=fact_text(data, "certification_occupations"))
        if not missing(occ_after):
            text += sentence(
                "；学校通过复评成为第三方认定机构后，认定工种增加到 **{n}**",
                n=fact_text(data, "certification_occupations_after_review"),
            )
        text += "。"
    if wide is not None:
        mismatched = [
            SCOPE_LABELS[s]
            for s in wide.index
            if not missing(wide.at[s, "合计（报告值）"])
            and not missing(wide.at[s, "各级之和"])
            and wide.at[s, "合计（报告值）"] != wide.at[s, "各级之和"]
        ]
        if mismatched:
            text += sentence(
                "\n\n> 注意：{m}的各级之和与报告所印合计不相等，见下表。", m="、".join(mismatched)
            )
        else:
            text += "下表各等级人数之和与报告所印合计相等。"
    show_markdown(text)


def table_certification(data) -> None:
    """报告 5.2 节职业技能等级认定人数表，按报告原样：五级…一级与合计（报告所印）；审阅版另列各级之和。"""
    wide = certification_wide(data)
    if wide is None:
        no_data("职业技能等级认定人数（按等级）")
        return
    frame = wide.reset_index().rename(columns={"scope": "范围"})
    frame["范围"] = frame["范围"].map(SCOPE_LABELS)
    out = pd.DataFrame({"范围": frame["范围"]})
    for col in [*levels(), "合计（报告值）"]:
        out[col if col in levels() else "合计"] = frame[col].map(lambda v: fmt_number(v, 0))
    show_table(out, None, f"{data.year} 年职业技能等级认定人数（人次）")
    _certification_sums(data, frame)


@review_voice
def _certification_sums(data, frame: pd.DataFrame) -> None:
    out = frame[["范围", "各级之和", "合计（报告值）"]].copy()
    for col in ("各级之和", "合计（报告值）"):
        out[col] = out[col].map(lambda v: fmt_number(v, 0))
    show_table(out, None, "职业技能等级认定人数：各级之和与报告所印合计")


def figure_certification_levels(data):
    """各等级认定人次：全部与在校生并列。"""
    table = data.table("skill_certification")
    if table is None or table["people"].isna().all():
        return no_data("职业技能等级认定人数（按等级）")
    frame = table.assign(范围=table["scope"].map(SCOPE_LABELS), people=table["people"].astype("float64"))
    groups = [SCOPE_LABELS[s] for s in (SCOPE_ALL, SCOPE_SCHOOL) if SCOPE_LABELS[s] in set(frame["范围"])]
    fig = charts.grouped_bar(
        frame,
        "level",
        "范围",
        "people",
        f"{data.year} 年各等级职业技能等级认定人数",
        "人次",
        decimals=0,
        order=levels(),
        group_order=groups,
    )
    return done(fig)


def figure_certified(data):
    """获证与未获证人次。"""
    attempts = data.fact("certification_attempts_printed")
    wide = certification_wide(data)
    if wide is not None and not missing(wide.at[SCOPE_ALL, "各级之和"]):
        attempts = wide.at[SCOPE_ALL, "各级之和"]
    certified = data.fact("certified")
    if missing(attempts) or missing(certified):
        return no_data("获证人次")
    labels = [
        f"获证 {fmt_number(certified, 0, '人次')}",
        f"未获证 {fmt_number(attempts - certified, 0, '人次')}",
    ]  # the pie's legend adds each share
    fig = charts.pie(
        labels,
        [certified, attempts - certified],
        f"{data.year} 年职业技能等级认定获证情况",
        "%",
    )
    return done(fig)


__all__ = [
    "MISSING_TEXT",
    "narrative_training",
    "table_training",
    "narrative_training_multiple",
    "figure_training_by_year",
    "narrative_certification",
    "table_certification",
    "figure_certification_levels",
    "figure_certified",
    "table_section_facts",
    "figure_section_facts",
]
