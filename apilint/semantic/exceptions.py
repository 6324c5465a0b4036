"""What an `except` clause catches: resolved class names with their ancestors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import libcst as cst

from apilint.knowledge.exceptions import BASE_EXCEPTION, EXCEPTION, Hierarchy
from apilint.knowledge.library_record import Library
from apilint.semantic.resolve import Resolver
from apilint.semantic.scope import BindingKind, ClassScope, Scope

BROAD = frozenset({EXCEPTION, BASE_EXCEPTION})


@dataclass(frozen=True, eq=False)
class Caught:
    """One class named in a handler (`None` node: a bare `except:`).

    `node` is the expression as the handler writes it; for a class reached through an alias
    (`Timeouts = (requests.Timeout, httpx.TimeoutException)`), `text` is the class's own
    spelling in the alias and `written` the handler's (`Timeouts`).
    """

    node: cst.BaseExpression | None
    text: str
    canonical: str | None  # None when apilint cannot tell what it is
    ancestors: frozenset[str]  # canonical names, itself included
    written: str = ""

    @property
    def known(self) -> bool:
        return self.canonical is not None

    def shown(self) -> str:
        """The class in backticks, and the alias the handler reached it through: `A` (from `Alias`)."""
        if self.written and self.written != self.text:
            return f"`{self.text}` (from `{self.written}`)"
        return f"`{self.text}`"

    def is_broad(self) -> bool:
        return self.node is None or self.canonical in BROAD

    def covers(self, other: Caught) -> bool:
        """Does catching `self` catch everything `other` catches?

        v2: a class apilint cannot resolve is never covered, not even by `Exception`: it may derive
        from `BaseException` (the cancellation classes of anyio, trio and gevent do). Only the same
        unresolved spelling covers itself, and a bare `except:` / `BaseException` covers everything.
        """
        if self.node is None or self.canonical == BASE_EXCEPTION:
            return True
        if self.canonical is not None and self.canonical in other.ancestors:
            return True
        return not self.known and not other.known and self.text == other.text


BARE_HANDLER = Caught(None, "", BASE_EXCEPTION, frozenset({BASE_EXCEPTION}))


def handler_types(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> list[cst.BaseExpression] | None:
    """The class expressions of a handler, one per element of its tuple; None for a bare `except:`."""
    if handler.type is None:
        return None
    kind = handler.type
    if isinstance(kind, cst.Tuple):
        return [el.value for el in kind.elements]
    return [kind]


def flatten_tuple(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    """`((A, B), C)` -> [A, B, C]: Python catches the classes of nested tuples too."""
    if isinstance(expr, cst.Tuple):
        return [leaf for el in expr.elements for leaf in flatten_tuple(el.value)]
    return [expr]


class ExceptionResolver:
    def __init__(self, resolver: Resolver, table: Hierarchy) -> None:
        self.resolver = resolver
        self.table = table

    def caught(self, handler: cst.ExceptHandler | cst.ExceptStarHandler, scope: Scope) -> list[Caught]:
        """One class per element of the handler's tuple, as written (the API304 fix edits those elements)."""
        types = handler_types(handler)
        if types is None:
            return [BARE_HANDLER]
        return [self.resolve(t, scope) for t in types]

    def classes(self, handler: cst.ExceptHandler | cst.ExceptStarHandler, scope: Scope) -> list[Caught]:
        """Every class the handler catches: nested tuples flattened, tuple aliases expanded."""
        if handler.type is None:
            return [BARE_HANDLER]
        return [c for t in flatten_tuple(handler.type) for c in self.resolve_all(t, scope)]

    def resolve_all(self, expr: cst.BaseExpression, scope: Scope) -> list[Caught]:
        """Every class `expr` names: one, or each class of a tuple alias (`Timeouts = (A, B)`)."""
        written = _code(expr)
        members = self._alias_members(expr, scope, 0)
        if members is None:
            return [self.resolve(expr, scope)]
        return [replace(self.resolve(member, member_scope), node=expr, written=written)
                for member, member_scope in members]

    def _alias_members(self, expr: cst.BaseExpression, scope: Scope,
                       depth: int) -> list[tuple[cst.BaseExpression, Scope]] | None:
        """The classes of a tuple alias, aliases inside it expanded; None when `expr` is not one."""
        value = self._alias_value(expr, scope)
        if value is None or depth > _MAX_ALIAS_DEPTH:
            return None
        target, target_scope = value
        if not isinstance(target, cst.Tuple):
            return self._alias_members(target, target_scope, depth + 1)
        out: list[tuple[cst.BaseExpression, Scope]] = []
        for leaf in flatten_tuple(target):
            inner = self._alias_members(leaf, target_scope, depth + 1)
            out.extend(inner if inner is not None else [(leaf, target_scope)])
        return out

    def _alias_value(self, expr: cst.BaseExpression, scope: Scope) -> tuple[cst.BaseExpression, Scope] | None:
        """`Error` bound once, by `Error = <class or tuple of classes>`: that value and its scope."""
        if not isinstance(expr, cst.Name):
            return None
        bindings = self.resolver.lookup(expr.value, scope, None)
        if len(bindings) != 1 or bindings[0].kind is not BindingKind.ASSIGN:
            return None
        value = bindings[0].value
        if not isinstance(value, (cst.Name, cst.Attribute, cst.Tuple)):
            return None  # a call result, a subscript, …: unknown (principle 1)
        return value, bindings[0].scope

    def known_class(self, qualified: str) -> Caught:
        """A class of the knowledge tables by its qualified name (`requests.exceptions.RequestException`)."""
        canonical = self.table.canonical(qualified)
        ancestors = frozenset(self.table.ancestors(canonical)) if canonical else frozenset()
        return Caught(cst.Name(qualified.rsplit(".", 1)[-1]), qualified, canonical, ancestors)

    def resolve(self, expr: cst.BaseExpression, scope: Scope, depth: int = 0) -> Caught:
        text = _code(expr)
        qualified = self.resolver.qualified_name(expr, scope)
        if qualified is None and isinstance(expr, cst.Name):
            bindings = self.resolver.lookup(expr.value, scope, None)
            if not bindings:
                qualified = f"builtins.{expr.value}"
            elif len(bindings) == 1 and isinstance(bindings[0].definition, ClassScope) and depth < 8:
                return self._module_class(expr, text, bindings[0].definition, depth)
            elif depth < _MAX_ALIAS_DEPTH:
                alias = self._alias_value(expr, scope)
                if alias is not None and not isinstance(alias[0], cst.Tuple):
                    # `Error = requests.RequestException`: the class it names, spelled as written.
                    target = self.resolve(alias[0], alias[1], depth + 1)
                    return replace(target, node=expr, text=text)
        canonical = self.table.canonical(qualified) if qualified else None
        if canonical is None:
            project = self.resolver.project
            found = project.exception_class(qualified, self.table) if project is not None and qualified else None
            if found is not None:
                return Caught(expr, text, found[0], found[1])  # a class of another project module
            return Caught(expr, text, None, frozenset())
        return Caught(expr, text, canonical, frozenset(self.table.ancestors(canonical)))

    def _module_class(self, expr: cst.BaseExpression, text: str, cls: ClassScope, depth: int) -> Caught:
        """`class RateLimited(ApiError)` defined in the module: its ancestors through its bases.

        A base apilint cannot resolve adds no ancestors, so such a class is covered only by its own
        spelling, a bare `except:` or `BaseException` (principle 1).
        """
        canonical = f"<module>.{cls.name}@{id(cls)}"
        ancestors = {canonical}
        for base in cls.bases:
            resolved = self.resolve(base, cls.parent or self.resolver.model.module_scope, depth + 1)
            ancestors |= resolved.ancestors
        return Caught(expr, text, canonical, frozenset(ancestors))


_MAX_ALIAS_DEPTH = 8


def _code(expr: cst.BaseExpression) -> str:
    return cst.Module([]).code_for_node(expr)


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
