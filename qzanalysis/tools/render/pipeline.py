"""Render reports: choose the declared chapters, run them, write each chapter's pages and executed notebook,
then assemble the single-file editions (publication, review, analysis), the index and the build page.

`render_year` renders one school's year. `render_targets` renders several reports (every school of a collection,
and the area report) in one run: their notebooks share one pool of warm kernels, so N reports do not pay a
kernel start and the imports for every chapter of every school.

Only chapters declared in the outline (`qzanalysis/metadata/outline.yaml`, or the area report's own outline) are
rendered and listed; other notebooks in the folder (e.g. JupyterLab's ``ch02_students-Copy1.ipynb``) are named in
a warning and left alone, and a chapter that is no longer declared leaves the state, the index and the output.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qzanalysis.core.outline import Chapter
from qzanalysis.tools.render import project
from qzanalysis.tools.render.assemble import EDITION_FILES, EDITION_NAMES, Provenance
from qzanalysis.tools.render.export import (
    ANALYSIS_SUBDIR,
    BUILD_FILE,
    INDEX_FILE,
    chapter_outputs,
    chapter_source,
    load_executed,
    write_chapter,
    write_editions,
)
from qzanalysis.tools.render.files import write_atomic
from qzanalysis.tools.render.index import ChapterEntry, build_html, headline_table, index_html
from qzanalysis.tools.render.state import RenderState, chapter_key, library_fingerprint, years_fingerprint

if TYPE_CHECKING:
    from qzanalysis.core.dataset import YearData

PDF_FILE = "publication.pdf"
# Pages are built in threads while kernels run. Building is pure-Python CPU work (one thread at a time runs under
# the GIL anyway), and some libraries it uses import lazily in ways that are not thread-safe (pygments' lexers):
# one build at a time.
_BUILDING = threading.Lock()


@dataclass
class ChapterResult:
    name: str
    status: str  # rendered | skipped | failed
    seconds: float = 0.0
    error: str | None = None
    report_html: Path | None = None
    analysis_html: Path | None = None


@dataclass
class RenderResult:
    year: int
    out_dir: Path  # the report's folder, e.g. <out>/<year>
    chapters: list[ChapterResult] = field(default_factory=list)
    index_html: Path | None = None
    editions: dict[str, Path] = field(default_factory=dict)  # single-file editions on disk, by edition

    @property
    def failed(self) -> list[ChapterResult]:
        return [c for c in self.chapters if c.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


@dataclass
class Target:
    """One report to render: a school's year, or the area report over a collection.

    `data_fingerprint` covers every input file the notebooks read (a change re-renders every chapter);
    `data_version` is the short version printed in footers; `headline` returns the build page's headline HTML.
    `data_dir` is the school's data root (None: the default data/); the area report has no single school's
    data (`is_area`), so its editions have no school cover, summary or preface, and `title` names it.
    """

    year: int
    out: Path
    notebooks_dir: Path
    outline: tuple[Chapter, ...]
    params: dict
    school: str  # the name in titles and footers
    data_fingerprint: str
    data_version: str
    label: str = ""  # prefix of log lines and job names, e.g. the school's id
    headline: Callable[[], str] | None = None
    chapters_apply: bool = True  # whether a run's `chapters` selection applies (not to the area report)
    data_dir: str | None = None
    is_area: bool = False
    title: str = ""
    load: Callable[[], YearData] | None = None  # the school's data, loaded once per run (see school_target)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _now() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")


# ---- which chapters -----------------------------------------------------------------------------------
def declared_notebooks(
    notebooks_dir: Path,
    outline: Sequence[Chapter],
    chapters: list[str] | str | None = None,
    log: Callable[[str], None] = _log,
) -> list[tuple[Chapter, Path]]:
    """The outline's chapters whose notebook is in `notebooks_dir`, in outline order.

    `chapters` ("ch01,ch03" or a list) picks by stem or stem prefix. Other notebooks in the folder are named in
    a warning (`log`), never run. Raises ValueError for a `chapters` token that matches no declared chapter.
    """
    notebooks_dir = Path(notebooks_dir)
    declared = {c.notebook for c in outline}
    present = [(c, notebooks_dir / f"{c.notebook}.ipynb") for c in outline]
    found = [(c, p) for c, p in present if p.is_file()]
    strays = sorted(p.name for p in notebooks_dir.glob("*.ipynb") if p.stem not in declared)
    if strays:
        log(
            f"已忽略未在提纲中声明的笔记本：{'、'.join(strays)}"
            "（只生成 qzanalysis/metadata/outline.yaml 中声明的章节；副本请删除或改名）"
        )
    if not chapters:
        return found
    if isinstance(chapters, str):
        chapters = chapters.split(",")
    wanted = [c.strip().removesuffix(".ipynb") for c in chapters if c.strip()]
    picked, unknown = [], []
    for token in wanted:
        hits = [(c, p) for c, p in found if c.notebook == token or c.notebook.startswith(token + "_")]
        if not hits:
            unknown.append(token)
        picked += [h for h in hits if h not in picked]
    if unknown:
        raise ValueError(f"找不到章节 {', '.join(unknown)}（在 {notebooks_dir} 中，且须在提纲中声明）")
    return [h for h in found if h in picked]


def _outputs(year_out: Path, name: str) -> tuple[Path, Path]:
    """(review page, analysis page) of one chapter."""
    review, analysis, _ = chapter_outputs(year_out, name)
    return review, analysis


# ---- one school's year ----------------------------------------------------------------------------------
def render_year(
    year: int,
    data_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    force: bool = False,
    jobs: int = 2,
    chapters: list[str] | str | None = None,
    *,
    headline: list[str] | None = None,
    lib_dir: str | Path | None = None,
    timeout: int = 600,
    log=_log,
    warm: bool = True,
    pdf: bool = False,
) -> RenderResult:
    """Execute the declared chapter notebooks for `year` and write `<out_dir>/<year>/` (default `reports/<year>/`).

    Unchanged chapters are skipped unless `force`. A failing chapter keeps its previous good HTML; it is
    recorded as failed in the state file and shown as failed on the build page. `lib_dir` (default: the
    qzanalysis package) is the library tree hashed for change detection; tests point it elsewhere.
    With `pdf`, the publication edition is also printed to `publication.pdf`.
    Raises DataValidationError (before anything is written) when the year's data fail validation, BrowserError
    (before anything runs) for `pdf` without a browser, ValueError for unknown `chapters` or when there are no
    notebooks, and `Interrupted` on Ctrl+C or SIGTERM.
    """
    from qzanalysis.core.outline import chapters as outline

    # Bad data, an implausible indicator or a missing school name fail here, before any kernel starts and
    # before anything is written.
    from qzanalysis.tools.common import publishable_year

    year = int(year)
    data_dir_abs = str(Path(data_dir).resolve()) if data_dir is not None else None
    if pdf:
        require_browser()
    data = publishable_year(year, data_dir_abs)
    target = school_target(
        year,
        data_dir_abs,
        Path(out_dir or project.reports_dir()).resolve() / str(year),
        Path(notebooks_dir or project.notebooks_dir()).resolve(),
        outline(),
        data.school_name,
        headline_ids=headline,
        data=data,
    )
    return render_targets([target], force=force, jobs=jobs, chapters=chapters, lib_dir=lib_dir,
                          timeout=timeout, log=log, warm=warm, pdf=pdf)[0]  # fmt: skip


def require_browser() -> None:
    """Raises BrowserError (saying how to get one) when no Chromium, Chrome or Edge is found for `--pdf`."""
    from qzanalysis.tools.render.browser import HOW_TO_GET_ONE, BrowserError, find_browser

    if find_browser() is None:
        raise BrowserError(HOW_TO_GET_ONE)


def school_target(
    year: int,
    data_dir_abs: str | None,
    out: Path,
    notebooks_dir: Path,
    outline: Sequence[Chapter],
    school: str,
    *,
    label: str = "",
    headline_ids: list[str] | None = None,
    data=None,
) -> Target:
    """The Target of one school's year whose data root is `data_dir_abs` (None: the default data/). `data`: the
    year's YearData when the caller has already loaded and validated it (read once, used for the build page's
    headline and the editions' cover and summary)."""
    from qzanalysis.core.dataset import load_year

    load = _Once((lambda: data) if data is not None else (lambda: load_year(year, data_dir_abs)))
    return Target(
        year=year,
        out=out,
        notebooks_dir=notebooks_dir,
        outline=tuple(outline),
        params={"year": year, "data_dir": data_dir_abs},
        school=school,
        data_fingerprint=years_fingerprint(project.year_dir(year, data_dir_abs).parent, year),
        data_version=project.data_version(year, data_dir_abs),
        label=label,
        headline=lambda: headline_table(year, data_dir_abs, headline_ids, load=load),
        data_dir=data_dir_abs,
        load=load,
    )


