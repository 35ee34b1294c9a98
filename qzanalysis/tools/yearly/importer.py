"""`qz import workbook.xlsx --year Y`: the filled workbook → data/<Y>/*.csv, only when every check passes.

Each sheet is turned into CSV text in a temporary year folder beside data/<Y>/ and read with the same reader
and checks as hand-written CSVs (`qzanalysis.dataset.read_year`); the findings are then translated back to
sheet, Excel row and Chinese column title. Only a clean workbook is moved into place, by renaming the
temporary folder: never a half-imported year. An empty sheet means "not provided this year" (no CSV), and
an empty value in the facts sheet means "not provided" (the row is left out), so missing stays missing.

The year's own facts and tables (sheets 本校自定义数值 / 本校自定义数据表, see own.py) become its catalogue.yaml;
own facts' values join facts.csv and own tables' sheets become CSVs like built-in ones. What the workbook
does not carry is kept from the year's folder: the profile (school.yaml), the text and any other file that
is not a table, and the year's own audit rules (catalogue.yaml `rules`) whose facts are still declared.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from qzanalysis.core.catalog import Catalogue, TableSpec
from qzanalysis.core.dataset import MANIFEST, read_year, write_manifest
from qzanalysis.core.filekinds import FileKindError, decode_bytes
from qzanalysis.core.findings import Finding, Level, Report
from qzanalysis.core.paths import data_root, year_dir
from qzanalysis.core.year_catalogue import CATALOGUE_FILE, rule_problems
from qzanalysis.tools.yearly.own import (
    OWN_FACTS_SPEC,
    OWN_TABLES_SPEC,
    Declarations,
    catalogue_yaml,
    read_declarations,
    undeclared_sheet,
)
from qzanalysis.tools.yearly.workbook import (
    HEADER_ROW,
    INFO_SHEET,
    LISTS_SHEET,
    OWN_FACTS_SHEET,
    OWN_TABLES_SHEET,
    SheetData,
    column_label,
    read_sheet,
    sheet_names,
    table_for_sheet,
)


@dataclass
class ImportResult:
    year: int
    folder: Path
    report: Report
    written: bool = False
    tables: list[str] = field(default_factory=list)  # tables written
    not_provided: list[str] = field(default_factory=list)  # tables without data this year
    unfilled_facts: list[str] = field(default_factory=list)


def is_blank_template(folder: Path) -> bool:
    """True when `folder` holds only what `qz new-year` wrote (headers, facts without values, the profile,
    the declarations and the draft text, which an import keeps): safe to replace."""
    if not folder.is_dir():
        return False
    for path in folder.iterdir():
        if path.is_dir() or path.name in (MANIFEST, CATALOGUE_FILE, "school.yaml"):
            continue
        if path.suffix != ".csv":
            return False
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig", errors="replace"))))
        if path.name == "facts.csv":
            if any((row.get("value") or "").strip() for row in rows):
                return False
        elif any(any((v or "").strip() for v in row.values() if isinstance(v, str)) for row in rows):
            return False
    return True


def _csv_text(header: list[str], rows: list[list[str]]) -> tuple[str, list[int]]:
    """CSV text and the CSV line each row starts on (cells may hold line breaks)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    lines = []
    for row in rows:
        lines.append(out.getvalue().count("\n") + 1)
        writer.writerow(row)
    return out.getvalue(), lines


Origins = dict[int, tuple[SheetData, int]]  # CSV line → (sheet, Excel row), for messages


def _csv_with_lines(data: SheetData) -> tuple[str, Origins]:
    """CSV text of a sheet and where each CSV line came from."""
    text, lines = _csv_text(data.header, data.rows)
    origins = {1: (data, HEADER_ROW)}
    origins.update({line: (data, row) for line, row in zip(lines, data.excel_rows, strict=True)})
    return text, origins


_LINE_IN_TEXT = re.compile(r"第 (\d+) 行")
_COLUMN_IN_TEXT = re.compile(r"第 (\d+) 列")


def _letters(text: str | None) -> str | None:
    """ "第 8 列" (a CSV column number) → "H 列", as Excel names it."""
    return _COLUMN_IN_TEXT.sub(lambda m: f"{get_column_letter(int(m.group(1)))} 列", text) if text else text


def _named_in(f: Finding, staged: Path, folder: Path) -> Finding:
    """A finding on a staged file (school.yaml, catalogue.yaml…) names the file where it will live, not the
    temporary folder that is gone once the command ends."""
    if not f.file:
        return f
    try:
        return replace(f, file=str(folder / Path(f.file).relative_to(staged)))
    except ValueError:
        return f


