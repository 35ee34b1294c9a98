"""The school's words are data (data/<year>/text/): the 2021 text against the source, references and their
checks, placement of every section in the notebooks, the voices of the editions, and drafts."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from qzanalysis import load_year, read_year
from qzanalysis.core import outline
from qzanalysis.core.findings import Level
from qzanalysis.core.paths import DEFAULT_DATA_DIR, NOTEBOOK_DIR, PACKAGE_DIR
from qzanalysis.core.text import PREFACE, parse_reference
from qzanalysis.report.text import preface_markdown, render_markdown, section_markdown, section_parts
from qzanalysis.tools import cli

SOURCE = Path(__file__).parent / "fixtures" / "source_2021" / "report_2021.txt"
# Titles of tables printed in the source: the tables are data (CSV) and the notebook places them with
# their captions, so they are not part of the text.
TABLE_CAPTIONS = {"衢州市工程技术学校（衢州市技师学院）专业结构图", "公共基础课课时总学时安排表"}
CHAPTERS = [c for c in outline.chapters() if not c.is_appendix]


# ---- the 2021 text against the source --------------------------------------------------------------
def source_sections() -> list[tuple[str | None, str]]:
    """The source's (heading, prose) pairs in order, the preface first with heading None.

    Drops the table of contents and the cover (title, school name), table rows (tab-separated) and table
    captions; joins paragraphs the PDF split across pages (a paragraph that does not end a sentence)."""
    text = SOURCE.read_text(encoding="utf-8")
    text = text[text.index("# 2021 年度中等职业教育质量报告") :]
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()][2:]
    out: list[list] = [[None, []]]
    for block in blocks:
        if block.startswith("#"):
            out.append([block.lstrip("#").strip(), []])
        elif "\t" in block or block in TABLE_CAPTIONS:
            out[-1][1].append(None)  # a table: a paragraph never continues across it
        else:
            paragraphs = out[-1][1]
            if paragraphs and paragraphs[-1] and not re.search(r"[。：；！？”]$", paragraphs[-1]):
                paragraphs[-1] += block
            else:
                paragraphs.append(block)
    return [(h, "".join(p for p in ps if p)) for h, ps in out]


def normal(text: str) -> str:
    """Compare text, not layout: NFKC (full- and half-width alike), no whitespace, no Markdown marks."""
    text = re.sub(
        r"^>\s*<strong>【原文缺失】</strong>.*$", "", text, flags=re.M
    )  # our marker, not the school's
    text = re.sub(r"^#+\s*", "", text, flags=re.M).replace("**", "")
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)  # a Markdown autolink is the bare address
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def rendered_sections(data) -> list[tuple[str | None, str]]:
    out = [(None, preface_markdown(data) or "")]
    for chapter in CHAPTERS:
        tf = data.text.chapter(chapter.notebook)
        for s in tf.sections:
            heading = s.heading.lstrip("#").strip() if s.heading else None
            out.append((heading, render_markdown(s.body, data)))
    return out


def test_every_heading_of_the_source_appears_in_order(data_2021):
    source = [normal(h) for h, _ in source_sections() if h]
    ours = [normal(h) for h, _ in rendered_sections(data_2021) if h]
    assert ours == source


@pytest.mark.parametrize("index", range(len(source_sections())))
def test_each_section_reads_as_the_source(data_2021, index):
    heading, prose = source_sections()[index]
    ours = dict(enumerate(rendered_sections(data_2021)))[index]
    assert normal(ours[0] or "") == normal(heading or "")
    assert normal(ours[1]) == normal(prose), heading


def test_the_2021_text_is_whole():
    text = "\n".join(p.read_text(encoding="utf-8") for p in (DEFAULT_DATA_DIR / "2021" / "text").glob("*.md"))
    for year in ("1979", "2003", "2010", "2020"):  # the history with its years
        assert f"{year}年" in text
    honours = re.search(r"学校先后获得(.*)等省级及以上荣誉", text).group(1).split("、")
    assert len(honours) == 9
    assert "学校认为无需要向社会公布的其他办学情况。" in text  # chapter 9 as written
    assert "将近 {{relevant_employment_rate_change_printed|value}} 个百分点" in text  # not “6 百分点”
    assert "{{surveyed_enterprises|value}} 多家" in text and "第二名" in text and "第四名" in text


def test_lost_text_is_marked_not_invented(data_2021):
    markdown = section_markdown(data_2021, "2.4.1")
    assert "【原文缺失】" in markdown and markdown.index("【原文缺失】") < markdown.index(
        "力。发挥创业孵化平台"
    )


def test_numbers_that_are_facts_print_from_data(data_2021, data_copy):
    assert "在籍学生共3742人" in section_markdown(data_2021, "1.2")
    assert "为 3742 人（不含顶岗实习学生）" in section_markdown(
        data_2021, "1.3"
    )  # spaced as the text spaces it
    assert "2020年合作企业接收学生实习比例78%，2021年增加到82%" in section_markdown(data_2021, "4.2")
    assert "学校全称为“衢州市工程技术学校（衢州市技师学院）”" in section_markdown(data_2021, "1.1.1")
    assert "总经费为16699.0347元" in section_markdown(data_2021, "6.1")  # decimals and the unit as printed
    assert "学生理论学习满意度为 93.8%" in section_markdown(data_2021, "2.2")
    # a corrected figure corrects the sentence, in every section that prints it (1.3.3 and 3.4.6)
    facts = data_copy / "2021" / "facts.csv"
    facts.write_text(
        facts.read_text(encoding="utf-8").replace(
            "papers_published,教师公开发表论文,34,", "papers_published,教师公开发表论文,35,"
        ),
        encoding="utf-8",
    )
    fixed = load_year(2021, data_copy)
    for section in ("1.3.3", "3.4.6"):
        assert "教师论文公开发表 35 篇" in section_markdown(fixed, section)


# ---- references and their checks ---------------------------------------------------------------------
def test_reference_grammar():
    assert parse_reference("students_total").kind == "fact"
    assert parse_reference("students_total|value").form == "value"
    ref = parse_reference("satisfaction.rate[在校生, 生活满意度]")
    assert (ref.kind, ref.name, ref.field, ref.key) == (
        "table",
        "satisfaction",
        "rate",
        ("在校生", "生活满意度"),
    )
    assert parse_reference("previous.internship_partner_share").previous
    assert parse_reference("school.name").kind == "school"
    assert parse_reference("missing: 缺页").kind == "missing"
    assert parse_reference("students total").problem
    assert parse_reference("students_total|数值").problem


def _write_text(root: Path, name: str, edit) -> Path:
    path = root / "2021" / "text" / f"{name}.md"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_unknown_reference_names_file_line_and_column(data_copy):
    _write_text(
        data_copy,
        "ch01_school",
        lambda t: t.replace("在籍学生共{{students_total}}", "在籍学生共{{studnets_total}}"),
    )
    _write_text(
        data_copy,
        "ch02_students",
        lambda t: t + "\n错写{{certificate_holders|数值}}和{{satisfaction.rate[在校生]}}。\n",
    )
    report = read_year(2021, data_copy).report
    errors = [f for f in report.errors if f.check == "text_references"]
    first = next(f for f in errors if f.value == "{{studnets_total}}")
    line = next(
        i
        for i, text in enumerate((data_copy / "2021/text/ch01_school.md").read_text().split("\n"), 1)
        if "studnets_total" in text
    )
    assert first.file == "data/2021/text/ch01_school.md" or first.file.endswith("2021/text/ch01_school.md")
    assert first.line == line and first.column == str(text_column(data_copy, line, "{{studnets_total}}"))
    assert "未登记的数值代码" in str(first)
    values = {f.value for f in errors}
    assert {"{{certificate_holders|数值}}", "{{satisfaction.rate[在校生]}}"} <= values
    with pytest.raises(Exception, match="studnets_total"):
        load_year(2021, data_copy)  # render validates first: an unknown reference stops it


def text_column(root: Path, line: int, needle: str) -> int:
    return (root / "2021/text/ch01_school.md").read_text().split("\n")[line - 1].index(needle) + 1


def test_unpaired_braces_are_an_error(data_copy):
    _write_text(data_copy, "ch09_other", lambda t: t + "\n见{{students_total。\n")
    assert any("花括号没有配对" in f.message for f in read_year(2021, data_copy).report.errors)


def test_an_empty_previous_year_fact_warns_like_this_years(data_copy, capsys):
    """{{previous.…}} printing 【待补：上年…】 is listed by qz validate (and qz text) like a current-year one."""
    facts = data_copy / "2020" / "facts.csv"
    lines = [
        ln for ln in facts.read_text(encoding="utf-8").split("\n") if "internship_partner_share," not in ln
    ]
    facts.write_text("\n".join(lines), encoding="utf-8")
    assert "<strong>【待补：上年合作企业接收学生实习比例】</strong>" in section_markdown(
        load_year(2021, data_copy), "4.2"
    )
    cli.main(["validate", "--year", "2021", "--data-dir", str(data_copy)])
    out = capsys.readouterr().out
    line = next(ln for ln in out.split("\n") if "{{previous.internship_partner_share}}" in ln)
    assert "[WARN]" in line and "ch04_cooperation.md" in line and "上一年度未提供" in line
    assert "【待补：上年合作企业接收学生实习比例】" in line
    cli.main(["text", "--year", "2021", "--data-dir", str(data_copy)])
    assert "上一年度未提供" in capsys.readouterr().out
    # with the value there, no warning
    cli.main(["validate", "--year", "2021"])
    assert "{{previous." not in capsys.readouterr().out


def test_a_table_cell_keeps_the_decimals_as_typed(data_copy):
    table = data_copy / "2021" / "satisfaction.csv"
    table.write_text(
        table.read_text(encoding="utf-8").replace(
            "在校生,理论学习满意度,93.8,", "在校生,理论学习满意度,93.80,"
        ),
        encoding="utf-8",
    )
    text = section_markdown(load_year(2021, data_copy), "2.2")
    assert "学生理论学习满意度为 93.80%" in text  # the trailing zero as printed
    assert "专业实习满意度为 94.6%" in text


# ---- where a section's tables go -------------------------------------------------------------------
def test_a_tables_marker_splits_the_section_where_the_school_put_its_tables(data_2021):
    assert parse_reference("tables").kind == "tables"
    before, after = section_parts(data_2021, "1.2")
    assert before.endswith("2021年学生情况如下：") and after.startswith("学校教学资源向社会开放")
    assert "tables" not in before + after
    assert section_markdown(data_2021, "1.2") == before + "\n\n" + after
    before, after = section_parts(data_2021, "2.4.1")
    assert (
        before.endswith("各专业初次就业起薪：")
        and "【原文缺失】" in after
        and "力。发挥创业孵化平台" in after
    )
    assert section_parts(data_2021, "1.3")[1] is None  # no marker: the tables follow the whole text


def test_a_tables_marker_stands_alone_once_per_section(data_copy):
    _write_text(data_copy, "ch03_quality", lambda t: t.replace("具体如下：", "具体如下：{{tables}}"))
    _write_text(
        data_copy, "ch01_school", lambda t: t.replace("## 1.3 教师队伍", "{{tables}}\n\n## 1.3 教师队伍")
    )
    _write_text(data_copy, "preface", lambda t: t + "\n{{tables}}\n")
    report = read_year(2021, data_copy).report
    found = {
        (Path(f.file).name, f.level.value, f.message) for f in report.findings if f.value == "{{tables}}"
    }
    assert ("ch03_quality.md", "FAIL", "{{tables}} 应单独成行：它标出本节的表和图放在哪里") in found
    assert ("ch01_school.md", "FAIL", "同一节只能有一处 {{tables}}") in found
    assert ("preface.md", "WARN", "前言没有表格，{{tables}} 已忽略") in found
    assert len(found) == 3


def test_an_empty_fact_prints_a_placeholder_and_validate_warns(data_copy, capsys):
    facts = data_copy / "2021" / "facts.csv"
    lines = [
        ln for ln in facts.read_text(encoding="utf-8").split("\n") if not ln.startswith("students_total,")
    ]
    facts.write_text("\n".join(lines), encoding="utf-8")
    data = read_year(2021, data_copy)
    assert "在籍学生共<strong>【待补：在籍学生数】</strong>" in section_markdown(data, "1.2")
    warnings = [f for f in data.report.warnings if f.check == "text_references"]
    assert any(f.value == "{{students_total}}" and "【待补：在籍学生数】" in f.message for f in warnings)
    cli.main(["validate", "--year", "2021", "--data-dir", str(data_copy)])
    assert "【待补：在籍学生数】" in capsys.readouterr().out


def test_a_web_address_ends_where_it_ends(data_2021):
    """A bare address in Chinese text would be linked together with the characters after it."""
    assert "网址为：<http://zjqzgc.zjer.cn/>，地址为" in section_markdown(data_2021, "1.1.1")


def test_school_text_cannot_inject_html(data_2021):
    assert "&lt;script&gt;" in render_markdown("<script>alert(1)</script>", data_2021, None)


# ---- placement ----------------------------------------------------------------------------------------
def notebook_sections(stem: str) -> list[str]:
    nb = json.loads((NOTEBOOK_DIR / f"{stem}.ipynb").read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        found += re.findall(r'show_section\(data, "([\d.]+)"', "".join(cell["source"]))
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.notebook)
def test_each_outline_section_is_placed_once_in_order(chapter):
    assert notebook_sections(chapter.notebook) == chapter.section_ids()


def test_no_text_is_left_unplaced(data_2021):
    for chapter in CHAPTERS:
        placed = notebook_sections(chapter.notebook)
        tf = data_2021.text.chapter(chapter.notebook)
        for s in tf.sections:
            assert s.home in placed, (chapter.notebook, s.heading)
        shown = "\n".join(section_markdown(data_2021, sid) or "" for sid in placed)
        whole = "\n".join((s.heading or "") + "\n" + render_markdown(s.body, data_2021) for s in tf.sections)
        assert normal(shown) == normal(whole)


def test_a_section_the_school_adds_flows_with_the_one_before(data_copy):
    _write_text(
        data_copy,
        "ch01_school",
        lambda t: t.replace(
            "## 1.2 学生情况",
            "### 1.1.5 学校自加的一节\n\n自加的文字。\n\n#### 没有编号的标题\n\n也随前一节。\n\n## 1.2 学生情况",
        ),
    )
    data = load_year(2021, data_copy)
    markdown = section_markdown(data, "1.1.4")
    assert "1.1.5 学校自加的一节" in markdown and "也随前一节。" in markdown
    assert "自加的文字" not in section_markdown(data, "1.2")
    assert any("提纲中没有这一节" in f.message for f in data.report.of(Level.INFO))


def test_a_year_without_text_shows_the_outline_headings(data_copy, monkeypatch):
    shutil.rmtree(data_copy / "2021" / "text")
    data = load_year(2021, data_copy)
    assert data.text is None and any(f.check == "text" for f in data.report.of(Level.INFO))
    shown = _capture(monkeypatch)
    from qzanalysis.report.text import show_section

    show_section(data, "1.1.3")
    assert shown[0][0] == "### 1.1.3 校园面积" and shown[0][1] == {"qz": {"section": "1.1.3"}}


def _capture(monkeypatch) -> list:
    import IPython.display

    shown: list = []
    monkeypatch.setattr(
        IPython.display,
        "display",
        lambda obj, metadata=None, **kw: shown.append((getattr(obj, "data", obj), metadata)),
    )
    return shown


# ---- notebooks hold no school prose -------------------------------------------------------------------
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.notebook)
def test_chapter_notebooks_hold_only_calls(chapter):
    nb = json.loads((NOTEBOOK_DIR / f"{chapter.notebook}.ipynb").read_text(encoding="utf-8"))
    assert not [
        c for c in nb["cells"] if c["cell_type"] == "markdown"
    ]  # the chapter heading comes from the text
    for cell in nb["cells"]:
        assert not CJK.search("".join(cell["source"])), "".join(cell["source"])


# Words only the 2021 school's report holds: its city, its name's parts, its partnership (新疆班) and its
# 智造 college. Chapter code, notebooks and templates hold what every school shares.
ONE_SCHOOL_WORDS = ("新疆", "衢州", "智造", "工程技术学校")


def test_no_school_name_in_code_notebooks_or_templates():
    profile = load_year(2021).profile
    names = {profile.name, profile.short_name, "衢州市技师学院", profile.address, profile.website}
    names |= set(ONE_SCHOOL_WORDS)
    places = [
        PACKAGE_DIR.rglob("*.py"),
        PACKAGE_DIR.rglob("*.j2"),
        PACKAGE_DIR.rglob("*.css"),
        PACKAGE_DIR.rglob("*.yaml"),  # the metadata: outline, indicators, standards, schemas
        NOTEBOOK_DIR.rglob("*.ipynb"),  # the chapters and the area report's notebooks
    ]
    offending = [
        (str(path), name)
        for files in places
        for path in files
        for name in names
        if name and name in path.read_text(encoding="utf-8")
    ]
    assert not offending


# One-off events of 2021 that the old notebooks and chapter modules printed as if every year had them.
EVENTS_2021 = [
    "智造学院",
    "签约成立",
    "钉钉",
    "乌什县",
    "保山",
    "万通",
    "百名教师进千企",
    "智能交通公共实训基地",
    "新疆内职班",
]


def test_chapter_code_tells_no_events_of_one_year():
    code = "".join(p.read_text(encoding="utf-8") for p in (PACKAGE_DIR / "report").rglob("*.py"))
    assert [e for e in EVENTS_2021 if e in code] == []


# ---- voices: what the publication edition shows --------------------------------------------------------
def run_chapter(stem: str, data, prev, monkeypatch) -> list[tuple[str, bool]]:
    """Run a chapter notebook's cells in this process; (text, in the publication edition?) of every output.

    The publication edition drops outputs whose display metadata lists editions without "publication"
    (the contract of qzanalysis.report.narrative); a figure is shown by its titles and labels."""
    import IPython.display
    from matplotlib.figure import Figure

    from qzanalysis.report import text as report_text
    from qzanalysis.report.narrative import ReviewOnly

    out: list[tuple[str, bool]] = []

    def publication(metadata) -> bool:
        editions = ((metadata or {}).get("qz") or {}).get("editions")
        return editions is None or "publication" in editions

    monkeypatch.setattr(
        IPython.display,
        "display",
        lambda obj, metadata=None, **kw: out.append((str(getattr(obj, "data", obj)), publication(metadata))),
    )
    nb = json.loads((NOTEBOOK_DIR / f"{stem}.ipynb").read_text(encoding="utf-8"))
    namespace = {
        "data": data,
        "prev": prev,
        "show_section": report_text.show_section,
        "show_preface": report_text.show_preface,
    }
    for cell in nb["cells"][2:]:
        source = "".join(cell["source"])
        module = source.split(".")[0]
        if module.startswith("ch"):
            namespace[module] = __import__(f"qzanalysis.report.chapters.{module}", fromlist=["x"])
        result = eval(compile(source, stem, "eval"), namespace)
        fig, public = (result.obj, False) if isinstance(result, ReviewOnly) else (result, True)
        if isinstance(fig, Figure):
            texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
            out.append((" ".join(texts), public))
    return out


AUDIT_WORDS = re.compile(
    r"核对|重算|重新计算|不一致|报告印|报告值|计算值|发布前应更正|\.csv|\.yaml|\.md\b|data/|qzanalysis|[a-z]+_[a-z_]+"
)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.notebook)
def test_publication_speaks_in_the_school_s_voice(chapter, data_2021, monkeypatch):
    from qzanalysis.core.years import previous_year

    shown = run_chapter(chapter.notebook, data_2021, previous_year(data_2021), monkeypatch)
    public = [text for text, pub in shown if pub]
    offending = [
        (m.group(0), text[:80])
        for text in public
        if (m := AUDIT_WORDS.search(re.sub(r"<style.*?</style>|qz-[0-9a-f]+", "", text)))
    ]
    assert not offending
    assert any(not pub for _, pub in shown) or chapter.number in (7,)  # the audit is still there, for review


def test_review_still_shows_everything_the_audit_finds(data_2021, monkeypatch):
    from qzanalysis.core.years import previous_year
    from qzanalysis.indicators.audit import audit
    from qzanalysis.report.chapters import ch08_problems

    prev = previous_year(data_2021)
    review = " ".join(text for text, _ in run_chapter("ch08_problems", data_2021, prev, monkeypatch))
    for items in ch08_problems.problem_groups(data_2021, prev).values():
        for item in items:
            assert esc_free(item) in esc_free(review)
    table = audit(data_2021, prev)
    assert len(table[table["结论"] == "不一致"]) == len(
        ch08_problems.problem_groups(data_2021, prev)["报告数据不一致"]
    )
    # the chapters' own checks stay in the review edition
    everything = " ".join(
        t
        for stem in ("ch01_school", "ch04_cooperation")
        for t, _ in run_chapter(stem, data_2021, prev, monkeypatch)
    )
    for phrase in ("报告印 2.58 倍", "重算为 2.68 倍", "16.67%", "核对结果"):
        assert phrase in everything


def esc_free(text: str) -> str:
    import html

    text = html.unescape(html.unescape(text))
    return re.sub(r"\s+", "", text)


# ---- a new year: the text as a draft ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def year_2022(tmp_path_factory):
    """2020 and 2021 copied, `new-year 2022` (text copied as a draft), the SYNTHETIC 2022 data imported."""
    from qzanalysis.tools.yearly import import_workbook, new_year
    from qzanalysis.tools.yearly.template import workbook_path
    from tests.test_yearly import SYNTHETIC, fill_workbook

    top = tmp_path_factory.mktemp("draft")
    root = top / "data"
    for year in ("2020", "2021"):
        shutil.copytree(DEFAULT_DATA_DIR / year, root / year)
    new_year(2022, root)
    book = fill_workbook(workbook_path(2022, root), SYNTHETIC, top / "filled.xlsx")
    result = import_workbook(book, 2022, root)
    assert result.written, result.report.format()
    return root


@pytest.fixture
def root_2022(year_2022, tmp_path) -> Path:
    shutil.copytree(year_2022, tmp_path / "data")
    return tmp_path / "data"


def test_new_year_copies_the_text_as_a_draft(root_2022):
    data = load_year(2022, root_2022)
    assert set(data.text.files) == {PREFACE, *(c.notebook for c in CHAPTERS)}
    assert all(tf.draft and tf.copied_from == 2021 for tf in data.text.files.values())
    drafts = [f for f in data.report.warnings if f.check == "text" and "尚未修订" in f.message]
    assert len(drafts) == len(data.text.files)
    for chapter in CHAPTERS:  # every page rendered from the draft shows the banner
        assert "**草稿**：本章文字沿用 2021 年度报告，尚未按 2022 年度修订" in section_markdown(
            data, chapter.id
        )
    assert "草稿" in preface_markdown(data)


def test_references_in_the_copy_print_the_new_year_s_values(root_2022):
    data = load_year(2022, root_2022)
    old = load_year(2021)
    assert data.fact("students_total") == old.fact("students_total")  # the fixture keeps the totals
    new_share = f"{data.fact('internship_partner_share'):g}%"
    assert f"2021年增加到{new_share}" in section_markdown(data, "4.2")  # 2022's value…
    assert "实习比例82%" in section_markdown(data, "4.2")  # …and, as “previous”, 2021's
    # facts the 2022 data left empty print placeholders, and qz validate lists them
    assert "占地面积<strong>【待补：校园占地面积】</strong>" in section_markdown(data, "1.1.3")
    assert "学校藏书 <strong>【待补：藏书】</strong>" in section_markdown(data, "1.4")
    warned = {f.value for f in data.report.warnings if f.check == "text_references"}
    assert {"{{land_area_mu}}", "{{books}}", "{{senior_title_teachers}}"} <= warned


def test_marking_a_chapter_revised_removes_its_banner(root_2022, capsys):
    assert (
        cli.main(["text", "--year", "2022", "--data-dir", str(root_2022), "--revised", "ch04_cooperation"])
        == 0
    )
    data = load_year(2022, root_2022)
    assert not data.text.chapter("ch04_cooperation").draft and data.text.chapter("ch05_contribution").draft
    assert "草稿" not in section_markdown(data, "4")
    assert "草稿" in section_markdown(data, "5")
    assert cli.main(["text", "--year", "2022", "--data-dir", str(root_2022)]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"ch04_cooperation\.md\s+定稿", listing) and re.search(
        r"ch05_contribution\.md\s+草稿", listing
    )


def test_a_2022_rerun_tells_2021_s_events_only_from_the_2022_text(root_2022, monkeypatch):
    data = load_year(2022, root_2022)
    from qzanalysis.core.years import previous_year

    prev = previous_year(data)
    generated = []
    for chapter in CHAPTERS:
        for text, _ in run_chapter(chapter.notebook, data, prev, monkeypatch):
            if not text.startswith(("#", "> **草稿**")):
                generated.append(text)
    # what the 2022 data themselves say (the synthetic tables and facts descend from 2021's) may be shown
    said = " ".join(p.read_text(encoding="utf-8") for p in (root_2022 / "2022").glob("*.csv"))
    said += " ".join(spec.label for spec in data.catalogue.facts.values())
    events = [e for e in EVENTS_2021 if e not in said]
    assert {"智造学院", "钉钉", "乌什县", "万通"} <= set(events)
    assert [e for e in events if e in " ".join(generated)] == []
    # the draft text still tells 2021's story; once the school rewrites it, nothing of it is left
    assert "智造学院" in section_markdown(data, "4.3")
    path = root_2022 / "2022" / "text" / "ch04_cooperation.md"
    path.write_text(
        "# 第四章 校企合作\n\n## 4.1 校企合作开展情况和效果\n\n## 4.2 学生实习情况\n\n## 4.3 集团化办学情况\n\n本年度继续深化集团化办学。\n",
        encoding="utf-8",
    )
    revised = load_year(2022, root_2022)
    shown = " ".join(t for t, _ in run_chapter("ch04_cooperation", revised, prev, monkeypatch))
    assert "智造学院" not in shown and "本年度继续深化集团化办学。" in shown and "草稿" not in shown


def test_a_new_year_renders_with_draft_banner_and_placeholders(root_2022, tmp_path):
    from qzanalysis.tools.render import render_year

    result = render_year(
        2022, data_dir=root_2022, out_dir=tmp_path / "reports", chapters=["ch01"], jobs=1, log=lambda m: None
    )
    assert result.ok, [c.error for c in result.chapters]
    page = (tmp_path / "reports" / "2022" / "ch01_school.html").read_text(encoding="utf-8")
    assert "草稿" in page and "<strong>【待补：校园占地面积】</strong>" in page and "Traceback" not in page
    assert "**" not in page  # every mark of ours is rendered, none shows as literal asterisks


# ---- the section index ---------------------------------------------------------------------------------
def test_section_index_is_current_and_complete():
    from qzanalysis.tools.section_index import DOC_PATH, render_section_index

    text = render_section_index()
    assert DOC_PATH.read_text(encoding="utf-8") == text, "run `qz docs` and commit"
    for chapter in CHAPTERS:
        for section in chapter.sections:
            assert f"| {section.heading} |" in text
    row = next(line for line in text.splitlines() if line.startswith("| 3.2.7 实训基地 |"))
    assert "`ch03_quality.narrative_workstations`" in row and "`training_rooms`" in row and "有（" in row
    assert "`ch03_quality.figure_section_facts`" in row and "`ch03_quality.table_section_facts`" in row
    assert "| 3.2.9 教材选用 | 第" in text and "无数据" in next(
        line for line in text.splitlines() if line.startswith("| 3.2.9 教材选用 |")
    )
    assert "无文字（只有标题）" in next(
        line for line in text.splitlines() if line.startswith("| 2.1.2 文化课合格率 |")
    )


def test_section_index_points_to_files_and_lines():
    """Every file:line the index gives lands on the thing named (a function's def, an entry's id, a heading)."""
    from qzanalysis.core.paths import PACKAGE_DIR, REPO_ROOT
    from qzanalysis.tools.section_index import render_section_index

    text = render_section_index()
    rows = text.splitlines()

    def line_of(path, number: str) -> str:
        return path.read_text(encoding="utf-8").splitlines()[int(number) - 1]

    table_row = next(r for r in rows if r.startswith("| `skill_pass_rates` |"))
    assert (
        "`qzanalysis/metadata/schemas/skill_pass_rates.yaml`" in table_row
        and "`data/2021/skill_pass_rates.csv`" in table_row
    )
    for name, path, number in re.findall(
        r"`ch02_students\.(\w+)`（(qzanalysis/report/chapters/[\w/]+\.py):(\d+)；", table_row
    ):
        assert line_of(REPO_ROOT / path, number).startswith(f"def {name}(")
    assert "figure_skill_pass_rates" in table_row
    ratio = next(r for r in rows if r.startswith("| `student_teacher_ratio` | 生师比 | 1.3 |"))
    number = re.search(r"`qzanalysis/metadata/indicators\.yaml:(\d+)`", ratio).group(1)
    assert (
        line_of(PACKAGE_DIR / "metadata" / "indicators.yaml", number).strip() == "- id: student_teacher_ratio"
    )
    assert "`ch01_school.figure_teacher_ratios`" in ratio  # named through the module's TEACHER_RATIOS list
    standard = next(r for r in rows if r.startswith("| `building_area_per_student` | 生均校舍建筑面积 |"))
    number = re.search(r"`qzanalysis/metadata/standards\.yaml:(\d+)`", standard).group(1)
    assert (
        line_of(PACKAGE_DIR / "metadata" / "standards.yaml", number).strip()
        == "- id: building_area_per_student"
    )
    assert ">= 20 平方米" in standard and "until" in text  # the threshold, and how to change it
    section = next(r for r in rows if r.startswith("| 3.5.4 社团活动 |"))
    first, last = map(int, re.search(r"第 (\d+)–(\d+) 格", section).groups())
    assert all(
        first <= int(n) <= last for n in re.findall(r"，第 (\d+) 格）", section)
    )  # a shared function's cell here
    number = re.search(r"`data/2021/text/ch03_quality\.md:(\d+)`", section).group(1)
    assert line_of(REPO_ROOT / "data" / "2021" / "text" / "ch03_quality.md", number) == "### 3.5.4 社团活动"