# ---- several reports in one run ----------------------------------------------------------------------------
@dataclass
class _Plan:
    target: Target
    state: RenderState
    result: RenderResult
    current: list[tuple[Chapter, Path]]  # declared chapters with a notebook: what the index lists
    todo: list[tuple[Chapter, Path, str]]
    write_index: bool
    recovered: bool
    headline: _Background | None = None
    provenance: Provenance | None = None
    finished: bool = False  # its index and editions are written (as soon as its last chapter is done)


def render_targets(
    targets: Sequence[Target],
    *,
    force: bool = False,
    jobs: int = 2,
    chapters: list[str] | str | None = None,
    lib_dir: str | Path | None = None,
    timeout: int = 600,
    log=_log,
    warm: bool = True,
    pdf: bool = False,
) -> list[RenderResult]:
    """Render every target; their notebooks run together on `jobs` kernels. One RenderResult per target.
    With `pdf`, each target's publication edition is also printed to `publication.pdf`.

    Raises ValueError when a target has no declared notebook or `chapters` names an unknown one, and
    `execute.Interrupted` on Ctrl+C or SIGTERM (chapters already written stay recorded; nothing is blamed).
    """
    version = project.package_version()
    lib_fp = library_fingerprint(Path(lib_dir) if lib_dir else project.PACKAGE_DIR)
    plans = []
    for target in targets:
        current = declared_notebooks(target.notebooks_dir, target.outline, None, log)
        if not current:
            raise ValueError(f"{target.notebooks_dir} 中没有提纲声明的章节笔记本")
        wanted = chapters if target.chapters_apply else None
        selected = declared_notebooks(target.notebooks_dir, target.outline, wanted, lambda m: None)
        plans.append(_plan(target, current, selected, force, lib_fp, version, log, pdf))
    todo = [p for p in plans if p.todo]
    if todo:
        _run(todo, jobs, timeout, log, warm, pdf)
    for plan in plans:
        if not plan.finished:
            _finish(plan, log, pdf)
    return [p.result for p in plans]


