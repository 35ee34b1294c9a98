"""The last resort of every `qz` command: an unexpected error prints a Chinese message and where the details
went, never a traceback. The traceback is written to a log file the analyst can send to the maintainers.
Warnings of the libraries underneath (English, naming files inside the installation) go to a log file too,
with one Chinese line saying where. Set QZ_DEBUG=1 to see tracebacks and warnings instead (for developers)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
import warnings
from pathlib import Path

EXIT_SOFTWARE = 70  # sysexits.h EX_SOFTWARE: an internal error, not bad input
REPORT_TO = "项目维护者（README“问题反馈”一节）"


def _new_log(kind: str) -> tuple[int, str]:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return tempfile.mkstemp(prefix=f"qz-{kind}-{stamp}-", suffix=".log")


class WarningLog:
    """`warnings.showwarning` for the CLI: each warning appended to one log file, announced once."""

    def __init__(self) -> None:
        self.path: Path | None = None

    def __call__(self, message, category, filename, lineno, file=None, line=None) -> None:
        try:
            if self.path is None:
                fd, name = _new_log("提示")
                os.close(fd)
                self.path = Path(name)
                print(f"qz：运行中有程序库的内部提示（不影响结果），已写入 {self.path}", file=sys.stderr)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(warnings.formatwarning(message, category, filename, lineno, line))
        except OSError:
            pass


def quiet_warnings() -> None:
    """Send library warnings to a log file instead of the analyst's terminal (unless QZ_DEBUG is set)."""
    if not os.environ.get("QZ_DEBUG"):
        warnings.showwarning = WarningLog()


def crash_log(exc: BaseException, argv: list[str]) -> Path | None:
    """Write the command, versions and traceback to a new file in the temporary folder; None if that fails."""
    try:
        fd, name = _new_log("错误")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"命令：qz {' '.join(argv)}\n")
            fh.write(f"Python {sys.version.split()[0]}，{sys.platform}\n\n")
            fh.write("".join(traceback.format_exception(exc)))
        return Path(name)
    except OSError:
        return None


def report_crash(exc: BaseException, argv: list[str]) -> int:
    """Print the Chinese message for an unexpected error; return the exit code."""
    if os.environ.get("QZ_DEBUG"):
        raise exc
    log = crash_log(exc, argv)
    where = f"详细信息已写入 {log}" if log else "详细信息无法写入日志文件"
    print(
        f"qz：程序内部出错，命令没有完成（{type(exc).__name__}）。这多半不是你的操作或数据造成的。\n"
        f"{where}；请把该文件和所运行的命令发给{REPORT_TO}。已生成的文件不受影响。",
        file=sys.stderr,
    )
    return EXIT_SOFTWARE
