"""The school profile (data/<year>/school.yaml) names the school; problems are findings, not tracebacks."""

from qzanalysis import load_year, read_year


def test_2021_profile():
    profile = load_year(2021).profile
    assert profile.name == "衢州市工程技术学校（衢州市技师学院）"
    assert profile.types == ("中等职业学校", "技师学院")
    assert profile.is_secondary_vocational and profile.is_technical
    assert profile.sponsor == "衢州市人民政府"
    assert profile.definitions["dual_qualified_ratio"] == {"denominator": "specialty"}


def test_missing_profile_is_a_warning_and_a_visible_placeholder(data_copy):
    (data_copy / "2021" / "school.yaml").unlink()
    data = read_year(2021, data_copy)
    assert data.profile is None and data.school_name == "（未填写学校名称）"
    assert any(f.check == "profile" for f in data.report.warnings)


def test_bad_profile_lists_every_problem(data_copy):
    (data_copy / "2021" / "school.yaml").write_text(
        "name: ''\ntypes: [职业高中]\ncolour: red\n", encoding="utf-8"
    )
    errors = [str(f) for f in read_year(2021, data_copy).report.errors if f.check == "profile"]
    assert any("缺少学校全称" in e for e in errors), errors
    assert any("未知的学校类型" in e and "职业高中" in e and "技师学院" in e for e in errors), errors
    assert any("未定义的键" in e and "colour" in e for e in errors), errors


def test_broken_profile_yaml_names_the_line(data_copy):
    (data_copy / "2021" / "school.yaml").write_text("name: x\ntypes: [中等职业学校\n", encoding="utf-8")
    errors = read_year(2021, data_copy).report.errors
    assert any(f.check == "profile" and f.line for f in errors)
