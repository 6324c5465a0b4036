"""The rounds that complete a project's summaries (`build.py` reads and summarises the files).

A module that does not import an HTTP library itself is summarised once it names a module, or a
name of a module, found to export something HTTP (`exported_http`). Each round asks which
pending modules do so, from the summaries of the rounds before, until none does.

Asking every summarised module about every name each round costs most of a large project's
build, so a round asks only about the names the pending modules name, and remembers the answers
across rounds. Both shortcuts give the answers a from-scratch round gives, in a fresh index
asking every module in turn, as long as no question met itself: only a cycle makes the index's
answer depend on the order of the questions (`ProjectIndex.cycles_cut`). A round that meets
one is asked from scratch instead.

An answer is a function of the summaries of the modules its subject's summary names,
transitively (`ProjectIndex` follows imports, re-exports, bases, values and forwards, each of
which names its module). A round only adds summaries, so a remembered answer is forgotten when
its module is new or reaches a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from apilint.project.facts import FunctionSummary, ModuleSummary, Value
from apilint.project.index import ProjectIndex


class Rounds:
    """One project's summaries so far, the modules still waiting, and which of them are ready."""

    def __init__(self, modules: Iterable[str]) -> None:
        self.modules = frozenset(modules)
        self.summaries: dict[str, ModuleSummary] = {}
        self.keys: dict[str, str] = {}  # module -> store key, also for a module that could not be parsed
        self.pending: dict[str, set[str]] = {}  # not summarised yet: the modules its imports name
        self._asked: set[str] = set()  # the summarised modules whose names the dependencies hold
        self._named_by: dict[str, set[str]] = {}  # module -> the summarised modules naming it
        self._known: dict[str, bool] = {}  # a named name -> whether it leads to HTTP (asked without a cycle)
        self._done = False

    def ready(self) -> list[str]:
        """The pending modules to summarise next (sorted; taken off the pending list), [] when done."""
        if self._done or not self.pending or not self._may_be_ready():
            self._done = True  # nothing was added since: no module can get ready any more
            return []
        self._forget_what_new_summaries_change()
        ready = self._ready_asking_only_named()
        if ready is None:
            exporting = _from_scratch(ProjectIndex(self.summaries, self.modules), self.summaries)
            ready = sorted(m for m, named in self.pending.items() if named & exporting)
        for name in ready:
            del self.pending[name]
        self._done = not ready
        return ready

    def _may_be_ready(self) -> bool:
        """Whether a pending module names a summarised module or one of its names (only those export)."""
        return any(n in self.summaries or n.rpartition(".")[0] in self.summaries
                   for named in self.pending.values() for n in named)

    def _forget_what_new_summaries_change(self) -> None:
        new = [m for m in self.summaries if m not in self._asked]
        everything = self.modules | frozenset(self.summaries)
        for name in new:
            self._asked.add(name)
            for module in _named_modules(self.summaries[name], everything):
                self._named_by.setdefault(module, set()).add(name)
        changed, frontier = set(new), list(new)
        while frontier:
            for user in self._named_by.get(frontier.pop(), ()):
                if user not in changed:
                    changed.add(user)
                    frontier.append(user)
        if changed:
            self._known = {n: k for n, k in self._known.items() if _subject(n, self.summaries) not in changed}

    def _ready_asking_only_named(self) -> list[str] | None:
        """The ready modules, asking the index only about named names (None: a cycle was met)."""
        index = ProjectIndex(self.summaries, self.modules)
        answers: dict[str, bool] = {}
        ready = []
        for module, named in self.pending.items():
            for name in sorted(named):
                known = self._known.get(name, answers.get(name))
                if known is None:
                    known = answers[name] = self._exports(index, name)
                if known:
                    ready.append(module)
                    break
        if index.cycles_cut:
            return None
        self._known.update(answers)
        return sorted(ready)

    def _exports(self, index: ProjectIndex, name: str) -> bool:
        """Whether `name` is in the exporting set of a from-scratch round (`exported_http`)."""
        summary = self.summaries.get(name)
        if summary is not None:  # a module exports when any of its names does
            return any(index.http_library(f"{name}.{n}") is not None for n in _own_names(summary))
        module, _, last = name.rpartition(".")
        summary = self.summaries.get(module)
        if summary is None or last not in _own_names(summary):
            return False
        return index.http_library(name) is not None


def _subject(name: str, summaries: dict[str, ModuleSummary]) -> str:
    """The summarised module whose summary answers about `name` (the name, or its module)."""
    return name if name in summaries else name.rpartition(".")[0]


def _own_names(summary: ModuleSummary) -> list[str]:
    return [*summary.imports, *summary.names, *summary.classes, *summary.functions]


def _from_scratch(index: ProjectIndex, summaries: dict[str, ModuleSummary]) -> set[str]:
    """Every module asked in turn (insertion order), in one fresh index."""
    return {n for m in summaries for n in exported_http(index, summaries[m])}


def exported_http(index: ProjectIndex, summary: ModuleSummary) -> set[str]:
    """The module's names that lead to something HTTP, and the module itself if any does."""
    found = {f"{summary.name}.{n}" for n in _own_names(summary) if index.http_library(f"{summary.name}.{n}") is not None}
    if found:
        found.add(summary.name)
    return found


def _named_modules(summary: ModuleSummary, modules: frozenset[str]) -> set[str]:
    """The modules whose summaries the index reads to answer a name in the summary: the name itself
    if it is a module (`http_library` reads it), and its longest proper prefix that is one
    (`ProjectIndex._step` and `_definition` look no further; what that module's summary names is
    that module's own dependency)."""
    found: set[str] = set()
    for qualified in set(_summary_names(summary)):
        if qualified in modules:
            found.add(qualified)
        prefix = qualified.rpartition(".")[0]
        while prefix and prefix not in modules:
            prefix = prefix.rpartition(".")[0]
        if prefix:
            found.add(prefix)
    found.discard(summary.name)
    return found


def _summary_names(summary: ModuleSummary) -> Iterator[str]:
    """Every name the index may follow out of this summary (`used` is no question of the index)."""
    yield from summary.star_imports
    for targets in summary.imports.values():
        yield from targets
    for values in summary.names.values():
        yield from _value_names(values)
    for function in summary.functions.values():
        yield from _function_names(function)
    for cls in summary.classes.values():
        yield from cls.bases
        yield from _value_names(cls.mounts)
        for values in cls.attributes.values():
            yield from _value_names(values)
        for method in cls.methods.values():
            yield from _function_names(method)


def _function_names(function: FunctionSummary) -> Iterator[str]:
    yield from _value_names(function.returns)
    for forward in function.forwards:
        yield forward.name
        yield from _value_names(forward.values)


def _value_names(values: list[Value]) -> Iterator[str]:
    for value in values:
        yield value.name
        yield from value.items
