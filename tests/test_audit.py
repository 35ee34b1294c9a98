"""The audit: rule kinds on tiny synthetic years, the pinned 2021 findings, standards, chapter 8, the CLI."""

from __future__ import annotations

import functools
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from qzanalysis import load_year
from qzanalysis.core.catalog import fact_specs
from qzanalysis.core.dataset import YearData
from qzanalysis.core.findings import Report
from qzanalysis.core.paths import DEFAULT_DATA_DIR
from qzanalysis.indicators.audit import audit, declines, verdict_counts
from qzanalysis.indicators.audit_rules import (
    KINDS,
    all_rules,
    indicator_rows,
    rule_count,
    rule_metadata,
    run_rule,
)
from qzanalysis.indicators.formula import Context, FormulaError, evaluate, indicators_in, names_in
from qzanalysis.indicators.registry import registry
from qzanalysis.indicators.standards import all_standards, standards_table
from qzanalysis.report.chapters import ch08_problems as ch
from qzanalysis.tools.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "audit"


@pytest.fixture(scope="module")
def y2021():
    return load_year(2021)


@pytest.fixture(scope="module")
def audit2021(y2021):
    return audit(y2021)


def synthetic(
    facts: dict[str, float | tuple[float, int]],
    tables: dict[str, pd.DataFrame] | None = None,
    year: int = 2030,
    notes: dict[str, str] | None = None,
    printed_units: dict[str, str] | None = None,
) -> YearData:
    """A tiny YearData: facts as {id: value or (value, printed decimals)}, tables as typed frames."""
    catalogue = own_catalogue()
    rows = []
    for fid, v in facts.items():
        value, decimals = v if isinstance(v, tuple) else (v, 0)
        rows.append(
            {
                "id": fid,
                "label": catalogue.facts[fid].label,
                "value": value,
                "unit": catalogue.facts[fid].unit,
                "printed_unit": (printed_units or {}).get(fid),
                "note": (notes or {}).get(fid),
                "decimals": decimals,
            }
        )
    columns = ["id", "label", "value", "unit", "printed_unit", "note", "decimals"]
    frame = pd.DataFrame(rows, columns=columns).set_index("id", drop=False)
    return YearData(
        year=year,
        path=Path("/nonexistent") / str(year),
        tables=tables or {},
        facts=frame,
        report=Report(),
        catalogue=catalogue,
    )


@functools.cache
def own_catalogue():
    """The built-in catalogue plus the facts and rules 2021 declares itself (data/2021/catalogue.yaml)."""
    return load_year(2021).catalogue


def rule(kind: str, **match) -> dict:
    """The first rule of a kind (optionally matching fields) from the metadata or 2021's own rules."""
    for r in all_rules(load_year(2021)):
        if r["kind"] == kind and all(r.get(k) == v for k, v in match.items()):
            return r
    raise LookupError(kind)


def verdicts(rows) -> list[str]:
    return [r.verdict for r in rows]


# ---- the formula language ---------------------------------------------------------------------
def test_formula_names_values_and_missing():
    d = synthetic({"dual_qualified_teachers": 139, "specialty_teachers": 164})
    r = evaluate("dual_qualified_teachers / specialty_teachers * 100", Context(d))
    assert r.value == pytest.approx(139 / 164 * 100)
    assert "139" in r.text and "164" in r.text and "÷" in r.text and "×" in r.text
    r = evaluate("dual_qualified_teachers / full_time_teachers", Context(d))
    assert math.isnan(r.value) and r.missing == ["专任教师数"]
    with pytest.raises(FormulaError):
        evaluate("__import__('os')", Context(d))
    with pytest.raises(FormulaError):
        evaluate("not_a_fact + 1", Context(d))


def test_every_rule_formula_names_registered_facts_and_indicators():
    ids = set(fact_specs())
    assert set(rule_metadata()["indicators"]) <= set(registry())
    for meta in rule_metadata()["indicators"].values():
        assert set(meta) == {"implied"} and "formula" not in meta["implied"]  # the indicator's formula only
    for r in all_rules():
        for key in ("formula", "value", "printed", "total"):
            if key in r and r["kind"] not in ("row_sum",):
                assert names_in(r[key]) <= ids, r
                assert indicators_in(r[key]) <= set(registry()), r
        assert r["kind"] in KINDS


