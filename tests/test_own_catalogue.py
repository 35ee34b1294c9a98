"""A year's own facts, tables and rules: in catalogue.yaml, through the workbook, across years."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from qzanalysis import data_version, load_year, read_year
from qzanalysis.core.dataset import write_manifest
from qzanalysis.indicators.audit import audit
from qzanalysis.tools.cli import main
from qzanalysis.tools.yearly import import_workbook, new_year
from qzanalysis.tools.yearly.importer import is_blank_template
from qzanalysis.tools.yearly.template import workbook_path
from qzanalysis.tools.yearly.workbook import FIRST_DATA_ROW, OWN_FACTS_SHEET, OWN_TABLES_SHEET
from tests.test_year_catalogue import OWN, add_declarations


# ---- catalogue.yaml: rules and other years ------------------------------------------------------
def test_the_years_own_rules_run_in_its_audit():
    table = audit(load_year(2021), None)
    row = table.set_index("项目").loc["获奖论文 = 各等级之和"]
    assert row["结论"] == "一致" and "市三等奖 18" in row["算法"]


def test_bad_own_rules_are_findings_with_their_line(data_copy):
    path = data_copy / "2021" / "catalogue.yaml"
    text = path.read_text(encoding="utf-8")
    text += "  - {kind: guess, section: '1.3', item: x}\n"
    text += "  - {kind: sum, section: '1.3', item: y, parts: [not_a_fact], total: papers_awarded}\n"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    errors = [str(f) for f in read_year(2021, data_copy).report.errors if f.check == "catalogue"]
    guess = lines.index("  - {kind: guess, section: '1.3', item: x}") + 1
    assert any(f"第 {guess} 行" in e and "规则种类不对" in e and "guess" in e for e in errors), errors
    assert any(f"第 {guess + 1} 行" in e and "未登记的数值代码" in e and "not_a_fact" in e for e in errors)


def test_a_fact_only_another_year_declares_reads_as_missing(data_2020):
    assert "young_craftsmen" not in data_2020.catalogue.facts
    assert math.isnan(data_2020.fact("young_craftsmen"))
    assert data_2020.fact_spec("young_craftsmen").label == "浙江省青年工匠"
    with pytest.raises(KeyError, match="未登记"):
        data_2020.fact("young_craftsman")  # a typo still raises


# ---- manifest and data version --------------------------------------------------------------------
def test_manifest_and_version_cover_profile_catalogue_and_text(data_copy):
    folder = data_copy / "2021"
    write_manifest(2021, data_copy)
    files = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))["files"]
    assert {"school.yaml", "catalogue.yaml", "text/ch01_school.md", "facts.csv"} <= set(files)
    assert "rows" in files["facts.csv"] and "rows" not in files["school.yaml"]
    assert read_year(2021, data_copy).report.warnings == []
    for name in ("school.yaml", "text/ch01_school.md"):
        before = data_version(2021, data_copy)
        with (folder / name).open("a", encoding="utf-8") as fh:
            fh.write("\n")
        assert data_version(2021, data_copy) != before, name
        warned = [str(f) for f in read_year(2021, data_copy).report.warnings]
        assert any(name in w and "哈希不一致" in w for w in warned), name
    (folder / "sources").mkdir()
    (folder / "sources" / "scan.txt").write_text("x", encoding="utf-8")
    assert any("sources/scan.txt" in str(f) for f in read_year(2021, data_copy).report.warnings)


# ---- the workbook --------------------------------------------------------------------------------------
@pytest.fixture
def root(tmp_path) -> Path:
    """data/2021 with an own table (teacher_awards) and its data, and a blank 2022 from new-year."""
    root = tmp_path / "data"
    shutil.copytree(Path(__file__).parents[1] / "data" / "2021", root / "2021")
    add_declarations(root / "2021", OWN)  # an own fact and the own table teacher_awards
    (root / "2021" / "teacher_awards.csv").write_text("award,people\n省教坛新秀,1\n", encoding="utf-8")
    (root / "2021" / "manifest.yaml").unlink()
    assert load_year(2021, root).table("teacher_awards") is not None
    new_year(2022, root)
    return root


def _row(ws, first_col_value) -> int:
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        if ws.cell(r, 1).value == first_col_value:
            return r
    raise LookupError(first_col_value)


def _next_row(ws) -> int:
    return (
        max([r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None] + [FIRST_DATA_ROW - 1])
        + 1
    )


def test_new_year_carries_own_tables_into_the_folder_and_the_workbook(root):
    folder = root / "2022"
    assert (folder / "teacher_awards.csv").read_text(encoding="utf-8") == "award,people\n"
    assert is_blank_template(folder)
    wb = load_workbook(workbook_path(2022, root))
    assert "教师获奖情况" in wb.sheetnames
    assert [c.value for c in wb["教师获奖情况"][1]] == ["奖项", "人数（人）"]
    structure = wb[OWN_TABLES_SHEET]
    row = _row(structure, "teacher_awards")
    assert [structure.cell(row, c).value for c in range(1, 6)] == [
        "teacher_awards",
        "教师获奖情况",
        "1.3.1",
        "award",
        "奖项",
    ]
    info = " ".join(str(c.value) for col in wb["填写说明"].iter_cols() for c in col if c.value)
    assert OWN_TABLES_SHEET in info and "没有登记的工作表不会导入" in info


def test_import_writes_own_facts_tables_and_catalogue(root, tmp_path):
    book = workbook_path(2022, root)
    wb = load_workbook(book)
    facts = wb[OWN_FACTS_SHEET]
    facts.cell(_row(facts, "young_craftsmen"), 5, "4")
    new = _next_row(facts)  # an own fact the analyst adds this year
    for col, value in enumerate(["drone_courses", "无人机课程", "门", "3.2.1", "2", "整数"], start=1):
        facts.cell(new, col, value)
    wb["教师获奖情况"].cell(FIRST_DATA_ROW, 1, "市学科带头人")
    wb["教师获奖情况"].cell(FIRST_DATA_ROW, 2, 3)
    # a new own table: declared on the structure sheet, its data on a sheet named by its title
    structure = wb[OWN_TABLES_SHEET]
    start = _next_row(structure)
    for i, row in enumerate(
        [
            ["club_members", "社团人数", "3.5.4", "club", "社团", "文本", "", "是", "是"],
            ["club_members", "", "", "members", "人数", "整数", "人", "否", "否", 0],
        ]
    ):
        for col, value in enumerate(row, start=1):
            structure.cell(start + i, col, value)
    clubs = wb.create_sheet("社团人数")
    clubs.append(["社团", "人数（人）"])
    clubs.append(["机器人社", 25])
    wb.save(tmp_path / "filled.xlsx")

    profile = (root / "2022" / "school.yaml").read_bytes()  # as new-year wrote it
    result = import_workbook(tmp_path / "filled.xlsx", 2022, root, force=True)
    assert result.written, result.report.format()
    data = load_year(2022, root)
    assert data.fact("young_craftsmen") == 4 and data.fact("drone_courses") == 2
    assert data.fact_spec("drone_courses").type == "integer"
    assert list(data.table("teacher_awards")["people"]) == [3]
    assert list(data.table("club_members")["members"]) == [25]
    declared = yaml.safe_load((root / "2022" / "catalogue.yaml").read_text(encoding="utf-8"))
    assert {"club_members", "teacher_awards"} == set(declared["tables"])
    assert "drone_courses" in {f["id"] for f in declared["facts"]}
    assert {r["item"] for r in declared["rules"]} >= {"获奖论文 = 各等级之和"}  # the year's rules are kept
    # what the workbook does not hold is kept: the profile (and the text, when there is one)
    assert (root / "2022" / "school.yaml").read_bytes() == profile


def test_an_undeclared_extra_sheet_is_refused_with_how_to_declare_it(root, tmp_path):
    wb = load_workbook(workbook_path(2022, root))
    extra = wb.create_sheet("技能大赛获奖")
    extra.append(["项目", "人数"])
    extra.append(["数控车", 2])
    wb.save(tmp_path / "extra.xlsx")
    result = import_workbook(tmp_path / "extra.xlsx", 2022, root)
    assert not result.written
    text = result.report.format()
    assert "工作表“技能大赛获奖”" in text and f"请先在工作表“{OWN_TABLES_SHEET}”中登记" in text
    assert is_blank_template(root / "2022")  # nothing written


def test_bad_own_declarations_name_the_sheet_row_and_column(root, tmp_path):
    wb = load_workbook(workbook_path(2022, root))
    facts = wb[OWN_FACTS_SHEET]
    row = _next_row(facts)
    for col, value in enumerate(["students_total", "在籍学生数", "人", "1.2", "5"], start=1):
        facts.cell(row, col, value)
    for col, value in enumerate(["Bad-Id", "某数", "人", "1.2", "5"], start=1):
        facts.cell(row + 1, col, value)
    facts.cell(_row(facts, "young_craftsmen"), 5, "三")  # not a number
    wb.save(tmp_path / "bad.xlsx")
    result = import_workbook(tmp_path / "bad.xlsx", 2022, root)
    assert not result.written
    text = result.report.format()
    assert f"工作表“{OWN_FACTS_SHEET}”，第 {row} 行，列“代码”：与内置目录中的代码重复" in text, text
    assert f"工作表“{OWN_FACTS_SHEET}”，第 {row + 1} 行，列“代码”：代码格式不对" in text
    young = _row(facts, "young_craftsmen")
    assert f"工作表“{OWN_FACTS_SHEET}”，第 {young} 行，列“数值”" in text and "“三”" in text


def test_import_keeps_the_text_folder(root, tmp_path):
    (root / "2022" / "text").mkdir(exist_ok=True)  # new-year copied 2021's text as a draft
    (root / "2022" / "text" / "ch01_school.md").write_text("草稿\n", encoding="utf-8")
    wb = load_workbook(workbook_path(2022, root))
    wb[OWN_FACTS_SHEET].cell(_row(wb[OWN_FACTS_SHEET], "young_craftsmen"), 5, "4")
    wb.save(tmp_path / "one.xlsx")
    result = import_workbook(tmp_path / "one.xlsx", 2022, root)
    assert result.written, result.report.format()
    assert (root / "2022" / "text" / "ch01_school.md").read_text(encoding="utf-8") == "草稿\n"


# ---- a school's first year: the profile template ---------------------------------------------------
def test_first_year_gets_a_commented_profile_template(tmp_path, capsys):
    root = tmp_path / "data"
    assert main(["new-year", "2023", "--data-dir", str(root)]) == 0
    assert "学校概况模板" in capsys.readouterr().out
    text = (root / "2023" / "school.yaml").read_text(encoding="utf-8")
    assert all(line.startswith("#") for line in text.splitlines())
    assert "# types: [中等职业学校]" in text and "full_time_plus_part_time" in text
    data = read_year(2023, root)
    assert data.profile is None and any("尚未填写" in f.message for f in data.report.warnings)


def test_an_own_table_shows_under_its_section_without_a_notebook_cell(root, monkeypatch):
    import IPython.display

    from qzanalysis.report.text import show_own_tables, show_section

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    data = load_year(2021, root)
    show_section(data, "1.3.1")
    page = "\n".join(str(getattr(o, "data", o)) for o in shown)
    text_at = page.index("1.3.1")
    table_at = page.index("教师获奖情况")
    assert text_at < table_at and "省教坛新秀" in page[table_at:] and "人数" in page[table_at:]
    assert show_own_tables(data, "1.3.2") == []  # only under its own section
    assert show_own_tables(load_year(2021), "1.3.1") == []  # the built-in tables are the chapters' to place
