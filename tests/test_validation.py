"""Bad input as analysts produce it from Excel/WPS: each case is normalised or rejected with a message that
names the file, the CSV line, the column, the value found and what was expected."""

from __future__ import annotations

import pytest

from qzanalysis import DataValidationError, load_year, read_year
from qzanalysis.core.findings import Level
from qzanalysis.tools.cli import main


def write(data_dir, name, text, encoding="utf-8", year=2021):
    path = data_dir / str(year) / name
    path.write_bytes(text.encode(encoding))
    return path


def errors(data_dir, year=2021):
    return read_year(year, data_dir).report.errors


def test_real_years_are_clean():
    for year in (2020, 2021):
        report = read_year(year).report
        assert report.errors == [], report.format()
        assert report.warnings == [], report.format()


@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("utf-8-sig", b""), ("gbk", b"")],
)
def test_bom_and_gbk_are_read(data_copy, encoding, prefix):
    write(
        data_copy,
        "students_by_level.csv",
        "level,students\n中职层次,1388\n高职层次,1737\n技师层次,617\n",
        encoding,
    )
    data = load_year(2021, data_copy)
    assert list(data.table("students_by_level")["students"]) == [1388, 1737, 617]
    notes = [f for f in data.report.findings if f.check == "encoding"]
    assert bool(notes) == (encoding == "gbk")


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("98.41%", 98.41),  # percent sign in a % column
        ("９８．４１", 98.41),  # full-width digits
        ("  98.41 ", 98.41),  # stray spaces
    ],
)
def test_rate_cells_are_normalised(data_copy, cell, expected):
    write(data_copy, "fitness.csv", f"group,pass_rate,excellent_rate,note\n全校,{cell},21.58,\n")
    data = load_year(2021, data_copy)
    assert data.table("fitness")["pass_rate"].iloc[0] == expected


@pytest.mark.parametrize(
    "cell, expected", [("956人", 956), ("1,388", 1388), ("１３８８", 1388), ("1,388 人", 1388)]
)
def test_count_cells_are_normalised(data_copy, cell, expected):
    write(
        data_copy,
        "students_by_level.csv",
        f'level,students\n中职层次,"{cell}"\n高职层次,1737\n技师层次,617\n',
    )
    data = read_year(2021, data_copy)
    assert data.report.errors == []
    assert data.table("students_by_level")["students"].iloc[0] == expected


def test_fact_unit_suffix_uses_the_catalogue_unit(data_copy):
    path = data_copy / "2021" / "facts.csv"
    text = path.read_text(encoding="utf-8").replace("enrolment,招生数,956,人", 'enrolment,招生数,"956人",人')
    path.write_text(text, encoding="utf-8")
    assert load_year(2021, data_copy).fact("enrolment") == 956


@pytest.mark.parametrize(
    "cell, message, expected_fragment",
    [
        ("1388元", "单位“元”", "人"),
        ("13.88%", "带有“%”", "人"),
        ("13,88", "千位分隔符", "人"),
        ("一千", "不是整数", "整数"),
        ("-5", "小于允许的最小值", "不小于 0"),
        ("", "必填项为空", "非空值"),
    ],
)
def test_bad_count_cells_are_rejected_with_file_line_column(data_copy, cell, message, expected_fragment):
    write(
        data_copy,
        "students_by_level.csv",
        f'level,students\n中职层次,1388\n高职层次,"{cell}"\n技师层次,617\n',
    )
    found = errors(data_copy)
    assert len(found) == 1, [str(f) for f in found]
    f = found[0]
    assert f.file.endswith("2021/students_by_level.csv")
    assert f.line == 3
    assert f.column == "students"
    assert message in f.message
    assert expected_fragment in (f.expected or "")
    text = str(f)
    assert "students_by_level.csv" in text and "第 3 行" in text and "students" in text


def test_rate_above_100_is_rejected(data_copy):
    write(
        data_copy, "fitness.csv", "group,pass_rate,excellent_rate,note\n全校,88.63,21.58,\n一年级,894,24.2,\n"
    )
    (f,) = errors(data_copy)
    assert (f.line, f.column, f.value) == (3, "pass_rate", "894")
    assert "不大于 100" in f.expected


def test_duplicate_key_names_both_lines(data_copy):
    write(data_copy, "students_by_level.csv", "level,students\n中职层次,1388\n中职层次,1737\n技师层次,617\n")
    (f,) = errors(data_copy)
    assert f.check == "primary_key" and f.line == 3 and "第 2 行" in f.message


def test_missing_and_unknown_columns(data_copy):
    write(data_copy, "graduates_by_channel.csv", "channel,毕业人数\n教育口,357\n")
    found = errors(data_copy)
    assert {(f.column, f.message) for f in found} == {("graduates", "缺少列"), ("毕业人数", "多出未定义的列")}
    assert all(f.line == 1 for f in found)


def test_chinese_titles_are_accepted_as_headers(data_copy):
    write(data_copy, "graduates_by_channel.csv", "口径,毕业生数\n教育口,357\n人社口,635\n")
    assert load_year(2021, data_copy).table("graduates_by_channel")["graduates"].sum() == 992


def test_unknown_fact_and_wrong_unit(data_copy):
    path = data_copy / "2021" / "facts.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("books,藏书,20256,册", "books,藏书,20256,本").replace("enrolment,", "enrollment,")
    path.write_text(text, encoding="utf-8")
    found = {(f.column, f.value) for f in errors(data_copy)}
    assert ("unit", "本") in found and ("id", "enrollment") in found