def test_one_formula_per_indicator(y2021):
    """The audit shows the indicator's own formula; standards refer to indicators or facts, never a formula."""
    rows = {r.item: r for r in indicator_rows(y2021, None)}
    for ind in registry().values():
        if ind.printed:
            assert rows[ind.name].algorithm == ind.evaluate(y2021).text, ind.id
    for std in all_standards():
        assert set(std.value) <= {"indicator", "options", "fact"}, std.id
        if "indicator" in std.value:
            ind = registry()[std.value["indicator"]]
            assert set(std.value.get("options") or {}) <= set(ind.options), std.id
        if "fact" in std.value:
            assert std.value["fact"] in fact_specs(), std.id


# ---- each rule kind: one passing and one failing fixture ---------------------------------------
def test_indicator_rule_passes_and_fails():
    base = {"dual_qualified_teachers": 139, "specialty_teachers": 164}
    ok = synthetic({**base, "dual_qualified_ratio_printed": (84.8, 1)})
    bad = synthetic({**base, "dual_qualified_ratio_printed": (80.9, 1)})

    def pick(d):
        return [r for r in indicator_rows(d, None) if r.item == registry()["dual_qualified_ratio"].name][0]

    assert pick(ok).verdict == "一致"
    assert pick(bad).verdict == "不一致"
    assert "139" in pick(bad).algorithm


def test_indicator_rule_explains_implied_denominator():
    d = synthetic(
        {
            "building_area": (52745.9, 1),
            "students_total": 3742,
            "building_area_per_student_printed": (13.49, 2),
        }
    )
    row = [r for r in indicator_rows(d, None) if r.item == registry()["building_area_per_student"].name][0]
    assert row.verdict == "不一致"
    assert "3,910" in row.note and "3,742" in row.note


def test_change_rule_unsigned_passes_and_fails():
    r = rule("change", printed="student_teacher_ratio_change_printed")
    prev = synthetic({"student_teacher_ratio_printed": (15.9, 1)}, year=2029)
    ok = synthetic(
        {"student_teacher_ratio_printed": (15.1, 1), "student_teacher_ratio_change_printed": (0.8, 1)}
    )
    bad = synthetic(
        {"student_teacher_ratio_printed": (15.1, 1), "student_teacher_ratio_change_printed": (0.6, 1)}
    )
    (row,) = run_rule(r, ok, prev)
    assert row.verdict == "一致" and "下降" in row.note and row.computed == pytest.approx(-0.8)
    assert verdicts(run_rule(r, bad, prev)) == ["不一致"]
    assert verdicts(run_rule(r, ok, None)) == ["无法核对"]


def test_growth_rule_passes_and_fails():
    r = rule("growth", printed="workstations_growth_printed")
    prev = synthetic({"workstations_table": 1988}, year=2029)
    ok = synthetic({"workstations_table": 2038, "workstations_growth_printed": (2.52, 2)})
    bad = synthetic({"workstations_table": 2038, "workstations_growth_printed": (2.45, 2)})
    assert verdicts(run_rule(r, ok, prev)) == ["一致"]
    (row,) = run_rule(r, bad, prev)
    assert row.verdict == "不一致" and "本年数为分母" in row.note  # 50 / 2038 = 2.45%, not 50 / 1988


def test_formula_rule_passes_and_fails():
    r = rule("formula", printed="building_area_gap_printed")
    base = {"building_area": 60000, "students_total": 4000}  # 15 m² each, 5 below the 20 m² standard
    assert verdicts(run_rule(r, synthetic({**base, "building_area_gap_printed": (5.0, 2)}), None)) == ["一致"]
    assert verdicts(run_rule(r, synthetic({**base, "building_area_gap_printed": (21.26, 2)}), None)) == [
        "不一致"
    ]


