"""`qz render --all --year Y`: every school's report, the area report and an index of the schools, in one run.

Output, under the collection's reports folder (``reports:`` in collection.yaml, default ``reports/`` beside it)::

    <out>/<year>/index.html          the schools: links to each report, and the schools skipped with their findings
    <out>/<year>/<id>/...            each school's report, laid out as a single `qz render` writes it
    <out>/<year>/area/...            the area report (区域汇总), from notebooks/area/

A school whose data fail validation is listed with its findings and skipped; the others still render. All
notebooks of all reports share one pool of warm kernels (see tools/render/execute.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qzanalysis.core import outline
from qzanalysis.core.collection import Collection, SchoolYear, read_schools
from qzanalysis.indicators.plausibility import read_checked_year
from qzanalysis.tools.common import missing_name
from qzanalysis.tools.render import project
from qzanalysis.tools.render.pipeline import (
    RenderResult,
    Target,
    _log,
    fingerprint,
    render_targets,
    require_browser,
    school_target,
)
from qzanalysis.tools.render.state import years_fingerprint

AREA_DIR = "area"  # the area report's folder beside the schools' (a school id may not take this name)
AREA_NOTEBOOKS = "area"  # notebooks/area/


@dataclass
class CollectionResult:
    year: int
    out_dir: Path  # <out>/<year>
    schools: list[SchoolYear]
    reports: dict[str, RenderResult] = field(default_factory=dict)  # by school id, for the schools rendered
    area: RenderResult | None = None
    index_html: Path | None = None

    @property
    def skipped(self) -> list[SchoolYear]:
        return [s for s in self.schools if not s.ok]

    @property
    def ok(self) -> bool:
        results = [*self.reports.values(), *([self.area] if self.area else [])]
        return not self.skipped and all(r.ok for r in results)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def require_name(school: SchoolYear) -> None:
    """A report is not published without the school's name from its own school.yaml (as `qz render` requires):
    a school without one fails, and is listed and skipped."""
    missing = missing_name(school.data) if school.data.path.is_dir() else None
    if missing is not None:
        school.data.report.add(missing)


def area_fingerprint(collection: Collection, year: int) -> str:
    """The area report reads every school's years up to `year`, and the collection file."""
    parts = [hashlib.sha256(collection.path.read_bytes()).hexdigest()]
    parts += [f"{s.id}:{years_fingerprint(s.data_root, year)}" for s in collection.schools]
    return fingerprint(parts)


def area_target(collection: Collection, year: int, out: Path, notebooks_dir: Path, schools) -> Target:
    versions = [f"{s.school.id}:{project.data_version(year, s.school.data_root)}" for s in schools]
    return Target(
        year=year,
        out=out / AREA_DIR,
        notebooks_dir=notebooks_dir / AREA_NOTEBOOKS,
        outline=outline.area_chapters(),
        params={"year": year, "collection": str(collection.path)},
        school=collection.area,
        data_fingerprint=area_fingerprint(collection, year),
        data_version=fingerprint(versions)[:12],
        label=AREA_DIR,
        chapters_apply=False,
        is_area=True,
        title=collection.area_title(year),
    )


def render_collection(
    collection: Collection,
    year: int,
    *,
    out_dir: str | Path | None = None,
    only: Sequence[str] | None = None,
    area: bool = True,
    chapters: list[str] | str | None = None,
    force: bool = False,
    jobs: int = 2,
    timeout: int = 600,
    notebooks_dir: str | Path | None = None,
    lib_dir: str | Path | None = None,
    log: Callable[[str], None] = _log,
    warm: bool = True,
    pdf: bool = False,
) -> CollectionResult:
    """Render the schools of `collection` for `year` (all, or the ids in `only`), the area report (`area`), and
    the schools' index. `chapters` limits the schools' reports to some chapters (the area report is whole).
    With `pdf`, every publication edition is also printed to PDF. Raises KeyError for an unknown id in `only`,
    ValueError for unknown `chapters`, BrowserError (before anything runs) for `pdf` without a browser, and
    `Interrupted` on Ctrl+C or SIGTERM."""
    year = int(year)
    if pdf:
        require_browser()
    wanted = [collection.school(i).id for i in only] if only else [s.id for s in collection.schools]
    year_out = Path(out_dir or collection.reports_root).resolve() / str(year)
    nb_dir = Path(notebooks_dir or project.notebooks_dir()).resolve()
    # Validated (and each indicator's plausibility checked) before any kernel starts.
    schools = read_schools(collection, year, read_checked_year)
    for school in schools:
        require_name(school)
    result = CollectionResult(year, year_out, schools)
    targets: list[Target] = []
    for school in schools:
        if school.school.id not in wanted:
            continue
        if not school.ok:
            errors = school.data.report.errors
            log(f"✘ {school.school.id} {school.name}：数据未通过校验（{len(errors)} 个错误），已跳过")
            continue
        targets.append(
            school_target(
                year,
                str(school.school.data_root),
                year_out / school.school.id,
                nb_dir,
                outline.chapters(),
                school.name,
                label=school.school.id,
                data=school.data,  # validated above: read once
            )
        )
    if area and any(s.ok for s in schools):
        targets.append(area_target(collection, year, year_out, nb_dir, schools))
    results = render_targets(
        targets,
        force=force,
        jobs=jobs,
        chapters=chapters,
        lib_dir=lib_dir,
        timeout=timeout,
        log=log,
        warm=warm,
        pdf=pdf,
    )
    for target, rendered in zip(targets, results, strict=True):
        if target.label == AREA_DIR:
            result.area = rendered
        else:
            result.reports[target.label] = rendered
    from qzanalysis.tools.collection.index import write_collection_index

    result.index_html = write_collection_index(collection, result)
    log(f"学校目录：{result.index_html}")
    return result
