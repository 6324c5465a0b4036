"""The project's other modules, for the receiver audit to follow a name into (fix_roundtrip.py, property 7).

A receiver the resolver proves only through the project index (a session imported from
`client.py`, a library re-exported by a `compat` module, a factory or a client class defined
elsewhere, `self.session` set in a base class of another module) is audited again without the
index: the module that defines the name is found among the project's files (`Project.paths`),
parsed with its own project-less resolver, and the name's module-level bindings are followed
there, import by import for a re-export. The audit then applies its usual plain checks where the
value is made. Nothing here asks the index (its canonical names, client facts or wrappers): a
wrong index answer shows up as a disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import libcst as cst

from apilint.engine.findings import AnalysisError
from apilint.engine.source import decode_source
from apilint.engine.traversal import Traversal
from apilint.semantic.resolve import Resolver
from apilint.semantic.scope import Binding, BindingKind

if TYPE_CHECKING:
    from receiver_audit import ReceiverAudit

_MAX_HOPS = 16  # re-exports followed before the answer is unknown (a cycle, or a very long chain)


@dataclass(frozen=True)
class Library:
    """A name outside the project (`requests.Session`), re-exports followed."""

    name: str


@dataclass(frozen=True)
class Defined:
    """A name a project module binds at top level: its audit and every binding of the name there."""

    audit: ReceiverAudit
    bindings: tuple[Binding, ...]
    where: str  # `shop.client.SESSION`, for reports


Target = Library | Defined | None  # None: unknown (not bound, star-imported, conflicting, a cycle)


class ProjectModules:
    """The project's modules by name, parsed on demand (once per process) for the audit."""

    def __init__(self, paths: Mapping[str, Path]) -> None:
        self.paths = dict(paths)
        self.roots = frozenset(name.split(".", 1)[0] for name in self.paths)
        self._audits: dict[str, ReceiverAudit | None] = {}
        self.followed: list[str] = []  # the definitions the last audit followed (reset by the caller)

    def audit_of(self, module: str) -> ReceiverAudit | None:
        """The audit of the project module `module` (None: unreadable or unparsable)."""
        if module not in self._audits:
            self._audits[module] = self._parse(module)
        return self._audits[module]

    def _parse(self, module: str) -> ReceiverAudit | None:
        from receiver_audit import ReceiverAudit

        path = self.paths[module]
        try:
            text = decode_source(path.read_bytes()).text
            tree = cst.parse_module(text)
        except (OSError, AnalysisError, cst.ParserSyntaxError, RecursionError):
            return None
        traversal = Traversal(tree, frozenset())
        try:
            traversal.walk(tree)
        except RecursionError:
            return None
        finally:
            traversal.release()
        resolver = Resolver(traversal.model, traversal.order_of, {})
        resolver.parent_of = traversal.parent_of
        return ReceiverAudit(resolver, self, module, path.name == "__init__.py")

    def target(self, qualified: str, module: str, package: bool) -> Target:
        """What `qualified`, as module `module` spells it (maybe relative), names."""
        name = _absolute(qualified, module, package)
        for _ in range(_MAX_HOPS):
            if name is None:
                return None
            if name.split(".", 1)[0] not in self.roots:
                return Library(name)
            found = self._split(name)
            if found is None:
                return None  # a project name no file defines (excluded, generated, a namespace we miss)
            owner, rest = found
            audit = self.audit_of(owner)
            if audit is None or not rest:
                return None  # unparsable, or a module itself (not a value the audit can type)
            bindings = audit.resolver.model.module_scope.bindings.get(rest[0], [])
            if not bindings:
                return None
            imports = [b for b in bindings if b.kind is BindingKind.IMPORT]
            if not imports:
                if len(rest) > 1:
                    return None  # `Client.session`: a class attribute of a project class
                self.followed.append(f"{owner}.{rest[0]}")
                return Defined(audit, tuple(bindings), f"{owner}.{rest[0]}")
            sources = {b.qualified_name for b in imports}
            if len(imports) != len(bindings) or len(sources) != 1 or not imports[0].qualified_name:
                return None  # imported and assigned, or imported from two places: no single answer
            self.followed.append(f"{owner}.{rest[0]}")  # a re-export
            name = _absolute(".".join([imports[0].qualified_name, *rest[1:]]), owner, audit.package)
        return None

    def _split(self, name: str) -> tuple[str, list[str]] | None:
        """The longest module prefix of `name` that is a project file, and the names after it."""
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            module = ".".join(parts[:end])
            if module in self.paths:
                return module, parts[end:]
        return None


def _absolute(qualified: str, module: str, package: bool) -> str | None:
    """`..compat.requests` in the plain module `shop.api.v1` is `shop.compat.requests`."""
    rest = qualified.lstrip(".")
    level = len(qualified) - len(rest)
    if level == 0:
        return qualified
    parts = module.split(".")
    if not package:
        parts = parts[:-1]
    if level - 1 >= len(parts):
        return None  # beyond the top-level package
    base = parts[:len(parts) - (level - 1)]
    joined = ".".join([*base, rest] if rest else base)
    return joined or None
