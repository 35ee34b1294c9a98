"""The audit table for a year, its summary, and the problem list chapter 8 is derived from."""

from __future__ import annotations

import math
from typing import cast

import pandas as pd

from qzanalysis.core.dataset import YearData
from qzanalysis.core.years import previous_year
from qzanalysis.indicators.audit_rules import COLUMNS, VERDICT_ORDER, all_rules, indicator_rows, run_rule
from qzanalysis.indicators.standards import NOT_MET, standards_table

_AUTO = object()


def audit(data: YearData, prev: YearData | None | object = _AUTO) -> pd.DataFrame:
    """Every audit row for `data`: 不一致 first, then 舍入差异, 无法核对, 一致; by section within.

    `prev` defaults to the nearest earlier year in the data folder (None when there is none).
    """
    previous = previous_year(data) if prev is _AUTO else cast("YearData | None", prev)
    rows = indicator_rows(data, previous)
    for rule in all_rules(data):
        rows.extend(run_rule(rule, data, previous))
    frame = pd.DataFrame([r.as_dict() for r in rows])
    frame["_order"] = frame["结论"].map({v: i for i, v in enumerate(VERDICT_ORDER)})
    frame["_section"] = frame["章节"].map(_section_key)
    frame = frame.sort_values(["_order", "_section"], kind="stable").drop(columns=["_order", "_section"])
    return frame.reset_index(drop=True)


def _section_key(section: str) -> tuple:
    head = str(section).split("/")[0].strip()
    return tuple(int(p) if p.isdigit() else 0 for p in head.split("."))


def verdict_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Count of rows per verdict, in the fixed order (zero rows shown as 0 items: a count, not a value)."""
    counts = frame["结论"].value_counts()
    return pd.DataFrame({"结论": VERDICT_ORDER, "项数": [int(counts.get(v, 0)) for v in VERDICT_ORDER]})


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[COLUMNS]


# ---- problems for chapter 8 ---------------------------------------------------------------------
def standards_not_met(data: YearData) -> pd.DataFrame:
    """Standards the school does not meet, the furthest from the threshold first."""
    table = standards_table(data)
    return table[table["结论"] == NOT_MET].sort_values("shortfall", ascending=False, kind="stable")


def declines(data: YearData, prev: YearData | None) -> pd.DataFrame:
    """Figures that moved the wrong way since the previous year (facts and per-group table values)."""
    from qzanalysis.indicators.audit_rules import rule_metadata
    from qzanalysis.indicators.formula import fact_name

    rows = []
    if prev is None:
        return pd.DataFrame(columns=["项目", "上年", "本年", "变化", "单位", "decimals", "severity"])
    for item in rule_metadata().get("trends", {}).get("facts", []):
        now, before = data.fact(item["fact"]), prev.fact(item["fact"])
        if math.isnan(now) or math.isnan(before):
            continue
        change = now - before
        worse = change < 0 if item["better"] == "higher" else change > 0
        if worse:
            decimals = max(data.fact_decimals(item["fact"]) or 0, prev.fact_decimals(item["fact"]) or 0)
            rows.append(
                {
                    "项目": item.get("name") or fact_name(data, item["fact"]),
                    "上年": before,
                    "本年": now,
                    "变化": change,
                    "单位": item.get("unit", ""),
                    "decimals": decimals,
                    "severity": abs(change) / abs(before) if before else 0,
                }
            )
    for spec in rule_metadata().get("trends", {}).get("tables", []):
        cur, old = data.table(spec["table"]), prev.table(spec["table"])
        if cur is None or old is None:
            continue
        merged = cur.merge(old, on=spec["keys"], suffixes=("", "_prev"))
        for _, r in merged.iterrows():
            now, before = r[spec["column"]], r[f"{spec['column']}_prev"]
            if pd.isna(now) or pd.isna(before):
                continue
            change = float(now) - float(before)
            if change < -float(spec.get("min_drop", 0)):
                name = spec["name"].format(**{k: r[k] for k in spec["keys"]})
                rows.append(
                    {
                        "项目": name,
                        "上年": float(before),
                        "本年": float(now),
                        "变化": change,
                        "单位": spec.get("unit", ""),
                        "decimals": spec.get("decimals", 1),
                        "severity": abs(change) / abs(float(before)) if before else 0,
                    }
                )
    frame = pd.DataFrame(rows, columns=["项目", "上年", "本年", "变化", "单位", "decimals", "severity"])
    return frame.sort_values("severity", ascending=False, kind="stable").reset_index(drop=True)


def lowest(data: YearData, table: str, value: str, label_columns: list[str], n: int) -> pd.DataFrame:
    """The n lowest rows of a table by `value` (rows without a value are left out)."""
    frame = data.table(table)
    if frame is None:
        return pd.DataFrame(columns=[*label_columns, value])
    frame = frame.dropna(subset=[value])
    return frame.nsmallest(n, value)[[*label_columns, value]].reset_index(drop=True)
