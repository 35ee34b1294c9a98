"""Run notebooks on up to N kernels at once from this one process (nbclient, asyncio).

One long-lived process pays the nbclient/nbconvert import cost once; `shutdown_kernel="immediate"`
avoids the occasional multi-second stall of a graceful shutdown (see tooling-notes).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# ipykernel only switches to the inline backend when MPLBACKEND is unset; plain "Agg" would silently drop
# every figure from the report. The inline backend is Agg-based and needs no display.
KERNEL_ENV = {
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # silences the debugger's frozen-modules note on kernel start
    "QZ_RENDER": "1",
}
# The kernel's own log (e.g. the "running over TCP without encryption" warning) is terminal noise.
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]


@dataclass
class Job:
    name: str  # notebook stem, e.g. "ch01_school"
    nb: Any  # nbformat.NotebookNode with parameters injected
    origins: list  # per cell: index in the notebook file (None for the injected cell)
    extra: dict = field(default_factory=dict)


@dataclass
class Outcome:
    job: Job
    seconds: float
    error: str | None = None  # one readable paragraph; None on success


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text or "")


def describe_failure(job: Job, exc: BaseException) -> str:
    """Name the chapter, the cell (as numbered in the notebook file) and the error."""
    failing = None
    for i, cell in enumerate(job.nb.cells):
        if cell.get("cell_type") != "code" or "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        if any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
            failing = i
            break
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = _strip_ansi(str(getattr(exc, "evalue", None) or exc)).strip()
    if failing is None:
        where = "cell ?"
        source = ""
    else:
        origin = job.origins[failing]
        where = "注入的参数单元格" if origin is None else f"cell {origin}"
        src_lines = job.nb.cells[failing].get("source", "").splitlines()
        source = "\n".join(f"    | {line}" for line in src_lines[:4])
        if len(src_lines) > 4:
            source += "\n    | ..."
    if len(evalue) > 500:
        evalue = evalue[:500] + " ..."
    message = f"{job.name}: {where}: {ename}: {evalue.splitlines()[0] if evalue else ''}".rstrip(": ")
    return message + ("\n" + source if source else "")


async def _run_one(
    job: Job, sem: asyncio.Semaphore, cwd: Path, env: dict, timeout: int, on_start, on_finish
) -> Outcome:
    from nbclient import NotebookClient

    async with sem:
        on_start(job)
        started = time.perf_counter()
        client = NotebookClient(
            job.nb,
            timeout=timeout,
            kernel_name="python3",  # the native kernel = this interpreter (the project's venv)
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(cwd)}},
            extra_arguments=KERNEL_ARGS,
        )
        error = None
        try:
            await client.async_execute(env=env)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # CellExecutionError, timeouts, a dead kernel: all fail the chapter
            error = describe_failure(job, exc)
        outcome = Outcome(job, time.perf_counter() - started, error)
        # Export and writing are CPU work; a thread keeps the other kernel's messages flowing.
        await asyncio.to_thread(on_finish, outcome)
        return outcome


async def _run_all(jobs, workers, cwd, env, timeout, on_start, on_finish):
    sem = asyncio.Semaphore(max(1, workers))
    tasks = [_run_one(job, sem, cwd, env, timeout, on_start, on_finish) for job in jobs]
    return await asyncio.gather(*tasks)


def run_notebooks(
    jobs: list[Job],
    *,
    workers: int,
    cwd: Path,
    timeout: int = 600,
    on_start: Callable[[Job], None] = lambda job: None,
    on_finish: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Execute `jobs` in order of the list, `workers` kernels at a time; results in the same order."""
    env = {**os.environ, **KERNEL_ENV}
    return asyncio.run(_run_all(jobs, workers, Path(cwd), env, timeout, on_start, on_finish))
