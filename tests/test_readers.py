"""Bad input as analysts make it in Excel and WPS (issue 10), CSV side: each kind is caught and said plainly
(file, line, column, the value as typed, what is expected), normalised with a note, or refused."""

from __future__ import annotations

import shutil

import pytest

from qzanalysis.core.cells import character_name, clean_text, lookalike_key
from qzanalysis.core.dataset import read_year
from qzanalysis.core.filekinds import FileKindError, decode_bytes
from qzanalysis.core.findings import Level
from qzanalysis.core.number_cells import normalise_number
from qzanalysis.core.patterns import describe_pattern
from qzanalysis.tools.cli import main

FITNESS_HEAD = "group,pass_rate,excellent_rate,printed_unit,note\n"
LEVELS_HEAD = "level,students\n"


def write(data_dir, name, text, encoding="utf-8", year=2021):
    path = data_dir / str(year) / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def findings(data_dir, year=2021, level=Level.FAIL, check=None):
    return [
        f
        for f in read_year(year, data_dir).report.findings
        if f.level is level and (check is None or f.check == check)
    ]


# ---- encodings and file kinds --------------------------------------------------------------------
def test_utf16_unicode_text_is_named_and_how_to_resave(data_copy):
    write(data_copy, "students_by_level.csv", "level\tstudents\n中职层次\t1388\n", "utf-16")
    (f,) = findings(data_copy)
    assert f.file.endswith("students_by_level.csv") and f.check == "encoding"
    assert "UTF-16" in f.message and "Unicode 文本" in f.message and "制表符" in f.message
    assert "CSV UTF-8" in f.expected
    assert "字节" not in str(f)


@pytest.mark.parametrize(
    "head, kind",
    [
        (b"PK\x03\x04rest-of-a-zip", "Excel 工作簿（.xlsx）"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "旧版 Excel（.xls）或 WPS 表格（.et）"),
        (b"%PDF-1.7", "PDF"),
    ],
)
def test_a_renamed_file_says_what_it_is(data_copy, head, kind):
    write(data_copy, "fitness.csv", head + b"\x00" * 64)
    (f,) = findings(data_copy)
    assert f.message.startswith("这不是 CSV 文本文件") and kind in f.message
    assert "另存为" in f.expected


def test_one_gbk_line_in_a_utf8_file_names_the_line(data_copy):
    text = (LEVELS_HEAD + "中职层次,1388\n").encode("utf-8") + "高职层次,1737\n".encode("gbk")
    write(data_copy, "students_by_level.csv", text + "技师层次,617\n".encode())
    (f,) = findings(data_copy)
    assert f.line == 3 and "第 3 行" in f.message and "UTF-8" in f.message and "GBK" in f.message
    assert "另存为" in f.expected


def test_decode_bytes_whole_gbk_file_is_read_with_its_encoding():
    assert decode_bytes("甲,乙\n".encode("gbk")) == ("甲,乙\n", "gbk")
    with pytest.raises(FileKindError) as exc:
        decode_bytes(b"a,b\n\xff\xfe\xfa\n")  # neither UTF-8 nor GBK, on line 2
    assert exc.value.line == 2


# ---- invisible and look-alike characters -----------------------------------------------------------
def test_zero_width_space_in_a_key_is_removed_and_named(data_copy):
    write(data_copy, "fitness.csv", FITNESS_HEAD + "全校\u200b,88.63,21.58,无,\n一年级,89.4,24.2,无,\n")
    data = read_year(2021, data_copy)
    assert data.report.ok, data.report.format()
    assert list(data.table("fitness")["group"]) == ["全校", "一年级"]
    (note,) = [f for f in data.report.findings if f.check == "characters"]
    assert (note.line, note.column) == (2, "group") and "U+200B 零宽空格" in note.message


