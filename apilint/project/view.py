"""One module's view of its project: what the resolver and the pre-check ask the index.

The libcst resolver proves what the module itself shows; for a name imported from another
project module (or a base class defined there) it asks this view, which answers from the index
in the module's own terms (relative imports made absolute, re-exports followed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from apilint.knowledge.exceptions import Hierarchy
from apilint.project.index import ClientFact, ProjectIndex, WrapperFact
from apilint.project.root import absolute_import
from apilint.project.timeout_overrides import Definition


_MAX_CLASS_DEPTH = 8  # a base chain this long (or a cycle) stops being followed


@dataclass(frozen=True, eq=False)
class ProjectView:
    index: ProjectIndex
    module: str
    package: bool

    def absolute(self, qualified: str) -> str:
        """`..compat.requests` (as a relative import spells it) in `shop.api.v1` -> `shop.compat.requests`."""
        if not qualified.startswith("."):
            return qualified
        rest = qualified.lstrip(".")
        level = len(qualified) - len(rest)
        base = absolute_import(self.module, self.package, level, None)
        if base is None:
            return qualified
        return f"{base}.{rest}" if rest else base

    def canonical(self, qualified: str) -> str:
        return self.index.canonical(self.absolute(qualified))

    def own(self, name: str) -> str:
        """The qualified name of a name defined at this module's top level."""
        return f"{self.module}.{name}"

    # -- what the resolver asks ----------------------------------------------------
    def client_at(self, qualified: str) -> ClientFact | None:
        return self.index.client_at(self.canonical(qualified))

    def made_client(self, qualified: str) -> ClientFact | None:
        """What calling the project name `qualified` returns: a client subclass instance or a factory's client."""
        return self.index.made_client(self.canonical(qualified))

    def class_client(self, qualified: str) -> ClientFact | None:
        return self.index.class_client(self.canonical(qualified))

    def attribute_client(self, class_name: str, attribute: str) -> ClientFact | None:
        return self.index.attribute_client(self.canonical(class_name), attribute)

    def wrapper(self, qualified: str) -> WrapperFact | None:
        return self.index.wrapper(self.canonical(qualified))

    def method_wrapper(self, class_name: str, method: str) -> WrapperFact | None:
        return self.index.method_wrapper(self.canonical(class_name), method)

    def exception_class(self, qualified: str, table: Hierarchy) -> tuple[str, frozenset[str]] | None:
        """A class of any project module as the exception rules see it: its canonical name and its
        ancestors through its bases (library classes from `table`, project classes alike; a base that
        cannot be named adds none, so it is covered by fewer classes, never more). None: no project class."""
        return self._exception_class(self.canonical(qualified), table, 0)

    def _exception_class(self, name: str, table: Hierarchy, depth: int) -> tuple[str, frozenset[str]] | None:
        summary = self.index.class_summary(name) if depth <= _MAX_CLASS_DEPTH else None
        if summary is None:
            return None
        ancestors = {name}
        for base in summary.bases:
            if not base:
                continue
            based = self.index.canonical(base)
            known = table.canonical(based)
            if known is not None:
                ancestors.update(table.ancestors(known))
                continue
            inner = self._exception_class(based, table, depth + 1)
            if inner is not None:
                ancestors |= inner[1]
        return name, frozenset(ancestors)

    def subclass_definitions(self, class_name: str) -> list[Definition]:
        """The definitions of the project's classes (any module) that derive from the class."""
        return self.index.subclass_definitions(self.canonical(class_name))

    # -- what the pre-check asks (over-approximations) -------------------------------
    def reachable_names(self, imports: dict[str, set[str]], bases: Iterable[str]) -> tuple[set[str], set[str], set[str]]:
        """(wrapper names, client attribute names, factory names) this module can reach, unqualified:
        its own functions and classes, the project names it imports, and the project base classes
        (`bases`, qualified) of its classes with their whole chains."""
        index = self.index
        wrappers: set[str] = set()
        attributes: set[str] = set()
        factories: set[str] = set()
        summary = index.summaries.get(self.module)
        classes = [self.canonical(b) for b in bases]
        if summary is not None:
            classes += [self.own(name) for name in summary.classes]
            for name in summary.functions:
                if index.wrapper(self.own(name)) is not None:
                    wrappers.add(name)
                if index.factory(self.own(name)) is not None:
                    factories.add(name)
        for local, bound in imports.items():
            for qualified in bound:
                name = self.canonical(qualified)
                if name.split(".", 1)[0] in index.roots and index.wrapper(name) is not None:
                    wrappers |= {local, name.rsplit(".", 1)[-1]}
        for cls in classes:
            for _, klass in index.class_chain(cls):
                for method in klass.methods:
                    if index.method_wrapper(cls, method) is not None:
                        wrappers.add(method)
                    if index.method_factory(cls, method) is not None:
                        factories.add(method)
                for attribute in klass.attributes:
                    if index.attribute_client(cls, attribute) is not None:
                        attributes.add(attribute)
        return wrappers, attributes, factories

    def library_of(self, qualified: str, classes: bool = True) -> str | None:
        """The HTTP library a project name leads to (`requests` for a re-export, a client, a wrapper...)."""
        name = self.absolute(qualified)
        if name.split(".", 1)[0] not in self.index.roots:
            return None  # not a project name (a library's own names are the text filter's business)
        return self.index.http_library(name, classes)

    def imported(self) -> list[str]:
        """Every name the module imports (in functions too), as its summary recorded them."""
        summary = self.index.summaries.get(self.module)
        return summary.used if summary is not None else []

    def libraries(self, imported: Iterable[str]) -> set[str]:
        """The HTTP libraries this module can reach through the project: the names it imports (a class
        only if it is a client class) and the project base classes of its own classes."""
        found: set[str] = set()
        for name in imported:
            library = self.library_of(name, classes=False)
            if library is not None:
                found.add(library)
        summary = self.index.summaries.get(self.module)
        for cls in summary.classes.values() if summary is not None else ():
            for base in cls.bases:
                library = self.library_of(base) if base else None
                if library is not None:
                    found.add(library)
        return found
