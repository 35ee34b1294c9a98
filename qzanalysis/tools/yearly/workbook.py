"""The data-entry workbook's layout, shared by the template writer and the importer.

One sheet per table, named by the table's Chinese title (cut to Excel's 31 characters; the code name is
accepted too). Row 1: column titles "中文（单位）". Row 2: a notes row starting with NOTES_MARK (skipped on
import; if an analyst deletes it, row 2 is read as data). Data from row 3. Two extra sheets, INFO_SHEET and
LISTS_SHEET, carry instructions and the drop-down lists; the importer ignores them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from qzanalysis.core.catalog import FieldSpec, TableSpec, table_specs
from qzanalysis.core.cells import formula_prefix
from qzanalysis.core.findings import Finding, Level
from qzanalysis.core.patterns import describe_pattern, only_digits
from qzanalysis.core.readers import NOTES_MARK, column_title, header_aliases, header_key

HEADER_ROW = 1
NOTES_ROW = 2
FIRST_DATA_ROW = 3
INFO_SHEET = "填写说明"
LISTS_SHEET = "选项列表"
EXCEL_SHEET_NAME_MAX = 31
_FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
_DECIMALS_FORMAT = re.compile(r"^0\.(0+)%?$")
_ZERO_PADDED_FORMAT = re.compile(r"^0+$")  # "0000": a code shown with its leading zeros
BOOLEAN_TEXT = {True: "是", False: "否"}


def sheet_name(spec: TableSpec) -> str:
    """The sheet that holds a table: its Chinese title, made legal for Excel."""
    return _FORBIDDEN_IN_SHEET_NAMES.sub("_", spec.title)[:EXCEL_SHEET_NAME_MAX]


# The sheets where a year declares its own facts and tables (qzanalysis.tools.yearly.own).
OWN_FACTS_SHEET = "本校自定义数值"
OWN_TABLES_SHEET = "本校自定义数据表"
RESERVED_SHEETS = (INFO_SHEET, LISTS_SHEET, OWN_FACTS_SHEET, OWN_TABLES_SHEET)


def sheet_names(tables: dict[str, TableSpec] | None = None) -> dict[str, str]:
    """table code name → sheet name, for the built-in tables or the given ones (a year's catalogue, own
    tables included). Unique by construction (checked here, so a new schema cannot break it)."""
    names = {name: sheet_name(spec) for name, spec in (tables or table_specs()).items()}
    clashes = {n for n in names.values() if list(names.values()).count(n) > 1}
    if clashes or set(RESERVED_SHEETS) & set(names.values()):
        raise RuntimeError(f"数据表的工作表名称重复：{sorted(clashes)}；请修改 schemas 中的 title")
    return names


def table_for_sheet(name: str, tables: dict[str, TableSpec] | None = None) -> str | None:
    """The table a sheet holds (by sheet name, Chinese title or code name), None for an unknown sheet."""
    text = name.strip()
    for table, spec in (tables or table_specs()).items():
        if text in (sheet_name(spec), spec.title, spec.name):
            return table
    return None


def field_for_header(spec: TableSpec, text: str) -> str | None:
    """A header cell → field name: accepts "标题（单位）", the title alone, or the code name."""
    return header_aliases(spec).get(header_key(text))


def write_text(ws, row: int, col: int, value) -> Any:
    """Write `value` as a text cell that Excel never runs as a formula, whatever it starts with."""
    cell = ws.cell(row, col)
    if value is None or value == "":
        return cell
    cell.value = str(value)
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if formula_prefix(cell.value):
        cell.quotePrefix = True  # Excel's own mark for "text that looks like a formula"
        cell.number_format = "@"
    return cell


def field_note(spec: TableSpec, f: FieldSpec) -> str:
    """The notes-row text for one column: required or not, type, range, allowed values."""
    c = f.constraints
    parts = ["必填" if f.required else "可空"]
    if f.type == "integer":
        parts.append("整数")
    elif f.type == "number":
        parts.append("数字")
    elif f.type == "boolean":
        parts.append("填“是”或“否”")
    if "minimum" in c and "maximum" in c:
        parts.append(f"{c['minimum']}–{c['maximum']}")
    elif "minimum" in c:
        parts.append(f"≥{c['minimum']}")
    if f.unit:
        parts.append(f"单位：{f.unit}（只填数字）")
    if "enum" in c:
        parts.append("取值：" + "、".join(map(str, c["enum"])))
    if "pattern" in c:
        parts.append(describe_pattern(c["pattern"]) + ("，0 开头的照写" if only_digits(c["pattern"]) else ""))
    if spec.name == "facts" and f.name == "value":
        parts = ["按报告印出的小数位数填写（本列为文本格式，保留末尾的 0）；本年没有的数留空"]
    if spec.name == "facts" and f.name in ("id", "label", "unit"):
        parts = ["已预填，请勿修改"]
    return "；".join(parts)


@dataclass
class SheetData:
    """One sheet read as CSV-ready text, with the Excel row of each record."""

    sheet: str
    table: str
    header: list[str]  # field names where the header matched, else the header text as found
    columns: dict[str, str]  # field name → column letter
    rows: list[list[str]] = field(default_factory=list)
    excel_rows: list[int] = field(default_factory=list)
    unfilled: list[str] = field(default_factory=list)  # facts ids left empty


def _decimals_from_format(number_format: str) -> int | None:
    m = _DECIMALS_FORMAT.match(number_format or "")
    return len(m.group(1)) if m else None


def cell_text(cell, f: FieldSpec | None) -> tuple[str, str | None]:
    """The CSV text of one cell, and an error message when the cell cannot be imported as is."""
    value = cell.value
    if value is None:
        return "", None
    if cell.data_type == "f" or isinstance(value, ArrayFormula | DataTableFormula):
        formula = value.text if isinstance(value, ArrayFormula) else str(value)
        return str(formula), f"是公式（{formula}）；请复制后“选择性粘贴 → 数值”，再导入"
    if isinstance(value, bool):
        return BOOLEAN_TEXT[value], None
    if isinstance(value, int | float) and "%" in (cell.number_format or ""):
        # Excel stores "88.63%" as 0.8863. Write it back as "88.63%": the CSV checks then accept it in a %
        # column (or a % fact) and reject it anywhere else, exactly as for a typed "88.63%".
        decimals = _decimals_from_format(cell.number_format)
        percent = value * 100
        text = f"{percent:.{decimals}f}" if decimals is not None else f"{percent:.10g}"
        return text + "%", None
    if isinstance(value, int | float) and f is not None and not f.is_numeric:
        # a code typed into a number cell: the zeros Excel shows ("0000" format) are part of the code
        if float(value).is_integer() and _ZERO_PADDED_FORMAT.match(cell.number_format or ""):
            return f"{int(value):0{len(cell.number_format)}d}", None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        decimals = _decimals_from_format(cell.number_format)
        if decimals is not None:
            return f"{value:.{decimals}f}", None
        if value.is_integer():
            return str(int(value)), None
        return repr(value), None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return str(value), "被 Excel 识别成了日期或时间；请把单元格设为“文本”后重新输入"
    return str(value), None


def _row_is_notes(values: list) -> bool:
    return bool(values) and isinstance(values[0], str) and values[0].startswith(NOTES_MARK)


def read_sheet(ws, table: str, spec: TableSpec | None = None) -> tuple[SheetData, list[Finding]]:
    """Read one sheet (of a built-in table, or of `spec`). Formula and date cells become FAIL findings;
    everything else is left to the CSV checks."""
    spec = spec or table_specs()[table]
    findings: list[Finding] = []
    where = f"工作表“{ws.title}”"
    header_cells = list(next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW), ()))
    while header_cells and (header_cells[-1].value is None or str(header_cells[-1].value).strip() == ""):
        header_cells.pop()
    header, columns = [], {}
    for cell in header_cells:
        text = "" if cell.value is None else str(cell.value)
        name = field_for_header(spec, text)
        header.append(name or text.strip())
        if name:
            columns[name] = cell.column_letter
    data = SheetData(ws.title, table, header, columns)
    width = len(header)
    fields = [spec.field(h) if h in spec.field_names else None for h in header]
    merged = _merged_cells(ws, spec, header, fields, findings)
    for row in ws.iter_rows(min_row=NOTES_ROW):
        excel_row = row[0].row
        values = [c.value for c in row]
        if excel_row == NOTES_ROW and _row_is_notes(values):
            continue
        last = max((i for i, v in enumerate(values) if v is not None and str(v).strip() != ""), default=-1)
        if last < 0:
            continue
        texts = []
        for i, cell in enumerate(row[: max(width, last + 1)]):
            if (excel_row, i + 1) in merged:  # reported once for the range; no "必填项为空" per cell
                texts.append(merged[(excel_row, i + 1)])
                continue
            text, error = cell_text(cell, fields[i] if i < width else None)
            if error:
                column = _column_label(spec, header[i] if i < width else "", cell.column_letter)
                findings.append(
                    Finding(Level.FAIL, "workbook_cell", f"单元格{error}", where, excel_row, column, text)
                )
                text = ""
            texts.append(text)
        if table == "facts" and "value" in columns and "id" in columns:
            value = texts[header.index("value")] if header.index("value") < len(texts) else ""
            if value.strip() == "":
                data.unfilled.append(texts[header.index("id")] if header.index("id") < len(texts) else "")
                continue
        data.rows.append(texts)
        data.excel_rows.append(excel_row)
    return data, findings


def _merged_cells(ws, spec: TableSpec, header: list[str], fields: list, findings: list[Finding]) -> dict:
    """Refuse merged ranges (the analyst sees one filled cell; the rows below it are empty). Returns
    (row, column) → the range's text for every cell the range covers, so each is reported only once."""
    covered: dict[tuple[int, int], str] = {}
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        i = rng.min_col - 1
        text, _ = cell_text(ws.cell(rng.min_row, rng.min_col), fields[i] if i < len(fields) else None)
        column = _column_label(spec, header[i] if i < len(header) else "", get_column_letter(rng.min_col))
        findings.append(
            Finding(
                Level.FAIL,
                "workbook_merged",
                f"合并了单元格 {rng.coord}：导入时只有第一格有值，其余各行为空",
                f"工作表“{ws.title}”",
                rng.min_row,
                column,
                text,
                f"选中 {rng.coord}，取消合并，再在每一行都填上“{text}”",
            )
        )
        for row in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                covered[(row, col)] = text
    return covered


def _column_label(spec: TableSpec, name: str, letter: str) -> str:
    title = column_title(spec.field(name)) if name in spec.field_names else (name or "无表头")
    return f"{title}，{letter} 列"


def column_label(spec: TableSpec, data: SheetData, name: str | None) -> str | None:
    """A finding's column (code name) → "中文（单位），X 列" for the analyst."""
    if not name:
        return name
    if name in data.columns:
        return _column_label(spec, name, data.columns[name])
    if name in spec.field_names:
        return column_title(spec.field(name))
    if "、" in name:  # a primary key such as "term、aid_type"
        return "、".join(
            column_title(spec.field(n)) if n in spec.field_names else n for n in name.split("、")
        )
    return name


def column_letter(index: int) -> str:
    return get_column_letter(index)
