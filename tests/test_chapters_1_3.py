"""Chapters 1–3: the numbers in the generated text and tables equal the data; a partial year never crashes
and shows missing data as missing; the notebooks are short calls into the chapter modules."""

from __future__ import annotations

import csv
import inspect
import json
import shutil

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from qzanalysis import load_year
from qzanalysis.core.paths import DEFAULT_DATA_DIR, NOTEBOOK_DIR
from qzanalysis.core.years import previous_year
from qzanalysis.report.chapters import ch01_school as ch01
from qzanalysis.report.chapters import ch02_students as ch02
from qzanalysis.report.chapters import ch03_quality as ch03

MODULES = [ch01, ch02, ch03]
NOTEBOOKS = {
    "ch01_school.ipynb": (1, ch01),
    "ch02_students.ipynb": (2, ch02),
    "ch03_quality.ipynb": (3, ch03),
}


@pytest.fixture
def shown(monkeypatch):
    """Everything the chapter functions display (Markdown / HTML objects), in order."""
    import IPython.display

    objects = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: objects.extend(objs))
    return objects


def text_of(objects) -> str:
    return "\n".join(str(getattr(o, "data", "")) for o in objects)


def call(fn, data, prev):
    params = inspect.signature(fn).parameters
    if "section" in params:
        return fn(data, "3.6.4")
    return fn(data, prev) if "prev" in params else fn(data)


@pytest.fixture(scope="module")
def years():
    data = load_year(2021)
    return data, previous_year(data)


def run(fn, years, shown):
    shown.clear()
    result = call(fn, *years)
    return result, text_of(shown)


# ---- 2021: numbers equal the data ----------------------------------------------------------------
def test_students_text_and_table(years, shown):
    _, text = run(ch01.narrative_students, years, shown)
    assert "3,742 人" in text and "956 人" in text and "992 人" in text and "98.41%" in text
    assert "合计 3,742 人，与在籍学生数一致" in text
    assert "教育口 357 人" in text and "人社口 635 人" in text
    _, table = run(ch01.table_students, years, shown)
    for value in ("1.9:1", "1,388 人", "1,737 人", "617 人", "98.81%", "98.25%"):
        assert value in table


def test_training_multiple_states_printed_and_recomputed(years, shown):
    _, text = run(ch01.narrative_training, years, shown)
    assert "报告印 2.58 倍" in text and "重算为 2.68 倍" in text  # 10,013 ÷ 3,742


def test_campus_recomputes_per_student_areas(years, shown):
    _, text = run(ch01.narrative_campus, years, shown)
    assert "165.1 亩" in text and "52,745.9 平方米" in text
    assert "28.15 平方米" in text and "29.41 平方米" in text and "14.10 平方米" in text
    assert "约 3,910 名学生" in text  # the denominator both printed values imply


def test_teacher_ratio_table_has_both_years_and_direction(years, shown):
    shown.clear()
    ch01.table_teacher_ratios(*years)
    school, audit = str(shown[0].data), "".join(str(o.data) for o in shown[1:])
    assert "<th>2020 年</th>" in school and "<th>2021 年</th>" in school and "<th>变化情况</th>" in school
    for value in ("15.9:1", "15.1:1", "80.9%", "84.8%", "4.7%", "2.8%", "0.8:1", "3.7%"):  # as printed
        assert value in school
    assert "核对" not in school and "重算" not in school  # the audit's columns are in the review table
    for value in ("+3.9 个百分点", "−1.9 个百分点", "一致"):
        assert value in audit
    frame = ch01.teacher_ratio_frame(*years)
    assert (frame["核对"] == "一致").all()


def test_facilities_table_recomputes_growth(years, shown):
    _, table = run(ch01.table_facilities, years, shown)
    for value in ("15,370 元", "15,529 元", "1,988 个", "2,038 个", "1.04%", "1.03%", "舍入差异", "2.52%"):
        assert value in table


def test_culture_table_both_years(years, shown):
    _, table = run(ch02.table_culture_scores, years, shown)
    for value in ("68.94", "61.46", "82.4%", "59.6%", "第 3 名", "第 10 名", "PDF 抽取时本格丢失"):
        assert value in table
    _, text = run(ch02.narrative_culture_scores, years, shown)
    assert "高二数学及格率提高最多（+17.3 个百分点）" in text
    assert "高一计算机及格率下降最多（−22.8 个百分点）" in text


def test_skill_fitness_aid_employment(years, shown):
    _, table = run(ch02.table_skill_pass_rates, years, shown)
    assert "75.45" in table and "合并单元格" in table and table.count("<tr>") == 20  # one row per major
    _, text = run(ch02.narrative_skill, years, shown)
    assert "1,052 人" in text and "100%" in text and "49.86%" in text
    _, table = run(ch02.table_fitness, years, shown)
    assert "87.50%" in table and "88.63%" in table and "+1.13 个百分点" in table
    _, text = run(ch02.narrative_aid, years, shown)
    assert "2,741 人" in text and "4,009,400 元" in text and "每人约 1,489 元" in text
    _, text = run(ch02.narrative_employment, years, shown)
    assert "770 人" in text and "77.6%" in text and "一致" in text
    assert "含升学）" not in text.replace("未说明是否含升学）", "")  # the report never says 770 includes 升学
    assert "报告未说明是否含升学" in text


