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


# -- entries kept one per file (the flake8 plugin's) ---------------------------------------------
# A directory of entry files cannot be trimmed by "what this run used": flake8's workers write
# them independently and no process sees a whole run. So an entry counts as used when it was
# written or read recently: a hit refreshes its modification time (at most once a day, so a warm
# run writes almost nothing), and once a directory holds more than its share of KEEP_AT_LEAST,
# the entries no run has used for UNUSED_FOR seconds go, the oldest first, down to that share.
# Entries of files still being checked are never older than a day, so a monorepo larger than the
# limit loses no entry it uses; the entries of edited or deleted files go after a week.
ENTRY_DIRECTORIES = 256  # entries/<first two hex digits of the key>/
REFRESH_AFTER = 24 * 3600
UNUSED_FOR = 7 * 24 * 3600
_STRAY_TEMPORARY_AFTER = 3600  # a writer killed between mkstemp and the rename leaves its .tmp


def refresh_entry(path: Path, modified: float, now: float) -> None:
    """Mark a hit (see above): a failure only makes the entry look older."""
    if now - modified > REFRESH_AFTER:
        try:
            os.utime(path)
        except OSError:
            pass


def sweep_entries(directory: Path, now: float) -> int:
    """Drop the entries of one entry directory that no run used for UNUSED_FOR seconds, the oldest
    first, while it holds more than its share of KEEP_AT_LEAST; stray temporary files an hour old go
    too. Returns how many files were removed; never raises (an entry another process removed or
    rewrote meanwhile is simply skipped)."""
    share = KEEP_AT_LEAST // ENTRY_DIRECTORIES
    try:
        with os.scandir(directory) as found:
            listed = list(found)
    except OSError:
        return 0
    if len(listed) <= share:
        return 0
    aged: list[tuple[float, str]] = []
    removed = 0
    for entry in listed:
        try:
            modified = entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if entry.name.endswith(".tmp"):
            if now - modified > _STRAY_TEMPORARY_AFTER and _unlink(entry.path):
                removed += 1
        elif now - modified > UNUSED_FOR:
            aged.append((modified, entry.path))
    excess = len(listed) - removed - share
    for _, path in sorted(aged)[:max(excess, 0)]:
        if _unlink(path):
            removed += 1
    return removed


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
    except OSError:
        return False
    return True