def _translate(f: Finding, line_maps: dict[str, Origins], catalogue: Catalogue) -> Finding:
    """A CSV finding → the same finding naming the sheet, Excel row and Chinese column title."""
    if not f.file:
        return f
    table = Path(f.file).stem
    if table not in line_maps:
        return f
    data, row = line_maps[table][1][0], f.line
    if f.line is not None and f.line in line_maps[table]:
        data, row = line_maps[table][f.line]
    spec = OWN_FACTS_SPEC if data.sheet == OWN_FACTS_SHEET else catalogue.tables.get(table)
    column = column_label(spec, data, f.column) if spec is not None else f.column
    message = f.message.replace(f"{table}.csv", f"工作表“{data.sheet}”")
    # other lines named in the message ("与第 2 行重复") are CSV lines too: name their Excel rows
    origins = line_maps[table]
    message = _LINE_IN_TEXT.sub(
        lambda m: f"第 {origins[int(m.group(1))][1] if int(m.group(1)) in origins else m.group(1)} 行",
        message,
    )
    return Finding(
        f.level,
        f.check,
        message,
        f"工作表“{data.sheet}”",
        row,
        _letters(column),
        f.value,
        _letters(f.expected),
    )


@dataclass
class Workbook:
    """A workbook as read: the data sheets by table, the declarations, and the catalogue they make."""

    sheets: dict[str, SheetData]
    report: Report
    declarations: Declarations
    catalogue: Catalogue


def read_workbook(path: Path) -> Workbook:
    """Every data sheet of the workbook, read against the built-in tables and the tables it declares
    itself; problems with the workbook itself as findings."""
    report = Report(checks_run=["workbook"])
    sheets: dict[str, SheetData] = {}
    builtin = Catalogue.builtin()
    wb, problem = open_workbook(path)
    if wb is None:
        message, expected = problem
        report.add(Finding(Level.FAIL, "workbook", message, str(path), expected=expected))
        return Workbook(sheets, report, Declarations(), builtin)
    for note in problem:
        report.add(Finding(Level.INFO, "workbook", note, str(path)))
    own: dict[str, SheetData] = {}
    for name, spec in ((OWN_FACTS_SHEET, OWN_FACTS_SPEC), (OWN_TABLES_SHEET, OWN_TABLES_SPEC)):
        if name in wb.sheetnames:
            data, findings = read_sheet(wb[name], spec.name, spec)
            report.findings.extend(findings)
            own[name] = data
    declarations = read_declarations(own.get(OWN_FACTS_SHEET), own.get(OWN_TABLES_SHEET), builtin)
    report.findings.extend(declarations.findings)
    catalogue = declarations.catalogue(builtin)
    names = sheet_names(catalogue.tables)
    for ws in wb.worksheets:
        if ws.title in (INFO_SHEET, LISTS_SHEET, OWN_FACTS_SHEET, OWN_TABLES_SHEET):
            continue
        table = table_for_sheet(ws.title, catalogue.tables)
        if table is None:
            report.add(undeclared_sheet(ws.title, list(names.values())))
            continue
        if table in sheets:
            report.add(
                Finding(
                    Level.FAIL,
                    "workbook",
                    f"与工作表“{sheets[table].sheet}”是同一张数据表，重复",
                    f"工作表“{ws.title}”",
                )
            )
            continue
        data, findings = read_sheet(ws, table, catalogue.tables[table])
        report.findings.extend(findings)
        sheets[table] = data
    return Workbook(sheets, report, declarations, catalogue)


NOT_XLSX = "无法作为 Excel 工作簿（.xlsx）打开："
RESAVE_XLSX = "在 Excel 或 WPS 中打开，“另存为 → Excel 工作簿 (*.xlsx)”，再导入"
# openpyxl's warnings about parts of a workbook it does not read, in words for the analyst.
_IGNORED_FEATURES = {
    "Data Validation": "数据验证（下拉列表等）扩展",
    "Conditional Formatting": "条件格式扩展",
    "Slicer": "切片器",
    "Sparkline": "迷你图",
    "Protected Range": "受保护区域",
    "Ignored Error": "忽略错误标记",
    "Timeline": "日程表",
    "conditional formatting": "条件格式规则",
    "comment": "批注",
    "extension": "Excel 扩展功能",
    "default style": "默认样式",
    "Print area": "打印区域",
    "header or footer": "页眉页脚",
    "DrawingML": "图形或图片",
}


