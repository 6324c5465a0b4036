"""Which checked files are unchanged since they were last read, known from one `stat` each.

A warm run must not read and hash every file (on 15k files that alone costs more
than ruff's whole run). Like ruff, black and git, it trusts a file's metadata: the
content digest read last time is reused while the file's size, modification and
change times, inode and device are all the same. The change time (`st_ctime_ns`)
cannot be set by tools that copy times (`touch -d`, `rsync -t`, archive extraction
set only the modification time) and moves on every write, rename into place or
permission change, so any of them is a miss.

Racy writes (git's "racy-git" problem): a file written in the same clock tick as it
was read could change without its times moving. A stat is remembered only when the
file's last change is older than the run's start by more than any file system's
timestamp granularity (`SETTLED`); younger files are read and hashed every run, as
before.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

from apilint.cache_files import bounded, write_json_atomically
from apilint.project.root import stat_seen

# Seconds a file's last change must precede the run for its stat to be trusted: above every common
# file system's timestamp granularity (FAT's is 2 s; ext4, xfs, btrfs, APFS, NTFS are finer).
SETTLED = 3.0

_Signature = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device


def signature(info: os.stat_result) -> _Signature:
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev


class FileStats:
    """Absolute path -> (signature, content digest), kept in one JSON file next to the findings index."""

    def __init__(self, file: Path, now: float | None = None) -> None:
        self._file = file
        self._limit_ns = int(((time.time() if now is None else now) - SETTLED) * 1e9)
        self._known: dict[str, list[object]] | None = None
        self._dirty = False
        self._used: set[str] = set()  # paths looked up or recorded by this run

    def _entries(self) -> dict[str, list[object]]:
        if self._known is None:
            try:
                with self._file.open(encoding="utf-8") as fh:
                    loaded = json.load(fh)
                self._known = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError, RecursionError, MemoryError):
                self._known = {}  # unreadable or malformed: every file is read, as without it
        return self._known

    def look(self, absolute: str) -> tuple[str | None, _Signature | None]:
        """The digest remembered for the file (an absolute path) if its stat still matches, and its
        current signature (None when it cannot be stat'ed or is not a regular file: the reader reports why)."""
        try:
            info = stat_seen(absolute)
        except (OSError, ValueError):
            return None, None
        if not stat.S_ISREG(info.st_mode):
            return None, None
        current = signature(info)
        self._used.add(absolute)
        entry = self._entries().get(absolute)
        if (isinstance(entry, list) and len(entry) == 6 and isinstance(entry[5], str)
                and tuple(entry[:5]) == current):
            return entry[5], current
        return None, current

    def remember(self, absolute: str, before: _Signature | None, digest: str) -> None:
        """Record the digest of bytes read after a stat gave `before`, if the file had settled by then."""
        if before is None or before[2] >= self._limit_ns or before[1] >= self._limit_ns:
            return  # changed too recently (or in the future): a later write could leave the times as they are
        self._entries()[absolute] = [*before, digest]
        self._used.add(absolute)
        self._dirty = True

    def save(self, before_write: Callable[[], None] = lambda: None) -> None:
        if self._known is not None:
            trimmed = bounded(self._known, self._used)  # entries of deleted files do not pile up
            if trimmed is not self._known:
                self._known, self._dirty = trimmed, True
        if self._dirty and self._known is not None:
            write_json_atomically(self._file, self._known, before_write)
            self._dirty = False
