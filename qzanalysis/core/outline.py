"""The national outline every 中职 quality report follows (qzanalysis/metadata/outline.yaml): its chapters,
the notebook behind each, and the editions each chapter appears in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from qzanalysis.core.catalog import _load_yaml
from qzanalysis.core.paths import METADATA_DIR

ALL_EDITIONS = ("publication", "review", "analysis")


@dataclass(frozen=True)
class Chapter:
    notebook: str  # notebook stem, e.g. "ch03_quality"; its module is qzanalysis/report/chapters/<stem>.py
    title: str  # e.g. "第三章 质量保障措施"
    number: int | None = None  # 1–9 for the outline's chapters, None for appendices
    editions: tuple[str, ...] = ALL_EDITIONS

    @property
    def is_appendix(self) -> bool:
        return self.number is None


@cache
def chapters() -> tuple[Chapter, ...]:
    """Every declared chapter, in report order."""
    return _read("outline.yaml")


@cache
def area_chapters() -> tuple[Chapter, ...]:
    """The area report's chapters (区域汇总, `qz render --all`; metadata/area_outline.yaml), in report order."""
    return _read("area_outline.yaml")


def _read(filename: str) -> tuple[Chapter, ...]:
    out = []
    for item in _load_yaml(METADATA_DIR / filename)["chapters"]:
        out.append(
            Chapter(
                notebook=item["notebook"],
                title=item["title"],
                number=item.get("number"),
                editions=tuple(item.get("editions", ALL_EDITIONS)),
            )
        )
    return tuple(out)


def chapter(notebook: str) -> Chapter:
    """The declared chapter backed by `notebook` (a stem). Raises KeyError for an undeclared one."""
    for c in chapters():
        if c.notebook == notebook:
            return c
    raise KeyError(notebook)
