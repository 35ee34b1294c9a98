"""The indicator registry: metadata from metadata/indicators.yaml, one compute function per id here.

Functions take a YearData and keyword options and return a float, NaN when an input is missing
(never 0). `indicator_table` recomputes every indicator and sets it beside the printed value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from qzanalysis.core.catalog import _load_yaml
from qzanalysis.core.dataset import YearData
from qzanalysis.core.paths import METADATA_DIR
from qzanalysis.indicators.compare import compare

MU_TO_SQUARE_METRES = 10000 / 15  # 1 亩 = 10000/15 平方米

_FUNCTIONS: dict[str, Callable[..., float]] = {}
BETTER = ("higher", "lower", "neither")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    decimals: int
    section: str
    definition: str
    printed: str | None = None
    printed_change: str | None = None
    headline: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    better: str = "neither"  # which way of change is an improvement: higher | lower | neither

    def __post_init__(self):
        if self.better not in BETTER:
            raise ValueError(
                f"指标 {self.id} 的 better 应为 {'、'.join(BETTER)} 之一，而不是 {self.better!r}"
            )

    def default_options(self) -> dict[str, str]:
        return {name: spec["default"] for name, spec in self.options.items()}

    def compute(self, data: YearData, **options) -> float:
        unknown = set(options) - set(self.options)
        if unknown:
            raise ValueError(f"{self.name} 没有选项 {sorted(unknown)}；可用选项：{sorted(self.options)}")
        chosen = {**self.default_options(), **options}
        for name, value in chosen.items():
            if value not in self.options[name]["choices"]:
                raise ValueError(
                    f"{self.name} 的选项 {name} 不能取 {value!r}；可取：{list(self.options[name]['choices'])}"
                )
        return _FUNCTIONS[self.id](data, **chosen)

    def label(self) -> str:
        return f"{self.name}（{self.unit}）"


@cache
def registry() -> dict[str, Indicator]:
    raw = _load_yaml(METADATA_DIR / "indicators.yaml")["indicators"]
    out = {}
    for item in raw:
        item = {**item, "section": str(item["section"])}
        out[item["id"]] = Indicator(**item)
    return out


def better_direction(fact_or_indicator_id: str) -> str | None:
    """ "higher" or "lower" for a registered indicator or the fact holding its printed value; None when the
    indicator has no better direction or the id is neither."""
    for ind in registry().values():
        if fact_or_indicator_id in (ind.id, ind.printed):
            return None if ind.better == "neither" else ind.better
    return None


def indicator(indicator_id: str):
    def register(fn):
        _FUNCTIONS[indicator_id] = fn
        return fn

    return register


def ratio(numerator: float, denominator: float, scale: float = 1.0) -> float:
    if any(isinstance(v, float) and math.isnan(v) for v in (numerator, denominator)) or denominator == 0:
        return math.nan
    return numerator / denominator * scale


def table_sum(data: YearData, table: str, column: str, **where) -> float:
    frame = data.table(table)
    if frame is None:
        return math.nan
    for key, value in where.items():
        frame = frame[frame[key] == value]
    if frame.empty or frame[column].isna().all():
        return math.nan
    return float(frame[column].sum())


# ---- 1.3 教师队伍 -------------------------------------------------------------------------------
@indicator("student_teacher_ratio")
def _student_teacher_ratio(d: YearData, denominator: str) -> float:
    teachers = d.fact("full_time_teachers")
    if denominator == "full_time_plus_part_time":
        teachers = teachers + d.fact("part_time_teachers")
    return ratio(d.fact("students_for_teacher_ratio"), teachers)


@indicator("dual_qualified_ratio")
def _dual_qualified_ratio(d: YearData, denominator: str) -> float:
    base = d.fact("specialty_teachers" if denominator == "specialty" else "full_time_teachers")
    return ratio(d.fact("dual_qualified_teachers"), base, 100)


def _share_of_full_time(fact_id: str) -> Callable[[YearData], float]:
    return lambda d: ratio(d.fact(fact_id), d.fact("full_time_teachers"), 100)


for _id, _fact in {
    "part_time_ratio": "part_time_teachers",
    "bachelor_ratio": "bachelor_plus_teachers",
    "master_ratio": "master_plus_teachers",
    "senior_title_ratio": "senior_title_teachers",
}.items():
    _FUNCTIONS[_id] = _share_of_full_time(_fact)


# ---- 1.2 学生情况 -------------------------------------------------------------------------------
@indicator("graduation_rate")
def _graduation_rate(d: YearData) -> float:
    return ratio(d.fact("graduates_total"), d.fact("graduating_cohort"), 100)


def _retention(term: str) -> Callable[[YearData], float]:
    def compute(d: YearData) -> float:
        start = d.fact(f"{term}_term_start_students")
        return ratio(start - d.fact(f"{term}_term_dropouts"), start, 100)

    return compute


_FUNCTIONS["retention_rate_spring"] = _retention("spring")
_FUNCTIONS["retention_rate_autumn"] = _retention("autumn")


@indicator("male_female_ratio")
def _male_female_ratio(d: YearData) -> float:
    return ratio(d.fact("male_students"), d.fact("female_students"))


@indicator("training_per_student")
def _training_per_student(d: YearData, numerator: str) -> float:
    fact = "social_training_attendances_1_2" if numerator == "section_1_2" else "social_training_attendances"
    return ratio(d.fact(fact), d.fact("students_total"))


# ---- 1.1.3 / 1.4 办学条件 -----------------------------------------------------------------------
@indicator("land_area_per_student")
def _land_area_per_student(d: YearData) -> float:
    return ratio(d.fact("land_area_mu") * MU_TO_SQUARE_METRES, d.fact("students_total"))


@indicator("building_area_per_student")
def _building_area_per_student(d: YearData) -> float:
    return ratio(d.fact("building_area"), d.fact("students_total"))


@indicator("equipment_value_per_student")
def _equipment_value_per_student(d: YearData) -> float:
    return ratio(d.fact("equipment_value_total"), d.fact("students_total"))


@indicator("books_per_student")
def _books_per_student(d: YearData) -> float:
    return ratio(d.fact("books"), d.fact("students_total"))


@indicator("workstations_per_student")
def _workstations_per_student(d: YearData) -> float:
    return ratio(d.fact("workstations_table"), d.fact("students_total"))


# ---- 2 学生发展、5 社会贡献 ----------------------------------------------------------------------
@indicator("employment_rate")
def _employment_rate(d: YearData) -> float:
    return ratio(d.fact("employed_graduates"), d.fact("graduates_total"), 100)


@indicator("relevant_employment_rate")
def _relevant_employment_rate(d: YearData) -> float:
    return ratio(d.fact("relevant_employed_graduates"), d.fact("employed_graduates"), 100)


@indicator("certification_rate")
def _certification_rate(d: YearData) -> float:
    return ratio(d.fact("certified"), table_sum(d, "skill_certification", "people", scope="全部"), 100)


@indicator("teacher_training_hours_per_person")
def _teacher_training_hours(d: YearData) -> float:
    return ratio(d.fact("teacher_training_hours"), d.fact("teacher_training_attendances"))


# ---- 3.2.2 招生、4.3 校企合作、6.1 经费 -----------------------------------------------------------
@indicator("enrolment_plan_completion")
def _enrolment_plan_completion(d: YearData) -> float:
    return ratio(d.fact("enrolment"), table_sum(d, "enrolment_plan", "planned"), 100)


@indicator("partner_enterprise_growth")
def _partner_enterprise_growth(d: YearData) -> float:
    increase = d.fact("partner_enterprises_increase_printed")
    return ratio(increase, d.fact("partner_enterprises") - increase, 100)


@indicator("per_student_funding")
def _per_student_funding(d: YearData) -> float:
    frame = d.table("funding")
    if frame is None:
        return math.nan
    budget = frame.loc[frame["source"] == "一般公共预算拨款", "amount_yuan"]
    return ratio(float(budget.iloc[0]) if len(budget) else math.nan, d.fact("funding_students"))


# ---- the table ---------------------------------------------------------------------------------
def compute_all(data: YearData, options: dict[str, dict[str, str]] | None = None) -> dict[str, float]:
    options = options or {}
    return {i.id: i.compute(data, **options.get(i.id, {})) for i in registry().values()}


def indicator_table(data: YearData, options: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """Every registered indicator: computed from raw counts, beside the printed value, with a verdict."""
    rows = []
    for ind_id, value in compute_all(data, options).items():
        ind = registry()[ind_id]
        printed = data.fact(ind.printed) if ind.printed else math.nan
        decimals = data.fact_decimals(ind.printed) if ind.printed else None
        verdict, diff = compare(value, printed, decimals)
        rows.append(
            {
                "id": ind.id,
                "指标": ind.name,
                "单位": ind.unit,
                "计算值": round(value, ind.decimals + 2) if value == value else math.nan,
                "报告值": printed,
                "差异": diff if diff is None else round(diff, ind.decimals + 2),
                "核对": verdict.value,
                "一致": verdict.value == "一致",
                "报告小数位": decimals,
                "章节": ind.section,
                "定义": ind.definition,
            }
        )
    return pd.DataFrame(rows)