def _prefix(target: Target) -> str:
    """'s01/' before a chapter's name in job names and messages ('' for a single school's run)."""
    return f"{target.label}/" if target.label else ""


def _about(target: Target) -> str:
    """'（s01）' after a message about the whole report ('' for a single school's run)."""
    return f"（{target.label}）" if target.label else ""


def _plan(target, current, selected, force, lib_fp, version, log, pdf=False) -> _Plan:
    state = RenderState.load(target.out)
    result = RenderResult(target.year, target.out)
    todo, skipped = [], []
    recovered = False  # a chapter marked failed whose last good HTML is current again
    for chapter, path in selected:
        key = chapter_key(path, target.data_fingerprint, lib_fp, target.params, version)
        report, analysis = _outputs(target.out, chapter.notebook)
        if not force and state.is_fresh(
            chapter.notebook, key, list(chapter_outputs(target.out, chapter.notebook))
        ):
            recovered |= state.chapters[chapter.notebook].get("status") != "ok"
            state.mark_skipped(chapter.notebook)
            skipped.append(chapter.notebook)
            result.chapters.append(ChapterResult(chapter.notebook, "skipped", 0.0, None, report, analysis))
        else:
            todo.append((chapter, path, key))
    if skipped:
        log(f"跳过{_about(target)}（无变化，--force 可强制重跑）：{', '.join(skipped)}")
    stale = set(state.chapters) - {c.notebook for c, _ in current}
    site_files = [
        target.out / f for f in (INDEX_FILE, BUILD_FILE, EDITION_FILES["review"], EDITION_FILES["analysis"])
    ]
    write_index = bool(todo) or recovered or bool(stale) or not all(p.is_file() for p in site_files) or pdf
    plan = _Plan(target, state, result, current, todo, write_index, recovered)
    # The headline table loads the data (~1 s); do it while the kernels start instead of afterwards.
    if write_index and target.headline is not None:
        plan.headline = _Background(target.headline)
    plan.provenance = _provenance(target)
    return plan


