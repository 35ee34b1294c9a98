"""Computations over the schools of a collection, for the area report (区域汇总) and `qz validate --all`.

Inputs are `SchoolYear`s (`qzanalysis.core.collection`): a school with one year of its data, read and validated.
Only schools whose data passed validation are compared; the others are listed with their findings.

Like with like: each school's indicator is computed under its own definitions (``school.yaml`` ``definitions``,
e.g. the denominator of 双师型比例) and, for comparison, under the reference definition (the indicator's default
in ``indicators.yaml``). Medians, ranks and the area's pooled values use the reference definition only; a school
whose value cannot be recomputed that way is left out of the comparison and named.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import pandas as pd

from qzanalysis.core.catalog import _load_yaml, table_specs
from qzanalysis.core.collection import SchoolYear
from qzanalysis.core.dataset import YearData
from qzanalysis.core.findings import DataValidationError, Level, Report
from qzanalysis.core.paths import METADATA_DIR
from qzanalysis.indicators.registry import Indicator, registry
from qzanalysis.indicators.standards import MET, NOT_MET, UNKNOWN, school_value, standards

NOT_APPLICABLE = "不适用"
STATUS_ORDER = ("完整", "不完整", "缺失", "有错误")


@cache
def area_metadata() -> dict:
    return _load_yaml(METADATA_DIR / "area.yaml")


def headline_indicators() -> list[str]:
    """The indicators compared school by school: area.yaml's list, else the registry's headline ones."""
    ids = list(area_metadata().get("indicators") or [])
    return ids or [ind.id for ind in registry().values() if ind.headline]


def comparable(schools: Sequence[SchoolYear]) -> list[SchoolYear]:
    """The schools whose data passed validation (the others are listed, never compared)."""
    return [s for s in schools if s.ok]


def short_name(school: SchoolYear) -> str:
    """How the area report names a school: its label among the schools read with it, else its short name."""
    return school.label or school.short_name


# ---- data completeness ---------------------------------------------------------------------------------
def table_status(schools: Sequence[SchoolYear], short: bool = False) -> pd.DataFrame:
    """One row per school: 代码, 学校 (the short name with `short`), one column per built-in table (its Chinese
    title) holding 完整 / 不完整 / 缺失 / 有错误, then 错误 and 警告 (counts over the year's findings and the
    collection's checks)."""
    titles = {name: spec.title for name, spec in table_specs().items()}
    rows = []
    for school in schools:
        status = dict(zip(school.data.status["table"], school.data.status["状态"], strict=True))
        row: dict[str, object] = {
            "代码": school.school.id,
            "学校": short_name(school) if short else school.name,
        }
        row.update({title: status.get(name, "缺失") for name, title in titles.items()})
        row["错误"] = len(findings_of(school, Level.FAIL))
        row["警告"] = len(findings_of(school, Level.WARN))
        rows.append(row)
    return pd.DataFrame(rows, columns=["代码", "学校", *titles.values(), "错误", "警告"])


def missing_tables(schools: Sequence[SchoolYear]) -> pd.DataFrame:
    """Every table that is not complete, school by school: 代码, 学校 (short name), 表, 状态, 说明."""
    rows = []
    for school in schools:
        for record in school.data.status.to_dict("records"):
            if record["状态"] != "完整":
                rows.append(
                    {
                        "代码": school.school.id,
                        "学校": short_name(school),
                        "表": record["表"],
                        "状态": record["状态"],
                        "说明": record["说明"] or "",
                    }
                )
    return pd.DataFrame(rows, columns=["代码", "学校", "表", "状态", "说明"])


def findings_of(school: SchoolYear, level: Level = Level.FAIL) -> list:
    """The school's findings at `level`: the collection's own checks (a wrong data root is the cause of all
    else), then the year's validation."""
    return [f for f in (*school.findings, *school.data.report.findings) if f.level is level]


# ---- definitions -------------------------------------------------------------------------------------
def definition_text(ind: Indicator, options: dict[str, str]) -> str:
    """The choices in words, e.g. '分母：专任教师' ('' for an indicator without options)."""
    parts = []
    for option, choice in options.items():
        label = str(ind.options[option]["choices"][choice]).split("（", 1)[0]
        parts.append(f"{OPTION_NAMES.get(option, option)}：{label}")
    return "；".join(parts)


OPTION_NAMES = {"denominator": "分母", "numerator": "分子"}


def _row_head(school: SchoolYear, ind: Indicator) -> dict:
    """The columns every per-school, per-indicator row starts with."""
    return {
        "代码": school.school.id,
        "学校": short_name(school),
        "id": ind.id,
        "指标": ind.name,
        "单位": ind.unit,
        "小数位": ind.decimals,
    }


def _value(ind: Indicator, data: YearData, options: dict[str, str]) -> float:
    try:
        return float(ind.compute(data, **options))
    except (KeyError, ValueError, TypeError, ZeroDivisionError):
        return math.nan


def own_value(ind: Indicator, data: YearData) -> tuple[float, str]:
    """The school's value of `ind` under its own definition and where it comes from: recomputed from raw counts
    ('重算值'), else the value the school printed ('报告值'), else (NaN, '—'). The one value every table of the
    area report shows for a school, so that a value printed in one table is not 'not provided' in another."""
    value = _value(ind, data, ind.chosen_options(data))
    if not math.isnan(value):
        return value, "重算值"
    if ind.printed:
        value = data.fact(ind.printed)
    return (value, "报告值") if not math.isnan(value) else (math.nan, "—")


# ---- indicators school by school ---------------------------------------------------------------------
INDICATOR_COLUMNS = [
    "代码", "学校", "id", "指标", "单位", "小数位", "本校值", "来源", "本校口径", "统一口径值", "口径相同",
]  # fmt: skip


def indicator_values(schools: Sequence[SchoolYear], ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Long frame, one row per school and indicator (columns INDICATOR_COLUMNS).

    本校值: under the school's own definition, recomputed from raw counts, else the printed value (来源 says
    which). 统一口径值: under the reference definition (recomputed only; NaN when the inputs are missing).
    口径相同: whether the school's definition is the reference one.
    """
    ids = list(ids or registry())
    rows = []
    for school in comparable(schools):
        for ind_id in ids:
            ind = registry()[ind_id]
            own = ind.chosen_options(school.data)
            same = own == ind.default_options()
            value, source = own_value(ind, school.data)
            reference = (
                value if same and source == "重算值" else _value(ind, school.data, ind.default_options())
            )
            if same and source == "报告值":
                reference = value  # printed under the reference definition: as comparable as the school says
            rows.append(
                {
                    **_row_head(school, ind),
                    "本校值": value,
                    "来源": source,
                    "本校口径": "" if same else definition_text(ind, own),
                    "统一口径值": reference,
                    "口径相同": same,
                }
            )
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


@dataclass
class Distribution:
    """One indicator across the comparable schools, under the reference definition."""

    indicator: Indicator
    values: pd.DataFrame  # 代码, 学校, value, rank (1 = highest), position ('高于中位数'…), 口径说明; rank
    # and position compare the values as printed (to the indicator's decimals)
    median: float
    left_out: pd.DataFrame  # 代码, 学校, 原因: no value, or a definition that cannot be recomputed

    @property
    def n(self) -> int:
        return len(self.values)


def distribution(values: pd.DataFrame, ind_id: str) -> Distribution:
    """The schools' reference-definition values of one indicator, with the median and each school's place."""
    ind = registry()[ind_id]
    rows = values[values["id"] == ind_id]
    have = rows[rows["统一口径值"].notna()].copy()
    lacking = rows[rows["统一口径值"].isna()]
    reasons = [
        f"本校口径为“{r['本校口径']}”，缺少按统一口径重算所需的数据"
        if r["本校口径"] and not math.isnan(r["本校值"])
        else "未提供"
        for r in lacking.to_dict("records")
    ]
    left_out = pd.DataFrame({"代码": lacking["代码"], "学校": lacking["学校"], "原因": reasons})
    median = statistics.median(have["统一口径值"]) if len(have) else math.nan
    have = have.sort_values("统一口径值", ascending=False, kind="stable")
    # Places are read beside the printed values: two schools printed alike share a rank, and a value printed
    # as the median is "等于中位数", whatever lies in the decimals not shown.
    shown, shown_median = have["统一口径值"].round(ind.decimals), round(median, ind.decimals)
    have["rank"] = shown.rank(ascending=False, method="min").astype(int)
    have["position"] = [
        "高于中位数" if v > shown_median else "低于中位数" if v < shown_median else "等于中位数"
        for v in shown
    ]
    have["口径说明"] = [
        f"本校口径（{r['本校口径']}）为 {_number(r['本校值'], ind)}，此处按统一口径重算"
        if r["本校口径"]
        else ""
        for r in have.to_dict("records")
    ]
    frame = have.rename(columns={"统一口径值": "value"})[
        ["代码", "学校", "value", "rank", "position", "口径说明"]
    ]
    return Distribution(ind, frame.reset_index(drop=True), median, left_out.reset_index(drop=True))


def _number(value: float, ind: Indicator) -> str:
    from qzanalysis.core.values import fmt_number

    return fmt_number(value, ind.decimals, ind.unit)


# ---- totals and pooled values ---------------------------------------------------------------------------
def totals(schools: Sequence[SchoolYear], fact_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Sums over the comparable schools: id, 项目, 单位, 合计, 学校数 (that gave the value), 未提供 (names)."""
    fact_ids = list(fact_ids or area_metadata()["totals"])
    schools = comparable(schools)
    rows = []
    for fact_id in fact_ids:
        given = [(s, s.data.fact(fact_id)) for s in schools if fact_id in s.data.catalogue.facts]
        values = [v for _, v in given if not math.isnan(v)]
        missing = [short_name(s) for s, v in given if math.isnan(v)]
        missing += [short_name(s) for s in schools if fact_id not in s.data.catalogue.facts]
        spec = schools[0].data.fact_spec(fact_id) if schools else None
        rows.append(
            {
                "id": fact_id,
                "项目": spec.label if spec else fact_id,
                "单位": spec.unit if spec else "",
                "合计": math.fsum(values) if values else math.nan,
                "学校数": len(values),
                "未提供": "、".join(missing),
            }
        )
    return pd.DataFrame(rows, columns=["id", "项目", "单位", "合计", "学校数", "未提供"])


def _pooled_data(members: Sequence[SchoolYear]) -> YearData:
    """A stand-in YearData whose facts are the members' sums, for facts in additive units only."""
    additive = set(area_metadata()["additive_units"])
    sums: dict[str, list[float]] = {}
    for school in members:
        for fact_id, value in school.data.fact_map().items():
            if school.data.fact_spec(fact_id).unit in additive:
                sums.setdefault(fact_id, []).append(value)
    complete = {k: math.fsum(v) for k, v in sums.items() if len(v) == len(members)}
    facts = pd.DataFrame(
        {
            "id": list(complete),
            "label": list(complete),
            "value": list(complete.values()),
            "unit": "",
            "note": None,
            "decimals": 0,
        }
    ).set_index("id", drop=False)
    first = members[0].data
    return YearData(first.year, first.path, {}, facts, Report(), catalogue=first.catalogue)


def pooled(schools: Sequence[SchoolYear], values: pd.DataFrame, ind_id: str) -> tuple[float, int]:
    """The area's value of an indicator from summed counts (reference definition), over the schools whose own
    value could be recomputed that way; (value, number of schools). NaN when it cannot be pooled."""
    ind = registry()[ind_id]
    rows = values[(values["id"] == ind_id) & values["统一口径值"].notna()]
    rows = rows[(rows["来源"] == "重算值") | ~rows["口径相同"]]  # recomputed, not just printed
    members = [s for s in comparable(schools) if s.school.id in set(rows["代码"])]
    if not members:
        return math.nan, 0
    return _value(ind, _pooled_data(members), ind.default_options()), len(members)


# ---- national standards, each under the school's own type ------------------------------------------------
STANDARD_COLUMNS = ["代码", "学校", "id", "标准", "适用", "结论", "本校值", "取值"]


def standards_matrix(schools: Sequence[SchoolYear]) -> pd.DataFrame:
    """Long frame: every comparable school × every standard in force that year: 结论 is 达标 / 未达标 / 无法判断,
    or 不适用 when the standard is not for the school's type (types from its school.yaml, else the collection)."""
    from qzanalysis.indicators.standards import fmt_value

    rows = []
    for school in comparable(schools):
        for std in standards(school.data.year).values():  # in force that year
            if std.applies_to_types(tuple(school.types)):
                found = school_value(std, school.data)
                verdict, source = std.met(found.value), found.source
                shown = fmt_value(found.value, std.unit, std.decimals)
            else:
                verdict, shown, source = NOT_APPLICABLE, "", ""
            rows.append(
                {
                    "代码": school.school.id,
                    "学校": short_name(school),
                    "id": std.id,
                    "标准": f"{std.name}（{std.threshold_text()}）",
                    "适用": std.applies_to,
                    "结论": verdict,
                    "本校值": shown,
                    "取值": source,
                }
            )
    return pd.DataFrame(rows, columns=STANDARD_COLUMNS)


def standards_summary(matrix: pd.DataFrame) -> pd.DataFrame:
    """Per school: 代码, 学校, 适用标准, 达标, 未达标, 无法判断."""
    rows = []
    for (code, name), group in matrix.groupby(["代码", "学校"], sort=False):
        verdicts = group["结论"]
        rows.append(
            {
                "代码": code,
                "学校": name,
                "适用标准": int((verdicts != NOT_APPLICABLE).sum()),
                MET: int((verdicts == MET).sum()),
                NOT_MET: int((verdicts == NOT_MET).sum()),
                UNKNOWN: int((verdicts == UNKNOWN).sum()),
            }
        )
    return pd.DataFrame(rows, columns=["代码", "学校", "适用标准", MET, NOT_MET, UNKNOWN])


# ---- year over year, school by school --------------------------------------------------------------------
def previous_of(school: SchoolYear) -> tuple[YearData | None, str]:
    """The school's nearest earlier year (validated) and, when there is none to compare with, why."""
    from qzanalysis.core.years import previous_year

    try:
        previous = previous_year(school.data)
    except DataValidationError as exc:
        return None, f"上一年度数据未通过校验（{len(exc.report.errors)} 个错误）"
    return previous, "" if previous is not None else "没有上一年度的数据"


CHANGE_COLUMNS = ["代码", "学校", "id", "指标", "单位", "小数位", "本校口径", "上年", "本年", "变化", "说明"]


def changes(schools: Sequence[SchoolYear], ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Long frame, one row per comparable school and indicator (columns CHANGE_COLUMNS): last year's and this
    year's value under the school's own definition (recomputed, else printed: `own_value`), and the change.
    本校口径 names the school's definition when it is not the reference one ('' when it is). 说明 says why there
    is no change (no previous year, a definition that changed between the years, a value missing in either
    year)."""
    ids = list(ids or headline_indicators())
    rows = []
    for school in comparable(schools):
        previous, why = previous_of(school)
        for ind_id in ids:
            ind = registry()[ind_id]
            own = ind.chosen_options(school.data)
            now, _ = own_value(ind, school.data)
            before, note = math.nan, why
            if previous is not None:
                before_options = ind.chosen_options(previous)
                before, _ = own_value(ind, previous)
                if before_options != own:
                    note, before = (
                        f"口径有变化（上年：{definition_text(ind, before_options)}），不比较",
                        math.nan,
                    )
                elif math.isnan(now) or math.isnan(before):
                    note = "本年未提供" if math.isnan(now) else "上年未提供"
            rows.append(
                {
                    **_row_head(school, ind),
                    "本校口径": "" if own == ind.default_options() else definition_text(ind, own),
                    "上年": before,
                    "本年": now,
                    "变化": now - before if not (math.isnan(now) or math.isnan(before)) else math.nan,
                    "说明": note,
                }
            )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
