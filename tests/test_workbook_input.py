"""Bad input as analysts make it in Excel and WPS (issue 10), workbook side: `qz import` says what a file is,
names merged ranges and Excel rows, keeps leading zeros, leaks no English warning; `qz new-year` writes
every cell as text, never as a formula."""

from __future__ import annotations

import re
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qzanalysis.core.catalog import table_specs
from qzanalysis.core.dataset import read_year
from qzanalysis.core.paths import DEFAULT_DATA_DIR
from qzanalysis.tools import cli
from qzanalysis.tools.yearly import import_workbook, new_year
from qzanalysis.tools.yearly.template import build_workbook, workbook_path
from qzanalysis.tools.yearly.workbook import FIRST_DATA_ROW, LISTS_SHEET, sheet_names

PLAN = table_specs()["enrolment_plan"]
PLAN_ROWS = [
    [1, "电气设备运行与控制", "660302", "中本一体化", "教育", 40, None],
    [2, "汽车运用与维修", "700206", "中高职一体化", "教育", 40, None],
]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("workbook") / "data"
    for year in ("2020", "2021"):
        shutil.copytree(DEFAULT_DATA_DIR / year, data / year)
    new_year(2022, data)
    return data


@pytest.fixture
def root(base, tmp_path) -> Path:
    shutil.copytree(base, tmp_path / "data")
    return tmp_path / "data"


def plan_book(root: Path, rows=PLAN_ROWS, edit=None) -> Path:
    """The 2022 template with only the enrolment plan filled (other sheets: not provided this year)."""
    wb = load_workbook(workbook_path(2022, root))
    ws = wb[sheet_names()["enrolment_plan"]]
    for r, row in enumerate(rows, start=FIRST_DATA_ROW):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)
    if edit:
        edit(ws)
    out = root.parent / "filled.xlsx"
    wb.save(out)
    return out


def no_english(text: str) -> None:
    assert "Traceback" not in text and "site-packages" not in text
    assert not re.search(r"\b(Error|Warning|openpyxl|not supported|File)\b", text), text


# ---- what the file is ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, content, said",
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "旧版 Excel（.xls）格式"),
        ("wps.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "WPS 表格（.et）格式"),
        ("data.csv", "学期,资助类型\n2022年春季学期,免学费\n".encode(), "这是文本文件（如 CSV）"),
        ("word.docx", None, "其他压缩文件"),
        ("random.xlsx", bytes(range(256)) * 4, "不是 Excel 文件"),
    ],
)
def test_import_of_a_file_that_is_not_a_workbook_says_what_it_is(root, tmp_path, capsys, name, content, said):
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("word/document.xml", "<w:document/>")
    else:
        path.write_bytes(content)
    assert cli.main(["import", str(path), "--year", "2022", "--data-dir", str(root)]) == 1
    out, err = capsys.readouterr()
    assert "无法作为 Excel 工作簿（.xlsx）打开" in out and said in out
    assert "另存为" in out or "qz validate" in out
    no_english(out + err)


def test_import_of_a_missing_file_or_a_folder(root, tmp_path, capsys):
    assert cli.main(["import", str(tmp_path / "nope.xlsx"), "--year", "2022", "--data-dir", str(root)]) == 1
    assert cli.main(["import", str(tmp_path), "--year", "2022", "--data-dir", str(root)]) == 1
    out, err = capsys.readouterr()
    assert "找不到工作簿文件" in out and "这是一个文件夹" in out
    no_english(out + err)


def test_a_renamed_xlsx_is_read_whatever_its_suffix(root):
    book = plan_book(root)
    renamed = book.with_suffix(".et")
    book.rename(renamed)
    result = import_workbook(renamed, 2022, root)
    assert result.written, result.report.format()


