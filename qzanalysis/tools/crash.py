"""The last resort of every `qz` command: an unexpected error prints a Chinese message and where the details
went, never a traceback. The traceback is written to a log file the analyst can send to the maintainers.
Set QZ_DEBUG=1 to see the traceback instead (for developers)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
from pathlib import Path

EXIT_SOFTWARE = 70  # sysexits.h EX_SOFTWARE: an internal error, not bad input
REPORT_TO = "项目维护者（README“问题反馈”一节）"


def crash_log(exc: BaseException, argv: list[str]) -> Path | None:
    """Write the command, versions and traceback to a new file in the temporary folder; None if that fails."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    try:
        fd, name = tempfile.mkstemp(prefix=f"qz-错误-{stamp}-", suffix=".log")
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
