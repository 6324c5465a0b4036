"""Recursion headroom for the exact path (fixes, JSON), so it reaches the depth the text path does.

libcst's position metadata walks about seven Python frames per level of nesting where the
ast-positioned text path walks about two: with Python's default limit (1000) a 150-deep
literal was reported as "nesting too deep" by `--fix` and `--format json` while the text
output had its findings. The exact path therefore gets four times the limit, but never more
frames than the C stack can hold: measured on CPython 3.11, 1000 nesting levels (~7000
frames) ran in an 8 MiB stack and 2000 crashed, so 2 KiB per frame is a safe budget. Beyond
it a RecursionError still says "nesting too deep" rather than the process crashing.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

EXACT_PATH_FACTOR = 4
_BYTES_PER_FRAME = 2048
_ASSUMED_STACK = 8 * 1024 * 1024  # the usual main-thread stack (ulimit -s 8192)


@contextmanager
def recursion_headroom(factor: int) -> Iterator[None]:
    """Raise the recursion limit `factor` times for the block, within the stack's budget."""
    old = sys.getrecursionlimit()
    target = min(old * factor, _frame_budget())
    if target <= old:
        yield
        return
    sys.setrecursionlimit(target)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def _frame_budget() -> int:
    if threading.current_thread() is not threading.main_thread():
        return 0  # a thread's stack may be small (musl: 128 KiB): keep the limit as it is
    stack = _ASSUMED_STACK
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
        if soft != resource.RLIM_INFINITY:
            stack = min(stack, soft)
    except (ImportError, OSError, ValueError):
        pass
    return stack // _BYTES_PER_FRAME
