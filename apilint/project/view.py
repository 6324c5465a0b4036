"""One module's view of its project: what the resolver and the pre-check ask the index.

The libcst resolver proves what the module itself shows; for a name imported from another
project module (or a base class defined there) it asks this view, which answers from the index
in the module's own terms (relative imports made absolute, re-exports followed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from apilint.project.index import ClientFact, ProjectIndex, WrapperFact
from apilint.project.root import absolute_import


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
        name = self.canonical(qualified)
        if self.index.class_summary(name) is not None:
            return self.index.class_client(name)
        return self.index.factory(name)

    def class_client(self, qualified: str) -> ClientFact | None:
        return self.index.class_client(self.canonical(qualified))

    def attribute_client(self, class_name: str, attribute: str) -> ClientFact | None:
        return self.index.attribute_client(self.canonical(class_name), attribute)

    def wrapper(self, qualified: str) -> WrapperFact | None:
        return self.index.wrapper(self.canonical(qualified))

    def method_wrapper(self, class_name: str, method: str) -> WrapperFact | None:
        return self.index.method_wrapper(self.canonical(class_name), method)

    # -- what the pre-check asks (over-approximations) -------------------------------
    def library_of(self, qualified: str) -> str | None:
        """The HTTP library a project name leads to (`requests` for a re-export, a client, a wrapper...)."""
        name = self.absolute(qualified)
        if name.split(".", 1)[0] not in self.index.roots:
            return None  # not a project name (a library's own names are the text filter's business)
        return self.index.http_library(name)

    def imported(self) -> list[str]:
        """Every name the module imports (in functions too), as its summary recorded them."""
        summary = self.index.summaries.get(self.module)
        return summary.used if summary is not None else []

    def libraries(self, imported: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for name in imported:
            library = self.library_of(name)
            if library is not None:
                found.add(library)
        return found