def test_count_rule_passes_and_fails():
    r = rule("count", printed="technician_majors_printed")
    programs = pd.DataFrame(
        {"major": ["甲", "乙", "丙"], "technician": pd.array([True, False, True], dtype="boolean")}
    )
    assert verdicts(
        run_rule(r, synthetic({"technician_majors_printed": 2}, {"program_levels": programs}), None)
    ) == ["一致"]
    assert verdicts(
        run_rule(r, synthetic({"technician_majors_printed": 4}, {"program_levels": programs}), None)
    ) == ["不一致"]
    assert verdicts(run_rule(r, synthetic({"technician_majors_printed": 4}), None)) == ["无法核对"]


def test_sum_rule_over_a_table_passes_and_fails():
    r = rule("sum", total="students_total")
    levels = pd.DataFrame({"level": ["中职层次", "高职层次"], "students": pd.array([100, 50], dtype="Int64")})
    (ok,) = run_rule(r, synthetic({"students_total": 150}, {"students_by_level": levels}), None)
    assert ok.verdict == "一致" and "中职层次 100 + 高职层次 50" == ok.algorithm
    assert verdicts(run_rule(r, synthetic({"students_total": 151}, {"students_by_level": levels}), None)) == [
        "不一致"
    ]
    assert verdicts(run_rule(r, synthetic({"students_total": 151}), None)) == ["无法核对"]


def test_sum_rule_over_facts_passes_and_fails():
    r = rule("sum", total="new_equipment_value")
    parts = {"new_equipment_transport": (46.26, 2), "new_equipment_manufacturing": (15.76, 2)}
    assert verdicts(run_rule(r, synthetic({**parts, "new_equipment_value": (62.02, 2)}), None)) == ["一致"]
    assert verdicts(run_rule(r, synthetic({**parts, "new_equipment_value": (63.02, 2)}), None)) == ["不一致"]


def test_row_sum_rule_passes_and_fails():
    r = rule("row_sum")
    frame = pd.DataFrame(
        {
            "course": ["语文", "数学"],
            "compulsory_hours": pd.array([144, 108], dtype="Int64"),
            "restricted_elective_hours": pd.array([54, None], dtype="Int64"),
            "free_elective_hours": pd.array([None, 36], dtype="Int64"),
            "total_hours": pd.array([198, 144], dtype="Int64"),
        }
    )
    assert verdicts(run_rule(r, synthetic({}, {"public_course_hours": frame}), None)) == ["一致"]
    frame.loc[1, "total_hours"] = 150
    (row,) = run_rule(r, synthetic({}, {"public_course_hours": frame}), None)
    assert row.verdict == "不一致" and "数学" in row.note


def test_per_recipient_rule_passes_and_fails():
    r = rule("per_recipient")
    amounts = pd.DataFrame(
        {"term": ["春"], "aid_type": ["免学费"], "amount_per_recipient": [1000.0], "total_amount": [300000.0]}
    )
    recipients = pd.DataFrame(
        {
            "term": ["春", "春"],
            "aid_type": ["免学费", "免学费"],
            "grade": ["一", "二"],
            "recipients": pd.array([100, 200], dtype="Int64"),
        }
    )
    tables = {"aid_amounts": amounts, "aid_recipients": recipients}
    assert verdicts(run_rule(r, synthetic({}, tables), None)) == ["一致"]
    amounts.loc[0, "total_amount"] = 450000.0
    assert verdicts(run_rule(r, synthetic({}, tables), None)) == ["不一致"]
    assert verdicts(run_rule(r, synthetic({}, {"aid_amounts": amounts}), None)) == ["无法核对"]


def test_same_rule_passes_and_fails():
    r = rule("same", facts=["workstations_table", "workstations_text"])
    assert verdicts(
        run_rule(r, synthetic({"workstations_table": 2038, "workstations_text": 2038}), None)
    ) == ["一致"]
    prev = synthetic({"workstations_table": 1988}, year=2029)
    (row,) = run_rule(r, synthetic({"workstations_table": 2038, "workstations_text": 1988}), prev)
    assert row.verdict == "不一致" and "上年" in row.note
    assert verdicts(run_rule(r, synthetic({"workstations_table": 2038}), None)) == ["无法核对"]


