"""Building a project's index: which modules to summarise, once per process per root.

Summarising costs an `ast` parse, so only modules that can tell another module something about
HTTP are summarised: those that import an HTTP library (the text filter's test), then, round by
round, those that import a module already found to export a client, client class, factory,
wrapper or re-exported library. The rounds only grow the set, so the result is the same whatever
order the files come in, and whichever subset of them a front end was asked to check.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apilint.cli.discovery import DEFAULT_EXCLUDES
from apilint.engine.findings import AnalysisError
from apilint.engine.source import read_bytes
from apilint.engine.text_filter import TextIndex, _import_statements
from apilint.knowledge.http_clients import HTTP_MODULE_ROOTS
from apilint.project.facts import ModuleSummary
from apilint.project.index import ProjectIndex
from apilint.project.root import (
    absolute_import,
    is_package,
    module_name,
    project_files,
    project_root,
)
from apilint.project.summary import summarize
from apilint.project.summary_store import SummaryFiles, summary_from_json
from apilint.project.view import ProjectView

# content key -> summary JSON (None: not summarised); a store may keep them across runs.
SummaryStore = dict[str, Any]


@dataclass
class Project:
    root: Path
    index: ProjectIndex
    paths: dict[str, Path] = field(default_factory=dict)  # module name -> file
    digest: str = ""  # changes whenever any summary does (part of the findings cache key)
    keys: list[str] = field(default_factory=list)  # the summaries' store keys

    def module_of(self, path: Path) -> tuple[str, bool] | None:
        name = module_name(path, self.root)
        known = self.paths.get(name) if name is not None else None
        if name is None or known is None:
            return None  # outside the root, or excluded
        if str(known) != os.path.abspath(path) and known.resolve() != Path(path).resolve():
            return None  # a second file claiming the same name
        return name, is_package(path)


def build_project(root: Path, excludes: Iterable[str] = (), store: SummaryStore | None = None,
                  workers: int = 1) -> Project:
    root = root.resolve()
    paths = _module_paths(root, excludes)
    return _complete(root, paths, _first_looks(sorted(paths.items()), store, workers), store)


def _module_paths(root: Path, excludes: Iterable[str]) -> dict[str, Path]:
    """Module name -> file, for every module of the project at `root` (already resolved)."""
    paths: dict[str, Path] = {}
    for path in project_files(root, (*DEFAULT_EXCLUDES, *excludes)):
        name = module_name(path, root)
        if name is not None and name not in paths:
            paths[name] = path
    return paths


def _complete(root: Path, paths: dict[str, Path], looks: list[_Look], store: SummaryStore | None) -> Project:
    """The project from the first looks at its files (in sorted order): the rounds, then the index."""
    summaries: dict[str, ModuleSummary] = {}
    keys: dict[str, str] = {}
    pending: dict[str, set[str]] = {}  # not summarised yet: the modules its import statements name
    for look in looks:
        if look.summary is not None:
            summaries[look.name], keys[look.name] = look.summary, look.key
            if store is not None and look.key not in store:
                store[look.key] = look.summary.to_json()
        elif look.named:
            pending[look.name] = look.named
    while pending:
        index = ProjectIndex(summaries, paths)
        exporting = {n for m in summaries for n in _exported_http(index, summaries[m])}
        ready = [m for m, named in pending.items() if named & exporting]
        if not ready:
            break
        for name in sorted(ready):
            del pending[name]
            text = _read(paths[name])
            if text is not None:
                _summarise(name, text, paths[name], summaries, store, keys)
    # A summary is a function of its module's name and text: their keys make the digest.
    digest = hashlib.sha256("|".join(f"{m}:{keys[m]}" for m in sorted(summaries)).encode()).hexdigest()[:16]
    return Project(root, ProjectIndex(summaries, paths), paths, digest, sorted(keys.values()))


@dataclass
class _Look:
    """A first look at one file: its summary if it imports an HTTP library, else the modules it imports."""

    name: str
    key: str = ""
    summary: ModuleSummary | None = None
    named: set[str] = field(default_factory=set)


_PARALLEL_FILES = 200  # below this, starting worker processes costs more than it saves


def _first_looks(items: list[tuple[str, Path]], store: SummaryStore | None, workers: int) -> list[_Look]:
    """Each file read once, in worker processes when there are many (the looks are independent);
    the looks come back in the order of `items`."""
    if workers > 1 and len(items) >= _PARALLEL_FILES:
        from concurrent.futures import ProcessPoolExecutor

        slices = [list(range(i, len(items), workers * 4)) for i in range(workers * 4)]
        try:
            # The store goes to each worker once (not with every chunk).
            with ProcessPoolExecutor(max_workers=workers, initializer=_use_store, initargs=(store,)) as pool:
                chunks = pool.map(_looks_with_store, [[items[i] for i in s] for s in slices])
                placed: list[_Look | None] = [None] * len(items)
                for indexes, chunk in zip(slices, chunks):
                    for index, look in zip(indexes, chunk):
                        placed[index] = look
            return [look for look in placed if look is not None]
        except (OSError, RuntimeError):
            pass  # no processes available: look in this one
    return _looks(items, store)


_WORKER_STORE: SummaryStore | None = None


def _use_store(store: SummaryStore | None) -> None:
    global _WORKER_STORE
    _WORKER_STORE = store


def _looks_with_store(items: list[tuple[str, Path]]) -> list[_Look]:
    return _looks(items, _WORKER_STORE)


def _looks(items: list[tuple[str, Path]], store: SummaryStore | None) -> list[_Look]:
    return [_first_look(name, path, store) for name, path in items]


def _first_look(name: str, path: Path, store: SummaryStore | None) -> _Look:
    look = _Look(name)
    text = _read(path)
    if text is None:
        return look
    if TextIndex(text).imports_any(HTTP_MODULE_ROOTS):
        out: dict[str, ModuleSummary] = {}
        keys: dict[str, str] = {}
        _summarise(name, text, path, out, store, keys, remember=False)
        look.summary, look.key = out.get(name), keys.get(name, "")
    else:
        look.named = _imported_modules(text, name, is_package(path))
    return look


def _read(path: Path) -> str | None:
    try:
        # Bounded, non-blocking, regular files only: a FIFO or a link to /dev/zero named
        # `x.py` must not hang the index (engine/source.py).
        return read_bytes(path).decode("utf-8", errors="replace")
    except AnalysisError:
        return None


def _summarise(name: str, text: str, path: Path, out: dict[str, ModuleSummary], store: SummaryStore | None,
               keys: dict[str, str], remember: bool = True) -> None:
    package = is_package(path)
    key = keys[name] = hashlib.sha256(f"{name}|{package}|".encode() + text.encode("utf-8", "surrogatepass")).hexdigest()
    if store is not None and key in store:
        stored = summary_from_json(store[key])  # a store read from disk may hold anything
        if stored is not None:
            out[name] = stored
            return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
        summary = summarize(tree, name, package)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return  # a module that cannot be parsed tells nothing
    out[name] = summary
    if store is not None and remember:
        store[key] = summary.to_json()


def _exported_http(index: ProjectIndex, summary: ModuleSummary) -> set[str]:
    """The module's names that lead to something HTTP, and the module itself if any does."""
    names = [*summary.imports, *summary.names, *summary.classes, *summary.functions]
    found = {f"{summary.name}.{n}" for n in names if index.http_library(f"{summary.name}.{n}") is not None}
    if found:
        found.add(summary.name)
    return found


