"""The rounds that complete a project's summaries (`build.py` reads and summarises the files).

A module that does not import an HTTP library itself is summarised once it names a module, or a
name of a module, found to export something HTTP. Each round asks which pending modules do so,
from the summaries of the rounds before, until none does.

Asking every summarised module again each round costs most of a large project's build, so the
answers are kept across rounds: a module's answer (`exported_http`) is a function of the
summaries of the modules its own summary names, transitively (`ProjectIndex` follows imports,
re-exports, bases, values and forwards, each of which names its module). A round only adds
summaries, so only the new modules and those that reach one of them are asked again, in a fresh
index and in the order a from-scratch round asks them (the index's answers to a cycle depend on
the order of the questions); every other module keeps the answer it had.
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
        self._answers: dict[str, set[str]] = {}  # module -> its names leading to HTTP (and itself)
        self._named_by: dict[str, set[str]] = {}  # module -> the summarised modules naming it

    def ready(self) -> list[str]:
        """The pending modules to summarise next (sorted; taken off the pending list), [] when done."""
        if not self.pending or not self._may_be_ready():
            return []
        exporting = self._exporting()
        ready = sorted(m for m, named in self.pending.items() if named & exporting)
        for name in ready:
            del self.pending[name]
        return ready

    def _may_be_ready(self) -> bool:
        """Whether a pending module names a summarised module or one of its names (only those export)."""
        return any(n in self.summaries or n.rpartition(".")[0] in self.summaries
                   for named in self.pending.values() for n in named)

    def _exporting(self) -> set[str]:
        new = [m for m in self.summaries if m not in self._answers]
        everything = self.modules | frozenset(self.summaries)
        for name in new:
            for module in _named_modules(self.summaries[name], everything):
                self._named_by.setdefault(module, set()).add(name)
        stale, frontier = set(new), list(new)
        while frontier:
            for user in self._named_by.get(frontier.pop(), ()):
                if user not in stale:
                    stale.add(user)
                    frontier.append(user)
        index = ProjectIndex(self.summaries, self.modules)
        for name, summary in self.summaries.items():  # insertion order, as a from-scratch round asks
            if name in stale:
                self._answers[name] = exported_http(index, summary)
        return {n for m in self.summaries for n in self._answers[m]}


def exported_http(index: ProjectIndex, summary: ModuleSummary) -> set[str]:
    """The module's names that lead to something HTTP, and the module itself if any does."""
    names = [*summary.imports, *summary.names, *summary.classes, *summary.functions]
    found = {f"{summary.name}.{n}" for n in names if index.http_library(f"{summary.name}.{n}") is not None}
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
