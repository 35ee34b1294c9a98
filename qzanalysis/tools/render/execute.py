"""Run notebooks on up to N kernels at once from this one process, and stop cleanly when told to.

- One long-lived process pays the nbclient/nbconvert import cost once; kernels come from `kernels.py` (the
  project's own interpreter, forked from a warm zygote where possible) and are killed at once after their notebook
  (a graceful shutdown sometimes stalls for seconds; see tooling-notes).
- Each notebook gets a fresh kernel: nothing one notebook leaves behind reaches the next.
- A kernel that dies or never starts is retried once with a fresh kernel; a second failure is reported with the
  kernel's exit code or signal.
- Ctrl+C (SIGINT) or SIGTERM cancels every notebook, kills every kernel and raises `Interrupted`: no chapter is
  blamed. Exports that are being written finish first (they are atomic), so no file is left half-written.

nbclient executes the cells (`NotebookClient.async_execute_cell`); its `async_execute` is not used because it
registers process-wide signal handlers and an `atexit` hook per notebook, which race when several notebooks run at
once (the source of "cell ?: AssertionError" and the `atexit` traceback after an interrupt).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qzanalysis.tools.interrupt import SIGNALS, Interrupted
from qzanalysis.tools.render.kernels import KernelLauncher, describe_exit, notebook_imports

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# ipykernel only switches to the inline backend when MPLBACKEND is unset; plain "Agg" would silently drop
# every figure from the report. The inline backend is Agg-based and needs no display.
KERNEL_ENV = {
    "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # silences the debugger's frozen-modules note on kernel start
    "QZ_RENDER": "1",
}
# The kernel's own log (e.g. the "running over TCP without encryption" warning) is terminal noise; history
# goes to memory, as nbclient does it.
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR", "--HistoryManager.hist_file=:memory:"]
STARTUP_TIMEOUT = 60  # seconds for a kernel to answer its first request
# nbclient logs "Kernel died while waiting for execute reply." itself; the failure is reported once, by us.
_QUIET = logging.getLogger("qzanalysis.render.nbclient")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


@dataclass
class Job:
    name: str  # shown in messages, e.g. "ch01_school" or "s01/ch01_school"
    nb: Any  # nbformat.NotebookNode with parameters injected; replaced by the executed copy
    origins: list  # per cell: index in the notebook file (None for the injected cell)
    extra: dict = field(default_factory=dict)
    cwd: Path | None = None  # the kernel's working directory (default: run_notebooks' cwd)
    data: tuple | None = None  # (year, data_dir) the notebook reads with load_year: read once for its kernels


@dataclass
class Outcome:
    job: Job
    seconds: float
    error: str | None = None  # one readable paragraph; None on success
    retried: bool = False  # the first kernel died or did not start


class KernelFailure(Exception):
    """The kernel died or never started (not an error in the notebook)."""

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(detail)


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text or "")


def _where(job: Job, index: int | None) -> str:
    if index is None:
        return "cell ?"
    origin = job.origins[index] if index < len(job.origins) else None
    return "注入的参数单元格" if origin is None else f"cell {origin}"


def describe_failure(job: Job, exc: BaseException, nb=None) -> str:
    """Name the chapter, the cell (as numbered in the notebook file) and the error."""
    nb = nb if nb is not None else job.nb
    failing = None
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code" or "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        if any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
            failing = i
            break
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = _strip_ansi(str(getattr(exc, "evalue", None) or exc)).strip()
    source = ""
    if failing is not None:
        src_lines = nb.cells[failing].get("source", "").splitlines()
        source = "\n".join(f"    | {line}" for line in src_lines[:4])
        if len(src_lines) > 4:
            source += "\n    | ..."
    if len(evalue) > 500:
        evalue = evalue[:500] + " ..."
    first = evalue.splitlines()[0] if evalue else ""
    message = f"{job.name}: {_where(job, failing)}: {ename}: {first}".rstrip(": ")
    return message + ("\n" + source if source else "")


# ---- signals ---------------------------------------------------------------------------------------
class _SignalGuard:
    """SIGINT/SIGTERM during the run cancel the main task once; later signals are ignored while it stops."""

    def __init__(self):
        self.signum: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                if signal.getsignal(sig) is not signal.SIG_IGN:
                    self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        return False

    def attach(self, loop: asyncio.AbstractEventLoop, task: asyncio.Task) -> None:
        self._loop, self._task = loop, task
        if self.signum is not None:
            task.cancel()

    def _handle(self, signum, frame) -> None:
        if self.signum is not None:
            return  # already stopping
        self.signum = signum
        if self._loop is not None and self._task is not None:
            try:
                self._loop.call_soon_threadsafe(self._task.cancel)
            except RuntimeError:  # the loop has just closed: run_notebooks raises Interrupted on return
                pass


# ---- the run ---------------------------------------------------------------------------------------
class _Runner:
    def __init__(self, jobs, workers, cwd, timeout, on_start, on_finish, warm, log, guard):
        self.jobs: list[Job] = list(jobs)
        self.workers = max(1, workers)
        self.cwd = Path(cwd)
        self.timeout = timeout
        self.on_start = on_start
        self.on_finish = on_finish
        self.log = log
        self.guard = guard
        self.env = {**os.environ, **KERNEL_ENV}
        preload = notebook_imports(
            cell.get("source", "")
            for job in self.jobs
            for cell in job.nb.cells
            if cell.get("cell_type") == "code"
        )
        self.launcher = KernelLauncher(self.env, warm=warm, preload=preload, log=log, cwd=self.cwd)
        self.results: dict[int, Outcome] = {}
        self._finishing: set[asyncio.Task] = set()

    async def run(self) -> list[Outcome]:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(self._exception_handler)
        task = asyncio.current_task()
        assert task is not None
        self.guard.attach(loop, task)
        self.launcher.start()
        queue = list(self.jobs)
        try:
            await asyncio.gather(*(self._worker(queue) for _ in range(min(self.workers, len(queue)))))
            await asyncio.gather(*self._finishing)  # an error in on_finish is the caller's, not a chapter's
        except asyncio.CancelledError:
            if self.guard.signum is None:
                raise
        finally:
            await self.launcher.close()
        return [self.results[id(job)] for job in self.jobs if id(job) in self.results]

    def _exception_handler(self, loop, context) -> None:
        # After an interrupt, nbclient's pollers may end with errors nobody awaits: they are expected.
        if self.guard.signum is None:
            loop.default_exception_handler(context)

    async def _worker(self, queue: list[Job]) -> None:
        while queue and self.guard.signum is None:
            job = queue.pop(0)
            self.on_start(job)
            outcome = await self._run_job(job)
            self.results[id(job)] = outcome
            # Exporting and writing are CPU work for this process: in a thread, while this worker's next kernel
            # starts and the other kernels' messages keep flowing.
            task = asyncio.create_task(asyncio.to_thread(self.on_finish, outcome))
            self._finishing.add(task)

    async def _run_job(self, job: Job) -> Outcome:
        from nbclient.exceptions import CellControlSignal

        started = time.perf_counter()
        pristine = job.nb
        failure: KernelFailure | None = None
        for attempt in (1, 2):
            nb = copy.deepcopy(pristine)
            try:
                await self._execute(job, nb)
            except KernelFailure as exc:
                self._stop_if_interrupted()
                failure = exc
                if attempt == 1:
                    self.log(f"⟳ {job.name}: {exc.detail}；用新内核重试一次")
                continue
            except (CellControlSignal, Exception) as exc:  # an error in a cell, a cell timeout
                self._stop_if_interrupted()
                job.nb = nb
                return Outcome(
                    job, time.perf_counter() - started, describe_failure(job, exc, nb), attempt > 1
                )
            job.nb = nb
            return Outcome(job, time.perf_counter() - started, None, attempt > 1)
        assert failure is not None
        error = f"{job.name}: {failure.detail}；用新内核重试一次后仍然失败"
        return Outcome(job, time.perf_counter() - started, error, True)

    def _stop_if_interrupted(self) -> None:
        """nbclient turns the cancellation of a running cell into DeadKernelError("Kernel died"): after an
        interrupt, whatever a notebook raised is the interrupt, not the notebook's fault, and is not retried."""
        if self.guard.signum is not None:
            raise asyncio.CancelledError

    async def _kernel_info(self, km, kc) -> dict:
        """The kernel's first reply, once its output channel is known to be connected.

        A message published before the IOPub subscription reaches the kernel is lost (ZeroMQ's slow joiner), and
        with it a cell's output: so, as jupyter_client's `wait_for_ready` does, ask again until an IOPub message
        arrives after the reply. Its final 0.2 s wait for IOPub silence is left out: nbclient matches outputs to
        their cell by message id. A kernel that has died is noticed within half a second.
        """
        from queue import Empty

        from jupyter_core.utils import ensure_async

        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            msg_id = await ensure_async(kc.kernel_info())
            reply = None
            while reply is None:
                try:
                    msg = await ensure_async(kc.shell_channel.get_msg(timeout=0.5))
                except Empty:
                    await self._check_starting(km, deadline)
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg
            try:
                await ensure_async(kc.iopub_channel.get_msg(timeout=0.2))
            except Empty:
                await self._check_starting(km, deadline)
                continue
            return reply

    async def _check_starting(self, km, deadline: float) -> None:
        code = await self.launcher.exit_code(km)
        if code is not None:
            raise KernelFailure(f"内核未能启动（{describe_exit(code)}）")
        if time.monotonic() > deadline:
            raise KernelFailure(f"内核在 {STARTUP_TIMEOUT} 秒内没有就绪")

    async def _execute(self, job: Job, nb) -> None:
        from nbclient import NotebookClient
        from nbclient.exceptions import CellControlSignal, DeadKernelError

        cwd = str(job.cwd or self.cwd)
        km = await self.launcher.manager(job.data)
        kc = None
        try:
            try:
                await km.start_kernel(cwd=cwd, env=self.env, extra_arguments=list(KERNEL_ARGS))
                kc = km.client()
                kc.start_channels()
                reply = await self._kernel_info(km, kc)
            except (RuntimeError, OSError) as exc:
                code = await self.launcher.exit_code(km)
                raise KernelFailure(f"内核未能启动（{describe_exit(code)}）") from exc
            if "language_info" in reply["content"]:
                nb.metadata["language_info"] = reply["content"]["language_info"]
            client = NotebookClient(
                nb,
                km=km,
                timeout=self.timeout,
                resources={"metadata": {"path": cwd}},
                kernel_name="python3",
                log=_QUIET,
            )
            client.kc = kc
            client.reset_execution_trackers()
            index: int | None = None
            try:
                for index, cell in enumerate(nb.cells):
                    await client.async_execute_cell(
                        cell, index, execution_count=client.code_cells_executed + 1
                    )
                client.set_widgets_metadata()
            except (DeadKernelError, CellControlSignal, Exception) as exc:
                code = await self.launcher.exit_code(km)
                if isinstance(exc, DeadKernelError) or code is not None:
                    # Cells run in order: the kernel was running cell `index` when it ended.
                    raise KernelFailure(
                        f"内核在运行 {_where(job, index)} 时意外退出（{describe_exit(code)}）"
                    ) from exc
                raise
        finally:
            self.launcher.dispose(km, kc)


def run_notebooks(
    jobs: list[Job],
    *,
    workers: int,
    cwd: Path,
    timeout: int = 600,
    on_start: Callable[[Job], None] = lambda job: None,
    on_finish: Callable[[Outcome], None] = lambda outcome: None,
    warm: bool = True,
    log: Callable[[str], None] = lambda message: None,
) -> list[Outcome]:
    """Execute `jobs`, `workers` kernels at a time, in the order of the list; outcomes in the same order.

    `on_finish` runs in a thread for each finished notebook (success or failure), while the next notebooks run;
    every call has returned when run_notebooks returns (also after an interrupt). `warm`: fork kernels
    from a zygote that has already imported what the notebooks import (see kernels.py).
    Raises Interrupted on SIGINT/SIGTERM, after every kernel is killed and every `on_finish` has returned.
    """
    if not jobs:
        return []
    with _SignalGuard() as guard:
        runner = _Runner(jobs, workers, cwd, timeout, on_start, on_finish, warm, log, guard)
        outcomes = asyncio.run(runner.run())
    if guard.signum is not None:
        raise Interrupted(guard.signum)
    return outcomes
