"""Several schools side by side (issue 11): the collection file, intake with --school, the one-screen status
table, every report in one run, and the area report. The schools are made up (tests/fixtures/collection)."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from qzanalysis.core.catalog import table_specs
from qzanalysis.core.collection import load_collection, read_collection, read_schools
from qzanalysis.core.dataset import read_year
from qzanalysis.core.paths import DEFAULT_DATA_DIR
from qzanalysis.indicators import area as calc
from qzanalysis.report.area.area03_standards import matrix_frame
from qzanalysis.report.area.common import OWN_DEFINITION_MARK, Area, value_text
from qzanalysis.tools import cli
from tests.fixtures.collection.make_schools import (
    SCHOOLS,
    collection_yaml,
    make_collection,
    write_school_year,
)

YEAR = 2021
NAMES = {s.id: (s.name, s.short_name) for s in SCHOOLS}


def visible_text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r'src="data:[^"]+"', "", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def collection_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("collection")
    make_collection(root)
    return root


@pytest.fixture()
def collection_copy(collection_root, tmp_path) -> Path:
    shutil.copytree(collection_root, tmp_path / "c")
    return tmp_path / "c"


# ---- the collection file ---------------------------------------------------------------------------------
def test_the_synthetic_schools_are_what_the_tests_need(collection_root):
    schools = {
        s.school.id: s for s in read_schools(load_collection(collection_root / "collection.yaml"), YEAR)
    }
    assert [sid for sid, s in schools.items() if s.ok] == ["s01", "s02", "s03"]
    assert [f.file.endswith("fitness.csv") for f in schools["s04"].data.report.errors] == [True]
    assert {s.types for s in schools.values()} == {
        ("中等职业学校",),
        ("技工学校",),
        ("中等职业学校", "技师学院"),
    }
    assert schools["s03"].data.table("funding") is None and schools["s01"].data.table("funding") is not None
    majors = {sid: set(s.data.table("enrolment_plan")["major"]) for sid, s in schools.items()}
    assert not majors["s01"] & majors["s02"]  # different majors
    for school in schools.values():  # labelled, and consistent with the collection
        assert "合成测试数据" in (school.data.path / "school.yaml").read_text("utf-8")
        assert school.findings == []


def test_collection_problems_are_all_listed_with_their_lines(tmp_path):
    path = tmp_path / "collection.yaml"
    path.write_text(
        "area: 示例市\nextra: 1\nschools:\n"
        "  - {id: s01, name: 甲校, types: [中等职业学校], data: a}\n"
        "  - {id: s01, name: 乙校, types: [职业高中], data: b}\n"
        "  - {id: 'bad id', name: 丙校, types: [技工学校], data: a}\n"
        "  - {id: area, types: [技工学校], data: d}\n"
        "  - {id: s09, name: 甲校, types: [技工学校], data: e}\n",
        encoding="utf-8",
    )
    collection, report = read_collection(path)
    assert collection is None
    text = report.format()
    for piece in (
        "未定义的键（发现：“extra”",
        "第 5 行，列“id”：学校代码重复（第 4 行已用）",
        "第 5 行，列“types”：未知的学校类型（发现：“职业高中”",
        "第 6 行，列“id”：学校代码只能由字母、数字",
        "第 6 行，列“data”：与学校“s01”的数据根目录相同",
        "第 7 行，列“name”：缺少学校全称",
        "第 7 行，列“id”：学校代码与输出文件夹重名",
        "第 8 行，列“name”：学校全称重复（第 4 行已用）（发现：“甲校”",
    ):
        assert piece in text, text


@pytest.mark.parametrize(
    "text, said",
    [
        (
            "area: 示例市\nschools:\n\t- id: s01\n",
            "第 3 行：YAML 格式错误：用了制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格",
        ),
        ("area: 示例市\n  - id: s01\n", "第 2 行：YAML 格式错误：此处不能写“键: 值”：多半是缩进不对"),
        (
            "area: 示例市\nschools:\n  - id: s01\n    name: 甲校\n   types: [技工学校]\n",
            "第 5 行：YAML 格式错误：缩进不一致：同一层的各行应对齐",
        ),
        (
            "area：示例市\n",
            "内容应为“键: 值”的映射（应为：area: …，schools: [...]；键与值之间用英文冒号加空格“: ”，不是中文冒号“：”）",
        ),
    ],
)
def test_a_mistyped_collection_file_is_told_in_chinese(tmp_path, text, said):
    path = tmp_path / "collection.yaml"
    path.write_text(text, encoding="utf-8")
    collection, report = read_collection(path)
    assert collection is None and said in report.format()
    assert not re.search(r"found|mapping values|expected", report.format())


def test_a_school_yaml_with_a_tab_is_told_in_chinese(tmp_path):
    from qzanalysis.core.profile import read_profile

    (tmp_path / "school.yaml").write_text("name: 甲校\ntypes:\n\t- 技工学校\n", encoding="utf-8")
    _, report = read_profile(tmp_path, "2021")
    assert [(f.line, f.message) for f in report.errors] == [
        (3, "YAML 格式错误：用了制表符（Tab）：YAML 只能用空格缩进，请把 Tab 换成空格")
    ]


def test_a_profile_that_disagrees_with_the_collection_is_a_warning(collection_copy):
    path = collection_copy / "collection.yaml"
    path.write_text(
        path.read_text("utf-8").replace("name: 合成市卫生学校", "name: 合成市卫校（旧名）"), "utf-8"
    )
    s02 = read_schools(load_collection(path), YEAR)[1]
    assert s02.ok and [f.column for f in s02.findings] == ["name"]
    assert "学校名称与学校名单（s02）不一致" in str(s02.findings[0])


# ---- qz validate --all, --school ---------------------------------------------------------------------------
def test_a_data_root_that_does_not_exist_is_named_at_its_line(collection_copy, capsys):
    """A typo in `data:` is told as what it is, at the school's line, before the missing year it causes; the
    table's error count agrees with the list under it."""
    path = collection_copy / "collection.yaml"
    path.write_text(
        path.read_text("utf-8").replace("data: schools/s02/data", "data: schools/s02/dta"), "utf-8"
    )
    line = next(
        i for i, text in enumerate(path.read_text("utf-8").splitlines(), 1) if text.endswith("id: s02")
    )
    assert cli.main(["validate", "--all", "--year", str(YEAR), "--collection", str(path)]) == 1
    out = capsys.readouterr().out
    row = next(r for r in out.splitlines() if r.startswith("s02 "))
    assert row.split()[-3:] == ["2", "0", "未通过"]
    chase = out.split("去看哪里：", 1)[1]
    said = (
        f"[FAIL] collection.yaml，第 {line} 行，列“data”：该校的数据根目录不存在（发现：“schools/s02/dta”；"
        f"应为：改正学校名单中的路径（相对 collection.yaml 所在文件夹），或用 qz new-year {YEAR} --school s02 新建）"
    )
    assert "s02 合成市卫生学校：2 个错误" in chase and said in chase
    assert chase.index(said) < chase.index("找不到 2021 年的数据文件夹")
    # The schools index of `qz render --all` says the same.
    from qzanalysis.tools.collection.index import collection_index_html
    from qzanalysis.tools.collection.render import CollectionResult

    collection = load_collection(path)
    result = CollectionResult(YEAR, collection_copy / "reports" / str(YEAR), read_schools(collection, YEAR))
    index = visible_text(collection_index_html(collection, result))
    assert "数据未通过校验（2 个错误），未生成" in index and said.removeprefix("[FAIL] ") in index


