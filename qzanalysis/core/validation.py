"""Validate a year's tables: schema checks through frictionless, catalogue checks for facts, cross-table sums.

Every problem becomes a Finding naming the file, CSV line, column, value found and what was expected.
All problems are collected; none stops the run.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

# frictionless validates descriptors with jsonschema, which imports rfc3987_syntax when it is installed
# (jupyter brings it in) and builds ~40 Lark grammars at import: 3 s in every kernel that loads data.
# We use no IRI formats, so make that optional import fail fast. Only done if jsonschema is not loaded yet.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: import fails fast

from frictionless import Resource, Schema  # noqa: E402

from qzanalysis.core import content_checks
from qzanalysis.core.catalog import FactSpec, TableSpec, cross_checks, fact_specs, table_specs
from qzanalysis.core.findings import Finding, Level, Report
from qzanalysis.core.patterns import describe_pattern, only_digits
from qzanalysis.core.readers import RawTable, read_csv

_TYPE_NAMES = {"integer": "整数", "number": "数字", "boolean": "是/否", "string": "文本", "date": "日期"}
_CONSTRAINT = re.compile(r'constraint "(?P<name>\w+)" is "(?P<value>.*)"')
_ROW_POSITION = re.compile(r"row at position (?P<pos>\d+)")


def read_table(
    path: Path,
    spec: TableSpec,
    display_path: str,
    facts: dict[str, FactSpec] | None = None,
    year: int | None = None,
) -> tuple[RawTable, Report]:
    """Read one CSV and run its checks: schema (types, constraints, keys), total rows, look-alike keys,
    percentages typed as fractions, and, given the `year`, labels naming another year. `facts`: the
    year's fact catalogue (default: the built-in one), which gives each facts.csv row its unit, type and
    range."""
    report = Report(checks_run=["encoding", "header", "number_format", "type", "constraint", "primary_key"])
    catalogue = facts if facts is not None else fact_specs()

    def _fact_unit(record: dict) -> str | None:
        fact = catalogue.get(record.get("id", ""))
        return fact.unit if fact else record.get("unit")

    unit_for_row = _fact_unit if spec.name == "facts" else None
    raw = read_csv(path, spec, display_path, unit_for_row=unit_for_row)
    report.findings.extend(raw.findings)
    if not raw.header:
        return raw, report  # unreadable, or a wrong header: cell checks would only add noise
    content_checks.total_rows(raw, spec, report)
    content_checks.lookalike_keys(raw, spec, report)
    if year is not None:
        content_checks.year_labels(raw, spec, year, report)
    _frictionless_checks(raw, spec, report)
    content_checks.percent_fractions(raw, spec, report, catalogue)
    if spec.name == "facts":
        _fact_catalogue_checks(raw, report, catalogue)
    return raw, report


def _frictionless_checks(raw: RawTable, spec: TableSpec, report: Report) -> None:
    schema = Schema.from_descriptor(spec.frictionless_descriptor())
    resource = Resource(data=[raw.header, *raw.rows], schema=schema)
    result = resource.validate()
    for error in result.tasks[0].errors if result.tasks else []:
        row_number = getattr(error, "row_number", None)
        idx = row_number - 2 if row_number else None
        line = raw.lines[idx] if idx is not None and 0 <= idx < len(raw.lines) else None
        column = getattr(error, "field_name", None)
        if idx is not None and column and (idx, column) in raw.flagged:
            continue  # already reported by the number-format step
        cell = getattr(error, "cell", None)
        report.add(_translate(error, spec, raw, line, column, cell))


def _translate(error, spec: TableSpec, raw: RawTable, line, column, cell) -> Finding:
    where: dict[str, Any] = dict(
        file=raw.display_path, line=line, column=column, value=None if cell is None else str(cell)
    )
    field = spec.field(column) if column in spec.field_names else None
    unit = f"（单位：{field.unit}）" if field is not None and field.unit else ""
    if error.type == "type-error" and field is not None:
        return Finding(
            Level.FAIL,
            "type",
            f"不是{_TYPE_NAMES.get(field.type, field.type)}",
            **where,
            expected=f"{_TYPE_NAMES.get(field.type, field.type)}{unit}",
        )
    if error.type == "constraint-error":
        m = _CONSTRAINT.search(error.note or "")
        name, limit = (m.group("name"), m.group("value")) if m else ("", "")
        kind = _TYPE_NAMES.get(field.type, "内容") if field is not None else "内容"
        text = {
            "required": (
                "必填项为空",
                f"非空值：{kind}{unit}" if field is not None and field.is_numeric else "非空值",
            ),
            "minimum": ("小于允许的最小值", f"不小于 {limit}{unit}"),
            "maximum": ("大于允许的最大值", f"不大于 {limit}{unit}"),
            "enum": ("不在允许的取值中", f"以下之一：{limit}"),
            "pattern": ("格式不符", _pattern_expected(limit)),
        }.get(name, (f"不满足约束 {name}", limit))
        row_number = getattr(error, "row_number", None)
        typed = raw.placeholders.get((row_number - 2, column)) if row_number else None
        if name == "required" and typed:
            where["value"] = typed
            text = (f"必填项不能用“{typed}”代替", text[1])
        elif name == "required":
            where["value"] = ""
        return Finding(Level.FAIL, "constraint", text[0], **where, expected=text[1])
    if error.type in ("primary-key", "unique-error"):
        m = _ROW_POSITION.search(error.note or "")
        other = (
            raw.lines[int(m.group("pos")) - 2]
            if m and 0 <= int(m.group("pos")) - 2 < len(raw.lines)
            else None
        )
        key = "、".join(spec.primary_key)
        msg = f"主键（{key}）与第 {other} 行重复" if other else f"主键（{key}）为空或重复"
        return Finding(Level.FAIL, "primary_key", msg, raw.display_path, line, key, expected="每行唯一")
    return Finding(Level.FAIL, "schema", error.message, **where)


def _pattern_expected(pattern: str) -> str:
    text = describe_pattern(pattern)
    if only_digits(pattern):
        text += "（以 0 开头的代码也照写，如 0109；在 Excel 中先把单元格设为“文本”再输入）"
    return text


def _fact_catalogue_checks(raw: RawTable, report: Report, catalogue: dict[str, FactSpec]) -> None:
    """facts.csv rows must name catalogue ids, in the catalogue's unit, within the catalogue's type and range."""
    report.checks_run.append("fact_catalogue")
    col = {name: i for i, name in enumerate(raw.header)}
    for row, line in zip(raw.rows, raw.lines, strict=True):
        fid, unit, value = row[col["id"]], row[col["unit"]], row[col["value"]]
        spec: FactSpec | None = catalogue.get(fid)
        where: dict[str, Any] = dict(file=raw.display_path, line=line)
        if spec is None:
            report.add(
                Finding(
                    Level.FAIL,
                    "fact_catalogue",
                    "未知的指标代码",
                    **where,
                    column="id",
                    value=fid,
                    expected="事实目录中登记的代码（内置目录 qzanalysis/metadata/facts.yaml，或本年度 catalogue.yaml 中声明的）",
                )
            )
            continue
        if unit != spec.unit:
            report.add(
                Finding(
                    Level.FAIL,
                    "fact_catalogue",
                    f"单位与目录不符（{spec.label}）",
                    **where,
                    column="unit",
                    value=unit,
                    expected=spec.unit,
                )
            )
        if value == "":
            continue
        try:
            number = float(value)
        except ValueError:
            continue  # the type check has reported it
        if spec.type == "integer" and not number.is_integer():
            report.add(
                Finding(
                    Level.FAIL,
                    "fact_catalogue",
                    f"{spec.label}应为整数",
                    **where,
                    column="value",
                    value=value,
                    expected=f"整数（{spec.unit}）",
                )
            )
        if number < 0:
            report.add(
                Finding(
                    Level.FAIL,
                    "fact_catalogue",
                    f"{spec.label}不能为负数",
                    **where,
                    column="value",
                    value=value,
                    expected=f"不小于 0（{spec.unit}）",
                )
            )
        if spec.maximum is not None and number > spec.maximum:
            report.add(
                Finding(
                    Level.FAIL,
                    "fact_catalogue",
                    f"{spec.label}超出范围",
                    **where,
                    column="value",
                    value=value,
                    expected=f"不大于 {spec.maximum:g}（{spec.unit}）",
                )
            )


def cross_table_checks(tables: dict, facts: dict, year_label: str, lines: dict | None = None) -> Report:
    """Parts that should sum to a printed total. A difference is a WARN naming both numbers:
    the data stay faithful to the report, and the audit explains the difference."""
    report = Report()
    checks = cross_checks()
    for check in checks.get("sum_checks", []):
        frame = tables.get(check["table"])
        total = facts.get(check["total_fact"])
        if frame is not None:
            for key, wanted in (check.get("where") or {}).items():
                frame = frame[frame[key] == wanted]
        if frame is None or total is None or frame.empty or check["column"] not in frame:
            report.checks_skipped.append(check["id"])  # inputs missing or invalid: not a PASS
            continue
        report.checks_run.append(check["id"])
        parts = float(frame[check["column"]].sum())
        if abs(parts - float(total)) > 1e-6 * max(1.0, abs(float(total))):
            report.add(
                Finding(
                    Level.WARN,
                    check["id"],
                    f"{check['title']}不成立：分项合计 {parts:g}，报告合计 {total:g}",
                    f"{year_label}/{check['table']}.csv",
                    value=f"{parts:g}",
                    expected=f"{total:g}",
                )
            )
    for check in checks.get("row_checks", []):
        frame = tables.get(check["table"])
        if frame is None:
            report.checks_skipped.append(check["id"])
            continue
        report.checks_run.append(check["id"])
        row_lines = (lines or {}).get(check["table"]) or [None] * len(frame)
        parts = frame[check["parts"]].astype("float64").sum(axis=1, min_count=1)
        totals = frame[check["total"]].astype("float64")
        for pos in range(len(frame)):
            part, total = parts.iloc[pos], totals.iloc[pos]
            if part == part and total == total and abs(part - total) > 1e-9:
                report.add(
                    Finding(
                        Level.WARN,
                        check["id"],
                        f"{check['title']}不成立（{frame.iloc[pos, 0]}）",
                        f"{year_label}/{check['table']}.csv",
                        row_lines[pos],
                        check["total"],
                        f"{total:g}",
                        f"分项之和 {part:g}",
                    )
                )
    return report


def known_tables() -> dict[str, TableSpec]:
    return table_specs()
