"""What an `except` clause catches: resolved class names with their ancestors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from apilint.knowledge.exceptions import BASE_EXCEPTION, EXCEPTION, Hierarchy
from apilint.knowledge.library_record import Library
from apilint.semantic.resolve import Resolver
from apilint.semantic.scope import BindingKind, ClassScope, Scope

BROAD = frozenset({EXCEPTION, BASE_EXCEPTION})


@dataclass(frozen=True, eq=False)
class Caught:
    """One class named in a handler (`None` node: a bare `except:`)."""

    node: cst.BaseExpression | None
    text: str
    canonical: str | None  # None when apilint cannot tell what it is
    ancestors: frozenset[str]  # canonical names, itself included

    @property
    def known(self) -> bool:
        return self.canonical is not None

    def is_broad(self) -> bool:
        return self.node is None or self.canonical in BROAD

    def covers(self, other: Caught) -> bool:
        """Does catching `self` catch everything `other` catches?"""
        if self.node is None or self.canonical == BASE_EXCEPTION:
            return True
        if self.canonical is not None and self.canonical in other.ancestors:
            return True
        if self.canonical == EXCEPTION and not other.known:
            return True  # an unknown class: practically always an Exception subclass
        return not self.known and not other.known and self.text == other.text


def handler_types(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> list[cst.BaseExpression] | None:
    """The class expressions of a handler; None for a bare `except:`."""
    if handler.type is None:
        return None
    kind = handler.type
    if isinstance(kind, cst.Tuple):
        return [el.value for el in kind.elements]
    return [kind]


class ExceptionResolver:
    def __init__(self, resolver: Resolver, table: Hierarchy) -> None:
        self.resolver = resolver
        self.table = table

    def caught(self, handler: cst.ExceptHandler | cst.ExceptStarHandler, scope: Scope) -> list[Caught]:
        types = handler_types(handler)
        if types is None:
            return [Caught(None, "", BASE_EXCEPTION, frozenset({BASE_EXCEPTION}))]
        return [self.resolve(t, scope) for t in types]

    def resolve(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Caught:
        text = cst.Module([]).code_for_node(expr)
        qualified = self.resolver.qualified_name(expr, scope)
        if qualified is None and isinstance(expr, cst.Name):
            bindings = self.resolver.lookup(expr.value, scope, None)
            if not bindings:
                qualified = f"builtins.{expr.value}"
            elif len(bindings) == 1 and isinstance(bindings[0].definition, ClassScope) and depth < 8:
                return self._module_class(expr, text, bindings[0].definition, depth)
        canonical = self.table.canonical(qualified) if qualified else None
        if canonical is None:
            return Caught(expr, text, None, frozenset())
        return Caught(expr, text, canonical, frozenset(self.table.ancestors(canonical)))

    def _module_class(self, expr: cst.BaseExpression, text: str, cls: ClassScope, depth: int) -> Caught:
        """`class RateLimited(ApiError)` defined in the module: its ancestors through its bases."""
        canonical = f"<module>.{cls.name}@{id(cls)}"
        ancestors = {canonical}
        for base in cls.bases:
            resolved = self.resolve(base, cls.parent or self.resolver.model.module_scope, depth + 1)
            ancestors |= resolved.ancestors
        return Caught(expr, text, canonical, frozenset(ancestors))


class _CallCollector(cst.CSTVisitor):
    """Calls in a block, not counting nested functions and classes (they run later, if at all)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> bool:
        self.calls.append(node)
        return True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def calls_in(body: cst.CSTNode) -> list[cst.Call]:
    collector = _CallCollector()
    body.visit(collector)
    return collector.calls


def http_libraries(resolver: Resolver, body: cst.CSTNode, scope: Scope) -> list[Library]:
    """The HTTP libraries whose calls a block makes, in order of first appearance."""
    found: list[Library] = []
    for call in calls_in(body):
        http = resolver.http_call(call, scope)
        if http is not None and http.library not in found:
            found.append(http.library)
    return found


def other_qualified_calls(resolver: Resolver, body: cst.CSTNode, scope: Scope) -> Iterator[str]:
    for call in calls_in(body):
        name = resolver.qualified_name(call.func, scope)
        if name is not None:
            yield name


def import_binding(resolver: Resolver, qualified: str) -> str | None:
    """The local spelling of `qualified` through the module's top-level imports, if any."""
    module_scope = resolver.model.module_scope
    best: str | None = None
    for local, bindings in module_scope.bindings.items():
        if len(bindings) != 1 or bindings[0].kind is not BindingKind.IMPORT:
            continue
        bound = bindings[0].qualified_name or ""
        if qualified == bound:
            return local
        if qualified.startswith(bound + ".") and best is None:
            best = local + qualified[len(bound):]
    return best
