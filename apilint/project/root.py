"""Where a file's project starts, and the module name each file has in it (spec: "Whole-project resolution").

The root is the nearest ancestor holding a project marker (the same markers as the
declared-dependency reader, `dependencies.py`); failing that, the directory above the file's top-most
package (the chain of directories with `__init__.py`). A module is named from its path relative
to the root, or to `src/` under it: `src/shop/client.py` is `shop.client`, `shop/__init__.py`
is `shop`. A path with a part that is not an identifier (`httpie-3.2.4.data/...`) names no module.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def project_root(path: Path) -> Path:
    """The project root of a file (or of a directory given as a path), as an absolute path."""
    absolute = os.path.abspath(path)
    return _root_of(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))


@lru_cache(maxsize=4096)
def _root_of(directory: str) -> Path:
    return _root(Path(directory).resolve())


@lru_cache(maxsize=1024)
def _marked(directory: Path) -> Path | None:
    if any((directory / marker).exists() for marker in ROOT_MARKERS):
        return directory
    return _marked(directory.parent) if directory.parent != directory else None


@lru_cache(maxsize=1024)
def _root(directory: Path) -> Path:
    marked = _marked(directory)
    if marked is not None:
        return marked
    top = directory
    while (top / "__init__.py").is_file() and top.parent != top:
        top = top.parent
    return top


def module_name(path: Path, root: Path) -> str | None:
    """`shop.client` for `<root>/shop/client.py` (or `<root>/src/shop/client.py`); None outside the root."""
    path = Path(os.path.abspath(path))
    try:
        relative = path.relative_to(root)
    except ValueError:
        try:
            relative = path.resolve().relative_to(root)  # reached through a symlink
        except (ValueError, OSError):
            return None
    parts = list(relative.parts)
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