_FROM = re.compile(r"from\s+(\.*)\s*([\w.]*)\s+import\s+\(?([^)#]*)")
_IMPORT = re.compile(r"import\s+([^#;]*)")


def _imported_modules(text: str, module: str, package: bool) -> set[str]:
    """Every module (and `module.name`) an import statement of the text may name (an over-approximation)."""
    found: set[str] = set()
    for statement in _import_statements(text):
        statement = statement.replace("\\\n", " ").strip()
        match = _FROM.match(statement)
        if match is not None:
            dots, target, names = match.groups()
            base = absolute_import(module, package, len(dots), target or None)
            if base is None:
                continue
            for part in names.split(","):
                words = part.split()
                if words:
                    # `from a import b` names a.b (a name or a submodule); `from a import *` all of a.
                    found.add(base if words[0] == "*" else f"{base}.{words[0]}")
            continue
        match = _IMPORT.match(statement)
        if match is not None:
            for part in match.group(1).split(","):
                words = part.split()
                if words:
                    dotted = words[0].split(".")
                    found.update(".".join(dotted[:i]) for i in range(1, len(dotted) + 1))
    return found


# -- one index per root per process ---------------------------------------------------------
_PROJECTS: dict[tuple[Path, tuple[str, ...]], Project] = {}
_SUMMARY_FILES: list[SummaryFiles] = []  # where summaries are kept across runs (none: not kept)


