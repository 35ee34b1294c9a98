"""The school's own words in the notebooks: one outline section's text at a time, with its references
printed from the data (grammar and checks: qzanalysis.core.text).

A chapter notebook calls ``show_section(data, "1")`` for the chapter heading and any lead text, then
``show_section(data, "1.1")``, ``show_section(data, "1.1.1")`` … in outline order, each followed by that
section's tables and figures. Sections the school added (not in the outline) are shown with the one before.

Where the school's text marks the place of the section's tables with a ``{{tables}}`` line, the text after
it is displayed as a second output with display metadata ``{"qz": {"section": id, "part": "after-tables"}}``;
the publication and review editions move it after the section's last table or figure
(qzanalysis.tools.render.document), and the notebook keeps one call per cell.

What leaders read is the school's text as written. Only what the data lack is marked: a fact left empty
prints as 【待补：…】, a passage the source lost as 【原文缺失】, and a chapter still copied from last year
carries a 草稿 banner. Notes for the quality office (a section missing from this year's text) are review-only.
"""

from __future__ import annotations

import html
import re

from qzanalysis.core import outline
from qzanalysis.core.profile import WEBSITE
from qzanalysis.core.text import (
    _REFERENCE,
    PREFACE,
    TABLES,
    TABLES_LINE,
    TextFile,
    parse_reference,
    placeholder,
    resolve,
    split_at_tables,
    unknown_reason,
)
from qzanalysis.report.narrative import REVIEW_ONLY

_UNSET = object()
_MARKER_PARAGRAPH = re.compile(r"^\s*\{\{\s*missing\s*[:：].*\}\}\s*$", re.S)


def _escape(text: str) -> str:
    """The school's Markdown may not carry HTML: tags show as text (Markdown syntax stays)."""
    return html.escape(text, quote=False)


def _previous(data, prev):
    if prev is not _UNSET:
        return prev
    from qzanalysis.core.years import previous_year

    return previous_year(data)


def _strong(text: str) -> str:
    # HTML, not **…**: CommonMark does not open or close emphasis between a CJK character and 【】
    return f"<strong>{_escape(text)}</strong>"


def _render_reference(ref, data, prev, spaced: bool = False) -> str:
    if ref.kind == TABLES:  # a place marker, not text (see show_section)
        return ""
    if ref.kind == "missing":
        return _strong(f"【原文缺失：{ref.name}】")
    reason = unknown_reason(ref, data)
    if reason:  # qz validate reports it as an error; render never gets here with strict loading
        return _strong(placeholder(ref.raw))
    resolved = resolve(ref, data, prev, spaced)
    if resolved.text is None:
        return _strong(placeholder(resolved.label))
    if WEBSITE.match(resolved.text):
        # an explicit autolink: a bare address in Chinese text would swallow the characters after it
        return f"<{resolved.text}>"
    return _escape(resolved.text)


def render_markdown(markdown: str, data, prev=_UNSET) -> str:
    """The Markdown of a text passage with its references printed from `data` (and the previous year's data
    for ``previous.`` references; loaded when not given). A paragraph that is only a missing-text marker
    becomes a visible note."""
    needs_previous = "previous." in markdown
    prev = _previous(data, prev) if needs_previous else (None if prev is _UNSET else prev)
    paragraphs = re.split(r"(\n\s*\n)", markdown)
    out = []
    for part in paragraphs:
        if TABLES_LINE.fullmatch(part.strip()):
            continue
        if _MARKER_PARAGRAPH.match(part):
            note = parse_reference(part.strip()[2:-2]).name
            out.append(f"> <strong>【原文缺失】</strong>{_escape(note)}")
            continue
        out.append(_render_part(part, data, prev))
    return "".join(out)


def _render_part(part: str, data, prev) -> str:
    """Escape the text and print the references (substitute would escape nothing around them)."""
    out, last = [], 0
    for m in _REFERENCE.finditer(part):
        out.append(_escape(part[last : m.start()]))
        spaced = part[m.start() - 1 : m.start()] == " "
        out.append(_render_reference(parse_reference(m.group(1)), data, prev, spaced))
        last = m.end()
    out.append(_escape(part[last:]))
    return "".join(out)


def _file_for(data, name: str) -> TextFile | None:
    return data.text.files.get(name) if getattr(data, "text", None) is not None else None


def draft_banner(data, tf: TextFile, what: str = "本章文字") -> str:
    origin = f"沿用 {tf.copied_from} 年度报告，" if tf.copied_from else ""
    return f"> **草稿**：{what}{origin}尚未按 {data.year} 年度修订。"


AFTER_TABLES = "after-tables"  # display metadata qz.part of the text that follows a section's tables


