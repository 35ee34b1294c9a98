"""The school's figures against national thresholds (metadata/standards.yaml).

A value is recomputed from raw counts where the data allow it, otherwise the printed value is used,
and the row says which. Missing inputs give 无法判断, never 达标 or 未达标.
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
from qzanalysis.indicators.formula import Context, evaluate, number_text

MET, NOT_MET, UNKNOWN = "达标", "未达标", "无法判断"
COMPARISON_TEXT = {">=": "≥", "<=": "≤", ">": ">", "approx": "约"}


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
    value: dict[str, str]
    verified: bool = True
    tolerance: float | None = None
    national_average: dict[int, float] = field(default_factory=dict)
    note: str = ""

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


@cache
def standards() -> dict[str, Standard]:
    out = {}
    for item in _metadata()["standards"]:
        item = dict(item)
        item["national_average"] = {int(k): float(v) for k, v in (item.get("national_average") or {}).items()}
        out[item["id"]] = Standard(**item)
    return out


def thresholds() -> dict[str, float]:
    return {sid: float(s.threshold) for sid, s in standards().items()}


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


def school_value(std: Standard, data: YearData) -> tuple[float, str, str]:
    """(value, source, formula text): the recomputed value if computable, else the printed one."""
    ctx = Context(data=data, standards=thresholds())
    if std.value.get("computed"):
        result = evaluate(std.value["computed"], ctx)
        if not math.isnan(result.value):
            return result.value, "重算值", result.text
    if std.value.get("printed"):
        value = data.fact(std.value["printed"])
        if not math.isnan(value):
            return value, "报告值", "报告印出的数值"
    return math.nan, "—", std.note or "缺少数据"


def standards_table(data: YearData) -> pd.DataFrame:
    """One row per standard: the school's value, the threshold, 达标/未达标/无法判断, gap, national average."""
    rows = []
    for std in standards().values():
        value, source, formula = school_value(std, data)
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
                "取值": source,
                "标准": std.threshold_text(),
                "结论": verdict,
                "差距": gap_text(gap, std.unit, std.decimals),
                "全国平均": averages or "—",
                "出处": f"{doc['title']}（{doc['number']}）{std.clause}",
                "文件": doc["title"],
                "核实": "已核实" if std.verified else "未核实（仅见转引）",
                "说明": std.note if math.isnan(value) else "",
                "算法": formula,
                "value": value,
                "threshold": float(std.threshold),
                "shortfall": std.shortfall(value),
                "unit": std.unit,
            }
        )
    return pd.DataFrame(rows)
