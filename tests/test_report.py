"""CI renders the real 2021 report: every chapter notebook executes, both editions and the index are written,
each chapter shows its key numbers and tables, and no chart falls back to missing glyphs."""

from __future__ import annotations

import html
import re

import pytest

from qzanalysis.core.paths import NOTEBOOK_DIR
from qzanalysis.tools.render import render_year

CHAPTERS = sorted(p.stem for p in NOTEBOOK_DIR.glob("ch*.ipynb"))

# Phrases each chapter's report edition must show (spaces ignored), built from the 2021 data: whole phrases,
# not bare short numbers, so that a wrong or missing figure cannot pass by matching elsewhere on the page.
KEY_PHRASES = {
    "ch01_school": ["共3742人", "招生规模956人", "15.1:1", "84.8%", "98.41%", "52745.9平方米", "20256册"],
    "ch02_students": [
        "56.89",
        "市场营销营销员100",
        "61.46",
        "88.63",
        "4,082,500元",
        "就业率77.6%",
        "97.92%",
    ],
    "ch03_quality": ["660302", "共计2925人", "使用手机终端听课人数2550人", "216", "11420平方米"],
    "ch04_cooperation": ["合作企业拓展至56家", "环比增长14.29%", "2021年增加到82%"],
    "ch05_contribution": ["10025人次", "15,176", "获证11306人次", "74.50%", "9,409", "4,190"],
    "ch06_funding": ["总经费为16699.0347元", "一般公共预算拨款6850.3471元", "18306.65元", "3742人"],
    "ch07_features": ["工种覆128个"],
    "ch08_problems": ["8.1.1高端引领不够", "8.2.2加强资源集聚"],
    "ch09_other": ["学校认为无需要向社会公布的其他办学情况。"],
    "ch10_audit": ["不一致16项", "约3,910为在校生数"],
    "ch11_changes": ["15.9:1", "15.1:1"],
}


def visible_text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r'src="data:[^"]+"', "", page)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, monkeypatch_module):
    # Kernels inherit the environment: a missing glyph in any chart fails its cell, and so the render.
    monkeypatch_module.setenv("PYTHONWARNINGS", "error:Glyph:UserWarning")
    out = tmp_path_factory.mktemp("reports")
    result = render_year(2021, out_dir=out, force=True, jobs=2)
    assert result.ok, [(c.name, c.error) for c in result.failed]
    return out / "2021"


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_every_chapter_has_key_numbers_listed():
    assert set(KEY_PHRASES) == set(CHAPTERS)
    assert len(CHAPTERS) >= 9


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_report_edition(rendered, chapter):
    page = (rendered / f"{chapter}.html").read_text(encoding="utf-8")
    text = visible_text(page)
    for phrase in KEY_PHRASES[chapter]:
        assert phrase in text, f"{chapter} does not show {phrase}"
    assert (
        "jp-CodeMirrorEditor" not in page and "cm-editor" not in page and "highlight hl-ipython3" not in page
    )
    for leak in ("Traceback", "Warning:", "UserWarning", "load_year(", "import", "nan", "None", "<NA>"):
        assert leak not in text, f"{chapter} shows {leak!r}"
    assert (rendered / "analysis" / f"{chapter}.html").is_file()


def test_report_has_tables_and_enough_figures(rendered):
    pages = {c: (rendered / f"{c}.html").read_text(encoding="utf-8") for c in CHAPTERS}
    figures = sum(p.count("data:image/png") + p.count("<svg") for p in pages.values())
    assert figures >= 20
    for chapter in ("ch01_school", "ch02_students", "ch03_quality", "ch05_contribution", "ch06_funding"):
        assert "<table" in pages[chapter], chapter


def test_index_links_every_chapter(rendered):
    index = (rendered / "index.html").read_text(encoding="utf-8")
    for chapter in CHAPTERS:
        assert f'href="{chapter}.html"' in index
    assert "数据版本" in index and "生师比" in index