@pytest.mark.parametrize(
    "cell, cleaned, named",
    [
        ("一\u00a0年级", "一 年级", "U+00A0 不换行空格"),
        ("\ufeff全校", "全校", "U+FEFF 零宽不换行空格（BOM）"),
        ("全校 \u3000", "全校", None),  # trailing spaces, any kind: stripped silently
        ("中职\u2060层次", "中职层次", "U+2060 零宽不折行符"),
        ("a\u00adb", "ab", "U+00AD 软连字符"),
    ],
)
def test_text_cells_are_cleaned_and_changes_named(cell, cleaned, named):
    text, note = clean_text(cell)
    assert text == cleaned
    assert (named in note) if named else note is None


def test_character_names_fall_back_to_unicode_names():
    assert character_name("\u200b") == "U+200B 零宽空格"
    assert character_name("\u2028") == "U+2028 LINE SEPARATOR"


@pytest.mark.parametrize(
    "first, second, difference",
    [
        ("中式烹调（中餐烹饪）", "中式烹调(中餐烹饪)", "全角/半角"),
        ("ＩＴ服务", "IT服务", "全角/半角"),
        ("幼儿 教育", "幼儿教育", "只差空格"),
    ],
)
def test_keys_a_reader_cannot_tell_apart_are_refused(data_copy, first, second, difference):
    write(data_copy, "starting_salaries.csv", f"major,starting_salary,note\n{first},3500,\n{second},3000,\n")
    (f,) = findings(data_copy)
    assert (f.check, f.line, f.column, f.value) == ("lookalike_key", 3, "major", second)
    assert f"与第 2 行的“{first}”看起来相同" in f.message and difference in f.message
    assert lookalike_key(first) == lookalike_key(second)


