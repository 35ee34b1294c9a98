"""From executed notebooks to the files in `<out>/<year>/`.

<name>.html            the chapter alone, review edition (for analysts; links back to index.html)
analysis/<name>.html   the chapter alone, analysis edition (with code)
.executed/<name>.ipynb the executed notebook: the single-file editions are assembled from these, so a
                       chapter skipped as unchanged still takes part
publication.html, review.html, analysis.html
                       the whole report, one self-contained file per edition (`assemble.report_html`)

Every page is offline: no script, no remote load, no link to another file in the single-file editions.
"""

from __future__ import annotations

import json
from pathlib import Path

from qzanalysis.tools.render.assemble import (
    EDITION_FILES,
    ChapterSource,
    Provenance,
    chapter_page,
    report_html,
)
from qzanalysis.tools.render.files import write_atomic

ANALYSIS_SUBDIR = "analysis"
EXECUTED_SUBDIR = ".executed"
INDEX_FILE = "index.html"
BUILD_FILE = "build.html"


def chapter_outputs(year_out: Path, name: str) -> tuple[Path, Path, Path]:
    """(review page, analysis page, executed notebook) of one chapter."""
    year_out = Path(year_out)
    return (
        year_out / f"{name}.html",
        year_out / ANALYSIS_SUBDIR / f"{name}.html",
        year_out / EXECUTED_SUBDIR / f"{name}.ipynb",
    )


def chapter_source(name: str, nb, fallback_title: str | None = None) -> ChapterSource:
    """The chapter's place in the outline (metadata/outline.yaml); an undeclared notebook is an appendix
    shown only in the review and analysis editions."""
    from qzanalysis.core.outline import chapter

    try:
        declared = chapter(name)
    except KeyError:
        return ChapterSource(name, fallback_title or name, nb, None, ("review", "analysis"))
    return ChapterSource(name, declared.title, nb, declared.number, tuple(declared.editions))


def write_chapter(year_out: Path, name: str, nb, title: str, prov: Provenance) -> None:
    """Write one executed chapter's pages and notebook; all three are built before any is written."""
    import nbformat

    review, analysis, executed = chapter_outputs(year_out, name)
    source = chapter_source(name, nb, title)
    review_html = chapter_page(
        "review",
        source,
        prov,
        [(INDEX_FILE, "← 返回目录"), (f"{ANALYSIS_SUBDIR}/{name}.html", "分析版（含代码）")],
    )
    analysis_html = chapter_page(
        "analysis", source, prov, [(f"../{INDEX_FILE}", "← 返回目录"), (f"../{name}.html", "审阅版")]
    )
    notebook = nbformat.writes(nb)
    write_atomic(executed, notebook)
    write_atomic(analysis, analysis_html)
    write_atomic(review, review_html)


def load_executed(year_out: Path, names: list[str]) -> dict[str, dict]:
    """The executed notebooks on disk among `names` (unreadable ones are left out)."""
    found = {}
    for name in names:
        path = chapter_outputs(year_out, name)[2]
        try:
            found[name] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return found


def write_editions(
    year_out: Path,
    sources: list[ChapterSource],
    prov: Provenance,
    *,
    data=None,
    prev=None,
    publish: bool = True,
) -> dict[str, Path]:
    """Assemble and write the single-file editions; the publication edition only when `publish`.
    Returns the files written, by edition."""
    written = {}
    pages = {}
    for edition in EDITION_FILES:
        if edition == "publication" and not publish:
            continue
        pages[edition] = report_html(edition, sources, prov, data=data, prev=prev)
    for edition, page in pages.items():
        path = Path(year_out) / EDITION_FILES[edition]
        write_atomic(path, page)
        written[edition] = path
    return written


__all__ = [
    "ANALYSIS_SUBDIR",
    "BUILD_FILE",
    "EXECUTED_SUBDIR",
    "INDEX_FILE",
    "chapter_outputs",
    "chapter_source",
    "load_executed",
    "write_chapter",
    "write_editions",
]
