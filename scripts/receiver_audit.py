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

Its resolver has no project view. With the project's files given
(`ProjectModules`), a name imported from another project module, a base
class defined there, a factory or client class made there, is followed into
the defining module and audited there the same way (receiver_audit_project.py);
without them such a name is unknown, as in a file checked on its own.
"""

from __future__ import annotations

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
from receiver_audit_classes import UNKNOWN, Alternative, ClassAudit, _kind
from receiver_audit_guards import guard_of
from receiver_audit_project import Defined as _Defined
from receiver_audit_project import Library as _Library
from receiver_audit_project import ProjectModules, Target

_MAX_DEPTH = 12
_PROPERTIES = ("property", "cached_property", "functools.cached_property")


class ReceiverAudit(ClassAudit):
    def __init__(self, resolver: Resolver, modules: ProjectModules | None = None, module: str = "",
                 package: bool = False) -> None:
        self.resolver = resolver  # without a project view: the audit follows project names itself
        self.modules = modules  # the project's files (None: a file on its own)
        self.module = module  # this module's name in the project
        self.package = package
        self._busy: set[int] = set()

    def proves(self, call: cst.Call, scope: Scope, order: int | None) -> bool:
        """Is `call` a library's request function, or a method every alternative of whose receiver has?"""
        func = call.func
        target = self._target(func, scope, order)
        if isinstance(target, _Library) and (target.name in REQUEST_FUNCTIONS or target.name in CONNECTION_CONSTRUCTORS):
            return True
        if isinstance(target, _Defined):
            # `from .client import get` where client.py has `get = SESSION.get`: the bound method's receiver.
            values = [b for b in target.bindings if b.kind is BindingKind.ASSIGN and b.value is not None]
            if len(values) != len(target.bindings) or len(values) != 1 or not isinstance(values[0].value, cst.Attribute):
                return False
            method = values[0].value
            return target.audit._has_method(method.value, method.attr.value, values[0].scope, values[0].order)
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
                # The library hands the keyword on (`get` -> `self.request` -> `self.send`): a project
                # definition along that path that cannot take it raises TypeError too.
                if kind is None or method not in kind.methods or kind.timeout_path(method) & alternative.refuses:
                    return False
            elif f"{self._module_name(receiver, scope, order)}.{method}" not in REQUEST_FUNCTIONS:
                return False
        return True

    def _module_name(self, expr: cst.BaseExpression, scope: Scope, order: int | None) -> str | None:
        for side in _sides(expr):
            target = self._target(side, scope, order)
            if isinstance(target, _Library):
                return target.name
        return None

    def _target(self, expr: cst.BaseExpression, scope: Scope, order: int | None) -> Target:
        """What an imported name names: a library's name, or a project module's top-level binding
        (followed into that module when the project's files are known). None: not imported, or unknown."""
        qualified = self.resolver.qualified_name(expr, scope, order)
        if qualified is None:
            return None
        if self.modules is None:
            return _Library(qualified)
        return self.modules.target(qualified, self.module, self.package)

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
        if self.resolver.qualified_name(expr, scope, order) is not None:
            target = self._target(expr, scope, order)
            if isinstance(target, _Defined):  # a module-level value of another project module
                return target.audit._of_bindings(list(target.bindings), depth + 1)
            if target is None:
                return {UNKNOWN}
            qualified = target.name
            library = qualified.split(".", 1)[0]
            if any(name.startswith(qualified + ".") for name in REQUEST_FUNCTIONS):
                return {Alternative(library=library)}  # a library module: `(session or requests).post`
            extra = self.resolver.extra_clients.get(qualified)
            return {_kind(extra)} if extra is not None else {UNKNOWN}
        if isinstance(expr, cst.Name):
            return self._name(expr.value, scope, order, depth, use=expr)
        if isinstance(expr, cst.Attribute):
            return self._self_attribute(expr, scope, depth)
        return {UNKNOWN}

    def _call(self, call: cst.Call, scope: Scope, order: int | None, depth: int) -> set[Alternative]:
        on_class = self._on_class(call.func, scope, order, depth)
        if on_class is not None:
            return on_class
        if self.resolver.qualified_name(call.func, scope, order) is not None:
            target = self._target(call.func, scope, order)
            if isinstance(target, _Defined):  # a class or factory of another project module
                return target.audit._made_by(target.bindings, depth)
            if target is None:
                return {UNKNOWN}
            qualified = target.name
            name = self.resolver.extra_clients.get(qualified, qualified)
            return {_kind(name)} if name in CLIENT_CONSTRUCTORS else {UNKNOWN}
        func = call.func
        if isinstance(func, cst.Name):
            bindings = self.resolver.lookup(func.value, scope, order)
            if len(bindings) != 1:
                return {UNKNOWN}
            return self._made_by(tuple(bindings), depth)
        if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and isinstance(scope, FunctionScope)
                and scope.owner is not None and func.value.value == scope.self_name):
            methods = self._overrides(scope.owner, func.attr.value)
            if not methods:
                return {UNKNOWN}
            return set().union(*(audit._returns(m, depth) for audit, m in methods))
        return {UNKNOWN}

    def _on_class(self, func: cst.BaseExpression, scope: Scope, order: int | None,
                  depth: int) -> set[Alternative] | None:
        """`Client.create()`: the classmethod or staticmethod the class (of this module or, imported, of
        another) defines or inherits; None: not such a call."""
        if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
            return None
        bindings = self.resolver.lookup(func.value.value, scope, order)
        audit, owner = self, bindings[0].definition if len(bindings) == 1 else None
        if len(bindings) == 1 and bindings[0].kind is BindingKind.IMPORT:
            target = self._target(func.value, scope, order)
            if isinstance(target, _Defined) and len(target.bindings) == 1:
                audit, owner = target.audit, target.bindings[0].definition
        if not isinstance(owner, ClassScope):
            return None
        chain = [(audit, c) for c in audit.resolver.class_chain(owner)] + audit._project_bases(owner)
        found = [(a, c.methods[func.attr.value]) for a, c in chain if func.attr.value in c.methods][:1]
        if not found or not _decorated(found[0][1], ("classmethod", "staticmethod")):
            return {UNKNOWN}
        return found[0][0]._returns(found[0][1], depth)

    def _made_by(self, bindings: tuple[Binding, ...], depth: int) -> set[Alternative]:
        """What calling the one class or function these bindings (of this module) define returns."""
        definition = bindings[0].definition if len(bindings) == 1 else None
        if isinstance(definition, ClassScope):
            return {self._class(definition)}
        if isinstance(definition, FunctionScope):
            return self._returns(definition, depth)
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

    def _name(self, name: str, scope: Scope, order: int | None, depth: int,
              use: cst.CSTNode | None = None) -> set[Alternative]:
        return self._of_bindings(self.resolver.lookup(name, scope, order), depth, name, use, scope)

    def _of_bindings(self, bindings: list[Binding], depth: int, name: str = "", use: cst.CSTNode | None = None,
                     scope: Scope | None = None) -> set[Alternative]:
        """Every alternative of the values these bindings (of this module) give a name."""
        if any(b.value is not None for b in bindings):
            bindings = [b for b in bindings if not (b.kind is BindingKind.ASSIGN and b.value is None
                                                    and self._type_checking_only(b))]
        found: set[Alternative] = set()
        for binding in bindings:
            if binding.kind is BindingKind.PARAM:
                if isinstance(binding.scope, FunctionScope) and name == binding.scope.self_name:
                    owner = binding.scope.owner
                    found.add(self._class(owner) if owner is not None else UNKNOWN)
                    continue
                alternatives = self._annotation(binding.annotation, binding.scope, depth + 1)
            elif binding.kind is BindingKind.ASSIGN:
                alternatives = self._binding(binding, depth)
            else:
                alternatives = {UNKNOWN}
            if UNKNOWN in alternatives and use is not None and isinstance(scope, FunctionScope) \
                    and binding.scope is scope and "isinstance" in scope.uses \
                    and not self.resolver.lookup("isinstance", scope, None):
                # `if not isinstance(x, C): raise`: x holds a C on every path past it (its own reading).
                guards = guard_of(name, binding, use, scope, self.resolver.parent_of,
                                  self.resolver._reaching_bindings().node_map())
                narrowed: set[Alternative] = set()
                for guard in guards:
                    members = [e.value for e in guard.elements] if isinstance(guard, cst.Tuple) else [guard]
                    for member in members:
                        narrowed |= (self._annotation(member, scope, depth + 1)
                                     if isinstance(member, (cst.Name, cst.Attribute)) else {UNKNOWN})
                if narrowed and UNKNOWN not in narrowed:
                    alternatives = narrowed
            found |= alternatives
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
            if not all(_is_property(m) for _, m in methods):
                return {UNKNOWN}
            return set().union(*(audit._returns(m, depth) for audit, m in methods))
        classes: list[tuple[ReceiverAudit, ClassScope]] = [
            (self, c) for c in [*self.resolver.class_chain(owner), *self._subclasses(owner)]]
        classes += self._project_bases(owner)
        bindings = [(audit, b) for audit, cls in classes for b in cls.instance_attributes.get(attr, [])]
        bindings += [(audit, b) for audit, cls in classes for b in cls.bindings.get(attr, [])
                     if b.kind is BindingKind.ASSIGN]
        if not bindings:
            return {UNKNOWN}
        return set().union(*(audit._binding(b, depth) for audit, b in bindings))

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
        if self.resolver.qualified_name(annotation, scope) is not None:
            target = self._target(annotation, scope, None)
            if isinstance(target, _Defined):  # a class of another project module
                definition = target.bindings[0].definition if len(target.bindings) == 1 else None
                return {target.audit._class(definition)} if isinstance(definition, ClassScope) else {UNKNOWN}
            if target is None:
                return {UNKNOWN}
            return {_kind(target.name)} if target.name in CLIENT_ANNOTATIONS else {UNKNOWN}
        if isinstance(annotation, cst.Name):
            bindings = self.resolver.lookup(annotation.value, scope, None)
            if len(bindings) == 1 and isinstance(bindings[0].definition, ClassScope):
                return {self._class(bindings[0].definition)}
        return {UNKNOWN}

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


def _sides(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(expr, cst.BooleanOperation):
        return [*_sides(expr.left), *_sides(expr.right)]
    if isinstance(expr, cst.IfExp):
        return [*_sides(expr.body), *_sides(expr.orelse)]
    return [expr]


def _is_property(function: FunctionScope) -> bool:
    return isinstance(function.node, cst.FunctionDef) and any(
        dotted_name(d.decorator) in _PROPERTIES for d in function.node.decorators)


def _decorated(function: FunctionScope, names: tuple[str, ...]) -> bool:
    return isinstance(function.node, cst.FunctionDef) and any(
        dotted_name(d.decorator) in names for d in function.node.decorators)
