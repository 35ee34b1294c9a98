"""qz render: editions, offline/escaping guarantees, failures, and change detection (fixture notebooks)."""

from __future__ import annotations

import json
import re
import shutil
from argparse import ArgumentParser
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from qzanalysis.tools.render import render_year
from qzanalysis.tools.render.command import add_parser
from qzanalysis.tools.render.params import inject_parameters
from qzanalysis.tools.render.sanitize import CSP, clean
from qzanalysis.tools.render.state import STATE_FILE

FIXTURES = Path(__file__).parent / "fixtures" / "render"
YEAR = 2021


def _setup(root: Path) -> dict:
    """Copy the fixture notebooks and data into `root`, with a stand-in library tree for hashing."""
    shutil.copytree(FIXTURES / "notebooks", root / "notebooks")
    shutil.copytree(FIXTURES / "data", root / "data")
    (root / "lib").mkdir()
    (root / "lib" / "mod.py").write_text("X = 1\n")
    return {
        "data_dir": root / "data",
        "out_dir": root / "reports",
        "notebooks_dir": root / "notebooks",
        "lib_dir": root / "lib",
    }


def _render(paths: dict, **kwargs):
    return render_year(YEAR, jobs=2, log=lambda msg: None, **paths, **kwargs)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    paths = _setup(tmp_path_factory.mktemp("render"))
    result = _render(paths)
    assert result.ok, [c.error for c in result.failed]
    year_out = paths["out_dir"] / str(YEAR)
    pages = {
        "report": "ch01_school.html",
        "report2": "ch02_students.html",
        "analysis": "analysis/ch01_school.html",
        "analysis2": "analysis/ch02_students.html",
        "index": "index.html",
        "build": "build.html",
        "publication": "publication.html",
        "review": "review.html",
        "analysis_all": "analysis.html",
    }
    return {
        "result": result,
        "year_out": year_out,
        **{key: (year_out / name).read_text("utf-8") for key, name in pages.items()},
    }


PAGES = [
    "report",
    "report2",
    "analysis",
    "analysis2",
    "index",
    "build",
    "publication",
    "review",
    "analysis_all",
]
SINGLE_FILES = ["publication", "review", "analysis_all"]


def test_editions_chapter_pages_index_and_build_page_are_written(rendered):
    year_out = rendered["year_out"]
    for name in ("ch01_school", "ch02_students"):
        assert (year_out / f"{name}.html").is_file()
        assert (year_out / "analysis" / f"{name}.html").is_file()
        assert (year_out / ".executed" / f"{name}.ipynb").is_file()
    assert [c.status for c in rendered["result"].chapters] == ["rendered", "rendered"]
    assert set(rendered["result"].editions) == {"publication", "review", "analysis"}
    index = rendered["index"]  # for leaders: the editions, no build details
    for href in ("publication.html", "review.html", "analysis.html", "build.html"):
        assert f'href="{href}"' in index
    for build_detail in ("数据版本", "提交", "耗时", "报告值", "计算值", "生成时间"):
        assert build_detail not in index
    build = rendered["build"]  # for analysts: chapter pages, status, timings, provenance
    assert 'href="ch01_school.html"' in build and 'href="analysis/ch01_school.html"' in build
    assert "第一章 学校情况" in build and "数据版本" in build and "qzanalysis" in build and "耗时" in build
    assert all('<html lang="zh-CN">' in rendered[page] for page in PAGES)


@pytest.mark.parametrize("page", ["report", "review", "publication"])
def test_reader_editions_have_no_code_stderr_or_parameters(rendered, page):
    report = rendered[page]
    for marker in ("CODE-INPUT-MARKER", "HIDDEN-INPUT-MARKER", "REMOVED-CELL-MARKER"):
        assert marker not in report
    assert 'class="qz-input"' not in report and 'class="qz-code"' not in report  # no code cell inputs
    assert "STDERR-WARNING-MARKER" not in report and "STDERR-PRINT-MARKER" not in report
    assert "UserWarning" not in report
    assert "injected by qz render" not in report and "data_dir" not in report
    # Output of a remove-input cell, with the injected year.
    assert "PARAM-YEAR-2021" in report
    assert 'src="data:image/png;base64,' in report


