"""The school's own words: ``data/<year>/text/``, one Markdown file per chapter plus the preface.

Files are named like the chapter notebooks (``ch01_school.md`` … ``ch09_other.md``) and ``preface.md``
(the opening paragraphs before 第一章). Each chapter file is written under the national outline's headings
exactly as the school wrote them (``# 第一章 学校情况``, ``## 1.1 学校概况``, ``### 1.1.1 校名及历史沿革``);
a heading without a number, or with a number the outline does not have, is the school's own and is shown
together with the outline section before it (see ``qzanalysis/metadata/outline.yaml``).

References
----------
A number in the text that is a fact of the year's data is written as a reference, so that it is printed
from the data and a corrected figure corrects the sentence. Everything else (years, ordinals, “90 多家”)
is the school's text, kept as written.

==========================================  ======================================================
``{{students_total}}``                      the fact with its unit, as printed: ``3742人``, ``98.41%``,
                                            ``1.9:1`` (the decimals the data give, no thousands
                                            separator; a space before the unit word when the text
                                            puts a space before the reference: ``为 {{…}}`` → ``为 3742 人``)
``{{students_total|value}}``                the number alone, when the sentence carries its own unit
                                            word: ``引进{{masters_recruited|value}}名``
``{{previous.internship_partner_share}}``   the same fact in the previous year's data
``{{satisfaction.rate[在校生,生活满意度]}}``  one cell of a table: ``table.column[key, …]`` with the row's
                                            primary-key values in the schema's order (``|value`` too)
``{{school.name}}``                         a field of the year's ``school.yaml`` (name, short_name,
                                            address, website, sponsor, report_title, period, types)
``{{missing: 说明}}``                        the source lost text here: shown as a visible note
``{{tables}}``                              on a line of its own: the section's tables and figures go
                                            here (see below)
==========================================  ======================================================

Where tables go
---------------
A section's tables and figures follow its text. When the school's text leads into a table and then goes on
(“2021年学生情况如下：” … the table … the next paragraph), a line ``{{tables}}`` marks the place: the report
shows the text before the marker, then the section's tables and figures, then the rest of the section's
text. One marker per outline section (with the sections of the school's own that are shown with it).

A reference to a fact the year left empty is printed as a placeholder such as ``【待补：在籍学生数】`` and
listed by ``qz validate`` as a warning; an unknown reference is an error naming the file, line and column.

Drafts
------
``qz new-year`` copies last year's text into the new year with front matter::

    ---
    draft: true        # change to false (or run `qz text --year Y --revised chNN_…`) once revised
    copied_from: 2021
    ---

Every chapter rendered from a draft shows a 草稿 banner until it is marked revised.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qzanalysis.core.findings import Finding, Level, Report
from qzanalysis.core.outline import Chapter, chapters
from qzanalysis.core.yaml_problems import yaml_problem

TEXT_DIR = "text"
PREFACE = "preface"
FRONT_MATTER_KEYS = {"draft": "是否草稿（true / false）", "copied_from": "复制自哪一年的文字"}
PROFILE_KEYS = ("name", "short_name", "types", "address", "website", "sponsor", "report_title", "period")
FORMS = {"unit": "数值和单位", "value": "只有数值"}

_REFERENCE = re.compile(r"\{\{(.*?)\}\}", re.S)
_FACT = re.compile(
    r"^(?:(?P<previous>previous)\.)?(?P<name>[a-z][a-z0-9_]*)"
    r"(?:\.(?P<column>[a-z][a-z0-9_]*)\[(?P<key>[^\[\]]*)\])?"
    r"(?:\s*\|\s*(?P<form>\S+))?$"
)
_SCHOOL = re.compile(r"^school\.(?P<name>[a-z_]+)$")
_MISSING = re.compile(r"^missing\s*[:：]\s*(?P<note>.*\S)\s*$", re.S)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\s*(.*)$")
_CHAPTER = re.compile(r"^第([一二三四五六七八九十]+)章")
_CN_DIGITS = "一二三四五六七八九"
GRAMMAR = (
    "{{数值代码}}、{{数值代码|value}}、{{previous.数值代码}}、{{表.列[主键值]}}、{{school.字段}}、"
    "{{missing: 说明}} 或单独一行的 {{tables}}"
)
TABLES = "tables"  # the marker of where a section's tables and figures go
TABLES_LINE = re.compile(r"^[ \t]*\{\{\s*tables\s*\}\}[ \t]*$", re.M)
# Qualifiers of a catalogue label that readers of a placeholder do not need: “（报告值）”, “（1.4 表）”.
_LABEL_SUFFIX = re.compile(r"（(报告值[^）]*|[\d.]+(?: 表)?|约)）$")


# ---- references ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reference:
    """One ``{{…}}`` in a text file. `kind` is fact, table, school, missing or tables (the marker of where
    the section's tables go); `line` and `column` are 1-based positions of the opening braces in the file."""

    raw: str
    kind: str
    name: str
    line: int
    column: int
    field: str | None = None  # a table's column
    key: tuple[str, ...] = ()  # a table row's primary-key values
    form: str = "unit"
    previous: bool = False
    problem: str | None = None  # why the reference cannot be read (a malformed one)


def parse_reference(inner: str, line: int = 0, column: int = 0) -> Reference:
    """What one ``{{inner}}`` refers to; a malformed one comes back with `problem` set."""
    raw = "{{" + inner + "}}"
    text = inner.strip()
    if m := _MISSING.match(text):
        return Reference(raw, "missing", m.group("note"), line, column)
    if m := _SCHOOL.match(text):
        return Reference(raw, "school", m.group("name"), line, column)
    if text == TABLES:
        return Reference(raw, TABLES, TABLES, line, column)
    m = _FACT.match(text)
    if not m:
        return Reference(raw, "fact", text, line, column, problem="无法识别的引用")
    form = m.group("form") or "unit"
    kind = "table" if m.group("column") else "fact"
    key = tuple(k.strip() for k in m.group("key").split(",")) if m.group("key") is not None else ()
    ref = Reference(
        raw,
        kind,
        m.group("name"),
        line,
        column,
        field=m.group("column"),
        key=key,
        form=form,
        previous=bool(m.group("previous")),
    )
    if form not in FORMS:
        return _with_problem(ref, f"未知的写法“|{form}”")
    if ref.previous and kind == "table":
        return _with_problem(ref, "previous. 只能用于数值代码，不能用于表格")
    return ref


def _with_problem(ref: Reference, problem: str) -> Reference:
    return dataclasses.replace(ref, problem=problem)


def references(text: str, first_line: int = 1) -> list[Reference]:
    """Every reference in `text`, with positions counted from `first_line`."""
    out = []
    for m in _REFERENCE.finditer(text):
        before = text[: m.start()]
        line = first_line + before.count("\n")
        column = m.start() - (before.rfind("\n") + 1) + 1
        out.append(parse_reference(m.group(1), line, column))
    return out


def substitute(text: str, render: Callable[[Reference, bool], str]) -> str:
    """`text` with every reference replaced by ``render(reference, spaced)``; `spaced` tells whether the
    text puts a space before the reference (then the unit word gets one too)."""
    return _REFERENCE.sub(
        lambda m: render(parse_reference(m.group(1)), text[m.start() - 1 : m.start()] == " "), text
    )


# ---- values ----------------------------------------------------------------------------------------
def clean_label(label: str) -> str:
    """A catalogue label as readers say it: “毕业率（报告值）” → “毕业率”."""
    return _LABEL_SUFFIX.sub("", str(label)).strip()


def number_text(value: float, decimals: int) -> str:
    """The number as the school prints it in prose: fixed decimals, no thousands separator."""
    return f"{float(value):.{max(decimals, 0)}f}"


def _shortest_decimals(value: float) -> int:
    text = repr(float(value))
    if "e" in text or "." not in text:
        return 0
    decimals = text.split(".")[1]
    return 0 if decimals == "0" else len(decimals)


GLUED_UNITS = ("%", "‰", ":1")


def with_unit(number: str, unit: str | None, spaced: bool = False) -> str:
    """‘3742’ + ‘人’ → ‘3742人’ (‘3742 人’ when `spaced`, as text that spaces its numbers writes it);
    ‘%’ and ‘:1’ always follow the number directly."""
    if not unit:
        return number
    return number + (" " if spaced and unit not in GLUED_UNITS else "") + unit


@dataclass(frozen=True)
class Resolved:
    """A reference's printed text, or None when the data lack the value (`label` names what is missing)."""

    text: str | None
    label: str


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def resolve(ref: Reference, data: Any, previous: Any = None, spaced: bool = False) -> Resolved:
    """The text a (well-formed, known) reference prints with this year's data.

    `data` and `previous` are YearData (duck-typed: catalogue, fact, fact_decimals, table, table_decimals,
    profile);
    `previous` may be None, which leaves ``previous.`` references missing. `spaced`: a space between the
    number and its unit word (see with_unit). Raises KeyError for unknown ids.
    """
    if ref.kind == "school":
        profile = getattr(data, "profile", None)
        value = profile.value(ref.name) if profile is not None else ""
        labels = {"name": "学校全称", "short_name": "学校简称", "address": "地址", "website": "网址"}
        return Resolved(str(value) if value else None, labels.get(ref.name, f"学校概况 {ref.name}"))
    if ref.kind == "fact":
        spec = data.catalogue.facts[ref.name]
        label = clean_label(spec.label)
        source = previous if ref.previous else data
        if ref.previous:
            label = "上年" + label
        if source is None or ref.name not in source.catalogue.facts:
            return Resolved(None, label)
        value = source.fact(ref.name)
        if _missing(value):
            return Resolved(None, label)
        decimals = source.fact_decimals(ref.name) or 0
        number = number_text(value, decimals)
        return Resolved(number if ref.form == "value" else with_unit(number, spec.unit, spaced), label)
    if ref.kind == "table":
        spec = data.catalogue.tables[ref.name]
        column = spec.field(ref.field)
        label = f"{spec.title}：{'、'.join(ref.key)} {column.title}"
        frame = data.table(ref.name)
        if frame is None:
            return Resolved(None, label)
        mask = None
        for name, wanted in zip(spec.primary_key, ref.key, strict=True):
            hit = frame[name].astype(str) == wanted
            mask = hit if mask is None else (mask & hit)
        rows = frame[mask] if mask is not None else frame.iloc[0:0]
        if rows.empty or _missing(rows.iloc[0][ref.field]):
            return Resolved(None, label)
        value = rows.iloc[0][ref.field]
        if not column.is_numeric:
            return Resolved(str(value), label)
        # the decimals as typed in the CSV (“88.60” keeps its zero), else the schema's display decimals
        typed = data.table_decimals(ref.name, ref.field, frame.index.get_loc(rows.index[0]))
        if typed is None:
            typed = column.decimals if column.decimals is not None else _shortest_decimals(value)
        number = number_text(value, typed)
        return Resolved(number if ref.form == "value" else with_unit(number, column.unit, spaced), label)
    raise KeyError(ref.kind)


def unknown_reason(ref: Reference, data: Any) -> tuple[str, str] | None:
    """(message, expected) when a reference names nothing in this year's catalogue or profile; else None."""
    if ref.problem:
        return ref.problem, GRAMMAR
    if ref.kind in ("missing", TABLES):
        return None
    if ref.kind == "school":
        if ref.name not in PROFILE_KEYS:
            return "未知的学校概况字段", "、".join(f"school.{k}" for k in PROFILE_KEYS)
        return None
    if ref.kind == "fact":
        if ref.name not in data.catalogue.facts:
            return "未登记的数值代码", "facts.csv 中登记的代码，或本年度 catalogue.yaml 中声明的代码"
        return None
    spec = data.catalogue.tables.get(ref.name)
    if spec is None or ref.name == "facts":
        return "未定义的数据表", "、".join(sorted(t for t in data.catalogue.tables if t != "facts"))
    if ref.field not in spec.field_names:
        return f"表 {ref.name} 没有此列", "、".join(spec.field_names)
    if len(ref.key) != len(spec.primary_key):
        return (
            f"表 {ref.name} 的行要用 {len(spec.primary_key)} 个主键值指明",
            f"[{', '.join(spec.primary_key)}] 的取值，用逗号分隔",
        )
    return None


# ---- files and sections ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TextSection:
    """A heading of a text file and the Markdown below it, up to the next heading.

    `id` is the heading's number ("1.1.3"), the chapter's number for the chapter heading ("1"), None for a
    heading without a number; the lead text before the first heading has `heading` None and the chapter's id.
    `home` is the outline section it is shown with (itself when the outline has it).
    """

    id: str | None
    heading: str | None
    level: int
    body: str
    line: int
    home: str | None = None


@dataclass
class TextFile:
    name: str  # "ch01_school" or "preface"
    path: Path
    label: str  # the path as shown in messages
    body: str  # the Markdown after the front matter
    first_line: int  # the file line of body's first line
    draft: bool = False
    copied_from: int | None = None
    sections: list[TextSection] = field(default_factory=list)

    def placed(self, home: str) -> list[TextSection]:
        """The sections shown at the outline place `home` (its own and the ones that flow with it)."""
        return [s for s in self.sections if s.home == home]


@dataclass
class YearText:
    """The year's text files by name (chapter stems and "preface"); `folder` is ``data/<year>/text``."""

    folder: Path
    files: dict[str, TextFile] = field(default_factory=dict)

    def chapter(self, name: str) -> TextFile | None:
        return self.files.get(name)

    @property
    def preface(self) -> TextFile | None:
        return self.files.get(PREFACE)


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str, int, str | None]:
    """(front matter or None, body, body's first line, YAML problem or None)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1, None
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            try:
                meta = yaml.safe_load("\n".join(lines[1:i])) or {}
            except yaml.YAMLError as exc:
                return (
                    {},
                    "\n".join(lines[i + 1 :]),
                    i + 2,
                    yaml_problem(exc)[0].removeprefix("YAML 格式错误："),
                )
            if not isinstance(meta, dict):
                return {}, "\n".join(lines[i + 1 :]), i + 2, "应为“键: 值”"
            return meta, "\n".join(lines[i + 1 :]), i + 2, None
    return {}, text, 1, "开头的 --- 没有配对的结束行"


def _chapter_number(heading: str) -> int | None:
    m = _CHAPTER.match(heading)
    if not m:
        return None
    digits = m.group(1)
    if digits == "十":
        return 10
    return _CN_DIGITS.index(digits) + 1 if digits in _CN_DIGITS else None


def split_sections(body: str, first_line: int, chapter: Chapter | None) -> list[TextSection]:
    """The file's headings and their Markdown, with each section's outline home (see TextSection)."""
    outline_ids = set(chapter.section_ids()) if chapter else set()
    own = chapter.id if chapter else None
    sections: list[TextSection] = []
    current: dict[str, Any] = {"id": own, "heading": None, "level": 0, "line": first_line, "lines": []}

    def close():
        text = "\n".join(current["lines"]).strip("\n")
        if current["heading"] is not None or text.strip():
            sections.append(
                TextSection(current["id"], current["heading"], current["level"], text, current["line"])
            )

    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if not m:
            current["lines"].append(line)
            continue
        close()
        title = m.group(2)
        number = _NUMBERED.match(title)
        if _chapter_number(title) is not None:
            sid = str(_chapter_number(title))
        elif number and "." in number.group(1):
            sid = number.group(1)
        else:
            sid = None
        current = {
            "id": sid,
            "heading": line,
            "level": len(m.group(1)),
            "line": first_line + offset,
            "lines": [],
        }
    close()
    home = own
    out = []
    for s in sections:
        if s.id in outline_ids:
            home = s.id
        out.append(TextSection(s.id, s.heading, s.level, s.body, s.line, home))
    return out


def _outline_chapters() -> dict[str, Chapter]:
    return {c.notebook: c for c in chapters() if not c.is_appendix}


def read_text(folder: Path, label: str) -> tuple[YearText | None, Report]:
    """Read ``<folder>/text/``: every file's front matter and sections. Problems of form become findings;
    references are checked against the data by `check_text`. None when the year has no text folder."""
    report = Report(checks_run=["text"])
    text_dir = Path(folder) / TEXT_DIR
    where = f"{label}/{TEXT_DIR}"
    outline = _outline_chapters()
    if not text_dir.is_dir():
        report.add(  # e.g. a year kept only for comparison; a new year gets last year's text as a draft
            Finding(
                Level.INFO,
                "text",
                "本年度没有报告文字，各章只显示提纲标题",
                where,
                expected=f"每章一个 Markdown 文件（{'、'.join(f'{n}.md' for n in outline)}）和 preface.md",
            )
        )
        return None, report
    year_text = YearText(text_dir)
    for path in sorted(text_dir.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        shown = f"{where}/{path.name}"
        if path.suffix != ".md" or (path.stem not in outline and path.stem != PREFACE):
            report.add(
                Finding(
                    Level.WARN,
                    "text",
                    "不是各章或前言的文字文件，已忽略",
                    shown,
                    expected="、".join([f"{PREFACE}.md"] + [f"{n}.md" for n in outline]),
                )
            )
            continue
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            report.add(Finding(Level.FAIL, "text", "文件不是 UTF-8 编码", shown, expected="另存为 UTF-8"))
            continue
        raw = raw.replace("\r\n", "\n")
        meta, body, first_line, problem = split_front_matter(raw)
        if problem:
            report.add(Finding(Level.FAIL, "text", f"开头的说明（--- 之间）格式错误：{problem}", shown, 1))
        meta = meta or {}
        for key in meta:
            if key not in FRONT_MATTER_KEYS:
                report.add(
                    Finding(
                        Level.FAIL,
                        "text",
                        "开头的说明中有未定义的键",
                        shown,
                        1,
                        str(key),
                        str(key),
                        "、".join(f"{k}（{v}）" for k, v in FRONT_MATTER_KEYS.items()),
                    )
                )
        draft = meta.get("draft", False)
        if not isinstance(draft, bool):
            report.add(Finding(Level.FAIL, "text", "draft 应为 true 或 false", shown, 1, "draft", str(draft)))
            draft = True
        copied = meta.get("copied_from")
        chapter = outline.get(path.stem)
        tf = TextFile(
            name=path.stem,
            path=path,
            label=shown,
            body=body,
            first_line=first_line,
            draft=draft,
            copied_from=int(copied) if isinstance(copied, int) else None,
            sections=split_sections(body, first_line, chapter),
        )
        year_text.files[path.stem] = tf
        if draft:
            origin = f"复制自 {tf.copied_from} 年的文字，" if tf.copied_from else ""
            report.add(
                Finding(
                    Level.WARN,
                    "text",
                    f"{origin}尚未修订：报告中{'这段文字' if tf.name == PREFACE else '本章'}显示“草稿”横幅",
                    shown,
                    expected="修订后把开头的 draft: true 改为 draft: false，"
                    f"或运行 qz text --year {Path(folder).name} --revised {tf.name}",
                )
            )
        if chapter is not None:
            report.findings.extend(_structure_findings(tf, chapter))
    for name in outline:
        if name not in year_text.files:
            report.add(
                Finding(
                    Level.WARN,
                    "text",
                    f"缺少“{outline[name].title}”的文字，该章只显示提纲标题",
                    f"{where}/{name}.md",
                )
            )
    return year_text, report


def _structure_findings(tf: TextFile, chapter: Chapter) -> list[Finding]:
    out = []
    seen: set[str] = set()
    outline_ids = set(chapter.section_ids())
    for s in tf.sections:
        if s.heading is None:
            continue
        if s.id is not None and s.id in seen:
            out.append(
                Finding(Level.WARN, "text", "章节编号重复，后一处随前一节显示", tf.label, s.line, value=s.id)
            )
        if s.id is not None and s.id not in outline_ids and s.id.split(".")[0] != chapter.id:
            out.append(
                Finding(
                    Level.WARN,
                    "text",
                    f"章节编号不属于{chapter.title}，随前一节显示",
                    tf.label,
                    s.line,
                    value=s.heading.lstrip("#").strip(),
                )
            )
        elif s.id != chapter.id and s.id not in outline_ids:
            out.append(
                Finding(
                    Level.INFO,
                    "text",
                    "提纲中没有这一节，随前一节显示",
                    tf.label,
                    s.line,
                    value=s.heading.lstrip("#").strip(),
                )
            )
        if s.id is not None:
            seen.add(s.id)
    present = {s.id for s in tf.sections}
    for sec in chapter.sections:
        if sec.id not in present:
            out.append(Finding(Level.INFO, "text", f"本年度文字中没有“{sec.heading}”一节", tf.label))
    return out


def check_text(year_text: YearText | None, data: Any) -> Report:
    """Check every reference against the year's data: unknown ones are errors (file, line, column), ones
    whose value the year left empty are warnings (they print as 【待补：…】), missing-text markers are listed."""
    report = Report(checks_run=["text_references"])
    if year_text is None:
        return report
    for tf in year_text.files.values():
        for ref in references(tf.body, tf.first_line):
            where = (tf.label, ref.line, str(ref.column))
            reason = unknown_reason(ref, data)
            if reason:
                message, expected = reason
                report.add(Finding(Level.FAIL, "text_references", message, *where, ref.raw, expected))
                continue
            if ref.kind == "missing":
                report.add(Finding(Level.INFO, "text_references", f"原文缺失标记：{ref.name}", *where))
                continue
            if ref.kind == TABLES:
                continue  # placement is checked per section below
            if ref.previous:  # needs the previous year's data: check_previous_references
                continue
            finding = _placeholder_finding(ref, data, None, where)
            if finding is not None:
                report.add(finding)
        report.findings.extend(_marker_findings(tf))
        # well-formed references removed (keeping their line breaks): what is left of {{ or }} is unpaired
        rest = _REFERENCE.sub(lambda m: "\n" * m.group(0).count("\n"), tf.body)
        for line_no, line in enumerate(rest.split("\n"), tf.first_line):
            if "{{" in line or "}}" in line:
                report.add(
                    Finding(
                        Level.FAIL,
                        "text_references",
                        "花括号没有配对：引用写成 {{…}}，两边各两个花括号",
                        tf.label,
                        line_no,
                        value=line.strip()[:40],
                        expected=GRAMMAR,
                    )
                )
    return report


def _placeholder_finding(
    ref: Reference, data: Any, previous: Any, where: tuple[str, int, str]
) -> Finding | None:
    """The warning for a reference that prints a 【待补】 placeholder (its value is missing), else None."""
    resolved = resolve(ref, data, previous)
    if resolved.text is not None:
        return None
    whose = "上一年度" if ref.previous else "本年度"
    file, line, column = where
    return Finding(
        Level.WARN,
        "text_references",
        f"引用的数值{whose}未提供，报告中显示为“{placeholder(resolved.label)}”",
        file,
        line,
        column,
        ref.raw,
        f"在{whose}数据中填上该数值，或修改文字",
    )


def check_previous_references(year_text: YearText | None, data: Any, previous: Any) -> Report:
    """The same 【待补】 warnings as `check_text`, for ``{{previous.…}}`` references: each one whose value the
    previous year's data (`previous`, a YearData or None when there is no earlier year) lack."""
    report = Report(checks_run=["text_references"])
    if year_text is None:
        return report
    for tf in year_text.files.values():
        for ref in references(tf.body, tf.first_line):
            if not ref.previous or unknown_reason(ref, data):
                continue
            finding = _placeholder_finding(ref, data, previous, (tf.label, ref.line, str(ref.column)))
            if finding is not None:
                report.add(finding)
    return report