def test_openpyxl_warnings_become_chinese_notes(root, capsys):
    """A data-validation extension (Excel's x14 lists) made openpyxl warn in English with its path."""
    book = plan_book(root)
    patched = book.with_name("ext.xlsx")
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(patched, "w") as dst:
        sheet = next(n for n in src.namelist() if n.startswith("xl/worksheets/sheet"))
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == sheet:
                ext = (
                    '<extLst><ext uri="{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}" '
                    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
                    "<x14:dataValidations/></ext></extLst></worksheet>"
                )
                data = data.replace(b"</worksheet>", ext.encode())
            dst.writestr(item, data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may leak
        assert cli.main(["import", str(patched), "--year", "2022", "--data-dir", str(root), "-v"]) == 0
    out, err = capsys.readouterr()
    assert "工作簿中的数据验证（下拉列表等）扩展不被本程序读取，已忽略" in out
    no_english(out + err)


# ---- merged cells, rows, leading zeros ---------------------------------------------------------------------
def test_merged_cells_are_named_with_the_fix(root):
    def merge(ws):
        ws.merge_cells(f"D{FIRST_DATA_ROW}:D{FIRST_DATA_ROW + 1}")

    result = import_workbook(plan_book(root, edit=merge), 2022, root)
    assert not result.written
    (f,) = result.report.errors
    assert f.check == "workbook_merged" and f.line == FIRST_DATA_ROW and f.column == "学制，D 列"
    assert "合并了单元格 D3:D4" in f.message and "取消合并" in f.expected and "中本一体化" in f.expected


def test_duplicate_key_names_excel_rows(root):
    rows = [PLAN_ROWS[0], [1, *PLAN_ROWS[1][1:]]]
    result = import_workbook(plan_book(root, rows), 2022, root)
    (f,) = result.report.errors
    assert f.line == FIRST_DATA_ROW + 1 and f"与第 {FIRST_DATA_ROW} 行重复" in f.message
    assert f.file == f"工作表“{sheet_names()['enrolment_plan']}”"


def test_zero_padded_codes_keep_their_zeros(root):
    def pad(ws):
        ws.cell(FIRST_DATA_ROW, 3, 109).number_format = "0000"

    result = import_workbook(plan_book(root, edit=pad), 2022, root)
    assert result.written, result.report.format()
    assert read_year(2022, root).table("enrolment_plan")["major_code"].iloc[0] == "0109"


def test_a_code_that_lost_its_zero_is_refused_in_words(root):
    def general(ws):
        ws.cell(FIRST_DATA_ROW, 3, 109)

    (f,) = import_workbook(plan_book(root, edit=general), 2022, root).report.errors
    assert (f.line, f.value, f.message) == (FIRST_DATA_ROW, "109", "格式不符")
    assert f.expected.startswith("4–6 位数字") and "文本" in f.expected and "[0-9]" not in f.expected


def test_template_code_and_text_columns_are_text_cells(root):
    ws = load_workbook(workbook_path(2022, root))[sheet_names()["enrolment_plan"]]
    formats = {PLAN.fields[c - 1].name: ws.cell(FIRST_DATA_ROW, c).number_format for c in range(1, 8)}
    assert formats["major_code"] == "@" and formats["major"] == "@"
    assert formats["planned"] == "General"


def test_formula_typed_as_text_in_a_workbook_is_refused(root):
    def formula_text(ws):
        cell = ws.cell(FIRST_DATA_ROW, 2, '=HYPERLINK("http://x.cn","点击查看")')
        cell.data_type = "s"  # typed with a leading apostrophe: text, not a formula

    (f,) = import_workbook(plan_book(root, edit=formula_text), 2022, root).report.errors
    assert f.check == "formula" and f.line == FIRST_DATA_ROW and "以“=”开头" in f.message


# ---- new-year writes text only ---------------------------------------------------------------------------------
def test_every_cell_new_year_writes_is_text_never_a_formula(tmp_path):
    previous = read_year(2021)
    plan = previous.tables["enrolment_plan"].copy()
    plan.loc[0, "major"] = '=HYPERLINK("http://x.cn","点击查看")'
    plan.loc[1, "major"] = "@SUM(A1)"
    previous.tables["enrolment_plan"] = plan
    path = tmp_path / "book.xlsx"
    build_workbook(2022, previous).save(path)
    wb = load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type == "s" and isinstance(c.value, str) for c in cells)
    listed = [c for c in cells if c.parent.title == LISTS_SHEET]
    formula = next(c for c in listed if c.value.startswith("=HYPERLINK"))
    assert formula.quotePrefix and formula.value == '=HYPERLINK("http://x.cn","点击查看")'
    with zipfile.ZipFile(path) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_a_value_beyond_the_header_is_named_by_its_excel_column(root):
    def stray(ws):
        ws.cell(FIRST_DATA_ROW + 1, 9, "多填的一格")

    (f,) = import_workbook(plan_book(root, edit=stray), 2022, root).report.errors
    assert (f.line, f.column, f.value) == (FIRST_DATA_ROW + 1, "I 列（表头之外）", "多填的一格")
