"""A year's own facts and tables in the workbook: two declaration sheets, and how they become
``data/<year>/catalogue.yaml``.

- 本校自定义数值 (OWN_FACTS_SHEET): one row per number the school prints that the built-in catalogue lacks:
  代码 / 名称 / 单位 / 章节 / 数值, and optionally 类型 (整数 or 数字), 性质, 最大值, 说明. `qz new-year` lists last
  year's own facts here with the value empty; a row with an empty value is declared but not provided.
- 本校自定义数据表 (OWN_TABLES_SHEET): the structure of each table the school adds, one row per column:
  表代码 / 表名称 / 章节 / 列代码 / 列名称 / 类型 / 单位 / 必填 / 主键 / 最小值 / 最大值. The table's data go on a sheet
  named by its 表名称 (or 表代码), with the column titles in row 1 like every other sheet.

The rule for an extra sheet an analyst adds: it is imported as an own table when its name is a 表名称 or
表代码 declared on 本校自定义数据表; otherwise it is refused, with a message saying how to declare it. The
declarations are checked with the same rules as a hand-written catalogue.yaml (qzanalysis.core.year_catalogue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from qzanalysis.core.catalog import Catalogue, TableSpec, fact_spec, table_spec
from qzanalysis.core.findings import Finding, Level
from qzanalysis.core.year_catalogue import ID_PATTERN, fact_problems, table_problems
from qzanalysis.tools.yearly.workbook import OWN_FACTS_SHEET, OWN_TABLES_SHEET, SheetData

FACT_TYPE_WORDS = {"整数": "integer", "数字": "number"}
FACT_KIND_WORDS = {"原始数": "raw", "报告印出的派生值": "printed"}
FIELD_TYPE_WORDS = {"文本": "string", "整数": "integer", "数字": "number", "是否": "boolean", "日期": "date"}
YES_NO = ("是", "否")


def _words(mapping: dict[str, str]) -> dict[str, str]:
    return {v: k for k, v in mapping.items()}


OWN_FACTS_SPEC: TableSpec = table_spec(
    "own_facts",
    {
        "title": OWN_FACTS_SHEET,
        "section": "全文",
        "description": "本校报告中内置目录没有的单个数值：每行一项，代码用小写英文字母、数字和下划线。",
        "fields": [
            {"name": "id", "title": "代码", "type": "string", "constraints": {"required": True}},
            {"name": "label", "title": "名称", "type": "string", "constraints": {"required": True}},
            {"name": "unit", "title": "单位", "type": "string", "constraints": {"required": True}},
            {"name": "section", "title": "章节", "type": "string", "constraints": {"required": True}},
            {"name": "value", "title": "数值", "type": "string"},
            {
                "name": "type",
                "title": "类型",
                "type": "string",
                "constraints": {"enum": list(FACT_TYPE_WORDS)},
            },
            {
                "name": "kind",
                "title": "性质",
                "type": "string",
                "constraints": {"enum": list(FACT_KIND_WORDS)},
            },
            {"name": "maximum", "title": "最大值", "type": "number"},
            {"name": "note", "title": "说明", "type": "string"},
        ],
        "primaryKey": ["id"],
    },
)

OWN_TABLES_SPEC: TableSpec = table_spec(
    "own_tables",
    {
        "title": OWN_TABLES_SHEET,
        "section": "全文",
        "description": "本校自行增加的数据表的结构：每行一列；同一张表的各行表代码相同。",
        "fields": [
            {"name": "table", "title": "表代码", "type": "string", "constraints": {"required": True}},
            {"name": "title", "title": "表名称", "type": "string"},
            {"name": "section", "title": "章节", "type": "string"},
            {"name": "field", "title": "列代码", "type": "string", "constraints": {"required": True}},
            {"name": "field_title", "title": "列名称", "type": "string", "constraints": {"required": True}},
            {
                "name": "type",
                "title": "类型",
                "type": "string",
                "constraints": {"enum": list(FIELD_TYPE_WORDS)},
            },
            {"name": "unit", "title": "单位", "type": "string"},
            {"name": "required", "title": "必填", "type": "string", "constraints": {"enum": list(YES_NO)}},
            {"name": "key", "title": "主键", "type": "string", "constraints": {"enum": list(YES_NO)}},
            {"name": "minimum", "title": "最小值", "type": "number"},
            {"name": "maximum", "title": "最大值", "type": "number"},
        ],
        "primaryKey": ["table", "field"],
    },
)


def _text(value: Any) -> str:
    return "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))


# ---- writing (qz new-year) ----------------------------------------------------------------------
def own_fact_rows(catalogue: Catalogue) -> list[list[str]]:
    """The year's own facts as rows of the 本校自定义数值 sheet, values left empty."""
    kinds, types = _words(FACT_KIND_WORDS), _words(FACT_TYPE_WORDS)
    rows = []
    for fid, spec in catalogue.facts.items():
        if fid in catalogue.own_facts:
            maximum = "" if spec.maximum is None else _text(float(spec.maximum))
            rows.append(
                [
                    fid,
                    spec.label,
                    spec.unit,
                    spec.section,
                    "",
                    types[spec.type],
                    kinds[spec.kind],
                    maximum,
                    "",
                ]
            )
    return rows


