"""Standards follow the school's types and the date they apply from: a changed threshold never re-grades
a past year."""

from __future__ import annotations

import copy
import re
import shutil

import pytest

from qzanalysis import load_year
from qzanalysis.indicators import standards as st


def _with_types(data_copy, types: str) -> None:
    path = data_copy / "2021" / "school.yaml"
    text = re.sub(r"(?m)^types: .*$", f"types: {types}", path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")


def test_rows_follow_the_school_types(data_copy):
    both = st.standards_table(load_year(2021))
    assert set(both["适用"]) == {"中等职业学校", "职业院校", "技师学院"}

    _with_types(data_copy, "[中等职业学校]")
    zz = st.standards_table(load_year(2021, data_copy))
    assert "技师学院" not in set(zz["适用"]) and "技工学校" not in set(zz["适用"])
    assert set(zz["id"]) == set(both["id"]) - {i for i in both["id"] if i.startswith("technician_college")}

    _with_types(data_copy, "[技工学校]")
    tech = st.standards_table(load_year(2021, data_copy))
    assert set(tech["适用"]) == {"技工学校", "职业院校"}  # its own rows, and the 2019 target for all 职业院校
    assert "technical_school_land_area" in set(tech["id"]) and "students_min" not in set(tech["id"])


def test_each_row_names_its_document_type_and_period():
    table = st.standards_table(load_year(2021)).set_index("id")
    row = table.loc["technician_college_students"]
    assert row["适用"] == "技师学院" and "技工院校设置标准" in row["出处"] and row["施行"] == "2012-01-31 起"
    assert table.at["students_min", "施行"] == "2010-07-06 起"


def test_a_standard_applies_from_its_date():
    dabiao = [s for s in st.all_standards() if s.document == "dabiao"]
    assert dabiao and all(not s.in_force(2021) and s.in_force(2022) for s in dabiao)
    assert "equipment_value_total" not in st.standards(2021) and "equipment_value_total" in st.standards(2023)


def test_a_threshold_change_does_not_regrade_past_years(data_copy, monkeypatch):
    """A made-up change: from 2023 the 生师比 threshold is 15:1. 2021 keeps ≤ 20 (达标); 2024 gets ≤ 15."""
    raw = copy.deepcopy(st._metadata())
    old = next(s for s in raw["standards"] if s["id"] == "student_teacher_ratio")
    old["until"] = 2023
    raw["standards"].append({**old, "until": None, "from": 2023, "threshold": 15, "clause": "假设的新条文"})
    monkeypatch.setattr(st, "all_standards", lambda: tuple(st.load_standards(raw)))

    (data_copy / "2024").mkdir()  # a later year with the same figures (only what the standards read)
    for name in ("facts.csv", "catalogue.yaml"):
        shutil.copy(data_copy / "2021" / name, data_copy / "2024" / name)
    profile = (data_copy / "2021" / "school.yaml").read_text(encoding="utf-8")
    (data_copy / "2024" / "school.yaml").write_text(
        profile.replace("report_title: 2021", "report_title: 2024")
    )
    before = st.standards_table(load_year(2021, data_copy)).set_index("id").loc["student_teacher_ratio"]
    after = st.standards_table(load_year(2024, data_copy)).set_index("id").loc["student_teacher_ratio"]
    assert (before["标准"], before["结论"]) == ("≤ 20:1", "达标")
    assert (after["标准"], after["结论"]) == ("≤ 15:1", "未达标")
    assert after["施行"] == "2023-01-01 起" and before["施行"] == "2010-07-06 起至 2023-01-01 止"
    assert (
        st.thresholds(2021)["student_teacher_ratio"] == 20
        and st.thresholds(2024)["student_teacher_ratio"] == 15
    )


def test_overlapping_versions_are_refused():
    raw = copy.deepcopy(st._metadata())
    old = next(s for s in raw["standards"] if s["id"] == "student_teacher_ratio")
    raw["standards"].append({**old, "from": 2023, "threshold": 15})
    with pytest.raises(ValueError, match="同时施行"):
        st.load_standards(raw)


def test_printed_value_is_used_only_under_the_standards_definition(data_copy):
    """2020 has no raw teacher counts: the printed 双师型 ratio grades it only if printed over 专业课教师."""
    assert (
        st.standards_table(load_year(2020)).set_index("id").at["dual_qualified_ratio_2010", "取值"]
        == "报告值"
    )
    path = data_copy / "2020" / "school.yaml"
    text = path.read_text(encoding="utf-8").replace("denominator: specialty", "denominator: full_time")
    path.write_text(text, encoding="utf-8")
    row = st.standards_table(load_year(2020, data_copy)).set_index("id").loc["dual_qualified_ratio_2010"]
    assert row["结论"] == "无法判断" and "与标准的口径（专业课教师（国家政策口径））不同" in row["说明"]


def test_the_summary_page_uses_the_standards_that_grade_the_year():
    from qzanalysis.core.years import previous_year
    from qzanalysis.report.summary import summary_rows

    data = load_year(2021)
    rows = {r.id: r.standards for r in summary_rows(data, previous_year(data))}
    assert rows["equipment_value_per_student"] == (("≥ 3,000 元", "达标"),)  # not the 2022 达标工程's 2,500
    assert rows["dual_qualified_ratio"] == (("≥ 30%", "达标"), ("> 50%", "达标"))


def test_the_summary_grades_a_school_on_another_definition_by_the_standards_definition(data_copy):
    """A school counting 双师型 over 专任教师 still sees the standards, graded on their own definition (over
    专业课教师), with that value named; its own value stays the one shown."""
    from qzanalysis.core.years import previous_year
    from qzanalysis.report.summary import summary_rows

    path = data_copy / "2021" / "school.yaml"
    text = path.read_text(encoding="utf-8")
    assert "denominator: specialty" in text
    path.write_text(text.replace("denominator: specialty", "denominator: full_time"), encoding="utf-8")
    data = load_year(2021, data_copy)
    row = next(r for r in summary_rows(data, previous_year(data)) if r.id == "dual_qualified_ratio")
    on_standard = 100 * data.fact("dual_qualified_teachers") / data.fact("specialty_teachers")
    shown = f"{on_standard:.1f}%"
    assert row.standards == (
        (f"≥ 30%（按标准口径为 {shown}）", "达标"),
        (f"> 50%（按标准口径为 {shown}）", "达标" if on_standard > 50 else "未达标"),
    )
    own = 100 * data.fact("dual_qualified_teachers") / data.fact("full_time_teachers")
    assert abs(row.computed - own) < 1e-9  # the school's value, on its own definition
