"""An independent audit of the receiver of a call a safe fix edits (used by fix_roundtrip.py).

The resolver decides whether `x.request(...)` is an HTTP call by combining the
alternatives `x` may take. This audit lists those alternatives again with its
own, plainer code (every member of a union, both sides of `a or b`, every
reaching assignment, every return of a factory, every override of a factory
method or property in any subclass of the module) and asks the resolver only
about single leaves (a qualified name, one class). A receiver is proven when
no alternative is unknown and they all are one client kind (or one library's
request functions). When the resolver's way of combining alternatives is
wrong, as when it let an unknown union member through, the audit disagrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from apilint.knowledge.http_clients import (
    CLIENT_ANNOTATIONS,
    CLIENT_CONSTRUCTORS,
    CONNECTION_CONSTRUCTORS,
    REQUEST_FUNCTIONS,
)
from apilint.semantic.names import dotted_name, is_none, string_value
from apilint.semantic.resolve import Resolver
from apilint.semantic.scope import Binding, BindingKind, ClassScope, FunctionScope, Scope

_MAX_DEPTH = 12
_PROPERTIES = ("property", "cached_property", "functools.cached_property")


@dataclass(frozen=True)
class Alternative:
    """One value a receiver may hold: a client kind, a library module, or unknown (both None)."""

    kind: str | None = None  # `requests.Session`
    library: str | None = None


UNKNOWN = Alternative()


class ReceiverAudit:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._busy: set[int] = set()

    def proves(self, call: cst.Call, scope: Scope, order: int | None) -> bool:
        """Is `call` a library's request function, or a method every alternative of whose receiver has?"""
        func = call.func
        qualified = self.resolver.qualified_name(func, scope, order)
        if qualified is not None and (qualified in REQUEST_FUNCTIONS or qualified in CONNECTION_CONSTRUCTORS):
            return True
        if isinstance(func, cst.Name):
            # `send = session.post` ... `send(url)`: the bound method's own receiver.
            bindings = self.resolver.lookup(func.value, scope, order)
            if len(bindings) == 1 and isinstance(bindings[0].value, cst.Attribute):
                method = bindings[0].value
                return self._has_method(method.value, method.attr.value, bindings[0].scope, bindings[0].order)
            return False
        if isinstance(func, cst.Attribute):
            return self._has_method(func.value, func.attr.value, scope, order)
        return False

    def _has_method(self, receiver: cst.BaseExpression, method: str, scope: Scope, order: int | None) -> bool:
        found = self.alternatives(receiver, scope, order, 0)
        if not found or UNKNOWN in found:
            return False
        kinds = {a.kind for a in found if a.kind is not None}
        libraries = {a.library for a in found}
        if len(kinds) > 1 or len(libraries) != 1:
            return False
        for alternative in found:
            if alternative.kind is not None:
                kind = CLIENT_CONSTRUCTORS.get(alternative.kind) or CLIENT_ANNOTATIONS.get(alternative.kind)
                if kind is None or method not in kind.methods:
                    return False
            elif f"{self._module_name(receiver, scope, order)}.{method}" not in REQUEST_FUNCTIONS:
                return False
        return True

    def _module_name(self, expr: cst.BaseExpression, scope: Scope, order: int | None) -> str | None:
        for side in _sides(expr):
            name = self.resolver.qualified_name(side, scope, order)
            if name is not None:
                return name
        return None

    # -- alternatives ------------------------------------------------------------------------
    def alternatives(self, expr: cst.BaseExpression, scope: Scope, order: int | None,
                     depth: int) -> set[Alternative]:
        if depth > _MAX_DEPTH:
            return {UNKNOWN}
        if is_none(expr):
            return set()
        if isinstance(expr, (cst.BooleanOperation, cst.IfExp)):
            return set().union(*(self.alternatives(s, scope, order, depth + 1) for s in _sides(expr)))
        if isinstance(expr, cst.Await):
            return self.alternatives(expr.expression, scope, order, depth + 1)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope, order, depth)
        qualified = self.resolver.qualified_name(expr, scope, order)
        if qualified is not None:
            library = qualified.split(".", 1)[0]
            if any(name.startswith(qualified + ".") for name in REQUEST_FUNCTIONS):
                return {Alternative(library=library)}  # a library module: `(session or requests).post`
            extra = self.resolver.extra_clients.get(qualified)
            return {_kind(extra)} if extra is not None else {UNKNOWN}
        if isinstance(expr, cst.Name):
            return self._name(expr.value, scope, order, depth)
        if isinstance(expr, cst.Attribute):
            return self._self_attribute(expr, scope, depth)
        return {UNKNOWN}

    def _call(self, call: cst.Call, scope: Scope, order: int | None, depth: int) -> set[Alternative]:
        qualified = self.resolver.qualified_name(call.func, scope, order)
        if qualified is not None:
            name = self.resolver.extra_clients.get(qualified, qualified)
            return {_kind(name)} if name in CLIENT_CONSTRUCTORS else {UNKNOWN}
        func = call.func
        if isinstance(func, cst.Name):
            bindings = self.resolver.lookup(func.value, scope, order)
            if len(bindings) != 1:
                return {UNKNOWN}
            definition = bindings[0].definition
            if isinstance(definition, ClassScope):
                return {self._class(definition)}
            if isinstance(definition, FunctionScope):
                return self._returns(definition, depth)
            return {UNKNOWN}
        if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and isinstance(scope, FunctionScope)
                and scope.owner is not None and func.value.value == scope.self_name):
            methods = self._overrides(scope.owner, func.attr.value)
            if not methods:
                return {UNKNOWN}
            return set().union(*(self._returns(m, depth) for m in methods))
        return {UNKNOWN}

    def _returns(self, function: FunctionScope, depth: int) -> set[Alternative]:
        key = id(function)
        if key in self._busy:
            return {UNKNOWN}
        self._busy.add(key)
        try:
            found: set[Alternative] = set().union(
                *(self.alternatives(v, function, None, depth + 1) for v in function.returns))
        finally:
            self._busy.discard(key)
        kinds = {a for a in found if a is not UNKNOWN}
        if len(kinds) > 1:
            return {UNKNOWN}  # returns of different kinds: no annotation makes them one
        node = function.node
        if (not found or UNKNOWN in found) and isinstance(node, cst.FunctionDef) and node.returns is not None:
            return self._annotation(node.returns.annotation, function.parent or function, depth + 1)
        return found if found else {UNKNOWN}

    def _name(self, name: str, scope: Scope, order: int | None, depth: int) -> set[Alternative]:
        bindings = self.resolver.lookup(name, scope, order)
        if any(b.value is not None for b in bindings):
            bindings = [b for b in bindings if not (b.kind is BindingKind.ASSIGN and b.value is None
                                                    and self._type_checking_only(b))]
        found: set[Alternative] = set()
        for binding in bindings:
            if binding.kind is BindingKind.PARAM:
                if isinstance(binding.scope, FunctionScope) and name == binding.scope.self_name:
                    owner = binding.scope.owner
                    found.add(self._class(owner) if owner is not None else UNKNOWN)
                else:
                    found |= self._annotation(binding.annotation, binding.scope, depth + 1)
            elif binding.kind is BindingKind.ASSIGN:
                found |= self._binding(binding, depth)
            else:
                found.add(UNKNOWN)
        return found if bindings else {UNKNOWN}

    def _binding(self, binding: Binding, depth: int) -> set[Alternative]:
        if binding.value is not None and not is_none(binding.value):
            found = self.alternatives(binding.value, binding.scope, binding.order, depth + 1)
            if found and UNKNOWN not in found:
                return found
            return self._annotation(binding.annotation, binding.scope, depth + 1) if binding.annotation else found
        if binding.annotation is not None:
            return self._annotation(binding.annotation, binding.scope, depth + 1)
        return set()  # `x = None`: no method is called on it

    def _self_attribute(self, expr: cst.Attribute, scope: Scope, depth: int) -> set[Alternative]:
        if not (isinstance(expr.value, cst.Name) and isinstance(scope, FunctionScope) and scope.owner is not None
                and expr.value.value in (scope.self_name, "cls")):
            return {UNKNOWN}
        owner, attr = scope.owner, expr.attr.value
        methods = self._overrides(owner, attr)
        if methods:
            if not all(_is_property(m) for m in methods):
                return {UNKNOWN}
            return set().union(*(self._returns(m, depth) for m in methods))
        classes = [*self.resolver.class_chain(owner), *self._subclasses(owner)]
        bindings = [b for cls in classes for b in cls.instance_attributes.get(attr, [])]
        bindings += [b for cls in classes for b in cls.bindings.get(attr, []) if b.kind is BindingKind.ASSIGN]
        if not bindings:
            return {UNKNOWN}
        return set().union(*(self._binding(b, depth) for b in bindings))

    def _annotation(self, annotation: cst.BaseExpression | None, scope: Scope, depth: int) -> set[Alternative]:
        if annotation is None or depth > _MAX_DEPTH:
            return {UNKNOWN}
        if isinstance(annotation, cst.SimpleString):
            text = string_value(annotation)
            try:
                parsed = cst.parse_expression(text) if text is not None else None
            except cst.ParserSyntaxError:
                parsed = None
            return self._annotation(parsed, scope, depth + 1) if parsed is not None else {UNKNOWN}
        if is_none(annotation):
            return set()
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            return self._annotation(annotation.left, scope, depth + 1) | self._annotation(annotation.right, scope, depth + 1)
        if isinstance(annotation, cst.Subscript):
            outer = self.resolver.qualified_name(annotation.value, scope) or dotted_name(annotation.value) or ""
            if outer.rsplit(".", 1)[-1] not in ("Optional", "Union"):
                return {UNKNOWN}
            members = [el.slice.value for el in annotation.slice if isinstance(el.slice, cst.Index)]
            return set().union(*(self._annotation(m, scope, depth + 1) for m in members))
        qualified = self.resolver.qualified_name(annotation, scope)
        if qualified is not None:
            return {_kind(qualified)} if qualified in CLIENT_ANNOTATIONS else {UNKNOWN}
        if isinstance(annotation, cst.Name):
            bindings = self.resolver.lookup(annotation.value, scope, None)
            if len(bindings) == 1 and isinstance(bindings[0].definition, ClassScope):
                return {self._class(bindings[0].definition)}
        return {UNKNOWN}

    # -- classes ---------------------------------------------------------------------------
    def _class(self, cls: ClassScope) -> Alternative:
        ref = self.resolver.class_client(cls)
        return _kind(ref.kind.name) if ref is not None else UNKNOWN

    def _overrides(self, owner: ClassScope, name: str) -> list[FunctionScope]:
        inherited = [c.methods[name] for c in self.resolver.class_chain(owner) if name in c.methods][:1]
        return inherited + [c.methods[name] for c in self._subclasses(owner) if name in c.methods]

    def _subclasses(self, owner: ClassScope) -> list[ClassScope]:
        found = []
        pending = list(self.resolver.model.module_scope.children)
        while pending:
            scope = pending.pop()
            pending.extend(scope.children)
            if isinstance(scope, ClassScope) and scope is not owner and owner in self.resolver.class_chain(scope):
                found.append(scope)
        return found

    def _type_checking_only(self, binding: Binding) -> bool:
        node: cst.CSTNode | None = binding.annotation
        parents = self.resolver.parent_of
        while node is not None:
            parent = parents.get(node)
            if isinstance(parent, cst.If) and parent.body is node:
                if (dotted_name(parent.test) or "").rsplit(".", 1)[-1] == "TYPE_CHECKING":
                    return True
            node = parent
        return False


def _kind(name: str) -> Alternative:
    kind = CLIENT_CONSTRUCTORS.get(name) or CLIENT_ANNOTATIONS.get(name)
    if kind is None:
        return UNKNOWN
    return Alternative(kind=kind.name, library=str(kind.library))


def _sides(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.BooleanOperation):
        return [*_sides(expr.left), *_sides(expr.right)]
    if isinstance(expr, cst.IfExp):
        return [*_sides(expr.body), *_sides(expr.orelse)]
    return [expr]


def _is_property(function: FunctionScope) -> bool:
    return isinstance(function.node, cst.FunctionDef) and any(
        dotted_name(d.decorator) in _PROPERTIES for d in function.node.decorators)
