"""Another school goes through without touching code: a SYNTHETIC 卫生 中职 (tests/fixtures/synthetic_school,
made up, see its README) of another type, with other majors, land area in 平方米 and its own definitions,
through qz new-year → school.yaml and workbook → qz import → qz validate / qz indicators / qz audit."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from qzanalysis import load_year
from qzanalysis.indicators.audit import audit
from qzanalysis.indicators.registry import definition_text
from qzanalysis.indicators.standards import standards_table
from qzanalysis.tools.cli import main
from qzanalysis.tools.yearly.template import workbook_path
from qzanalysis.tools.yearly.workbook import FIRST_DATA_ROW, OWN_FACTS_SHEET
from tests.test_yearly import fill_workbook

SCHOOL = Path(__file__).parent / "fixtures" / "synthetic_school"
NAME = "青山市卫生职业学校（合成测试数据）"
OTHER_SCHOOL = ("衢州", "工程技术学校", "技师学院", "新疆", "智造")
# Numbers the built-in catalogue lacks, declared by the school in the workbook (id, label, unit, section,
# value): one in 3.4.1, and three in 5.3 (对口支援), where the 2021 school printed numbers of its own too.
OWN_FACTS = [
    ("nurse_license_pass_rate", "护士执业资格考试通过率", "%", "3.4.1", "91.5"),
    ("partner_schools", "对口帮扶学校", "所", "5.3", "3"),
    ("partner_teachers_trained", "为帮扶学校培训教师", "人", "5.3", "40"),
    ("exchange_students_received", "接收交流学生", "人", "5.3", "25"),
]


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """The school's first year, entered the way an analyst would."""
    root = tmp_path_factory.mktemp("school") / "data"
    assert main(["new-year", "2022", "--data-dir", str(root)]) == 0
    # the analyst fills in the profile template and the workbook
    shutil.copy(SCHOOL / "school.yaml", root / "2022" / "school.yaml")
    filled = fill_workbook(workbook_path(2022, root), SCHOOL / "2022", root.parent / "filled.xlsx")
    wb = load_workbook(filled)
    own = wb[OWN_FACTS_SHEET]  # numbers the built-in catalogue lacks, declared by the school
    for row, fact in enumerate(OWN_FACTS, FIRST_DATA_ROW):
        for col, value in enumerate(fact, 1):
            own.cell(row, col, value)
    wb.save(filled)
    assert main(["import", str(filled), "--year", "2022", "--data-dir", str(root)]) == 0
    return root


