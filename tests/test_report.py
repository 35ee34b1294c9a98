"""CI renders the real 2021 report: every chapter notebook executes; the single-file editions, the chapter pages,
the index and the PDF are written; each chapter shows its key numbers and tables; no chart falls back to
missing glyphs; and in headless Chromium the publication edition reads on a 390 px phone and a 1280 px laptop."""

from __future__ import annotations

import html
import os
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
    result = render_year(2021, out_dir=out, force=True, jobs=2, pdf=browser_found())
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


def test_build_page_links_every_chapter(rendered):
    build = (rendered / "build.html").read_text(encoding="utf-8")
    for chapter in CHAPTERS:
        assert f'href="{chapter}.html"' in build
    assert "数据版本" in build and "生师比" in build


def test_publication_holds_every_chapter_table_and_figure(rendered):
    from qzanalysis.core.outline import chapters

    publication = (rendered / "publication.html").read_text(encoding="utf-8")
    review = (rendered / "review.html").read_text(encoding="utf-8")
    text = visible_text(publication)
    for chapter in chapters():
        if "publication" in chapter.editions:
            assert chapter.title.replace(" ", "") in text
        else:  # the appendices are the audit's: review only
            assert chapter.title.replace(" ", "") not in text
            assert chapter.title.replace(" ", "") in visible_text(review)
    assert "主要指标一览" in text and "数据说明" in text and "目录" in text
    assert "表1-1" in text and "图2-1" in text
    tables = publication.count('class="qz-table-block"')
    assert publication.count("<img ") >= 25 and tables >= 10
    assert review.count('class="qz-table-block"') > tables  # the audit's tables are in the review edition
    assert "No description has been provided" not in publication
    for alt in re.findall(r'alt="([^"]*)"', publication):
        assert alt.startswith("图 ") and any(ch.isdigit() for ch in alt.split(" ", 2)[-1]), alt
    size_mb = (rendered / "publication.html").stat().st_size / 1024 / 1024
    assert size_mb < 4, f"publication.html is {size_mb:.1f} MB: too large to forward"


