"""Kernels for `qz render`: always this project's interpreter, warm when the platform allows, and killable.

- The kernel spec is built here from `sys.executable`, never looked up on `JUPYTER_PATH`: a `python3` kernelspec
  installed elsewhere (another Python, another venv) must not run the report.
- Warm kernels: a zygote process (`zygote.py`) imports what the notebooks import once, and each kernel is a fork
  of it (`ForkProvisioner`, a jupyter_client provisioner). A notebook's state dies with its kernel. Where fork is
  unsafe or unavailable (not Linux, or the zygote reports a thread), kernels start the ordinary way.
- `KernelLauncher` keeps every kernel it started, so an interrupted render can kill all of them at once.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import signal
import sys
import uuid
from collections.abc import Callable, Iterable

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

LAUNCHER_MODULE = "ipykernel_launcher"
ZYGOTE_MODULE = "qzanalysis.tools.render.zygote"
# Imported by every kernel; `matplotlib_inline` is deliberately absent: it hooks into the IPython shell when
# imported, so the kernel must import it itself, after its shell exists.
KERNEL_PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger")


def project_kernel_spec() -> KernelSpec:
    """`python -m ipykernel_launcher` with the interpreter running `qz` (the project's venv)."""
    return KernelSpec(
        argv=[sys.executable, "-m", LAUNCHER_MODULE, "-f", "{connection_file}"],
        display_name="Python 3 (qzanalysis)",
        language="python",
        interrupt_mode="signal",
        env={},
        metadata={},
    )


class ProjectKernelSpecManager(KernelSpecManager):
    """Answers every kernel name with the project's own spec; never reads kernelspec folders."""

    def get_kernel_spec(self, kernel_name: str, *args, **kwargs) -> KernelSpec:
        return project_kernel_spec()

    def find_kernel_specs(self) -> dict[str, str]:
        return {}


def describe_exit(code: int | None) -> str:
    """'退出码 3' / '被信号 SIGKILL（9）终止…' for a kernel process's exit status (Popen convention)."""
    if code is None:
        return "未能取得退出状态"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"信号 {-code}"
        text = f"被信号 {name}（{-code}）终止"
        if -code == signal.SIGKILL:
            text += "，常见原因是内存不足时被系统终止"
        return text
    return f"退出码 {code}"


def notebook_imports(sources: Iterable[str]) -> list[str]:
    """Absolute module names these code cells may import (`import a.b`; `from a.b import c`: a.b and, if it is a
    module, a.b.c), in order."""
    found: dict[str, None] = {}
    for source in sources:
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.setdefault(alias.name, None)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.setdefault(node.module, None)
                # `from package import module` imports a submodule: a candidate too (the zygote skips names
                # that are not modules).
                for alias in node.names:
                    if alias.name != "*":
                        found.setdefault(f"{node.module}.{alias.name}", None)
    return list(found)


# ---- the zygote's client ---------------------------------------------------------------------------
class Zygote:
    """The render process's end of the zygote protocol (see zygote.py)."""

    def __init__(self, process: asyncio.subprocess.Process, pid: int):
        self.process = process
        self.pid = pid
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[int]] = {}
        self._exits: dict[int, int] = {}
        self._alive: set[int] = set()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(
        cls, preload: list[str], env: dict[str, str], cwd: str | os.PathLike | None = None
    ) -> tuple[Zygote | None, str]:
        """Start the zygote in `cwd` (where the kernels will run: modules may read files at import) and wait
        until its imports are done. (zygote, '') or (None, why not)."""
        if not sys.platform.startswith("linux"):
            return None, "仅在 Linux 上使用预热内核"
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            ZYGOTE_MODULE,
            json.dumps(preload),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            cwd=cwd,
            start_new_session=True,  # Ctrl+C reaches the renderer only; it decides what to stop
        )
        assert process.stdout is not None
        try:
            line = await process.stdout.readline()
        except asyncio.CancelledError:  # interrupted while it imports
            process.kill()
            raise
        try:
            hello = json.loads(line)
        except ValueError:
            hello = {"ready": False, "reason": f"启动失败（{describe_exit(await process.wait())}）"}
        if not hello.get("ready"):
            if process.returncode is None:
                process.kill()
                await process.wait()
            return None, str(hello.get("reason"))
        return cls(process, int(hello["pid"])), ""

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while True:
            line = await self.process.stdout.readline()
            if not line:
                break
            message = json.loads(line)
            if "exit" in message:
                self._alive.discard(message["exit"])
                self._exits[message["exit"]] = int(message["code"])
            elif "id" in message:
                future = self._pending.pop(message["id"], None)
                if "error" in message:
                    if future is not None and not future.done():
                        future.set_exception(RuntimeError(message["error"]))
                    continue
                self._alive.add(message["pid"])
                if future is not None and not future.done():
                    future.set_result(int(message["pid"]))
        for future in self._pending.values():  # the zygote is gone: nobody will answer
            if not future.done():
                future.set_exception(RuntimeError("预热内核进程已退出"))
        self._pending.clear()

    async def spawn(self, argv: list[str], env: dict[str, str], cwd: str, data: tuple | None = None) -> int:
        """Fork a kernel; returns its pid (also its process group). `data`: (year, data_dir) to read first."""
        if self._reader.done():
            raise RuntimeError("预热内核进程已退出")
        self._next_id += 1
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        assert self.process.stdin is not None
        request = {"id": self._next_id, "argv": argv, "env": env, "cwd": cwd, "data": data}
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        await self.process.stdin.drain()
        return await future

    @property
    def alive(self) -> bool:
        return not self._reader.done()

    def exit_code(self, pid: int) -> int | None:
        """None while the kernel runs; its exit code once the zygote has reaped it."""
        if pid in self._exits:
            return self._exits[pid]
        if self._reader.done() and pid not in self._exits:
            return -signal.SIGKILL  # the zygote died and took its kernels with it
        return None

    def kill_all(self) -> None:
        for pid in list(self._alive):
            _killpg(pid, signal.SIGKILL)

    async def close(self) -> None:
        """Stop the zygote; it kills any kernel still running when its stdin closes."""
        self.kill_all()
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), timeout=3)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        self._reader.cancel()


