"""The school's figures against national thresholds (metadata/standards.yaml).

Which standards grade a year: those for the school's types (school.yaml `types`; a school of two types is
held to both sets, each row naming its document and type) that are in force on 31 December of the report
year (`from`/`until`, defaulting to the document's date), so that a later change of threshold never
re-grades a past year. Without a profile the school's type is unknown and every type's rows are listed.

A value is recomputed through the indicator registry where the data allow it (the standard fixes its own
definition options), otherwise the printed value is used when it was printed under the same definition,
and the row says which. Missing inputs give 无法判断, never 达标 or 未达标.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from qzanalysis.core.catalog import _load_yaml
from qzanalysis.core.dataset import YearData
from qzanalysis.core.paths import METADATA_DIR
from qzanalysis.core.profile import SCHOOL_TYPES
from qzanalysis.core.units import convert
from qzanalysis.indicators.formula import Context, evaluate, number_text

MET, NOT_MET, UNKNOWN = "达标", "未达标", "无法判断"
COMPARISON_TEXT = {">=": "≥", "<=": "≤", ">": ">", "approx": "约"}


def as_date(value: Any) -> dt.date | None:
    """A `from`/`until`/`date` value: 'YYYY-MM-DD', a date, or a year (its 1 January)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if text.isdigit():
        return dt.date(int(text), 1, 1)
    return dt.date.fromisoformat(text)


def reference_date(year: int) -> dt.date:
    """The day whose standards grade a report year: its last day."""
    return dt.date(int(year), 12, 31)


@dataclass(frozen=True)
class Standard:
    id: str
    name: str
    document: str
    clause: str
    applies_to: str
    comparison: str
    threshold: float
    unit: str
    decimals: int
    value: dict[str, Any]
    types: tuple[str, ...] = ()
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None  # exclusive
    verified: bool = True
    tolerance: float | None = None
    national_average: dict[int, float] = field(default_factory=dict)
    note: str = ""

    def in_force(self, year: int) -> bool:
        day = reference_date(year)
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day < self.valid_until
        )

    def applies_to_types(self, types: tuple[str, ...] | None) -> bool:
        """Whether a school of `types` is held to this row (None: type unknown, every row applies)."""
        return types is None or bool(set(types) & set(self.types))

    def period_text(self) -> str:
        start = f"{self.valid_from.isoformat()} 起" if self.valid_from else ""
        end = f"至 {self.valid_until.isoformat()} 止" if self.valid_until else ""
        return "".join((start, end)) or "—"

    def threshold_text(self) -> str:
        text = f"{COMPARISON_TEXT[self.comparison]} {number_text(self.threshold)}"
        if self.unit == ":1":
            text = f"{COMPARISON_TEXT[self.comparison]} {number_text(self.threshold)}:1"
        elif self.unit == "%":
            text += "%"
        else:
            text += f" {self.unit}"
        return text

    def met(self, value: float) -> str:
        if value is None or math.isnan(value):
            return UNKNOWN
        if self.comparison == ">=":
            ok = value >= self.threshold
        elif self.comparison == "<=":
            ok = value <= self.threshold
        elif self.comparison == ">":
            ok = value > self.threshold
        elif self.comparison == "approx":
            ok = abs(value - self.threshold) <= (self.tolerance or 0)
        else:
            raise ValueError(f"未知的比较方式：{self.comparison}")
        return MET if ok else NOT_MET

    def shortfall(self, value: float) -> float:
        """How far the value is from meeting the threshold, as a share of it (0 when met)."""
        if value is None or math.isnan(value) or self.met(value) == MET:
            return 0.0
        return abs(value - self.threshold) / self.threshold


@cache
def _metadata() -> dict[str, Any]:
    return _load_yaml(METADATA_DIR / "standards.yaml")


def documents() -> dict[str, dict[str, Any]]:
    return _metadata()["documents"]


def load_standards(raw: dict[str, Any]) -> list[Standard]:
    """Every standard row of a standards.yaml mapping (all versions), with dates and types resolved.

    Raises ValueError for an unknown document or school type, or two versions of one id in force at once.
    """
    docs = raw["documents"]
    out: list[Standard] = []
    for item in raw["standards"]:
        item = dict(item)
        doc = docs.get(item["document"])
        if doc is None:
            raise ValueError(f"标准 {item['id']}：未知的文件 {item['document']}")
        types = tuple(item.pop("types", None) or doc.get("types") or ())
        unknown = set(types) - set(SCHOOL_TYPES)
        if not types or unknown:
            raise ValueError(f"标准 {item['id']}：适用类型应为 {'、'.join(SCHOOL_TYPES)} 中的若干个：{types}")
        valid_from = as_date(item.pop("from", None) or doc.get("date"))
        valid_until = as_date(item.pop("until", None))
        item["national_average"] = {int(k): float(v) for k, v in (item.get("national_average") or {}).items()}
        out.append(Standard(**item, types=types, valid_from=valid_from, valid_until=valid_until))
    for a in out:
        for b in out:
            if a is not b and a.id == b.id and _overlap(a, b):
                raise ValueError(f"标准 {a.id} 有两条同时施行的条目（{a.period_text()}；{b.period_text()}）")
    return out


def _overlap(a: Standard, b: Standard) -> bool:
    lo = max(a.valid_from or dt.date.min, b.valid_from or dt.date.min)
    hi = min(a.valid_until or dt.date.max, b.valid_until or dt.date.max)
    return lo < hi


@cache
def all_standards() -> tuple[Standard, ...]:
    """Every row of metadata/standards.yaml, every version."""
    return tuple(load_standards(_metadata()))