def _run(plans: list[_Plan], workers: int, timeout: int, log, warm: bool, pdf: bool = False) -> None:
    import nbformat  # deferred: a fully skipped run never pays for the notebook stack

    from qzanalysis.tools.render.execute import Interrupted, Job, run_notebooks
    from qzanalysis.tools.render.params import inject_parameters

    jobs = []
    for plan in plans:
        for chapter, path, key in plan.todo:
            name = _prefix(plan.target) + chapter.notebook
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception as exc:  # e.g. a merge conflict left in the JSON: fail this chapter only
                error = f"{name}: 无法读取笔记本: {type(exc).__name__}: {exc}"
                plan.state.mark_failed(chapter.notebook, error, title=chapter.title, failed_at=_now())
                plan.result.chapters.append(ChapterResult(chapter.notebook, "failed", 0.0, error))
                log(f"✘ {name} 失败\n  {error}")
                continue
            origins = inject_parameters(nb, plan.target.params)
            extra = {"key": key, "title": chapter.title, "chapter": chapter.notebook, "plan": plan}
            data = None if plan.target.is_area else (plan.target.year, plan.target.data_dir)
            jobs.append(Job(name, nb, origins, extra, cwd=plan.target.notebooks_dir, data=data))
    # One report after another (each school's years are read once for all its chapters, and its editions are
    # written while the next school runs); within a report, the longest chapters first (timings from the last
    # run) so that the kernels finish together.
    order = {id(plan): i for i, plan in enumerate(plans)}
    jobs.sort(
        key=lambda j: (
            order[id(j.extra["plan"])],
            -float(j.extra["plan"].state.chapters.get(j.extra["chapter"], {}).get("seconds") or 1e9),
        )
    )

    lock = threading.Lock()
    counts = {"done": 0, "failed": 0}
    remaining = {id(plan): 0 for plan in plans}
    for job in jobs:
        remaining[id(job.extra["plan"])] += 1

    def on_start(job):
        log(f"▶ {job.name} 开始")

    def on_finish(outcome):
        plan = outcome.job.extra["plan"]
        failed = _export(outcome, lock, log)
        with lock:
            counts["done"] += 1
            counts["failed"] += failed
            remaining[id(plan)] -= 1
            last = remaining[id(plan)] == 0
        if last:  # this report is complete: write its editions while the kernels go on with the others
            _finish(plan, log, pdf)

    started = time.perf_counter()
    try:
        run_notebooks(
            jobs,
            workers=workers,
            cwd=plans[0].target.notebooks_dir,
            timeout=timeout,
            on_start=on_start,
            on_finish=on_finish,
            warm=warm,
            log=log,
        )
    except Interrupted:
        # What finished was written whole and recorded: keep that, and blame nothing that was cut short.
        for plan in plans:
            plan.state.save()
        raise
    log(
        f"共运行 {counts['done']} 章，失败 {counts['failed']} 章，用时 {time.perf_counter() - started:.1f} 秒"
    )