def _killpg(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


class ForkProvisioner(LocalProvisioner):
    """A jupyter_client provisioner whose kernels are forks of the zygote instead of new processes.

    Connection files, ports and the kernel command line are prepared by LocalProvisioner as usual; only the
    launch and the process handling differ. Signals go to the kernel's process group, as LocalProvisioner's do.
    """

    zygote: Zygote | None = None
    data: tuple | None = None  # (year, data_dir) the notebook will read: read once in the zygote
    _pid: int | None = None

    @property
    def has_process(self) -> bool:
        return self._pid is not None

    async def launch_kernel(self, cmd: list[str], **kwargs):
        assert self.zygote is not None
        argv = cmd[cmd.index(LAUNCHER_MODULE) + 1 :]
        env = dict(kwargs.get("env") or os.environ)
        cwd = os.path.abspath(kwargs.get("cwd") or os.getcwd())  # the zygote runs elsewhere: resolve it here
        self._pid = await self.zygote.spawn(argv, env, cwd, self.data)
        self.pid = self.pgid = self._pid
        self.cwd = cwd
        return self.connection_info

    async def poll(self) -> int | None:
        if self._pid is None or self.zygote is None:
            return 0
        return self.zygote.exit_code(self._pid)

    async def wait(self) -> int | None:
        code = await self.poll()
        while code is None:
            await asyncio.sleep(0.02)
            code = await self.poll()
        self._pid = None
        return code

    async def send_signal(self, signum: int) -> None:
        if self._pid is not None:
            _killpg(self._pid, signum)

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)


