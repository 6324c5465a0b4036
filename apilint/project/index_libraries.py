"""The index's answer to the text filter and the pre-check: which HTTP library a project name leads to.

`ProjectIndex` mixes this in. A name leads to a library when it is (or re-exports) a client, a
client class, a factory, a class whose classmethod or staticmethod makes a client, a `**kwargs`
wrapper (through any chain of wrappers, to the call the last one ends in) or a module holding
one. Over-approximations: a wrong answer here can only cost time, since the rules decide.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apilint.knowledge.http_clients import HTTP_MODULE_ROOTS
from apilint.project.facts import ClassSummary, ModuleSummary

if TYPE_CHECKING:
    from apilint.project.index import ClientFact, WrapperFact


class LibrariesIndex:
    summaries: dict[str, ModuleSummary]
    modules: frozenset[str]
    roots: frozenset[str]
    _libraries: dict[tuple[str, bool], str | None]
    _library_busy: set[tuple[str, bool]]
    _library_cuts: int

    # What the index answers (`ProjectIndex`).
    def canonical(self, qualified: str) -> str:
        raise NotImplementedError

    def _definition(self, qualified: str) -> tuple[ModuleSummary, str] | None:
        raise NotImplementedError

    def class_summary(self, qualified: str) -> ClassSummary | None:
        raise NotImplementedError

    def class_chain(self, qualified: str) -> list[tuple[str, ClassSummary]]:
        raise NotImplementedError

    def client_at(self, qualified: str) -> ClientFact | None:
        raise NotImplementedError

    def class_client(self, qualified: str) -> ClientFact | None:
        raise NotImplementedError

    def factory(self, qualified: str) -> ClientFact | None:
        raise NotImplementedError

    def _class_factory(self, name: str) -> ClientFact | None:
        raise NotImplementedError

    def attribute_client(self, class_name: str, attribute: str) -> ClientFact | None:
        raise NotImplementedError

    def wrapper(self, qualified: str) -> WrapperFact | None:
        raise NotImplementedError

    def method_wrapper(self, class_name: str, method: str) -> WrapperFact | None:
        raise NotImplementedError

    def http_library(self, qualified: str, classes: bool = True) -> str | None:
        """The HTTP library behind a project name (client, client class, factory, wrapper, re-export, a
        module holding one), if any. `classes=False` leaves out classes that are no client themselves
        (they matter only to a module that subclasses them)."""
        key = (qualified, classes)
        if key not in self._libraries:
            if key in self._library_busy:
                self._library_cuts += 1
                return None  # a module that (re-)exports itself
            self._library_busy.add(key)
            try:
                self._libraries[key] = self._http_library(qualified, classes)
            finally:
                self._library_busy.discard(key)
        return self._libraries[key]

    def _http_library(self, qualified: str, classes: bool) -> str | None:
        name = self.canonical(qualified)
        root = name.split(".", 1)[0]
        if name in self.modules:
            summary = self.summaries.get(name)
            if summary is None:
                return None
            names = sorted({*summary.imports, *summary.names, *summary.classes, *summary.functions})
            return next((lib for n in names if (lib := self.http_library(f"{name}.{n}", classes)) is not None), None)
        if not self._definition(name) and _is_library_name(name):
            return root
        for fact in (self.client_at(name), self.class_client(name), self.factory(name)):
            if fact is not None:
                return fact.kind.library.split(".", 1)[0]
        if self.class_summary(name) is not None:
            for _, klass in self.class_chain(name):
                for method in sorted(klass.methods):
                    fact = self._class_factory(f"{name}.{method}")  # `Class.create()` makes a client
                    if fact is not None:
                        return fact.kind.library.split(".", 1)[0]
        wrapper = self.wrapper(name)
        if wrapper is not None:
            return self._wrapper_library(wrapper)
        if not classes:
            return None
        libraries = {lib for owner, cls in self.class_chain(name) for lib in self._class_libraries(owner, cls)}
        return min(libraries) if libraries else None

    def _class_libraries(self, owner: str, cls: ClassSummary) -> set[str]:
        found: set[str] = set()
        for attribute in cls.attributes:
            fact = self.attribute_client(owner, attribute)
            if fact is not None:
                found.add(fact.kind.library.split(".", 1)[0])
        for method in cls.methods:
            wrapper = self.method_wrapper(owner, method)
            if wrapper is not None:
                library = self._wrapper_library(wrapper)
                if library is not None:
                    found.add(library)
        return found

    def _wrapper_library(self, wrapper: WrapperFact) -> str | None:
        """The library of the call a wrapper ends in: a wrapper of a wrapper (`get` -> `_request` ->
        `session.request`) leads where the inner one leads, not to the project."""
        seen = {wrapper.name}
        while wrapper.target.split(".", 1)[0] in self.roots:
            owner, _, method = wrapper.target.rpartition(".")
            inner = self.wrapper(wrapper.target) or self.method_wrapper(owner, method)
            if inner is None or inner.name in seen:
                return None
            seen.add(inner.name)
            wrapper = inner
        return wrapper.target.split(".", 1)[0]


def _is_library_name(name: str) -> bool:
    return name.split(".", 1)[0] in HTTP_MODULE_ROOTS