def test_all_problems_are_reported_at_once(data_copy):
    write(data_copy, "students_by_level.csv", "level,students\n中职层次,abc\n高职层次,-1\n技师层次,617\n")
    write(data_copy, "fitness.csv", "group,pass_rate,excellent_rate,note\n全校,188,21.58,\n")
    found = errors(data_copy)
    assert {(f.file.rsplit("/", 1)[1], f.line) for f in found} == {
        ("students_by_level.csv", 2),
        ("students_by_level.csv", 3),
        ("fitness.csv", 2),
    }
    with pytest.raises(DataValidationError) as exc:
        load_year(2021, data_copy)
    assert str(exc.value).count("[FAIL]") == 3


def test_sum_that_does_not_match_the_total_warns_with_both_numbers(data_copy):
    write(data_copy, "students_by_level.csv", "level,students\n中职层次,1388\n高职层次,1737\n技师层次,600\n")
    data = load_year(2021, data_copy)  # a warning, not an error: the report itself may be inconsistent
    (w,) = [f for f in data.report.warnings if f.check != "manifest"]
    assert w.check == "students_by_level_total" and "3725" in w.message and "3742" in w.message


def test_blank_trailing_lines_and_slash_markers(data_copy):
    write(
        data_copy,
        "public_course_hours.csv",
        "course,applies_to,compulsory_hours,restricted_elective_hours,free_elective_hours,total_hours\n"
        "思想政治,所有专业,144,36,/,180\n,,,,,\n",
    )
    data = load_year(2021, data_copy)
    table = data.table("public_course_hours")
    assert len(table) == 1 and table["free_elective_hours"].isna().all()


def test_missing_year_folder(tmp_path):
    (f,) = errors(tmp_path, 2031)
    assert f.check == "year_folder"


def test_cli_validate_exit_codes(data_copy, capsys):
    assert main(["validate", "--year", "2021", "--data-dir", str(data_copy)]) == 0
    write(data_copy, "fitness.csv", "group,pass_rate,excellent_rate,note\n全校,188,21.58,\n")
    assert main(["validate", "--year", "2021", "--data-dir", str(data_copy)]) == 1
    out = capsys.readouterr().out
    assert "fitness.csv，第 2 行，列“pass_rate”" in out and "188" in out


def test_manifest_detects_edits(data_copy):
    assert main(["manifest", "--year", "2021", "--data-dir", str(data_copy)]) == 0
    assert not [f for f in read_year(2021, data_copy).report.findings if f.check == "manifest"]
    write(data_copy, "graduates_by_channel.csv", "channel,graduates\n教育口,357\n人社口,635\n\n")
    (w,) = [f for f in read_year(2021, data_copy).report.findings if f.check == "manifest"]
    assert w.level is Level.WARN and "graduates_by_channel.csv" in w.file


def test_chinese_punctuation_in_text_is_kept(data_copy):
    write(
        data_copy,
        "starting_salaries.csv",
        "major,starting_salary,note\n工业机器人,3500,备注：（页面缺失），见原文；\n",
    )
    note = load_year(2021, data_copy).table("starting_salaries")["note"].iloc[0]
    assert note == "备注：（页面缺失），见原文；"


def test_stray_quote_is_an_error_not_a_swallowed_file(data_copy):
    write(
        data_copy,
        "fitness.csv",
        'group,pass_rate,excellent_rate,note\n全校,88.63,21.58,\n"二年级,92.5,21.6,\n三年级,84.8,12.5,\n',
    )
    found = errors(data_copy)
    assert found and all(f.file.endswith("fitness.csv") for f in found)
    assert any(f.line == 3 for f in found), [str(f) for f in found]


def test_line_break_inside_a_key_cell_is_an_error(data_copy):
    write(data_copy, "fitness.csv", 'group,pass_rate,excellent_rate,note\n"全校\n一年级",88.63,21.58,\n')
    (f,) = errors(data_copy)
    assert f.column == "group" and "换行" in f.message


def test_folder_named_like_a_table_and_broken_manifest(data_copy):
    (data_copy / "2021" / "fitness.csv").unlink()
    (data_copy / "2021" / "fitness.csv").mkdir()
    (data_copy / "2021" / "manifest.yaml").write_text("- [unclosed", encoding="utf-8")
    data = read_year(2021, data_copy)
    (f,) = data.report.errors
    assert f.file.endswith("fitness.csv") and "无法读取" in f.message
    (w,) = [x for x in data.report.warnings if x.check == "manifest"]
    assert "数据清单无法读取" in w.message


def test_missing_column_message_names_chinese_titles(data_copy):
    write(data_copy, "graduates_by_channel.csv", "channel\n教育口\n")
    (f,) = errors(data_copy)
    assert "graduates（毕业生数）" in f.expected


def test_cross_check_without_inputs_is_skipped_not_passed(data_copy, capsys):
    (data_copy / "2021" / "students_by_level.csv").unlink()
    report = read_year(2021, data_copy).report
    assert "students_by_level_total" in report.checks_skipped
    assert "students_by_level_total" not in report.check_status()
    assert main(["validate", "--year", "2021", "--data-dir", str(data_copy)]) == 0
    assert "SKIP students_by_level_total" in capsys.readouterr().out
