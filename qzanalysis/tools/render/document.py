"""One executed chapter notebook as an HTML fragment for one edition, with numbered tables and figures.

Editions (see `qzanalysis.report.narrative.EDITIONS`):

publication — the school's report: no code, no parameters, no stdout/stderr, no errors, and no output or cell
              whose display metadata ``qz.editions`` leaves the publication out (the audit's voice).
review      — the same with the audit's outputs, and printed output of cells.
analysis    — everything, with the code of every cell except those tagged ``remove-cell``.

The school's text after a section's ``{{tables}}`` line (an output tagged ``qz.part = "after-tables"``, see
`qzanalysis.report.text`) moves, in the publication and review editions, after the section's last table or
figure: it is held until the next section's text begins (or the chapter ends). The analysis edition keeps
the order in which cells ran, beside their code.

Every HTML or Markdown output passes `sanitize.clean`. Figures are embedded PNGs with the alt text and title
the chart helpers put into the output's metadata (``qz.figure``). Tables and figures are numbered per chapter
(表 2-3, 图 2-3) with a caption: the title, the unit when every value of the table shares one, and the
section they sit in.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache

from bs4 import BeautifulSoup

from qzanalysis.tools.render.params import INJECTED_TAG, PARAMETERS_TAG
from qzanalysis.tools.render.sanitize import clean

EDITIONS = ("publication", "review", "analysis")
REMOVE_CELL = "remove-cell"
REMOVE_INPUT = "remove-input"
REMOVE_OUTPUT = "remove-output"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_SECTION_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*)\s")
# "（人）", "（万元）", "（%）" at the end of a column title (only units the catalogue declares count, so
# "技师（预备技师）" names no unit). A cell is a value when it is a number, a ratio "x:1", or a number with a
# word after it (its unit: "956 人", "+1.13 个百分点").
_HEADER_UNIT = re.compile(r"（([^（）\d]{1,5})）\s*$")
_NUMBER_CELL = re.compile(r"^[−+\-±]?[\d,]+(?:\.\d+)?$")
_RATIO_CELL = re.compile(r"^[−+\-±]?[\d,]+(?:\.\d+)?\s*[:：]\s*1$")
_SUFFIXED_CELL = re.compile(r"^[−+\-±]?[\d,]+(?:\.\d+)?\s*([^\d\s:：,.][^\d]{0,5})$")


@cache
def known_units() -> frozenset[str]:
    """Every unit the built-in catalogue declares for a fact or a table column, and %."""
    from qzanalysis.core.catalog import fact_specs, table_specs

    units: set[str | None] = {spec.unit for spec in fact_specs().values()}
    units |= {f.unit for spec in table_specs().values() for f in spec.fields}
    return frozenset(u for u in units if u and u != ":1") | {"%"}


@dataclass
class Heading:
    level: int  # 1 for the chapter, 2 for its sections, ...
    text: str
    anchor: str


@dataclass
class ChapterHTML:
    """A rendered chapter: the HTML fragment and its headings (for the contents)."""

    html: str
    headings: list[Heading] = field(default_factory=list)
    tables: int = 0
    figures: int = 0


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _in_edition(metadata: dict | None, edition: str) -> bool:
    editions = ((metadata or {}).get("qz") or {}).get("editions")
    return editions is None or edition in editions


@cache
def _markdown():
    import mistune

    return mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])


def markdown_html(text: str) -> str:
    """Markdown to sanitized HTML."""
    return clean(_markdown()(text))


@cache
def _code_formatter():
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(cssclass="qz-code", nowrap=False)


def code_css() -> str:
    return _code_formatter().get_style_defs(".qz-code")


def _code_html(source: str) -> str:
    from pygments import highlight
    from pygments.lexers import PythonLexer

    return highlight(source, PythonLexer(), _code_formatter())


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _figure_html(output, mime: str) -> str:
    info = ((output.get("metadata") or {}).get("qz") or {}).get("figure") or {}
    title = info.get("title") or ""
    alt = info.get("alt") or title
    data = _text(output["data"][mime]).replace("\n", "")
    if mime == "image/svg+xml":
        import base64

        data = base64.b64encode(data.encode("utf-8")).decode("ascii")
    return (
        f'<figure class="qz-figure" data-title="{html.escape(title)}">'
        f'<img src="data:{mime};base64,{data}" alt="{html.escape(alt)}"></figure>'
    )


def _qz(output) -> dict:
    return ((output.get("metadata") or {}).get("qz")) or {}


def _section(output) -> str | None:
    return _qz(output).get("section")


AFTER_TABLES = "after-tables"  # qz.part of the text that follows a section's tables (report.text)


def _output_html(output, edition: str) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name")
        if edition == "analysis" or (edition == "review" and name == "stdout"):
            text = html.escape(_ANSI.sub("", _text(output.get("text"))))
            return f'<pre class="qz-stream qz-{html.escape(str(name))}">{text}</pre>'
        return ""
    if kind == "error":
        if edition == "publication":
            return ""
        text = f"{output.get('ename', '')}: {_ANSI.sub('', str(output.get('evalue', '')))}"
        if edition == "analysis":
            text = _ANSI.sub("", "\n".join(output.get("traceback") or [])) or text
        return f'<pre class="qz-error">{html.escape(text)}</pre>'
    if not _in_edition(output.get("metadata"), edition):
        return ""
    data = output.get("data") or {}
    for mime in ("image/png", "image/jpeg", "image/svg+xml"):
        if mime in data:
            return _figure_html(output, mime)
    if "text/html" in data:
        return f'<div class="qz-output">{clean(_text(data["text/html"]))}</div>'
    if "text/markdown" in data:
        return f'<div class="qz-output">{markdown_html(_text(data["text/markdown"]))}</div>'
    if "text/plain" in data and edition != "publication":
        return f'<pre class="qz-plain">{html.escape(_text(data["text/plain"]))}</pre>'
    return ""


def cells_html(nb, edition: str, skip_sections: tuple[str, ...] = ()) -> str:
    """The notebook's cells as raw (unnumbered) HTML for `edition`. Outputs whose display metadata
    ``qz.section`` is in `skip_sections` are left out (the report places the preface itself)."""
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; expected one of {EDITIONS}")
    parts: list[str] = []
    held: list[str] = []  # text after the current section's tables, placed when the section ends
    reorder = edition != "analysis"
    for cell in nb.get("cells", []):
        tags = _tags(cell)
        if REMOVE_CELL in tags or not _in_edition(cell.get("metadata"), edition):
            continue
        if edition != "analysis" and tags & {PARAMETERS_TAG, INJECTED_TAG}:
            continue
        kind = cell.get("cell_type")
        if kind == "markdown":
            parts.append(markdown_html(_text(cell.get("source"))))
        elif kind == "code":
            if edition == "analysis":
                parts.append(f'<div class="qz-input">{_code_html(_text(cell.get("source")))}</div>')
            if REMOVE_OUTPUT in tags and edition != "analysis":
                continue
            for out in cell.get("outputs", []):
                if skip_sections and _section(out) in skip_sections:
                    continue
                shown = _output_html(out, edition)
                if reorder and _section(out) is not None and _qz(out).get("part") != AFTER_TABLES:
                    parts += held  # a new section's text: the previous section has ended
                    held = []
                if reorder and _qz(out).get("part") == AFTER_TABLES:
                    held.append(shown)
                else:
                    parts.append(shown)
    parts += held
    return "\n".join(p for p in parts if p)


# ---- numbering, captions, anchors ------------------------------------------------------------------
def _header_units(table) -> list[str | None] | None:
    """The unit in each column title (“人数（人）” → 人, else None), or None when the header is not one plain
    row (several rows or merged titles: columns cannot be matched to cells)."""
    head = table.find("thead")
    rows = head.find_all("tr") if head else table.find_all("tr")[:1]
    if len(rows) != 1:
        return None
    cells = rows[0].find_all(["th", "td"])
    if any(int(c.get("colspan", 1)) > 1 for c in cells):
        return None
    units: list[str | None] = []
    for cell in cells:
        match = _HEADER_UNIT.search(cell.get_text(" ", strip=True))
        units.append(match.group(1) if match and match.group(1) in known_units() else None)
    return units


def _value_unit(text: str, column_unit: str | None) -> tuple[bool, str | None]:
    """(whether the cell is a value, its unit): the word typed after the number (“956 人”, “+1.13 个百分点”),
    “:1” of a ratio, else the column's unit. Words, labels such as “1.数控技术应用” and “—” are not values."""
    if _RATIO_CELL.match(text):
        return True, ":1"
    if _NUMBER_CELL.match(text):
        return True, column_unit
    match = _SUFFIXED_CELL.match(text)
    if match:
        return True, match.group(1)
    return False, None


