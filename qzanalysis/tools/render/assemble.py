"""The whole report as one self-contained HTML file per edition, assembled from the executed chapters.

A file holds: a cover (the school's name and the report's title from `data/<Y>/school.yaml`, the year), the
summary of headline indicators, a linked contents list, the preface (`data/<Y>/text/preface.md` when the year
has one, in the school's text), the chapters in outline order with numbered tables and figures, and a closing 数据说明 (data version,
when generated, program version). It links to no other file, loads nothing, and runs no script (`CSP`).

publication (发布版) — the outline's chapters 1–9 only, in the school's voice: no audit outputs, no file
                       names, codes, hashes or timings; the 数据说明 is in plain words.
review (审阅版)      — every chapter with the audit inline, and the appendices; build facts in 数据说明.
analysis (分析版)    — as review, with the code of each cell.

`chapter_page` renders one chapter alone, for analysts (the per-chapter pages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from markupsafe import Markup

from qzanalysis.tools.render.document import ChapterHTML, chapter_html, code_css, markdown_html
from qzanalysis.tools.render.project import TEMPLATES_DIR
from qzanalysis.tools.render.sanitize import CSP

EDITION_NAMES = {"publication": "发布版", "review": "审阅版", "analysis": "分析版"}
EDITION_FILES = {"publication": "publication.html", "review": "review.html", "analysis": "analysis.html"}
BADGES = {
    "publication": "",
    "review": "审阅版：含数据核查，供学校质量办公室发布前审阅，不对外发布",
    "analysis": "分析版：含生成每个数字和图表的代码，供分析人员核对",
}


@dataclass
class ChapterSource:
    """An executed chapter notebook and where it sits in the outline."""

    name: str  # notebook stem
    title: str
    nb: dict
    number: int | None = None  # 1–9; None for an appendix or an undeclared notebook
    editions: tuple[str, ...] = ("publication", "review", "analysis")

    @property
    def anchor(self) -> str:
        return f"ch{self.number}" if self.number is not None else self.name.replace("_", "-")

    def label(self, index: int) -> str:
        """What numbers its tables and figures: the chapter number, or 附{index} for an appendix."""
        return str(self.number) if self.number is not None else f"附{index}"


@dataclass
class Provenance:
    """Facts for the closing 数据说明 and the footer."""

    year: int
    school: str
    data_version: str
    program_version: str
    generated_at: str  # "2026-11-29 17:00:00"
    commit: str | None = None
    data_source: str | None = None  # the manifest's `source` line (review edition only)
    failed: list[str] = field(default_factory=list)  # chapters whose last render failed


@cache
def _environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR / "qz")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=False,
    )


def _css(edition: str) -> str:
    css = (TEMPLATES_DIR / "qz" / "report.css").read_text(encoding="utf-8")
    if edition == "analysis":
        css += "\n" + (TEMPLATES_DIR / "qz" / "analysis.css").read_text(encoding="utf-8") + "\n" + code_css()
    return css


def _date_text(stamp: str) -> str:
    year, month, day = stamp[:10].split("-")
    return f"{int(year)} 年 {int(month)} 月 {int(day)} 日"


def preface_html(data, prev=None) -> str:
    """The year's preface (the school's text, `qzanalysis.report.text.preface_markdown`), as HTML; empty when
    the year has none."""
    if data is None:
        return ""
    from qzanalysis.report.text import preface_markdown

    markdown = preface_markdown(data, prev)
    return markdown_html(markdown) if markdown else ""


def _notes(edition: str, prov: Provenance) -> tuple[list[str], list[tuple[str, str]]]:
    """(paragraphs, label/value rows) of 数据说明."""
    paragraphs = [
        f"本报告的数字、表格和图均由学校 {prov.year} 年度数据生成；引用上一年度的数字取自上一年度的数据。",
        "数据版本号随数据而定：数据有任何改动，版本号就会改变。两份报告的版本号相同，所依据的数据就相同。",
    ]
    rows = [
        ("报告年度", f"{prov.year} 年"),
        ("数据版本号", prov.data_version),
        ("生成时间", prov.generated_at[:16]),
        ("生成程序", f"qzanalysis {prov.program_version}"),
    ]
    if edition != "publication":
        rows.append(("代码提交", prov.commit or "未知"))
        if prov.data_source:
            rows.append(("数据来源", prov.data_source))
        if prov.failed:
            rows.append(("生成失败的章节", "、".join(prov.failed) + "（显示的是上次成功生成的内容）"))
    return paragraphs, rows


def _toc(entries: list[tuple[str, str]], chapters: list[tuple[ChapterSource, ChapterHTML]]) -> list[dict]:
    toc = [{"level": 1, "text": text, "anchor": anchor, "children": []} for anchor, text in entries]
    for source, rendered in chapters:
        sections = [h for h in rendered.headings if h.level == 2]
        toc.append(
            {
                "level": 1,
                "text": source.title,
                "anchor": source.anchor,
                "children": [{"text": h.text, "anchor": h.anchor} for h in sections],
            }
        )
    return toc


def report_html(
    edition: str,
    chapters: list[ChapterSource],
    prov: Provenance,
    *,
    data=None,
    prev=None,
) -> str:
    """The whole report for `edition` as one HTML page. `data`/`prev` (YearData) feed the cover, summary
    and preface; without `data` those parts are left out."""
    from qzanalysis.report.summary import summary_html

    preface = Markup(preface_html(data, prev)) if data is not None else ""
    # The chapter that shows the preface on its own page leaves it to the report's preface section.
    skip = ("preface",) if preface else ()
    included = [c for c in chapters if edition in c.editions]
    rendered = []
    appendix = 0
    for source in included:
        appendix += source.number is None
        body = chapter_html(source.nb, edition, source.label(appendix), source.anchor, skip)
        rendered.append((source, body))
    profile = getattr(data, "profile", None)
    title = profile.title(prov.year) if profile is not None else f"{prov.year} 年度中等职业教育质量报告"
    page_title = f"{prov.school} {title}"
    if edition != "publication":
        page_title += f"（{EDITION_NAMES[edition]}）"
    summary = Markup(summary_html(data, prev, edition)) if data is not None else ""
    front = [("summary", "主要指标一览")] if summary else []
    if preface:
        front.append(("preface", "前言"))
    toc = _toc(front, rendered) + [{"level": 1, "text": "数据说明", "anchor": "data-notes", "children": []}]
    paragraphs, notes = _notes(edition, prov)
    banner = ""
    if prov.failed and edition != "publication":
        banner = f"有 {len(prov.failed)} 个章节本次生成失败：{'、'.join(prov.failed)}。显示的是上次成功生成的内容。"
    return (
        _environment()
        .get_template("page.html.j2")
        .render(
            csp=Markup(CSP),
            program_version=prov.program_version,
            page_title=page_title,
            css=Markup(_css(edition)),
            edition=edition,
            nav=None,
            cover={
                "school": prov.school,
                "title": title,
                "badge": BADGES[edition],
                "date": _date_text(prov.generated_at),
            },
            banner=banner,
            summary=summary,
            summary_note=_summary_note(edition, prev),
            toc=toc,
            preface=preface,
            chapters=[
                {"anchor": s.anchor, "html": Markup(r.html), "appendix": s.number is None}
                for s, r in rendered
            ],
            notes=notes,
            notes_text=paragraphs,
            footer=f"{prov.school} · {title}",
        )
    )


def _summary_note(edition: str, prev) -> str:
    note = (
        "箭头表示与上年相比的升降；绿色为向好，红色为变差，灰色为无好坏之分或持平。国家标准取自相关设置标准。"
    )
    if prev is None:
        note = "本年度没有上一年度的数据可比。" + note
    if edition != "publication":
        note += "报告值为学校报告所印，计算值由原始数据按指标定义重算。"
    return note


def chapter_page(
    edition: str, source: ChapterSource, prov: Provenance, nav: list[tuple[str, str]], index: int = 1
) -> str:
    """One chapter alone (for analysts): its title and the school's name in the page title."""
    rendered = chapter_html(source.nb, edition, source.label(index), source.anchor)
    name = EDITION_NAMES[edition]
    return (
        _environment()
        .get_template("page.html.j2")
        .render(
            csp=Markup(CSP),
            program_version=prov.program_version,
            page_title=f"{source.title} · {prov.school} {prov.year} 年（{name}）",
            css=Markup(_css(edition)),
            edition=edition,
            nav=nav,
            cover=None,
            banner="",
            summary="",
            toc=None,
            preface="",
            chapters=[
                {"anchor": source.anchor, "html": Markup(rendered.html), "appendix": source.number is None}
            ],
            notes=None,
            notes_text=[],
            footer=(
                f"{prov.school} {prov.year} 年质量年度报告 · {name} · 数据版本 {prov.data_version}"
                f" · qzanalysis {prov.program_version} · 提交 {prov.commit or '未知'} · 生成于 {prov.generated_at}"
            ),
        )
    )


__all__ = [
    "BADGES",
    "EDITION_FILES",
    "EDITION_NAMES",
    "ChapterSource",
    "Provenance",
    "chapter_page",
    "preface_html",
    "report_html",
]
