"""一、区域概况与数据完整性: the schools, totals over them, which tables each provided, and the schools left out.

Every function displays one paragraph or table. A school whose data fail validation is never compared; it is
listed here with its findings.
"""

from __future__ import annotations

import pandas as pd

from qzanalysis.core.findings import Level
from qzanalysis.core.profile import TECHNICAL_TYPES
from qzanalysis.core.values import fmt_number
from qzanalysis.indicators import area as calc
from qzanalysis.report.area.common import Area, names
from qzanalysis.report.narrative import esc, sentence, show_markdown, show_table

SHOWN_FINDINGS = 5  # per school that failed; `qz validate --school` lists them all
TOTALS_IN_TEXT = 6  # the first totals of area.yaml in the sentence; the table has them all


def narrative_scope(area: Area) -> None:
    """Which schools the report covers, of which types, and how many are compared."""
    schools = area.schools
    secondary = [s for s in schools if "中等职业学校" in s.types]
    technical = [s for s in schools if any(t in TECHNICAL_TYPES for t in s.types)]
    both = [s for s in secondary if s in technical]
    text = sentence(
        "本报告汇总{area} {n} 所学校 {year} 年的数据：中等职业学校 {a} 所，技工院校 {b} 所",
        area=area.collection.area,
        n=len(schools),
        year=area.year,
        a=len(secondary),
        b=len(technical),
    )
    if both:
        text += sentence("（其中 {c} 所兼属两类：{names}）", c=len(both), names=names(both))
    text += "。"
    if area.failed:
        text += sentence(
            "{k} 所学校的数据通过校验，纳入比较；{m} 所未通过校验（{names}），不参与比较，问题列于本章末。",
            k=len(area.compared),
            m=len(area.failed),
            names=names(area.failed),
        )
    else:
        text += "各校数据均通过校验，全部纳入比较。"
    show_markdown(text)


def table_schools(area: Area) -> None:
    rows = []
    for school in area.schools:
        profile = school.data.profile
        errors = len(school.data.report.errors)
        rows.append(
            {
                "代码": school.school.id,
                "学校": school.name,
                "类型": "、".join(school.types),
                "举办者": (profile.sponsor if profile else "") or "—",
                "数据": "通过校验" if school.ok else f"未通过校验（{errors} 个错误）",
            }
        )
    show_table(pd.DataFrame(rows), None, "各校概况")


def totals_frame(area: Area) -> pd.DataFrame:
    frame = calc.totals(area.schools)
    count = len(area.compared)
    return pd.DataFrame(
        {
            "项目": frame["项目"],
            "合计": [fmt_number(v, 0 if float(v).is_integer() else 2) for v in frame["合计"]],
            "单位": frame["单位"],
            "提供数据的学校": [f"{n}/{count}" for n in frame["学校数"]],
            "未提供的学校": [v or "—" for v in frame["未提供"]],
        }
    )


def narrative_totals(area: Area) -> None:
    """The headline sums in one sentence, each with how many schools it covers."""
    if not area.compared:
        show_markdown("没有通过校验的学校，无法汇总。")
        return
    frame = calc.totals(area.schools)
    parts = []
    for row in frame.to_dict("records"):
        if row["学校数"] == 0:
            continue
        value = fmt_number(row["合计"], 0 if float(row["合计"]).is_integer() else 2, row["单位"])
        scope = "" if row["学校数"] == len(area.compared) else f"（{row['学校数']} 所学校）"
        parts.append(f"{esc(row['项目'])} {esc(value)}{esc(scope)}")
    text = (
        sentence("纳入比较的 {n} 所学校合计：", n=len(area.compared))
        + "，".join(parts[:TOTALS_IN_TEXT])
        + "。"
    )
    show_markdown(text)


def table_totals(area: Area) -> None:
    show_table(totals_frame(area), None, "各校合计（只含通过校验的学校）")


def table_status(area: Area) -> None:
    """Tables × schools: 完整 / 不完整 / 缺失 / 有错误."""
    frame = calc.table_status(area.schools, short=True)
    status = frame.drop(columns=["代码", "错误", "警告"]).set_index("学校").T
    status.index.name = "数据表"
    show_table(status.reset_index(), None, "各校数据表提供情况")


def narrative_missing(area: Area) -> None:
    """Which schools did not provide which tables (listed, never silently dropped)."""
    missing = calc.missing_tables(area.schools)
    absent = missing[missing["状态"] == "缺失"]
    if absent.empty:
        show_markdown("各校都提供了全部数据表。")
        return
    lines = []
    for name, group in absent.groupby("学校", sort=False):
        lines.append(sentence("- {name}未提供：{tables}", name=name, tables="、".join(group["表"])))
    show_markdown("以下数据表未提供，相关比较中这些学校记为“未提供”：\n\n" + "\n".join(lines))


def table_failed(area: Area) -> None:
    """The findings of each school that failed validation (the first few; the command lists them all)."""
    if not area.failed:
        return
    show_markdown("## 未通过校验的学校")
    show_markdown(
        sentence(
            "{names}的数据未通过校验，未生成报告，也不参与本报告的比较；改正后重新生成即可纳入。",
            names="、".join(s.name for s in area.failed),
        )
    )
    rows = []
    for school in area.failed:
        errors = calc.findings_of(school, Level.FAIL)
        for finding in (area.collection.relative(f) for f in errors[:SHOWN_FINDINGS]):
            rows.append(
                {
                    "学校": school.name,
                    "位置": finding.location() or "—",
                    "问题": finding.message,
                    "发现": finding.value if finding.value is not None else "—",
                    "应为": finding.expected or "—",
                }
            )
        if len(errors) > SHOWN_FINDINGS:
            rows.append(
                {
                    "学校": school.name,
                    "位置": "—",
                    "问题": f"另有 {len(errors) - SHOWN_FINDINGS} 个错误",
                    "发现": "—",
                    "应为": f"运行 qz validate --school {school.school.id} --year {area.year} 查看全部",
                }
            )
    # Files, lines and values are for the analysts who fix the data: the review edition, not the published one.
    show_table(pd.DataFrame(rows), None, "未通过校验的学校及其问题", review_only=True)
