"""Plausibility: an indicator computed outside the range its definition allows is a data error.

A rate above 100% (毕业率 451 ÷ 349 = 129.23%) means one of its inputs is wrong, whichever; the finding
names the indicator, the value and every input with its number and CSV line, and it is a FAIL: `qz validate`
shows it, and the commands that print values (`qz indicators`, `qz audit`, `qz render`) refuse the year
through `check_year`. The registry never hands such a value to a chapter (`Indicator.compute` gives NaN).
"""

from __future__ import annotations

from qzanalysis.core.dataset import YearData, display_path, load_year, read_year
from qzanalysis.core.findings import DataValidationError, Finding, Level, Report
from qzanalysis.core.values import fmt_number
from qzanalysis.indicators.registry import registry

CHECK = "plausibility"


def _fact_lines(data: YearData) -> dict[str, int]:
    lines = data.lines.get("facts") or []
    return {fid: line for fid, line in zip(data.facts.index, lines, strict=False)}


def check(data: YearData) -> Report:
    """A FAIL for every indicator whose value, by the school's definition, is outside its allowed range."""
    report = Report(checks_run=[CHECK])
    lines = _fact_lines(data)
    facts_file = f"{display_path(data.path)}/facts.csv"
    for ind in registry().values():
        if ind.minimum is None and ind.maximum is None:
            continue
        ev = ind.evaluate(data)
        if not ev.out_of_range:
            continue
        inputs = [fid for fid in dict.fromkeys(ev.inputs)]
        where = "、".join(
            f"{data.fact_spec(fid).name}（第 {lines[fid]} 行）" if fid in lines else data.fact_spec(fid).name
            for fid in inputs
        )
        first = next((lines[fid] for fid in inputs if fid in lines), None)
        report.add(
            Finding(
                Level.FAIL,
                CHECK,
                f"{ind.name}超出定义允许的范围：{ev.text} = {fmt_number(ev.value, ind.decimals, ind.unit)}",
                facts_file,
                first,
                "value",
                fmt_number(ev.value, ind.decimals, ind.unit),
                f"{ind.range_text()}；请核对{where or '各项输入'}",
            )
        )
    return report


def read_checked_year(year: int, data_dir=None) -> YearData:
    """`read_year` plus the plausibility of every indicator, in one report; never raises on bad data."""
    data = read_year(year, data_dir)
    if data.path.is_dir():
        data.report.extend(check(data))
    return data


def check_year(year: int, data_dir=None) -> YearData:
    """Load a year for commands that print values: raises DataValidationError (every problem listed) when
    the data fail validation or an indicator is implausible."""
    data = load_year(year, data_dir)
    plausibility = check(data)
    if not plausibility.ok:
        data.report.extend(plausibility)
        raise DataValidationError(data.report, f"{year} 年")
    return data
