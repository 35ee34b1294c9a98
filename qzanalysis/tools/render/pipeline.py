"""`render_year`: decide which chapters to run, run them, write each chapter's pages and executed notebook,
then assemble the single-file editions (publication, review, analysis), the index and the build page."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

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

PDF_FILE = "publication.pdf"


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
    out_dir: Path  # <out>/<year>
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


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _now() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")


def select_notebooks(notebooks_dir: Path, chapters: list[str] | str | None) -> list[Path]:
    """`ch*.ipynb` in `notebooks_dir`, sorted; `chapters` ("ch01,ch03" or a list) matches stems or prefixes."""
    found = sorted(Path(notebooks_dir).glob("ch*.ipynb"))
    if not chapters:
        return found
    if isinstance(chapters, str):
        chapters = chapters.split(",")
    wanted = [c.strip().removesuffix(".ipynb") for c in chapters if c.strip()]
    picked, unknown = [], []
    for token in wanted:
        hits = [p for p in found if p.stem == token or p.stem.startswith(token + "_")]
        if not hits:
            unknown.append(token)
        picked += [p for p in hits if p not in picked]
    if unknown:
        raise ValueError(f"找不到章节 {', '.join(unknown)}（在 {notebooks_dir} 中）")
    return sorted(picked)


def chapter_title(nb: dict, fallback: str) -> str:
    """`metadata.qz.title`, else the first Markdown heading, else the file stem."""
    title = nb.get("metadata", {}).get("qz", {}).get("title")
    if title:
        return str(title)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            match = re.search(r"^#+\s+(.+)$", source, re.MULTILINE)
            if match:
                return match.group(1).strip()
    return fallback


def _outputs(year_out: Path, name: str) -> tuple[Path, Path]:
    review, analysis, _ = chapter_outputs(year_out, name)
    return review, analysis


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
    pdf: bool = False,
) -> RenderResult:
    """Execute the chapter notebooks for `year` and write `<out_dir>/<year>/` (default `reports/<year>/`).

    Unchanged chapters are skipped unless `force`. A failing chapter keeps its previous good HTML; it is
    recorded as failed in the state file and shown as failed on the index. `lib_dir` (default: the
    qzanalysis package) is the library tree hashed for change detection; tests point it elsewhere.
    Raises ValueError for unknown `chapters` or when there are no notebooks. With `pdf`, the publication
    edition is also printed to `publication.pdf`; without a browser, BrowserError is raised before anything
    runs or is written.
    """
    year = int(year)
    nb_dir = Path(notebooks_dir or project.notebooks_dir()).resolve()
    year_out = Path(out_dir or project.reports_dir()).resolve() / str(year)
    data_dir_abs = str(Path(data_dir).resolve()) if data_dir is not None else None
    params = {"year": year, "data_dir": data_dir_abs}

    if pdf:
        from qzanalysis.tools.render.browser import HOW_TO_GET_ONE, BrowserError, find_browser

        if find_browser() is None:
            raise BrowserError(HOW_TO_GET_ONE)
    selected = select_notebooks(nb_dir, chapters)
    if not selected:
        raise ValueError(f"{nb_dir} 中没有章节笔记本（ch*.ipynb）")

    # Bad data, an implausible indicator or a missing school name fail here, before any kernel starts and
    # before anything is written.
    from qzanalysis.tools.common import publishable_year

    school = publishable_year(year, data_dir_abs).school_name

    version = project.package_version()
    data_fp = years_fingerprint(project.year_dir(year, data_dir_abs).parent, year)
    lib_fp = library_fingerprint(Path(lib_dir) if lib_dir else project.PACKAGE_DIR)
    state = RenderState.load(year_out)
    result = RenderResult(year, year_out)

    todo: list[tuple[Path, str]] = []
    skipped: list[str] = []
    recovered = False  # a chapter marked failed whose last good HTML is current again
    for path in selected:
        key = chapter_key(path, data_fp, lib_fp, params, version)
        report, analysis = _outputs(year_out, path.stem)
        if not force and state.is_fresh(path.stem, key, list(chapter_outputs(year_out, path.stem))):
            recovered |= state.chapters[path.stem].get("status") != "ok"
            state.mark_skipped(path.stem)
            skipped.append(path.stem)
            result.chapters.append(ChapterResult(path.stem, "skipped", 0.0, None, report, analysis))
        else:
            todo.append((path, key))
    if skipped:
        log(f"跳过（无变化，--force 可强制重跑）：{', '.join(skipped)}")

    index_path = year_out / INDEX_FILE
    site_files = [index_path, year_out / BUILD_FILE] + [
        year_out / f for f in ("review.html", "analysis.html")
    ]
    write_index = bool(todo) or recovered or not all(p.is_file() for p in site_files) or pdf
    # The headline table loads the data (~1 s); do it while the kernels start instead of afterwards.
    headline_html = _Background(lambda: headline_table(year, data_dir_abs, headline)) if write_index else None
    if todo:
        result.chapters += _run(
            todo, year, year_out, nb_dir, params, state, jobs, timeout, data_dir_abs, log, school
        )
        state.save()
    elif recovered:
        state.save()
    if headline_html is not None:
        _write_index(year, data_dir_abs, nb_dir, year_out, state, headline_html.result(), school)
        result.editions = _write_site(year, data_dir_abs, nb_dir, year_out, state, result, log, pdf)
        result.index_html = index_path
        log(f"目录：{index_path}")
    else:
        result.index_html = index_path
        result.editions = {e: year_out / f for e, f in EDITION_FILES.items() if (year_out / f).is_file()}
    result.chapters.sort(key=lambda c: c.name)
    return result


def _run(todo, year, year_out, nb_dir, params, state, workers, timeout, data_dir_abs, log, school):
    import nbformat  # deferred: a fully skipped run never pays for the notebook stack

    from qzanalysis.tools.render.execute import Job, run_notebooks
    from qzanalysis.tools.render.params import inject_parameters

    prov = _provenance(year, data_dir_abs, school)
    jobs = []
    results: list[ChapterResult] = []
    for path, key in todo:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as exc:  # e.g. a merge conflict left in the JSON: fail this chapter only
            error = f"{path.stem}: 无法读取笔记本: {type(exc).__name__}: {exc}"
            state.mark_failed(path.stem, error, failed_at=_now())
            results.append(ChapterResult(path.stem, "failed", 0.0, error))
            log(f"✘ {path.stem} 失败\n  {error}")
            continue
        title = chapter_title(nb, path.stem)
        origins = inject_parameters(nb, params)
        jobs.append(Job(path.stem, nb, origins, {"key": key, "title": title}))
    # Longest chapters first (timings from the last run) so the kernels finish together.
    jobs.sort(key=lambda j: -float(state.chapters.get(j.name, {}).get("seconds") or 1e9))

    lock = threading.Lock()

    def on_start(job):
        log(f"▶ {job.name} 开始")

    def on_finish(outcome):
        job = outcome.job
        error = outcome.error
        if error is None:
            try:
                write_chapter(year_out, job.name, job.nb, job.extra["title"], prov)
            except Exception as exc:
                error = f"{job.name}: HTML 导出失败: {type(exc).__name__}: {exc}"
        with lock:
            if error is None:
                state.mark_ok(
                    job.name,
                    job.extra["key"],
                    title=job.extra["title"],
                    rendered_at=_now(),
                    seconds=round(outcome.seconds, 2),
                )
                report, analysis = _outputs(year_out, job.name)
                results.append(ChapterResult(job.name, "rendered", outcome.seconds, None, report, analysis))
                log(f"✔ {job.name} 完成 {outcome.seconds:.1f} 秒")
            else:
                state.mark_failed(job.name, error, title=job.extra["title"], failed_at=_now())
                results.append(ChapterResult(job.name, "failed", outcome.seconds, error, None, None))
                log(f"✘ {job.name} 失败 {outcome.seconds:.1f} 秒\n  {error}")

    started = time.perf_counter()
    run_notebooks(jobs, workers=workers, cwd=nb_dir, timeout=timeout, on_start=on_start, on_finish=on_finish)
    failed = sum(r.status == "failed" for r in results)
    log(f"共运行 {len(results)} 章，失败 {failed} 章，用时 {time.perf_counter() - started:.1f} 秒")
    return results


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


def _write_index(year, data_dir_abs, nb_dir, year_out, state, headline_html: str, school: str):
    names = {p.stem for p in nb_dir.glob("ch*.ipynb")} | set(state.chapters)
    entries = []
    for name in sorted(names):
        info = state.chapters.get(name, {})
        report, analysis = _outputs(year_out, name)
        title = info.get("title")
        if not title:
            try:
                title = chapter_title(json.loads((nb_dir / f"{name}.ipynb").read_text("utf-8")), name)
            except (OSError, ValueError):
                title = name
        has_html = report.is_file() and "key" in info
        status = info.get("status", "ok") if info else "missing"
        if status == "ok" and not has_html:
            status = "missing"
        entries.append(
            ChapterEntry(
                name=name,
                title=title,
                status=status,
                report_href=f"{name}.html" if has_html else None,
                analysis_href=f"{ANALYSIS_SUBDIR}/{name}.html" if has_html and analysis.is_file() else None,
                rendered_at=info.get("rendered_at"),
                seconds=info.get("seconds"),
                error=info.get("error"),
            )
        )
    html = build_html(
        school=school,
        year=year,
        chapters=entries,
        headline=headline_html,
        data_version=project.data_version(year, data_dir_abs),
        package_version=project.package_version(),
        commit=project.git_commit(),
        rendered_at=_now(),
    )
    write_atomic(year_out / BUILD_FILE, html)


def _provenance(year, data_dir_abs, school) -> Provenance:
    source = None
    try:
        import yaml

        manifest = project.year_dir(year, data_dir_abs) / "manifest.yaml"
        source = (yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}).get("source")
    except Exception:  # the manifest is optional; the data checks report its problems
        source = None
    return Provenance(
        year=year,
        school=school,
        data_version=project.data_version(year, data_dir_abs),
        program_version=project.package_version(),
        generated_at=_now(),
        commit=project.git_commit(),
        data_source=str(source).strip() if source else None,
    )


def _write_site(
    year, data_dir_abs, nb_dir, year_out, state, result, log, pdf: bool = False
) -> dict[str, Path]:
    """The single-file editions from every chapter's last good executed notebook, then the index page.

    The publication edition is written only when every chapter it holds has executed and none failed in
    this run: a leader never receives a report assembled around a broken chapter."""
    from qzanalysis.core.dataset import load_year
    from qzanalysis.core.years import previous_year

    names = sorted({p.stem for p in nb_dir.glob("ch*.ipynb")} | set(state.chapters))
    executed = load_executed(year_out, names)
    sources = [chapter_source(n, nb, state.chapters.get(n, {}).get("title")) for n, nb in executed.items()]
    order = _outline_order()
    sources.sort(key=lambda s: (order.get(s.name, len(order)), s.name))
    failed = [
        state.chapters[n].get("title") or n
        for n in names
        if state.chapters.get(n, {}).get("status") == "failed"
    ]
    data = load_year(year, data_dir_abs)
    prov = _provenance(year, data_dir_abs, data.school_name)
    prov.failed = failed
    prev = previous_year(data)
    publication = [n for n in names if "publication" in chapter_source(n, {}).editions]
    publish = not failed and all(n in executed for n in publication)
    if not publish:
        log("发布版未更新：有章节生成失败或尚未生成（审阅版中列出）。")
    written = write_editions(year_out, sources, prov, data=data, prev=prev, publish=publish)
    editions = {e: year_out / f for e, f in EDITION_FILES.items() if (year_out / f).is_file()}
    title = data.profile.title(year) if data.profile is not None else f"{year} 年度中等职业教育质量报告"
    pdf_path = year_out / PDF_FILE
    if pdf and "publication" in editions:
        from qzanalysis.tools.render.pdf import print_pdf

        started = time.perf_counter()
        print_pdf(editions["publication"], pdf_path, footer=f"{prov.school} {title}")
        log(f"发布版 PDF：{pdf_path}（{time.perf_counter() - started:.1f} 秒）")
    elif pdf:
        log("没有发布版，未生成 PDF。")
    write_atomic(
        year_out / INDEX_FILE,
        index_html(
            school=prov.school,
            year=year,
            title=title,
            editions={e: p.name for e, p in editions.items()},
            pdf=pdf_path.name if pdf_path.is_file() else None,
        ),
    )
    for edition, path in written.items():
        log(f"{EDITION_NAMES[edition]}：{path}（{path.stat().st_size / 1024 / 1024:.1f} MB）")
    return editions


def _outline_order() -> dict[str, int]:
    from qzanalysis.core.outline import chapters

    return {c.notebook: i for i, c in enumerate(chapters())}
