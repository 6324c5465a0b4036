"""The pre-check's call and client guesses: which calls may send, which expressions may be clients.

`_Calls` mirrors the resolver (`semantic.http_calls`, `semantic.client_resolution`)
over the `ast` scan, but with every binding of a name in the module at once and
fixpoints instead of flow: it may answer "maybe" where the resolver proves
nothing, never "no" where the resolver finds a call. Every per-rule answer of the
pre-check starts from these guesses, so they sit in a module of their own.
"""

from __future__ import annotations

import ast

from apilint.engine.ast_model import Scan, dotted_name
from apilint.knowledge.http_clients import (
    CLIENT_ANNOTATIONS,
    CLIENT_CONSTRUCTORS,
    CONNECTION_CONSTRUCTORS,
    REQUEST_FUNCTIONS,
)
from apilint.project.view import ProjectView

_ALL_METHODS = frozenset().union(*(kind.methods for kind in CLIENT_CONSTRUCTORS.values()))
_SENDS = frozenset(REQUEST_FUNCTIONS) | frozenset(CONNECTION_CONSTRUCTORS)


class _Calls:
    """Which calls may send a request and which expressions may be clients (over-approximations)."""

    def __init__(self, scan: Scan, extra_clients: frozenset[str], project: ProjectView | None = None) -> None:
        self.scan = scan
        self.extra = extra_clients
        self.project = project
        # Names the project index knows anywhere (unqualified: over-approximations).
        wrappers, attributes, factories = project.reachable_names(
            scan.imports, {q for bases in scan.class_bases.values() for b in bases for q in self.qualified(b)}
        ) if project is not None else (set(), set(), set())
        self.wrappers = frozenset(wrappers)
        self._sends: dict[int, bool] = {}
        self.client_classes = self._fixpoint_classes()
        self.client_names: set[str] = set()
        self.client_attributes: set[str] = set(attributes)
        self.factories: set[str] = set(factories)  # functions that may return a client
        self._fixpoint_bindings()
        self.method_aliases = {name for name, value in scan.method_aliases if value.attr in _ALL_METHODS}

    # -- names -------------------------------------------------------------------
    def qualified(self, expr: ast.expr) -> frozenset[str]:
        """Every qualified name `expr` may stand for through some import of its root."""
        dotted = dotted_name(expr)
        if dotted is None:
            return frozenset()
        root, _, rest = dotted.partition(".")
        bound = self.scan.imports.get(root)
        if not bound:
            return frozenset()
        return frozenset(f"{q}.{rest}" if rest else q for q in bound)

    def _only_imported(self, expr: ast.expr) -> bool:
        dotted = dotted_name(expr)
        root = dotted.partition(".")[0] if dotted else ""
        scan = self.scan
        return root in scan.imports and root not in scan.other_bound and root not in scan.class_bases

    # -- clients -------------------------------------------------------------------
    def _fixpoint_classes(self) -> set[str]:
        found: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, bases in self.scan.class_bases.items():
                if name in found:
                    continue
                if any(not self.qualified(b).isdisjoint(CLIENT_ANNOTATIONS) or self._project_class(b)
                       or (type(b) is ast.Name and b.id in found) for b in bases):
                    found.add(name)
                    changed = True
        return found

    def _project_class(self, expr: ast.expr) -> bool:
        """A base class defined in another project module that is a client class."""
        project = self.project
        return project is not None and any(project.class_client(q) is not None for q in self.qualified(expr))

    def _project_client(self, expr: ast.expr) -> bool:
        """A name imported from another project module that holds a client."""
        project = self.project
        return project is not None and any(project.client_at(q) is not None for q in self.qualified(expr))

    def _fixpoint_bindings(self) -> None:
        changed = True
        while changed:
            changed = False
            for table, found in ((self.scan.name_values, self.client_names),
                                 (self.scan.attribute_values, self.client_attributes)):
                for name, entries in table.items():
                    if name not in found and any(self._binding(v, a) for v, a in entries):
                        found.add(name)
                        changed = True
            for name, results in self.scan.function_results.items():
                # A return annotation or a returned value (the resolver tries both).
                if name not in self.factories and any(self._binding(v, a) for v, a in results):
                    self.factories.add(name)
                    changed = True

    def _binding(self, value: ast.expr | None, annotation: ast.expr | None) -> bool:
        none = type(value) is ast.Constant and value.value is None
        if value is not None and not none and self.may_be_client(value):
            return True
        return annotation is not None and self.annotation_may_be_client(annotation)

    def annotation_may_be_client(self, annotation: ast.expr, depth: int = 0) -> bool:
        """Mirrors `Resolver.from_annotation`: a client class, `Optional[...]`, `X | None`, a string of those."""
        if depth > 12:
            return True
        if type(annotation) is ast.Constant:
            text = annotation.value
            if not isinstance(text, str):
                return False
            try:
                parsed = ast.parse(text.strip(), mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return False
            return self.annotation_may_be_client(parsed, depth + 1)
        if type(annotation) is ast.BinOp:
            return type(annotation.op) is ast.BitOr and (
                self.annotation_may_be_client(annotation.left, depth + 1)
                or self.annotation_may_be_client(annotation.right, depth + 1))
        if type(annotation) is ast.Subscript:
            spellings = {dotted_name(annotation.value) or "", *self.qualified(annotation.value)}
            if not any(s.rsplit(".", 1)[-1] in ("Optional", "Union") for s in spellings):
                return False
            inner = annotation.slice
            elements = inner.elts if type(inner) is ast.Tuple else [inner]
            return any(self.annotation_may_be_client(e, depth + 1) for e in elements)
        if type(annotation) is ast.Name and annotation.id in self.client_classes:
            return True
        return not self.qualified(annotation).isdisjoint(CLIENT_ANNOTATIONS)

    def may_be_client(self, expr: ast.expr, depth: int = 0) -> bool:
        if depth > 12:
            return True
        kind = type(expr)
        scan = self.scan
        if type(expr) is ast.Call:
            return self.may_make_client(expr)
        if self.extra and (kind is ast.Name or kind is ast.Attribute) and self.qualified(expr):
            return True  # `extra-clients` may name client objects
        if (kind is ast.Name or kind is ast.Attribute) and self._project_client(expr):
            return True
        if type(expr) is ast.Name:
            name = expr.id
            return name in self.client_names or (name in scan.self_names and bool(self.client_classes))
        if type(expr) is ast.Attribute:
            value = expr.value
            attr = expr.attr
            return (type(value) is ast.Name and value.id in scan.self_names
                    and (attr in self.client_attributes or attr in self.factories))
        if type(expr) is ast.BoolOp:
            return any(self.may_be_client(v, depth + 1) for v in expr.values)
        if type(expr) is ast.IfExp:
            return self.may_be_client(expr.body, depth + 1) or self.may_be_client(expr.orelse, depth + 1)
        if type(expr) is ast.Await:
            return self.may_be_client(expr.value, depth + 1)
        return False

    def may_make_client(self, call: ast.Call) -> bool:
        func = call.func
        qualified = self.qualified(func)
        if not qualified.isdisjoint(CLIENT_CONSTRUCTORS) or not qualified.isdisjoint(self.extra):
            return True
        if self.project is not None and any(self.project.made_client(q) is not None for q in qualified):
            return True
        scan = self.scan
        if type(func) is ast.Name:
            name = func.id
            return name in self.extra or name in self.client_classes or name in self.factories
        if type(func) is ast.Attribute:
            # `self._new_session()`, and `Client.create()` on a class of the module (a classmethod or
            # staticmethod: any function of that name counts here).
            value = func.value
            return (type(value) is ast.Name and (value.id in scan.self_names or value.id in scan.class_bases)
                    and func.attr in self.factories)
        return False

    # -- calls ---------------------------------------------------------------------
    def may_send(self, call: ast.Call) -> bool:
        """May this call be an HTTP call (`Resolver.http_call`)?"""
        key = id(call)
        known = self._sends.get(key)
        if known is None:
            known = self._sends[key] = self._may_send(call)
        return known

    def _may_send(self, call: ast.Call) -> bool:
        func = call.func
        qualified = self.qualified(func)
        if not qualified.isdisjoint(_SENDS):
            return True
        if self.wrappers:
            # A project `**kwargs` wrapper, by its name (wherever it is defined).
            last = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
            if last in self.wrappers:
                return True
        # An imported function that sends nothing -- unless what it is called on is a client made in another
        # project module (`from pkg.globals import SESSION; SESSION.get(url)`): the resolver sees a receiver there.
        if (qualified and not self.extra and self._only_imported(func)
                and not (type(func) is ast.Attribute and self._project_client(func.value))):
            return False
        if type(func) is ast.Name:
            return func.id in self.method_aliases
        if type(func) is ast.Attribute and func.attr in _ALL_METHODS:
            receiver = func.value
            if type(receiver) is ast.Call and dotted_name(receiver.func) == "super":
                return False
            return self.may_be_client(receiver) or self._module_side_sends(receiver, func.attr)
        return False

    def _module_side_sends(self, expr: ast.expr, method: str) -> bool:
        """`(session or requests).post(...)`: a side of the receiver is a library module that sends by itself
        (mirrors `Resolver._either_call`)."""
        if type(expr) is ast.BoolOp:
            return any(self._module_side_sends(v, method) for v in expr.values)
        if type(expr) is ast.IfExp:
            return (self._module_side_sends(expr.body, method)
                    or self._module_side_sends(expr.orelse, method))
        return any(f"{q}.{method}" in _SENDS for q in self.qualified(expr))