def test_two_schools_under_one_name_are_told_apart(collection_copy):
    """Two schools whose school.yaml give the same name and short name (the list names them differently):
    each is warned about and labelled by name and code, and the area tables keep one column per school."""
    for sid in ("s01", "s02"):
        profile = collection_copy / "schools" / sid / "data" / str(YEAR) / "school.yaml"
        text = re.sub(r"(?m)^name: .*$", "name: 合成市职业学校", profile.read_text("utf-8"))
        profile.write_text(re.sub(r"(?m)^short_name: .*$", "short_name: 合成职校", text), "utf-8")
    collection = load_collection(collection_copy / "collection.yaml")
    schools = read_schools(collection, YEAR)
    labels = [calc.short_name(s) for s in schools]
    assert labels == ["合成市职业学校（s01）", "合成市职业学校（s02）", "合成技校", "合成信息"]
    by_id = {s.school.id: s for s in schools}
    assert [f.message for f in by_id["s01"].findings if "同名" in f.message] == [
        "与学校 s02 同名；区域汇总中以“合成市职业学校（s01）”区分"
    ]
    assert not [f for f in by_id["s03"].findings if "同名" in f.message]
    status = calc.table_status(schools, short=True)
    assert status["学校"].tolist() == labels
    matrix = matrix_frame(Area(YEAR, collection, schools))
    assert list(matrix.columns) == ["标准", "适用", *labels[:3]]  # s04 failed validation: not compared


