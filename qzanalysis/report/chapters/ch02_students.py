"""第二章 学生发展：学生荣誉、文化课、专业技能、体质、毕业、竞赛、满意度、资助、就业。

The school's words come from data/<year>/text/; functions marked @review_voice (checks, recomputations,
commentary generated from the data) appear in the review edition only.
"""

from __future__ import annotations

import math

import pandas as pd

from qzanalysis.core.catalog import table_specs
from qzanalysis.indicators.compare import implied_denominator
from qzanalysis.report import charts, style
from qzanalysis.report.chapters.common import (
    check_phrase,
    column_decimals,
    done,
    fact_note,
    has_facts,
    missing,
    no_data,
    show_data_notes,
    table_section_facts,
    year_label,
    years_of,
)
from qzanalysis.report.formatting import MISSING_TEXT, decimals_of, fmt_change, fmt_number
from qzanalysis.report.narrative import fact_text, review_voice, sentence, show_markdown, show_table


def _usable(frame: pd.DataFrame | None, column: str) -> bool:
    return frame is not None and not frame.empty and not frame[column].isna().all()


def _pct(value) -> str:
    """A percentage with the decimals the value itself carries (100%, 77.5%, 49.86%)."""
    return fmt_number(value, decimals_of(pd.Series([value])), "%")


# ---- 2.1.2 文化课合格率 --------------------------------------------------------------------------
def culture_frame(data, prev) -> pd.DataFrame:
    """Long frame: 年份, 学段, 学科, 科目 (学段+学科), average_score, pass_rate, city_rank, note."""
    frames = []
    for d in years_of(data, prev):
        table = d.table("culture_scores")
        if table is not None:
            frames.append(table.assign(年份=year_label(d.year), 科目=table["grade"] + table["subject"]))
    if not frames:
        return pd.DataFrame(
            columns=["年份", "grade", "subject", "科目", "average_score", "pass_rate", "city_rank"]
        )
    return pd.concat(frames, ignore_index=True)


def table_culture_scores(data, prev) -> None:
    """报告 2.1.2 节的两年文化课对照表：校平均分、校及格率、全市排名。"""
    long = culture_frame(data, prev)
    if long.empty or data.table("culture_scores") is None:
        no_data("文化课成绩")
        return
    keys = list(dict.fromkeys(zip(long["grade"], long["subject"], strict=True)))
    rows, data_notes = [], []
    for grade, subject in keys:
        row = {"学段": grade, "学科": subject}
        notes = []
        for year in dict.fromkeys(long["年份"]):
            hit = long[(long["年份"] == year) & (long["grade"] == grade) & (long["subject"] == subject)]
            r = hit.iloc[0] if len(hit) else None
            row[f"{year}校平均分（分）"] = fmt_number(r["average_score"] if r is not None else math.nan, 2)
            row[f"{year}校及格率"] = fmt_number(r["pass_rate"] if r is not None else math.nan, 1, "%")
            rank = r["city_rank"] if r is not None else math.nan
            row[f"{year}全市排名"] = MISSING_TEXT if missing(rank) else f"第 {int(rank)} 名"
            if r is not None and not missing(r["note"]):
                notes.append(f"{year}：{r['note']}")
        if notes:
            data_notes.append(f"{grade}{subject}：" + "；".join(notes))
        rows.append(row)
    show_table(pd.DataFrame(rows), None, "文化课校平均分、及格率与全市排名")
    show_data_notes(data_notes)