def open_workbook(path: Path):
    """(workbook, notes) for a readable .xlsx; (None, (message, expected)) otherwise. Whatever the file
    is (.xls, .et, CSV, a renamed file, not a file at all), the message is Chinese and names no
    installation path; openpyxl's English warnings become notes naming the ignored feature."""
    try:
        head = path.read_bytes()[:8]
    except FileNotFoundError:
        return None, ("找不到工作簿文件", "工作簿的路径（如 data/2022-填报模板.xlsx）")
    except IsADirectoryError:
        return None, ("这是一个文件夹，不是工作簿", "填好的 .xlsx 文件")
    except OSError as exc:
        return None, (f"无法读取文件：{exc.strerror or type(exc).__name__}", "可读取的 .xlsx 文件")
    suffix = path.suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        kind = "WPS 表格（.et）" if suffix == ".et" else "旧版 Excel（.xls）"
        return None, (f"{NOT_XLSX}这是{kind}格式的文件", RESAVE_XLSX)
    if not head.startswith(b"PK\x03\x04"):
        try:
            decode_bytes(path.read_bytes())
            is_text = True
        except FileKindError:
            is_text = False
        if is_text:
            return None, (
                f"{NOT_XLSX}这是文本文件（如 CSV）",
                "CSV 不用导入：放进 data/<年度>/ 后运行 qz validate；或在 Excel 中打开后"
                + RESAVE_XLSX.removeprefix("在 Excel 或 WPS 中打开，"),
            )
        return None, (f"{NOT_XLSX}不是 Excel 文件", RESAVE_XLSX)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with open(path, "rb") as fh:  # a file object: openpyxl does not insist on the .xlsx suffix
                wb = load_workbook(fh, data_only=False)
        except Exception as exc:  # noqa: BLE001 - any failure of a third-party parser is "not a workbook"
            detail = (
                "其他压缩文件（如 .docx）" if isinstance(exc, KeyError | zipfile.BadZipFile) else "已损坏"
            )
            return None, (f"{NOT_XLSX}文件是{detail}", RESAVE_XLSX)
    features = []
    for w in caught:
        text = str(w.message)
        features.append(next((v for k, v in _IGNORED_FEATURES.items() if k in text), "其他 Excel 功能"))
    notes = [f"工作簿中的{f}不被本程序读取，已忽略（不影响数据）" for f in dict.fromkeys(features)]
    return wb, notes


def _facts_csv(
    facts: SheetData | None, declared: Declarations, spec: TableSpec
) -> tuple[str, Origins] | None:
    """facts.csv: the built-in facts sheet's rows, then the own facts' values, each line mapped to its sheet."""
    if facts is None and not declared.values:
        return None
    header = facts.header if facts is not None else spec.field_names
    rows = [list(r) for r in facts.rows] if facts is not None else []
    sources = [(facts, r) for r in facts.excel_rows] if facts is not None else []
    own_sheet = SheetData(OWN_FACTS_SHEET, "facts", header, {})
    for v in declared.values:
        cells = {"id": v.id, "label": v.label, "value": v.value, "unit": v.unit, "note": v.note}
        rows.append([cells.get(name, "") for name in header])
        sources.append((own_sheet, v.excel_row))
    text, lines = _csv_text(header, rows)
    origins = {1: (facts or own_sheet, HEADER_ROW)}
    origins.update(dict(zip(lines, sources, strict=True)))
    return text, origins


def _kept_rules(folder: Path, catalogue: Catalogue, report: Report) -> list[dict]:
    """The year's own audit rules from its existing catalogue.yaml, when their facts are still declared."""
    path = folder / CATALOGUE_FILE
    if not path.is_file():
        return []
    try:
        rules = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []
    except (yaml.YAMLError, UnicodeDecodeError, AttributeError):
        return []
    kept = []
    for rule in rules if isinstance(rules, list) else []:
        if rule_problems(rule, catalogue.facts, catalogue.tables):
            report.add(
                Finding(
                    Level.INFO,
                    "own_catalogue",
                    "原有的核查规则所涉及的数值已不再登记，未保留",
                    str(path),
                    value=str(rule.get("item", "")) if isinstance(rule, dict) else str(rule)[:40],
                )
            )
        else:
            kept.append(rule)
    return kept


