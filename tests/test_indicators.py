"""The indicator registry against the 2021 report's printed values, with every known difference pinned."""

from __future__ import annotations

import math

import pytest

from qzanalysis import load_year
from qzanalysis.core.catalog import fact_specs
from qzanalysis.indicators.compare import Verdict, compare, implied_denominator
from qzanalysis.indicators.formula import indicators_in, names_in
from qzanalysis.indicators.registry import indicator_table, registry
from qzanalysis.tools.indicators import parse_options

# Differences between recomputed and printed values, each explained. Anything not listed must agree.
KNOWN_DISCREPANCIES = {
    # 10,013 人次 ÷ 3,742 在籍 = 2.68 倍; the printed 2.58 implies about 3,881 students.
    "training_per_student": (Verdict.INCONSISTENT, 2.6758),
    # 165.1 亩 = 110,067 m² ÷ 3,742 = 29.41; the printed 28.15 implies about 3,910 students.
    "land_area_per_student": (Verdict.INCONSISTENT, 29.4139),
    # 52,745.9 m² ÷ 3,742 = 14.10; the printed 13.49 also implies about 3,910 students.
    "building_area_per_student": (Verdict.INCONSISTENT, 14.0956),
    # 20,256 册 ÷ 3,742 = 5.41; printed as 6: neither truncation nor chained rounding gives 6.
    "books_per_student": (Verdict.INCONSISTENT, 5.413),
    # 8 new ÷ 48 last year = 16.67%; the printed 14.29% is 8 ÷ 56, this year's count.
    "partner_enterprise_growth": (Verdict.INCONSISTENT, 16.6667),
}
# Printed values the report gives without the raw counts behind them.
NOT_RECOMPUTABLE_2021 = {
    "graduation_rate",
    "retention_rate_spring",
    "retention_rate_autumn",
    "male_female_ratio",
    "equipment_value_per_student",
    "relevant_employment_rate",
}
COMPUTED_ONLY_2021 = {"workstations_per_student", "enrolment_plan_completion", "specialty_teacher_share"}


def test_every_indicator_has_metadata_and_one_formula_per_definition():
    for ind in registry().values():
        assert ind.name and ind.unit and ind.definition and ind.section
        formulas = list(ind.formulas.values()) if ind.options else [ind.formula]
        assert formulas and all(formulas), ind.id
        for formula in formulas:
            assert names_in(formula) <= set(fact_specs()), (ind.id, formula)
            assert indicators_in(formula) <= set(registry()), (ind.id, formula)
        for spec in ind.options.values():
            assert spec["default"] in spec["choices"] and set(spec["choices"]) == set(ind.formulas), ind.id
        if ind.printed:
            assert ind.printed in fact_specs(), ind.id
            assert fact_specs()[ind.printed].unit.replace("百分点", "%") in (ind.unit, "%"), ind.id


def test_2021_table_against_the_report(data_2021):
    table = indicator_table(data_2021).set_index("id")
    for ind_id, row in table.iterrows():
        if ind_id in KNOWN_DISCREPANCIES:
            verdict, computed = KNOWN_DISCREPANCIES[ind_id]
            assert row["核对"] == verdict.value, ind_id
            assert row["计算值"] == pytest.approx(computed, abs=1e-4), ind_id
        elif ind_id in NOT_RECOMPUTABLE_2021:
            assert row["核对"] == Verdict.UNCHECKABLE.value and math.isnan(row["计算值"]), ind_id
        elif ind_id in COMPUTED_ONLY_2021:
            assert row["核对"] == Verdict.COMPUTED_ONLY.value, ind_id
        else:
            assert row["核对"] == Verdict.CONSISTENT.value, (ind_id, row["计算值"], row["报告值"])
            assert row["一致"]


@pytest.mark.parametrize(
    "ind_id, value",
    [
        ("student_teacher_ratio", 3742 / 247),
        ("dual_qualified_ratio", 139 / 164 * 100),
        ("part_time_ratio", 7 / 247 * 100),
        ("senior_title_ratio", 68 / 247 * 100),
        ("employment_rate", 770 / 992 * 100),
        ("certification_rate", 11306 / 15176 * 100),
        ("per_student_funding", 68503471 / 3742),
        ("teacher_training_hours_per_person", 12525 / 363),
        ("enrolment_plan_completion", 956 / 975 * 100),
    ],
)
def test_values_from_raw_counts(data_2021, ind_id, value):
    assert registry()[ind_id].compute(data_2021) == pytest.approx(value)