def test_same_rule_with_at_most_relation():
    r = rule("same", facts=["full_time_teachers", "teachers_signed_pledge"])
    assert verdicts(
        run_rule(r, synthetic({"full_time_teachers": 247, "teachers_signed_pledge": 240}), None)
    ) == ["一致"]
    (row,) = run_rule(r, synthetic({"full_time_teachers": 247, "teachers_signed_pledge": 252}), None)
    assert row.verdict == "不一致" and "口径" in row.note


def _funding(printed_units: list[str], units: list[str], amounts: list[float]) -> pd.DataFrame:
    factor = {"元": 1.0, "万元": 1e4}
    frame = pd.DataFrame(
        {
            "source": [f"来源{i}" for i in range(len(amounts))],
            "amount": amounts,
            "printed_unit": printed_units,
            "unit": units,
        }
    )
    frame["amount_yuan"] = [a * factor[u] for a, u in zip(amounts, units, strict=True)]
    frame["amount_wan_yuan"] = frame["amount_yuan"] / 1e4
    return frame


def test_unit_table_rule_passes_and_fails():
    r = rule("unit_table")
    good = _funding(["万元", "万元"], ["万元", "万元"], [100.5, 200.25])
    assert verdicts(
        run_rule(r, synthetic({"funding_total_printed": (300.75, 2)}, {"funding": good}), None)
    ) == ["一致"]
    bad = _funding(["元", "元"], ["万元", "元"], [100.5, 2002500.0])
    (row,) = run_rule(r, synthetic({"funding_total_printed": (300.75, 2)}, {"funding": bad}), None)
    assert row.verdict == "不一致" and "来源0" in row.note


def test_unit_table_rule_without_printed_total_is_uncheckable():
    r = rule("unit_table")
    bad = _funding(["元", "元"], ["万元", "元"], [100.5, 2002500.0])
    (row,) = run_rule(r, synthetic({}, {"funding": bad}), None)
    assert row.verdict == "无法核对" and row.printed_text == "—"
    (row,) = run_rule(r, synthetic({"funding_total_printed": (math.nan, 2)}, {"funding": bad}), None)
    assert row.verdict == "无法核对"


def test_unit_table_rule_reads_the_totals_printed_unit_from_data():
    r = rule("unit_table")
    good = _funding(["万元", "万元"], ["万元", "万元"], [100.5, 200.25])
    year = synthetic(
        {"funding_total_printed": (300.75, 2)},
        {"funding": good},
        printed_units={"funding_total_printed": "元"},
    )
    (row,) = run_rule(r, year, None)
    assert row.verdict == "不一致" and row.printed_text == "300.75 元" and "合计印为“元”" in row.note


def test_unit_label_rule_passes_and_fails():
    r = rule("unit_label")
    assert verdicts(run_rule(r, synthetic({"workstations_table": 2038, "students_total": 3742}), None)) == [
        "不一致"
    ]
    # a year that prints a genuine per-student figure under that label would pass
    assert verdicts(run_rule(r, synthetic({"workstations_table": 1, "students_total": 1}), None)) == ["一致"]


def test_unit_note_rule_passes_and_fails():
    r = rule("unit_note", table="fitness")
    fitness = pd.DataFrame({"group": ["全校"], "pass_rate": [88.6], "excellent_rate": [21.6], "note": [None]})
    assert verdicts(run_rule(r, synthetic({}, {"fitness": fitness}), None)) == ["一致"]  # old file: no column
    fitness["printed_unit"] = ["%"]
    assert verdicts(run_rule(r, synthetic({}, {"fitness": fitness}), None)) == ["一致"]
    fitness["printed_unit"] = [None]  # blank: printed in the column unit
    assert verdicts(run_rule(r, synthetic({}, {"fitness": fitness}), None)) == ["一致"]
    fitness["printed_unit"] = ["无"]
    (row,) = run_rule(r, synthetic({}, {"fitness": fitness}), None)
    assert row.verdict == "不一致" and "全校：未印单位" in row.note
    # the unit comes from data, not from the wording of a note
    fitness["printed_unit"] = ["%"]
    fitness["note"] = ["本年度列在报告中未带“%”"]
    assert verdicts(run_rule(r, synthetic({}, {"fitness": fitness}), None)) == ["一致"]
    assert verdicts(run_rule(r, synthetic({}), None)) == ["无法核对"]
    r = rule("unit_note", facts_suffix="_change_printed")
    plain = synthetic({"master_ratio_change_printed": (0.8, 1)})
    noted = synthetic(
        {"master_ratio_change_printed": (0.8, 1)},
        notes={"master_ratio_change_printed": "以“%”印出，实为百分点"},
    )
    printed_pct = synthetic(
        {"master_ratio_change_printed": (0.8, 1)}, printed_units={"master_ratio_change_printed": "%"}
    )
    same_unit = synthetic(
        {"master_ratio_change_printed": (0.8, 1)}, printed_units={"master_ratio_change_printed": "百分点"}
    )
    assert verdicts(run_rule(r, plain, None)) == ["一致"]
    assert verdicts(run_rule(r, noted, None)) == ["一致"]  # a note alone is not a unit record
    assert verdicts(run_rule(r, same_unit, None)) == ["一致"]
    (row,) = run_rule(r, printed_pct, None)
    assert row.verdict == "不一致" and "“%”，应为“百分点”" in row.note