def standards(year: int | None = None, types: tuple[str, ...] | None = None) -> dict[str, Standard]:
    """The standards in force for report `year` that hold a school of `types` (None: any type), by id.
    Without `year`, every id's latest version."""
    return {
        s.id: s
        for s in sorted(all_standards(), key=lambda s: s.valid_from or dt.date.min)
        if (year is None or s.in_force(year)) and s.applies_to_types(types)
    }


def school_types(data: YearData) -> tuple[str, ...] | None:
    """The school's types from its profile; None when the year has no profile."""
    return data.profile.types if data.profile is not None else None


def standards_for(data: YearData) -> dict[str, Standard]:
    """The standards that grade `data`: in force that year, for the school's types."""
    return standards(data.year, school_types(data))


def thresholds(year: int) -> dict[str, float]:
    """Threshold of each standard in force in `year` (for std() in formulas)."""
    return {s.id: float(s.threshold) for s in all_standards() if s.in_force(year)}


def fmt_value(value: float, unit: str, decimals: int) -> str:
    if value is None or math.isnan(value):
        return "—"
    text = number_text(value, decimals)
    if unit == ":1":
        return f"{text}:1"
    return text + ("%" if unit == "%" else f" {unit}")


def gap_text(gap: float, unit: str, decimals: int) -> str:
    """Signed difference school − threshold: '+7.5 个百分点', '−3.59 平方米', '−4.9'."""
    if gap is None or math.isnan(gap):
        return "—"
    sign = "+" if gap > 0 else ("−" if gap < 0 else "")
    text = sign + number_text(abs(gap), decimals)
    if unit == "%":
        return text + " 个百分点"
    return text if unit == ":1" else f"{text} {unit}"


@dataclass
class SchoolValue:
    value: float
    source: str  # 重算值 / 报告值 / —
    formula: str  # the formula with its numbers, or why there is no value
    notes: list[str] = field(default_factory=list)


def school_value(std: Standard, data: YearData) -> SchoolValue:
    """The school's value for a standard: recomputed if computable, else the printed one (when printed
    under the standard's own definition), else NaN with the reason."""
    from qzanalysis.indicators.registry import registry

    spec = std.value
    if spec.get("fact"):
        fact_id = spec["fact"]
        if fact_id not in data.catalogue.facts:
            return SchoolValue(math.nan, "—", std.note or "缺少数据")
        result = evaluate(fact_id, Context(data))
        notes = [s.sentence() for s in result.substitutions if not s.same_quantity]
        if math.isnan(result.value):
            return SchoolValue(math.nan, "—", std.note or "缺少数据")
        value = convert(result.value, data.fact_spec(fact_id).unit, std.unit)
        return SchoolValue(value, "重算值", result.text, notes)
    if spec.get("indicator"):
        ind = registry()[spec["indicator"]]
        fixed = dict(spec.get("options") or {})
        ev = ind.evaluate(data, **fixed)
        notes = [s.sentence() for s in ev.substitutions if not s.same_quantity]
        if not math.isnan(ev.usable):
            return SchoolValue(ev.value, "重算值", ev.text, notes)
        if ind.printed and ind.printed in data.catalogue.facts:
            printed = data.fact(ind.printed)
            school = ind.chosen_options(data)
            differs = {k: v for k, v in fixed.items() if school.get(k) != v}
            if not math.isnan(printed) and not differs:
                return SchoolValue(printed, "报告值", "报告印出的数值", notes)
            if not math.isnan(printed):
                reason = (
                    f"报告值按本校口径（{ind.choice_text(school)}）计算，"
                    f"与标准的口径（{ind.choice_text({**school, **fixed})}）不同，未采用"
                )
                return SchoolValue(math.nan, "—", reason)
    return SchoolValue(math.nan, "—", std.note or "缺少数据")


def standards_table(data: YearData) -> pd.DataFrame:
    """One row per standard that grades `data` (see `standards_for`).

    Columns: id, 指标, 适用 (the school type the row is for), 本校值, 取值 (重算值/报告值/—), 标准 (threshold),
    结论 (达标/未达标/无法判断), 差距, 全国平均, 出处 (document, number, clause), 文件, 施行 (in-force period),
    核实, 说明, 算法; and value, threshold, shortfall, unit for charts.
    """
    rows = []
    for std in standards_for(data).values():
        found = school_value(std, data)
        value = found.value
        verdict = std.met(value)
        gap = value - std.threshold if not math.isnan(value) else math.nan
        doc = documents()[std.document]
        averages = "；".join(
            f"{y} 年 {fmt_value(v, std.unit, 2)}" for y, v in sorted(std.national_average.items())
        )
        rows.append(
            {
                "id": std.id,
                "指标": std.name,
                "适用": std.applies_to,
                "本校值": fmt_value(value, std.unit, std.decimals),
                "取值": found.source,
                "标准": std.threshold_text(),
                "结论": verdict,
                "差距": gap_text(gap, std.unit, std.decimals),
                "全国平均": averages or "—",
                "出处": f"{doc['title']}（{doc['number']}）{std.clause}",
                "文件": doc["title"],
                "施行": std.period_text(),
                "核实": "已核实" if std.verified else "未核实（仅见转引）",
                "说明": found.formula if math.isnan(value) else "；".join(found.notes),
                "算法": found.formula,
                "value": value,
                "threshold": float(std.threshold),
                "shortfall": std.shortfall(value),
                "unit": std.unit,
            }
        )
    columns = [
        "id", "指标", "适用", "本校值", "取值", "标准", "结论", "差距", "全国平均", "出处", "文件", "施行",
        "核实", "说明", "算法", "value", "threshold", "shortfall", "unit",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
