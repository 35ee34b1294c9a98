"""Checks on what a table says, beyond its schema: data that pass the type checks yet would print something
false in the report.

- `total_rows`: a row labelled 合计/总计/小计 is not a category. In a table whose parts add up to a
  reported total (checks.yaml), it is compared with its parts and left out; elsewhere it is refused.
- `lookalike_keys`: two keys a reader cannot tell apart ("全校" and "全校 ", "(" and "（") are refused.
- `percent_fractions`: a % column (or the year's % facts) whose values all lie within 0–1 was almost
  certainly typed as fractions (0.8863 for 88.63%).
- `year_labels`: terms, school years and report years that name another year than the folder's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from qzanalysis.core.catalog import FactSpec, TableSpec, cross_checks
from qzanalysis.core.cells import lookalike_difference, lookalike_key
from qzanalysis.core.findings import Finding, Level, Report
from qzanalysis.core.readers import FREE_TEXT_FIELDS, RawTable

_TOTAL_LABEL = re.compile(r"^(?:全部|全校|总)?(?:合计|总计|小计|共计|累计)(?:数|值)?[:：]?$")
_TERM_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(春|秋|夏|冬|上半|下半|第)")
_SCHOOL_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-—–－~～至/]\s*((?:19|20)\d{2})\s*学年")
_REPORT_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年度")


def is_total_label(text: str) -> bool:
    return bool(_TOTAL_LABEL.match("".join(unicodedata.normalize("NFKC", text or "").split())))


def label_fields(spec: TableSpec) -> list[str]:
    """The text columns that name a row (its key), where a total or a term would be written."""
    keys = dict.fromkeys([*spec.primary_key, *spec.row_key])
    return [n for n in keys if n in spec.field_names and not spec.field(n).is_numeric]


def _number(text: str) -> float | None:
    try:
        return float(text) if text != "" else None
    except ValueError:
        return None


def total_rows(raw: RawTable, spec: TableSpec, report: Report) -> None:
    """Find rows labelled as totals; check them against their parts or refuse them. They are removed from
    `raw` either way, so the later checks and the typed table see the parts only."""
    labels = label_fields(spec)
    col = {name: i for i, name in enumerate(raw.header)}
    totals = [i for i, row in enumerate(raw.rows) if any(is_total_label(row[col[n]]) for n in labels)]
    if not totals:
        return
    report.checks_run.append("total_row")
    has_total = any(c["table"] == spec.name for c in cross_checks().get("sum_checks", []))
    numeric = [f.name for f in spec.fields if f.is_numeric]
    for i in totals:
        row, line = raw.rows[i], raw.lines[i]
        label_col = next(n for n in labels if is_total_label(row[col[n]]))
        where: dict[str, Any] = dict(
            file=raw.display_path, line=line, column=label_col, value=row[col[label_col]]
        )
        if not has_total:
            report.add(
                Finding(
                    Level.FAIL,
                    "total_row",
                    "合计行不是数据：本表只填分项，合计由分项计算",
                    **where,
                    expected="删除此行",
                )
            )
            continue
        others = [n for n in labels if n != label_col]
        parts = [
            r
            for j, r in enumerate(raw.rows)
            if j not in totals and all(r[col[n]] == row[col[n]] for n in others)
        ]
        differences = []
        for name in numeric:
            typed = _number(row[col[name]])
            values = [_number(r[col[name]]) for r in parts]
            if typed is None or not values or any(v is None for v in values):
                continue
            total = sum(v for v in values if v is not None)
            if abs(total - typed) > 1e-6 * max(1.0, abs(typed)):
                differences.append(f"{spec.field(name).title}：合计行 {typed:g}，分项之和 {total:g}")
        if differences:
            report.add(
                Finding(
                    Level.FAIL,
                    "total_row",
                    "合计行与分项之和不符（" + "；".join(differences) + "）",
                    **where,
                    expected="本表只填分项；报告印出的合计填在报告正文数值（facts.csv）中，并删除此行",
                )
            )
        else:
            report.add(
                Finding(
                    Level.INFO,
                    "total_row",
                    "合计行与分项之和一致，已略去（合计取自报告正文数值）",
                    **where,
                )
            )
    keep = [i for i in range(len(raw.rows)) if i not in totals]
    raw.rows = [raw.rows[i] for i in keep]
    raw.lines = [raw.lines[i] for i in keep]
    raw.flagged = {(keep.index(r), c) for r, c in raw.flagged if r in keep}
    raw.placeholders = {(keep.index(r), c): v for (r, c), v in raw.placeholders.items() if r in keep}


def lookalike_keys(raw: RawTable, spec: TableSpec, report: Report) -> None:
    """Refuse two rows whose keys differ only in ways a reader cannot see."""
    fields = [n for n in spec.primary_key if n in raw.header]
    if not fields:
        return
    report.checks_run.append("lookalike_key")
    col = [raw.header.index(n) for n in fields]
    first: dict[tuple[str, ...], tuple[tuple[str, ...], int]] = {}
    for row, line in zip(raw.rows, raw.lines, strict=True):
        key = tuple(row[i] for i in col)
        folded = tuple(lookalike_key(v) for v in key)
        if folded not in first:
            first[folded] = (key, line)
            continue
        other, other_line = first[folded]
        if other == key:
            continue  # an exact duplicate: the primary-key check reports it
        pos = next(p for p in range(len(key)) if key[p] != other[p])
        report.add(
            Finding(
                Level.FAIL,
                "lookalike_key",
                f"与第 {other_line} 行的“{other[pos]}”看起来相同，"
                f"{lookalike_difference(key[pos], other[pos])}：读者无法区分",
                raw.display_path,
                line,
                fields[pos],
                key[pos],
                "同一项两处写法完全一致；不同的项写得能看出区别",
            )
        )


def percent_fractions(
    raw: RawTable, spec: TableSpec, report: Report, facts: dict[str, FactSpec] | None = None
) -> None:
    """A % column (or, in facts.csv, the year's % rates) whose values all lie within 0–1."""
    report.checks_run.append("percent_fraction")
    if spec.name == "facts" and facts is not None:
        col = {name: i for i, name in enumerate(raw.header)}
        rows = [
            (line, row[col["id"]], _number(row[col["value"]]))
            for row, line in zip(raw.rows, raw.lines, strict=True)
            if row[col["id"]] in facts
            and facts[row[col["id"]]].unit == "%"
            and facts[row[col["id"]]].maximum == 100
        ]
        filled = [(line, fid, v) for line, fid, v in rows if v is not None]
        if _all_fractions([v for _, _, v in filled]):
            line, _, _ = filled[0]
            report.add(
                Finding(
                    Level.FAIL,
                    "percent_fraction",
                    "疑似把百分数写成了小数：单位为 % 的比率全部在 0–1 之间（"
                    + "、".join(f"{fid} {v:g}" for _, fid, v in filled[:5])
                    + ("……" if len(filled) > 5 else "")
                    + "）",
                    raw.display_path,
                    line,
                    "value",
                    f"{filled[0][2]:g}",
                    f"百分数，如 {filled[0][2]:g} 应填 {filled[0][2] * 100:g}",
                )
            )
        return
    for f in spec.fields:
        if f.unit != "%" or f.name not in raw.header:
            continue
        i = raw.header.index(f.name)
        values = [
            (line, v)
            for row, line in zip(raw.rows, raw.lines, strict=True)
            if (v := _number(row[i])) is not None
        ]
        if _all_fractions([v for _, v in values]):
            report.add(
                Finding(
                    Level.FAIL,
                    "percent_fraction",
                    "疑似把百分数写成了小数：此列（单位 %）全部数值都在 0–1 之间",
                    raw.display_path,
                    values[0][0],
                    f.name,
                    "、".join(f"{v:g}" for _, v in values[:5]) + ("……" if len(values) > 5 else ""),
                    f"百分数，如 {values[0][1]:g} 应填 {values[0][1] * 100:g}",
                )
            )


def _all_fractions(values: list[float]) -> bool:
    return any(v != 0 for v in values) and all(0 <= v <= 1 for v in values)


def other_years(text: str, year: int) -> list[int]:
    """The years named in a term ("2020年秋季学期"), a school year ("2020-2021学年") or a report year
    ("2021 年度") that cannot belong to the report of `year`. A report covers either the school year
    ending in `year` or the calendar year: a spring term of `year`, an autumn term of year−1 or `year`, a
    school year starting in year−1 or `year`, and a report year equal to `year`."""
    found = []
    for m in _TERM_YEAR.finditer(text):
        allowed = (year,) if m.group(2) in ("春", "夏") else (year - 1, year)
        if int(m.group(1)) not in allowed:
            found.append(int(m.group(1)))
    for m in _SCHOOL_YEAR.finditer(text):
        if int(m.group(1)) not in (year - 1, year):
            found.append(int(m.group(1)))
    for m in _REPORT_YEAR.finditer(text):
        if int(m.group(1)) != year:
            found.append(int(m.group(1)))
    return found


def year_labels(
    raw: RawTable, spec: TableSpec, year: int, report: Report, fields: Iterable[str] | None = None
) -> None:
    """Refuse rows labelled with another year (data copied from last year's folder)."""
    names = [n for n in (fields or label_fields(spec)) if n in raw.header and n not in FREE_TEXT_FIELDS]
    report.checks_run.append("year_label")
    for name in names:
        i = raw.header.index(name)
        for row, line in zip(raw.rows, raw.lines, strict=True):
            wrong = other_years(row[i], year)
            if wrong:
                report.add(year_finding(raw.display_path, line, name, row[i], year, wrong))


def year_finding(
    file: str, line: int | None, column: str, value: str, year: int, wrong: list[int]
) -> Finding:
    return Finding(
        Level.FAIL,
        "year_label",
        f"写的是 {'、'.join(map(str, dict.fromkeys(wrong)))} 年的数据，不属于 {year} 年度",
        file,
        line,
        column,
        value,
        f"{year} 年度的数据（学期如“{year - 1}年秋季学期”“{year}年春季学期”，报告为“{year} 年度”）；"
        f"若复制了上一年的文件夹，请改用 qz new-year {year} 创建空白年度",
    )
