"""Which files to check: recursive discovery that skips tooling and virtualenv directories.

Discovery runs before every warm (cached) run, so it avoids per-file system
calls beyond the directory listing: relative paths are built from strings,
and symlinks are resolved only where they exist.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", ".eggs", "build", "dist",
    "__pycache__", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".apilint_cache",
    "site-packages", "__pypackages__", "_build", "buck-out",
)


class Excluder:
    """Matches paths against glob patterns, by name and by path relative to `root` (flake8/ruff style)."""

    def __init__(self, patterns: Iterable[str], root: Path) -> None:
        self.patterns = tuple(p.rstrip("/") for p in patterns)
        self.root = root
        self._root = root.resolve()
        # One regex for all globs: `fnmatchcase(s, p)` for any p is `combined.match(s)`.
        self._any = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in self.patterns)) if self.patterns else None

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self._root).as_posix()
        except ValueError:
            return path.as_posix()

    def excluded(self, path: Path) -> bool:
        return self.matches(path.name, self.relative(path), path.as_posix())

    def matches(self, name: str, relative: str, as_given: str) -> bool:
        match = self._any
        return match is not None and (
            match.match(name) is not None or match.match(relative) is not None or match.match(as_given) is not None
        )


def _is_virtualenv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg"))


def discover(paths: Iterable[Path], excluder: Excluder) -> Iterator[Path]:
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


def _walk(top: Path, excluder: Excluder, seen: set[str]) -> Iterator[Path]:
    """Like os.walk (sorted, symlinked directories not followed) with string-built relative paths."""
    top_relative = excluder.relative(top)
    top_real = os.path.realpath(top)
    # (directory as given, relative to the root, its real path)
    stack = [(os.fspath(top), "" if top_relative == "." else top_relative, top_real)]
    while stack:
        directory, relative, real = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        subdirectories = []
        for entry in entries:
            name = entry.name
            entry_relative = f"{relative}/{name}" if relative else name
            as_given = Path(directory, name).as_posix()
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if excluder.matches(name, entry_relative, as_given) or _is_virtualenv(entry.path):
                    continue
                subdirectories.append((entry.path, entry_relative, os.path.join(real, name)))
            elif entry.is_symlink() and entry.is_dir():
                continue  # a symlinked directory: not followed, as os.walk does not
            elif name.endswith(".py") and not excluder.matches(name, entry_relative, as_given):
                key = os.path.realpath(entry.path) if entry.is_symlink() else os.path.join(real, name)
                if key not in seen:
                    seen.add(key)
                    yield Path(directory, name)
        stack.extend(reversed(subdirectories))
