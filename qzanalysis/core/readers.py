"""Read a CSV as analysts save it from Excel or WPS: its header, its rows, each cell normalised.

Decisions (each one tested in tests/test_readers.py and tests/test_validation.py):
- Encodings and file kinds: see `qzanalysis.core.filekinds` (UTF-8 with or without BOM; GBK with a note;
  anything else refused, saying what the file is, the line, and how to re-save it).
- Header: a column's code name, its Chinese title, or the workbook's "标题（单位）" are all accepted, so a
  CSV saved from a template sheet reads as is; the template's 【填写说明】 row is skipped. Columns that are
  empty in every row, header included (Excel's trailing ",,"), are ignored.
- Number cells: see `qzanalysis.core.number_cells`. Text cells: see `qzanalysis.core.cells` (invisible
  characters removed and named; a leading = + - @ refused as a spreadsheet formula).
- A row with more cells than the header is refused, naming the cells outside the header.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qzanalysis.core.catalog import FieldSpec, TableSpec
from qzanalysis.core.cells import clean_text, formula_prefix
from qzanalysis.core.filekinds import FileKindError, decode_bytes
from qzanalysis.core.findings import Finding, Level
from qzanalysis.core.number_cells import PLACEHOLDERS, normalise_number

# Columns where a line break inside a quoted cell is legitimate text.
FREE_TEXT_FIELDS = {"note", "summary", "heading"}
# The first cell of the data-entry workbook's notes row (a CSV saved from a template sheet keeps it).
NOTES_MARK = "【填写说明】"


@dataclass
class RawTable:
    """A CSV's cells as normalised text, keyed to the physical line each record started on."""

    path: Path
    display_path: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding: str
    findings: list[Finding] = field(default_factory=list)
    # (row index, column name) of cells already reported, so later checks do not report them twice.
    flagged: set[tuple[int, str]] = field(default_factory=set)
    # (row index, column name) → the placeholder typed ("—", "N/A", "暂无"…) where a cell was read as missing.
    placeholders: dict[tuple[int, str], str] = field(default_factory=dict)


def column_title(f: FieldSpec) -> str:
    """The column's Chinese title with its unit, as the workbook's header shows it: "合格率（%）"."""
    return f"{f.title}（{f.unit}）" if f.unit else f.title


def header_key(text: str) -> str:
    """A header cell as compared: invisible characters and spaces dropped, full-width forms folded."""
    cleaned, _ = clean_text(text)
    return "".join(unicodedata.normalize("NFKC", cleaned).split())


def header_aliases(spec: TableSpec) -> dict[str, str]:
    """Every accepted header text (by `header_key`) → field name: code name, title, "标题（单位）"."""
    aliases: dict[str, str] = {}
    for f in spec.fields:
        for text in (f.name, f.title, column_title(f)):
            aliases.setdefault(header_key(text), f.name)
    return aliases


def allowed_columns(spec: TableSpec) -> str:
    return "，".join(f"{f.name}（{f.title}）" for f in spec.fields)


def read_csv(path: Path, spec: TableSpec, display_path: str, unit_for_row=None) -> RawTable:
    """Read and normalise a CSV against its table spec. Problems become findings; nothing is raised.

    `unit_for_row(record: dict) -> str | None` gives a per-row unit for tables such as facts.csv,
    whose single value column takes each row's unit from the catalogue.
    """
    empty = RawTable(path, display_path, [], [], [], "?")
    try:
        text, encoding = decode_bytes(path.read_bytes())
    except FileKindError as exc:
        empty.findings.append(
            Finding(Level.FAIL, "encoding", exc.message, display_path, exc.line, expected=exc.expected)
        )
        return empty
    except OSError as exc:  # e.g. a folder that happens to be named like a table
        empty.findings.append(
            Finding(
                Level.FAIL, "encoding", f"无法读取：{exc.strerror or exc}", display_path, expected="CSV 文件"
            )
        )
        return empty
    table = RawTable(path, display_path, [], [], [], encoding)
    if encoding == "gbk":
        table.findings.append(
            Finding(Level.INFO, "encoding", "文件为 GBK 编码，已按 GBK 读取；建议另存为 UTF-8", display_path)
        )
    records = _records(text, table)
    if records is None:
        return table
    if not records:
        table.findings.append(
            Finding(
                Level.FAIL,
                "header",
                "文件为空，缺少表头",
                display_path,
                1,
                expected=",".join(spec.field_names),
            )
        )
        return table
    position = _header(records, spec, table)
    if position is None:
        return table
    body = records[1:]
    if body and body[0][1][:1] and clean_text(body[0][1][0])[0].startswith(NOTES_MARK):
        body = body[1:]  # the template's notes row
    width = len(records[0][1])
    for line, record in body:
        if all(not clean_text(c)[0] for c in record):
            continue  # blank lines Excel leaves at the end
        _check_extra_cells(record, width, spec, position, line, table)
        _read_row(record, spec, position, line, table, unit_for_row)
    table.header = list(spec.field_names)
    return table