def test_validate_all_shows_one_row_per_school(collection_root, capsys):
    code = cli.main(["validate", "--all", "--year", str(YEAR), "--collection", str(collection_root)])
    out = capsys.readouterr().out
    assert code == 1  # s04 has an error
    rows = {line.split()[0]: line for line in out.splitlines() if re.match(r"^s0\d ", line)}
    assert list(rows) == ["s01", "s02", "s03", "s04"]
    assert rows["s01"].endswith("通过") and "缺" not in rows["s01"]
    assert rows["s03"].count("缺") == 6 and rows["s03"].endswith("通过")  # six tables not provided
    assert "错" in rows["s04"] and rows["s04"].split()[-3:] == ["1", "0", "未通过"]
    assert "qz validate --school s04 --year 2021" in out and "fitness.csv，第 2 行" in out and "“120”" in out
    specs = list(table_specs().values())
    assert "完＝完整" in out and f"{len(specs)} {specs[-1].title}" in out  # the legend numbers every table

    only_good = collection_root / "good.yaml"
    good = [s for s in SCHOOLS if s.id in ("s01", "s02")]
    only_good.write_text(collection_yaml(good), encoding="utf-8")
    assert cli.main(["validate", "--all", "--year", str(YEAR), "--collection", str(only_good)]) == 0


def test_school_option_names_a_data_root(collection_root, capsys):
    args = ["--year", str(YEAR), "--collection", str(collection_root)]
    assert cli.main(["validate", "--school", "s01", *args]) == 0
    assert "schools/s01/data/2021" in capsys.readouterr().out
    assert cli.main(["validate", "--school", "s09", *args]) == 2
    assert "没有代码为“s09”的学校；已有：s01、s02、s03、s04" in capsys.readouterr().err
    assert cli.main(["validate", "--school", "s01", "--data-dir", "x", *args]) == 2


def test_suggested_commands_work_as_printed(collection_copy, tmp_path, monkeypatch, capsys):
    """Every command a command suggests names the same school and collection: run from the collection's folder
    it needs no --collection, from elsewhere it does; new-year's and import's next steps keep --school."""
    path = collection_copy / "collection.yaml"
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", "--all", "--year", str(YEAR), "--collection", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"全部问题：qz validate --school s04 --year {YEAR} --collection {path.resolve()}" in out
    monkeypatch.chdir(collection_copy)
    assert cli.main(["validate", "--all", "--year", str(YEAR)]) == 1
    assert f"全部问题：qz validate --school s04 --year {YEAR}\n" in capsys.readouterr().out

    assert cli.main(["new-year", str(YEAR + 1), "--school", "s03"]) == 0
    out = capsys.readouterr().out
    workbook = f"schools/s03/data/{YEAR + 1}-填报模板.xlsx"
    assert (collection_copy / workbook).is_file()
    assert f"下一步：填好模板后运行 qz import '{workbook}' --school s03 --year {YEAR + 1}" in out
    assert "已为 合成市技工学校 创建" in out  # the year's school.yaml was carried over
    assert cli.main(["new-year", str(YEAR), "--data-dir", str(tmp_path / "fresh")]) == 0
    out = capsys.readouterr().out
    assert f"已创建 {tmp_path / 'fresh' / str(YEAR)}（" in out and f"--data-dir {tmp_path / 'fresh'} " in out


