"""Where a file's project starts, and the module name each file has in it (spec: "Whole-project resolution").

The root is the nearest ancestor holding a project marker (the same markers as the
declared-dependency reader, `dependencies.py`); failing that, the directory above the file's top-most
package (the chain of directories with `__init__.py`). A module is named from its path relative
to the root, or to `src/` under it: `src/shop/client.py` is `shop.client`, `shop/__init__.py`
is `shop`. A path with a part that is not an identifier (`httpie-3.2.4.data/...`) names no module.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from apilint.cli.discovery import DEFAULT_EXCLUDES

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def project_root(path: Path | str) -> Path:
    """The project root of a file (or of a directory given as a path), as an absolute path."""
    return _root_of(containing_directory(path))


def containing_directory(path: Path | str) -> str:
    """The absolute directory a file is in (a directory: itself). Every file of a run asks (warm
    runs too), so the absolute path is made once per directory as given, not once per file."""
    text = os.fspath(path)
    if os.path.isdir(text):
        return os.path.abspath(text)
    return file_directory(text)


def file_directory(path: Path | str) -> str:
    """The absolute directory of a path known to name a file (a checked file, a stdin name):
    `containing_directory` without its `stat`, which a warm run would pay once per file."""
    return _absolute_directory(os.getcwd(), os.path.dirname(os.fspath(path)))


@lru_cache(maxsize=4096)
def _absolute_directory(cwd: str, directory: str) -> str:
    return os.path.normpath(os.path.join(cwd, directory))


@lru_cache(maxsize=4096)
def _root_of(directory: str) -> Path:
    return _root(Path(real_directory(directory)))


@lru_cache(maxsize=8192)
def real_directory(directory: str) -> str:
    """`os.path.realpath` of an absolute, normalised directory, built on its parent's (memoised):
    one `lstat` per directory instead of one per component of every directory of a run."""
    parent, name = os.path.split(directory)
    if not name or parent == directory:
        return os.path.realpath(directory)
    candidate = os.path.join(real_directory(parent), name)
    try:
        linked = os.path.islink(candidate)
    except (OSError, ValueError):
        linked = True
    return os.path.realpath(candidate) if linked else candidate


@lru_cache(maxsize=8192)
def marked_directory(directory: str) -> str | None:
    """The nearest of `directory` (absolute) and its ancestors that holds a root marker, in strings
    and memoised per directory (the warm path asks for every directory of a run)."""
    if any(os.path.exists(os.path.join(directory, marker)) for marker in ROOT_MARKERS):
        return directory
    parent = os.path.dirname(directory)
    return marked_directory(parent) if parent != directory else None


@lru_cache(maxsize=1024)
def _root(directory: Path) -> Path:
    marked = marked_directory(str(directory))
    if marked is not None:
        return Path(marked)
    top = directory
    while (top / "__init__.py").is_file() and top.parent != top:
        top = top.parent
    return top


def module_name(path: Path, root: Path) -> str | None:
    """`shop.client` for `<root>/shop/client.py` (or `<root>/src/shop/client.py`); None outside the root."""
    absolute = os.path.abspath(path)
    prefix = os.path.join(str(root), "")
    if absolute.startswith(prefix):  # the common case, in string operations (every file of every project)
        parts = absolute[len(prefix):].split(os.sep)
    else:
        try:
            parts = list(Path(absolute).relative_to(root).parts)
        except ValueError:
            try:
                parts = list(Path(absolute).resolve().relative_to(root).parts)  # reached through a symlink
            except (ValueError, OSError):
                return None
    if not parts or not parts[-1].endswith(".py"):
        return None
    parts[-1] = parts[-1][:-3]
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


def is_package(path: Path) -> bool:
    return Path(path).name == "__init__.py"


def absolute_import(module: str, is_package: bool, level: int, target: str | None) -> str | None:
    """The absolute module a relative import names: `from ..x import y` in `a.b.c` is `a.x`."""
    if level == 0:
        return target
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]  # a plain module's package is its parent
    up = level - 1
    if up > len(parts):
        return None  # beyond the top-level package
    base = parts[:len(parts) - up]
    if target:
        base = [*base, target]
    return ".".join(base) if base else None


def project_files(root: Path, excludes: Iterable[str]) -> list[Path]:
    """The Python files of the project at `root`, sorted: excluded names, virtualenvs and
    directories that are projects of their own (they hold a root marker) are skipped."""
    return [Path(name) for name in _project_file_names(root, excludes)]


def _project_file_names(root: Path, excludes: Iterable[str]) -> list[str]:
    """`project_files` as strings (a warm run fingerprints every file of every project: no Path objects)."""
    excluded = _exclusion_matcher(tuple(excludes))
    markers = frozenset(ROOT_MARKERS)
    found: list[str] = []
    for directory, subdirectories, files in os.walk(root):
        # A directory holding a marker or a virtualenv is judged from its own listing, which the
        # walk reads anyway: no extra system call per directory.
        if directory != str(root) and ("pyvenv.cfg" in files or not markers.isdisjoint(files)
                                       or not markers.isdisjoint(subdirectories)):
            subdirectories[:] = []
            continue
        relative = os.path.relpath(directory, root)
        subdirectories[:] = sorted(name for name in subdirectories
                                   if not excluded(name) and not excluded(os.path.join(relative, name)))
        found += [os.path.join(directory, name) for name in sorted(files) if name.endswith(".py") and not excluded(name)]
    return found


@lru_cache(maxsize=64)
def _exclusion_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """`fnmatch.fnmatchcase` against any of the patterns, as one compiled expression."""
    if not patterns:
        return lambda name: False
    expression = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))
    return lambda name: expression.match(name) is not None


_FINGERPRINTS: dict[Path, str] = {}


def fingerprint_for(path: Path | str) -> str:
    """(`path` names a file.) Changes whenever a file of the project of `path` may have (paths, sizes,
    modification and change times, inodes):
    part of the findings cache key, since a file's findings depend on its project's other modules.
    Cheap enough for a warm run (no file is read)."""
    if not path or str(path) == "-":
        return ""
    try:
        root = _root_of(file_directory(path))
    except (OSError, RecursionError, ValueError):
        return ""
    known = _FINGERPRINTS.get(root)
    if known is None:
        digest = hashlib.sha256(str(root).encode())
        for file in _project_file_names(root, DEFAULT_EXCLUDES):
            try:
                stat = os.stat(file)
            except OSError:
                continue
            _STATS[file] = stat
            # As `cli/file_stats.py`: the change time and inode move even when a copy keeps the mtime.
            digest.update(f"\0{file}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}".encode())
        known = _FINGERPRINTS[root] = digest.hexdigest()[:16]
    return known


_STATS: dict[str, os.stat_result] = {}  # absolute path -> the stat the fingerprint was made from


def stat_seen(absolute: str) -> os.stat_result:
    """The file's stat, as a fingerprint just took it (each handed out once), else a new `os.stat`:
    a warm run stats each file of a project once, not once for the project and once for the file."""
    seen = _STATS.pop(absolute, None)
    return seen if seen is not None else os.stat(absolute)