def run(capsys, *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_it_validates_under_its_own_name(root, capsys):
    out = run(capsys, "validate", "--year", "2022", "--data-dir", str(root))
    assert out.startswith(f"{NAME}（2022 年数据）") and "校验通过" in out
    data = load_year(2022, root)
    assert data.profile.types == ("中等职业学校",) and not data.profile.is_technical
    assert (
        data.fact("nurse_license_pass_rate") == 91.5 and "nurse_license_pass_rate" in data.catalogue.own_facts
    )
    assert set(data.table("program_levels")["major"]) == {"护理", "药剂", "医学检验技术", "康复技术"}


def test_its_indicators_use_its_definitions_and_units(root, capsys):
    out = run(capsys, "indicators", "--year", "2022", "--data-dir", str(root), "--format", "csv")
    table = pd.read_csv(io.StringIO(out)).set_index("id")
    # 双师型 over 专任 + 兼职, as the school declares: 107 ÷ (152 + 11) = 65.64%, as it printed
    assert table.at["dual_qualified_ratio", "计算值"] == pytest.approx(107 / 163 * 100, abs=1e-3)
    assert table.at["dual_qualified_ratio", "核对"] == "一致"
    assert "（专任教师数 + 兼职教师数）" in table.at["dual_qualified_ratio", "口径"]
    # 生师比 from 在籍学生数, since the count without 顶岗实习 students was not given, and it says so
    assert table.at["student_teacher_ratio", "计算值"] == pytest.approx(1860 / 152, abs=1e-3)
    assert table.at["student_teacher_ratio", "核对"] == "一致"
    assert "以在籍学生数代替" in table.at["student_teacher_ratio", "说明"]
    # land area given in 平方米
    assert table.at["land_area_per_student", "计算值"] == pytest.approx(52000 / 1860, abs=1e-3)
    assert pd.isna(table.at["land_area_per_student", "说明"])
    assert table.at["per_student_funding", "核对"] == "一致"
    data = load_year(2022, root)
    assert definition_text(data, "dual_qualified_ratio") == (
        "口径：双师型教师数（专业教师中） ÷ （专任教师数 + 兼职教师数） × 100%"
    )


def test_its_audit_and_standards(root, capsys):
    out = run(capsys, "audit", "--year", "2022", "--data-dir", str(root))
    assert out.startswith(NAME)
    data = load_year(2022, root)
    rows = audit(data).set_index("项目")
    assert rows.at["“双师型”教师比例", "结论"] == "一致"
    assert "（专任教师数 152 + 兼职教师数 11）" in rows.at["“双师型”教师比例", "算法"]
    std = standards_table(data).set_index("id")
    # a 中职 school only: the 中职 standards (the 2010 设置标准, the 达标工程 in force since 2022-11-16, the
    # 2019 target for all 职业院校), no 技工院校 rows
    assert set(std["适用"]) == {"中等职业学校", "一般类中职学校", "职业院校"}
    assert (std.at["equipment_value_total", "本校值"], std.at["equipment_value_total", "结论"]) == (
        "1,450 万元",  # given in 元, the standard is in 万元
        "达标",
    )
    assert not [i for i in std.index if i.startswith(("technical_school", "technician_college"))]
    assert (std.at["land_area", "本校值"], std.at["land_area", "结论"]) == ("52,000 平方米", "达标")
    assert (std.at["land_area_per_student", "本校值"], std.at["land_area_per_student", "结论"]) == (
        "27.96 平方米",
        "未达标",
    )
    # the standard keeps its own definition (over 专业课教师), whatever the school's: 107 ÷ 118
    assert std.at["dual_qualified_ratio_2010", "本校值"] == "90.7%"
    assert (
        std.at["student_teacher_ratio", "结论"] == "达标"
        and "以在籍学生数代替" in std.at["student_teacher_ratio", "说明"]
    )


def test_no_output_names_the_2021_school(root, capsys):
    outs = [
        run(capsys, "validate", "--year", "2022", "--data-dir", str(root)),
        run(capsys, "indicators", "--year", "2022", "--data-dir", str(root)),
        run(capsys, "audit", "--year", "2022", "--data-dir", str(root)),
    ]
    data = load_year(2022, root)
    outs += [standards_table(data).to_csv(), audit(data).to_csv()]
    for text in outs:
        assert not [word for word in OTHER_SCHOOL if word in text], text[:200]


@pytest.fixture(scope="module")
def reports(root, tmp_path_factory) -> Path:
    """Its whole report, rendered once."""
    from qzanalysis.tools.render import render_year

    out = tmp_path_factory.mktemp("reports")
    result = render_year(2022, data_dir=root, out_dir=out, jobs=2, log=lambda m: None)
    assert result.ok, [c.error for c in result.chapters]
    assert len(result.chapters) >= 9
    return out / "2022"


def test_its_report_names_it_only(reports):
    """Every page of its rendered report (every edition, chapter page and the index) names it, never the
    2021 school, nor that school's own items (its 新疆班, its 智造 college), not even as a missing notice."""
    pages = sorted(reports.rglob("*.html"))
    assert len(pages) >= 2 * 9 + 1
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not [word for word in OTHER_SCHOOL if word in html], page.name
    assert NAME in (reports / "index.html").read_text(encoding="utf-8")


def test_its_own_numbers_show_in_their_section(reports):
    """The three numbers it declared for 5.3 show there the way any school's own numbers do: a chart of those
    sharing one unit in the publication edition, and all of them as a table in the review edition."""
    from bs4 import BeautifulSoup

    publication = BeautifulSoup((reports / "publication.html").read_text(encoding="utf-8"), "html.parser")
    captions = [c.get_text(" ", strip=True) for c in publication.select("figcaption")]
    chart = [c for c in captions if "对口支援" in c]
    assert chart and "2022 年对口支援（人）" in chart[0] and "出处：5.3 对口支援" in chart[0], captions
    alt = publication.select_one('figure img[alt*="对口支援"]')["alt"]
    assert "为帮扶学校培训教师" in alt and "40" in alt and "接收交流学生" in alt and "25" in alt
    assert "对口帮扶学校" not in alt  # 所, another unit: in the table, not on this chart
    review = BeautifulSoup((reports / "review.html").read_text(encoding="utf-8"), "html.parser")
    table = next(
        t
        for t in review.select(".qz-table-block")
        if "对口支援：本校登记的数字" in t.get_text(" ", strip=True)
    )
    text = table.get_text(" ", strip=True)
    assert "对口帮扶学校" in text and "3 所" in text and "40 人" in text and "25 人" in text
    assert "对口支援：本校登记的数字" not in publication.get_text()  # the table is the audit's view


def test_a_section_without_own_numbers_shows_nothing(root, monkeypatch):
    """No table, chart or notice for a section where the school declares nothing of its own (as for every
    section where only another school printed numbers of its own)."""
    import IPython.display

    from qzanalysis.report.chapters import common

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    data = load_year(2022, root)
    for section in ("1.3.3", "3.2.7", "3.4.7", "5.2", "7"):
        common.table_section_facts(data, section)
        assert common.figure_section_facts(data, section) is None
    assert shown == []
    assert common.own_section_facts(data, "5.3") == [
        "partner_schools",
        "partner_teachers_trained",
        "exchange_students_received",
    ]
    assert common.section_chart_facts(data, "5.3") == [
        "partner_teachers_trained",
        "exchange_students_received",
    ]
