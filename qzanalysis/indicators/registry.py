"""The indicator registry (metadata/indicators.yaml): each indicator's name, unit, section, printed value
and its one formula, evaluated by the formula language (qzanalysis.indicators.formula).

Definitions that differ between schools are options whose choices are alternative formulas. The choice
used for a year is, in order: an explicit override (``qz indicators --option``), the school's own
definition (``definitions`` in data/<year>/school.yaml), the indicator's default. `qz indicators`,
`qz audit` and the chapters all go through `Indicator.evaluate`, so they use the same one.

Values are floats, NaN when an input is missing (never 0). A value outside the range the definition
allows (e.g. a rate over 100%) is not a value: `compute` gives NaN, `evaluate` gives it flagged, and
`qzanalysis.indicators.plausibility` turns it into a validation FAIL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from qzanalysis.core.catalog import _load_yaml
from qzanalysis.core.dataset import YearData
from qzanalysis.core.paths import METADATA_DIR
from qzanalysis.core.values import fmt_number
from qzanalysis.indicators.compare import compare
from qzanalysis.indicators.formula import Context, Result, Substitution, describe, evaluate


@dataclass
class Evaluation:
    """One indicator evaluated for one year: the value, the formula with its numbers, the options used,
    the substitutes taken for missing inputs, and whether the value is outside its allowed range."""

    indicator: Indicator
    value: float
    text: str
    options: dict[str, str]
    missing: list[str] = field(default_factory=list)
    substitutions: list[Substitution] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    out_of_range: bool = False

    @property
    def usable(self) -> float:
        """The value as a value: NaN when it is outside the allowed range."""
        return math.nan if self.out_of_range else self.value


BETTER = ("higher", "lower", "neither")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    decimals: int
    section: str
    definition: str
    formula: str | None = None
    printed: str | None = None
    printed_change: str | None = None
    headline: bool = False
    minimum: float | None = None
    maximum: float | None = None
    # {option: {"default": choice, "choices": {choice: Chinese text}}}; the formulas are in `formulas`
    options: dict[str, Any] = field(default_factory=dict)
    formulas: dict[str, str] = field(default_factory=dict)  # choice → formula (one option per indicator)
    extra: dict[str, Any] = field(default_factory=dict)  # other keys (e.g. display hints), kept as given
    better: str = "neither"  # which way of change is an improvement: higher | lower | neither

    def __post_init__(self):
        if self.better not in BETTER:
            raise ValueError(
                f"指标 {self.id} 的 better 应为 {'、'.join(BETTER)} 之一，而不是 {self.better!r}"
            )

    def default_options(self) -> dict[str, str]:
        return {name: spec["default"] for name, spec in self.options.items()}

    def chosen_options(
        self, data: YearData | None = None, overrides: dict[str, str] | None = None
    ) -> dict[str, str]:
        """The options used for `data`: defaults, then the school's definitions, then `overrides`.

        Raises ValueError for an unknown option or choice in `overrides` (definitions in school.yaml are
        checked when the year is read; an invalid one there is a validation finding and is ignored here).
        """
        overrides = overrides or {}
        unknown = set(overrides) - set(self.options)
        if unknown:
            raise ValueError(f"{self.name} 没有选项 {sorted(unknown)}；可用选项：{sorted(self.options)}")
        school = {}
        if data is not None and data.profile is not None:
            school = {
                k: v
                for k, v in data.profile.definitions.get(self.id, {}).items()
                if k in self.options and v in self.options[k]["choices"]
            }
        chosen = {**self.default_options(), **school, **overrides}
        for name, value in overrides.items():
            if value not in self.options[name]["choices"]:
                raise ValueError(
                    f"{self.name} 的选项 {name} 不能取 {value!r}；可取：{list(self.options[name]['choices'])}"
                )
        return chosen

    def formula_for(self, options: dict[str, str]) -> str:
        """The formula of the chosen definition."""
        if self.options:
            ((name, _spec),) = self.options.items()
            return self.formulas[options[name]]
        assert self.formula is not None
        return self.formula

    def alternatives(self, options: dict[str, str]) -> dict[str, str]:
        """The other choices than `options`: choice → formula (for naming a printed value's definition)."""
        if not self.options:
            return {}
        ((name, _spec),) = self.options.items()
        return {c: f for c, f in self.formulas.items() if c != options[name]}

    def in_range(self, value: float) -> bool:
        if math.isnan(value):
            return True
        low = -math.inf if self.minimum is None else self.minimum
        high = math.inf if self.maximum is None else self.maximum
        return low - 1e-9 <= value <= high + 1e-9

    def range_text(self) -> str:
        unit = self.unit if self.unit in ("%", ":1") else f" {self.unit}"
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum:g}–{self.maximum:g}{unit}"
        if self.maximum is not None:
            return f"不大于 {self.maximum:g}{unit}"
        if self.minimum is not None:
            return f"不小于 {self.minimum:g}{unit}"
        return "任意值"

    def evaluate(self, data: YearData, prev: YearData | None = None, **options) -> Evaluation:
        """Evaluate the indicator for `data` with the chosen definition (see `chosen_options`)."""
        chosen = self.chosen_options(data, options)
        result: Result = evaluate(self.formula_for(chosen), Context(data, prev), percent=self.unit == "%")
        return Evaluation(
            indicator=self,
            value=result.value,
            text=result.text,
            options=chosen,
            missing=result.missing,
            substitutions=result.substitutions,
            inputs=result.inputs,
            out_of_range=not self.in_range(result.value),
        )

    def compute(self, data: YearData, **options) -> float:
        """The value, NaN when an input is missing or the value is outside the allowed range."""
        return self.evaluate(data, **options).usable

    def label(self) -> str:
        return f"{self.name}（{self.unit}）"

    def choice_text(self, options: dict[str, str]) -> str:
        """The Chinese text of the chosen choices, e.g. '专业课教师（国家政策口径）'."""
        return "；".join(self.options[n]["choices"][c] for n, c in options.items() if n in self.options)


