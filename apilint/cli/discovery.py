"""Which files to check: recursive discovery that skips tooling and virtualenv directories.

Discovery runs before every warm (cached) run, so it avoids per-file system
calls beyond the directory listing: relative paths are built from strings,
and symlinks are resolved only where they exist.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from apilint.cli.file_kinds import may_be_source
from apilint.exclusion import DEFAULT_EXCLUDES, PathFilter

# Files discovery picks up in a directory: Python sources and Jupyter notebooks (as ruff does).
SOURCE_SUFFIXES = (".py", ".ipynb")
__all__ = ["DEFAULT_EXCLUDES", "SOURCE_SUFFIXES", "discover"]


def _is_virtualenv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def discover(paths: Iterable[Path], excluder: PathFilter) -> Iterator[Path]:
    """Python files under `paths` (explicit files are yielded whatever their suffix, unless excluded)."""
    seen: set[str] = set()
    for path in paths:
        if excluder.excluded(path):
            continue
        if path.is_dir():
            yield from _walk(path, excluder, seen)
        else:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                yield path


def _walk(top: Path, excluder: PathFilter, seen: set[str]) -> Iterator[Path]:
    """Like os.walk (sorted, symlinked directories not followed), real paths built from strings."""
    # (directory as given, its real path)
    stack = [(os.fspath(top), os.path.realpath(top))]
    while stack:
        directory, real = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        subdirectories = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if excluder.skips(directory, name, True) or _is_virtualenv(entry.path):
                    continue
                subdirectories.append((entry.path, os.path.join(real, name)))
            elif not name.endswith(SOURCE_SUFFIXES) or not may_be_source(entry):
                continue  # not a source; or a FIFO, device or symlinked directory (file_kinds.py)
            elif not excluder.skips(directory, name, False):
                key = os.path.realpath(entry.path) if entry.is_symlink() else os.path.join(real, name)
                if key not in seen:
                    seen.add(key)
                    yield Path(directory, name)
        stack.extend(reversed(subdirectories))