def split_at_tables(body: str) -> tuple[str, str | None]:
    """(text before the ``{{tables}}`` line, text after it), or (body, None) when it has no such line."""
    m = TABLES_LINE.search(body)
    if m is None:
        return body, None
    return body[: m.start()].rstrip("\n"), body[m.end() :].lstrip("\n")


def _marker_findings(tf: TextFile) -> list[Finding]:
    """A ``{{tables}}`` marker must stand on a line of its own, at most once per outline section, and not in
    the preface (which has no tables)."""
    out = []
    lines = tf.body.split("\n")
    per_home: dict[str | None, int] = {}
    for ref in references(tf.body, tf.first_line):
        if ref.kind != TABLES:
            continue
        where = (tf.label, ref.line, str(ref.column), ref.raw)
        if tf.name == PREFACE:
            out.append(
                Finding(Level.WARN, "text_references", "前言没有表格，{{tables}} 已忽略", *where, "删去此行")
            )
            continue
        if not TABLES_LINE.fullmatch(lines[ref.line - tf.first_line]):
            out.append(
                Finding(
                    Level.FAIL,
                    "text_references",
                    "{{tables}} 应单独成行：它标出本节的表和图放在哪里",
                    *where,
                    "单独一行 {{tables}}",
                )
            )
            continue
        home = next((s.home for s in reversed(tf.sections) if s.line <= ref.line), None)
        per_home[home] = per_home.get(home, 0) + 1
        if per_home[home] > 1:
            out.append(
                Finding(
                    Level.FAIL, "text_references", "同一节只能有一处 {{tables}}", *where, "删去多余的一处"
                )
            )
    return out