def test_rounding_verdicts_name_their_mechanism():
    from qzanalysis.indicators.audit_rules import Row, judge

    row = judge(Row(section="x", item="x", kind="growth", unit="%"), 1.0344827586, 1.04, 2)
    assert row.verdict == "舍入差异" and "逐位舍入" in row.note and "截尾" not in row.note
    row = judge(Row(section="x", item="x", kind="growth", unit="%"), 2.678, 2.67, 2)
    assert row.verdict == "舍入差异" and "（截尾）" in row.note
    row = judge(Row(section="x", item="x", kind="indicator", unit="册"), 5.413, 6, 0)
    assert row.verdict == "不一致" and "都得不到报告值 6" in row.note


# ---- 2021 pinned -------------------------------------------------------------------------------
PINNED_2021 = {
    ("生均用地面积", "不一致"),
    ("生均建筑面积", "不一致"),
    ("生均建筑面积低于设置标准的差距", "不一致"),
    ("培训人次与在校生数之比", "不一致"),
    ("社会培训人次", "不一致"),
    ("培养高技能人才人数", "不一致"),
    ("“双师型”教师比例变化情况", "不一致"),
    ("专任教师数与签订承诺书的专任教师数", "不一致"),
    ("1.3 表“变化情况”列的单位", "不一致"),
    ("实训实习工位数", "不一致"),
    ("1.4 表“生均实训实习工位数”", "不一致"),
    ("体质测评表本年度列的单位", "不一致"),
    ("资助人均标准：2021年春季学期·免学费", "不一致"),
    ("合作企业环比增长率", "不一致"),
    ("经费来源表的单位", "不一致"),
    ("生均纸质图书", "不一致"),
    ("生均教学仪器设备值增长率", "舍入差异"),
    ("毕业率", "无法核对"),
    ("春季学期巩固率", "无法核对"),
    ("秋季学期巩固率", "无法核对"),
    ("男女生比例", "无法核对"),
    ("生均教学仪器设备值", "无法核对"),
    ("资助人均标准：2020年秋季学期·免学费", "无法核对"),
    ("专业对口率", "无法核对"),
    ("专业对口率较上年上升幅度", "无法核对"),
    ("合作企业比上年增加数", "无法核对"),
    ("在籍学生数 = 各培养层次之和", "一致"),
    ("毕业生数 = 教育口 + 人社口", "一致"),
    ("在校生数（在籍学生数 / 在校生数（不含顶岗实习学生））", "一致"),
    ("在校生数（在籍学生数 / 秋季学期在校生数）", "一致"),
    ("生师比", "一致"),
    ("“双师型”教师比例", "一致"),
    ("兼职教师比例", "一致"),
    ("专任教师本科以上学历比例", "一致"),
    ("专任教师硕士以上学历比例", "一致"),
    ("专任教师高级职称比例", "一致"),
    ("生师比变化情况", "一致"),
    ("兼职教师比例变化情况", "一致"),
    ("专任教师本科以上学历比例变化情况", "一致"),
    ("专任教师硕士以上学历比例变化情况", "一致"),
    ("专任教师高级职称比例变化情况", "一致"),
    ("教师人均培训学时", "一致"),
    ("获奖论文 = 各等级之和", "一致"),
    ("实训实习工位数增长率", "一致"),
    ("生均纸质图书增长率", "一致"),
    ("新增设备总额 = 各专业群之和", "一致"),
    ("资助人均标准：2020年秋季学期·国家助学金", "一致"),
    ("资助人均标准：2020年秋季学期·国家奖学金", "一致"),
    ("资助人均标准：2021年春季学期·国家助学金", "一致"),
    ("就业率", "一致"),
    ("开设专业数", "一致"),
    ("直接培养技师（预备技师）的专业数", "一致"),
    ("公共基础课门数", "一致"),
    ("公共基础课各课程学时合计 = 必修 + 限定选修 + 任意选修", "一致"),
    ("学制种类", "一致"),
    ("学籍种类", "一致"),
    ("在线学习人数 = 各终端之和", "一致"),
    ("在线学习人数 = 各网络之和", "一致"),
    ("职业技能等级认定获证率", "一致"),
    ("职业技能等级认定人次 = 各等级之和", "一致"),
    ("在校生认定人数 = 各等级之和", "一致"),
    ("复评后认定工种数", "一致"),
    ("生均财政拨款", "一致"),
    ("总经费 = 各来源之和（按万元）", "一致"),
    ("谈话人次 = 各类处分与谈话之和", "一致"),
}


