"""第八章 主要问题和改进措施: the school's own 8.1 and 8.2 (its text, data/<year>/text/ch08_problems.md) and,
in the review edition beside them, the problems the year's data show (standards not met, indicators that
fell back, the weakest majors and subjects, inconsistencies).

Each function displays one block (Markdown or an HTML table) or returns one Figure. Everything shown here is
derived from the year's data and speaks for the audit (@review_voice); a missing table or fact gives a
missing-data notice, never a 0.
"""

from __future__ import annotations

import math

from qzanalysis.core.values import is_missing as missing
from qzanalysis.indicators.audit import audit, declines, lowest, standards_not_met, verdict_counts
from qzanalysis.indicators.audit_rules import CONSISTENT, INCONSISTENT, ROUNDING, UNCHECKABLE
from qzanalysis.indicators.formula import number_text
from qzanalysis.indicators.standards import MET, UNKNOWN, standards_table
from qzanalysis.report.narrative import esc, review_voice, show_markdown

LOWEST_N = 3


def _fmt(value: float, unit: str, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = number_text(value, decimals)
    if unit == ":1":
        return f"{text}:1"
    return text + ("%" if unit == "%" else (f" {unit}" if unit else ""))


def _bracketed(text) -> str:
    """“（车工）”, or nothing when the optional text is missing (never “（nan）”)."""
    return "" if missing(text) or not str(text) else f"（{text}）"


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
    groups["比上年退步"] = [
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
                f"{r['major']}{_bracketed(r['occupation'])}{_fmt(r['pass_rate'], '%', 2)}"
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


GROUP_TITLES = {
    "未达到国家标准": "办学条件未达到国家标准",
    "比上年退步": "比上年退步的指标",
    "薄弱专业与学科": "合格率最低的专业和学科",
    "报告数据不一致": "报告数据前后不一致",
}
GROUP_INTRO = {
    "未达到国家标准": "以下办学条件低于国家标准（按差距由大到小排列）：",
    "比上年退步": "以下指标比上年退步（按变化幅度由大到小排列）：",
    "薄弱专业与学科": "以下专业和学科的合格率最低：",
    "报告数据不一致": "以下数值在报告中前后不一致或算法有误，发布前应更正：",
}
GROUP_MISSING = {
    "未达到国家标准": "按现有数据，所列国家标准均已达到或无法判断。",
    "比上年退步": "没有上一年度的可比数据，或没有比上年退步的指标。",
    "薄弱专业与学科": "本年度未提供专业技能合格率和文化课成绩数据。",
    "报告数据不一致": "数据核查未发现不一致。",
}


def headline(data, prev) -> str:
    """“未达到国家标准 4 项（上年 12 项）；比上年退步的指标 8 项；……”: each count says what it counts, and
    the previous year's count of unmet standards stands beside this year's, so it never reads as a fall."""
    groups = problem_groups(data, prev)
    parts = []
    for key, items in groups.items():
        text = f"{GROUP_TITLES[key].replace('办学条件', '')} {len(items)} 项"
        if key == "未达到国家标准" and prev is not None:
            text += f"（{prev.year} 年 {len(problem_groups(prev, None)[key])} 项）"
        parts.append(text)
    return "；".join(parts)


@review_voice
def narrative_overview(data, prev) -> None:
    """The problem list's headline: what it is, and each group's count."""
    basis = f"与 {prev.year} 年度相比" if prev is not None else "本年度没有上一年度数据可比"
    show_markdown(
        esc(
            f"以下问题清单由 {data.year} 年度数据自动生成（{basis}），供发布前对照学校自己写的主要问题："
            f"{headline(data, prev)}。每一项都可以在附录“数据核查”中找到算法和出处。"
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


@review_voice
def list_problems(data, prev, group: str) -> None:
    """One group of the problem list as Markdown bullets under its own heading."""
    items = problem_groups(data, prev)[group]
    heading = f"#### {esc(GROUP_TITLES[group])}\n\n"
    if not items:
        show_markdown(heading + f"> {esc(empty_group_text(data, prev, group))}")
        return
    show_markdown(heading + esc(GROUP_INTRO[group]) + "\n\n" + "\n".join(f"- {esc(t)}" for t in items))


@review_voice
def review_problems(data, prev) -> None:
    """The data-derived problem list, beside the school's own chapter 8: a heading, the headline, each group."""
    show_markdown("### 由数据得出的问题（审阅）")
    narrative_overview(data, prev)
    for group in GROUP_TITLES:
        list_problems(data, prev, group)


@review_voice
def figure_standards(data):
    """本校值占国家标准的百分比（不低于型标准），低于 100% 的标红。"""
    from qzanalysis.report.charts import barh_sorted

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
    from qzanalysis.indicators.standards import standards

    return [s.id for s in standards().values() if s.comparison in (">=", ">")]
