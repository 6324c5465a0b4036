"""A look at one module of a project: its summary, or the modules it imports (`build.py` decides which).

The first look at every file reads it once: a module that imports an HTTP library is summarised
(an `ast` parse, `summary.py`), any other is only scanned for the modules it imports, so that the
rounds (`rounds.py`) can summarise it later if one of those turns out to export a client. Summaries
come from the store when the module's name and text are unchanged. Worker processes get the store
once (`use_store`), not with every chunk.
"""

from __future__ import annotations

import ast
import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apilint.engine.findings import AnalysisError
from apilint.engine.source import read_bytes
from apilint.engine.text_filter import TextIndex, _import_statements
from apilint.knowledge.http_clients import HTTP_MODULE_ROOTS
from apilint.project.facts import ModuleSummary
from apilint.project.root import absolute_import, is_package
from apilint.project.summary import summarize
from apilint.project.summary_store import summary_from_json

# content key -> summary JSON (None: not summarised); a store may keep them across runs.
SummaryStore = dict[str, Any]


@dataclass
class Look:
    """A look at one file: its summary (and store key) if it imports an HTTP library or is ready
    in a round, else (a first look) the modules it imports."""

    name: str
    key: str = ""  # "": the file could not be read
    summary: ModuleSummary | None = None
    named: set[str] = field(default_factory=set)
    stored: bool = False  # the summary came from the store


_WORKER_STORE: SummaryStore | None = None


def use_store(store: SummaryStore | None) -> None:
    global _WORKER_STORE
    _WORKER_STORE = store


def looks_with_store(items: list[tuple[str, Path]]) -> list[Look]:
    return first_looks_of(items, _WORKER_STORE)


def summaries_with_store(items: list[tuple[str, Path]]) -> list[Look]:
    return [summary_of(name, path, _WORKER_STORE) for name, path in items]


def first_looks_of(items: list[tuple[str, Path]], store: SummaryStore | None) -> list[Look]:
    return [_first_look(name, path, store) for name, path in items]


def summary_of(name: str, path: Path, store: SummaryStore | None) -> Look:
    text = _read(path)
    return _summarise(name, text, path, store) if text is not None else Look(name)


def _first_look(name: str, path: Path, store: SummaryStore | None) -> Look:
    text = _read(path)
    if text is None:
        return Look(name)
    if TextIndex(text).imports_any(HTTP_MODULE_ROOTS):
        return _summarise(name, text, path, store)
    return Look(name, named=_imported_modules(text, name, is_package(path)))


def _read(path: Path) -> str | None:
    try:
        # Bounded, non-blocking, regular files only: a FIFO or a link to /dev/zero named
        # `x.py` must not hang the index (engine/source.py).
        return read_bytes(path).decode("utf-8", errors="replace")
    except AnalysisError:
        return None


def _summarise(name: str, text: str, path: Path, store: SummaryStore | None) -> Look:
    package = is_package(path)
    key = hashlib.sha256(f"{name}|{package}|".encode() + text.encode("utf-8", "surrogatepass")).hexdigest()
    if store is not None and key in store:
        stored = summary_from_json(store[key])  # a store read from disk may hold anything
        if stored is not None:
            return Look(name, key, stored, stored=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
        return Look(name, key, summarize(tree, name, package))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return Look(name, key)  # a module that cannot be parsed tells nothing


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