def test_2021_findings_are_pinned(audit2021):
    assert set(zip(audit2021["项目"], audit2021["结论"], strict=True)) == PINNED_2021
    assert len(audit2021) == len(PINNED_2021)


def test_2021_key_numbers(audit2021):
    row = audit2021.set_index("项目")
    assert row.at["生均用地面积", "重算值"] == "29.414 平方米"
    assert "3,910" in row.at["生均建筑面积", "说明"]
    assert "1,008" in row.at["毕业率", "说明"]
    assert "3,881" in row.at["培训人次与在校生数之比", "说明"]
    assert "56" in row.at["合作企业环比增长率", "说明"]
    assert row.at["生均教学仪器设备值增长率", "重算值"] == "1.034%"
    assert "逐位舍入" in row.at["生均教学仪器设备值增长率", "说明"]
    assert "都得不到报告值 6" in row.at["生均纸质图书", "说明"]
    assert row.at["经费来源表的单位", "报告值"] == "16,699.0347 元"
    assert "未印单位" in row.at["体质测评表本年度列的单位", "说明"]
    assert "“%”，应为“百分点”" in row.at["1.3 表“变化情况”列的单位", "说明"]
    assert row.at["资助人均标准：2021年春季学期·免学费", "重算值"] == "1,489.38 元"
    assert row.at["“双师型”教师比例变化情况", "重算值"] == "+3.9 百分点"
    assert row.at["“双师型”教师比例", "算法"] == "双师型教师数（专业教师中） 139 ÷ 专业课教师数 164 × 100%"


def test_2021_order_and_counts(audit2021):
    order = ["不一致", "舍入差异", "无法核对", "一致"]
    ranks = audit2021["结论"].map(order.index).tolist()
    assert ranks == sorted(ranks)
    counts = dict(verdict_counts(audit2021).values)
    assert counts == {"不一致": 16, "舍入差异": 1, "无法核对": 9, "一致": 39}
    assert rule_count(load_year(2021)) == 60  # 5 of them the year's own (data/2021/catalogue.yaml)
    assert rule_count() == 55


def test_audit_and_registry_agree(y2021, audit2021):
    from qzanalysis.indicators.registry import indicator_table

    reg = indicator_table(y2021).set_index("指标")
    for _, r in audit2021[audit2021["kind"] == "indicator"].iterrows():
        assert reg.at[r["项目"], "核对"] == r["结论"]


