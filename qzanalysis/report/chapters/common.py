"""Helpers shared by the chapter modules: missing values and notices, fact labels and tables, the school's
own facts of a section (table and chart), the printed-vs-recomputed check of a registered indicator, year
labels and colours, and closing figures.

Missing data shows as “本年度未提供……数据” or “—”, never as 0.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from qzanalysis.core import outline
from qzanalysis.core.catalog import fact_specs
from qzanalysis.core.values import is_missing as missing
from qzanalysis.indicators.compare import Verdict, compare
from qzanalysis.indicators.registry import definition_text, registry
from qzanalysis.report import charts
from qzanalysis.report.formatting import MISSING_TEXT, decimals_of, fmt_change, fmt_number
from qzanalysis.report.narrative import (
    esc,
    fact_text,
    missing_notice,
    review_voice,
    sentence,
    show_markdown,
    show_table,
)


# ---- missing values ------------------------------------------------------------------------------
def has_facts(data, *fact_ids: str) -> bool:
    """Whether the year has a value for every one of these facts (False for one the school never declares)."""
    return all(not missing(data.optional_fact(f)) for f in fact_ids)


def no_data(what: str) -> None:
    """Shown in place of a paragraph, table or chart whose data this year lacks; returns None for figures.
    The notice is for the quality office (review edition): the publication edition is the school's report,
    which simply has no such table or chart, and a notice about data another school never collects (a
    feature of one school's report) must not appear in it."""
    show_markdown(missing_notice(what), review_only=True)
    return None


def show_table_or_notice(
    frame: pd.DataFrame, value_columns: list[str], caption: str, what: str | None = None
) -> bool:
    """The table, or the missing notice for `what` (default: the caption) when every cell of `value_columns`
    is “—”. Returns whether the table was shown."""
    if (frame[value_columns] == MISSING_TEXT).all().all():
        no_data(what or caption)
        return False
    show_table(frame, None, caption)
    return True


# ---- any table, from its schema --------------------------------------------------------------------
def column_decimals(data, table: str, column: str) -> int:
    """Display decimals of a table's column: its schema's `decimals`, else as many as this year's values
    need (0 when the year has no such table)."""
    spec = data.catalogue.tables[table]
    declared = spec.field(column).decimals
    if declared is not None:
        return declared
    frame = data.table(table)
    return decimals_of(frame[column]) if frame is not None and column in frame else 0


def show_data_table(data, name: str, caption: str | None = None, columns: list[str] | None = None) -> bool:
    """Show any table of the year's catalogue (built-in or the year's own) by name, as its schema declares
    it: column titles with units, display decimals, and a caption with the table's title and report
    section. The missing notice when the year did not provide it. Returns whether the table was shown.

    This is the one call a notebook needs for a new table (see README, “加一张表”)."""
    spec = data.catalogue.tables[name]
    frame = data.table(name)
    if frame is None or frame.empty:
        no_data(spec.title)
        return False
    shown = columns or [f.name for f in spec.fields if f.name != "note"]
    show_table(frame, spec, caption or f"{spec.title}（{spec.section}）", columns=shown)
    return True


def show_data_notes(notes, escaped: bool = False) -> None:
    """Notes on how the data were transcribed (merged cells, units the report left out, lost pages): the
    quality office's business, shown in the review edition only. Nothing is shown when there are none."""
    notes = [n if escaped else esc(n) for n in notes]
    if notes:
        show_markdown("> 数据说明：" + "；".join(notes) + "。", review_only=True)


# ---- figures -------------------------------------------------------------------------------------
def done(fig):
    """Finish a chapter figure in the house style (see charts.finish): it shows once, axes read 1,000+."""
    return charts.finish(fig)


# ---- years ---------------------------------------------------------------------------------------
def years_of(data, prev) -> list:
    """The previous year (when there is one), then this year."""
    return [d for d in (prev, data) if d is not None]


def trend_years(data, prev, limit: int = 5) -> list:
    """For charts: every year in the data folder up to this one (at most `limit`), so that with three or
    more years the small multiples show a trend; just this year when there is no earlier one."""
    if prev is None:
        return [data]
    from qzanalysis.core.years import all_years

    return all_years(data)[-limit:]


def year_label(year: int) -> str:
    return f"{year} 年"


# ---- facts ---------------------------------------------------------------------------------------
_SUFFIX = re.compile(r"（(报告值[^）]*|[\d.]+(?: 表)?)）$")


def fact_label(fact_id: str, sections: bool = False, data=None) -> str:
    """The catalogue label without “（报告值）”. Pass the year's `data` for a fact the year declares itself
    (its catalogue.yaml); without it only built-in facts are known.

    Without `sections`, a trailing section reference such as “（1.4 表）” or qualifier “（报告值，约）” goes too;
    with it, the section reference stays (for tables listing the same quantity as printed in two sections).
    """
    label = (data.fact_spec(fact_id) if data is not None else fact_specs()[fact_id]).label
    return label.replace("（报告值）", "") if sections else _SUFFIX.sub("", label)


def fact_note(data, fact_id: str) -> str:
    if fact_id not in data.facts.index:
        return ""
    note = data.facts.at[fact_id, "note"]
    return "" if missing(note) else str(note)


def printed_unit(data, fact_id: str) -> str | None:
    """The unit the report printed beside a fact where it differs from the catalogue's (facts.csv
    `printed_unit`, e.g. “%” for a change the catalogue records in 百分点); None otherwise."""
    if fact_id not in data.facts.index or "printed_unit" not in data.facts.columns:
        return None
    unit = data.facts.at[fact_id, "printed_unit"]
    return unit.strip() if isinstance(unit, str) and unit.strip() else None


def printed_text(data, fact_id: str | None) -> str:
    """A fact as the report printed it: its printed decimals and the unit printed beside it (`printed_unit`,
    e.g. “3.7%” for a change the catalogue records in 百分点); “—” when missing."""
    if fact_id is None or not data.declares(fact_id):
        return MISSING_TEXT
    unit = printed_unit(data, fact_id) or data.fact_spec(fact_id).unit
    return fmt_number(data.fact(fact_id), data.fact_decimals(fact_id) or 0, unit)


def printed_decimals(fact_id: str, *years) -> int:
    """The most decimals the fact is printed with in any of these years (None years are skipped)."""
    found = [d.fact_decimals(fact_id) for d in years if d is not None]
    return max([x for x in found if x is not None], default=0)


def facts_frame(data, fact_ids: list[str] | None = None, section: str | None = None) -> pd.DataFrame:
    """One year's facts (given ids, or every fact of a section in the year's catalogue, built-in and own):
    rows 项目 / 数值 / 说明."""
    if fact_ids is None:
        fact_ids = [f.id for f in data.catalogue.facts.values() if f.section == section]
    fact_ids = [fid for fid in fact_ids if data.declares(fid)]
    rows = [
        {"项目": fact_label(fid, data=data), "数值": fact_text(data, fid), "说明": fact_note(data, fid)}
        for fid in fact_ids
    ]
    frame = pd.DataFrame(rows, columns=["项目", "数值", "说明"])
    if (frame["说明"] == "").all():
        frame = frame.drop(columns="说明")
    return frame


def show_facts(data, caption: str, fact_ids: list[str] | None = None, section: str | None = None) -> None:
    """A facts table, or the missing notice when the year has none of them."""
    show_table_or_notice(facts_frame(data, fact_ids, section), ["数值"], caption)


def change_text(now: float, before: float, unit: str, decimals: int) -> str:
    if missing(now) or missing(before):
        return MISSING_TEXT
    return fmt_change(now - before, decimals, "个百分点" if unit == "%" else unit)


def comparable(prev, fact_ids: list[str]) -> bool:
    """Whether the previous year exists and has at least one of these facts."""
    return prev is not None and any(not missing(prev.optional_fact(fid)) for fid in fact_ids)


def key_figures(data, prev, fact_ids: list[str]) -> pd.DataFrame:
    """Facts over the years: 指标 / 单位, one column per year, and 变化.

    The previous year's column and the change appear only when that year has at least one of the facts.
    """
    if not comparable(prev, fact_ids):
        prev = None
    rows = []
    for fid in [f for f in fact_ids if data.declares(f) or (prev is not None and prev.declares(f))]:
        spec_year = data if data.declares(fid) else prev
        unit = spec_year.fact_spec(fid).unit
        d = printed_decimals(fid, data, prev)
        row = {"指标": fact_label(fid, sections=True, data=spec_year), "单位": unit}
        for year_data in years_of(data, prev):
            row[year_label(year_data.year)] = fmt_number(year_data.optional_fact(fid), d)
        if prev is not None:
            row["变化"] = change_text(data.optional_fact(fid), prev.optional_fact(fid), unit, d)
        rows.append(row)
    return pd.DataFrame(rows)


def show_key_figures(data, prev, fact_ids: list[str], caption: str) -> None:
    """The key-figures table, or the missing notice when this year (and the previous) has none of the facts."""
    frame = key_figures(data, prev, fact_ids)
    if (frame[[c for c in frame.columns if c.endswith(" 年")]] == MISSING_TEXT).all().all():
        no_data(caption)
        return
    if prev is not None and not comparable(prev, fact_ids):
        caption += f"（{prev.year} 年未提供可比数据）"
    show_table(frame, None, caption)


# ---- the school's own facts of a section -----------------------------------------------------------
# A school prints numbers of its own in a section (honours, projects, a partnership): it declares them in
# data/<year>/catalogue.yaml with a label, unit and section. Chapter code never names them; these helpers
# show whatever facts a year declares for a section, driven by the catalogue alone, and nothing (no notice)
# for a school that declares none there.
def own_section_facts(data, section: str, prev=None) -> list[str]:
    """Ids of the facts the year declares itself (its catalogue.yaml) for report `section`, in the order
    declared; with `prev`, followed by those only the previous year declared there (to show what changed)."""
    ids: list[str] = []
    for year_data in years_of(data, prev)[::-1]:
        catalogue = year_data.catalogue
        ids += [
            f.id
            for f in catalogue.facts.values()
            if f.id in catalogue.own_facts and str(f.section) == str(section) and f.id not in ids
        ]
    return ids


def section_title(section: str) -> str:
    """The outline's title of a section (“科研管理”), or of a chapter without its number (“特色创新”); the id
    itself when the outline lacks it."""
    try:
        title = outline.section(section).title
    except KeyError:
        return str(section)
    return re.sub(r"^第[一二三四五六七八九十]+章\s*", "", title)


@review_voice
def table_section_facts(data, section: str, prev=None) -> None:
    """The school's own facts of `section` as a table (the audit's view: review edition only): 项目 / 数值
    (/ 说明), or over two years with the change when the previous year has some of them. Nothing when the
    year declares none for the section."""
    ids = own_section_facts(data, section, prev)
    if not ids:
        return
    caption = sentence("{t}：本校登记的数字", t=section_title(section))
    if comparable(prev, ids):
        show_key_figures(data, prev, ids, caption)
    else:
        show_table_or_notice(facts_frame(data, ids), ["数值"], caption)


def section_chart_facts(data, section: str) -> list[str]:
    """The facts a chart of `section` shows: among the year's own facts of the section that have a value,
    the largest group sharing one unit and kind (raw counts are not charted beside printed derived values;
    a chart shows one quantity); on a tie, the group declared first. A total that the year's own `sum`
    rules make of other facts of the section is left out (its parts are charted, not counted twice).
    Empty when no group has two."""
    ids = own_section_facts(data, section)
    totals = {
        rule.get("total")
        for rule in data.catalogue.rules
        if rule.get("kind") == "sum" and set(rule.get("parts") or ()) & set(ids)
    }
    groups: dict[tuple[str, str], list[str]] = {}
    for fid in ids:
        if missing(data.fact(fid)) or fid in totals:
            continue
        spec = data.fact_spec(fid)
        groups.setdefault((spec.unit or "", spec.kind), []).append(fid)
    largest = max(groups.values(), key=len, default=[])  # max keeps the first of equal groups
    return largest if len(largest) >= 2 else []


def figure_section_facts(data, section: str):
    """A bar chart of the school's own facts of `section` that share one unit (see section_chart_facts),
    titled with the section's title and the unit; None (nothing shown) when there are not two such facts."""
    ids = section_chart_facts(data, section)
    if not ids:
        return None
    fig = charts.barh_sorted(
        [fact_label(f, data=data) for f in ids],
        [data.fact(f) for f in ids],
        sentence("{y} 年{t}", y=data.year, t=section_title(section)),
        data.fact_spec(ids[0]).unit,
        decimals=max(data.fact_decimals(f) or 0 for f in ids),
    )
    return done(fig)


# ---- registered indicators: printed vs recomputed ------------------------------------------------
def check(data, ind_id: str) -> dict:
    """Printed value, recomputed value, verdict (a Verdict) and difference of one registered indicator.

    printed_decimals: as printed (0 when not printed); decimals: as printed, else the indicator's own.
    The verdict compares within the printed rounding.
    """
    ind = registry()[ind_id]
    computed = ind.compute(data)
    printed = data.fact(ind.printed) if ind.printed else math.nan
    decimals = data.fact_decimals(ind.printed) if ind.printed else None
    verdict, diff = compare(computed, printed, decimals)
    return {
        "ind": ind,
        "computed": computed,
        "printed": printed,
        "printed_decimals": decimals or 0,
        "decimals": decimals or ind.decimals,
        "verdict": verdict,
        "diff": diff,
    }


def basis_text(data, ind_id: str) -> str:
    """The definition the school uses for an indicator, as a phrase (“在校生数（不含顶岗实习学生） ÷ 专任教师数”):
    `registry.definition_text` without its “口径：” lead, so another school's definition prints under its
    indicator."""
    return definition_text(data, ind_id).removeprefix("口径：")


def check_phrase(data, ind_id: str) -> str:
    """One neutral clause: '报告印 2.58 倍，按 A ÷ B 重算为 2.68 倍' / '与重算值一致' / '无法重算', where
    “A ÷ B” is the definition the school chose (`basis_text`)."""
    c = check(data, ind_id)
    ind = c["ind"]
    printed = fmt_number(c["printed"], c["printed_decimals"], ind.unit)
    computed = fmt_number(c["computed"], ind.decimals, ind.unit)
    if c["verdict"] is Verdict.UNCHECKABLE:
        if missing(c["printed"]):
            return sentence("{name}本年度未提供", name=ind.name)
        return sentence("{name}报告印 {p}，本年度数据不足以重算", name=ind.name, p=printed)
    basis = basis_text(data, ind_id)
    if c["verdict"] is Verdict.COMPUTED_ONLY:
        return sentence("{name}按 {basis} 计算为 {c}（报告未印此值）", name=ind.name, basis=basis, c=computed)
    if c["verdict"] is Verdict.CONSISTENT:
        return sentence("{name} {p}，与按 {basis} 重算的结果一致", name=ind.name, p=printed, basis=basis)
    return sentence(
        "{name}报告印 {p}，按 {basis} 重算为 {c}（{v}）",
        name=ind.name,
        p=printed,
        basis=basis,
        c=computed,
        v=c["verdict"].value,
    )


def printed_clause(c: dict, unit: str, not_printed: str = "此值", show_diff: bool = False) -> str:
    """What follows a recomputed value (c from `check`): '（报告未印此值）。', '，与报告所印 X一致。' or
    '；报告印为 X，核对结果：不一致（相差 d）。' (the difference only with `show_diff`)."""
    if missing(c["printed"]):
        return f"（报告未印{not_printed}）。"
    printed = fmt_number(c["printed"], c["decimals"], unit)
    if c["verdict"] is Verdict.CONSISTENT:
        return sentence("，与报告所印 {p}一致。", p=printed)
    text = sentence("；报告印为 {p}，核对结果：{v}", p=printed, v=c["verdict"].value)
    if show_diff:
        text += sentence("（相差 {d}）", d=fmt_number(abs(c["diff"]), c["decimals"], unit))
    return text + "。"
