"""The resolver: names looked up in their scopes, and the layers that answer from them.

`Resolver` is what the engine builds per module and the rules ask. It owns the
name lookup every question starts from (`lookup`, `qualified_name`) and
inherits the questions, one module each: which calls send
(`semantic.http_calls`), which values are clients (`semantic.client_resolution`),
which classes are clients (`semantic.client_classes`), what other project modules
prove (`semantic.project_names`) and what was done to a client after it was
built (`semantic.receivers`).
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from apilint.semantic.client_ref import ClientRef
from apilint.semantic.http_calls import HttpCalls
from apilint.semantic.reaching import ReachingBindings
from apilint.semantic.scope import Binding, BindingKind, ClassScope, ModuleModel, Scope


class Resolver(HttpCalls):
    # Set by the engine after the traversal: lets analyses climb from a node to its parents.
    parent_of: Mapping[cst.CSTNode, cst.CSTNode] = {}

    def __init__(self, model: ModuleModel, order_of: Mapping[cst.CSTNode, int],
                 extra_clients: Mapping[str, str]) -> None:
        self.model = model
        self.order_of = order_of
        self.extra_clients = extra_clients
        self._class_cache: dict[int, ClientRef | None] = {}
        self._in_progress: set[int] = set()
        self._subclasses: dict[int, list[ClassScope]] | None = None
        self._reaching: ReachingBindings | None = None

    # -- names ----------------------------------------------------------------
    def lookup(self, name: str, scope: Scope, order: int | None) -> list[Binding]:
        """The bindings `name` may refer to at `order` in `scope` (Python's LEGB, minus class scopes)."""
        current: Scope | None = scope
        first = True
        while current is not None:
            if current.kind != "class" or first:
                bindings = current.bindings.get(name)
                if bindings:
                    if first and order is not None and current.kind == "function":
                        # Every assignment that may reach the use (both branches of an `if`, …).
                        return self._reaching_bindings().reaching(bindings, order)
                    return bindings
            first = False
            current = current.parent
        return []

    def _reaching_bindings(self) -> ReachingBindings:
        if self._reaching is None:
            self._reaching = ReachingBindings(self.order_of, self.parent_of)
        return self._reaching

    def qualified_name(self, expr: cst.BaseExpression, scope: Scope, order: int | None = None) -> str | None:
        """`requests.Session` for `rq.Session` after `import requests as rq`; None if not imported."""
        parts: list[str] = []
        node: cst.BaseExpression = expr
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name):
            return None
        bindings = self.lookup(node.value, scope, order)
        if not bindings or any(b.kind is not BindingKind.IMPORT for b in bindings):
            return None
        roots = {b.qualified_name for b in bindings}
        if len(roots) != 1:
            return None
        root = roots.pop()
        if not root:
            return None
        # Through the project: relative imports made absolute, re-exports followed (`compat.requests`).
        return self.project_canonical(".".join([root, *reversed(parts)]))
