"""Building a project's index: which modules to summarise, once per process per root.

Summarising costs an `ast` parse, so only modules that can tell another module something about
HTTP are summarised: those that import an HTTP library (the text filter's test), then, round by
round (`rounds.py`), those that import a module already found to export a client, client class,
factory, wrapper or re-exported library. The rounds only grow the set, so the result is the same whatever
order the files come in, and whichever subset of them a front end was asked to check.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
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
from apilint.project.rounds import Rounds
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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while an index is built (and in the worker processes it
    forks). Parsing and summarising allocate millions of acyclic objects, freed by reference
    counting; the collector would walk the growing set of summaries again and again for nothing
    (measured: 14% of the index's time on the dev corpus, 29% on dev2). It runs again afterwards."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def build_project(root: Path, excludes: Iterable[str] = (), store: SummaryStore | None = None,
                  workers: int = 1) -> Project:
    with _collector_paused():
        return _build_project(root, excludes, store, workers)


def _build_project(root: Path, excludes: Iterable[str], store: SummaryStore | None, workers: int) -> Project:
    root = root.resolve()
    paths = _module_paths(root, excludes)
    with _worker_pool(workers, store) as pool:
        built = _complete_all([(root, paths, _first_looks(sorted(paths.items()), store, pool), store)], pool)
    if built[0] is None:
        raise RecursionError(f"cannot index the project at {root}")
    return built[0]


def _module_paths(root: Path, excludes: Iterable[str]) -> dict[str, Path]:
    """Module name -> file, for every module of the project at `root` (already resolved)."""
    paths: dict[str, Path] = {}
    for path in project_files(root, (*DEFAULT_EXCLUDES, *excludes)):
        name = module_name(path, root)
        if name is not None and name not in paths:
            paths[name] = path
    return paths


_Start = tuple[Path, dict[str, Path], list["_Look"], SummaryStore | None]  # root, modules, first looks, store


def _complete_all(starts: list[_Start], workers: _Workers | None) -> list[Project | None]:
    """Each project from the first looks at its files (in sorted order): the rounds, then the index.

    The projects go through their rounds side by side, so the modules that get ready in one round
    of any project are summarised together (in the workers when there are many). A project whose
    rounds fail (too deep to follow) is None: it is built, or found unbuildable, when asked for."""
    rounds: list[Rounds | None] = []
    for _, paths, looks, store in starts:
        first = Rounds(paths)
        for look in looks:
            if look.summary is not None:
                _add(first, look, store)
            elif look.named:
                first.pending[look.name] = look.named
        rounds.append(first)
    while True:
        wanted: list[tuple[int, str, Path]] = []
        for number, ((_, paths, _, _), project) in enumerate(zip(starts, rounds)):
            try:
                ready = project.ready() if project is not None else []
            except (RecursionError, ValueError):
                rounds[number] = None
                continue
            wanted += [(number, name, paths[name]) for name in ready]
        if not wanted:
            break
        # In this process each project's own store; the workers hold the store they were started with.
        made = _in_workers(workers, [(name, path) for _, name, path in wanted], _summaries_with_store,
                           lambda: [_summary_of(name, path, starts[n][3]) for n, name, path in wanted],
                           _PARALLEL_SUMMARIES)
        for (number, _, _), look in zip(wanted, made):
            project = rounds[number]
            if project is not None and look.key:
                _add(project, look, starts[number][3])
    return [_project(start[0], start[1], project) if project is not None else None
            for start, project in zip(starts, rounds)]


def _add(rounds: Rounds, look: _Look, store: SummaryStore | None) -> None:
    """Record a module's summary (or that it has none: its text is still part of the project's keys)."""
    rounds.keys[look.name] = look.key
    if look.summary is None:
        return
    rounds.summaries[look.name] = look.summary
    if store is not None and (not look.stored or look.key not in store):
        store[look.key] = look.summary.to_json()


def _project(root: Path, paths: dict[str, Path], rounds: Rounds) -> Project:
    summaries, keys = rounds.summaries, rounds.keys
    # A summary is a function of its module's name and text: their keys make the digest.
    digest = hashlib.sha256("|".join(f"{m}:{keys[m]}" for m in sorted(summaries)).encode()).hexdigest()[:16]
    return Project(root, ProjectIndex(summaries, paths), paths, digest, sorted(keys.values()))


@dataclass
class _Look:
    """A look at one file: its summary (and store key) if it imports an HTTP library or is ready
    in a round, else (a first look) the modules it imports."""

    name: str
    key: str = ""  # "": the file could not be read
    summary: ModuleSummary | None = None
    named: set[str] = field(default_factory=set)
    stored: bool = False  # the summary came from the store


_PARALLEL_FILES = 200  # below this, handing the first looks to worker processes costs more than it saves
_PARALLEL_SUMMARIES = 24  # the same for the modules ready in one round (each costs a parse)


@dataclass
class _Workers:
    pool: Executor
    count: int


@contextmanager
def _worker_pool(count: int, store: SummaryStore | None) -> Iterator[_Workers | None]:
    """Worker processes for the looks and the rounds (None: one process). They start only when
    first given work; the store goes to each of them once, not with every chunk."""
    if count <= 1:
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing only when it is used

    try:
        pool = ProcessPoolExecutor(max_workers=count, initializer=_use_store, initargs=(store,))
    except (OSError, RuntimeError):
        yield None
        return
    with pool:
        yield _Workers(pool, count)


def _first_looks(items: list[tuple[str, Path]], store: SummaryStore | None, workers: _Workers | None) -> list[_Look]:
    """Each file read once (the looks are independent); the looks come back in the order of `items`."""
    return _in_workers(workers, items, _looks_with_store, lambda: _looks(items, store), _PARALLEL_FILES)


def _in_workers(workers: _Workers | None, items: list[tuple[str, Path]],
                there: Callable[[list[tuple[str, Path]]], list[_Look]],
                here: Callable[[], list[_Look]], enough: int) -> list[_Look]:
    """`there` over slices of the items in the worker processes when there are `enough` of them,
    else (or when no process can be started) `here()`; the looks come back in the order of `items`."""
    if workers is None or len(items) < enough:
        return here()
    parts = 4 * workers.count
    slices = [list(range(i, len(items), parts)) for i in range(parts)]
    placed: list[_Look | None] = [None] * len(items)
    try:
        for indexes, chunk in zip(slices, workers.pool.map(there, [[items[i] for i in s] for s in slices])):
            for index, look in zip(indexes, chunk):
                placed[index] = look
    except (OSError, RuntimeError):
        return here()  # no processes available: work in this one
    return [look for look in placed if look is not None]


_WORKER_STORE: SummaryStore | None = None


def _use_store(store: SummaryStore | None) -> None:
    global _WORKER_STORE
    _WORKER_STORE = store


def _looks_with_store(items: list[tuple[str, Path]]) -> list[_Look]:
    return _looks(items, _WORKER_STORE)


def _summaries_with_store(items: list[tuple[str, Path]]) -> list[_Look]:
    return [_summary_of(name, path, _WORKER_STORE) for name, path in items]


def _looks(items: list[tuple[str, Path]], store: SummaryStore | None) -> list[_Look]:
    return [_first_look(name, path, store) for name, path in items]


def _summary_of(name: str, path: Path, store: SummaryStore | None) -> _Look:
    text = _read(path)
    return _summarise(name, text, path, store) if text is not None else _Look(name)


def _first_look(name: str, path: Path, store: SummaryStore | None) -> _Look:
    text = _read(path)
    if text is None:
        return _Look(name)
    if TextIndex(text).imports_any(HTTP_MODULE_ROOTS):
        return _summarise(name, text, path, store)
    return _Look(name, named=_imported_modules(text, name, is_package(path)))


def _read(path: Path) -> str | None:
    try:
        # Bounded, non-blocking, regular files only: a FIFO or a link to /dev/zero named
        # `x.py` must not hang the index (engine/source.py).
        return read_bytes(path).decode("utf-8", errors="replace")
    except AnalysisError:
        return None


def _summarise(name: str, text: str, path: Path, store: SummaryStore | None) -> _Look:
    package = is_package(path)
    key = hashlib.sha256(f"{name}|{package}|".encode() + text.encode("utf-8", "surrogatepass")).hexdigest()
    if store is not None and key in store:
        stored = summary_from_json(store[key])  # a store read from disk may hold anything
        if stored is not None:
            return _Look(name, key, stored, stored=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
        return _Look(name, key, summarize(tree, name, package))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _Look(name, key)  # a module that cannot be parsed tells nothing


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

    The first looks at the files of every project not built yet go to the worker processes together,
    and so do the modules that get ready in each round: a run over many small projects is as
    parallel as one over a large one."""
    with _collector_paused():
        _prepare(paths, workers)


def _prepare(paths: Iterable[Path], workers: int) -> None:
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
    with _worker_pool(workers, merged) as pool:
        try:
            looks = _first_looks(items, merged, pool)
        except (OSError, RecursionError, ValueError):
            return  # each project is built (or found unbuildable) when a file asks for it
        starts: list[_Start] = []
        for root, modules in projects:
            starts.append((root, modules, looks[:len(modules)], stores[root]))
            looks = looks[len(modules):]
        built = _complete_all(starts, pool)
    for (root, _, _, store), project in zip(starts, built):
        if project is not None:
            _PROJECTS[(root, ())] = project
            _keep(project, store)