def _blocks(page: str) -> list[tuple[str, str]]:
    """The publication's prose paragraphs, tables and figures in reading order: (kind, text)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    out = []
    for node in soup.select("main p, .qz-table-block, figure.qz-figure"):
        if node.name == "p" and (node.find_parent(class_=["qz-caption", "qz-table-block", "qz-cover"])):
            continue
        kind = "p" if node.name == "p" else ("table" if "qz-table-block" in node["class"] else "figure")
        out.append((kind, node.get_text(" ", strip=True)))
    return out


def test_publication_reads_in_the_source_order(rendered):
    """A paragraph that leads into a table (“如下：”, “如下表所示。”, “各专业初次就业起薪：”) is followed by that
    table, and the school's text after the table follows the section's tables and figures."""
    blocks = _blocks((rendered / "publication.html").read_text(encoding="utf-8"))
    leads = [
        i
        for i, (kind, text) in enumerate(blocks)
        if kind == "p" and re.search(r"(如下|所示|起薪)[：。]$", text)
    ]
    assert len(leads) >= 4, [blocks[i][1][-20:] for i in leads]  # 1.2, 2.1.3, 2.4.1, 3.2.2
    for i in leads:
        assert blocks[i + 1][0] == "table", (blocks[i][1][-30:], blocks[i + 1])

    def first(kind: str, needle: str) -> int:
        return next(i for i, (k, text) in enumerate(blocks) if k == kind and needle in text)

    lead = first("p", "2021年学生情况如下：")
    assert first("table", "表 1-1 2021 年学生情况") == lead + 1
    rest = first("p", "学校教学资源向社会开放")
    assert all(
        kind in ("table", "figure") for kind, _ in blocks[lead + 1 : rest]
    )  # the section's tables, figures
    assert rest < first("p", "2021年，专任教师数为")  # then 1.3
    salaries = first("table", "各专业初次就业起薪")
    assert (
        first("p", "各专业初次就业起薪：") == salaries - 1 and first("p", "力。发挥创业孵化平台") > salaries
    )


def test_captions_give_a_unit_only_when_every_value_shares_it(rendered):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((rendered / "publication.html").read_text(encoding="utf-8"), "html.parser")
    captions = {
        c.select_one(".qz-caption-title").get_text(" ", strip=True): c for c in soup.select(".qz-caption")
    }
    ratios = captions["表 1-2 教师队伍主要比率"].get_text(" ", strip=True)
    assert "单位" not in ratios  # 生师比 is x:1, the others %
    assert "单位：元" in captions["表 2-7 各专业初次就业起薪"].get_text(" ", strip=True)


# ---- headless Chromium: phone and laptop -------------------------------------------------------------
def browser_found() -> bool:
    from qzanalysis.tools.render.browser import find_browser

    return find_browser() is not None


def needs_browser():
    """Skip where no Chromium/Chrome/Edge is installed; in CI (.ci/run installs Chromium) that is a failure."""
    if browser_found():
        return
    if os.environ.get("CI"):
        pytest.fail("CI must have Chromium (.ci/run installs it with apt-get)")
    pytest.skip("no Chromium, Chrome or Edge on this machine")


# Measured in the page: sideways overflow of the document and of any element, the smallest text size of
# body text, footnotes and table cells, and each chart's rendered text size (its smallest font in points,
# at its export resolution, scaled to the width the image is shown at).
MEASURE = """(() => {
  const doc = document.documentElement;
  const px = el => parseFloat(getComputedStyle(el).fontSize);
  const visible = el => el.offsetParent !== null && getComputedStyle(el).display !== "none";
  const wide = [...document.querySelectorAll("main *")].filter(el => {
    if (!visible(el)) return false;
    const r = el.getBoundingClientRect();
    const overflow = getComputedStyle(el).overflowX;
    const scrolls = el.scrollWidth > el.clientWidth + 1 && (overflow === "auto" || overflow === "scroll");
    return r.right > doc.clientWidth + 1 || r.left < -1 || scrolls;
  }).map(el => el.tagName + "." + el.className + ": " + (el.textContent || "").slice(0, 40));
  const sizes = sel => [...document.querySelectorAll(sel)].filter(visible).map(px);
  const prose = [...document.querySelectorAll("main p, main li")].filter(el => visible(el)
    && !el.closest("blockquote, .qz-caption, .qz-note, .qz-cover, nav") && !el.classList.length).map(px);
  const standards = [...document.querySelectorAll(".qz-stds")].filter(visible).map(cell =>
    [...cell.querySelectorAll(".qz-std")].map(std => {
      const rule = std.querySelector(".qz-std-rule").getBoundingClientRect();
      const doc = std.querySelector(".qz-std-doc");
      const box = std.getBoundingClientRect();
      return {top: box.top, bottom: box.bottom, ruleTop: rule.top, ruleRight: rule.right,
              doc: doc ? px(doc) : null, docTop: doc ? doc.getBoundingClientRect().top : null};
    }));
  const images = [...document.querySelectorAll(".qz-figure img")].map(img => ({
    alt: img.alt.slice(0, 30), shown: img.getBoundingClientRect().width, natural: img.naturalWidth}));
  return {scrollWidth: doc.scrollWidth, viewport: doc.clientWidth, wide: wide,
          body: Math.min(...prose), footnote: Math.min(...sizes(".qz-caption-meta")),
          cells: Math.min(...sizes("main td")), images: images, standards: standards};
})()"""


@pytest.fixture(scope="module")
def measured(rendered, tmp_path_factory):
    needs_browser()
    from qzanalysis.tools.render.browser import Browser

    shots = tmp_path_factory.mktemp("screenshots")
    out = {}
    with Browser() as browser:
        for width in (390, 1280):
            browser.open(rendered / "publication.html", width=width, height=844, mobile=width < 600)
            out[width] = browser.evaluate(MEASURE)
            out[width]["screenshot"] = browser.screenshot(shots / f"publication-{width}.png", full_page=False)
    return out


@pytest.mark.parametrize("width", [390, 1280])
def test_no_sideways_scroll(measured, width):
    page = measured[width]
    assert page["scrollWidth"] <= page["viewport"] == width
    assert page["wide"] == [], page["wide"][:5]


@pytest.mark.parametrize("width", [390, 1280])
def test_text_reads_without_zooming(measured, width):
    page = measured[width]
    assert page["body"] >= 16 and page["cells"] >= 13 and page["footnote"] >= 12
    assert page["screenshot"].stat().st_size > 10_000  # a real page was drawn


@pytest.mark.parametrize("width", [390, 1280])
def test_each_standard_has_its_own_line_with_its_document_in_small_type(measured, width):
    """An indicator with two standards (双师型: ≥ 30% and > 50%) shows each on its own line with its verdict,
    and under each its document in footnote size."""
    cells = measured[width]["standards"]
    assert cells and max(len(c) for c in cells) >= 2
    for cell in cells:
        for std in cell:
            assert std["doc"] == measured[width]["footnote"] and std["docTop"] > std["ruleTop"]
        for upper, lower in zip(cell, cell[1:], strict=False):
            assert lower["top"] >= upper["bottom"] - 0.5  # stacked, not side by side


@pytest.mark.parametrize("width", [390, 1280])
def test_chart_text_no_smaller_than_footnotes(measured, width):
    from qzanalysis.report import style

    page = measured[width]
    assert len(page["images"]) >= 25
    for image in page["images"]:
        assert image["natural"] > 0, image
        smallest_px = style.MIN_FONT_PT * style.EXPORT_DPI / 72 * image["shown"] / image["natural"]
        assert smallest_px >= page["footnote"] - 0.01, (image, smallest_px, page["footnote"])


def test_pdf_prints_the_publication_edition(rendered):
    needs_browser()
    import unicodedata

    from pypdf import PdfReader

    from qzanalysis.core.outline import chapters

    reader = PdfReader(rendered / "publication.pdf")
    assert 20 <= len(reader.pages) <= 200
    # Chromium's PDF text maps some glyphs to Kangxi radicals (⼀ for 一): compare in NFKC.
    pages = [unicodedata.normalize("NFKC", page.extract_text() or "") for page in reader.pages]
    text = "".join(pages)
    assert "衢州市工程技术学校" in text and "学生" in text
    for chapter in chapters():
        if "publication" in chapter.editions:
            assert chapter.title in text, chapter.title
    for number, page in enumerate(pages, start=1):  # "第 n 页 / 共 N 页" in every footer
        found = re.search(r"第\s*(\d+)\s*\S\s*/\s*共\s*(\d+)", page)
        assert found and found.groups() == (str(number), str(len(pages))), (number, page[-80:])
    contents = next(p for p in pages if "目录" in p)
    assert re.search(r"第一章 学校情况\s*\d+", contents), contents[:300]
    assert "数据说明" in text and "数据版本号" in text
