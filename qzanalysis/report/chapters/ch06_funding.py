"""第六章 举办者履职：经费来源（原印金额、原印单位、判定单位、折合万元）、生均财政拨款；各节中学校自己登记的数字。

The school's words come from data/<year>/text/; functions marked @review_voice (checks, recomputations,
commentary generated from the data) appear in the review edition only.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd

from qzanalysis.indicators.compare import compare
from qzanalysis.report import charts, style
from qzanalysis.report.chapters.common import (
    basis_text,
    check,
    done,
    missing,
    no_data,
    printed_clause,
    show_key_figures,
    table_section_facts,
)
from qzanalysis.report.formatting import MISSING_TEXT, decimals_of, fmt_number
from qzanalysis.report.narrative import review_voice, sentence, show_markdown, show_table

WAN_DECIMALS = 4  # the report prints 万元 amounts to four decimals (i.e. to the yuan)


def funding_frame(data) -> pd.DataFrame | None:
    """The funding table with each source's share of the sum (%), or None when the year lacks it."""
    frame = data.table("funding")
    if frame is None:
        return None
    frame = frame.copy()
    total = frame["amount_wan_yuan"].sum(min_count=1)
    frame["share"] = frame["amount_wan_yuan"] / total * 100 if total else math.nan
    return frame


def funding_sum(data) -> float:
    frame = data.table("funding")
    if frame is None or frame["amount_wan_yuan"].isna().all():
        return math.nan
    return float(frame["amount_wan_yuan"].sum())


@review_voice
def narrative_funding(data) -> None:
    """6.1：总经费、各来源、单位问题说明。"""
    frame = funding_frame(data)
    printed_total = data.fact("funding_total_printed")
    if frame is None and missing(printed_total):
        no_data("经费")
        return
    text = sentence(
        "{year} 年度学校总经费 **{t}**",
        year=data.year,
        t=fmt_number(printed_total, data.fact_decimals("funding_total_printed") or WAN_DECIMALS, "万元"),
    )
    if frame is not None:
        largest = frame.sort_values("amount_wan_yuan", ascending=False).iloc[0]
        text += sentence(
            "，其中{src}最多，为 {a}，占 {s}",
            src=largest["source"],
            a=fmt_number(largest["amount_wan_yuan"], WAN_DECIMALS, "万元"),
            s=fmt_number(largest["share"], 1, "%"),
        )
    text += "。"
    notes = []
    if frame is not None:
        reinterpreted = frame[frame["printed_unit"] != frame["unit"]]
        if len(reinterpreted):
            printed_units = "、".join(sorted(set(frame["printed_unit"])))
            notes.append(
                sentence(
                    "**关于单位**：报告原文把各项金额的单位印为“{pu}”。{names}按“{pu}”理解与合计对不上，"
                    "只有按“{u}”理解，各项之和（{s}）才等于报告所印总经费。下表保留原印金额和原印单位，"
                    "并列出判定单位和折合万元的金额。",
                    pu=printed_units,
                    names="、".join(reinterpreted["source"]),
                    u="、".join(sorted(set(reinterpreted["unit"]))),
                    s=fmt_number(funding_sum(data), WAN_DECIMALS, "万元"),
                )
            )
        total = funding_sum(data)
        if not missing(printed_total) and not missing(total):
            verdict, _ = compare(total, printed_total, data.fact_decimals("funding_total_printed"))
            if verdict.value != "一致":
                notes.append(
                    sentence(
                        "各项折合万元后之和为 {s}，报告所印总经费为 {p}，两者不一致。",
                        s=fmt_number(total, WAN_DECIMALS, "万元"),
                        p=fmt_number(printed_total, WAN_DECIMALS, "万元"),
                    )
                )
    show_markdown(text + "".join(f"\n\n> {n}" for n in notes))


