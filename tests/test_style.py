"""Chinese text in charts renders with real glyphs (the missing-glyph warning is an error in tests)."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pytest

from qzanalysis.report import charts, style


def test_cjk_font_is_found_and_draws_without_missing_glyphs(tmp_path):
    family = style.use_house_style()
    assert "CJK" in family or family in style.SYSTEM_CJK_FAMILIES
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph \d+ .* missing from font")
        fig = charts.bar(
            ["中职层次", "高职层次", "技师层次"], [1388, 1737, 617], "在籍学生结构：衢州市技师学院", "人"
        )
        fig.savefig(tmp_path / "chart.png")
        plt.close(fig)
    assert (tmp_path / "chart.png").stat().st_size > 5000


def test_a_font_without_chinese_does_raise_the_glyph_error(tmp_path):
    """Guards the guard: with only DejaVu Sans, the same text must fail."""
    style.use_house_style()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r"Glyph \d+ .* missing from font")
        plt.rcParams["font.family"] = ["DejaVu Sans"]
        fig, ax = plt.subplots()
        ax.set_title("学生")
        with pytest.raises(UserWarning, match="missing from font"):
            fig.savefig(tmp_path / "broken.png")
        plt.close(fig)
    style.use_house_style()


def test_house_style_survives_seaborn_reset():
    import seaborn as sns

    sns.set_theme()
    family = style.use_house_style()
    assert family in plt.rcParams["font.family"]
