"""Writing a cache file: atomically, and never at the cost of the run.

Shared by the findings cache (`cli/cache.py`) and the module summaries (`project/summary_store.py`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TypeVar

# A cache file keeps at least this many entries, and at least four times what one run used: a
# run over a few files (pre-commit) does not throw away the entries of the others, and entries
# of deleted or edited files do not pile up forever (a warm run reads the whole file).
KEEP_AT_LEAST = 50_000
_V = TypeVar("_V")


def write_json_atomically(target: Path, data: object, before_write: Callable[[], None] = lambda: None) -> None:
    """Write `data` as compact JSON to `target` through a temporary file in its directory.

    A cache that cannot be written (a full disk, no permission, data too deep to encode) is no cache:
    the run goes on, and no half-written temporary file stays behind.
    """
    try:
        # `json.dumps` encodes in C; `json.dump` to a file takes the pure-Python encoder (~5x slower).
        text = json.dumps(data, separators=(",", ":"))
    except (ValueError, RecursionError):
        return
    write_atomically(target, text.encode("utf-8"), before_write)


def write_atomically(target: Path, data: bytes, before_write: Callable[[], None] = lambda: None) -> None:
    """Write `data` to `target` through a temporary file in its directory (see write_json_atomically)."""
    temp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        before_write()
        fd, temp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temp, target)
    except OSError:
        if temp is not None:
            try:
                os.unlink(temp)
            except OSError:
                pass

def bounded(entries: dict[str, _V], used: Collection[str]) -> dict[str, _V]:
    """`entries` with the oldest ones this run did not use dropped, down to the limit (see KEEP_AT_LEAST)."""
    limit = max(KEEP_AT_LEAST, 4 * len(used))
    excess = len(entries) - limit
    if excess <= 0:
        return entries
    dropped = 0
    kept: dict[str, _V] = {}
    for key, value in entries.items():  # insertion order: the oldest first
        if dropped < excess and key not in used:
            dropped += 1
            continue
        kept[key] = value
    return kept
