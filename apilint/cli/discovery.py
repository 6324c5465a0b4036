"""Which files to check: recursive discovery that skips tooling and virtualenv directories."""

from __future__ import annotations

import fnmatch
import os
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

    def excluded(self, path: Path) -> bool:
        name = path.name
        try:
            relative = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            relative = path.as_posix()
        return any(
            fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(relative, p) or fnmatch.fnmatchcase(path.as_posix(), p)
            for p in self.patterns
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
            for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
                dirnames[:] = sorted(
                    d for d in dirnames
                    if not excluder.excluded(Path(dirpath, d)) and not _is_virtualenv(os.path.join(dirpath, d))
                )
                for filename in sorted(filenames):
                    if filename.endswith(".py"):
                        candidate = Path(dirpath, filename)
                        if not excluder.excluded(candidate):
                            key = os.path.realpath(candidate)
                            if key not in seen:
                                seen.add(key)
                                yield candidate
        else:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                yield path