@review_voice
def narrative_culture_scores(data, prev) -> None:
    """本年最高与最低的科目，及与上年相比及格率升降最多的科目。"""
    long = culture_frame(data, prev)
    now = long[long["年份"] == year_label(data.year)].dropna(subset=["average_score"])
    if now.empty:
        no_data("文化课成绩")
        return
    best, worst = now.loc[now["average_score"].idxmax()], now.loc[now["average_score"].idxmin()]
    text = sentence(
        "{year} 年统测的 {n} 门文化课中，{b}平均分最高（{bs}，及格率 {bp}），{w}最低（{ws}，及格率 {wp}）。",
        year=data.year,
        n=len(now),
        b=best["科目"],
        bs=fmt_number(best["average_score"], 2, "分"),
        bp=fmt_number(best["pass_rate"], 1, "%"),
        w=worst["科目"],
        ws=fmt_number(worst["average_score"], 2, "分"),
        wp=fmt_number(worst["pass_rate"], 1, "%"),
    )
    ranked = now.dropna(subset=["city_rank"])
    if not ranked.empty:
        top = ranked.loc[ranked["city_rank"].idxmin()]
        text += sentence("全市排名最靠前的是{s}（第 {r} 名）。", s=top["科目"], r=int(top["city_rank"]))
    if prev is not None:
        before = long[long["年份"] == year_label(prev.year)].set_index("科目")
        change = (now.set_index("科目")["pass_rate"] - before["pass_rate"]).dropna()
        if not change.empty:
            up, down = change.idxmax(), change.idxmin()
            if change[up] > 0:
                text += sentence(
                    "与 {py} 年相比，{s}及格率提高最多（{d}）",
                    py=prev.year,
                    s=up,
                    d=fmt_change(change[up], 1),
                )
            if change[down] < 0:
                text += sentence("；{s}及格率下降最多（{d}）", s=down, d=fmt_change(change[down], 1))
            text += "。"
    show_markdown(text)


def _culture_figure(data, prev, column: str, title: str, unit: str, decimals: int):
    long = culture_frame(data, prev).dropna(subset=[column])
    if long.empty:
        return no_data("文化课成绩")
    long = long.assign(科目=long["grade"] + "\n" + long["subject"])
    fig = charts.grouped_bar(
        long,
        "科目",
        "年份",
        column,
        title,
        unit,
        decimals=decimals,
        colors=style.year_colors(long["年份"].nunique()),
    )
    return done(fig)


def figure_culture_average(data, prev):
    """文化课校平均分，按学段与学科，两年对比。"""
    return _culture_figure(data, prev, "average_score", "文化课校平均分", "分", 1)


def figure_culture_pass_rate(data, prev):
    """文化课校及格率，按学段与学科，两年对比。"""
    return _culture_figure(data, prev, "pass_rate", "文化课校及格率", "%", 1)


# ---- 2.1.3 专业技能合格率 ------------------------------------------------------------------------
@review_voice
def narrative_skill(data) -> None:
    """获证人数，最高与最低的专业技能合格率，合并单元格的说明。"""
    rates = data.table("skill_pass_rates")
    text = ""
    if has_facts(data, "certificate_holders"):
        text += sentence(
            "{year} 年学生获得职业技能等级证书（含职业资格证书）**{n}**。",
            year=data.year,
            n=fact_text(data, "certificate_holders"),
        )
    if _usable(rates, "pass_rate"):
        known = rates.dropna(subset=["pass_rate"])
        best, worst = known.loc[known["pass_rate"].idxmax()], known.loc[known["pass_rate"].idxmin()]
        text += sentence(
            "下表列出 {n} 个专业的中级工以上合格率，其中 {k} 个专业单列了合格率：最高为{b}（{bo}，{bp}），"
            "最低为{w}（{wo}，{wp}）。",
            n=len(rates),
            k=len(known),
            b=best["major"],
            bo=best["occupation"],
            bp=_pct(best["pass_rate"]),
            w=worst["major"],
            wo=worst["occupation"],
            wp=_pct(worst["pass_rate"]),
        )
        unlisted = len(rates) - len(known)
        if unlisted:
            noted = rates.loc[rates["pass_rate"].isna(), "note"].notna().any()
            text += sentence("另有 {m} 个专业未单列合格率，表中以“—”表示", m=unlisted)
            text += "（原因见表下说明）。" if noted else "。"
    if not text:
        no_data("专业技能合格率")
        return
    show_markdown(text)


def table_skill_pass_rates(data) -> None:
    """报告 2.1.3 节专业技能合格率表（合并单元格的行附说明）。"""
    rates = data.table("skill_pass_rates")
    if rates is None:
        no_data("专业技能合格率")
        return
    shown = rates.assign(pass_rate=rates["pass_rate"].map(lambda v: _pct(v).removesuffix("%")))
    show_table(
        shown,
        None,
        "专业技能认定中级工以上合格率",
        columns=[c for c in rates.columns if c != "note"],
        titles=table_specs()["skill_pass_rates"].titles(),
    )
    show_data_notes(f"{r.major}：{r.note}" for r in rates.itertuples() if not missing(r.note))


