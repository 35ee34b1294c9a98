"""`qz new-year Y`: a blank year folder and the Excel workbook analysts fill in.

- ``data/<Y>/``: every table's CSV with its header only; facts.csv lists every catalogue id with its
  label and unit and an empty value. The previous year's school.yaml (the analyst edits it; a commented
  template when there is none) and its own declarations (catalogue.yaml: own facts, tables and rules) are
  copied, and its text (``text/``) is copied as a draft to be revised (see qzanalysis.core.text).
  The folder holds data only.
- ``data/<Y>-填报模板.xlsx``: the workbook, beside the folder (see workbook.py for its layout), with drop-down
  lists for the schema's allowed values, range checks for counts and rates, and last year's categories
  (majors, subjects, aid types…) as suggestions that still allow a new entry.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from qzanalysis.core.catalog import Catalogue, FactSpec, FieldSpec, TableSpec, fact_specs
from qzanalysis.core.dataset import YearData, read_year
from qzanalysis.core.paths import available_years, data_root, year_dir
from qzanalysis.core.profile import PROFILE_FILE, profile_template
from qzanalysis.core.text import draft_copy
from qzanalysis.core.year_catalogue import CATALOGUE_FILE, read_catalogue
from qzanalysis.tools.yearly.own import OWN_FACTS_SPEC, OWN_TABLES_SPEC, own_fact_rows, own_table_rows
from qzanalysis.tools.yearly.workbook import (
    FIRST_DATA_ROW,
    HEADER_ROW,
    INFO_SHEET,
    LISTS_SHEET,
    NOTES_MARK,
    NOTES_ROW,
    column_title,
    field_note,
    sheet_names,
    write_text,
)

VALIDATED_ROWS = 500  # data-validation ranges cover rows 3..502 of each sheet
HEADER_FILL = PatternFill("solid", fgColor="1F5FA8")
NOTES_FILL = PatternFill("solid", fgColor="FFF4CC")
PREFILLED_FILL = PatternFill("solid", fgColor="EEEEEE")


class YearExistsError(FileExistsError):
    pass


@dataclass
class NewYearResult:
    year: int
    folder: Path
    workbook: Path
    previous: int | None
    profile_copied: bool = False  # school.yaml copied from the previous year (else a template was written)
    own_facts: int = 0  # own facts and tables carried over from the previous year's catalogue.yaml
    own_tables: int = 0


def workbook_path(year: int, data_dir=None) -> Path:
    return data_root(data_dir) / f"{int(year)}-填报模板.xlsx"


def csv_text(spec: TableSpec, facts: dict[str, FactSpec] | None = None) -> str:
    """A table's blank CSV: the header; for facts, one row per catalogue id (built-in, or `facts`: the year's
    catalogue with its own facts) with the value left empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(spec.field_names)
    if spec.name == "facts":
        for fid, fact in (facts or fact_specs()).items():
            cells = {"id": fid, "label": fact.label, "unit": fact.unit}
            writer.writerow([cells.get(name, "") for name in spec.field_names])
    return out.getvalue()


def previous_data(year: int, data_dir=None) -> YearData | None:
    """The nearest earlier year, read without raising (a template is still useful if it has problems)."""
    earlier = [y for y in available_years(data_dir) if y < int(year)]
    return read_year(max(earlier), data_dir) if earlier else None


def new_year(year: int, data_dir=None, force: bool = False) -> NewYearResult:
    """Create data/<Y>/ and data/<Y>-填报模板.xlsx. Refuses when either exists, unless `force`."""
    year = int(year)
    folder, book = year_dir(year, data_dir), workbook_path(year, data_dir)
    existing = [p for p in (folder, book) if p.exists()]
    if existing and not force:
        raise YearExistsError(
            f"{'、'.join(str(p) for p in existing)} 已存在；确认要覆盖（已填的数据会丢失）请加 --force"
        )
    previous = previous_data(year, data_dir)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{year}.new-", dir=folder.parent))
    try:
        copied = _carry_over(previous, tmp, year)
        catalogue, _ = read_catalogue(tmp, str(folder))
        for spec in catalogue.tables.values():
            (tmp / spec.filename).write_text(csv_text(spec, catalogue.facts), encoding="utf-8")
        wb = build_workbook(year, previous, catalogue)
        tmp_book = tmp / "workbook.xlsx"
        wb.save(tmp_book)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp_book, book)
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return NewYearResult(
        year,
        folder,
        book,
        previous.year if previous else None,
        profile_copied=copied,
        own_facts=len(catalogue.own_facts),
        own_tables=len(catalogue.own_tables),
    )


def _carry_over(previous: YearData | None, folder: Path, year: int) -> bool:
    """Start the new year from last year's school profile (its report title and period moved on to `year`),
    own catalogue and text: school.yaml and catalogue.yaml are copied, the text as a draft (every chapter
    shows a 草稿 banner until revised; its references print the new year's values, or placeholders until
    they are filled in). A commented school.yaml template is written when there is no previous profile.
    Returns whether the profile was copied."""
    copied = False
    if previous is not None:
        for name in (PROFILE_FILE, CATALOGUE_FILE):
            if (previous.path / name).is_file():
                shutil.copy2(previous.path / name, folder / name)
                copied = copied or name == PROFILE_FILE
        if copied:
            profile = folder / PROFILE_FILE
            text = profile.read_text(encoding="utf-8")
            profile.write_text(next_year_profile(text, previous.year, year), encoding="utf-8")
        draft_copy(previous.path, folder, previous.year)
    if not copied:
        (folder / PROFILE_FILE).write_text(profile_template(), encoding="utf-8")
    return copied


