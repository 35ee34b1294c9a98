"""The chart rules (qzanalysis.report.charts) hold for every 2021 figure: bars from zero, legends and labels
clear of data and of each other, no line through a value label, text no smaller than the footnotes on a
phone, one quantity per chart, colours of change by the indicator's `better`, and alt text with values."""

from __future__ import annotations

import importlib
import inspect

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from qzanalysis import load_year
from qzanalysis.core.outline import chapters
from qzanalysis.core.years import previous_year
from qzanalysis.report import charts, style
from qzanalysis.report.narrative import ReviewOnly


def notebook_sections(notebook: str, function: str) -> list[str]:
    """The sections a chapter notebook passes to `function` (e.g. figure_section_facts(data, "1.3.3"))."""
    import json
    import re

    from qzanalysis.core.paths import NOTEBOOK_DIR

    cells = json.loads((NOTEBOOK_DIR / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells)
    return re.findall(rf'\.{function}\(data, "([\d.]+)"', source)


@pytest.fixture(scope="module")
def figures():
    """Every figure the chapter modules draw for 2021, by name (a section's own numbers: for each section
    its notebook shows them in)."""
    import IPython.display

    data = load_year(2021)
    prev = previous_year(data)
    shown = IPython.display.display
    IPython.display.display = lambda *a, **k: None  # the chapters' notices are not under test here
    out = {}
    try:
        for chapter in chapters():
            module = importlib.import_module(f"qzanalysis.report.chapters.{chapter.notebook}")
            for name in getattr(module, "__all__", []):
                if not name.startswith("figure_"):
                    continue
                fn = getattr(module, name)
                params = list(inspect.signature(fn).parameters)
                args = [data, prev] if len(params) > 1 and params[1] in ("prev", "previous") else [data]
                variants = [("pass_rate",), ("excellent_rate",)] if name == "figure_fitness" else [()]
                if "section" in params:
                    variants = [(sec,) for sec in notebook_sections(chapter.notebook, name)]
                for extra in variants:
                    fig = fn(*args, *extra)
                    fig = fig.obj if isinstance(fig, ReviewOnly) else fig
                    if isinstance(fig, Figure):
                        FigureCanvasAgg(fig).draw()  # lay out as when saved (the figure is closed)
                        out[f"{chapter.notebook}.{name}{''.join('.' + e for e in extra)}"] = fig
    finally:
        IPython.display.display = shown
    return out


def _texts(fig) -> list[Text]:
    """Visible, non-empty texts of a figure (titles, ticks, labels, legends, annotations)."""
    found = []
    for artist in fig.findobj(Text):
        if not artist.get_visible() or not artist.get_text().strip():
            continue
        if any(not a.get_visible() for a in _ancestors(artist)):
            continue
        found.append(artist)
    return found


def _ancestors(artist):
    axis = getattr(artist, "axes", None)
    out = []
    if axis is not None:
        for ax_axis in (axis.xaxis, axis.yaxis):
            if artist in ax_axis.get_ticklabels() or artist is ax_axis.label:
                out.append(ax_axis)
    return out


def _box(artist, renderer, pad: float = 0.0):
    box = artist.get_window_extent(renderer)
    return (box.x0 + pad, box.y0 + pad, box.x1 - pad, box.y1 - pad)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _bars(ax):
    return [p for c in ax.containers if isinstance(c, BarContainer) for p in c.patches]


def test_enough_figures_are_checked(figures):
    assert len(figures) >= 30


def test_width_and_text_size_fit_a_phone(figures):
    """No wider than FIG_WIDTH and no text under MIN_FONT_PT: shown at most 480 css px wide and at least
    ~360 px on a 390 px phone, 12 pt on a 4.8 in figure renders at ≥ 12 px, the footnote size."""
    assert style.MIN_FONT_PT * 360 / (72 * style.FIG_WIDTH) >= 12
    for name, fig in figures.items():
        assert fig.get_size_inches()[0] <= style.FIG_WIDTH + 1e-9, name
        for text in _texts(fig):
            assert text.get_fontsize() >= style.MIN_FONT_PT, (name, text.get_text(), text.get_fontsize())


def test_bars_start_at_zero(figures):
    for name, fig in figures.items():
        for ax in fig.axes:
            for container in ax.containers:
                if not isinstance(container, BarContainer):
                    continue
                horizontal = getattr(container, "orientation", "vertical") == "horizontal"
                lo, hi = sorted(ax.get_xlim() if horizontal else ax.get_ylim())
                assert lo <= 0 <= hi, (name, lo, hi)


def test_satisfaction_axis_starts_at_zero(figures):
    ax = figures["ch02_students.figure_satisfaction"].axes[0]
    assert min(ax.get_xlim()) <= 0


def test_texts_never_overlap_each_other_or_the_bars(figures):
    """Tick labels, value labels, legends and titles keep clear of each other; legends and value labels keep
    clear of every bar (a value label may touch its own bar's end, so boxes are shrunk by a pixel)."""
    for name, fig in figures.items():
        renderer = fig.canvas.get_renderer()
        texts = _texts(fig)
        boxes = [(t, _box(t, renderer, 1.0)) for t in texts]
        for i, (a, box_a) in enumerate(boxes):
            for b, box_b in boxes[i + 1 :]:
                assert not _overlap(box_a, box_b), (name, a.get_text(), b.get_text())
        for ax in fig.axes:
            bars = [_box(p, renderer, 1.0) for p in _bars(ax)]
            legend = ax.get_legend()
            if legend is not None:
                legend_box = _box(legend, renderer, 1.0)
                assert not any(_overlap(legend_box, bar) for bar in bars), (name, "legend on a bar")
                for other in fig.axes:
                    for text in other.texts:
                        if text.get_gid() == charts.VALUE_LABEL:
                            assert not _overlap(legend_box, _box(text, renderer, 1.0)), (
                                name,
                                text.get_text(),
                            )
            for text in ax.texts:
                if text.get_gid() == charts.VALUE_LABEL and text.get_visible():
                    label = _box(text, renderer, 2.0)
                    assert not any(_overlap(label, bar) for bar in bars), (
                        name,
                        text.get_text(),
                        "label on a bar",
                    )


def test_no_line_crosses_a_value_label(figures):
    """Grid lines never cross value labels; a reference line (median, standard) may pass only behind a
    label's opaque box."""
    for name, fig in figures.items():
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            labels = [t for t in ax.texts if t.get_gid() == charts.VALUE_LABEL and t.get_visible()]
            if not labels:
                continue
            grid = [g for g in ax.get_xgridlines() + ax.get_ygridlines() if g.get_visible()]
            refs = [line for line in ax.lines if isinstance(line, Line2D) and line.get_visible()]
            for label in labels:
                box = _box(label, renderer, 1.0)
                for line in grid:
                    assert not _overlap(box, _box(line, renderer)), (name, label.get_text(), "grid line")
                for line in refs:
                    if _overlap(box, _box(line, renderer)):
                        patch = label.get_bbox_patch()
                        assert patch is not None and patch.get_facecolor()[3] == 1, (name, label.get_text())
                        assert label.get_zorder() > line.get_zorder(), (name, label.get_text())


def test_one_quantity_per_chart(figures):
    """A title names one unit; the two printings of the training count are not charted side by side."""
    for name, fig in figures.items():
        title = charts.figure_title(fig)
        assert "、" not in title.rsplit("（", 1)[-1], (name, title)
    values = " ".join(str(v) for fig in figures.values() for v in getattr(fig, "qz_values", []))
    assert not ("10,013" in values and "10,025" in values)
    assert "ch05_contribution.figure_training_by_year" not in figures  # one year: no chart


def test_change_colours_follow_better():
    assert charts.change_color(-0.8, "lower") == style.GOOD  # 生师比 15.9 → 15.1 improves
    assert charts.change_color(0.8, "lower") == style.BAD
    assert charts.change_color(3.9, "higher") == style.GOOD
    assert charts.change_color(-3.9, "higher") == style.BAD
    assert charts.change_color(1.0, None) == style.NEUTRAL == charts.change_color(0.0, "higher")


def test_improving_student_teacher_ratio_is_not_red(figures):
    import matplotlib.colors as mcolors

    panels = figures["ch01_school.figure_teacher_ratios"]
    ratio_axis = next(ax for ax in panels.axes if ax.get_title(loc="left").startswith("生师比"))
    this_year = _bars(ratio_axis)[-1]
    assert mcolors.to_hex(this_year.get_facecolor()) == style.GOOD
    data = load_year(2021)
    changes = importlib.import_module("qzanalysis.report.chapters.ch11_changes")
    fig = changes.figure_largest_changes(data, previous_year(data), n=40)
    ax = fig.axes[0]
    for label, bar in zip(ax.get_yticklabels(), _bars(ax), strict=True):
        if label.get_text().replace("\n", "") == "生师比":
            assert mcolors.to_hex(bar.get_facecolor()) == style.GOOD
            break
    else:
        pytest.fail("生师比 is not among the changes")


def test_alt_text_has_title_and_values(figures):
    for name, fig in figures.items():
        data, metadata = charts.figure_bundle(fig)
        info = metadata["qz"]["figure"]
        assert info["title"] and info["alt"].startswith(info["title"].replace("\n", "")), name
        assert "No description" not in info["alt"] and any(ch.isdigit() for ch in info["alt"]), name
        assert data["image/png"] and data["text/plain"] == info["title"]
    alt = charts.figure_bundle(figures["ch01_school.figure_student_levels"])[1]["qz"]["figure"]["alt"]
    assert "中职层次 1,388" in alt and "技师层次 617" in alt


def test_exported_png_has_no_title_and_is_small(figures):
    """The report prints the title as the caption; the PNG leaves it out and stays compact."""
    fig = figures["ch02_students.figure_skill_pass_rates"]
    assert charts.png_bytes(fig) != charts.png_bytes(fig, with_title=True)
    assert fig._suptitle.get_visible()  # restored after export
    assert all(len(charts.png_bytes(f)) < 120_000 for f in figures.values())


def test_wrap_never_starts_a_line_with_a_closing_bracket():
    assert charts.wrap("重新计算（以上年为基数）", 8) == "重新计算\n（以上年为基数）"
    for text in ("中高职一体（3+2）", "国家级高技能人才", "物联网应用技术（信息通信网络运行管理员）"):
        for width in (3, 4, 5, 7, 8):
            lines = charts.wrap(text, width).split("\n")
            assert "".join(lines) == text
            assert not any(line[:1] in "）)，。、" for line in lines[1:]), (text, width, lines)