def figure_skill_pass_rates(data):
    """各专业（工种）中级工以上合格率，从高到低。"""
    rates = data.table("skill_pass_rates")
    if not _usable(rates, "pass_rate"):
        return no_data("专业技能合格率")
    known = rates.dropna(subset=["pass_rate"])
    labels = [f"{r.major}（{r.occupation}）" for r in known.itertuples()]
    median = float(known["pass_rate"].median())
    fig = charts.barh_sorted(
        labels,
        known["pass_rate"],
        "各专业中级工以上合格率",
        "%",
        decimals=column_decimals(data, "skill_pass_rates", "pass_rate"),
        reference=median,
        reference_label=f"中位数 {median:.2f}%",
    )
    return done(fig)


# ---- 2.1.4 体质测评合格率 ------------------------------------------------------------------------
def fitness_frame(data, prev) -> pd.DataFrame:
    frames = [
        d.table("fitness").assign(年份=year_label(d.year))
        for d in years_of(data, prev)
        if d.table("fitness") is not None
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def table_fitness(data, prev) -> None:
    """报告 2.1.4 节体质测评表：两年合格率与优良率，附变化。"""
    long = fitness_frame(data, prev)
    if long.empty or data.table("fitness") is None:
        no_data("体质测评")
        return
    rows = []
    years = list(dict.fromkeys(long["年份"]))
    for group in dict.fromkeys(long["group"]):
        row = {"测评对象": group}
        values = {}
        for year in years:
            hit = long[(long["年份"] == year) & (long["group"] == group)]
            r = hit.iloc[0] if len(hit) else None
            for col, name in (("pass_rate", "合格率"), ("excellent_rate", "优良率")):
                v = r[col] if r is not None else math.nan
                values[(year, col)] = v
                row[f"{year}{name}"] = fmt_number(v, 2, "%")
        if len(years) > 1:
            for col, name in (("pass_rate", "合格率"), ("excellent_rate", "优良率")):
                row[f"{name}变化"] = fmt_change(values[(years[-1], col)] - values[(years[0], col)], 2)
        rows.append(row)
    show_table(pd.DataFrame(rows), None, "学生体质测评合格率与优良率")
    note = data.table("fitness")["note"].dropna()
    if len(note):
        show_data_notes([sentence("{n}，此处按百分比显示", n=note.iloc[0])], escaped=True)


@review_voice
def narrative_fitness(data, prev) -> None:
    long = fitness_frame(data, prev)
    now = long[long["年份"] == year_label(data.year)] if not long.empty else long
    if now.empty:
        no_data("体质测评")
        return
    school = now[now["group"] == "全校"]
    grades = now[now["group"] != "全校"].dropna(subset=["pass_rate"])
    text = ""
    if len(school):
        s = school.iloc[0]
        text += sentence(
            "{year} 年全校学生体质测评合格率 {p}，优良率 {e}",
            year=data.year,
            p=fmt_number(s["pass_rate"], 2, "%"),
            e=fmt_number(s["excellent_rate"], 2, "%"),
        )
        before = long[(long["年份"] != year_label(data.year)) & (long["group"] == "全校")]
        if len(before) and prev is not None:
            b = before.iloc[-1]
            text += sentence(
                "，比 {py} 年分别变化 {dp} 和 {de}",
                py=prev.year,
                dp=fmt_change(s["pass_rate"] - b["pass_rate"], 2),
                de=fmt_change(s["excellent_rate"] - b["excellent_rate"], 2),
            )
        text += "。"
    if len(grades):
        hi, lo = grades.loc[grades["pass_rate"].idxmax()], grades.loc[grades["pass_rate"].idxmin()]
        text += sentence(
            "各年级中{h}合格率最高（{hp}），{l}最低（{lp}）。",
            h=hi["group"],
            hp=fmt_number(hi["pass_rate"], 2, "%"),
            l=lo["group"],
            lp=fmt_number(lo["pass_rate"], 2, "%"),
        )
    show_markdown(text)


def figure_fitness(data, prev, measure: str = "pass_rate"):
    """体质测评合格率（或优良率）按年级与年份。"""
    long = fitness_frame(data, prev)
    if long.empty or long[measure].isna().all():
        return no_data("体质测评")
    title = {"pass_rate": "体质测评合格率", "excellent_rate": "体质测评优良率"}[measure]
    colors = style.year_colors(long["年份"].nunique())
    fig = charts.grouped_bar(long, "group", "年份", measure, title, "%", decimals=1, colors=colors)
    return done(fig)


# ---- 2.1.5 毕业率、2.1.6 职业大赛 -----------------------------------------------------------------
@review_voice
def narrative_graduation(data) -> None:
    if not has_facts(data, "graduates_total"):
        no_data("毕业生")
        return
    text = sentence("{year} 年毕业生 **{g}**，", year=data.year, g=fact_text(data, "graduates_total"))
    text += check_phrase(data, "graduation_rate") + "。"
    implied = implied_denominator(data.fact("graduates_total"), data.fact("graduation_rate_printed"), 100)
    if implied is not None and missing(data.fact("graduating_cohort")):
        text += sentence(
            "报告未公布应毕业人数；由毕业生数和毕业率推算，应毕业约 {n} 人。", n=fmt_number(implied, 0)
        )
    show_markdown(text)


@review_voice
def narrative_contests(data) -> None:
    if not has_facts(data, "contest_participants"):
        no_data("职业技能大赛")
        return
    text = sentence(
        "{year} 年共有 **{n}** 参加省、市技能比赛，市级比赛获奖 {c}，省级比赛获奖 {p}",
        year=data.year,
        n=fact_text(data, "contest_participants"),
        c=fact_text(data, "contest_city_winners"),
        p=fact_text(data, "contest_provincial_winners"),
    )
    winners = data.fact("contest_city_winners") + data.fact("contest_provincial_winners")
    if not missing(winners) and data.fact("contest_participants"):
        text += sentence(
            "，获奖人数约占参赛人数的 {s}",
            s=fmt_number(winners / data.fact("contest_participants") * 100, 0, "%"),
        )
    show_markdown(text + "。")


# ---- 2.2 在校体验 -------------------------------------------------------------------------------
@review_voice
def narrative_satisfaction(data) -> None:
    table = data.table("satisfaction")
    if not _usable(table, "rate"):
        no_data("满意度调查")
        return
    known = table.dropna(subset=["rate"])
    lo, hi = known.loc[known["rate"].idxmin()], known.loc[known["rate"].idxmax()]
    text = sentence(
        "{year} 年的抽样调查共涉及 {n} 个满意度项目，均在 {lo} 以上：最高为{hr}{hi}（{hv}），"
        "最低为{lr}{li}（{lv}）。",
        year=data.year,
        n=len(known),
        lo=fmt_number(math.floor(lo["rate"]), 0, "%"),
        hr=hi["respondent"],
        hi=hi["item"],
        hv=fmt_number(hi["rate"], 2, "%"),
        lr=lo["respondent"],
        li=lo["item"],
        lv=fmt_number(lo["rate"], 2, "%"),
    )
    if known["sample_size"].isna().any():
        sized = list(dict.fromkeys(known.loc[known["sample_size"].notna(), "respondent"]))
        text += (
            sentence("报告只说明了{r}调查的样本量。", r="、".join(sized)) if sized else "报告未说明样本量。"
        )
    show_markdown(text)


def table_satisfaction(data) -> None:
    table = data.table("satisfaction")
    if table is None:
        no_data("满意度调查")
        return
    show_table(
        table,
        "satisfaction",
        "在校体验与用人单位满意度",
        columns=[c for c in table.columns if c != "note"],
    )
    show_data_notes(f"{r.respondent}{r.item}：{r.note}" for r in table.itertuples() if not missing(r.note))


def figure_satisfaction(data):
    table = data.table("satisfaction")
    if not _usable(table, "rate"):
        return no_data("满意度调查")
    labels = [f"{r.respondent}：{r.item}" for r in table.itertuples()]
    fig = charts.barh_sorted(
        labels, table["rate"], "满意度调查结果", "%", decimals=column_decimals(data, "satisfaction", "rate")
    )
    return done(fig)


# ---- 2.3 资助情况 -------------------------------------------------------------------------------
def aid_summary(data) -> pd.DataFrame:
    """Per term and kind: recipients, printed standard, printed total, recipients × standard, implied standard."""
    recipients, amounts = data.table("aid_recipients"), data.table("aid_amounts")
    if recipients is None and amounts is None:
        return pd.DataFrame()
    if recipients is not None:
        counts = (
            recipients.groupby(["term", "aid_type"], sort=False)["recipients"].sum(min_count=1).reset_index()
        )
    else:
        counts = amounts[["term", "aid_type"]].assign(recipients=pd.NA)
    if amounts is not None:
        frame = counts.merge(amounts, on=["term", "aid_type"], how="outer", sort=False)
    else:
        frame = counts.assign(amount_per_recipient=math.nan, total_amount=math.nan, note=None)
    frame["recipients"] = frame["recipients"].astype("float64")
    frame["product"] = frame["recipients"] * frame["amount_per_recipient"]
    frame["implied"] = frame["total_amount"] / frame["recipients"]
    return frame


def table_aid_recipients(data) -> None:
    """报告 2.3 节资助表的人数部分：按学期、资助项目和年级。"""
    table = data.table("aid_recipients")
    if table is None:
        no_data("受资助学生")
        return
    show_table(table, "aid_recipients", "受资助学生人数", columns=list(table.columns))


def table_aid(data) -> None:
    """报告 2.3 节资助表的金额部分（每人标准、合计金额，按报告所印）；审阅版另列人数 × 标准的核对。"""
    frame = aid_summary(data)
    if frame.empty:
        no_data("资助金额")
        return
    rows = [
        {
            "学期": r.term,
            "资助项目": r.aid_type,
            "受助人数": fmt_number(r.recipients, 0, "人"),
            "每人标准": fmt_number(r.amount_per_recipient, 0, "元"),
            "合计金额": fmt_number(r.total_amount, 0, "元"),
        }
        for r in frame.itertuples()
    ]
    show_table(pd.DataFrame(rows), None, "资助金额")
    _aid_checks(frame)


@review_voice
def _aid_checks(frame: pd.DataFrame) -> None:
    rows = []
    for r in frame.itertuples():
        if missing(r.product) or missing(r.total_amount):
            verdict = "无法核对"
        else:
            verdict = "一致" if abs(r.product - r.total_amount) < 0.5 else "不一致"
        rows.append(
            {
                "学期": r.term,
                "资助项目": r.aid_type,
                "每人标准（报告印）": fmt_number(r.amount_per_recipient, 0, "元"),
                "合计金额（报告印）": fmt_number(r.total_amount, 0, "元"),
                "人数 × 标准": fmt_number(r.product, 0, "元"),
                "核对": verdict,
                "合计 ÷ 人数": fmt_number(r.implied, 2, "元"),
                "说明": "" if missing(r.note) else r.note,
            }
        )
    show_table(pd.DataFrame(rows), None, "资助金额与核对")


@review_voice
def narrative_aid(data) -> None:
    frame = aid_summary(data)
    if frame.empty:
        no_data("资助")
        return
    text = ""
    for term, sub in frame.groupby("term", sort=False):
        parts = [
            sentence(
                "{k} {n}（{a}）",
                k=r.aid_type,
                n=fmt_number(r.recipients, 0, "人"),
                a=fmt_number(r.total_amount / 1e4 if not missing(r.total_amount) else math.nan, 2, "万元"),
            )
            for r in sub.itertuples()
        ]
        total = sub["total_amount"].sum(min_count=1)
        text += sentence("{t}：", t=term) + "、".join(parts)
        text += sentence(
            "，合计 {s}。", s=fmt_number(total / 1e4 if not missing(total) else math.nan, 2, "万元")
        )
    mismatched = frame[(frame["product"] - frame["total_amount"]).abs() >= 0.5]
    for r in mismatched.itertuples():
        similar = frame[(frame["aid_type"] == r.aid_type) & (frame["term"] != r.term)]["implied"].dropna()
        text += sentence(
            "{t}{k}报告印每人 {p}，但 {n} × {p} = {x}，与所印合计 {a} 不符；按合计 ÷ 人数为每人约 {i}",
            t=r.term,
            k=r.aid_type,
            p=fmt_number(r.amount_per_recipient, 0, "元"),
            n=fmt_number(r.recipients, 0, "人"),
            x=fmt_number(r.product, 0, "元"),
            a=fmt_number(r.total_amount, 0, "元"),
            i=fmt_number(r.implied, 0, "元"),
        )
        if len(similar):
            text += sentence("，与其他学期（约 {o}）相当", o=fmt_number(similar.iloc[0], 0, "元"))
        text += "，所印每人标准可能有误。"
    show_markdown(text)


def figure_aid_recipients(data):
    """受资助学生人数，按学期与资助项目。"""
    frame = aid_summary(data).dropna(subset=["recipients"]) if not aid_summary(data).empty else pd.DataFrame()
    if frame.empty:
        return no_data("受资助学生")
    fig = charts.grouped_bar(
        frame, "aid_type", "term", "recipients", "受资助学生人数（按学期）", "人", decimals=0
    )
    return done(fig)


def figure_aid_amounts(data):
    """资助金额，按学期与资助项目（万元）。"""
    frame = aid_summary(data)
    if frame.empty or frame["total_amount"].isna().all():
        return no_data("资助金额")
    frame = frame.assign(amount_wan=frame["total_amount"] / 1e4)
    fig = charts.grouped_bar(
        frame, "aid_type", "term", "amount_wan", "资助金额（按学期）", "万元", decimals=2
    )
    return done(fig)


# ---- 2.4 就业质量 -------------------------------------------------------------------------------
@review_voice
def narrative_employment(data) -> None:
    if not has_facts(data, "employed_graduates") and not has_facts(data, "employment_rate_printed"):
        no_data("就业")
        return
    text = sentence(
        "{year} 年学校就业学生 **{n}**（报告未说明是否含升学）。",
        year=data.year,
        n=fact_text(data, "employed_graduates"),
    )
    text += check_phrase(data, "employment_rate") + "。"
    if has_facts(data, "relevant_employment_rate_printed"):
        text += check_phrase(data, "relevant_employment_rate")
        if has_facts(data, "relevant_employment_rate_change_printed"):
            text += sentence(
                "；报告称较上年变化 {c}（{n}）",
                c=fact_text(data, "relevant_employment_rate_change_printed"),
                n=fact_note(data, "relevant_employment_rate_change_printed") or "报告值",
            )
        text += "。"
    show_markdown(text)


def table_starting_salaries(data) -> None:
    """各专业初次就业起薪；报告此表只存部分行时说明。"""
    table = data.table("starting_salaries")
    if table is None:
        no_data("初次就业起薪")
        return
    show_table(
        table,
        "starting_salaries",
        table_specs()["starting_salaries"].title,
        columns=["major", "starting_salary"],
    )
    notes = table["note"].dropna().unique()
    if len(notes):
        show_data_notes(
            [sentence("{n}，此处仅列出现存的 {k} 个专业", n="；".join(notes), k=len(table))], escaped=True
        )


__all__ = [
    "table_section_facts",
    "table_culture_scores",
    "narrative_culture_scores",
    "figure_culture_average",
    "figure_culture_pass_rate",
    "narrative_skill",
    "table_skill_pass_rates",
    "figure_skill_pass_rates",
    "table_fitness",
    "narrative_fitness",
    "figure_fitness",
    "narrative_graduation",
    "narrative_contests",
    "narrative_satisfaction",
    "table_satisfaction",
    "figure_satisfaction",
    "table_aid_recipients",
    "table_aid",
    "narrative_aid",
    "figure_aid_recipients",
    "figure_aid_amounts",
    "narrative_employment",
    "table_starting_salaries",
]
