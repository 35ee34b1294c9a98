"""第四章 校企合作：新增合作企业、学生实习比例、集团化办学与合作企业增长率的核对。

The school's words come from data/<year>/text/; functions marked @review_voice (checks, recomputations,
commentary generated from the data) appear in the review edition only.
"""

from __future__ import annotations

import math

import pandas as pd

from qzanalysis.indicators.compare import Verdict, implied_denominator
from qzanalysis.report import charts, style
from qzanalysis.report.chapters.common import (
    basis_text,
    check,
    done,
    missing,
    no_data,
    printed_decimals,
    show_key_figures,
    year_label,
    years_of,
)
from qzanalysis.report.formatting import MISSING_TEXT, fmt_number
from qzanalysis.report.narrative import (
    fact_text,
    missing_notice,
    review_voice,
    sentence,
    show_markdown,
    show_table,
)


# ---- 4.2 学生实习情况 ----------------------------------------------------------------------------
def internship_shares(data, prev) -> pd.DataFrame:
    """Year and 合作企业接收学生实习比例 (%), previous year first; years without the value are left out."""
    rows = [(d.year, d.fact("internship_partner_share")) for d in years_of(data, prev)]
    return pd.DataFrame(
        [{"年份": year_label(y), "比例": v} for y, v in rows if not missing(v)], columns=["年份", "比例"]
    )


@review_voice
def narrative_internship(data, prev) -> None:
    """4.2：合作企业接收学生实习的比例，与上年比较。"""
    now = data.fact("internship_partner_share")
    if missing(now):
        no_data("合作企业接收学生实习比例")
        return
    d = printed_decimals("internship_partner_share", data, prev)
    text = sentence(
        "{year} 年合作企业接收学生实习的比例为 **{now}**", year=data.year, now=fmt_number(now, d, "%")
    )
    before = prev.fact("internship_partner_share") if prev is not None else math.nan
    if missing(before):
        text += "；上年无可比数据。"
    else:
        verb = "提高" if now > before else ("下降" if now < before else "持平")
        text += sentence(
            "，比 {py} 年的 {before} {verb}了 {delta}。",
            py=prev.year,
            before=fmt_number(before, d, "%"),
            verb=verb,
            delta=fmt_number(abs(now - before), d, "个百分点"),
        )
    show_markdown(text)


@review_voice
def table_internship(data, prev) -> None:
    show_key_figures(data, prev, ["internship_partner_share"], "合作企业接收学生实习比例")


def figure_internship(data, prev):
    """合作企业接收学生实习比例，上年与本年。"""
    frame = internship_shares(data, prev)
    if frame.empty:
        return no_data("合作企业接收学生实习比例")
    d = printed_decimals("internship_partner_share", data, prev)
    colors = style.year_colors(len(frame))
    fig = charts.bar(
        frame["年份"],
        frame["比例"],
        "合作企业接收学生实习比例",
        "%",
        decimals=d,
        color=colors,
    )
    return done(fig)


# ---- 4.3 集团化办学情况 --------------------------------------------------------------------------
def partner_counts(data, prev) -> pd.DataFrame:
    """上年与本年合作企业数。上年取上年数据；上年未提供时按“本年数 − 报告所印增加数”推算，并注明。"""
    now = data.fact("partner_enterprises")
    increase = data.fact("partner_enterprises_increase_printed")
    before = prev.fact("partner_enterprises") if prev is not None else math.nan
    before_year = prev.year if prev is not None else data.year - 1
    derived = missing(before)
    if derived:
        before = now - increase
    rows = [
        {
            "年份": year_label(before_year) + ("（推算）" if derived else ""),
            "合作企业": before,
            "推算": derived,
        },
        {"年份": year_label(data.year), "合作企业": now, "推算": False},
    ]
    return pd.DataFrame(rows)


def growth_check(data) -> dict:
    """The printed growth beside the recomputed one, the verdict, and the denominator the printed value implies."""
    g = check(data, "partner_enterprise_growth")
    increase = data.fact("partner_enterprises_increase_printed")
    implied = implied_denominator(increase, g["printed"], 100)
    return {
        **g,
        "increase": increase,
        "current": data.fact("partner_enterprises"),
        "previous": data.fact("partner_enterprises") - increase,
        "implied": math.nan if implied is None else implied,
    }


@review_voice
def narrative_group(data, prev) -> None:
    """4.3：合作企业数、增加数、报告所印环比增长率与按定义重新计算的增长率。"""
    g = growth_check(data)
    if missing(g["current"]):
        no_data("合作企业")
        if not missing(g["printed"]):
            show_markdown(growth_text(data))
        return
    parts = [
        sentence(
            "{year} 年学校合作企业拓展至 **{now}**",
            year=data.year,
            now=fact_text(data, "partner_enterprises"),
        )
    ]
    if not missing(g["increase"]):
        parts.append(
            sentence("，比上年增加 {inc}", inc=fact_text(data, "partner_enterprises_increase_printed"))
        )
    parts.append("。")
    text = "".join(parts)
    new = data.fact("new_partner_enterprises")
    if not missing(new) and not missing(g["increase"]) and new != g["increase"]:
        text += sentence(
            "（4.1 节另印“新增校企合作企业 {new}”，与此处“比上年增加 {inc}”不同；报告未说明两者的关系，"
            "可能一为新签约数、一为净增加数。）",
            new=fact_text(data, "new_partner_enterprises"),
            inc=fact_text(data, "partner_enterprises_increase_printed"),
        )
    show_markdown(text)
    show_markdown(growth_text(data))