def _keep_non_table_files(folder: Path, staged: Path, replace_catalogue: bool) -> None:
    """Carry over from the year's folder what the workbook does not hold (school.yaml, text/, …)."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.suffix == ".csv" or path.name == MANIFEST or path.name.startswith("."):
            continue
        if path.name == CATALOGUE_FILE and replace_catalogue:
            continue
        if path.is_dir():
            shutil.copytree(path, staged / path.name)
        else:
            shutil.copy2(path, staged / path.name)


def import_workbook(
    path, year: int, data_dir=None, force: bool = False, source: str | None = None
) -> ImportResult:
    """Validate the workbook and, only if it is clean, write data/<Y>/ atomically and its manifest."""
    year, path = int(year), Path(path)
    folder = year_dir(year, data_dir)
    result = ImportResult(year, folder, Report())
    report = result.report
    if folder.exists() and not force and not is_blank_template(folder):
        report.add(
            Finding(
                Level.FAIL,
                "destination",
                f"{year} 年的数据已存在，未导入",
                str(folder),
                expected="确认要用工作簿替换现有数据时加 --force",
            )
        )
    book = read_workbook(path)
    sheets, book_report, catalogue = book.sheets, book.report, book.catalogue
    report.extend(book_report)
    if not sheets and not book.declarations.values and not book_report.errors:
        report.add(Finding(Level.FAIL, "workbook", "工作簿中没有任何数据表工作表", str(path)))
    names = sheet_names(catalogue.tables)
    for table in catalogue.tables:
        data = sheets.get(table)
        if data is None:
            if book_report.errors and not sheets:
                continue
            report.add(
                Finding(
                    Level.INFO,
                    "workbook",
                    "没有这张工作表，本年度按未提供处理",
                    f"工作表“{names[table]}”",
                )
            )
            result.not_provided.append(table)
        elif not data.rows and not (table == "facts" and book.declarations.values):
            sheets.pop(table)
            report.add(
                Finding(Level.INFO, "workbook", "工作表没有数据，本年度按未提供处理", f"工作表“{data.sheet}”")
            )
            result.not_provided.append(table)
    if "facts" in sheets and sheets["facts"].unfilled:
        result.unfilled_facts = [u for u in sheets["facts"].unfilled if u]
        report.add(
            Finding(
                Level.INFO,
                "workbook",
                f"{len(result.unfilled_facts)} 项数值未填，按缺失处理（不会当作 0）",
                f"工作表“{sheets['facts'].sheet}”",
                value="、".join(result.unfilled_facts[:10])
                + ("……" if len(result.unfilled_facts) > 10 else ""),
            )
        )
    if not sheets and not book.declarations.values:
        return result

    root = data_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    tmp_root = Path(tempfile.mkdtemp(prefix=f".{year}.import-", dir=root))
    try:
        staged = tmp_root / str(year)
        staged.mkdir()
        line_maps: dict[str, Origins] = {}
        texts = {table: _csv_with_lines(data) for table, data in sheets.items() if table != "facts"}
        facts = _facts_csv(sheets.get("facts"), book.declarations, catalogue.tables["facts"])
        if facts is not None:
            texts["facts"] = facts
        for table, (text, origins) in texts.items():
            line_maps[table] = origins
            (staged / catalogue.tables[table].filename).write_text(text, encoding="utf-8")
        _keep_non_table_files(folder, staged, replace_catalogue=book.declarations.present)
        if book.declarations.present:
            rules = _kept_rules(folder, catalogue, report)
            if book.declarations.facts or book.declarations.tables or rules:
                text = catalogue_yaml(book.declarations, rules)
                (staged / CATALOGUE_FILE).write_text(text, encoding="utf-8")
        checked = read_year(year, tmp_root)
        for finding in checked.report.findings:
            if finding.check in ("manifest", "year_folder", "text", "text_references"):  # not the workbook's
                continue
            report.add(_translate(_named_in(finding, staged, folder), line_maps, checked.catalogue))
        report.checks_run.extend(c for c in checked.report.checks_run if c not in report.checks_run)
        if not report.ok:
            return result
        old = tmp_root / "previous"
        if folder.exists():
            os.replace(folder, old)
        try:
            os.replace(staged, folder)
        except OSError:
            if old.exists():
                os.replace(old, folder)
            raise
        result.written = True
        result.tables = sorted(texts)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    write_manifest(year, data_dir, source or f"由工作簿 {path.name} 导入（qz import）")
    return result