def _records(text: str, table: RawTable) -> list[tuple[int, list[str]]] | None:
    """(start line, cells) of every CSV record; None (with a finding) when the CSV itself is malformed."""
    # strict: a stray quote is an error, not a cell that silently swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start_line = 1
    try:
        for record in reader:
            records.append((start_line, record))
            start_line = reader.line_num + 1
    except csv.Error as exc:
        table.findings.append(
            Finding(
                Level.FAIL,
                "shape",
                f'CSV 格式错误（多半是未配对的英文引号 "）：{exc}',
                table.display_path,
                start_line,
                expected="引号成对出现；单元格内不要有换行",
            )
        )
        return None
    return records


def _header(records: list[tuple[int, list[str]]], spec: TableSpec, table: RawTable) -> dict[str, int] | None:
    """Field name → column index, from the header record. None when the header has errors (reported):
    cell checks against a wrong header would only add noise."""
    aliases = header_aliases(spec)
    raw_header = records[0][1]
    unused = [
        i
        for i, h in enumerate(raw_header)
        if not header_key(h) and all(i >= len(r) or not clean_text(r[i])[0] for _, r in records[1:])
    ]
    columns = [(i, header_key(h)) for i, h in enumerate(raw_header) if i not in unused]
    names = [(i, aliases.get(key, key), raw_header[i]) for i, key in columns]
    where: dict[str, Any] = dict(file=table.display_path, line=1)
    errors = []
    for f in spec.fields:
        if f.name not in [n for _, n, _ in names] and not f.optional_column:
            errors.append(
                Finding(
                    Level.FAIL,
                    "header",
                    "缺少列",
                    **where,
                    column=f.name,
                    expected="表头应包含：" + allowed_columns(spec),
                )
            )
    for i, name, typed in names:
        if name not in spec.field_names:
            shown = clean_text(typed)[0] or "（空列名）"
            errors.append(
                Finding(
                    Level.FAIL,
                    "header",
                    "多出未定义的列",
                    **where,
                    column=shown,
                    value=shown,
                    expected=f"删除此列（第 {i + 1} 列）；本表只能有这些列：" + allowed_columns(spec),
                )
            )
    seen = [n for _, n, _ in names]
    for dup in sorted({n for n in seen if seen.count(n) > 1}):
        errors.append(Finding(Level.FAIL, "header", "列名重复", **where, column=dup, value=dup))
    table.findings.extend(errors)
    if errors:
        return None
    return {name: i for i, name, _ in names}


def _check_extra_cells(
    record: list[str], width: int, spec: TableSpec, position: dict[str, int], line: int, table: RawTable
) -> None:
    """Cells beyond the header: ignored when empty, else refused, naming them and the likely cause."""
    extra = [(i, c) for i, c in enumerate(record) if i >= width and clean_text(c)[0]]
    if not extra:
        return
    hint = "值中的英文逗号会把一格拆成两格：数字去掉千位逗号，文本加英文双引号或改用中文逗号“，”"
    column = f"第 {extra[0][0] + 1} 列（表头之外）"
    by_index = {i: name for name, i in position.items()}
    for i in range(len(record) - 1):
        name = by_index.get(i)
        if (
            name
            and spec.field(name).is_numeric
            and normalise_number(record[i] + "," + record[i + 1], None).error is None
        ):
            joined = record[i] + "," + record[i + 1]
            column = name
            hint = f"“{joined}”中的千位逗号把它拆成了两格：写作 {joined.replace(',', '')}，或加英文双引号"
            break
    table.findings.append(
        Finding(
            Level.FAIL,
            "shape",
            f"此行有 {len(extra) + width} 个单元格，比表头多 {len(extra)} 个",
            table.display_path,
            line,
            column,
            "，".join(c for _, c in extra),
            f"每行 {width} 个单元格；{hint}",
        )
    )


