"""Module summaries kept across runs: one JSON file per project root in the cache directory.

A summary is a function of its module's name and text (and of apilint's code, Python's and
libcst's versions, which key the cache directory itself), so an entry is keyed by the hash of
those (`looks._summarise`). The files sit in the user's tree and may be truncated, hand-edited or
written by another version: an entry is used only if it has exactly the shape `to_json` writes
(`summary_from_json`); anything else is a miss, never an error or a wrong summary. Each file is
written to a temporary file and renamed into place, so concurrent writers (flake8's `-j`
workers) never leave half a file; the last writer wins, and a lost entry is only a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from apilint.cache_files import write_json_atomically
from apilint.project.facts import ModuleSummary


class SummaryFiles:
    def __init__(self, directory: Path, on_write: Callable[[], None] = lambda: None) -> None:
        self.directory = directory
        self._on_write = on_write  # e.g. mark the cache's top directory (.gitignore, CACHEDIR.TAG)
        self._loaded: dict[Path, frozenset[str]] = {}  # root -> the keys its file held

    def _file(self, root: Path) -> Path:
        return self.directory / f"{hashlib.sha256(str(root).encode()).hexdigest()[:20]}.json"

    def load(self, root: Path) -> dict[str, Any]:
        """The stored summaries of the project at `root` (key -> JSON, unvalidated); empty if unreadable."""
        try:
            with self._file(root).open(encoding="utf-8") as fh:
                loaded = json.load(fh)
        except (OSError, ValueError, RecursionError, MemoryError):
            loaded = {}
        store = loaded if isinstance(loaded, dict) else {}
        self._loaded[root] = frozenset(store)
        return store

    def save(self, root: Path, store: dict[str, Any], used: Iterable[str]) -> None:
        """Keep the entries this build used (those of files since changed or removed are dropped)."""
        kept = {key: store[key] for key in sorted(set(used)) if key in store}
        if frozenset(kept) == self._loaded.get(root):
            return
        self._loaded[root] = frozenset(kept)
        write_json_atomically(self._file(root), kept, self._on_write)


def summary_from_json(data: object) -> ModuleSummary | None:
    """The summary an entry holds, or None (a miss) unless every field has the type `to_json` gives it."""
    if not isinstance(data, dict) or not _checker(ModuleSummary)(data):
        return None
    return ModuleSummary.from_json(data)


Check = Callable[[object], bool]


@lru_cache(maxsize=None)
def _checker(hint: object) -> Check:
    """A test of a JSON value against a field type, built once per type (entries are many)."""
    origin = get_origin(hint)
    if origin is list:
        item = _checker(get_args(hint)[0])
        return lambda value: isinstance(value, list) and all(item(v) for v in value)
    if origin is dict:
        item = _checker(get_args(hint)[1])
        return lambda value: isinstance(value, dict) and all(isinstance(k, str) and item(v) for k, v in value.items())
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        types = get_type_hints(hint)
        fields = {f.name: _checker(types[f.name]) for f in dataclasses.fields(hint)}
        names = set(fields)
        return lambda value: (isinstance(value, dict) and value.keys() == names
                              and all(check(value[name]) for name, check in fields.items()))
    if hint is bool:
        return lambda value: isinstance(value, bool)
    if hint is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if hint is str:
        return lambda value: isinstance(value, str)
    return lambda value: False  # a field type this check does not know: never trust the entry