def test_intake_files_each_workbook_into_its_schools_root(tmp_path, capsys):
    """The bureau's intake: each school's workbook goes into that school's root and nowhere else; a workbook
    with an error is refused (nothing written) and the status table shows who is still missing."""
    from qzanalysis.tools.yearly.template import build_workbook
    from tests.test_yearly import fill_workbook

    root = tmp_path / "bureau"
    root.mkdir()
    (root / "collection.yaml").write_text(collection_yaml(SCHOOLS), encoding="utf-8")
    template = tmp_path / "template.xlsx"
    build_workbook(YEAR).save(template)
    books = {}
    for sid in ("s01", "s02", "s04"):
        typed = write_school_year(sid, YEAR, tmp_path / "typed" / sid / str(YEAR))
        books[sid] = (fill_workbook(template, typed, tmp_path / f"{sid}.xlsx"), typed)

    def intake(sid: str) -> int:
        args = ["import", str(books[sid][0]), "--school", sid, "--year", str(YEAR), "--collection", str(root)]
        return cli.main(args)

    assert intake("s01") == 0 and intake("s02") == 0
    out = capsys.readouterr().out
    assert (
        f"下一步：qz validate --school s02 --collection {root / 'collection.yaml'} --year {YEAR}，"
        f"然后 qz render --school s02 --collection {root / 'collection.yaml'} --year {YEAR}"
    ) in out
    # The year had no school.yaml: the warning names where it belongs, not the import's temporary folder.
    assert (
        f"[WARN] {root}/schools/s01/data/{YEAR}/school.yaml：缺少学校概况文件" in out
        and ".import-" not in out
    )
    for sid in ("s01", "s02"):
        imported = read_year(YEAR, root / "schools" / sid / "data")
        typed = read_year(YEAR, books[sid][1].parent)
        assert imported.report.ok
        assert set(imported.table("enrolment_plan")["major"]) == set(typed.table("enrolment_plan")["major"])
    capsys.readouterr()
    assert intake("s04") == 1  # the pass rate of 120%
    err = capsys.readouterr()
    assert "“120”" in err.out and "没有任何改动" in err.err
    assert not (root / "schools" / "s04" / "data" / str(YEAR)).exists()

    assert cli.main(["validate", "--all", "--year", str(YEAR), "--collection", str(root)]) == 1
    out = capsys.readouterr().out
    assert re.search(r"^s01 .*通过$", out, re.M) and re.search(r"^s02 .*通过$", out, re.M)
    assert re.search(r"^s03 .*未通过$", out, re.M) and re.search(r"^s04 .*未通过$", out, re.M)
    assert out.count("找不到 2021 年的数据文件夹") == 2


# ---- every report and the area report -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def rendered(collection_root, tmp_path_factory):
    from qzanalysis.tools.collection.render import render_collection

    out = tmp_path_factory.mktemp("reports")
    messages: list[str] = []
    result = render_collection(
        load_collection(collection_root / "collection.yaml"),
        YEAR,
        out_dir=out,
        chapters="ch01,ch02,ch09,ch10",  # the chapters that speak of the school itself; the area report is whole
        log=messages.append,
    )
    return result, out / str(YEAR), messages


def test_render_all_renders_the_valid_schools_and_skips_the_invalid(rendered):
    result, year_out, messages = rendered
    assert sorted(result.reports) == ["s01", "s02", "s03"]
    assert all(r.ok for r in result.reports.values()), [
        c.error for r in result.reports.values() for c in r.failed
    ]
    assert result.area is not None and result.area.ok, [c.error for c in result.area.failed]
    assert [s.school.id for s in result.skipped] == ["s04"] and result.exit_code == 1
    assert any(m.startswith("✘ s04") and "未通过校验" in m for m in messages)
    assert not (year_out / "s04").exists()
    for sid in ("s01", "s02", "s03"):
        assert (year_out / sid / "index.html").is_file() and (year_out / sid / "ch01_school.html").is_file()
    index = visible_text((year_out / "index.html").read_text("utf-8"))
    for name, _ in NAMES.values():
        assert name in index
    assert "数据未通过校验（1 个错误），未生成" in index and "fitness.csv" in index and "“120”" in index
    assert 'href="s01/index.html"' in (year_out / "index.html").read_text("utf-8")
    assert 'href="area/index.html"' in (year_out / "index.html").read_text("utf-8")


def test_no_school_page_mentions_another_school(rendered):
    _, year_out, _ = rendered
    real = yaml.safe_load((DEFAULT_DATA_DIR / str(YEAR) / "school.yaml").read_text("utf-8"))
    for sid in ("s01", "s02", "s03"):
        others = [n for other, names in NAMES.items() if other != sid for n in names]
        others += [real["name"], real["short_name"]]
        pages = sorted((year_out / sid).rglob("*.html"))
        assert len(pages) >= 9
        for page in pages:
            text = visible_text(page.read_text("utf-8"))
            assert NAMES[sid][0] in text or page.name.startswith("ch1"), page
            assert not [n for n in others if n in text], (page, [n for n in others if n in text])


