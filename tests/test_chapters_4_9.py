"""Chapters 4–7 and 9: key numbers in the generated text, tables and figures equal the data; a partial year
shows missing data as missing (never 0, never a crash); the notebooks follow the renderer's conventions.
"""

from __future__ import annotations

import ast
import csv
import math
import re
import shutil

import matplotlib
import nbformat
import pandas as pd
import pytest
from matplotlib.figure import Figure

from qzanalysis import data_version, load_year
from qzanalysis.core.catalog import table_specs
from qzanalysis.core.paths import DEFAULT_DATA_DIR, NOTEBOOK_DIR
from qzanalysis.core.years import previous_year
from qzanalysis.indicators.registry import registry
from qzanalysis.report import charts
from qzanalysis.report.chapters import ch04_cooperation as ch04
from qzanalysis.report.chapters import ch05_contribution as ch05
from qzanalysis.report.chapters import ch06_funding as ch06
from qzanalysis.report.chapters import ch07_features as ch07
from qzanalysis.report.chapters import ch09_other as ch09
from qzanalysis.report.chapters import common
from qzanalysis.report.narrative import ReviewOnly

matplotlib.use("Agg")

NOTEBOOKS = {
    "ch04_cooperation": (4, ch04),
    "ch05_contribution": (5, ch05),
    "ch06_funding": (6, ch06),
    "ch07_features": (7, ch07),
    "ch09_other": (9, ch09),
}


# ---- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data():
    return load_year(2021)


@pytest.fixture(scope="module")
def prev(data):
    return previous_year(data)


@pytest.fixture
def shown(monkeypatch):
    """Everything the chapter functions display (Markdown text and HTML tables), as strings."""
    out: list[str] = []
    monkeypatch.setattr(
        "IPython.display.display",
        lambda obj, *a, **k: out.append(
            re.sub(r'<td class="[^"]*">', "<td>", str(getattr(obj, "data", obj)))
        ),
    )
    return out


def _drop_facts(path, ids: set[str]) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([r for r in rows if r[0] not in ids])


PARTIAL_FACTS = {
    "partner_enterprises",
    "internship_partner_share",
    "new_partner_enterprises",
    "social_training_attendances",
    "xinjiang_new_students",
    "xinjiang_graduates",
    "xinjiang_further_study",
    "xinjiang_employment_rate_printed",
    "certification_occupations",
    "certification_occupations_after_review",
    "certification_pilot_occupations",
    "funding_total_printed",
    "policy_student_staff_ratio",
    "expansion_investment",
    "high_level_a_majors",
    "new_teachers_hired",
}


@pytest.fixture(scope="module")
def partial(tmp_path_factory):
    """2021 without the certification and funding tables and without many of this chapter's facts; no 2020."""
    root = tmp_path_factory.mktemp("partial")
    shutil.copytree(DEFAULT_DATA_DIR / "2021", root / "2021")
    (root / "2021" / "skill_certification.csv").unlink()
    (root / "2021" / "funding.csv").unlink()
    (root / "2021" / "manifest.yaml").unlink(missing_ok=True)
    _drop_facts(root / "2021" / "facts.csv", PARTIAL_FACTS)
    return load_year(2021, root)


def _draw(fig: Figure) -> Figure:
    fig = getattr(fig, "obj", fig)  # a review-only figure wraps the Figure
    fig.canvas.draw()  # glyph warnings are errors (pyproject filterwarnings)
    return fig


def _title(fig: Figure) -> str:
    return charts.figure_title(fig)


def _lengths(fig: Figure) -> list[float]:
    """Bar lengths in drawing order: heights of vertical bars, widths of horizontal ones."""
    out = []
    for container in fig.axes[0].containers:
        horizontal = getattr(container, "orientation", "vertical") == "horizontal"
        out += [b.get_width() if horizontal else b.get_height() for b in container.patches]
    return out