def test_publication_drops_the_audit_voice_and_printed_output(rendered):
    publication, review = rendered["publication"], rendered["review"]
    assert "REVIEW-ONLY-MARKER" not in publication and "REVIEW-ONLY-MARKER" in review
    assert "REVIEW-ONLY-MARKER" in rendered["report2"] and "REVIEW-ONLY-MARKER" in rendered["analysis_all"]
    assert "STDOUT-VISIBLE-MARKER" not in publication and "STDOUT-VISIBLE-MARKER" in review
    for jargon in ("核对", "重算", "不一致", ".csv", ".ipynb", "提交", "sha256"):
        assert jargon not in publication.split("<main>", 1)[1], jargon


def test_single_files_are_whole_reports(rendered):
    from qzanalysis.core.dataset import load_year

    school = load_year(YEAR, rendered["year_out"].parents[1] / "data").school_name
    for page in SINGLE_FILES:
        html = rendered[page]
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert school in title
        for part in (
            'id="cover"',
            'id="summary"',
            'id="contents"',
            'id="ch1"',
            'id="ch2"',
            'id="data-notes"',
        ):
            assert part in html, (page, part)
        # Numbered tables and figures with captions.
        assert "表 1-1" in html and "图 1-1" in html and "图 2-1" in html
        # Every link stays inside the file (or is an absolute web address from the data).
        soup = BeautifulSoup(html, "html.parser")
        ids = {tag["id"] for tag in soup.find_all(id=True)}
        for link in soup.find_all(href=True):
            href = link["href"]
            assert href.startswith("#") or href.startswith(("http://", "https://", "mailto:")), (page, href)
            assert not href.startswith("#") or href[1:] in ids, (page, href)


def test_analysis_edition_keeps_code_and_parameters(rendered):
    analysis = rendered["analysis"]
    assert "CODE-INPUT-MARKER" in analysis and "HIDDEN-INPUT-MARKER" in analysis
    assert "injected by qz render" in analysis
    assert "REMOVED-CELL-MARKER" not in analysis
    assert 'src="data:image/png;base64,' in analysis


@pytest.mark.parametrize("page", PAGES)
def test_pages_are_offline_and_forbid_scripts(rendered, page):
    html = rendered[page]
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", html, re.I)
    assert "mathjax" not in html.lower() and "require.min.js" not in html
    assert "<script" not in html.lower()  # static pages: no JavaScript at all
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html
    assert "default-src 'none'" in CSP and "script-src" not in CSP  # scripts fall back to 'none'


def _inert(html: str) -> list[str]:
    """What in a page could still run script: dangerous elements, event handlers, javascript: URLs."""
    from html import unescape

    from bs4 import BeautifulSoup

    problems = []
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["script", "svg", "iframe", "object", "embed", "frame", "math", "base", "form"]):
        problems.append(f"<{tag.name}>")
    for tag in soup.find_all(True):
        for attr, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if attr.lower().startswith("on") or attr.lower() == "srcdoc":
                problems.append(f"{tag.name}[{attr}]")
            if attr in ("href", "src", "data", "action", "formaction"):
                target = re.sub(r"\s", "", unescape(value)).lower()
                if target.startswith(("javascript:", "vbscript:")) or (
                    attr == "src" and not target.startswith("data:")
                ):
                    problems.append(f"{tag.name}[{attr}={value}]")
    return problems


@pytest.mark.parametrize("page", PAGES)
def test_data_strings_are_inert(rendered, page):
    html = rendered[page]
    assert _inert(html) == []
    if page in ("report", "analysis", *SINGLE_FILES):
        # The data strings are shown as text, not dropped: a reader sees what the data say.
        assert "alert(1)" in html and "alert(11)" in html


def test_index_survives_data_that_does_not_load(monkeypatch):
    import qzanalysis
    from qzanalysis.tools.render.index import headline_table

    def broken(*args, **kwargs):
        raise RuntimeError("<b>缺少文件</b>")

    monkeypatch.setattr(qzanalysis, "load_year", broken)
    html = headline_table(YEAR, None, None)
    assert "数据未能加载" in html and "&lt;b&gt;缺少文件" in html


def test_unreadable_notebook_fails_only_that_chapter(tmp_path):
    paths = _setup(tmp_path)
    (paths["notebooks_dir"] / "ch02_students.ipynb").write_text("<<<<<<< HEAD\n{", encoding="utf-8")
    result = _render(paths)
    assert [(c.name, c.status) for c in result.chapters] == [
        ("ch01_school", "rendered"),
        ("ch02_students", "failed"),
    ]
    assert "ch02_students" in result.failed[0].error and result.exit_code == 1
    assert not (paths["out_dir"] / str(YEAR) / "ch02_students.html").exists()