# ---- every kernel of one run -----------------------------------------------------------------------
class KernelLauncher:
    """Creates kernel managers for the project's kernel (warm when possible) and kills them all on close."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        warm: bool,
        preload: list[str],
        log: Callable[[str], None],
        cwd: str | os.PathLike | None = None,
    ):
        self.env = env
        self.cwd = cwd
        self.warm = warm
        self.preload = [*KERNEL_PRELOAD, *preload]
        self.log = log
        self._zygote_task: asyncio.Task | None = None
        self._live: set[AsyncKernelManager] = set()
        self._releasing: set[asyncio.Task] = set()
        self._specs = ProjectKernelSpecManager()

    def start(self) -> None:
        """Begin warming up (the zygote's imports run while the caller prepares its work)."""
        if self.warm and self._zygote_task is None:
            cwd = os.path.abspath(self.cwd) if self.cwd is not None else None
            self._zygote_task = asyncio.create_task(Zygote.start(self.preload, self.env, cwd))

    async def _zygote(self) -> Zygote | None:
        if self._zygote_task is None:
            return None
        try:
            zygote, reason = await asyncio.shield(self._zygote_task)
        except OSError as exc:
            zygote, reason = None, f"{type(exc).__name__}: {exc}"
        if zygote is not None and not zygote.alive:
            code = await zygote.process.wait()  # it has closed its output: it is gone, or going
            zygote, reason = None, f"预热进程意外退出（{describe_exit(code)}）"
        if zygote is None and self.warm:
            self.warm = False
            self.log(f"未使用预热内核（{reason}），以下各章启动全新内核")
        return zygote

    async def manager(self, data: tuple | None = None) -> AsyncKernelManager:
        """A kernel manager (not started) for one notebook; `data` = (year, data_dir) it reads, if known."""
        km = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=self._specs)
        km.kernel_id = str(uuid.uuid4())
        zygote = await self._zygote()
        if zygote is not None:
            provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
            provisioner.zygote = zygote
            provisioner.data = data
            km.provisioner = provisioner
        self._live.add(km)
        return km

    @staticmethod
    async def exit_code(km: AsyncKernelManager) -> int | None:
        """The kernel's exit status if it has ended (None while it runs or when unknown)."""
        provisioner = km.provisioner
        if provisioner is None or not provisioner.has_process:
            return None
        try:
            return await provisioner.poll()
        except Exception:  # noqa: BLE001 - only used to describe a failure
            return None

    def dispose(self, km: AsyncKernelManager, kc=None) -> None:
        """Kill one kernel now (no graceful shutdown: it stalls for seconds now and then); its resources are
        released in the background, so the next notebook need not wait for that."""
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
        provisioner = km.provisioner
        pgid = getattr(provisioner, "pgid", None) if provisioner is not None else None
        if pgid and provisioner is not None and provisioner.has_process:
            _killpg(pgid, signal.SIGKILL)
        task = asyncio.create_task(self._release(km))
        self._releasing.add(task)
        task.add_done_callback(self._releasing.discard)

    async def _release(self, km: AsyncKernelManager) -> None:
        try:
            if km.has_kernel:
                await km.shutdown_kernel(now=True)
            else:
                await km.cleanup_resources()
        except Exception:  # noqa: BLE001 - the kernel may already be gone
            _kill_now(km)
        self._live.discard(km)

    async def close(self) -> None:
        """Kill every kernel still running, remove their connection files, and stop the zygote."""
        for km in list(self._live):
            _kill_now(km)
        if self._releasing:
            await asyncio.wait(list(self._releasing), timeout=5)
        self._live.clear()
        if self._zygote_task is not None:
            if not self._zygote_task.done():
                self._zygote_task.cancel()
            try:
                zygote, _ = await self._zygote_task
            except BaseException:  # noqa: BLE001 - cancelled or failed: nothing to stop
                zygote = None
            if zygote is not None:
                await zygote.close()


def _kill_now(km: AsyncKernelManager) -> None:
    provisioner = km.provisioner
    pgid = getattr(provisioner, "pgid", None) if provisioner is not None else None
    if pgid:
        _killpg(pgid, signal.SIGKILL)
    try:
        km.cleanup_connection_file()
    except Exception:  # noqa: BLE001
        pass