def _read_row(
    record, spec: TableSpec, position: dict[str, int], line: int, table: RawTable, unit_for_row
) -> None:
    row_index = len(table.rows)
    cells = {name: (record[i] if i < len(record) else "") for name, i in position.items()}
    record_dict = {k: clean_text(v)[0] for k, v in cells.items()}
    out = []
    for f in spec.fields:
        cell = cells.get(f.name, "")
        if f.is_numeric:
            unit = unit_for_row(record_dict) if unit_for_row and f.name == "value" else f.unit
            value = _number_cell(cell, f, unit, row_index, line, table)
        else:
            value = _text_cell(cell, f, row_index, line, table)
        out.append(value)
    table.rows.append(out)
    table.lines.append(line)


def _finding(
    table: RawTable, level: Level, check: str, message: str, line: int, f: FieldSpec, value, expected=None
):
    table.findings.append(Finding(level, check, message, table.display_path, line, f.name, value, expected))


def _number_cell(
    cell: str, f: FieldSpec, unit: str | None, row_index: int, line: int, table: RawTable
) -> str:
    result = normalise_number(cell, unit)
    typed = cell.strip()
    if result.error:
        table.flagged.add((row_index, f.name))
        expected = expected_text(f, unit) + (f"；{result.hint}" if result.hint else "")
        _finding(table, Level.FAIL, "number_format", result.error, line, f, typed, expected)
        return result.text
    if result.placeholder is not None:
        table.placeholders[(row_index, f.name)] = result.placeholder
        if f.required:
            return ""  # the required check reports it, showing what was typed
    if result.note:
        _finding(table, Level.INFO, "number_format", result.note, line, f, typed)
    return result.text


def _text_cell(cell: str, f: FieldSpec, row_index: int, line: int, table: RawTable) -> str:
    value, note = clean_text(cell)
    if note:
        _finding(table, Level.INFO, "characters", note, line, f, value)
    # a placeholder the column's enum lists (e.g. fitness.printed_unit “无”) is a value, not a blank
    if (
        value
        and unicodedata.normalize("NFKC", value).casefold() in PLACEHOLDERS
        and not f.required
        and value not in f.constraints.get("enum", ())
    ):
        return ""
    prefix = formula_prefix(value)
    if prefix:
        table.flagged.add((row_index, f.name))
        _finding(
            table,
            Level.FAIL,
            "formula",
            f"以“{prefix}”开头：用 Excel 打开或写入工作簿时会被当作公式执行",
            line,
            f,
            value[:60],
            f"普通文本，不以 = + - @ 开头（确需这样开头时，在前面加上文字，如“注：{value[:12]}”）",
        )
    elif "\n" in value and f.name not in FREE_TEXT_FIELDS:
        table.flagged.add((row_index, f.name))
        _finding(
            table,
            Level.FAIL,
            "shape",
            "单元格内有换行（常因引号未配对，把下一行并进了本格）",
            line,
            f,
            value[:40],
            "单行文本",
        )
    return value


def expected_text(f: FieldSpec, unit: str | None) -> str:
    """What a number cell of this column should hold, in words: "非负整数（单位：人）"."""
    kind = "非负整数" if f.type == "integer" else "数字"
    c = f.constraints
    if "minimum" in c and "maximum" in c:
        kind = f"{c['minimum']} 到 {c['maximum']} 之间的{'整数' if f.type == 'integer' else '数字'}"
    return f"{kind}（单位：{unit}）" if unit else kind
