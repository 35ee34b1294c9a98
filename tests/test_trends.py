"""With three or more years in the data folder, the year-comparison charts become trends."""

from __future__ import annotations

import shutil

from qzanalysis import load_year
from qzanalysis.core.paths import REPO_ROOT
from qzanalysis.core.years import previous_year
from qzanalysis.report.chapters import ch01_school as ch01

SYNTHETIC_2022 = REPO_ROOT / "tests" / "fixtures" / "synthetic_2022"


def test_three_years_make_a_trend(data_copy):
    shutil.copytree(SYNTHETIC_2022, data_copy / "2022", ignore=shutil.ignore_patterns("README.md"))
    data = load_year(2022, data_copy)
    fig = ch01.figure_teacher_ratios(data, previous_year(data))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2020 年", "2021 年", "2022 年"]


def test_single_year_has_no_comparison(data_copy):
    shutil.rmtree(data_copy / "2020")
    data = load_year(2021, data_copy)
    assert previous_year(data) is None
    fig = ch01.figure_facilities(data, None)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2021 年"]