@review_voice
def table_funding(data) -> None:
    """经费来源表：原印金额与单位、判定单位、折合万元、占比；合计行与报告所印总经费。"""
    frame = funding_frame(data)
    if frame is None:
        no_data("经费来源")
        return
    rows = []
    for _, r in frame.iterrows():
        rows.append(
            {
                "经费来源": r["source"],
                "金额（原样）": fmt_number(r["amount"], decimals_of(pd.Series([r["amount"]]))),
                "报告所印单位": r["printed_unit"],
                "判定单位": r["unit"],
                "折合（万元）": fmt_number(r["amount_wan_yuan"], WAN_DECIMALS),
                "占比（%）": fmt_number(r["share"], 2),
                "备注": r["note"] if isinstance(r["note"], str) else "",
            }
        )
    rows.append(
        {
            "经费来源": "各项合计",
            "金额（原样）": MISSING_TEXT,
            "报告所印单位": MISSING_TEXT,
            "判定单位": "万元",
            "折合（万元）": fmt_number(funding_sum(data), WAN_DECIMALS),
            "占比（%）": fmt_number(100.0 if not missing(funding_sum(data)) else math.nan, 2),
            "备注": "由各项折合万元相加",
        }
    )
    printed_total = data.fact("funding_total_printed")
    note = (
        data.facts.at["funding_total_printed", "note"] if "funding_total_printed" in data.facts.index else ""
    )
    dec = data.fact_decimals("funding_total_printed") or WAN_DECIMALS
    rows.append(
        {
            "经费来源": "总经费（报告值）",
            "金额（原样）": fmt_number(printed_total, dec),
            "报告所印单位": MISSING_TEXT,
            "判定单位": "万元",
            "折合（万元）": fmt_number(printed_total, dec),
            "占比（%）": MISSING_TEXT,
            "备注": note if isinstance(note, str) else "",
        }
    )
    show_table(pd.DataFrame(rows), None, f"{data.year} 年度经费来源")


def figure_funding(data):
    """各来源经费（折合万元），从高到低。"""
    frame = funding_frame(data)
    if frame is None or frame["amount_wan_yuan"].isna().all():
        return no_data("经费来源")
    fig = charts.barh_sorted(
        frame["source"],
        frame["amount_wan_yuan"],
        f"{data.year} 年度经费来源",
        "万元",
        decimals=2,
    )
    return done(fig)


def figure_funding_share(data):
    """各来源经费占比：一根 100% 堆积横条，图例给出来源与占比（小份额不挤在图上）。"""
    frame = funding_frame(data)
    if frame is None or frame["amount_wan_yuan"].isna().all():
        return no_data("经费来源")
    frame = frame.dropna(subset=["amount_wan_yuan"]).sort_values("amount_wan_yuan", ascending=False)
    style.use_house_style()
    fig, ax = plt.subplots(figsize=(style.FIG_WIDTH, 1.2 + 0.3 * len(frame)))
    left = 0.0
    for i, (_, row) in enumerate(frame.iterrows()):
        share = float(row["share"])
        color = style.PALETTE[i % len(style.PALETTE)]
        ax.barh(
            [0],
            [share],
            left=left,
            color=color,
            edgecolor="white",
            label=f"{row['source']} {fmt_number(share, 1, '%')}",
        )
        charts.note_values(fig, [f"{row['source']} {fmt_number(share, 1, '%')}"])
        left += share
    ax.set_xlim(0, 100)
    ax.set_yticks([])
    ax.grid(False)
    ax.legend()
    fig.suptitle(f"{data.year} 年度经费来源构成（%）", x=0.02, ha="left", fontsize=style.TITLE_SIZE)
    return done(fig)


# ---- 生均财政拨款 --------------------------------------------------------------------------------
@review_voice
def narrative_per_student(data) -> None:
    """生均财政拨款：重新计算值与报告值。"""
    c = check(data, "per_student_funding")
    if missing(c["computed"]) and missing(c["printed"]):
        no_data("生均财政拨款")
        return
    basis = basis_text(data, c["ind"].id)
    if missing(c["computed"]):
        text = sentence(
            "报告所印年生均财政拨款为 **{p}**；本年度数据不足以按 {b} 重新计算。",
            p=fmt_number(c["printed"], c["decimals"], "元"),
            b=basis,
        )
    else:
        text = sentence(
            "按 {b} 计算，年生均财政拨款为 **{v}**",
            b=basis,
            v=fmt_number(c["computed"], c["decimals"], "元"),
        )
        text += printed_clause(c, "元", show_diff=True)
    show_markdown(text)


@review_voice
def table_per_student(data, prev) -> None:
    show_key_figures(
        data,
        prev,
        ["funding_total_printed", "per_student_funding_printed", "funding_students"],
        "经费与生均财政拨款（报告值）",
    )


__all__ = [
    "narrative_funding",
    "table_funding",
    "figure_funding",
    "figure_funding_share",
    "narrative_per_student",
    "table_per_student",
    "table_section_facts",
]
