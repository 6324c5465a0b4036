"""Replacing a file's bytes without surprising anyone who shares it.

- The file must still hold the bytes that were analysed: an edit saved meanwhile is not
  overwritten (the file is skipped and reported).
- A read-only file is refused, as ruff does: its owner said "do not change this".
- Through a symlink, only a target inside the checked tree or the project root is written:
  `--fix` on a project must not change files elsewhere on the machine.
- Normally the new bytes go to a temporary file in the same directory that then replaces the
  original atomically, with the original's permissions, owner and group. A file with several
  hard links, or one whose owner cannot be given to the temporary file, is written in place
  instead, so every name sees the new code and the owner stays the same.
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

_ANY_WRITE = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


class WriteRefused(Exception):
    """The file was deliberately left alone; the message says why."""


def replace_bytes(path: Path, data: bytes, *, expected: bytes | None = None, within: Iterable[str] = ()) -> None:
    """Make `path` (or the file a symlink leads to) hold `data`.

    `expected`: the bytes the new content was computed from (refused if the file changed since).
    `within`: real directory paths the file must lie in (empty: anywhere).
    Raises WriteRefused, or OSError when the file system fails.
    """
    target = Path(os.path.realpath(path))
    roots = tuple(within)
    if roots and not any(_is_within(str(target), root) for root in roots):
        raise WriteRefused(f"it is a link to {target}, outside the checked files and the project; not changed")
    status = target.stat()
    if not status.st_mode & _ANY_WRITE or not os.access(target, os.W_OK):
        raise WriteRefused("the file is read-only; not changed")
    if expected is not None and not _holds(target, expected):
        raise WriteRefused("the file changed on disk while it was being fixed; not changed (run again)")
    with signals_deferred():  # an interrupt lands between files, never inside a write
        if status.st_nlink > 1 or not _replace_atomically(target, data, status):
            _write_in_place(target, data)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends (POSIX, main thread; otherwise a no-op), so a
    stopped run never leaves half a file or a temporary file behind."""
    usable = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _holds(target: Path, expected: bytes) -> bool:
    try:
        with open(target, "rb") as fh:
            return fh.read(len(expected) + 1) == expected
    except OSError:
        return False


def _replace_atomically(target: Path, data: bytes, status: os.stat_result) -> bool:
    """Write a temporary file and rename it over `target`; False (nothing changed) when the
    temporary file cannot get the original's owner and group."""
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".apilint-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchown"):
                mine = os.fstat(fh.fileno())
                if (mine.st_uid, mine.st_gid) != (status.st_uid, status.st_gid):
                    try:
                        os.fchown(fh.fileno(), status.st_uid, status.st_gid)
                    except PermissionError:
                        os.unlink(temp)
                        return False
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, stat.S_IMODE(status.st_mode))
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    return True


def _write_in_place(target: Path, data: bytes) -> None:
    # Opened without truncation: the old bytes stay until the new ones are written over them.
    with open(target, "r+b") as fh:
        fh.write(data)
        fh.truncate()
        fh.flush()
        os.fsync(fh.fileno())