def test_area_report(rendered, collection_root):
    _, year_out, _ = rendered
    page = {p.stem: visible_text(p.read_text("utf-8")) for p in (year_out / "area").glob("area*.html")}
    assert sorted(page) == ["area01_overview", "area02_indicators", "area03_standards", "area04_changes"]
    overview = page["area01_overview"]
    assert "本报告汇总合成市 4 所学校 2021 年的数据" in overview
    assert "1 所未通过校验（合成信息）" in overview
    assert "合成技校未提供：资助金额" in overview and "经费来源" in overview  # missing tables listed
    assert "在籍学生数" in overview and "3/3" in overview and "0/3" in overview

    indicators = page["area02_indicators"]
    assert (
        "合成卫校的“双师型”教师比例按“分母：专任教师”计算" in indicators
    )  # named, and compared like with like
    assert "区域中位数" in indicators and "位次（从高到低）" in indicators
    assert "合成信息" not in indicators  # the school that failed validation is not compared

    publication = visible_text((year_out / "area" / "publication.html").read_text("utf-8"))
    assert "各校按本校填报的学校类型对照国家标准" in publication
    assert not re.findall(r"[\w.-]+\.(?:ya?ml|csv|py|ipynb|xlsx)\b", publication)  # no file names for readers
    summary = publication[publication.index("各校达标情况汇总") : publication.index("未达标的标准")]
    assert "合成卫校" in summary and not re.search(
        r"\bs0\d\b", summary
    )  # schools by name, not the bureau's codes
    standards = page["area03_standards"]
    assert "不适用" in standards and "技工学校对照《技工院校设置标准（试行）》" in standards
    changes = page["area04_changes"]
    assert "合成技校：没有上一年度的数据，各项均不比较" in changes
    assert "2 所学校有可比的上年数据" in changes
    # 合成卫校's 双师型 is on its own definition: marked in the year-over-year table as in chapter 2.
    s02 = read_year(YEAR, collection_root / "schools" / "s02" / "data")
    own = 100 * s02.fact("dual_qualified_teachers") / s02.fact("full_time_teachers")
    marked = f"{value_text(own, 'dual_qualified_ratio', unit=False)}{OWN_DEFINITION_MARK}"
    assert marked in indicators and marked in changes and "“†”：按本校口径计算" in changes


# Every number in a table cell that the browser laid out on more than one line ("26,01" / "6.94").
BROKEN_NUMBERS = r"""(() => {
  const broken = [], number = /[−+±-]?\d[\d,]*(?:\.\d+)?/g;
  for (const cell of document.querySelectorAll("td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(number)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
})()"""


# Captions of the tables wider than the page's text column (spilling over its margin).
SPILLING_TABLES = r"""(() => {
  const main = document.querySelector("main"), style = getComputedStyle(main);
  const right = main.getBoundingClientRect().right - parseFloat(style.paddingRight) + 1;
  return [...document.querySelectorAll("table")].filter((t) => t.getBoundingClientRect().right > right)
    .map((t) => (t.closest(".qz-table-block") || t).textContent.trim().slice(0, 30));
})()"""


def test_area_tables_never_break_a_number(rendered):
    """The area report's wide tables (ten indicators side by side) keep each number on one line."""
    from qzanalysis.tools.render.browser import Browser

    _, year_out, _ = rendered
    with Browser() as browser:
        for width in (390, 1280):
            browser.open(year_out / "area" / "publication.html", width=width, height=900, mobile=width < 600)
            assert browser.evaluate(BROKEN_NUMBERS) == [], width
            assert browser.evaluate("document.documentElement.scrollWidth") <= width
            assert browser.evaluate(SPILLING_TABLES) == [], width