def test_chapter3_tables(years, shown):
    _, table = run(ch03.table_program_levels, years, shown)
    assert table.count("●") == 17  # the dots of the report’s 专业结构图
    _, text = run(ch03.narrative_enrolment_plan, years, shown)
    assert "975 人" in text and "98.1%" in text and "5 种学制" in text
    _, table = run(ch03.table_plan_by_duration, years, shown)
    assert "956 人" in table and "975 人" in table
    _, text = run(ch03.narrative_online, years, shown)
    assert "2,925 人" in text and "2,550 人" in text and "618 人" in text
    _, table = run(ch03.table_public_course_hours, years, shown)
    assert "216" in table and "/" in table


def test_every_figure_is_a_closed_figure_with_a_chinese_title(years, shown):
    count = 0
    for module in MODULES:
        for name in module.__all__:
            if not name.startswith("figure_"):
                continue
            fig = call(getattr(module, name), *years)
            assert isinstance(fig, Figure), name
            titles = [ax.get_title(loc="left") for ax in fig.axes] + [
                fig._suptitle.get_text() if fig._suptitle else ""
            ]
            assert any("\u4e00" <= ch <= "\u9fff" for t in titles for ch in t), name
            assert fig.number not in plt.get_fignums(), f"{name} left its figure open (would display twice)"
            count += 1
    assert count >= 19  # each module's own-numbers chart (figure_section_facts) counted once


# ---- a partial year ------------------------------------------------------------------------------
DROPPED_TABLES = [
    "students_by_level",
    "culture_scores",
    "fitness",
    "aid_amounts",
    "enrolment_plan",
    "program_levels",
    "online_learners",
    "skill_pass_rates",
    "satisfaction",
    "public_course_hours",
]
DROPPED_FACTS = {
    "students_total",
    "full_time_teachers",
    "books",
    "teacher_training_attendances",
    "land_area_mu",
    "building_area",
    "contest_participants",
    "enrolment",
    "online_learners_total",
    "leadership_members",
}


@pytest.fixture
def partial(tmp_path):
    """2021 alone (no earlier year), with tables and facts removed."""
    target = tmp_path / "2021"
    shutil.copytree(DEFAULT_DATA_DIR / "2021", target)
    for name in DROPPED_TABLES:
        (target / f"{name}.csv").unlink()
    (target / "manifest.yaml").unlink(missing_ok=True)
    facts = target / "facts.csv"
    with facts.open(encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r[0] not in DROPPED_FACTS]
    with facts.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    data = load_year(2021, tmp_path)
    assert previous_year(data) is None
    return data


def test_partial_year_never_crashes(partial, shown):
    for module in MODULES:
        for name in module.__all__:
            shown.clear()
            result = call(getattr(module, name), partial, None)
            assert result is None or isinstance(result, Figure), name
            if result is None:
                assert shown, f"{name} showed nothing"
            plt.close("all")


def test_partial_year_shows_missing_not_zero(partial, shown):
    _, text = run(ch01.narrative_students, (partial, None), shown)
    assert "本年度未提供在籍学生数据" in text
    _, table = run(ch01.table_students, (partial, None), shown)
    assert "1.9:1" in table and "—" in table and ">0 人<" not in table
    _, table = run(ch01.table_teacher_ratios, (partial, None), shown)
    assert "2020 年" not in table and "15.1:1" in table  # printed ratio still there; no previous-year column
    _, text = run(ch01.narrative_training, (partial, None), shown)
    assert "2.58 倍" in text and "本年度数据不足以重算" in text
    for fn in (
        ch02.table_culture_scores,
        ch03.table_enrolment_plan,
        ch02.figure_fitness,
        ch03.figure_program_levels,
    ):
        result, text = run(fn, (partial, None), shown)
        assert result is None and "本年度未提供" in text, fn.__name__


# ---- notebooks -----------------------------------------------------------------------------------
@pytest.mark.parametrize("filename", sorted(NOTEBOOKS))
def test_notebook_structure(filename):
    chapter, module = NOTEBOOKS[filename]
    nb = json.loads((NOTEBOOK_DIR / filename).read_text(encoding="utf-8"))
    assert nb["metadata"]["qz"]["chapter"] == chapter
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    cells = nb["cells"]
    assert cells[0]["metadata"]["tags"] == ["parameters"]
    assert "".join(cells[0]["source"]).startswith(
        "year: int = 2021  # the report year\ndata_dir = None  # type: Optional[str]"
    )
    assert "remove-input" in cells[1]["metadata"]["tags"]
    for cell in cells:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    calls = ["".join(c["source"]) for c in cells[2:] if c["cell_type"] == "code"]
    text_calls = ("show_section(data, ", "show_preface(data, ")  # the school's text, section by section
    assert calls and all("\n" not in c and (c.startswith("ch0") or c.startswith(text_calls)) for c in calls)
    used = {c.split("(")[0].split(".")[1] for c in calls if c.startswith(module.__name__.rsplit(".", 1)[1])}
    assert used == set(module.__all__), "every chapter function is used by its notebook, and only those"


@pytest.mark.parametrize("filename", sorted(NOTEBOOKS))
def test_notebook_cells_run(filename, shown):
    """The notebook's code, run without a kernel (magics dropped), against the real data."""
    nb = json.loads((NOTEBOOK_DIR / filename).read_text(encoding="utf-8"))
    namespace: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            source = "\n".join(
                line for line in "".join(cell["source"]).splitlines() if not line.startswith("%")
            )
            exec(compile(source, filename, "exec"), namespace)  # noqa: S102
    plt.close("all")
    assert namespace["data"].year == 2021 and namespace["prev"].year == 2020
    assert "本年度未提供" not in text_of(shown)
