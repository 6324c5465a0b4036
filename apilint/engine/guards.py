"""Guards every front end puts around the analysis of one file: a time limit (and, in
engine/source.py, a size limit), so a pathological file is skipped and reported, not analysed
for minutes with gigabytes of memory."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_FILE_TIMEOUT = 30.0  # seconds: the CLI's --file-timeout and the plugin's --apilint-file-timeout

class TimeLimitExceeded(Exception):
    """The analysis of one file took longer than its limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the analysis of one file after `seconds` (POSIX, main thread; otherwise no limit)."""
    usable = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