def _export(outcome, lock: threading.Lock, log) -> bool:
    """Write a finished chapter's pages and executed notebook and record it; returns whether it failed."""
    job = outcome.job
    plan: _Plan = job.extra["plan"]
    name = job.extra["chapter"]
    report, analysis = _outputs(plan.target.out, name)
    error = outcome.error
    if error is None:
        try:
            assert plan.provenance is not None
            with _BUILDING:
                write_chapter(
                    plan.target.out, name, job.nb, job.extra["title"], plan.provenance, plan.target.outline
                )
        except Exception as exc:
            error = f"{job.name}: HTML 导出失败: {type(exc).__name__}: {exc}"
    job.nb = None  # exported: a run of hundreds of chapters must not keep every executed notebook in memory
    with lock:
        if error is None:
            outputs = [
                p.relative_to(plan.target.out).as_posix() for p in chapter_outputs(plan.target.out, name)
            ]
            plan.state.mark_ok(
                name,
                job.extra["key"],
                title=job.extra["title"],
                rendered_at=_now(),
                seconds=round(outcome.seconds, 2),
                outputs=outputs,
            )
            plan.result.chapters.append(
                ChapterResult(name, "rendered", outcome.seconds, None, report, analysis)
            )
            retried = "（首个内核意外退出，已用新内核重试）" if outcome.retried else ""
            log(f"✔ {job.name} 完成 {outcome.seconds:.1f} 秒{retried}")
        else:
            plan.state.mark_failed(name, error, title=job.extra["title"], failed_at=_now())
            plan.result.chapters.append(ChapterResult(name, "failed", outcome.seconds, error, None, None))
            log(f"✘ {job.name} 失败 {outcome.seconds:.1f} 秒\n  {error}")
    return error is not None


def _finish(plan: _Plan, log, pdf: bool = False) -> None:
    """Drop chapters no longer declared, save the state, write the build page, the editions and the index."""
    plan.finished = True
    target, state = plan.target, plan.state
    current = {c.notebook for c, _ in plan.current}
    removed = state.drop(set(state.chapters) - current, target.out, default_outputs=_default_outputs)
    if removed:
        log(f"已移除{_about(target)}不再声明的章节及其输出：{'、'.join(removed)}")
    if plan.todo or plan.recovered or removed:
        state.save()
    result = plan.result
    result.index_html = target.out / INDEX_FILE
    if plan.write_index:
        headline = plan.headline.result() if plan.headline is not None else ""
        with _BUILDING:
            _write_build(plan, headline)
        result.editions = _write_site(plan, log, pdf)
        log(f"目录{_about(target)}：{result.index_html}")
    else:
        result.editions = {e: target.out / f for e, f in EDITION_FILES.items() if (target.out / f).is_file()}
    result.chapters.sort(key=lambda c: c.name)


def _default_outputs(name: str) -> list[str]:
    """What a chapter wrote before the state recorded its outputs."""
    return [p.relative_to("_").as_posix() for p in chapter_outputs(Path("_"), name)]


class _Once:
    """`fn()` computed at most once, from any thread; later calls return the same value (or raise again)."""

    def __init__(self, fn):
        self._fn = fn
        self._lock = threading.Lock()
        self._done = False
        self._value = self._error = None

    def __call__(self):
        with self._lock:
            if not self._done:
                try:
                    self._value = self._fn()
                except Exception as exc:  # handed to every caller
                    self._error = exc
                self._done = True
        if self._error is not None:
            raise self._error
        return self._value


class _Background:
    """Run `fn` in a daemon thread; `result()` waits and re-raises."""

    def __init__(self, fn):
        self._value = self._error = None
        self._thread = threading.Thread(target=self._target, args=(fn,), daemon=True)
        self._thread.start()

    def _target(self, fn):
        try:
            self._value = fn()
        except BaseException as exc:  # handed to the caller
            self._error = exc

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _write_build(plan: _Plan, headline_html: str) -> None:
    """The analysts' build page: every chapter's pages, status and timing; headline indicators; provenance."""
    target, state = plan.target, plan.state
    entries = []
    for chapter, _ in plan.current:
        name = chapter.notebook
        info = state.chapters.get(name, {})
        report, analysis = _outputs(target.out, name)
        has_html = report.is_file() and "key" in info
        status = info.get("status", "ok") if info else "missing"
        if status == "ok" and not has_html:
            status = "missing"
        entries.append(
            ChapterEntry(
                name=name,
                title=chapter.title,
                status=status,
                report_href=f"{name}.html" if has_html else None,
                analysis_href=f"{ANALYSIS_SUBDIR}/{name}.html" if has_html and analysis.is_file() else None,
                rendered_at=info.get("rendered_at"),
                seconds=info.get("seconds"),
                error=info.get("error"),
            )
        )
    html = build_html(
        school=target.school,
        year=target.year,
        chapters=entries,
        headline=headline_html,
        data_version=target.data_version,
        package_version=project.package_version(),
        commit=project.git_commit(),
        rendered_at=_now(),
    )
    write_atomic(target.out / BUILD_FILE, html)