def test_area_values_compare_like_with_like(collection_root):
    schools = read_schools(load_collection(collection_root / "collection.yaml"), YEAR)
    values = calc.indicator_values(schools, ["dual_qualified_ratio"]).set_index("代码")
    s02 = next(s for s in schools if s.school.id == "s02")
    own = 100 * s02.data.fact("dual_qualified_teachers") / s02.data.fact("full_time_teachers")
    reference = 100 * s02.data.fact("dual_qualified_teachers") / s02.data.fact("specialty_teachers")
    assert values.at["s02", "本校值"] == pytest.approx(own)
    assert values.at["s02", "统一口径值"] == pytest.approx(reference)
    assert values.at["s02", "本校口径"] == "分母：专任教师" and not values.at["s02", "口径相同"]
    dist = calc.distribution(calc.indicator_values(schools), "dual_qualified_ratio")
    assert dist.n == 3 and set(dist.values["代码"]) == {"s01", "s02", "s03"}
    assert dist.median == pytest.approx(sorted(dist.values["value"])[1])
    # Pooled over the schools: numerators and denominators summed, not rates averaged.
    compared = [s for s in schools if s.ok]
    pooled, n = calc.pooled(schools, calc.indicator_values(schools), "dual_qualified_ratio")
    assert n == 3
    assert pooled == pytest.approx(
        100
        * sum(s.data.fact("dual_qualified_teachers") for s in compared)
        / sum(s.data.fact("specialty_teachers") for s in compared)
    )
    matrix = calc.standards_matrix(schools).set_index(["代码", "id"])["结论"]
    assert (
        matrix["s03", "students_min"] == "不适用" and matrix["s03", "technical_school_land_area"] != "不适用"
    )
    assert matrix["s01", "technical_school_land_area"] == "不适用"


def test_area_changes_use_the_value_each_school_shows(collection_root):
    """A value the school printed but that cannot be recomputed (毕业率: no raw counts) is the school's value in
    chapter 2 and its change from last year's printed value in chapter 4, never 'not provided' there."""
    schools = read_schools(load_collection(collection_root / "collection.yaml"), YEAR)
    s01 = next(s for s in schools if s.school.id == "s01")
    before_year = read_year(YEAR - 1, s01.school.data_root)
    values = calc.indicator_values(schools, ["graduation_rate"]).set_index("代码")
    frame = calc.changes(schools, ["graduation_rate", "dual_qualified_ratio"]).set_index(["代码", "id"])
    now, before = s01.data.fact("graduation_rate_printed"), before_year.fact("graduation_rate_printed")
    assert values.at["s01", "来源"] == "报告值" and values.at["s01", "本校值"] == now
    row = frame.loc[("s01", "graduation_rate")]
    assert (row["本年"], row["上年"], row["说明"]) == (now, before, "")
    assert row["变化"] == pytest.approx(now - before) and now != before
    assert frame.loc[("s02", "dual_qualified_ratio"), "本校口径"] == "分母：专任教师"
    assert frame.loc[("s01", "dual_qualified_ratio"), "本校口径"] == ""


def test_places_follow_the_printed_values():
    """生师比 printed to one decimal: 15.23, 15.18 and 15.17 all print as 15.2, as does their median 15.175, so
    they share the first place and are 等于中位数; 15.14 prints as 15.1 and is fourth, 低于中位数."""
    raw = {"a": 15.23, "b": 15.18, "c": 15.17, "d": 15.14}
    values = pd.DataFrame(
        [
            {
                "代码": k,
                "学校": k,
                "id": "student_teacher_ratio",
                "本校值": v,
                "本校口径": "",
                "统一口径值": v,
            }
            for k, v in raw.items()
        ]
    )
    dist = calc.distribution(values, "student_teacher_ratio")
    assert dist.median == pytest.approx(15.175)
    places = dist.values.set_index("代码")
    assert places["rank"].to_dict() == {"a": 1, "b": 1, "c": 1, "d": 4}
    assert places["position"].to_dict() == {
        "a": "等于中位数",
        "b": "等于中位数",
        "c": "等于中位数",
        "d": "低于中位数",
    }


def test_each_area_notebook_is_declared_and_has_its_module():
    from qzanalysis.core.outline import area_chapters
    from qzanalysis.core.paths import NOTEBOOK_DIR, PACKAGE_DIR

    notebooks = {p.stem for p in (NOTEBOOK_DIR / "area").glob("*.ipynb")}
    modules = {p.stem for p in (PACKAGE_DIR / "report" / "area").glob("area*.py")}
    declared = [c.notebook for c in area_chapters()]
    assert notebooks == modules == set(declared) and len(declared) == len(set(declared))
