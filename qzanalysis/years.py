"""Several years side by side: the previous year for comparisons, all years for trends."""

from __future__ import annotations

import math

import pandas as pd

from .catalog import fact_specs
from .dataset import YearData, load_year
from .paths import available_years


def previous_year(data: YearData, data_dir=None) -> YearData | None:
    """The nearest earlier year in the data folder, loaded and validated; None when there is none."""
    earlier = [
        y for y in available_years(data_dir if data_dir is not None else data.path.parent) if y < data.year
    ]
    return load_year(max(earlier), data.path.parent) if earlier else None


def all_years(data: YearData) -> list[YearData]:
    """Every year up to and including `data.year`, oldest first (for trend charts)."""
    years = [y for y in available_years(data.path.parent) if y < data.year]
    return [load_year(y, data.path.parent) for y in years] + [data]


def fact_comparison(current: YearData, previous: YearData | None, fact_ids: list[str]) -> pd.DataFrame:
    """One row per fact: label, unit, previous value, current value, change. Missing stays missing."""
    rows = []
    for fid in fact_ids:
        spec = fact_specs()[fid]
        now = current.fact(fid)
        before = previous.fact(fid) if previous is not None else math.nan
        rows.append(
            {
                "id": fid,
                "指标": spec.label.replace("（报告值）", ""),
                "单位": spec.unit,
                "上年": before,
                "本年": now,
                "变化": now - before,
            }
        )
    return pd.DataFrame(rows)


def fact_series(years: list[YearData], fact_ids: list[str]) -> pd.DataFrame:
    """Long frame (year, id, 指标, value) for trend charts; years without the fact are left out."""
    rows = []
    for data in years:
        for fid in fact_ids:
            value = data.fact(fid)
            if value == value:
                rows.append(
                    {
                        "year": data.year,
                        "id": fid,
                        "指标": fact_specs()[fid].label.replace("（报告值）", ""),
                        "value": value,
                    }
                )
    return pd.DataFrame(rows, columns=["year", "id", "指标", "value"])
