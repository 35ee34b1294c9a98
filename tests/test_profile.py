"""The school profile (data/<year>/school.yaml) names the school; problems are findings, not tracebacks."""

import re

import pytest

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


def test_render_refuses_a_year_without_the_school_name_and_writes_nothing(data_copy, tmp_path, capsys):
    from qzanalysis.tools.cli import main

    (data_copy / "2021" / "school.yaml").unlink()
    out = tmp_path / "reports"
    assert main(["render", "--year", "2021", "--data-dir", str(data_copy), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "未生成任何文件" in err and "没有学校名称" in err and "school.yaml" in err
    assert not out.exists()


def test_command_line_text_names_the_school(capsys):
    from qzanalysis.tools.cli import main

    assert main(["validate", "--year", "2021"]) == 0
    assert capsys.readouterr().out.startswith("衢州市工程技术学校（衢州市技师学院）（2021 年数据）")
    assert main(["audit", "--year", "2021"]) == 0
    assert capsys.readouterr().out.startswith("衢州市工程技术学校（衢州市技师学院）（2021 年数据）")


@pytest.mark.parametrize(
    "website",
    [
        "zjqzgc.zjer.cn",
        "http://zjqzgc.zjer.cn/<script>",
        "http://zjqzgc .zjer.cn/",
        "javascript:alert(1)",
        "http://x",
    ],
)
def test_a_website_that_is_no_web_address_is_a_finding_and_prints_as_text(data_copy, website):
    from qzanalysis.report.text import section_markdown

    path = data_copy / "2021" / "school.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^website: .*$", f"website: '{website}'", text), encoding="utf-8")
    data = read_year(2021, data_copy)
    found = [f for f in data.report.warnings if f.check == "profile" and f.column == "website"]
    line = next(
        i for i, ln in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if ln.startswith("website")
    )
    assert found and found[0].value == website and "http://" in found[0].expected and found[0].line == line
    markdown = section_markdown(data, "1.1.1")
    assert f"<{website}>" not in markdown and "<script>" not in markdown  # plain text, never an autolink


def test_a_web_address_is_an_explicit_autolink(data_2021):
    from qzanalysis.report.text import section_markdown

    assert not [f for f in data_2021.report.findings if f.column == "website"]
    assert "网址为：<http://zjqzgc.zjer.cn/>" in section_markdown(data_2021, "1.1.1")