# ---- a partial year ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def partial(tmp_path_factory):
    root = tmp_path_factory.mktemp("partial")
    shutil.copytree(DEFAULT_DATA_DIR / "2021", root / "2021")
    for name in ("funding", "aid_amounts", "students_by_level", "fitness", "skill_pass_rates"):
        (root / "2021" / f"{name}.csv").unlink()
    (root / "2021" / "manifest.yaml").unlink(missing_ok=True)
    facts = pd.read_csv(root / "2021" / "facts.csv", dtype=str, keep_default_na=False)
    drop = {"students_total", "full_time_teachers", "workstations_text", "books"}
    facts[~facts["id"].isin(drop)].to_csv(root / "2021" / "facts.csv", index=False)
    return load_year(2021, root)


def test_partial_year_gives_uncheckable_not_crash(partial):
    table = audit(partial)
    assert table is not None and len(table) > 0
    row = table.set_index("项目")
    assert row.at["生均建筑面积", "结论"] == "无法核对"
    assert row.at["在籍学生数 = 各培养层次之和", "结论"] == "无法核对"
    assert row.at["资助人均标准", "结论"] == "无法核对"
    assert row.at["实训实习工位数", "结论"] == "无法核对"
    assert row.at["经费来源表的单位", "结论"] == "无法核对"
    assert "0 平方米" not in " ".join(table["重算值"])


def test_partial_year_standards_and_chapters(partial, monkeypatch):
    std = standards_table(partial).set_index("id")
    assert std.at["building_area_per_student", "结论"] == "未达标"  # the printed 13.49 is used
    assert std.at["building_area_per_student", "取值"] == "报告值"
    assert std.at["full_time_teachers_min", "结论"] == "无法判断"
    assert std.at["full_time_teachers_min", "本校值"] == "—"
    groups = ch.problem_groups(partial, None)
    assert groups["比上年退步"] == []
    shown: list[str] = []
    monkeypatch.setattr(ch, "show_markdown", shown.append)
    ch.list_problems(partial, None, "比上年退步")
    ch.list_problems(partial, None, "薄弱专业与学科")
    ch.narrative_overview(partial, None)
    ch.figure_standards(partial)
    assert "没有上一年度的可比数据" in shown[0]
    assert "文化课及格率最低的学科" in shown[1] and "专业技能合格率" not in shown[1]  # skill table removed
    assert "没有上一年度数据可比" in shown[2]


# ---- standards ----------------------------------------------------------------------------------
def test_2021_standards(y2021):
    std = standards_table(y2021).set_index("id")
    expected = {
        "building_area_per_student": ("14.10 平方米", "未达标"),
        "land_area_per_student": ("29.41 平方米", "未达标"),
        "books_per_student": ("5.4 册", "未达标"),
        "full_time_teachers_min": ("247 人", "达标"),
        "student_teacher_ratio": ("15.1:1", "达标"),
        "senior_title_ratio": ("27.5%", "达标"),
        "specialty_teacher_share": ("66.4%", "达标"),
        "dual_qualified_ratio_2010": ("84.8%", "达标"),
        "part_time_ratio": ("2.8%", "未达标"),
        "students_min": ("3,742 人", "达标"),
        "technician_college_students": ("3,742 人", "达标"),
        "technician_college_training": ("10,025 人次", "达标"),
        "equipment_value_per_student_engineering": ("15,529 元", "达标"),
        "technician_college_scale": ("—", "无法判断"),
    }
    for sid, (value, verdict) in expected.items():
        assert (std.at[sid, "本校值"], std.at[sid, "结论"]) == (value, verdict), sid
    # The 达标工程 (reported 2022-11-16) was not in force in 2021, and a 技师学院 is not held to the
    # 技工学校 rows: neither grades the 2021 report.
    assert not {"equipment_value_per_student", "equipment_value_total"} & set(std.index)
    assert not [i for i in std.index if i.startswith("technical_school_")]
    assert std.at["equipment_value_per_student_engineering", "取值"] == "报告值"
    assert std.at["equipment_value_per_student_engineering", "核实"].startswith("未核实")
    assert "56.18%" in std.at["dual_qualified_ratio_2010", "全国平均"]
    assert std.at["building_area_per_student", "差距"] == "−5.90 平方米"
    assert std.at["technician_college_scale", "标准"] == "≥ 5,000 人"
    assert "不自拟公式" in std.at["technician_college_scale", "说明"]
    assert std.at["technician_college_scale", "说明"] == std.at["technician_college_scale", "算法"]
    assert std.at["students_min", "说明"] == ""


