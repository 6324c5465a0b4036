"""Building a project's index: which modules to summarise (each looked at in `looks.py`), once per
process per root.

Summarising costs an `ast` parse, so only modules that can tell another module something about
HTTP are summarised: those that import an HTTP library (the text filter's test), then, round by
round (`rounds.py`), those that import a module already found to export a client, client class,
factory, wrapper or re-exported library. The rounds only grow the set, so the result is the same whatever
order the files come in, and whichever subset of them a front end was asked to check.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from apilint.cli.discovery import DEFAULT_EXCLUDES
from apilint.project.index import ProjectIndex
from apilint.project.looks import (
    Look,
    SummaryStore,
    first_looks_of,
    looks_with_store,
    summaries_with_store,
    summary_of,
    use_store,
)
from apilint.project.root import (
    is_package,
    module_name,
    project_files,
    project_root,
)
from apilint.project.rounds import Rounds
from apilint.project.summary_store import SummaryFiles
from apilint.project.view import ProjectView


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


_Start = tuple[Path, dict[str, Path], list[Look], SummaryStore | None]  # root, modules, first looks, store


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
        made = _in_workers(workers, [(name, path) for _, name, path in wanted], summaries_with_store,
                           lambda: [summary_of(name, path, starts[n][3]) for n, name, path in wanted],
                           _PARALLEL_SUMMARIES)
        for (number, _, _), look in zip(wanted, made):
            project = rounds[number]
            if project is not None and look.key:
                _add(project, look, starts[number][3])
    return [_project(start[0], start[1], project) if project is not None else None
            for start, project in zip(starts, rounds)]


def _add(rounds: Rounds, look: Look, store: SummaryStore | None) -> None:
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
        pool = ProcessPoolExecutor(max_workers=count, initializer=use_store, initargs=(store,))
    except (OSError, RuntimeError):
        yield None
        return
    with pool:
        yield _Workers(pool, count)


def _first_looks(items: list[tuple[str, Path]], store: SummaryStore | None, workers: _Workers | None) -> list[Look]:
    """Each file read once (the looks are independent); the looks come back in the order of `items`."""
    return _in_workers(workers, items, looks_with_store, lambda: first_looks_of(items, store), _PARALLEL_FILES)


def _in_workers(workers: _Workers | None, items: list[tuple[str, Path]],
                there: Callable[[list[tuple[str, Path]]], list[Look]],
                here: Callable[[], list[Look]], enough: int) -> list[Look]:
    """`there` over slices of the items in the worker processes when there are `enough` of them,
    else (or when no process can be started) `here()`; the looks come back in the order of `items`."""
    if workers is None or len(items) < enough:
        return here()
    parts = 4 * workers.count
    slices = [list(range(i, len(items), parts)) for i in range(parts)]
    placed: list[Look | None] = [None] * len(items)
    try:
        for indexes, chunk in zip(slices, workers.pool.map(there, [[items[i] for i in s] for s in slices])):
            for index, look in zip(indexes, chunk):
                placed[index] = look
    except (OSError, RuntimeError):
        return here()  # no processes available: work in this one
    return [look for look in placed if look is not None]


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
        _settle()
    return project


def _settle() -> None:
    """An index built for this process (a flake8 worker, an editor's worker) lives as long as the
    process, and the cyclic collector would walk all of it at every full collection the host's own
    work triggers: measured in flake8's workers on the dev corpus, 7.4 s of collections instead of
    flake8's own 3.1 s. Free the cycles left while the collector was paused (`_collector_paused`),
    then move what is alive to the permanent generation, as the CLI does before forking its workers."""
    gc.collect()
    gc.freeze()


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