# ---- numbers -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cell, message, hint",
    [
        ("2021/9/1", "像日期", "格式"),
        ("1E+3", "科学计数法", "约 1,000"),
        ("4.08E+06", "科学计数法", "约 4,080,000"),
        ("88。63", "小数点写成了“。”", "88.63"),
        ("1 388", "数字格式不对", "只含数字"),
        ("3.5.1.2", "数字格式不对", "只含数字"),
        ("12%5", "数字格式不对", "只含数字"),
        ("inf", "不是有限的数字", "留空"),
        ("-inf", "不是有限的数字", "留空"),
        ("NaN", "不是有限的数字", "留空"),
        ("∞", "不是有限的数字", "留空"),
        ("Infinity", "不是有限的数字", "留空"),
        ("#REF!", "Excel 的错误值", "改正公式"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(data_copy, cell, message, hint):
    write(data_copy, "starting_salaries.csv", f"major,starting_salary,note\n工业机器人,{cell},\n")
    (f,) = findings(data_copy)  # one finding, never "below the minimum" and "above the maximum" at once
    assert (f.line, f.column, f.value) == (2, "starting_salary", cell)
    assert message in f.message and "带有单位" not in f.message
    assert hint in f.expected and f.expected.startswith("数字（单位：元）")


def test_number_cells_normalised_with_notes():
    assert normalise_number("1,388 人", "人").text == "1388"
    assert normalise_number("−5", None).text == "-5"
    cell = normalise_number("１３８８\u200b", "人")
    assert cell.text == "1388" and "全角" in cell.note and "U+200B" in cell.note
    assert normalise_number("一千", "人").error is None  # no digit: the type check says "不是整数"


@pytest.mark.parametrize("typed", ["—", "N/A", "暂无", "-", "/", "#N/A", "不详"])
def test_placeholder_in_a_required_number_shows_what_was_typed(data_copy, typed):
    write(
        data_copy, "students_by_level.csv", LEVELS_HEAD + f"中职层次,1388\n高职层次,{typed}\n技师层次,617\n"
    )
    (f,) = findings(data_copy)
    assert (f.line, f.column, f.value) == (3, "students", typed)
    assert f"必填项不能用“{typed}”代替" in f.message and "整数（单位：人）" in f.expected
    assert "（发现：“”" not in str(f)


def test_placeholder_in_an_optional_number_is_missing(data_copy):
    write(data_copy, "starting_salaries.csv", "major,starting_salary,note\n工业机器人,3500,暂无\n")
    data = read_year(2021, data_copy)
    assert data.report.ok and data.table("starting_salaries")["note"].isna().all()


# ---- percentages typed as fractions --------------------------------------------------------------------
def test_percent_column_all_within_0_1_is_questioned(data_copy):
    write(
        data_copy,
        "fitness.csv",
        FITNESS_HEAD + "全校,0.8863,0.2158,,\n一年级,0.894,0.242,,\n",
    )
    found = findings(data_copy, check="percent_fraction")
    assert {(f.column, f.line) for f in found} == {("pass_rate", 2), ("excellent_rate", 2)}
    f = next(f for f in found if f.column == "pass_rate")
    assert "疑似把百分数写成了小数" in f.message and f.value == "0.8863、0.894"
    assert f.expected == "百分数，如 0.8863 应填 88.63"


def test_a_small_percentage_among_others_is_fine(data_copy):
    write(data_copy, "fitness.csv", FITNESS_HEAD + "全校,88.63,0.5,,\n一年级,89.4,24.2,,\n")
    assert not findings(data_copy, check="percent_fraction")


def test_percent_facts_all_within_0_1_are_questioned(data_copy):
    path = data_copy / "2021" / "facts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    from qzanalysis.core.dataset import load_year

    catalogue = load_year(2021, data_copy).catalogue.facts  # built-in and the year's own
    rates = {fid for fid, s in catalogue.items() if s.unit == "%" and s.maximum == 100}
    out = []
    for line in lines:
        cells = line.split(",")
        if cells[0] in rates and cells[2]:
            cells[2] = f"{float(cells[2]) / 100:.4f}"
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    (f,) = findings(data_copy, check="percent_fraction")
    assert (
        f.column == "value"
        and "疑似把百分数写成了小数" in f.message
        and "graduation_rate_printed" in f.message
    )


# ---- total rows ------------------------------------------------------------------------------------------
def test_total_row_matching_its_parts_is_left_out_with_a_note(data_copy):
    write(
        data_copy,
        "students_by_level.csv",
        LEVELS_HEAD + "中职层次,1388\n高职层次,1737\n技师层次,617\n合计,3742\n",
    )
    data = read_year(2021, data_copy)
    assert data.report.ok, data.report.format()
    assert not [w for w in data.report.warnings if w.check != "manifest"]  # the sum check still holds
    assert list(data.table("students_by_level")["level"]) == ["中职层次", "高职层次", "技师层次"]
    (note,) = [f for f in data.report.findings if f.check == "total_row"]
    assert (note.level, note.line, note.value) == (Level.INFO, 5, "合计")


def test_total_row_that_differs_from_its_parts_is_refused_with_both_numbers(data_copy):
    write(
        data_copy,
        "students_by_level.csv",
        LEVELS_HEAD + "中职层次,1388\n高职层次,1737\n技师层次,617\n总 计,4000\n",
    )
    (f,) = findings(data_copy)
    assert (f.check, f.line, f.column, f.value) == ("total_row", 5, "level", "总 计")
    assert "合计行 4000，分项之和 3742" in f.message


@pytest.mark.parametrize("label", ["合计", "小计", "总计：", "全校合计"])
def test_total_row_in_a_table_without_a_total_is_refused(data_copy, label):
    write(
        data_copy, "starting_salaries.csv", f"major,starting_salary,note\n工业机器人,3500,\n{label},3500,\n"
    )
    (f,) = findings(data_copy)
    assert (f.check, f.line, f.value) == ("total_row", 3, label) and f.expected == "删除此行"


# ---- another year's data ---------------------------------------------------------------------------------
def test_last_years_folder_copied_is_an_error(data_copy, capsys):
    shutil.copytree(data_copy / "2021", data_copy / "2022")
    found = findings(data_copy, 2022, check="year_label")
    where = {(f.file.rsplit("/", 1)[1], f.column) for f in found}
    assert ("manifest.yaml", "year") in where
    assert ("school.yaml", "report_title") in where
    assert ("aid_amounts.csv", "term") in where and ("aid_recipients.csv", "term") in where
    term = next(f for f in found if f.column == "term")
    assert term.value == "2020年秋季学期" and "不属于 2022 年度" in term.message
    # a fresh manifest does not make the data 2022's
    assert main(["manifest", "--year", "2022", "--data-dir", str(data_copy)]) == 0
    assert main(["validate", "--year", "2022", "--data-dir", str(data_copy)]) == 1
    assert "写的是 2020 年的数据，不属于 2022 年度" in capsys.readouterr().out


def test_terms_of_the_reports_own_year_pass(data_copy):
    assert not findings(data_copy, 2021, check="year_label")


# ---- spreadsheet formulas in text ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "major, prefix",
    [
        ('"=HYPERLINK(""http://x.cn"",""点击查看"")"', "="),
        ("+cmd", "+"),
        ("-2+3", "-"),
        ("@SUM(A1)", "@"),
        ('"\t=1+1"', "="),  # a leading tab is stripped, the formula stays refused
    ],
)
def test_formula_in_a_text_cell_is_refused(data_copy, major, prefix):
    write(
        data_copy,
        "enrolment_plan.csv",
        "seq,major,major_code,duration,registry,planned,note\n" + f"1,{major},660302,三年,教育,40,\n",
    )
    (f,) = findings(data_copy)
    assert (f.check, f.line, f.column) == ("formula", 2, "major")
    assert f"以“{prefix}”开头" in f.message and "公式" in f.message


# ---- column problems ----------------------------------------------------------------------------------------
def test_extra_column_lists_the_allowed_ones(data_copy):
    write(data_copy, "students_by_level.csv", "level,students,备注\n中职层次,1388,\n")
    (f,) = findings(data_copy)
    assert (f.line, f.column, f.message) == (1, "备注", "多出未定义的列")
    assert "level（培养层次），students（学生数）" in f.expected and "第 3 列" in f.expected


def test_stray_comma_names_the_column_and_the_value(data_copy):
    write(data_copy, "students_by_level.csv", LEVELS_HEAD + "中职层次,1,388\n高职层次,1737\n技师层次,617\n")
    found = findings(data_copy, check="shape")
    (f,) = found
    assert (f.line, f.column, f.value) == (2, "students", "388")
    assert "“1,388”中的千位逗号把它拆成了两格" in f.expected and "比表头多 1 个" in f.message


def test_stray_comma_in_text_names_the_cells_outside_the_header(data_copy):
    write(data_copy, "graduates_by_channel.csv", "channel,graduates\n教育口,357\n人社,口,635\n")
    (f,) = findings(data_copy, check="shape")
    assert (f.line, f.column, f.value) == (3, "第 3 列（表头之外）", "635")
    assert "英文双引号" in f.expected


def test_trailing_empty_columns_from_excel_are_ignored(data_copy):
    write(
        data_copy,
        "students_by_level.csv",
        "level,students,,\n中职层次,1388,,\n高职层次,1737,,\n技师层次,617,,\n",
    )
    data = read_year(2021, data_copy)
    assert data.report.ok, data.report.format()
    assert list(data.table("students_by_level")["students"]) == [1388, 1737, 617]


def test_csv_saved_from_a_template_sheet_is_accepted(data_copy):
    write(
        data_copy,
        "fitness.csv",
        "测评对象,合格率（%）,优良率（%）,报告所印单位,备注\n"
        "【填写说明】必填,可空；数字；0–100；单位：%（只填数字）,可空,可空,可空\n"
        "全校,88.63,21.58,,\n",
    )
    data = read_year(2021, data_copy)
    assert data.report.ok, data.report.format()
    assert list(data.table("fitness")["pass_rate"]) == [88.63]


def test_pattern_messages_are_words_not_regular_expressions(data_copy):
    write(
        data_copy,
        "enrolment_plan.csv",
        "seq,major,major_code,duration,registry,planned,note\n1,电气设备运行与控制,109,三年,教育,40,\n",
    )
    (f,) = findings(data_copy)
    assert (f.column, f.value, f.message) == ("major_code", "109", "格式不符")
    assert f.expected.startswith("4–6 位数字") and "0109" in f.expected
    assert "[" not in f.expected and "{" not in f.expected
    assert describe_pattern("[A-Z]{2}[0-9]{4}") == "2 个大写字母，接 4 位数字"
