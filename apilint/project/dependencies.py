"""Which major versions of a library a project supports, read from its declared dependencies.

Principle 4 of the spec: advice (and a fix) that needs a library feature applies only when the
project supports only versions that have it. The declarations are read, never executed:
`[project] dependencies` and Poetry's `[tool.poetry.dependencies]` in `pyproject.toml`,
`install_requires` in `setup.cfg` and in a literal `setup(...)` call of `setup.py`, and every
`requirements*.txt` at the project root. A requirement without a version, or no declaration at
all, proves nothing: the project may run on any version.
"""

from __future__ import annotations

import ast
import configparser
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from apilint.project.root import file_directory, marked_directory, real_directory
from apilint.settings import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_MAX_FILE_BYTES = 1_000_000  # a declaration file larger than this is not a declaration file
# `name [extras] specifiers ; marker`: PEP 508 without URLs (a URL pins no version we can read).
_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(\(?[^;#@]*\)?)")
_CLAUSE = re.compile(r"\s*(===|==|~=|>=|<=|!=|>|<|\^|~)?\s*v?([0-9][0-9a-zA-Z.*+!-]*)\s*")


def project_root(path: Path) -> Path | None:
    """The nearest ancestor directory holding pyproject.toml, setup.cfg, setup.py or .git."""
    return _root_of_directory(path if path.is_dir() else path.parent)


def _root_of_directory(directory: Path) -> Path | None:
    marked = marked_directory(str(directory))
    return Path(marked) if marked is not None else None


def minimum_major(path: Path | str | None, library: str) -> int | None:
    """(`path` names a file.) The lowest major version of `library` that the project of `path` may run on, when its
    declarations bound it from below; None when nothing proves a lower bound."""
    if path is None:
        return None
    return _minimum_major_under(file_directory(path), _normalise(library))


@lru_cache(maxsize=4096)
def _minimum_major_under(directory: str, library: str) -> int | None:
    """Per directory (every file of a run asks): its real path's nearest declaring ancestor."""
    try:
        root = project_root(Path(real_directory(directory)))
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return None
    return _minimum_major(root, library) if root is not None else None


@lru_cache(maxsize=256)
def _minimum_major(root: Path, library: str) -> int | None:
    floors = [_floor(spec) for name, spec in declared_requirements(root) if _normalise(name) == library]
    known = [f for f in floors if f is not None]
    # Several declarations (pyproject and requirements): the project promises all of them.
    return max(known) if known else None


def declared_requirements(root: Path) -> list[tuple[str, str]]:
    """(name, version specifier) of every requirement the project at `root` declares."""
    found: list[tuple[str, str]] = []
    found += _pyproject(root / "pyproject.toml")
    found += _setup_cfg(root / "setup.cfg")
    found += _setup_py(root / "setup.py")
    for requirements in sorted(root.glob("requirements*.txt")):
        found += _parse_lines(_read(requirements).splitlines())
    return found


def _read(path: Path) -> str:
    try:
        if not path.is_file() or path.stat().st_size > _MAX_FILE_BYTES:
            return ""
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _pyproject(path: Path) -> list[tuple[str, str]]:
    try:
        data = tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError:
        return []  # a broken file declares nothing; configuration errors are reported elsewhere
    found: list[tuple[str, str]] = []
    project = data.get("project")
    if isinstance(project, dict) and isinstance(project.get("dependencies"), list):
        found += _parse_lines(d for d in project["dependencies"] if isinstance(d, str))
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
    if isinstance(dependencies, dict):
        for name, value in dependencies.items():
            version = value.get("version") if isinstance(value, dict) else value
            if isinstance(name, str) and isinstance(version, str):
                found.append((name, version))
    return found


def _setup_cfg(path: Path) -> list[tuple[str, str]]:
    text = _read(path)
    if not text:
        return []
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
        value = parser.get("options", "install_requires", fallback="")
    except configparser.Error:
        return []
    return _parse_lines(value.splitlines())


def _setup_py(path: Path) -> list[tuple[str, str]]:
    """`install_requires=[...]` of a `setup(...)` call: a literal list, or a module-level name bound
    once to one. Anything computed is not read (the file is never executed)."""
    text = _read(path)
    if not text:
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return []
    lists: dict[str, list[ast.expr]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            if isinstance(statement.value, (ast.List, ast.Tuple)):
                lists[statement.targets[0].id] = statement.value.elts
    found: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg != "install_requires":
                continue
            value = keyword.value
            items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else (
                lists.get(value.id, []) if isinstance(value, ast.Name) else [])
            found += _parse_lines(i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str))
    return found


def _parse_lines(lines: Iterable[str]) -> list[tuple[str, str]]:
    found = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue  # options (`-r other.txt`, `-e .`) name no requirement we can read
        match = _REQUIREMENT.match(line)
        if match is not None:
            found.append((match.group(1), match.group(2).strip().strip("()")))
    return found


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _clauses(spec: str) -> Iterator[tuple[str, tuple[int, ...]]]:
    for part in re.split(r"[,|]| \|\| ", spec):
        match = _CLAUSE.fullmatch(part)
        if match is None:
            continue
        op, version = match.group(1) or "==", match.group(2)
        numbers = tuple(int(n) for n in re.findall(r"\d+", version.split("*")[0])[:3])
        if numbers:
            yield op, numbers


def _floor(spec: str) -> int | None:
    """The lowest major version a specifier allows, when it bounds it from below (`>=2`, `~=2.0`,
    `==2.*`, Poetry's `^2.0`); None for no lower bound (`<3`, `!=1.26.0`, ``, `>1.26`)."""
    if "||" in spec or "|" in spec:
        return None  # alternatives: the lowest of them would be needed; rare enough to not guess
    floors = []
    for op, numbers in _clauses(spec):
        if op in (">=", "==", "===", "~=", "^", "~"):
            floors.append(numbers[0])
        elif op == ">":
            floors.append(numbers[0])  # `>1.26` still allows a 1.x release; `>2` only 2.x and later
    return max(floors) if floors else None


def with_project_facts(settings: Settings, path: Path | str | None) -> Settings:
    """`settings` completed with what the project of `path` declares (a setting given wins).

    Called where the settings of one file are decided (CLI jobs, the flake8 plugin), so that the
    facts are part of the settings every cache key includes."""
    if settings.urllib3_version is not None or path is None:
        return settings
    found = minimum_major(path, "urllib3")
    return replace(settings, urllib3_version=found) if found is not None else settings