def keep_summaries(files: SummaryFiles | None) -> None:
    """Keep the summaries of the projects this process builds in `files` (the cache), and reuse them:
    a module whose text did not change is not parsed again, in this run's other processes (flake8's
    `-j` workers) or in the next run. None: neither read nor written (`--no-cache`)."""
    _SUMMARY_FILES[:] = [files] if files is not None else []


def _stored(root: Path) -> SummaryStore | None:
    return _SUMMARY_FILES[0].load(root) if _SUMMARY_FILES else None


def _keep(project: Project, store: SummaryStore | None) -> None:
    if _SUMMARY_FILES and store is not None:
        _SUMMARY_FILES[0].save(project.root, store, project.keys)


def project_for(path: Path, excludes: tuple[str, ...] = (),
                store_for: Callable[[Path], SummaryStore | None] | None = None, workers: int = 1) -> Project:
    """The project of `path`, built once per process (the CLI builds it before forking its workers)."""
    root = project_root(path)
    key = (root, excludes)
    project = _PROJECTS.get(key)
    if project is None:
        store = store_for(root) if store_for is not None else _stored(root)
        project = _PROJECTS[key] = build_project(root, excludes, store, workers)
        if store_for is None:
            _keep(project, store)
    return project


def view_for(path: Path | str) -> ProjectView | None:
    """The project view of the file at `path` (None for stdin, or a file that names no module)."""
    if not path or str(path) == "-":
        return None
    try:
        project = project_for(Path(path))
        found = project.module_of(Path(path))
    except (OSError, RecursionError, ValueError):
        return None
    return ProjectView(project.index, found[0], found[1]) if found is not None else None


def digest_for(path: Path | str) -> str:
    """Changes whenever the project index the file is checked with does (for the findings cache)."""
    if not path or str(path) == "-":
        return ""
    try:
        return project_for(Path(path)).digest
    except (OSError, RecursionError, ValueError):
        return ""


def prepare(paths: Iterable[Path], workers: int = 1) -> None:
    """Build the projects of these files now (the CLI, before it starts its workers: they inherit them).

    The first looks at the files of every project not built yet go to the worker processes together:
    a run over many small projects is as parallel as one over a large one."""
    roots: set[Path] = set()
    for directory in {Path(p).parent for p in paths if str(p) != "-"}:
        try:
            root = project_root(directory / "__init__.py").resolve()
        except (OSError, RecursionError, ValueError):
            continue
        if (root, ()) not in _PROJECTS:
            roots.add(root)
    projects: list[tuple[Path, dict[str, Path]]] = []
    for root in sorted(roots):
        try:
            projects.append((root, _module_paths(root, ())))
        except (OSError, RecursionError, ValueError):
            continue
    items = [item for _, modules in projects for item in sorted(modules.items())]
    stores = {root: _stored(root) for root, _ in projects}
    # One store for the first looks: an entry's key is its module's name and text, whatever the project.
    merged: SummaryStore | None = None
    if _SUMMARY_FILES:
        merged = {}
        for store in stores.values():
            merged.update(store or {})
    try:
        looks = _first_looks(items, merged, workers)
    except (OSError, RecursionError, ValueError):
        return  # each project is built (or found unbuildable) when a file asks for it
    start = 0
    for root, modules in projects:
        mine, start = looks[start:start + len(modules)], start + len(modules)
        try:
            project = _PROJECTS[(root, ())] = _complete(root, modules, mine, stores[root])
        except (OSError, RecursionError, ValueError):
            continue
        _keep(project, stores[root])