# ---- chapter 8 ----------------------------------------------------------------------------------
def test_chapter8_problems_come_from_data(y2021):
    from qzanalysis.core.years import previous_year

    groups = ch.problem_groups(y2021, previous_year(y2021))
    gaps = " ".join(groups["未达到国家标准"])
    assert "生均纸质图书" in gaps and "5.4 册" in gaps and "生师比" not in gaps
    assert groups["未达到国家标准"][0].startswith("兼职教师")  # furthest from its threshold first
    falls = " ".join(groups["比上年退步"])
    assert "高一计算机及格率由 82.4%降至 59.6%" in falls
    assert "生师比" not in falls  # it fell, and lower is better
    weak = " ".join(groups["薄弱专业与学科"])
    assert "物联网应用技术" in weak and "49.86%" in weak and "高一数学 31.7%" in weak
    assert len(groups["报告数据不一致"]) == 16


def test_chapter8_never_says_all_fine_when_nothing_was_checked(monkeypatch):
    blank = synthetic({}, year=2031)
    table = audit(blank)
    counts = dict(verdict_counts(table).values)
    assert counts["无法核对"] == len(table) and counts["一致"] == 0
    shown: list[str] = []
    monkeypatch.setattr(ch, "show_markdown", shown.append)
    ch.list_problems(blank, None, "报告数据不一致")
    ch.list_problems(blank, None, "未达到国家标准")
    assert "未发现不一致" not in shown[0] and "没有可以核对的项目" in shown[0]
    assert f"无法核对 {len(table)} 项，一致 0 项" in shown[0]
    assert "均已达到" not in shown[1] and "都无法判断" in shown[1]
    assert f"所列 {len(standards_table(blank))} 项" in shown[1]


def test_chapter8_headline_says_what_each_count_counts(y2021):
    """Not “未达到国家标准 4 项，比上年下降 8 项”, which reads as if the unmet standards fell by 8."""
    from qzanalysis.core.years import previous_year

    prev = previous_year(y2021)
    text = ch.headline(y2021, prev)
    now = len(ch.problem_groups(y2021, prev)["未达到国家标准"])
    before = len(ch.problem_groups(prev, None)["未达到国家标准"])
    assert text.startswith(f"未达到国家标准 {now} 项（{prev.year} 年 {before} 项）")
    assert now >= 1 and "比上年下降" not in text and "比上年退步的指标" in text


def test_chapter8_empty_groups_give_counts(y2021):
    assert "能判断的" in ch.empty_group_text(y2021, None, "未达到国家标准")
    counts = dict(verdict_counts(audit(y2021, None)).values)
    text = ch.empty_group_text(y2021, None, "报告数据不一致")
    assert f"一致 {counts['一致']} 项" in text and f"{counts['无法核对']} 项无法核对" in text


def test_declines_respect_direction():
    prev = synthetic(
        {"student_teacher_ratio_printed": (15.9, 1), "senior_title_ratio_printed": (26.8, 1)}, year=2029
    )
    cur = synthetic({"student_teacher_ratio_printed": (16.5, 1), "senior_title_ratio_printed": (27.5, 1)})
    frame = declines(cur, prev)
    assert frame["项目"].tolist() == ["生师比"]


# ---- CLI ----------------------------------------------------------------------------------------
def test_cli_strict_exits_nonzero(capsys):
    assert main(["audit", "--year", "2021", "--strict"]) == 1
    assert "不一致" in capsys.readouterr().out


def test_cli_csv_parses(capsys):
    import io

    assert main(["audit", "--year", "2021", "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(frame.columns) == ["章节", "项目", "报告值", "重算值", "算法", "差异", "结论", "说明"]
    assert frame["结论"].iloc[0] == "不一致"
    assert (frame["结论"] == "不一致").sum() == 16


def test_cli_non_strict_on_clean_fixture(capsys):
    """A year whose printed figures all add up passes --strict."""
    assert main(["audit", "--year", "2031", "--data-dir", str(FIXTURES), "--strict"]) == 0