def own_table_rows(catalogue: Catalogue) -> list[list[str]]:
    """The year's own tables as rows of the 本校自定义数据表 sheet (one row per column)."""
    types = _words(FIELD_TYPE_WORDS)
    rows = []
    for name, spec in catalogue.tables.items():
        if name not in catalogue.own_tables:
            continue
        for i, f in enumerate(spec.fields):
            c = f.constraints
            rows.append(
                [
                    name,
                    spec.title if i == 0 else "",
                    spec.section if i == 0 else "",
                    f.name,
                    f.title,
                    types.get(f.type, "文本"),
                    f.unit or "",
                    "是" if c.get("required") else "否",
                    "是" if f.name in spec.primary_key else "否",
                    _text(c.get("minimum")),
                    _text(c.get("maximum")),
                ]
            )
    return rows


# ---- reading (qz import) ------------------------------------------------------------------------
@dataclass
class OwnFactValue:
    """An own fact's value as typed, with the sheet row it came from (for messages)."""

    id: str
    label: str
    value: str
    unit: str
    note: str
    excel_row: int


@dataclass
class Declarations:
    """What the two declaration sheets declare: catalogue.yaml entries, the facts' values, problems."""

    facts: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    values: list[OwnFactValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    present: bool = False  # the workbook has at least one of the two sheets

    def catalogue(self, builtin: Catalogue) -> Catalogue:
        """The built-in catalogue plus these declarations (valid ones only)."""
        facts = dict(builtin.facts)
        facts.update({f["id"]: fact_spec(dict(f)) for f in self.facts})
        tables = dict(builtin.tables)
        tables.update({name: table_spec(name, d) for name, d in self.tables.items()})
        return Catalogue(facts, tables, frozenset(f["id"] for f in self.facts), frozenset(self.tables))


def _cells(data: SheetData, row: list[str]) -> dict[str, str]:
    return {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(data.header)}


def read_declarations(
    facts_sheet: SheetData | None, tables_sheet: SheetData | None, builtin: Catalogue
) -> Declarations:
    """Turn the two declaration sheets into catalogue entries, with a finding (sheet, Excel row, column,
    value, expected) for every problem."""
    out = Declarations(present=facts_sheet is not None or tables_sheet is not None)
    if tables_sheet is not None:
        _read_tables(tables_sheet, builtin, out)
    if facts_sheet is not None:
        _read_facts(facts_sheet, builtin, out)
    return out


def _finding(sheet: str, row: int | None, column: str, value: str, message: str, expected: str) -> Finding:
    return Finding(Level.FAIL, "own_catalogue", message, f"工作表“{sheet}”", row, column, value, expected)


_FACT_COLUMNS = {
    "id": "代码",
    "label": "名称",
    "unit": "单位",
    "section": "章节",
    "type": "类型",
    "kind": "性质",
}


def _read_facts(data: SheetData, builtin: Catalogue, out: Declarations) -> None:
    seen: set[str] = set()
    for row, excel_row in zip(data.rows, data.excel_rows, strict=True):
        cells = _cells(data, row)
        item: dict[str, Any] = {k: cells.get(k, "") for k in ("id", "label", "unit", "section")}
        item["type"] = FACT_TYPE_WORDS.get(cells.get("type", ""), cells.get("type") or "number")
        item["kind"] = FACT_KIND_WORDS.get(cells.get("kind", ""), cells.get("kind") or "raw")
        if cells.get("maximum"):
            try:
                item["maximum"] = float(cells["maximum"])
            except ValueError:
                out.findings.append(
                    _finding(data.sheet, excel_row, "最大值", cells["maximum"], "不是数字", "数字，或留空")
                )
        problems = fact_problems(item, builtin, seen)
        for column, value, message, expected in problems:
            if column == "type":
                expected, value = "整数或数字", cells.get("type", "")
            elif column == "kind":
                expected, value = "、".join(FACT_KIND_WORDS), cells.get("kind", "")
            out.findings.append(
                _finding(data.sheet, excel_row, _FACT_COLUMNS.get(column, column), value, message, expected)
            )
        if problems:
            continue
        seen.add(item["id"])
        out.facts.append(item)
        if cells.get("value", "") != "":
            out.values.append(
                OwnFactValue(
                    item["id"], item["label"], cells["value"], item["unit"], cells.get("note", ""), excel_row
                )
            )


def _read_tables(data: SheetData, builtin: Catalogue, out: Declarations) -> None:
    grouped: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for row, excel_row in zip(data.rows, data.excel_rows, strict=True):
        cells = _cells(data, row)
        grouped.setdefault(cells.get("table", ""), []).append((excel_row, cells))
    for name, rows in grouped.items():
        first_row = rows[0][0]
        title = next((c["title"] for _, c in rows if c.get("title")), "")
        section = next((c["section"] for _, c in rows if c.get("section")), "")
        fields, keys, problems = [], [], []
        for excel_row, cells in rows:
            code = cells.get("field", "")
            if code and not ID_PATTERN.match(code):
                problems.append(
                    (
                        excel_row,
                        "列代码",
                        code,
                        "列代码格式不对",
                        "小写英文字母开头，只含小写字母、数字和下划线",
                    )
                )
            kind = cells.get("type") or "文本"
            if kind not in FIELD_TYPE_WORDS:
                problems.append((excel_row, "类型", kind, "列类型不对", "、".join(FIELD_TYPE_WORDS)))
            descriptor: dict[str, Any] = {
                "name": code,
                "title": cells.get("field_title") or code,
                "type": FIELD_TYPE_WORDS.get(kind, "string"),
            }
            if descriptor["type"] == "boolean":
                descriptor.update(trueValues=["是"], falseValues=["否"])
            if cells.get("unit"):
                descriptor["unit"] = cells["unit"]
            constraints: dict[str, Any] = {}
            if cells.get("required") == "是" or cells.get("key") == "是":
                constraints["required"] = True
            for bound in ("minimum", "maximum"):
                if cells.get(bound):
                    try:
                        constraints[bound] = float(cells[bound])
                    except ValueError:
                        problems.append((excel_row, _column(bound), cells[bound], "不是数字", "数字，或留空"))
            if constraints:
                descriptor["constraints"] = constraints
            fields.append(descriptor)
            if cells.get("key") == "是":
                keys.append(code)
        declared = {"title": title, "section": section, "fields": fields, "primaryKey": keys}
        for column, value, message, expected in table_problems(name, declared, builtin):
            problems.append((first_row, _column(column), value, message, expected))
        for excel_row, column, value, message, expected in problems:
            out.findings.append(_finding(data.sheet, excel_row, column, value, message, expected))
        if not problems:
            out.tables[name] = declared


def _column(key: str) -> str:
    return {
        "tables": "表代码",
        "title": "表名称",
        "fields": "列代码",
        "primaryKey": "主键",
        "minimum": "最小值",
        "maximum": "最大值",
    }.get(key, key)


def catalogue_yaml(declared: Declarations, rules: list[dict[str, Any]]) -> str:
    """The text of data/<year>/catalogue.yaml written by `qz import`."""
    body: dict[str, Any] = {}
    if declared.facts:
        body["facts"] = [
            {
                k: v
                for k, v in f.items()
                if not (k == "type" and v == "number") and not (k == "kind" and v == "raw")
            }
            for f in declared.facts
        ]
    if declared.tables:
        body["tables"] = declared.tables
    if rules:
        body["rules"] = rules
    head = (
        "# 本年度自行登记的数值、数据表与核查规则（由 qz import 根据工作簿的“本校自定义数值”“本校自定义数据表”写入；\n"
        "# 核查规则沿用本文件夹原有的 catalogue.yaml）。格式见 qzanalysis/core/year_catalogue.py。\n"
    )
    return head + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=120)


def undeclared_sheet(sheet: str, known: list[str]) -> Finding:
    """The finding for a sheet that is neither a known table nor a declared own table."""
    return Finding(
        Level.FAIL,
        "workbook",
        "不是已定义的数据表（工作表名称不能修改）。若是本校自行增加的表，请先在工作表“"
        + OWN_TABLES_SHEET
        + "”中登记：每列一行，写明表代码、表名称、列代码、列名称和类型（见“填写说明”）；工作表名称用表名称",
        f"工作表“{sheet}”",
        value=sheet,
        expected="、".join(known),
    )
