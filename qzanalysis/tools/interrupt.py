"""Ctrl+C and SIGTERM as an exception: `Interrupted`, raised where the program is, with the shell's exit code."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """The run was stopped by SIGINT (Ctrl+C) or SIGTERM. `exit_code` is the shell's 128 + signal number."""

    def __init__(self, signum: int):
        self.signum = int(signum)
        super().__init__(signal.Signals(self.signum).name)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _raise(signum, frame):
    raise Interrupted(signum)


@contextmanager
def signals_raise_interrupted():
    """Within the block, SIGINT and SIGTERM raise Interrupted (in the main thread; elsewhere: no change).

    SIGTERM would otherwise end the process at once, with files half-written and kernels left running.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # A SIGINT ignored by whoever started us (e.g. `cmd &` in a script) stays ignored, as Python leaves it.
    previous = {
        sig: signal.signal(sig, _raise) for sig in SIGNALS if signal.getsignal(sig) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