_KNOWN = {
    "id",
    "name",
    "unit",
    "decimals",
    "section",
    "definition",
    "formula",
    "printed",
    "printed_change",
    "headline",
    "minimum",
    "maximum",
    "options",
    "better",
}


def _indicator(item: dict[str, Any]) -> Indicator:
    options, formulas = {}, {}
    for name, spec in (item.get("options") or {}).items():
        choices = {}
        for choice, value in spec["choices"].items():
            choices[choice] = value["text"]
            formulas[choice] = value["formula"]
        options[name] = {"default": spec["default"], "choices": choices}
    if len(options) > 1:
        raise ValueError(f"{item['id']}：每个指标至多一个口径选项，其取值各是一个公式")
    if not options and not item.get("formula"):
        raise ValueError(f"{item['id']}：缺少 formula")
    known = {k: v for k, v in item.items() if k in _KNOWN and k != "options"}
    known["section"] = str(known["section"])
    extra = {k: v for k, v in item.items() if k not in _KNOWN}
    return Indicator(**known, options=options, formulas=formulas, extra=extra)


@cache
def registry() -> dict[str, Indicator]:
    raw = _load_yaml(METADATA_DIR / "indicators.yaml")["indicators"]
    return {item["id"]: _indicator(item) for item in raw}


def definition_text(data: YearData, indicator_id: str, **options) -> str:
    """The sentence of the definition an indicator uses for `data`, to print under it, e.g.
    '口径：双师型教师数（专业教师中）÷ 专业课教师数 × 100%'. A substitute input taken because the preferred
    one is missing is said too: '口径：在籍学生数 ÷ 专任教师数（未提供在校生数（不含顶岗实习学生），以在籍学生数代替）'."""
    ind = registry()[indicator_id]
    chosen = ind.chosen_options(data, options)
    text = "口径：" + describe(ind.formula_for(chosen), data)
    substitutions = ind.evaluate(data, **options).substitutions
    if substitutions:
        text += "（" + "；".join(dict.fromkeys(s.sentence() for s in substitutions)) + "）"
    return text


def better_direction(fact_or_indicator_id: str) -> str | None:
    """ "higher" or "lower" for a registered indicator or the fact holding its printed value; None when the
    indicator has no better direction or the id is neither."""
    for ind in registry().values():
        if fact_or_indicator_id in (ind.id, ind.printed):
            return None if ind.better == "neither" else ind.better
    return None


def evaluate_all(data: YearData, options: dict[str, dict[str, str]] | None = None) -> dict[str, Evaluation]:
    options = options or {}
    unknown = set(options) - set(registry())
    if unknown:
        raise ValueError(f"没有这些指标：{sorted(unknown)}；可用：{sorted(registry())}")
    return {i.id: i.evaluate(data, None, **options.get(i.id, {})) for i in registry().values()}


def compute_all(data: YearData, options: dict[str, dict[str, str]] | None = None) -> dict[str, float]:
    return {k: e.usable for k, e in evaluate_all(data, options).items()}


OUT_OF_RANGE = "超出范围"


def indicator_table(data: YearData, options: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """Every registered indicator: computed from raw counts, beside the printed value, with a verdict.

    Columns: id, 指标, 单位, 计算值, 报告值, 差异, 核对 (一致/舍入差异/不一致/无法核对/仅计算值, or 超出范围
    when the computed value is outside the range the definition allows), 一致, 报告小数位, 章节, 定义,
    口径 (the definition used, in words), 说明 (substitutes taken, the range broken).
    """
    rows = []
    for ind_id, ev in evaluate_all(data, options).items():
        ind = registry()[ind_id]
        value = ev.value
        printed = data.fact(ind.printed) if ind.printed and ind.printed in data.catalogue.facts else math.nan
        decimals = data.fact_decimals(ind.printed) if ind.printed else None
        verdict, diff = compare(value, printed, decimals)
        notes = [s.sentence() for s in ev.substitutions]
        check = verdict.value
        if ev.out_of_range:
            check = OUT_OF_RANGE
            notes.append(
                f"计算值 {fmt_number(value, ind.decimals, ind.unit)} 超出定义允许的范围（{ind.range_text()}）：{ev.text}"
            )
        rows.append(
            {
                "id": ind.id,
                "指标": ind.name,
                "单位": ind.unit,
                "计算值": round(value, ind.decimals + 2) if value == value else math.nan,
                "报告值": printed,
                "差异": diff if diff is None else round(diff, ind.decimals + 2),
                "核对": check,
                "一致": check == "一致",
                "报告小数位": decimals,
                "章节": ind.section,
                "定义": ind.definition,
                "口径": definition_text(data, ind.id, **(options or {}).get(ind.id, {})).removeprefix(
                    "口径："
                ),
                "说明": "；".join(dict.fromkeys(notes)),
            }
        )
    return pd.DataFrame(rows)