def _legend(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


# ---- 第四章 ------------------------------------------------------------------------------------------
def test_ch04_internship_compares_two_years(data, prev, shown):
    ch04.narrative_internship(data, prev)
    assert "82%" in shown[0] and "78%" in shown[0] and "4 个百分点" in shown[0]
    ch04.table_internship(data, prev)
    assert "2020 年" in shown[1] and "+4 个百分点" in shown[1]
    fig = _draw(ch04.figure_internship(data, prev))
    assert _lengths(fig) == [78.0, 82.0]
    assert _title(fig) == "合作企业接收学生实习比例（%）"


def test_ch04_growth_printed_beside_recomputed(data, shown):
    g = ch04.growth_check(data)
    assert g["computed"] == pytest.approx(8 / 48 * 100)
    assert g["printed"] == data.fact("partner_enterprises_growth_printed") == 14.29
    assert g["verdict"].value == "不一致"
    assert g["implied"] == pytest.approx(8 * 100 / 14.29)
    text = ch04.growth_text(data)
    for part in ("14.29%", "16.67%", "48 家", "本年合作企业数 56 家", "2.38 个百分点"):
        assert part in text
    ch04.table_group(data, None)
    assert "14.29%" in shown[0] and "16.67%" in shown[0] and "不一致" in shown[0]
    # Printed beside recomputed is the audit, not the school's chart: shown in the review edition only.
    figure = ch04.figure_growth_rates(data)
    assert isinstance(figure, ReviewOnly)
    fig = _draw(figure.obj)
    assert [round(v, 2) for v in _lengths(fig)] == [14.29, 16.67]


def test_ch04_partner_counts_previous_year_is_marked_derived(data, prev):
    frame = ch04.partner_counts(data, prev)
    assert frame["合作企业"].tolist() == [48.0, 56.0]
    assert frame["年份"].iloc[0] == "2020 年（推算）" and bool(frame["推算"].iloc[0])
    fig = _draw(ch04.figure_partner_change(data, prev))
    assert _lengths(fig) == [48.0, 56.0]


def test_key_figures_drop_previous_year_without_comparable_values(data, prev):
    frame = common.key_figures(data, prev, ["xinjiang_graduates"])
    assert list(frame.columns) == ["指标", "单位", "2021 年"]
    frame = common.key_figures(data, prev, ["internship_partner_share"])
    assert list(frame.columns) == ["指标", "单位", "2020 年", "2021 年", "变化"]


# ---- 第五章 ------------------------------------------------------------------------------------------
def test_ch05_certification_table_as_printed(data, shown):
    table = data.table("skill_certification")
    ch05.table_certification(data)
    html = shown[0]
    for value in table["people"]:
        assert f"<td>{int(value):,}</td>" in html
    assert "<td>15,176</td>" in html and "<td>4,190</td>" in html
    wide = ch05.certification_wide(data)
    assert wide.at["全部", "各级之和"] == data.fact("certification_attempts_printed")
    assert wide.at["在校生", "各级之和"] == data.fact("in_school_certification_printed")
    assert pd.isna(wide.at["在校生", "五级"])  # not printed: missing, not 0
    assert list(wide.columns[:5]) == ["五级", "四级", "三级", "二级", "一级"]


def test_ch05_certification_rate_from_registry(data, shown):
    ch05.narrative_certification(data)
    expected = registry()["certification_rate"].compute(data)
    assert f"{expected:.2f}%" in shown[0] and "一致" in shown[0]
    assert "15,176 人次" in shown[0] and "11,306 人次" in shown[0] and "128 个" in shown[0]


def test_ch05_training_names_both_printed_numbers(data, shown):
    ch05.narrative_training(data)
    assert "10,025 人次" in shown[0] and "10,013 人次" in shown[0] and "12 人次" in shown[0]
    assert "1,048 人" in shown[0] and "1,141 人次" in shown[0]
    ch05.narrative_training_multiple(data)
    assert "2.68 倍" in shown[1] and "2.58 倍" in shown[1] and "3,881 人" in shown[1]


def test_ch05_figures(data):
    fig = _draw(ch05.figure_certification_levels(data))
    heights = sorted(v for v in _lengths(fig) if not math.isnan(v))
    assert heights == sorted(float(v) for v in data.table("skill_certification")["people"])
    fig = _draw(ch05.figure_certified(data))
    labels = _legend(fig)
    assert "获证 11,306 人次（74.5%）" in labels and "未获证 3,870 人次（25.5%）" in labels
    # One quantity per chart: students and two printings of the training count are not charted together;
    # with one year of training data there is no chart at all.
    assert ch05.figure_training_by_year(data) is None


def test_ch05_the_schools_own_numbers_of_5_3(data, shown):
    """5.3 shows the numbers the school declared for it (2021: its 对口支援 class), the way any section's own
    numbers show: the chart of those in one unit (not the printed rate), and a table of all."""
    fig = _draw(ch05.figure_section_facts(data, "5.3"))
    assert sorted(_lengths(fig)) == [28.0, 86.0, 88.0] and _title(fig) == "2021 年对口支援（人）"
    ch05.table_section_facts(data, "5.3")
    assert "88 人" in shown[0] and "86 人" in shown[0] and "28 人" in shown[0] and "100%" in shown[0]
    assert "对口支援：本校登记的数字" in shown[0]


# ---- 第六章 ------------------------------------------------------------------------------------------
def test_ch06_funding_table_keeps_printed_and_interpreted_units(data, shown):
    ch06.table_funding(data)
    html = shown[0]
    for text in ("6,850.3471", "8,843.1069", "774.2307", "2,313,500", "231.3500", "16,699.0347", "41.02"):
        assert text in html
    assert html.count("<td>元</td>") >= 4  # printed unit of every source
    assert ch06.funding_sum(data) == pytest.approx(data.fact("funding_total_printed"))


def test_ch06_funding_narrative_and_per_student(data, shown):
    ch06.narrative_funding(data)
    assert "16,699.0347 万元" in shown[0] and "政府性基金" in shown[0] and "万元" in shown[0]
    ch06.narrative_per_student(data)
    value = registry()["per_student_funding"].compute(data)
    assert f"{value:,.2f} 元" in shown[1] and "一致" in shown[1]


def test_ch06_figures_in_wan_yuan(data):
    fig = _draw(ch06.figure_funding(data))
    widths = sorted(round(b.get_width(), 4) for b in fig.axes[0].patches)
    assert widths == sorted(round(v, 4) for v in data.table("funding")["amount_wan_yuan"])
    assert _title(fig) == "2021 年度经费来源（万元）"
    fig = _draw(ch06.figure_funding_share(data))
    assert sum(b.get_width() for b in fig.axes[0].patches) == pytest.approx(100)


# ---- 第七章 ------------------------------------------------------------------------------------------
def test_ch07_shows_the_schools_own_numbers_only(data, shown):
    """Each school's feature is its own: chapter 7 holds no chart about one feature, only the numbers the
    school declares for the chapter (2021: one, so a table and no chart)."""
    assert set(ch07.__all__) == {"figure_section_facts", "table_section_facts"}
    assert ch07.figure_section_facts(data, "7") is None  # one number: nothing to chart
    ch07.table_section_facts(data, "7")
    assert "128 个" in shown[0] and "特色创新：本校登记的数字" in shown[0]


# ---- 第九章 ------------------------------------------------------------------------------------------
def test_ch09_generated_from_metadata(data, shown):
    defs = ch09.indicator_definitions()
    assert len(defs) == len(registry())
    assert set(defs["指标"]) == {i.name for i in registry().values()}
    options = ch09.option_glossary(data)
    n_options = sum(len(i.options) for i in registry().values())
    assert (options["本校口径"] == "●").sum() == n_options
    used = options[options["本校口径"] == "●"].set_index("指标")["代码"]
    assert used["培训人次与在校生数之比"] == "section_1_2"  # the school's definition, not the default
    ch09.narrative_sources(data)
    assert data_version(2021) in "".join(shown)
    shown.clear()
    ch09.table_status(data)
    for spec in table_specs().values():
        assert spec.title in "".join(shown)


# ---- a partial year ------------------------------------------------------------------------------
def test_partial_year_shows_missing_never_zero(partial, shown):
    assert previous_year(partial) is None
    ch04.narrative_internship(partial, None)
    ch05.table_certification(partial)
    ch05.table_section_facts(partial, "5.3")
    ch06.table_funding(partial)
    assert all("本年度未提供" in text for text in shown), shown
    for fn in (
        ch04.figure_internship,
        ch04.figure_partner_change,
        ch05.figure_certification_levels,
        ch06.figure_funding,
        ch06.figure_funding_share,
    ):
        args = (partial, None) if "prev" in fn.__code__.co_varnames[: fn.__code__.co_argcount] else (partial,)
        assert fn(*args) is None
    for section in ("5.3", "6.1.1", "7"):  # own numbers declared but left empty: no chart
        assert ch05.figure_section_facts(partial, section) is None
    # Without the table, 获证 vs 未获证 still comes from the printed totals.
    labels = _legend(_draw(ch05.figure_certified(partial)))
    assert any(label.startswith("未获证 3,870 人次") for label in labels)


def test_partial_year_keeps_what_is_there(partial, shown):
    # 4.3: the increase and the printed growth remain; the count is gone, so no recomputed growth.
    assert math.isnan(ch04.growth_check(partial)["computed"])
    ch04.narrative_group(partial, None)
    assert "本年度未提供合作企业数据" in shown.pop(0)
    text = shown.pop(0)
    assert "14.29%" in text and "无法重新计算" in text
    # 5.2: training from section 1.2 only, no invented 5.2 number
    ch05.narrative_training(partial)
    assert "10,013 人次" in shown[0] and "10,025" not in shown[0]
    # 生均财政拨款 cannot be recomputed without the funding table; the printed value stays
    ch06.narrative_per_student(partial)
    assert "18,306.65 元" in shown[1] and "数据不足以按" in shown[1] and "重新计算" in shown[1]
    ch07.table_section_facts(partial, "6.1.2")  # declared, left empty: the notice (review), never 0
    assert "本年度未提供" in shown[2] and "<td>0</td>" not in shown[2]


# ---- notebooks -----------------------------------------------------------------------------------
def _run_notebook(name: str, data, prev) -> None:
    """Execute a notebook's chapter cells in this process (no kernel): each must be one call that runs."""
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    _, module = NOTEBOOKS[name]
    from qzanalysis.report.text import show_preface, show_section

    namespace = {
        module.__name__.rsplit(".", 1)[1]: module,
        "data": data,
        "prev": prev,
        "show_section": show_section,
        "show_preface": show_preface,
    }
    for cell in nb.cells[2:]:
        if cell.cell_type == "code":
            eval(compile(cell.source, name, "eval"), namespace)


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_notebook_conventions(name):
    chapter, module = NOTEBOOKS[name]
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["qz"]["chapter"] == chapter and nb.metadata["qz"]["title"].startswith("第")
    assert nb.metadata["kernelspec"]["name"] == "python3"
    params, setup = nb.cells[0], nb.cells[1]
    assert "parameters" in params.metadata["tags"] and "year: int = 2021" in params.source
    assert "remove-input" in setup.metadata["tags"] and "load_year(year, data_dir)" in setup.source
    short = module.__name__.rsplit(".", 1)[1]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
        if cell.cell_type == "markdown":
            body = [line for line in cell.source.splitlines() if not line.startswith("#")]
            assert not re.search(r"\d{3,}|\d\.\d", "\n".join(body)), cell.source
    for cell in nb.cells[2:]:
        if cell.cell_type != "code":
            continue
        call = ast.parse(cell.source, mode="eval").body  # one expression per cell
        assert isinstance(call, ast.Call)
        if isinstance(call.func, ast.Name):  # the school's text for one outline section
            assert call.func.id == "show_section"
            continue
        assert isinstance(call.func, ast.Attribute)
        assert call.func.value.id == short and hasattr(module, call.func.attr)
        assert "remove-input" in cell.metadata.get("tags", [])


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_notebooks_run_on_full_and_partial_year(name, data, prev, partial, shown):
    _run_notebook(name, data, prev)
    _run_notebook(name, partial, None)
    assert shown