_DATED_KEYS = re.compile(r"^(?P<key>report_title|period)(?P<rest>\s*:.*)$", re.M)


def next_year_profile(text: str, old: int, new: int) -> str:
    """school.yaml for the new year: the report title and period name the new year ("2021 年度…" becomes
    "2022 年度…", "2020-2021学年" becomes "2021-2022学年"); everything else, comments too, as it was.
    (Left as it was, the title would print last year on the new cover, and validation refuses it.)"""
    shift = new - old
    years = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")

    def dated(m: re.Match) -> str:
        rest = years.sub(lambda y: str(int(y.group()) + shift), m.group("rest"))
        return m.group("key") + rest

    return _DATED_KEYS.sub(dated, text)


# ---- the workbook -------------------------------------------------------------------------------
def build_workbook(
    year: int, previous: YearData | None = None, catalogue: Catalogue | None = None
) -> Workbook:
    """The data-entry workbook for `year`: a sheet per table of `catalogue` (default: the built-in one;
    own tables included), and the two sheets where the year declares its own facts and tables."""
    catalogue = catalogue or Catalogue.builtin()
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    names = sheet_names(catalogue.tables)
    list_col = 0
    tables = [(t, s) for t, s in catalogue.tables.items()]
    declarations = [(OWN_FACTS_SPEC, own_fact_rows(catalogue)), (OWN_TABLES_SPEC, own_table_rows(catalogue))]
    for table, spec in tables + [(spec.name, spec) for spec, _ in declarations]:
        ws = wb.create_sheet(names.get(table, spec.title))
        _write_header(ws, spec)
        if table == "facts":
            _prefill_facts(ws)
        for own_spec, rows in declarations:
            if spec is own_spec:
                _prefill(ws, rows)
        for i, f in enumerate(spec.fields, start=1):
            suggestions = _previous_values(previous, spec, f)
            source = None
            if suggestions:
                list_col += 1
                source = _write_list(lists, list_col, f"{names[table]}·{f.title}", suggestions)
            dv = _validation(spec, f, source)
            if dv is not None:
                ws.add_data_validation(dv)
                letter = get_column_letter(i)
                dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + VALIDATED_ROWS - 1}")
    _write_info(info, year, previous, names, catalogue)
    return wb


def _write_header(ws, spec: TableSpec) -> None:
    for i, f in enumerate(spec.fields, start=1):
        head = write_text(ws, HEADER_ROW, i, column_title(f))
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = HEADER_FILL
        note = field_note(spec, f)
        cell = write_text(ws, NOTES_ROW, i, f"{NOTES_MARK}{note}" if i == 1 else note)
        cell.fill = NOTES_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(size=9, color="7F6000")
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, 2.2 * len(column_title(f)) + 4))
        if spec.name == "facts" and f.name == "value":
            for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(fact_specs())):
                ws.cell(row, i).number_format = "@"
        elif not f.is_numeric and f.type != "boolean":
            # text columns are text cells: a code keeps its leading zeros (0109), "1/2" stays "1/2"
            for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + VALIDATED_ROWS):
                ws.cell(row, i).number_format = "@"
    ws.row_dimensions[NOTES_ROW].height = 48
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)


def _prefill_facts(ws) -> None:
    for row, (fid, fact) in enumerate(fact_specs().items(), start=FIRST_DATA_ROW):
        for col, value in ((1, fid), (2, fact.label), (4, fact.unit)):
            cell = write_text(ws, row, col, value)
            cell.fill = PREFILLED_FILL
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 40


def _prefill(ws, rows: list[list[str]]) -> None:
    """Rows written into a declaration sheet (last year's own facts or tables)."""
    for r, row in enumerate(rows, start=FIRST_DATA_ROW):
        for c, value in enumerate(row, start=1):
            if value != "":
                write_text(ws, r, c, value)


def _previous_values(previous: YearData | None, spec: TableSpec, f: FieldSpec) -> list[str]:
    """Last year's categories in a key column (majors, subjects, aid types…), offered as suggestions."""
    if (
        previous is None
        or f.type != "string"
        or "enum" in f.constraints
        or spec.name == "facts"
        or f.name not in spec.row_key
    ):
        return []
    frame = previous.table(spec.name)
    if frame is None or f.name not in frame:
        return []
    return list(dict.fromkeys(str(v) for v in frame[f.name].dropna()))


def _write_list(ws, col: int, title: str, values: list[str]) -> str:
    letter = get_column_letter(col)
    write_text(ws, 1, col, title)
    for row, value in enumerate(values, start=2):
        write_text(ws, row, col, value)
    return f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"


