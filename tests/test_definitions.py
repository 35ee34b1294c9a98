"""Definitions that differ between schools live in school.yaml; substitutes and plausibility are declared."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from qzanalysis import load_year, read_year
from qzanalysis.indicators.audit_rules import indicator_rows
from qzanalysis.indicators.plausibility import check, read_checked_year
from qzanalysis.indicators.registry import definition_text, indicator_table, registry
from qzanalysis.tools.cli import main


def set_definitions(root: Path, year: int, text: str) -> None:
    path = root / str(year) / "school.yaml"
    lines = path.read_text(encoding="utf-8").split("definitions:")[0]
    path.write_text(lines + "definitions:\n" + text, encoding="utf-8")


def set_fact(root: Path, year: int, fact_id: str, value: str) -> None:
    """Replace (or add) one fact's value in facts.csv, keeping the other rows."""
    path = root / str(year) / "facts.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    label = load_year(year, root, strict=False).fact_spec(fact_id)
    kept = [r for r in rows if not r.startswith(f"{fact_id},")]
    path.write_text(
        "\n".join(kept + [f"{fact_id},{label.label},{value},{label.unit},,"]) + "\n", encoding="utf-8"
    )


def drop_fact(root: Path, year: int, fact_id: str) -> None:
    path = root / str(year) / "facts.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(r for r in rows if not r.startswith(f"{fact_id},")) + "\n", encoding="utf-8")


# ---- the school's definitions drive the default ------------------------------------------------
def test_school_definition_is_the_default_everywhere(data_copy, capsys):
    set_definitions(data_copy, 2021, "  dual_qualified_ratio: {denominator: full_time_plus_part_time}\n")
    data = load_year(2021, data_copy)
    dual = registry()["dual_qualified_ratio"]
    assert dual.compute(data) == pytest.approx(139 / (247 + 7) * 100)
    assert dual.compute(data, denominator="specialty") == pytest.approx(139 / 164 * 100)  # an override wins
    table = indicator_table(data).set_index("id")
    assert table.at["dual_qualified_ratio", "计算值"] == pytest.approx(139 / 254 * 100, abs=1e-3)
    assert (
        table.at["dual_qualified_ratio", "口径"]
        == "双师型教师数（专业教师中） ÷ （专任教师数 + 兼职教师数） × 100%"
    )
    # qz indicators and qz audit use the same definition; --option still overrides in qz indicators
    assert main(["indicators", "--year", "2021", "--data-dir", str(data_copy), "--format", "csv"]) == 0
    assert "54.72" in capsys.readouterr().out
    options = ["--option", "dual_qualified_ratio.denominator=specialty"]
    assert main(["indicators", "--year", "2021", "--data-dir", str(data_copy), *options]) == 0
    out = capsys.readouterr().out
    assert (
        "84.756" in out and "“双师型”教师比例（--option）：双师型教师数（专业教师中） ÷ 专业课教师数" in out
    )
    row = [r for r in indicator_rows(data, None) if r.item == dual.name][0]
    assert row.algorithm == "双师型教师数（专业教师中） 139 ÷ （专任教师数 247 + 兼职教师数 7） × 100%"


def test_audit_names_the_definition_a_printed_value_matches(data_copy):
    # The report printed 84.8% (over 专业课教师); a school declaring 专任教师 is told the value matches 专业课教师.
    set_definitions(data_copy, 2021, "  dual_qualified_ratio: {denominator: full_time}\n")
    row = [r for r in indicator_rows(load_year(2021, data_copy), None) if r.item == "“双师型”教师比例"][0]
    assert row.verdict == "不一致"
    assert "另一口径（denominator=specialty：专业课教师（国家政策口径））" in row.note
    assert "本校声明的口径是“专任教师”" in row.note


def test_definition_sentence_for_the_chapters(data_2021):
    assert definition_text(data_2021, "dual_qualified_ratio") == (
        "口径：双师型教师数（专业教师中） ÷ 专业课教师数 × 100%"
    )
    assert (
        definition_text(data_2021, "student_teacher_ratio")
        == "口径：在校生数（不含顶岗实习学生） ÷ 专任教师数"
    )
    assert definition_text(data_2021, "student_teacher_ratio", denominator="full_time_plus_part_time") == (
        "口径：在校生数（不含顶岗实习学生） ÷ （专任教师数 + 兼职教师数）"
    )