def _display(markdown: str, section_id: str, review_only: bool = False, part: str | None = None) -> None:
    from IPython.display import Markdown, display

    meta: dict[str, dict[str, object]] = {"qz": {"section": section_id}}
    if part:
        meta["qz"]["part"] = part
    if review_only:
        meta["qz"].update(REVIEW_ONLY["qz"])
    display(Markdown(markdown), metadata=meta)


def section_parts(data, section_id: str, prev=_UNSET) -> tuple[str | None, str | None]:
    """(before, after): the publication Markdown of one outline section split at its ``{{tables}}`` line:
    the heading and text up to the marker, and the text after it (None without a marker). See
    section_markdown for what a section holds; (None, None) when this year's text lacks the section."""
    chapter = outline.chapter_of(section_id)
    tf = _file_for(data, chapter.notebook)
    if tf is None:
        return None, None
    before: list[str] = []
    after: list[str] | None = None
    if section_id == chapter.id and tf.draft:
        before.append(draft_banner(data, tf))
    placed = tf.placed(section_id)
    if not placed:
        return (None if section_id != chapter.id else ("\n\n".join(before) or None)), None
    for s in placed:
        parts = before if after is None else after
        if s.heading is not None:
            parts.append(_escape(s.heading))
        head, tail = split_at_tables(s.body) if after is None else (s.body, None)
        if head.strip():
            parts.append(render_markdown(head, data, prev))
        if tail is not None:
            after = [render_markdown(tail, data, prev)] if tail.strip() else []
    return "\n\n".join(before), (None if after is None else "\n\n".join(after) or None)


def section_markdown(data, section_id: str, prev=_UNSET) -> str | None:
    """The publication Markdown of one outline section: its heading and text, plus the text of the school's
    own sections that follow it; the chapter's heading and lead text (with a 草稿 banner for a draft) for a
    chapter's own id. None when this year's text lacks the section. A ``{{tables}}`` line is left out (see
    section_parts for the text on either side of it)."""
    before, after = section_parts(data, section_id, prev)
    if before is None:
        return None
    return before + ("\n\n" + after if after else "")


def show_section(data, section_id: str, prev=_UNSET) -> None:
    """Display one outline section's text (see section_markdown). When this year's text lacks it, the
    outline's heading stands in, and the review edition says the text is missing. Text after a
    ``{{tables}}`` line is a second output tagged ``qz.part = "after-tables"`` (see the module docstring).
    The year's own tables of the section (declared in its catalogue.yaml or the workbook's 本校自定义数据表)
    follow the text, as the first of the section's tables: a school adds a table without editing a notebook."""
    before, after = section_parts(data, section_id, prev)
    if before is not None:
        if before:
            _display(before, section_id)
        show_own_tables(data, section_id)
        if after:
            _display(after, section_id, part=AFTER_TABLES)
        return
    chapter = outline.chapter_of(section_id)
    sec = outline.section(section_id)
    heading = chapter.title if section_id == chapter.id else sec.heading
    _display("#" * sec.depth + " " + _escape(heading), section_id)
    where = f"data/{data.year}/text/{chapter.notebook}.md"
    if _file_for(data, chapter.notebook) is None:
        note = f"本年度没有这一章的文字（{where}）。"
    else:
        note = f"本年度文字中没有这一节（{where}）。"
    if section_id == chapter.id or _file_for(data, chapter.notebook) is not None:
        _display(f"> 【待补】{_escape(note)}", section_id, review_only=True)
    show_own_tables(data, section_id)


def show_own_tables(data, section_id: str) -> list[str]:
    """Show the tables that this year declares itself (not the built-in schemas, which chapter functions
    place) for `section_id`, each as its declaration says (see chapters.common.show_data_table). Returns
    their names, in the order declared."""
    from qzanalysis.core.catalog import table_specs
    from qzanalysis.report.chapters.common import show_data_table

    built_in = set(table_specs())
    own = [n for n, spec in data.catalogue.tables.items() if n not in built_in and spec.section == section_id]
    for name in own:
        show_data_table(data, name)
    return own


def preface_markdown(data, prev=_UNSET) -> str | None:
    """The preface (the paragraphs before 第一章) with its references printed; None when there is none."""
    tf = _file_for(data, PREFACE)
    if tf is None or not tf.body.strip():
        return None
    text = render_markdown(tf.body.strip("\n"), data, prev)
    return (draft_banner(data, tf, "这段文字") + "\n\n" + text) if tf.draft else text


def show_preface(data, prev=_UNSET) -> None:
    """Display the preface (display metadata ``{"qz": {"section": "preface"}}``)."""
    markdown = preface_markdown(data, prev)
    if markdown is not None:
        _display(markdown, "preface")


__all__ = [
    "AFTER_TABLES",
    "preface_markdown",
    "render_markdown",
    "section_markdown",
    "section_parts",
    "show_own_tables",
    "show_preface",
    "show_section",
]