def _validation(spec: TableSpec, f: FieldSpec, suggestions: str | None) -> DataValidation | None:
    c = f.constraints
    if spec.name == "facts" or (spec.name == "own_facts" and f.name == "value"):
        return None  # one value column, many units: checked on import against the catalogue
    if "enum" in c:
        dv = DataValidation(type="list", formula1='"' + ",".join(map(str, c["enum"])) + '"', allow_blank=True)
        dv.error, dv.errorTitle = (
            "只能从下拉列表中选择：" + "、".join(map(str, c["enum"])),
            "取值不在允许范围",
        )
    elif f.type == "boolean":
        dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        dv.error, dv.errorTitle = "请填“是”或“否”", "只能填是或否"
    elif suggestions:
        dv = DataValidation(type="list", formula1=suggestions, allow_blank=True)
        dv.errorStyle = "warning"  # a new major or subject is allowed: Excel asks, it does not refuse
        dv.error, dv.errorTitle = "不在上年的名单中。若是今年新增的，请点“是”保留。", "上年没有这一项"
    elif f.is_numeric:
        kind = "whole" if f.type == "integer" else "decimal"
        low, high = c.get("minimum"), c.get("maximum")
        if low is None and high is None:
            return None
        if low is not None and high is not None:
            dv = DataValidation(
                type=kind, operator="between", formula1=str(low), formula2=str(high), allow_blank=True
            )
            dv.error = f"应为 {low} 到 {high} 之间的{'整数' if kind == 'whole' else '数字'}"
        elif low is not None:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(low), allow_blank=True)
            dv.error = f"应为不小于 {low} 的{'整数' if kind == 'whole' else '数字'}"
        else:
            dv = DataValidation(type=kind, operator="lessThanOrEqual", formula1=str(high), allow_blank=True)
            dv.error = f"应为不大于 {high} 的数字"
        if f.unit:
            dv.error += f"（单位：{f.unit}，只填数字）"
        dv.errorTitle = "数值超出范围"
    else:
        return None
    dv.showErrorMessage = True
    dv.prompt, dv.promptTitle = field_note(spec, f), column_title(f)[:32]
    dv.showInputMessage = True
    return dv


def _write_info(
    ws, year: int, previous: YearData | None, names: dict[str, str], catalogue: Catalogue
) -> None:
    lines = [
        f"{year} 年度质量年度报告数据填报模板",
        "",
        "填写方法：",
        "1. 每个数据表一张工作表；第 1 行是列名（括号内为单位），第 2 行是填写说明，从第 3 行起填数据。",
        "2. 不要改工作表名称和列名；不要插入公式（请“选择性粘贴 → 数值”）；数字单元格只填数字，不带单位。",
        "3. 本年没有的数据留空（不要填 0）；整张表没有就整张留空，报告中会注明“本年度未提供”。",
        "4. “报告正文数值”已列出全部指标代码、名称和单位，只填“数值”一列；小数按报告印出的位数填写。",
        f"5. 报告中还有内置目录没有的数字：填在“{OWN_FACTS_SPEC.title}”表，每行一项（代码用小写英文字母、数字和下划线，"
        "如 new_training_bases；名称、单位、章节必填；类型填“整数”或“数字”）。上一年度登记过的已列出，数值待填；"
        "不再需要的整行删除。",
        f"6. 本校自行增加的数据表：先在“{OWN_TABLES_SPEC.title}”表登记它的结构，每列一行——表代码（如 teacher_awards）、"
        "表名称、章节、列代码、列名称、类型（文本、整数、数字、是否、日期）、单位，必填和主键填“是”或“否”。"
        "再新建一张工作表，名称用表名称，第 1 行写各列的列名称（有单位的写成“列名称（单位）”），从第 2 或第 3 行起填数据。"
        "没有登记的工作表不会导入，qz import 会提示如何登记。",
        f"7. 填好后运行：qz import 本文件.xlsx --year {year}，全部通过才会写入 data/{year}/；学校概况（school.yaml）和正文不在本工作簿中，"
        "导入时保留原样。",
        "",
        f"专业、学科、资助类型等列的下拉选项来自 {previous.year} 年数据；今年新增的可以直接输入。"
        if previous is not None
        else "数据目录中没有上一年度的数据，下拉选项只含固定取值。",
        "",
        "工作表与数据表对照：",
    ]
    for row, text in enumerate(lines, start=1):
        write_text(ws, row, 1, text)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    start = len(lines) + 1
    for col, head in enumerate(["工作表", "数据文件", "报告章节", "说明"], start=1):
        write_text(ws, start, col, head).font = Font(bold=True)
    entries = [
        (names[t], spec.filename, spec.section, spec.description) for t, spec in catalogue.tables.items()
    ]
    entries += [
        (spec.title, "catalogue.yaml", "", spec.description) for spec in (OWN_FACTS_SPEC, OWN_TABLES_SPEC)
    ]
    for row, values in enumerate(entries, start=start + 1):
        for col, value in enumerate(values, start=1):
            write_text(ws, row, col, value)
    for letter, width in zip("ABCD", (34, 26, 10, 90), strict=True):
        ws.column_dimensions[letter].width = width
