"""A progress line on stderr for runs that take more than a second in a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, enabled: bool, stream: TextIO = sys.stderr, delay: float = 1.0) -> None:
        self.total = total
        self.stream = stream
        self.enabled = enabled and total > 0 and hasattr(stream, "isatty") and stream.isatty()
        self.started = time.monotonic()
        self.delay = delay
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started < self.delay or (now - self._last < 0.1 and done < self.total):
            return
        self._last = now
        self._shown = True
        width = 24
        filled = width * done // self.total
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r\x1b[Kapilint [{bar}] {done}/{self.total} files")
        self.stream.flush()

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