def _units(table) -> list[str]:
    """The unit for the caption: [unit] when every value of the table shares it (typed in the cells or
    given by their column titles), else [] and the units stay in the rows and columns (a table of 生师比
    “15.1:1” beside percentages has no one unit)."""
    header = _header_units(table)
    head = table.find("thead")
    rows = [r for r in table.find_all("tr") if r.parent is not head] if head else table.find_all("tr")[1:]
    found: set[str | None] = set()
    for row in rows:
        for i, cell in enumerate(row.find_all(["td", "th"], recursive=False)):
            column_unit = header[i] if header is not None and i < len(header) else None
            is_value, unit = _value_unit(cell.get_text(" ", strip=True), column_unit)
            if is_value:
                found.add(unit)
    return [u for u in found if u in known_units()] if len(found) == 1 else []


def _caption(soup, label: str, title: str, units: list[str], section: str | None):
    """<div class="qz-caption"> with the number and title, and a line with the unit and section."""
    box = soup.new_tag("div", attrs={"class": "qz-caption"})
    head = soup.new_tag("p", attrs={"class": "qz-caption-title"})
    number = soup.new_tag("span", attrs={"class": "qz-number"})
    number.string = label
    head.append(number)
    head.append(" " + title if title else "")
    box.append(head)
    meta = []
    if units:
        meta.append("单位：" + "、".join(units))
    if section:
        meta.append("出处：" + section)
    if meta:
        line = soup.new_tag("p", attrs={"class": "qz-caption-meta"})
        line.string = "　".join(meta)
        box.append(line)
    return box


