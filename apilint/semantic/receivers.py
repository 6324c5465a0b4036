"""What was done to a client after it was built, tracked per receiver (`s`, `self.session`).

`s.request = functools.partial(s.request, timeout=10)` and
`s.mount("https://", TimeoutAdapter(timeout=5))` give a client a default
timeout; `session.get(url, timeout=session.timeout)` reads back an attribute
that would otherwise be ignored. Both are matched by receiver key: the scope
that binds the name (or the class, for `self.x`) plus the name.
"""

from __future__ import annotations

import libcst as cst

from apilint.knowledge.http_clients import CLIENT_CONSTRUCTORS
from apilint.semantic.names import keyword_arg
from apilint.semantic.scope import (
    Binding,
    ClassScope,
    FunctionScope,
    ModuleModel,
    Scope,
)

# Methods of a Session subclass (or adapter) that, when they handle `timeout`,
# give every request a default timeout.
TIMEOUT_METHODS = frozenset().union(*(kind.methods for kind in CLIENT_CONSTRUCTORS.values()))  # from the records
# Methods a client hands a call's `timeout` on to, the request methods included: a client subclass's
# definition of one is read for its signature (API101's fix: `timeout_overrides.py`).
TIMEOUT_RECEIVERS = frozenset().union(*(kind.timeout_receivers() for kind in CLIENT_CONSTRUCTORS.values()))


class ReceiverTracking:
    model: ModuleModel

    def lookup(self, name: str, scope: Scope, order: int | None) -> list[Binding]:
        raise NotImplementedError

    def class_chain(self, cls: ClassScope) -> list[ClassScope]:
        raise NotImplementedError

    # -- timeouts given to a client after construction ----------------------------
    def receiver_has_injected_timeout(self, receiver: cst.BaseExpression, scope: Scope) -> bool:
        """`s.request = partial(s.request, timeout=…)` or `s.mount(…, TimeoutAdapter(…))` for this receiver."""
        key = self.receiver_key(receiver, scope)
        if key is None:
            return False
        return any(
            self.receiver_key(inj.target, inj.scope) == key and self._injection_applies(inj.adapter, inj.scope)
            for inj in self.model.injections
        )

    def attribute_read_elsewhere(self, target: cst.Attribute, scope: Scope) -> bool:
        """Is `<receiver>.<attr>` (the target of an assignment) used by other code of the module?"""
        keys = self._keys_with_bases(target.value, scope)
        if not keys:
            return False
        return any(
            node is not target and node.attr.value == target.attr.value
            and self.receiver_key(node.value, node_scope) in keys
            for node, node_scope in self.model.timeout_attributes
        )

    def _keys_with_bases(self, expr: cst.BaseExpression, scope: Scope) -> set[tuple[int, str]]:
        key = self.receiver_key(expr, scope)
        if key is None:
            return set()
        keys = {key}
        # `self` in a method: the attribute may be read by a method of a base class defined here.
        if key[1] == "<self>" and isinstance(scope, FunctionScope) and scope.owner is not None:
            keys |= {(id(cls), "<self>") for cls in self.class_chain(scope.owner)}
        return keys

    def _injection_applies(self, adapter: cst.BaseExpression | None, scope: Scope) -> bool:
        if adapter is None:
            return True  # an assignment of a wrapper that passes timeout=
        if isinstance(adapter, cst.Name):
            bindings = self.lookup(adapter.value, scope, None)
            values = [b.value for b in bindings if b.value is not None]
            if len(values) != 1:
                return False
            adapter = values[0]
        if not isinstance(adapter, cst.Call):
            return False
        if keyword_arg(adapter, "timeout") is not None:
            return True
        if isinstance(adapter.func, cst.Name):
            bindings = self.lookup(adapter.func.value, scope, None)
            if len(bindings) == 1 and isinstance(bindings[0].definition, ClassScope):
                return any(m.mentions_timeout for name, m in bindings[0].definition.methods.items()
                           if name in TIMEOUT_METHODS)
        return False

    def receiver_key(self, expr: cst.BaseExpression, scope: Scope) -> tuple[int, str] | None:
        if isinstance(expr, cst.Name):
            bindings = self.lookup(expr.value, scope, None)
            if not bindings:
                return None
            if isinstance(scope, FunctionScope) and expr.value == scope.self_name and scope.owner is not None:
                return (id(scope.owner), "<self>")
            return (id(bindings[0].scope), expr.value)
        if (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name)
                and isinstance(scope, FunctionScope) and scope.owner is not None
                and expr.value.value == scope.self_name):
            return (id(scope.owner), "." + expr.attr.value)
        return None