def test_denominator_options(data_2021):
    dual = registry()["dual_qualified_ratio"]
    assert dual.compute(data_2021) == pytest.approx(139 / 164 * 100)  # the report's own convention
    assert dual.compute(data_2021, denominator="full_time") == pytest.approx(139 / 247 * 100)
    ratio = registry()["student_teacher_ratio"]
    assert ratio.compute(data_2021, denominator="full_time_plus_part_time") == pytest.approx(3742 / 254)
    with pytest.raises(ValueError, match="不能取"):
        dual.compute(data_2021, denominator="everyone")
    with pytest.raises(ValueError, match="没有选项"):
        dual.compute(data_2021, numerator="x")
    options = parse_options(["dual_qualified_ratio.denominator=full_time"])
    table = indicator_table(data_2021, options).set_index("id")
    assert table.at["dual_qualified_ratio", "核对"] == "不一致"


def test_missing_inputs_give_nan_not_zero(data_2020):
    table = indicator_table(data_2020).set_index("id")
    assert table["计算值"].isna().all()
    assert table.at["dual_qualified_ratio", "报告值"] == 80.9


def test_partial_year_without_funding_table(data_copy):
    (data_copy / "2021" / "funding.csv").unlink()
    data = load_year(2021, data_copy)
    assert math.isnan(registry()["per_student_funding"].compute(data))


@pytest.mark.parametrize(
    "computed, printed, decimals, verdict",
    [
        (15.1498, 15.1, 1, Verdict.CONSISTENT),
        (1.0345, 1.04, 2, Verdict.ROUNDING),
        (1.0344827586, 1.04, 2, Verdict.ROUNDING),  # 1.03448 → 1.0345 → 1.035 → 1.04
        (2.678, 2.67, 2, Verdict.ROUNDING),  # truncated
        (-2.678, -2.67, 2, Verdict.ROUNDING),  # truncated towards zero
        (2.6744, 2.68, 2, Verdict.INCONSISTENT),  # within one unit, but no mechanism gives 2.68
        (5.413, 6, 0, Verdict.INCONSISTENT),  # 生均纸质图书: 5.413 → 5 either way, never 6
        (1.03, 1.02, 2, Verdict.INCONSISTENT),  # one unit below: neither mechanism rounds down past it
        (2.6758, 2.58, 2, Verdict.INCONSISTENT),
        (math.nan, 98.41, 2, Verdict.UNCHECKABLE),
        (98.05, math.nan, None, Verdict.COMPUTED_ONLY),
    ],
)
def test_compare(computed, printed, decimals, verdict):
    assert compare(computed, printed, decimals)[0] is verdict


def test_rounding_mechanism_names_the_cause():
    from qzanalysis.indicators.compare import (
        CHAINED_ROUNDING,
        TRUNCATION,
        chain_rounded,
        rounding_mechanism,
        truncated,
    )

    assert chain_rounded(1.0344827586, 2) == 1.04 and truncated(1.0344827586, 2) == 1.03
    assert rounding_mechanism(1.0344827586, 1.04, 2) == CHAINED_ROUNDING
    assert rounding_mechanism(2.678, 2.67, 2) == TRUNCATION
    assert rounding_mechanism(5.413, 6, 0) is None


def test_implied_denominator():
    assert implied_denominator(10013, 2.58) == pytest.approx(3881, abs=1)
    assert implied_denominator(992, 98.41, 100) == pytest.approx(1008, abs=1)
    assert implied_denominator(1, math.nan) is None


def test_data_dictionary_is_generated_from_current_metadata():
    from qzanalysis.tools.datadoc import DOC_PATH, render_data_dictionary

    assert DOC_PATH.read_text(encoding="utf-8") == render_data_dictionary(), "run `qz docs` and commit"