def _provenance(target: Target) -> Provenance:
    source = None
    if not target.is_area:
        try:
            import yaml

            manifest = project.year_dir(target.year, target.data_dir) / "manifest.yaml"
            source = (yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}).get("source")
        except Exception:  # the manifest is optional; the data checks report its problems
            source = None
    return Provenance(
        year=target.year,
        school=target.school,
        data_version=target.data_version,
        program_version=project.package_version(),
        generated_at=_now(),
        commit=project.git_commit(),
        data_source=str(source).strip() if source else None,
    )


def _write_site(plan: _Plan, log, pdf: bool = False) -> dict[str, Path]:
    """The single-file editions from every chapter's last good executed notebook, then the index page.

    The publication edition is written only when every chapter it holds has executed and none failed in
    this run: a leader never receives a report assembled around a broken chapter."""
    target, state = plan.target, plan.state
    names = [c.notebook for c, _ in plan.current]
    titles = {c.notebook: c.title for c, _ in plan.current}
    executed = load_executed(target.out, names)
    sources = [chapter_source(n, nb, titles[n], target.outline) for n, nb in executed.items()]
    order = {c.notebook: i for i, c in enumerate(target.outline)}
    sources.sort(key=lambda s: (order.get(s.name, len(order)), s.name))
    failed = [
        state.chapters[n].get("title") or n
        for n in names
        if state.chapters.get(n, {}).get("status") == "failed"
    ]
    data = prev = None
    if target.is_area:
        title = target.title
    else:
        from qzanalysis.core.years import previous_year

        assert target.load is not None
        data = target.load()
        prev = previous_year(data)
        fallback = f"{target.year} 年度中等职业教育质量报告"
        title = data.profile.title(target.year) if data.profile is not None else fallback
    prov = _provenance(target)
    prov.failed = failed
    if target.is_area:
        prov.title = title
    publication = [n for n in names if "publication" in chapter_source(n, {}, None, target.outline).editions]
    publish = not failed and all(n in executed for n in publication)
    if not publish:
        log(f"发布版未更新{_about(target)}：有章节生成失败或尚未生成（审阅版中列出）。")
    with _BUILDING:  # not while the PDF prints: that is a browser's work
        written = write_editions(target.out, sources, prov, data=data, prev=prev, publish=publish)
    editions = {e: target.out / f for e, f in EDITION_FILES.items() if (target.out / f).is_file()}
    pdf_path = target.out / PDF_FILE
    if pdf and "publication" in editions:
        from qzanalysis.tools.render.pdf import print_pdf

        started = time.perf_counter()
        print_pdf(editions["publication"], pdf_path, footer=f"{prov.school} {title}")
        log(f"发布版 PDF{_about(target)}：{pdf_path}（{time.perf_counter() - started:.1f} 秒）")
    elif pdf:
        log(f"没有发布版{_about(target)}，未生成 PDF。")
    write_atomic(
        target.out / INDEX_FILE,
        index_html(
            school=prov.school,
            year=target.year,
            title=title,
            editions={e: p.name for e, p in editions.items()},
            pdf=pdf_path.name if pdf_path.is_file() else None,
        ),
    )
    for edition, path in written.items():
        log(f"{EDITION_NAMES[edition]}{_about(target)}：{path}（{path.stat().st_size / 1024 / 1024:.1f} MB）")
    return editions


def fingerprint(parts: Sequence[str]) -> str:
    """One fingerprint over several (e.g. every school's data fingerprint and the collection file)."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()
