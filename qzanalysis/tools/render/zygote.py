"""A warm process that forks ready-to-run kernels (`python -m qzanalysis.tools.render.zygote`).

A fresh kernel spends most of its life importing pandas, matplotlib, seaborn and the library (2–4 s on a 2-core
machine) before a chapter's first figure. This process does those imports once, never runs user code, and then
forks one child per kernel. Each child is a brand-new IPython kernel (`IPKernelApp`) in a copy of this clean
process: whatever a notebook changes (variables, rcParams, registered fonts, patched functions) dies with its
child and can never reach the next notebook.

Protocol (one JSON object per line):
- argv[1]: the modules to import before serving (a JSON list); a module that fails to import is skipped (the
  notebook that needs it reports the error itself).
- stdout, first line: ``{"ready": true, "pid": …}``, or ``{"ready": false, "reason": …}`` when forking would not
  be safe (another thread was started by an import) — the caller then launches ordinary kernels.
- stdin: ``{"id": n, "argv": [...ipykernel args...], "env": {...}, "cwd": "...", "data": [year, data_dir]}`` →
  stdout ``{"id": n, "pid": p}``. With ``data``, the school's years are read into this process first
  (`qzanalysis.core.dataset.preload_years`), so that the kernel's own `load_year` finds them already read; this
  is the one piece of library code this process runs, and it must leave the process single-threaded.
- stdout, whenever a child ends: ``{"exit": pid, "code": c}`` (c < 0: killed by signal −c), as from Popen.
- EOF on stdin: every child still running is killed, then this process exits.

Only the standard library is imported before the preload, so the process is single-threaded when it forks.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import sys
import threading


def _write(message: dict) -> None:
    os.write(1, (json.dumps(message) + "\n").encode())


def _preload(modules: list[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except BaseException:  # noqa: BLE001 - the notebook importing it will report the real error
            pass


def _preload_data(year: int, data_dir: str | None) -> None:
    try:
        from qzanalysis.core.dataset import preload_years

        preload_years(year, data_dir)
    except Exception:  # noqa: BLE001 - the kernel's own load_year reads and reports the problem
        pass


def _become_kernel(request: dict, fds_to_close: list[int]) -> None:
    """In the child: detach, take the kernel's environment, and run an IPython kernel. Never returns."""
    code = 1
    try:
        os.setsid()  # its own process group: the renderer kills the kernel and whatever it started
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        for fd in fds_to_close:
            os.close(fd)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.dup2(
            2, 1
        )  # fd 1 was the protocol pipe; a kernel's stray output goes where a normal kernel's would
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # ipykernel exits if this process goes away
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()  # a fresh process draws a fresh seed; `random` reseeds itself after fork
        argv = list(request["argv"])
        sys.argv = ["ipykernel_launcher", *argv]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on stderr like a kernel that fails to start
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)


def _reap(children: set[int]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            children.clear()
            return
        if pid == 0:
            return
        children.discard(pid)
        _write({"exit": pid, "code": os.waitstatus_to_exitcode(status)})


def _kill_all(children: set[int]) -> None:
    for pid in children:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass


def serve(preload: list[str]) -> int:
    # Ctrl+C in the terminal is for the renderer, which decides what to stop (it started us in our own session).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Some modules read the environment once, at import (ipykernel takes its parent from JPY_PARENT_PID): the
    # kernels' parent is this process, so the imports must see it already.
    os.environ["JPY_PARENT_PID"] = str(os.getpid())
    _preload(preload)
    if threading.active_count() != 1:
        _write({"ready": False, "reason": f"{threading.active_count()} threads after imports"})
        return 0
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # wakes select() through the wakeup fd
    _write({"ready": True, "pid": os.getpid()})
    children: set[int] = set()
    buffer = b""
    while True:
        try:
            readable, _, _ = select.select([0, wake_r], [], [])
        except InterruptedError:
            readable = []
        if wake_r in readable:
            os.read(wake_r, 4096)
        _reap(children)
        if 0 not in readable:
            continue
        chunk = os.read(0, 65536)
        if not chunk:  # the renderer has gone: take the kernels with us
            _kill_all(children)
            return 0
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if not line.strip():
                continue
            request = json.loads(line)
            if request.get("data"):
                _preload_data(*request["data"])
                if threading.active_count() != 1:  # forking is no longer safe: let the renderer start kernels
                    _write({"id": request["id"], "error": "读入数据后出现了线程"})
                    _kill_all(children)
                    return 0
            pid = os.fork()
            if pid == 0:
                _become_kernel(request, [wake_r, wake_w])
            children.add(pid)
            _write({"id": request["id"], "pid": pid})


def main() -> int:
    # `python -m` put this process's working directory first on sys.path; `python -m ipykernel_launcher` takes
    # it off again, so a kernel's imports never depend on where it was started. Do the same before importing.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    preload = json.loads(sys.argv[1]) if len(sys.argv) > 1 else []
    return serve(preload)


if __name__ == "__main__":
    sys.exit(main())
