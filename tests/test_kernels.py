"""The execution engine: fresh state for every notebook, kernels that die or never start, the project's own
kernel, stray notebooks, and Ctrl+C/SIGTERM sent to a real `qz render` (issue 10's renderer, issue 11's speed)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from qzanalysis.core.outline import Chapter
from qzanalysis.tools.render import execute, render_year
from qzanalysis.tools.render.execute import Job, run_notebooks
from qzanalysis.tools.render.kernels import describe_exit, notebook_imports
from qzanalysis.tools.render.pipeline import render_targets, school_target
from qzanalysis.tools.render.state import STATE_FILE

FIXTURES = Path(__file__).parent / "fixtures" / "render"
QZ = Path(sys.executable).parent / "qz"
PARAMS = "year: int = 2021\ndata_dir: str | None = None"

# Everything a notebook can leave behind in its kernel: a variable, an rcParam, a registered font, a patched
# library function, an environment variable and a module-level cache.
LEAVE_STATE = """
import os
import pandas as pd
import matplotlib
from matplotlib import font_manager
import noto_cjk_sans_otc
from qzanalysis.core import values

LEAKED_VARIABLE = "school A"
matplotlib.rcParams["font.size"] = 31.5
font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
pd.DataFrame.to_html = lambda self, *args, **kwargs: "PATCHED BY SCHOOL A"
values.MISSING_TEXT = "LEAKED"
os.environ["QZ_LEAKED"] = "school A"
print("STATE LEFT")
"""
CHECK_STATE = """
import os
import pandas as pd
import matplotlib
from matplotlib import font_manager
from qzanalysis.core import values

leaks = []
if "LEAKED_VARIABLE" in globals():
    leaks.append("variable")
if matplotlib.rcParams["font.size"] == 31.5:
    leaks.append("rcParam")
if any("NotoSansCJK" in f.fname for f in font_manager.fontManager.ttflist):
    leaks.append("font")
if pd.DataFrame({"a": [1]}).to_html() == "PATCHED BY SCHOOL A":
    leaks.append("patched function")
if values.MISSING_TEXT == "LEAKED":
    leaks.append("module state")
if os.environ.get("QZ_LEAKED"):
    leaks.append("environment")
