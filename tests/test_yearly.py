"""The annual rerun: qz new-year → fill the workbook → qz import → changes since last year → render.

All writes go to tmp_path copies of data/; tests/fixtures/synthetic_2022 is SYNTHETIC data (see its README).
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from qzanalysis.core.catalog import fact_specs, table_specs
from qzanalysis.core.dataset import load_year, read_year
from qzanalysis.core.paths import DEFAULT_DATA_DIR, NOTEBOOK_DIR
from qzanalysis.indicators import changes
from qzanalysis.report.chapters import ch11_changes
from qzanalysis.tools import cli
from qzanalysis.tools.yearly import import_workbook, new_year
from qzanalysis.tools.yearly.importer import is_blank_template
from qzanalysis.tools.yearly.template import YearExistsError, workbook_path
from qzanalysis.tools.yearly.workbook import (
    FIRST_DATA_ROW,
    INFO_SHEET,
    LISTS_SHEET,
    NOTES_MARK,
    OWN_FACTS_SHEET,
    OWN_TABLES_SHEET,
    column_title,
    sheet_name,
    sheet_names,
    table_for_sheet,
)

SYNTHETIC = Path(__file__).parent / "fixtures" / "synthetic_2022"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """Built once: copies of the real 2020 and 2021 folders, `new-year 2022`, and filled workbooks."""
    top = tmp_path_factory.mktemp("yearly")
    data = top / "data"
    for year in ("2020", "2021"):
        shutil.copytree(DEFAULT_DATA_DIR / year, data / year)
    new_year(2022, data)
    book = workbook_path(2022, data)
    fill_workbook(book, SYNTHETIC, top / "filled.xlsx")
    fill_workbook(book, SYNTHETIC, top / "partial.xlsx", skip=PARTIAL_SKIP, skip_facts=PARTIAL_FACTS)
    return top


@pytest.fixture
def root(base, tmp_path) -> Path:
    """A fresh copy of the data root (2020, 2021 and the blank 2022) for each test."""
    shutil.copytree(base / "data", tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def template(root) -> Path:
    return workbook_path(2022, root)


@pytest.fixture
def filled(base, tmp_path) -> Path:
    return Path(shutil.copy(base / "filled.xlsx", tmp_path / "filled.xlsx"))


PARTIAL_SKIP = ("funding", "satisfaction", "starting_salaries", "program_levels")
PARTIAL_FACTS = ("land_area_mu", "enrolment", "full_time_teachers")


def fill_workbook(book: Path, source: Path, out: Path, skip: tuple[str, ...] = (), skip_facts=()) -> Path:
    """Type a folder's CSVs into the template the way an analyst would: numbers as numbers, facts as text;
    facts the year declares itself go on the 本校自定义数值 sheet, where new-year listed them."""
    wb = load_workbook(book)
    own = wb[OWN_FACTS_SHEET]
    own_row = {v: r for r in range(FIRST_DATA_ROW, own.max_row + 1) if (v := own.cell(r, 1).value)}
    for table, spec in table_specs().items():
        path = source / spec.filename
        if table in skip or not path.exists():
            continue
        ws = wb[sheet_name(spec)]
        with open(path, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        if table == "facts":
            row_of = {ws.cell(r, 1).value: r for r in range(FIRST_DATA_ROW, ws.max_row + 1)}
            col = {name: i + 1 for i, name in enumerate(spec.field_names)}
            for row in rows:
                if row["id"] in skip_facts:
                    continue
                if row["id"] in row_of:
                    ws.cell(row_of[row["id"]], col["value"], row["value"])  # text column: decimals kept
                    ws.cell(row_of[row["id"]], col["note"], row["note"] or None)
                else:  # 代码 名称 单位 章节 数值 类型 性质 最大值 说明
                    own.cell(own_row[row["id"]], 5, row["value"])
                    own.cell(own_row[row["id"]], 9, row["note"] or None)
            continue
        for r, row in enumerate(rows, start=FIRST_DATA_ROW):
            for c, f in enumerate(spec.fields, start=1):
                text = row.get(f.name, "")
                if text == "":
                    continue
                value = int(text) if f.type == "integer" else float(text) if f.type == "number" else text
                ws.cell(r, c, value)
    wb.save(out)
    return out


def folder_hashes(folder: Path) -> dict[str, str]:
    """Every file of a year folder (the text in text/ included) → its hash."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ---- new-year -----------------------------------------------------------------------------------
