"""Worker processes that stop with their parent.

A run that is interrupted (Ctrl-C, SIGTERM) or whose main process is killed must not leave
workers behind that go on fixing files. So:

- the main process turns SIGTERM into the same interrupt as Ctrl-C (`Terminated`);
- on an interrupt the pool's queued work is cancelled and its workers terminated at once;
- a worker asks the kernel (Linux) for SIGTERM when its parent dies, and before each file and
  before each write checks that its parent is still the one that started it (any POSIX);
- a write blocks SIGINT/SIGTERM while it runs (engine/safe_write.py), so a worker killed mid-run
  stops between files, never with half a file written or a temporary file left behind.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1
_parent: int | None = None  # set in workers: the pid of the process that started them


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as an interrupt (exit status 143)."""


def handle_sigterm() -> None:
    """In the main process: SIGTERM raises Terminated where the program is, as Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated()

    signal.signal(signal.SIGTERM, terminate)


def start_worker(parent: int) -> None:
    """Pool initializer: remember the parent; on Linux, die with it."""
    global _parent
    _parent = parent
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker must not inherit the raising handler
    if sys.platform.startswith("linux"):
        import ctypes  # only in workers: the main process of a warm run never pays for it
        import ctypes.util

        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the getppid() checks still stop the worker between files
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the kernel was asked to tell us


def parent_alive() -> bool:
    """False in a worker whose parent has gone (it was re-parented); always True in the main process."""
    return _parent is None or os.getppid() == _parent


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and terminate the workers now (they defer it past a write)."""
    processes: dict[Any, Any] = dict(getattr(pool, "_processes", None) or {})  # shutdown() forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list(processes.values()):
        try:
            process.terminate()
        except (OSError, AttributeError, ValueError):
            pass
    for process in list(processes.values()):
        try:
            process.join(5)
        except (OSError, AttributeError, ValueError, AssertionError):
            pass