def test_chapters_print_the_definition_the_school_chose(data_copy, monkeypatch):
    """The review voice says the basis an indicator was recomputed on from school.yaml, never in words of
    its own: another school's definition prints under its indicator."""
    import IPython.display

    from qzanalysis.report.chapters import ch01_school

    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    ch01_school.narrative_teachers(load_year(2021, data_copy), None)
    text = str(shown[-1].data)
    assert "在校生数（不含顶岗实习学生） ÷ 专任教师数 重算" in text and "÷ 专业课教师数 × 100% 重算" in text
    set_definitions(
        data_copy,
        2021,
        "  student_teacher_ratio: {denominator: full_time_plus_part_time}\n"
        "  dual_qualified_ratio: {denominator: full_time}\n",
    )
    ch01_school.narrative_teachers(load_year(2021, data_copy), None)
    text = str(shown[-1].data)
    assert "在校生数（不含顶岗实习学生） ÷ （专任教师数 + 兼职教师数） 重算" in text
    dual = text[text.index("“双师型”教师比例报告印") :]
    assert "双师型教师数（专业教师中） ÷ 专任教师数 × 100% 重算" in dual and "专业课教师数" not in dual


def test_student_teacher_ratio_with_part_time_teachers(data_copy):
    set_definitions(data_copy, 2021, "  student_teacher_ratio: {denominator: full_time_plus_part_time}\n")
    assert registry()["student_teacher_ratio"].compute(load_year(2021, data_copy)) == pytest.approx(
        3742 / 254
    )


def test_unknown_definitions_are_findings_naming_the_key_and_the_choices(data_copy):
    set_definitions(
        data_copy,
        2021,
        "  dual_qualified_ratio: {denominator: everyone}\n"
        "  graduation_ratio: {denominator: x}\n"
        "  student_teacher_ratio: {base: full_time}\n",
    )
    path = data_copy / "2021" / "school.yaml"
    line = (
        path.read_text(encoding="utf-8").splitlines().index("  dual_qualified_ratio: {denominator: everyone}")
        + 1
    )
    errors = [str(f) for f in read_year(2021, data_copy).report.errors]
    assert any(
        f"school.yaml，第 {line} 行，列“definitions.dual_qualified_ratio.denominator”" in e
        and "“everyone”" in e
        and "specialty、full_time、full_time_plus_part_time" in e
        for e in errors
    ), errors
    assert any(
        "definitions.graduation_ratio" in e and "未登记的指标" in e and "dual_qualified_ratio" in e
        for e in errors
    )
    assert any("没有这个口径选项" in e and "“base”" in e and "denominator" in e for e in errors)


# ---- substitutes --------------------------------------------------------------------------------
def test_student_teacher_ratio_falls_back_to_students_total_and_says_so(data_copy):
    drop_fact(data_copy, 2021, "students_for_teacher_ratio")
    data = load_year(2021, data_copy)
    table = indicator_table(data).set_index("id")
    assert table.at["student_teacher_ratio", "计算值"] == pytest.approx(3742 / 247, abs=1e-3)
    assert "未提供在校生数（不含顶岗实习学生），以在籍学生数代替" in table.at["student_teacher_ratio", "说明"]
    assert "以在籍学生数代替" in definition_text(data, "student_teacher_ratio")
    row = [r for r in indicator_rows(data, None) if r.item == "生师比"][0]
    assert "在籍学生数 3,742" in row.algorithm and "以在籍学生数代替" in row.note


def test_land_area_in_square_metres_or_mu(data_copy):
    data = load_year(2021, data_copy)  # the report gives 亩
    assert registry()["land_area_per_student"].compute(data) == pytest.approx(165.1 * 10000 / 15 / 3742)
    set_fact(data_copy, 2021, "land_area", "120000")  # given in 平方米: preferred over 亩
    data = load_year(2021, data_copy)
    assert registry()["land_area_per_student"].compute(data) == pytest.approx(120000 / 3742)
    assert indicator_table(data).set_index("id").at["land_area_per_student", "说明"] == ""


# ---- plausibility -----------------------------------------------------------------------------------
def test_a_rate_over_100_percent_fails_validation_naming_both_inputs(data_copy, capsys):
    set_fact(data_copy, 2021, "graduates_total", "451")
    set_fact(data_copy, 2021, "graduating_cohort", "349")
    data = read_checked_year(2021, data_copy)
    failed = {f.message.split("超出")[0]: str(f) for f in data.report.errors if f.check == "plausibility"}
    assert set(failed) == {"毕业率", "就业率"}  # 770 employed of 451 graduates is impossible too
    text = failed["毕业率"]
    assert "毕业率" in text and "毕业生数 451 ÷ 应毕业学生数（毕业班学生数） 349 × 100%" in text
    assert "129.23%" in text and "不大于 100%" in text and "第 " in text
    # never printed as a normal value
    assert math.isnan(registry()["graduation_rate"].compute(data))
    assert indicator_table(data).set_index("id").at["graduation_rate", "核对"] == "超出范围"
    assert main(["validate", "--year", "2021", "--data-dir", str(data_copy)]) == 1
    assert "129.23%" in capsys.readouterr().out
    assert main(["indicators", "--year", "2021", "--data-dir", str(data_copy)]) == 1
    assert main(["audit", "--year", "2021", "--data-dir", str(data_copy)]) == 1
    assert "129.23%" in capsys.readouterr().err


def test_2021_indicators_are_plausible(data_2021):
    assert check(data_2021).ok