assert not leaks, f"state leaked from the previous notebook: {leaks}"
print("NO STATE LEAKED")
"""


def _notebook(*sources: str, title: str = "# 测试") -> nbformat.NotebookNode:
    cells = [new_markdown_cell(title), new_code_cell(PARAMS, metadata={"tags": ["parameters"]})]
    nb = new_notebook(cells=cells + [new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _job(name: str, *sources: str) -> Job:
    nb = _notebook(*sources)
    return Job(name, nb, list(range(len(nb.cells))))


def _outputs(outcome) -> str:
    return "".join(
        out.get("text", "")
        for cell in outcome.job.nb.cells
        for out in cell.get("outputs", [])
        if "text" in out
    )


# ---- no state crosses from one school's notebook to the next ----------------------------------------------
def test_state_left_by_one_school_does_not_reach_the_next(tmp_path):
    """School A's chapter changes everything it can; school B's chapter, run next on the same pool, sees none of
    it. Rendered through the real pipeline, one kernel at a time so that B really runs after A."""
    targets = []
    for school, source in (("a", LEAVE_STATE), ("b", CHECK_STATE)):
        nb_dir = tmp_path / school / "notebooks"
        nb_dir.mkdir(parents=True)
        nbformat.write(_notebook(source), nb_dir / "ch01_school.ipynb")
        (tmp_path / school / "data" / "2021").mkdir(parents=True)
        targets.append(
            school_target(
                2021,
                str(tmp_path / school / "data"),
                tmp_path / school / "out",
                nb_dir,
                [Chapter("ch01_school", "第一章 学校情况", 1)],
                f"学校{school}",
                label=school,
            )
        )
    messages: list[str] = []
    results = render_targets(targets, jobs=1, lib_dir=tmp_path, log=messages.append)
    assert all(r.ok for r in results), [c.error for r in results for c in r.failed]
    assert messages.index("▶ a/ch01_school 开始") < messages.index("▶ b/ch01_school 开始")
    assert "NO STATE LEAKED" in (tmp_path / "b" / "out" / "ch01_school.html").read_text("utf-8")
    assert "STATE LEFT" in (tmp_path / "a" / "out" / "ch01_school.html").read_text("utf-8")


def test_the_leak_check_fails_when_state_is_shared(tmp_path):
    """The check above can fail: in one kernel (both cells in one notebook) it names every leak."""
    [outcome] = run_notebooks([_job("shared", LEAVE_STATE, CHECK_STATE)], workers=1, cwd=tmp_path)
    assert outcome.error is not None
    for leak in ("variable", "rcParam", "font", "patched function", "module state", "environment"):
        assert leak in outcome.error


def test_warm_and_fresh_kernels_give_the_same_outputs(tmp_path):
    """A forked kernel is a fresh kernel: same paths, backend, figure bytes and printed output."""
    probe = (
        "import sys, os, matplotlib\nimport matplotlib.pyplot as plt\n"
        "print(matplotlib.get_backend(), os.getcwd(), [p for p in sys.path if 'site-packages' not in p])\n"
        "fig, ax = plt.subplots(figsize=(2, 1))\nax.plot([1, 2, 3])\nfig"
    )
    runs = {}
    for warm in (True, False):
        [outcome] = run_notebooks([_job("probe", probe)], workers=1, cwd=tmp_path, warm=warm)
        assert outcome.error is None, outcome.error
        outputs = outcome.job.nb.cells[-1].outputs
        runs[warm] = (_outputs(outcome), [o.get("data", {}).get("image/png") for o in outputs])
    assert runs[True] == runs[False]
    assert "matplotlib_inline" in runs[True][0] and runs[True][1][-1]


def test_many_short_kernels_lose_no_output(tmp_path):
    """A kernel's first output must not be lost while its output channel connects (ZeroMQ's slow joiner)."""
    jobs = [_job(f"n{i}", f"print('OUTPUT-{i}')") for i in range(8)]
    outcomes = run_notebooks(jobs, workers=2, cwd=tmp_path)
    assert [_outputs(o).strip() for o in outcomes] == [f"OUTPUT-{i}" for i in range(8)]


def test_preloaded_years_are_private_copies_that_follow_the_files(data_copy):
    """What the warm-kernel process reads once: every load_year gets its own copy, equal to a fresh read, and a
    file changed since is read again."""
    from qzanalysis.core import dataset

    dataset.preload_years(2021, data_copy)
    try:
        assert {p.name for p in dataset._PRELOADED} == {"2020", "2021"}  # the year and the earlier ones
        first, second = dataset.load_year(2021, data_copy), dataset.load_year(2021, data_copy)
        fresh = dataset.read_year(2021, data_copy)
        assert first is not second and first.table("fitness") is not second.table("fitness")
        assert first.facts.equals(fresh.facts) and first.table("fitness").equals(fresh.table("fitness"))
        first.tables["fitness"].loc[0, "pass_rate"] = -1.0  # what one chapter changes, the next does not see
        assert dataset.load_year(2021, data_copy).table("fitness").loc[0, "pass_rate"] != -1.0

        path = data_copy / "2021" / "fitness.csv"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("88.63", "87.63"), encoding="utf-8")
        assert 87.63 in set(dataset.load_year(2021, data_copy).table("fitness")["pass_rate"])
    finally:
        dataset._PRELOADED.clear()


def test_preload_is_what_the_notebooks_import():
    sources = ["import pandas as pd\nfrom qzanalysis.report.chapters import ch01_school\n%matplotlib inline"]
    assert notebook_imports(sources) == [
        "pandas",
        "qzanalysis.report.chapters",
        "qzanalysis.report.chapters.ch01_school",
    ]
    assert notebook_imports(["from . import x\nthis is not python"]) == []


# ---- kernels that die or never start ---------------------------------------------------------------------
@pytest.mark.parametrize("warm", [True, False], ids=["warm", "fresh"])
def test_a_kernel_that_dies_once_is_retried(tmp_path, warm):
    marker = tmp_path / "died-once"
    die_once = (
        "import os, pathlib, signal\n"
        f"marker = pathlib.Path({str(marker)!r})\n"
        "if not marker.exists():\n    marker.write_text('x')\n    os.kill(os.getpid(), signal.SIGKILL)\n"
        "print('SECOND KERNEL')"
    )
    messages: list[str] = []
    [outcome] = run_notebooks(
        [_job("ch03", die_once)], workers=1, cwd=tmp_path, warm=warm, log=messages.append
    )
    assert outcome.error is None and outcome.retried
    assert "SECOND KERNEL" in _outputs(outcome)
    assert any("SIGKILL" in m and "重试" in m for m in messages), messages


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import os\nos._exit(3)", "退出码 3"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "SIGKILL（9）"),
    ],
    ids=["exit-code", "signal"],
)
def test_a_kernel_that_dies_twice_is_reported_with_its_exit_status(tmp_path, source, expected):
    [outcome] = run_notebooks([_job("ch05", "print(1)", source)], workers=1, cwd=tmp_path)
    assert outcome.error is not None
    assert outcome.error.startswith("ch05: 内核在运行 cell 3 时意外退出")
    assert expected in outcome.error and "重试一次后仍然失败" in outcome.error
    assert "Kernel died" not in outcome.error and "AssertionError" not in outcome.error


@pytest.mark.parametrize("warm", [True, False], ids=["warm", "fresh"])
def test_a_kernel_that_never_starts_is_reported(tmp_path, monkeypatch, warm):
    # A kernel option that makes IPKernelApp refuse to start, in forked and in ordinary kernels alike.
    monkeypatch.setattr(
        execute, "KERNEL_ARGS", [*execute.KERNEL_ARGS, "--IPKernelApp.kernel_class=qz_nope.K"]
    )
    messages: list[str] = []
    [outcome] = run_notebooks(
        [_job("ch02", "print(1)")], workers=1, cwd=tmp_path, warm=warm, log=messages.append
    )
    assert outcome.error == "ch02: 内核未能启动（退出码 1）；用新内核重试一次后仍然失败"
    assert len([m for m in messages if m.startswith("⟳")]) == 1


def test_a_lost_zygote_means_fresh_kernels_not_failures(tmp_path):
    """If the warm-kernel process dies (e.g. killed when memory runs short), the run goes on with fresh kernels."""
    kill_zygote = (
        "import os, signal, pathlib\n"
        "parent = pathlib.Path(f'/proc/{os.getppid()}/cmdline').read_bytes()\n"
        "if b'render.zygote' in parent:\n    os.kill(os.getppid(), signal.SIGKILL)\n"
        "print('PARENT GONE')"
    )
    jobs = [_job("ch01", kill_zygote), _job("ch02", "print('AFTER')"), _job("ch03", "print('AFTER')")]
    messages: list[str] = []
    outcomes = run_notebooks(jobs, workers=1, cwd=tmp_path, log=messages.append)
    assert [o.error for o in outcomes] == [None, None, None], [o.error for o in outcomes]
    assert all("AFTER" in _outputs(o) for o in outcomes[1:])
    assert any("预热进程意外退出" in m and "SIGKILL" in m for m in messages), messages


def test_describe_exit():
    assert describe_exit(2) == "退出码 2"
    assert describe_exit(-signal.SIGTERM) == "被信号 SIGTERM（15）终止"
    assert "内存不足" in describe_exit(-signal.SIGKILL)
    assert describe_exit(None) == "未能取得退出状态"


# ---- the project's own kernel, declared chapters only -----------------------------------------------------
def _fixture_project(root: Path) -> dict:
    shutil.copytree(FIXTURES / "notebooks", root / "notebooks")
    shutil.copytree(FIXTURES / "data", root / "data")
    (root / "lib").mkdir()
    return {
        "data_dir": root / "data",
        "out_dir": root / "reports",
        "notebooks_dir": root / "notebooks",
        "lib_dir": root / "lib",
    }


@pytest.mark.parametrize("warm", [True, False], ids=["warm", "fresh"])
def test_a_python3_kernelspec_elsewhere_on_jupyter_path_is_not_used(tmp_path, monkeypatch, warm):
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    broken = {"argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]}
    (spec_dir / "kernel.json").write_text(json.dumps(broken | {"display_name": "x", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    paths = _fixture_project(tmp_path)
    result = render_year(2021, chapters="ch01", log=lambda m: None, warm=warm, **paths)
    assert result.ok, [c.error for c in result.failed]


def test_stray_notebooks_are_warned_about_and_removed_chapters_leave(tmp_path):
    paths = _fixture_project(tmp_path)
    nb_dir, year_out = paths["notebooks_dir"], paths["out_dir"] / "2021"
    shutil.copy(nb_dir / "ch02_students.ipynb", nb_dir / "ch02_students-Copy1.ipynb")
    # What an earlier renderer left: the copy rendered, in the state and on disk.
    year_out.mkdir(parents=True)
    (year_out / "ch02_students-Copy1.html").write_text("old copy")
    (year_out / STATE_FILE).write_text(
        json.dumps(
            {"version": 1, "chapters": {"ch02_students-Copy1": {"status": "ok", "key": "k", "title": "x"}}}
        )
    )
    messages: list[str] = []
    result = render_year(2021, log=messages.append, **paths)
    assert [c.name for c in result.chapters] == ["ch01_school", "ch02_students"]
    assert any("ch02_students-Copy1.ipynb" in m and "未在提纲中声明" in m for m in messages), messages
    assert any("已移除" in m and "ch02_students-Copy1" in m for m in messages), messages
    assert not (year_out / "ch02_students-Copy1.html").exists()
    state = json.loads((year_out / STATE_FILE).read_text("utf-8"))["chapters"]
    assert set(state) == {"ch01_school", "ch02_students"}
    build = (year_out / "build.html").read_text("utf-8")
    assert "Copy1" not in build and build.count("第二章") == 1
    assert "Copy1" not in (year_out / "review.html").read_text("utf-8")

    # A chapter whose notebook is gone leaves the state, the index and the output too.
    (nb_dir / "ch02_students.ipynb").unlink()
    render_year(2021, log=messages.append, **paths)
    assert not (year_out / "ch02_students.html").exists()
    assert not (year_out / "analysis" / "ch02_students.html").exists()
    assert not (year_out / ".executed" / "ch02_students.ipynb").exists()
    assert set(json.loads((year_out / STATE_FILE).read_text("utf-8"))["chapters"]) == {"ch01_school"}
    for page in ("build.html", "review.html", "analysis.html"):
        assert "第二章" not in (year_out / page).read_text("utf-8"), page


# ---- Ctrl+C and SIGTERM to a real `qz render` --------------------------------------------------------------
def _slow_project(root: Path) -> list[str]:
    """Three chapters: one quick, two that take long enough to be interrupted while they run."""
    shutil.copytree(FIXTURES / "data", root / "data")
    (root / "notebooks").mkdir()
    for name, seconds in (("ch01_school", 0), ("ch02_students", 60), ("ch03_quality", 60)):
        source = f"import time\nimport pandas as pd\nprint('start')\ntime.sleep({seconds})\nprint('done')"
        nbformat.write(_notebook(source, title=f"# {name}"), root / "notebooks" / f"{name}.ipynb")
    return [
        str(QZ), "render", "--year", "2021", "--data-dir", str(root / "data"),
        "--notebooks-dir", str(root / "notebooks"), "--out", str(root / "out"), "--force",
    ]  # fmt: skip


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    ("signum", "when"),
    [
        (signal.SIGINT, "running"),
        (signal.SIGTERM, "running"),
        (signal.SIGINT, "after-one"),
        (signal.SIGTERM, "starting"),
        (signal.SIGINT, "starting"),
    ],
)
def test_interrupting_qz_render(tmp_path, signum, when):
    """A real signal to a real `qz render`: cancelled, every kernel (and the zygote) gone, 已中断, 128+signal,
    nothing blamed, nothing half-written; what finished before the signal stays recorded."""
    command = _slow_project(tmp_path)
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    started = time.monotonic()
    seen: set[int] = set()
    wait_for = {"running": "▶ ch03_quality 开始", "after-one": "✔ ch01_school 完成", "starting": None}[when]
    lines: list[str] = []
    if wait_for is None:
        time.sleep(0.5)
    else:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            seen |= _descendants(process.pid)
            if wait_for in line:
                break
        time.sleep(1.0)  # let the kernels get going
        seen |= _descendants(process.pid)
    process.send_signal(signum)
    rest = process.communicate(timeout=60)[1]
    err = "".join(lines) + rest
    assert process.returncode == 128 + signum, err
    assert err.rstrip().endswith("已中断"), err
    for noise in ("Traceback", "AssertionError", "Task exception", "失败", "Kernel died", "⟳"):
        assert noise not in err, err
    assert time.monotonic() - started < 40  # stopped, not run to the end of the 60 s cells
    leftovers = [pid for pid in seen if _alive(pid)]
    assert not leftovers, f"processes left running: {leftovers}"
    out = tmp_path / "out" / "2021"
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")] if out.exists() else True
    if when == "after-one":
        state = json.loads((out / STATE_FILE).read_text("utf-8"))["chapters"]
        assert state["ch01_school"]["status"] == "ok" and (out / "ch01_school.html").is_file()
        assert set(state) == {"ch01_school"}  # the interrupted chapters are not blamed