def placeholder(label: str) -> str:
    """What a reference prints when the data lack its value: 【待补：在籍学生数】."""
    return f"【待补：{label}】"


# ---- a new year's draft ---------------------------------------------------------------------------------
def draft_copy(source: Path, target: Path, from_year: int) -> list[Path]:
    """Copy last year's ``text/`` folder to a new year's, every file marked ``draft: true`` (front matter
    replaced). References are kept, so they print the new year's values (or placeholders). Returns the files."""
    written: list[Path] = []
    src = Path(source) / TEXT_DIR
    if not src.is_dir():
        return written
    dst = Path(target) / TEXT_DIR
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.md")):
        _meta, body, _line, _problem = split_front_matter(path.read_text(encoding="utf-8-sig"))
        out = dst / path.name
        out.write_text(front_matter(True, from_year) + body.lstrip("\n"), encoding="utf-8")
        written.append(out)
    return written


def front_matter(draft: bool, copied_from: int | None) -> str:
    lines = ["---", f"draft: {'true' if draft else 'false'}"]
    if copied_from is not None:
        lines.append(f"copied_from: {copied_from}")
    return "\n".join(lines + ["---", ""])


def mark_revised(path: Path) -> bool:
    """Set ``draft: false`` in a text file's front matter (the one-line edit, done for the analyst).
    Returns whether the file changed."""
    raw = Path(path).read_text(encoding="utf-8-sig")
    meta, body, _line, problem = split_front_matter(raw)
    if meta is None or problem or not meta.get("draft"):
        return False
    copied = meta.get("copied_from")
    Path(path).write_text(
        front_matter(False, copied if isinstance(copied, int) else None) + body, encoding="utf-8"
    )
    return True