def growth_text(data) -> str:
    """Plain-language comparison of the printed 环比增长率 with the recomputed one."""
    g = growth_check(data)
    ind = g["ind"]
    if missing(g["printed"]) and missing(g["computed"]):
        return missing_notice("合作企业增长率")
    dec = g["decimals"]
    if missing(g["computed"]):
        return sentence(
            "报告所印环比增长率为 {p}；缺少增加数或合作企业数，无法重新计算。",
            p=fmt_number(g["printed"], dec, "%"),
        )
    computed = fmt_number(g["computed"], ind.decimals, "%")
    recipe = sentence(
        "{inc} ÷ {prev}", inc=fmt_number(g["increase"], 0, "家"), prev=fmt_number(g["previous"], 0, "家")
    )
    if missing(g["printed"]):
        return sentence(
            "按 {b} 计算，增长率为 {c}（{r}）；报告未印此值。",
            b=basis_text(data, ind.id),
            c=computed,
            r=recipe,
        )
    printed = fmt_number(g["printed"], dec, "%")
    if g["verdict"] in (Verdict.CONSISTENT, Verdict.ROUNDING):
        return sentence(
            "报告所印环比增长率 {p} 与按定义重新计算的 {c}（{r}）{v}。",
            p=printed,
            c=computed,
            r=recipe,
            v=g["verdict"].value,
        )
    implied = g["implied"]
    where = ""
    if not missing(implied):
        if round(implied) == g["current"]:
            where = sentence("，即以本年合作企业数 {n}为基数", n=fmt_number(g["current"], 0, "家"))
        elif round(implied) == g["previous"]:
            where = sentence("，即以上年合作企业数 {n}为基数", n=fmt_number(g["previous"], 0, "家"))
    implied_text = ""  # a printed 0% implies no denominator at all
    if not missing(implied):
        implied_text = sentence(
            "报告值相当于以约 {imp}为分母{where}。",
            imp=fmt_number(implied, 0 if abs(implied - round(implied)) < 0.05 else 1, "家"),
            where=where,
        )
    return (
        sentence(
            "**核对**：报告所印环比增长率为 {p}。按环比增长的通常定义，应以上年合作企业数为基数：{r} = **{c}**，"
            "比报告值{hl} {d}。",
            p=printed,
            r=recipe,
            c=computed,
            hl="高" if g["diff"] > 0 else "低",
            d=fmt_number(abs(g["diff"]), ind.decimals, "个百分点"),
        )
        + implied_text
        + "下表将两个数值并列，供核对。"
    )


@review_voice
def table_group(data, prev) -> None:
    """合作企业数与增长率：报告值与重新计算值并列。"""
    g = growth_check(data)
    ind = g["ind"]
    if missing(g["current"]) and missing(g["printed"]):
        no_data("合作企业")
        return
    dec = g["decimals"]
    rows = [
        {
            "项目": "本年合作企业数",
            "报告值": fmt_number(g["current"], 0, "家"),
            "重新计算值": MISSING_TEXT,
            "说明": "报告原文",
        },
        {
            "项目": "比上年增加",
            "报告值": fmt_number(g["increase"], 0, "家"),
            "重新计算值": MISSING_TEXT,
            "说明": "报告原文",
        },
        {
            "项目": "上年合作企业数",
            "报告值": MISSING_TEXT,
            "重新计算值": fmt_number(g["previous"], 0, "家"),
            "说明": "本年数 − 增加数",
        },
        {
            "项目": "环比增长率",
            "报告值": fmt_number(g["printed"], dec, "%"),
            "重新计算值": fmt_number(g["computed"], ind.decimals, "%"),
            "说明": f"{ind.definition}核对结果：{g['verdict'].value}",
        },
        {
            "项目": "报告值隐含的分母",
            "报告值": MISSING_TEXT,
            "重新计算值": fmt_number(g["implied"], 1, "家"),
            "说明": "增加数 ÷ 报告所印增长率",
        },
    ]
    show_table(pd.DataFrame(rows), None, "合作企业数与环比增长率：报告值与重新计算值")


def figure_partner_change(data, prev):
    """合作企业数：上年与本年（上年缺数据时按增加数推算，图中注明）。"""
    frame = partner_counts(data, prev).dropna(subset=["合作企业"])
    if frame.empty:
        return no_data("合作企业")
    colors = style.year_colors(len(frame))
    fig = charts.bar(frame["年份"], frame["合作企业"], "合作企业数", "家", color=colors)
    return done(fig)


@review_voice
def figure_growth_rates(data):
    """环比增长率：报告值与按定义重新计算的值。两种算法不是两个量，属核查：只在审阅版和分析版中显示。"""
    g = growth_check(data)
    values = {"报告所印": g["printed"], "重新计算（以上年为基数）": g["computed"]}
    colors = {"报告所印": charts.style.SECONDARY, "重新计算（以上年为基数）": charts.style.PRIMARY}
    values = {k: v for k, v in values.items() if not missing(v)}
    if not values:
        return no_data("合作企业增长率")
    fig = charts.bar(
        list(values),
        list(values.values()),
        "合作企业环比增长率",
        "%",
        decimals=2,
        color=[colors[k] for k in values],
    )
    return done(fig)


__all__ = [
    "narrative_internship",
    "table_internship",
    "figure_internship",
    "narrative_group",
    "table_group",
    "figure_partner_change",
    "figure_growth_rates",
]