def test_sheet_names_map_back_to_tables():
    names = sheet_names()
    assert len(set(names.values())) == len(names)
    for table, name in names.items():
        assert len(name) <= 31
        assert table_for_sheet(name) == table
        assert table_for_sheet(table) == table  # the code name is accepted too
    assert table_for_sheet("随便起的名字") is None


def test_new_year_writes_headers_facts_catalogue_and_workbook(root, template):
    folder = root / "2022"
    # the tables' blank CSVs, and what the new year starts from: last year's profile, own declarations and
    # its text as a draft
    carried = ["catalogue.yaml", "school.yaml"]
    assert sorted(p.name for p in folder.glob("*.csv")) == sorted(s.filename for s in table_specs().values())
    assert sorted(p.name for p in folder.iterdir() if p.suffix != ".csv") == sorted(carried + ["text"])
    assert (folder / "catalogue.yaml").read_bytes() == (root / "2021" / "catalogue.yaml").read_bytes()
    # last year's profile, with the report title naming the new year
    before = (root / "2021" / "school.yaml").read_text(encoding="utf-8")
    after = (folder / "school.yaml").read_text(encoding="utf-8")
    assert after == before.replace("report_title: 2021 年度", "report_title: 2022 年度")
    assert after != before
    assert sorted(p.name for p in (folder / "text").iterdir()) == sorted(
        p.name for p in (root / "2021" / "text").iterdir()
    )
    catalogue = load_year(2021, root).catalogue
    for spec in table_specs().values():
        with open(folder / spec.filename, encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == spec.field_names
        if spec.name != "facts":
            assert len(rows) == 1
    with open(folder / "facts.csv", encoding="utf-8") as fh:
        facts = list(csv.DictReader(fh))
    assert [r["id"] for r in facts] == list(catalogue.facts)  # built-in, then the year's own
    assert all(r["value"] == "" for r in facts)
    assert (
        facts[0]["label"] == fact_specs()[facts[0]["id"]].label
        and facts[0]["unit"] == fact_specs()[facts[0]["id"]].unit
    )
    assert is_blank_template(folder)

    assert template == root / "2022-填报模板.xlsx"  # beside the year folder: data/2022/ holds data only
    wb = load_workbook(template)
    assert wb.sheetnames == [
        INFO_SHEET,
        LISTS_SHEET,
        *sheet_names().values(),
        OWN_FACTS_SHEET,
        OWN_TABLES_SHEET,
    ]
    own = wb[OWN_FACTS_SHEET]
    listed = [v for r in range(FIRST_DATA_ROW, own.max_row + 1) if (v := own.cell(r, 1).value)]
    assert listed == sorted(catalogue.own_facts, key=list(catalogue.facts).index)
    assert own.cell(FIRST_DATA_ROW, 5).value is None  # values to fill
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    ws = wb[sheet_names()["culture_scores"]]
    spec = table_specs()["culture_scores"]
    assert [c.value for c in ws[1]] == [column_title(f) for f in spec.fields]
    assert ws.cell(2, 1).value.startswith(NOTES_MARK)
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"高一,高二,高三"' in formulas
    rate = [dv for dv in ws.data_validations.dataValidation if dv.type == "decimal" and dv.formula2 == "100"]
    assert rate and "D3" in str(rate[0].sqref)  # pass_rate is column D

    # Last year's majors are offered as a list that still allows a new major (warning, not stop).
    ws = wb[sheet_names()["skill_pass_rates"]]
    majors = [dv for dv in ws.data_validations.dataValidation if LISTS_SHEET in (dv.formula1 or "")]
    assert len(majors) == 1 and majors[0].errorStyle == "warning"
    lists = wb[LISTS_SHEET]
    offered = {c.value for col in lists.iter_cols() for c in col}
    assert "数控技术应用" in offered and "市场营销" in offered

    facts_ws = wb[sheet_names()["facts"]]
    assert facts_ws.cell(FIRST_DATA_ROW, 1).value == list(fact_specs())[0]
    assert facts_ws.cell(FIRST_DATA_ROW, 3).number_format == "@"


def test_new_year_refuses_existing_year_unless_forced(root, template):
    (root / "2022" / "facts.csv").write_text("changed", encoding="utf-8")
    with pytest.raises(YearExistsError):
        new_year(2022, root)
    assert (root / "2022" / "facts.csv").read_text(encoding="utf-8") == "changed"
    with pytest.raises(YearExistsError):
        new_year(2021, root)
    assert cli.main(["new-year", "2021", "--data-dir", str(root)]) == 1
    assert read_year(2021, root).report.ok  # untouched
    new_year(2022, root, force=True)
    assert is_blank_template(root / "2022")
    assert not [p for p in root.iterdir() if p.name.startswith(".")]  # no temporary folders left


# ---- import -------------------------------------------------------------------------------------
def test_import_round_trip_synthetic_2022(root, filled, tmp_path):
    result = import_workbook(filled, 2022, root)
    assert result.report.errors == [], result.report.format()
    assert result.written and len(result.tables) == len(table_specs())
    assert (root / "2022" / "manifest.yaml").exists()
    assert not [p for p in root.iterdir() if p.name.startswith(".")]

    imported = load_year(2022, root)
    shutil.copytree(SYNTHETIC, tmp_path / "direct" / "2022", ignore=shutil.ignore_patterns("*.md"))
    direct = load_year(2022, tmp_path / "direct")
    for name, frame in direct.tables.items():
        got = imported.table(name)
        assert got is not None, name
        assert got.reset_index(drop=True).equals(frame.reset_index(drop=True)), name
    assert imported.fact_map() == direct.fact_map()
    # Decimals as typed survive (the facts value column is text), e.g. a trailing zero.
    for fid in direct.facts.index:
        assert imported.fact_decimals(fid) == direct.fact_decimals(fid), fid
    assert imported.facts.at["students_total", "note"].startswith("合成测试数据")


def test_bad_workbook_lists_every_problem_and_writes_nothing(root, filled):
    """One workbook with four defects: all four reported (sheet, Excel row, Chinese column), nothing written."""
    wb = load_workbook(filled)
    wb[sheet_names()["fitness"]].title = "体质测评"  # a renamed sheet
    wb[sheet_names()["culture_scores"]].delete_cols(4)  # 校及格率 deleted
    rates = wb[sheet_names()["skill_pass_rates"]]
    rates.cell(FIRST_DATA_ROW + 1, 4, "八十")  # text in a number cell
    rates.cell(FIRST_DATA_ROW + 2, 4, "=AVERAGE(D3:D4)")  # a formula
    wb.save(filled)
    before = folder_hashes(root / "2022")
    result = import_workbook(filled, 2022, root)
    assert not result.written
    text = result.report.format()
    for piece in [
        "工作表“体质测评”：不是已定义的数据表",
        "工作表“文化课平均分、及格率与全市排名”，第 1 行，列“校及格率（%）”：缺少列",
        "工作表“专业技能合格率（中级工以上）”，第 4 行，列“中级工以上合格率（%），D 列”：不是数字（发现：“八十”",
        "工作表“专业技能合格率（中级工以上）”，第 5 行，列“中级工以上合格率（%），D 列”：单元格是公式（=AVERAGE(D3:D4)）",
    ]:
        assert piece in text, text
    assert len(result.report.errors) == 4, text
    assert folder_hashes(root / "2022") == before
    assert not [p for p in root.iterdir() if p.name.startswith(".")]


def test_import_refuses_existing_year_without_force(root, filled):
    assert import_workbook(filled, 2022, root).written
    before = folder_hashes(root / "2022")
    result = import_workbook(filled, 2022, root)
    assert not result.written and any(f.check == "destination" for f in result.report.errors)
    assert folder_hashes(root / "2022") == before
    # The CLI says so and exits 1; with --force the year is replaced.
    assert cli.main(["import", str(filled), "--year", "2022", "--data-dir", str(root)]) == 1
    assert cli.main(["import", str(filled), "--year", "2022", "--data-dir", str(root), "--force"]) == 0
    assert load_year(2022, root).facts.at["students_total", "note"].startswith("合成测试数据")


def test_import_refuses_another_years_workbook_even_with_force(root, filled, capsys):
    """The 2022 workbook's terms (2021年秋季学期, 2022年春季学期) cannot be 2021's data."""
    before = folder_hashes(root / "2021")
    assert cli.main(["import", str(filled), "--year", "2021", "--data-dir", str(root), "--force"]) == 1
    assert folder_hashes(root / "2021") == before
    out = capsys.readouterr().out
    assert "列“学期，A 列”：写的是 2022 年的数据，不属于 2021 年度（发现：“2022年春季学期”" in out


def test_not_a_workbook_is_refused(root, tmp_path):
    bogus = tmp_path / "x.xlsx"
    bogus.write_text("not a zip", encoding="utf-8")
    result = import_workbook(bogus, 2023, root)
    assert not result.written and "无法作为 Excel 工作簿" in result.report.format()
    assert not (root / "2023").exists()


# ---- partial year ---------------------------------------------------------------------------------
@pytest.fixture
def partial(base, root):
    result = import_workbook(base / "partial.xlsx", 2022, root)
    assert result.written, result.report.format()
    return result


def test_partial_year_imports_and_validates_as_partial(root, partial, capsys):
    assert sorted(partial.not_provided) == sorted(PARTIAL_SKIP)
    assert set(PARTIAL_FACTS) <= set(partial.unfilled_facts)
    data = load_year(2022, root)
    status = data.status.set_index("table")["状态"]
    for table in PARTIAL_SKIP:
        assert status[table] == "缺失" and not data.has(table)
    assert status["facts"] == "不完整"
    for fid in PARTIAL_FACTS:
        assert data.fact(fid) != data.fact(fid)  # NaN, never 0
    assert cli.main(["validate", "--year", "2022", "--data-dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert "缺失" in out and "本年度未提供" in out

    prev = load_year(2021, root)
    presence = changes.table_presence(data, prev)
    assert set(presence["table"]) == set(PARTIAL_SKIP)
    assert set(presence["变化"]) == {changes.DISAPPEARED}
    emptied = changes.emptied_cells(data, prev)
    labels = set(emptied.loc[emptied["table"] == "facts", "行"])
    assert {fact_specs()[f].label for f in PARTIAL_FACTS} <= labels


def test_partial_year_changes_chapter_runs(root, partial, monkeypatch):
    """Every code cell of notebooks/ch11_changes.ipynb, run in-process against the partial year."""
    import ast
    import json

    import IPython.display
    import matplotlib.figure

    shown: list[str] = []
    monkeypatch.setattr(
        IPython.display, "display", lambda *objs, **kw: shown.extend(str(o.data) for o in objs)
    )
    nb = json.loads((NOTEBOOK_DIR / "ch11_changes.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["qz"] == {"chapter": 11, "title": "附录 与上年相比的变化"}
    namespace: dict = {}
    results = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if "parameters" in cell["metadata"].get("tags", []):
            source = f"year = 2022\ndata_dir = {str(root)!r}"
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<cell>", "exec"), namespace)
        if last is not None:
            results.append(eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace))
    out = "\n".join(shown)
    assert namespace["prev"].year == 2021
    assert "不再出现" in out and "经费来源" in out  # a table dropped this year is listed
    assert any(isinstance(r, matplotlib.figure.Figure) for r in results)


# ---- changes (unit) ---------------------------------------------------------------------------------
def test_changes_2021_against_2020_real_data():
    cur, prev = load_year(2021), load_year(2020)
    frame = changes.indicator_changes(cur, prev).set_index("id")
    row = frame.loc["student_teacher_ratio_printed"]
    assert (row["上年"], row["本年"]) == (
        prev.fact("student_teacher_ratio_printed"),
        cur.fact("student_teacher_ratio_printed"),
    )
    assert row["变化"] == pytest.approx(row["本年"] - row["上年"])
    assert row["变化率"] == pytest.approx((row["本年"] - row["上年"]) / row["上年"] * 100)
    # Only ids with a value in both years are compared.
    both = set(cur.fact_map()) & set(prev.fact_map())
    assert set(frame.index[frame["类型"] == "报告数值"]) == both
    ordered = changes.indicator_changes(cur, prev)
    rates = ordered.loc[ordered["变化"] != 0, "变化率"].abs().tolist()
    assert rates == sorted(rates, reverse=True)
    # 2020 gave 高一计算机 a city rank; 2021 did not (extraction lost it): flagged, not treated as 0.
    emptied = changes.emptied_cells(cur, prev)
    assert list(emptied[["table", "行"]].itertuples(index=False, name=None)) == [
        ("culture_scores", "高一·计算机")
    ]
    assert changes.category_changes(cur, prev).empty  # same grades and subjects both years
    presence = changes.table_presence(cur, prev)
    assert changes.APPEARED in set(presence["变化"]) and "funding" in set(presence["table"])
    text = ch11_changes.overview_text(cur, prev)
    assert f"共 {len(frame)} 项" in text and "2020" in text


def test_changes_synthetic_categories(root, tmp_path):
    shutil.copytree(SYNTHETIC, root / "2022", ignore=shutil.ignore_patterns("*.md"), dirs_exist_ok=True)
    cur, prev = load_year(2022, root), load_year(2021, root)
    cats = changes.category_changes(cur, prev)
    got = set(cats[["table", "类别", "变化"]].itertuples(index=False, name=None))
    assert ("skill_pass_rates", "无人机应用技术", "新增") in got
    assert ("skill_pass_rates", "旅游服务与管理", "不再出现") in got
    assert ("program_levels", "物流服务与管理", "不再出现") in got
    assert ("enrolment_plan", "计算机广告制作·人社", "不再出现") in got
    assert ("culture_scores", "高一·语文", "新增") in got
    emptied = changes.emptied_cells(cur, prev)
    assert ("skill_pass_rates", "会计") in set(emptied[["table", "行"]].itertuples(index=False, name=None))
    s = changes.summary(cur, prev)
    assert s["appeared"] == (cats["变化"] == "新增").sum() and s["emptied"] == len(emptied)
    assert s["tables_changed"] == 0


def test_changes_without_previous_year(root):
    cur = load_year(2020, root)
    assert changes.indicator_changes(cur, None).empty
    assert changes.category_changes(cur, None).empty and changes.emptied_cells(cur, None).empty
    assert "2020 年以前" in ch11_changes.overview_text(cur, None)
    assert ch11_changes.figure_largest_changes(cur, None) is None


def test_change_text_units():
    assert ch11_changes.change_text(0.4, 1, "%") == "+0.4 个百分点"
    assert ch11_changes.change_text(-0.8, 1, ":1") == "−0.8"
    assert ch11_changes.change_text(50, 0, "个") == "+50 个"


# ---- end to end: render ---------------------------------------------------------------------------
def test_end_to_end_render_synthetic_2022(root, filled, tmp_path):
    from qzanalysis.tools.render import render_year

    assert cli.main(["import", str(filled), "--year", "2022", "--data-dir", str(root)]) == 0
    result = render_year(
        2022, data_dir=root, out_dir=tmp_path / "reports", chapters=["ch11"], jobs=1, log=lambda m: None
    )
    assert result.ok, [c.error for c in result.chapters]
    html = (tmp_path / "reports" / "2022" / "ch11_changes.html").read_text(encoding="utf-8")
    for piece in (
        "与上年相比的变化",
        "变化最大的指标",
        "无人机应用技术",
        "旅游服务与管理",
        "2021年",
        "2022年",
    ):
        assert piece in html, piece
    assert "<img" in html or "<svg" in html  # the chart
    assert "Traceback" not in html


def test_percent_formatted_cells_import_as_percentages(root, filled):
    """Excel stores "88.63%" as 0.8863: a % column gets 88.63, a count column refuses it."""
    wb = load_workbook(filled)
    fitness = wb[sheet_names()["fitness"]]
    fitness.cell(FIRST_DATA_ROW, 2, 0.8863).number_format = "0.00%"
    wb.save(filled)
    result = import_workbook(filled, 2022, root)
    assert result.written, result.report.format()
    assert load_year(2022, root).table("fitness")["pass_rate"].iloc[0] == 88.63

    wb = load_workbook(filled)
    levels = wb[sheet_names()["students_by_level"]]
    levels.cell(FIRST_DATA_ROW, 2, 0.5).number_format = "0%"
    wb.save(filled)
    again = import_workbook(filled, 2023, root)
    assert not again.written
    assert "带有“%”，但此列单位是“人”" in again.report.format()
