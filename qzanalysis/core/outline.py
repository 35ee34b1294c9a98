"""The national outline every 中职 quality report follows (qzanalysis/metadata/outline.yaml): its chapters,
their sections, the notebook behind each chapter, and the editions each chapter appears in.

A section id is its number as printed: "1.1.3". A chapter's own id is its number alone ("3"): that is the
place for the chapter heading and any text before the first section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from qzanalysis.core.catalog import _load_yaml
from qzanalysis.core.paths import METADATA_DIR

ALL_EDITIONS = ("publication", "review", "analysis")
_SECTION = re.compile(r"^(\d+(?:\.\d+)+)\s+(\S.*)$")


@dataclass(frozen=True)
class Section:
    id: str  # "1.1.3"
    title: str  # "校园面积"

    @property
    def depth(self) -> int:
        """1 for a chapter, 2 for "1.1", 3 for "1.1.3": the Markdown heading level."""
        return self.id.count(".") + 1

    @property
    def heading(self) -> str:
        return f"{self.id} {self.title}"


@dataclass(frozen=True)
class Chapter:
    notebook: str  # notebook stem, e.g. "ch03_quality"; its module is qzanalysis/report/chapters/<stem>.py
    title: str  # e.g. "第三章 质量保障措施"
    number: int | None = None  # 1–9 for the outline's chapters, None for appendices
    editions: tuple[str, ...] = ALL_EDITIONS
    sections: tuple[Section, ...] = ()

    @property
    def is_appendix(self) -> bool:
        return self.number is None

    @property
    def id(self) -> str | None:
        """The chapter's own section id ("3"), None for appendices."""
        return None if self.number is None else str(self.number)

    def section_ids(self) -> list[str]:
        """The chapter's id, then its sections' ids in outline order."""
        return ([self.id] if self.id else []) + [s.id for s in self.sections]


def _section(text: str) -> Section:
    match = _SECTION.match(str(text).strip())
    if not match:
        raise ValueError(f"outline.yaml：节应写成“编号 标题”，如“1.1 学校概况”，发现：{text!r}")
    return Section(match.group(1), match.group(2))


@cache
def chapters() -> tuple[Chapter, ...]:
    """Every declared chapter, in report order."""
    out = []
    for item in _load_yaml(METADATA_DIR / "outline.yaml")["chapters"]:
        out.append(
            Chapter(
                notebook=item["notebook"],
                title=item["title"],
                number=item.get("number"),
                editions=tuple(item.get("editions", ALL_EDITIONS)),
                sections=tuple(_section(s) for s in item.get("sections") or ()),
            )
        )
    return tuple(out)


def chapter(notebook: str) -> Chapter:
    """The declared chapter backed by `notebook` (a stem). Raises KeyError for an undeclared one."""
    for c in chapters():
        if c.notebook == notebook:
            return c
    raise KeyError(notebook)


def chapter_of(section_id: str) -> Chapter:
    """The chapter a section id belongs to ("3.2.1" → chapter 3). Raises KeyError when there is none."""
    head = str(section_id).split(".")[0]
    for c in chapters():
        if c.id == head:
            return c
    raise KeyError(section_id)


def section(section_id: str) -> Section:
    """The outline's section (a chapter's own id gives its title as a Section too). Raises KeyError."""
    c = chapter_of(section_id)
    if section_id == c.id:
        return Section(c.id, c.title)
    for s in c.sections:
        if s.id == section_id:
            return s
    raise KeyError(section_id)