DENSE_COLUMNS = 9


def _label_cells(table) -> None:
    """data-label on each body cell (its column title), so that a narrow screen can show rows as cards."""
    head = table.find("thead")
    header_rows = head.find_all("tr") if head else []
    if len(header_rows) != 1:
        return
    titles = [c.get_text(" ", strip=True) for c in header_rows[0].find_all(["th", "td"])]
    if any(int(c.get("colspan", 1)) > 1 for c in header_rows[0].find_all(["th", "td"])):
        return
    if len(titles) < 3:  # two columns fit a phone as they are
        return
    body_rows = [r for r in table.find_all("tr") if r.parent is not head]
    for row in body_rows:
        cells = row.find_all(["td", "th"], recursive=False)
        if len(cells) != len(titles):
            return
        for cell, title in zip(cells, titles, strict=True):
            cell["data-label"] = title
    classes = table.get("class", [])
    # Many columns side by side (the area report's indicators): tighter cells, so that the widest numbers fit the
    # page's width without breaking.
    table["class"] = [*classes, "qz-cards", *(["qz-dense"] if len(titles) >= DENSE_COLUMNS else [])]


def _anchor(prefix: str, level: int, text: str, used: set[str]) -> str:
    """The chapter's own id for its title; "<prefix>-s2-1-3" for a numbered section; unique either way."""
    match = _SECTION_NUMBER.match(text)
    if level == 1 and prefix not in used:
        base = prefix
    elif match:
        base = f"{prefix}-s{match.group(1).replace('.', '-')}"
    else:
        base = f"{prefix}-h{len(used) + 1}"
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


def number_chapter(fragment: str, number: str, prefix: str) -> ChapterHTML:
    """Number the tables and figures of a chapter fragment (表 {number}-k, 图 {number}-k), add captions,
    card labels and heading anchors (ids start with `prefix`)."""
    soup = BeautifulSoup(fragment, "html.parser")
    headings: list[Heading] = []
    used: set[str] = set()
    section = None
    tables = figures = 0
    for node in soup.find_all(["h1", "h2", "h3", "h4", "table", "figure"]):
        if node.name.startswith("h"):
            text = node.get_text(" ", strip=True)
            level = int(node.name[1])
            anchor = _anchor(prefix, level, text, used)
            node["id"] = anchor
            headings.append(Heading(level, text, anchor))
            if _SECTION_NUMBER.match(text):
                section = text
            continue
        if node.name == "table":
            if node.find_parent("table") is not None:
                continue
            tables += 1
            caption = node.find("caption")
            title = caption.get_text(" ", strip=True) if caption else ""
            if caption:
                caption.decompose()
            _label_cells(node)
            wrapper = soup.new_tag("div", attrs={"class": "qz-table-block", "id": f"{prefix}-t{tables}"})
            node.wrap(wrapper)
            wrapper.insert(
                0, _caption(soup, f"表 {number}-{tables}", title or (section or ""), _units(node), section)
            )
        else:
            figures += 1
            node["id"] = f"{prefix}-f{figures}"
            title = str(node.get("data-title") or "")
            del node["data-title"]
            cap = _caption(soup, f"图 {number}-{figures}", title, [], section)
            cap.name = "figcaption"
            node.append(cap)
            img = node.find("img")
            if img is not None:
                img["alt"] = f"图 {number}-{figures} " + str(img.get("alt") or title)
    return ChapterHTML(str(soup), headings, tables, figures)


def chapter_html(
    nb, edition: str, number: str, prefix: str, skip_sections: tuple[str, ...] = ()
) -> ChapterHTML:
    """The executed notebook `nb` for `edition`, numbered (see `number_chapter`)."""
    return number_chapter(cells_html(nb, edition, skip_sections), number, prefix)


__all__ = ["EDITIONS", "ChapterHTML", "Heading", "cells_html", "chapter_html", "code_css", "markdown_html"]