VECTORS = [
    "<svg onload=alert(1)></svg>",
    "<img src=x onerror=alert(2)>",
    '<a href="&#106;avascript:alert(3)">x</a>',
    '<iframe srcdoc="<script>alert(4)</script>"></iframe>',
    '<object data="javascript:alert(5)"></object>',
    "<SCRIPT src=a></script>",
    '<a href="other.html">x</a>',
    '<p style="position:fixed">x</p><style>body{display:none}</style>',
]


@pytest.mark.parametrize("vector", VECTORS)
def test_sanitizer_leaves_nothing_that_runs_or_leaves_the_file(vector):
    cleaned = clean(f"<p>前{vector}后</p>")
    assert _inert(cleaned) == [] and "前" in cleaned and "后" in cleaned
    assert "other.html" not in cleaned and "style" not in cleaned


def test_inject_parameters_after_parameters_cell():
    nb = nbformat.read(FIXTURES / "notebooks" / "ch01_school.ipynb", as_version=4)
    n = len(nb.cells)
    origins = inject_parameters(nb, {"year": 2020, "data_dir": None})
    injected = nb.cells[2]
    assert "injected-parameters" in injected.metadata["tags"]
    assert "year = 2020" in injected.source and "data_dir = None" in injected.source
    assert origins == [0, 1, None, *range(2, n)]
    # Re-injecting replaces the earlier injected cell rather than stacking another.
    origins = inject_parameters(nb, {"year": 2021, "data_dir": "/d"})
    assert sum("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    assert "year = 2021" in nb.cells[2].source


def test_skip_rerun_and_failure(tmp_path, capsys):
    paths = _setup(tmp_path)
    year_out = paths["out_dir"] / str(YEAR)
    first = _render(paths)
    assert first.ok

    # Nothing changed: everything skipped, nothing rewritten.
    mtimes = {p: p.stat().st_mtime_ns for p in year_out.rglob("*.html")}
    again = _render(paths)
    assert [c.status for c in again.chapters] == ["skipped", "skipped"]
    assert mtimes == {p: p.stat().st_mtime_ns for p in year_out.rglob("*.html")}

    # A data file changed: every chapter reads the year's data, so every chapter re-runs.
    with open(paths["data_dir"] / str(YEAR) / "students.csv", "a", encoding="utf-8") as fh:
        fh.write("数控技术应用,200\n")
    assert [c.status for c in _render(paths).chapters] == ["rendered", "rendered"]

    # A library file changed: the chapter re-runs (limited to ch02 to keep the test short).
    (paths["lib_dir"] / "mod.py").write_text("X = 2\n")
    assert [c.status for c in _render(paths, chapters="ch02").chapters] == ["rendered"]

    # The notebook breaks: non-zero exit, a message naming chapter, cell and error, old HTML untouched.
    good = year_out / "ch02_students.html"
    good_bytes, good_mtime = good.read_bytes(), good.stat().st_mtime_ns
    good_analysis = (year_out / "analysis" / "ch02_students.html").read_bytes()
    publication_bytes = (year_out / "publication.html").read_bytes()
    shutil.copy(FIXTURES / "broken" / "ch02_students.ipynb", paths["notebooks_dir"] / "ch02_students.ipynb")
    parser = ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(
        ["render", "--year", str(YEAR), "--data-dir", str(paths["data_dir"]), "--out", str(paths["out_dir"])]
        + ["--notebooks-dir", str(paths["notebooks_dir"]), "--chapters", "ch02"]
    )
    capsys.readouterr()
    assert args.func(args) == 1
    err = capsys.readouterr().err
    assert "ch02_students: cell 3: KeyError" in err and "不存在的列" in err
    assert '| total = students["不存在的列"].sum()' in err
    assert good.read_bytes() == good_bytes and good.stat().st_mtime_ns == good_mtime
    assert (year_out / "analysis" / "ch02_students.html").read_bytes() == good_analysis
    assert not [p for p in year_out.rglob("*") if p.name.endswith(".tmp")]
    state = json.loads((year_out / STATE_FILE).read_text("utf-8"))["chapters"]
    assert state["ch02_students"]["status"] == "failed" and state["ch01_school"]["status"] == "ok"
    index = (year_out / "build.html").read_text("utf-8")
    assert "本次生成失败" in index and "上次成功的版本" in index
    # A failed chapter never reaches the leaders' edition; the review edition says what failed.
    assert publication_bytes == (year_out / "publication.html").read_bytes()
    assert "生成失败" in (year_out / "review.html").read_text("utf-8")

    # Still broken: retried (not skipped) and still failing.
    assert [c.status for c in _render(paths, chapters="ch02").chapters] == ["failed"]

    # Reverted to the last good notebook: its HTML on disk is current again, so it is skipped.
    shutil.copy(
        FIXTURES / "notebooks" / "ch02_students.ipynb", paths["notebooks_dir"] / "ch02_students.ipynb"
    )
    reverted = _render(paths, chapters="ch02")
    assert [c.status for c in reverted.chapters] == ["skipped"] and reverted.ok
    state = json.loads((year_out / STATE_FILE).read_text("utf-8"))["chapters"]
    assert state["ch02_students"]["status"] == "ok"
    assert "本次生成失败" not in (year_out / "build.html").read_text("utf-8")


def test_unknown_chapter_is_an_error(tmp_path):
    paths = _setup(tmp_path)
    with pytest.raises(ValueError, match="ch07"):
        _render(paths, chapters="ch01,ch07")


def test_javascript_urls_are_disabled():
    from qzanalysis.report.narrative import esc

    assert "](" not in esc("[链接](javascript:alert(3))")  # data cannot form a Markdown link
    assert clean('<a href="javascript:alert(3)">x</a>') == '<a rel="noopener noreferrer">x</a>'


def test_earlier_year_data_is_part_of_the_key(tmp_path):
    """Chapters compare with the previous year and chart trends, so its data must trigger a re-render."""
    paths = _setup(tmp_path)
    earlier = paths["data_dir"] / str(YEAR - 1)
    earlier.mkdir()
    (earlier / "note.txt").write_text("v1", encoding="utf-8")
    assert _render(paths, chapters="ch01").ok
    assert [c.status for c in _render(paths, chapters="ch01").chapters] == ["skipped"]
    (earlier / "note.txt").write_text("v2", encoding="utf-8")
    assert [c.status for c in _render(paths, chapters="ch01").chapters] == ["rendered"]
    (paths["data_dir"] / str(YEAR + 1)).mkdir()  # a later year is not read by this year's report
    assert [c.status for c in _render(paths, chapters="ch01").chapters] == ["skipped"]


def test_bad_year_fails_before_any_kernel_and_writes_nothing(tmp_path, capsys):
    paths = _setup(tmp_path)
    parser = ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(
        ["render", "--year", "2031", "--data-dir", str(paths["data_dir"]), "--out", str(paths["out_dir"])]
        + ["--notebooks-dir", str(paths["notebooks_dir"])]
    )
    assert args.func(args) == 1
    err = capsys.readouterr().err
    assert "找不到 2031 年的数据文件夹" in err and "未生成任何文件" in err
    assert not (paths["out_dir"] / "2031").exists()


def test_tables_and_figures_are_numbered_per_chapter_with_unit_and_section():
    from qzanalysis.tools.render.document import number_chapter

    fragment = (
        "<h1>第三章 质量保障措施</h1><h3>3.1.1 专业结构调整</h3>"
        "<table><caption>专业结构</caption><thead><tr><th>专业</th><th>技师（预备技师）</th><th>学生数（人）</th>"
        "</tr></thead><tbody><tr><td>会计</td><td>●</td><td>30 人</td></tr></tbody></table>"
        '<h3>3.1.2 课程</h3><figure class="qz-figure" data-title="课时（学时）"><img src="data:image/png;base64,x" '
        'alt="课时（学时）：语文 198。"></figure>'
        "<table><thead><tr><th>项目</th><th>数值</th></tr></thead><tbody><tr><td>课程</td><td>12 门</td></tr>"
        "</tbody></table>"
    )
    chapter = number_chapter(fragment, "3", "ch3")
    soup = BeautifulSoup(chapter.html, "html.parser")
    captions = [c.get_text(" ", strip=True) for c in soup.select(".qz-caption")]
    assert captions[0] == "表 3-1 专业结构 单位：人　出处：3.1.1 专业结构调整"  # not “预备技师”
    assert captions[1].startswith("图 3-1 课时（学时）") and "出处：3.1.2 课程" in captions[1]
    assert captions[2].startswith("表 3-2") and "单位：门" in captions[2]
    assert soup.find("img")["alt"] == "图 3-1 课时（学时）：语文 198。"
    assert [h.anchor for h in chapter.headings] == ["ch3", "ch3-s3-1-1", "ch3-s3-1-2"]
    first, second = soup.find_all("table")
    assert "qz-cards" in first["class"] and first.find("td")["data-label"] == "专业"
    assert "qz-cards" not in (second.get("class") or [])  # two columns fit a phone as they are
    assert (chapter.tables, chapter.figures) == (2, 1)


def test_a_caption_gives_a_unit_only_when_every_value_shares_it():
    from qzanalysis.tools.render.document import number_chapter

    def caption(head: list[str], *rows: list[str]) -> str:
        cells = "".join(f"<tr>{''.join(f'<td>{c}</td>' for c in row)}</tr>" for row in rows)
        header = "".join(f"<th>{h}</th>" for h in head)
        fragment = f"<h2>1.3 教师队伍</h2><table><caption>比率</caption><thead><tr>{header}</tr></thead>{cells}</table>"
        soup = BeautifulSoup(number_chapter(fragment, "1", "ch1").html, "html.parser")
        return soup.select_one(".qz-caption").get_text(" ", strip=True)

    # 生师比 “15.1:1” beside percentages: no one unit, so none in the caption
    assert "单位" not in caption(["教师队伍", "2021 年"], ["生师比", "15.1:1"], ["“双师型”教师比例", "84.8%"])
    # a change in 个百分点 beside values in %
    assert "单位" not in caption(["项目", "2021 年", "变化"], ["合格率", "88.63%", "+1.13 个百分点"])
    # plain counts beside a column in %
    assert "单位" not in caption(["等级", "认定人次", "占比（%）"], ["五级", "735", "4.8"])
    # every value in % (typed in the cells or given by the column title)
    assert "单位：%" in caption(["等级", "占比（%）", "2021 年"], ["五级", "4.8", "5.1%"])
    assert "单位：人" in caption(["项目", "数值"], ["招生规模", "956 人"], ["在籍学生数", "3,742 人"])


def test_text_after_a_tables_marker_follows_the_sections_tables():
    """The school's text after {{tables}} (an output tagged after-tables) moves after the section's last table
    or figure in the publication and review editions; the analysis edition keeps the order cells ran in."""
    from qzanalysis.tools.render.document import cells_html

    def md(text, section=None, part=None, review=False):
        qz = {k: v for k, v in {"section": section, "part": part}.items() if v}
        if review:
            qz["editions"] = ["review", "analysis"]
        return {"output_type": "display_data", "data": {"text/markdown": text}, "metadata": {"qz": qz}}

    def html_table(title):
        return {
            "output_type": "display_data",
            "data": {"text/html": f"<table><caption>{title}</caption></table>"},
        }

    def cell(*outputs):
        return {"cell_type": "code", "source": "x", "metadata": {}, "outputs": list(outputs)}

    nb = {
        "cells": [
            cell(
                md("## 1.2 学生情况\n\n学生情况如下：", "1.2"),
                md("学校教学资源向社会开放。", "1.2", "after-tables"),
            ),
            cell(html_table("学生情况")),
            cell(md("审阅意见", review=True)),
            cell(html_table("比率")),
            cell(md("## 1.3 教师队伍", "1.3")),
            cell(md("## 1.4 设施设备\n\n如下：", "1.4"), md("其余文字。", "1.4", "after-tables")),
        ]
    }

    def order(edition):
        page = cells_html(nb, edition)
        marks = [
            "如下：",
            "<caption>学生情况",
            "审阅意见",
            "<caption>比率",
            "开放。",
            "1.3 教师队伍",
            "其余文字",
        ]
        return [m for m in sorted(marks, key=lambda m: page.find(m)) if m in page]

    assert order("publication") == [
        "如下：",
        "<caption>学生情况",
        "<caption>比率",
        "开放。",
        "1.3 教师队伍",
        "其余文字",
    ]
    assert order("review") == [
        "如下：",
        "<caption>学生情况",
        "审阅意见",
        "<caption>比率",
        "开放。",
        "1.3 教师队伍",
        "其余文字",
    ]
    assert order("analysis")[:2] == ["如下：", "开放。"]  # as the cells ran, beside their code
