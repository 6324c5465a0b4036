"""Name resolution: is this expression an HTTP client, is this call an HTTP call?

Resolution is deliberately conservative (principle 1, "unknown means
silent"): a value is a client only when every alternative it may take is
provably a client of the same kind. Alternatives are every binding of a name
(a real assignment wins over a bare declaration such as one under
`if TYPE_CHECKING:`), both sides of `a or b` / `a if c else b`, every member of
a `Union[...]` / `A | B` annotation, every return of a factory, and every
override of a factory method or property in the module's subclasses. `None` is
no alternative (`Optional[X]` is X): calling a method on it fails either way.
An alternative that cannot be resolved makes the whole value unknown, unless every path
from it to the use passed an `isinstance` guard of a client class (`guard_flow`): after
`if not isinstance(session, requests.Session): raise ...`, `session` holds a Session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import libcst as cst

from apilint.knowledge.http_clients import CLIENT_ANNOTATIONS, CLIENT_CONSTRUCTORS
from apilint.semantic.client_classes import ClientClasses
from apilint.semantic.client_ref import ClientRef, _agree, _from_fact
from apilint.semantic.guard_flow import ENTRY, Path, guards_of
from apilint.semantic.guards import binding_statement, guard_tree
from apilint.semantic.names import dotted_name, is_none, string_value
from apilint.semantic.reaching import ReachingBindings
from apilint.semantic.scope import Binding, BindingKind, ClassScope, FunctionScope, Scope

_MAX_DEPTH = 12


class ClientResolution(ClientClasses):
    """Which expressions evaluate to an HTTP client (see the module docstring for the rules)."""

    extra_clients: Mapping[str, str]
    parent_of: Mapping[cst.CSTNode, cst.CSTNode]
    order_of: Mapping[cst.CSTNode, int]
    _in_progress: set[int]

    # -- clients --------------------------------------------------------------
    def client_of(self, expr: cst.BaseExpression, scope: Scope, order: int | None = None,
                  depth: int = 0) -> ClientRef | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, cst.Call):
            return self._client_of_call(expr, scope, order, depth)
        if isinstance(expr, (cst.Name, cst.Attribute)) and self.extra_clients:
            # `extra-clients` may name client objects too: `{"app.http.SESSION" = "requests.Session"}`.
            qualified = self.qualified_name(expr, scope, order)
            if qualified is not None and qualified in self.extra_clients:
                kind = CLIENT_CONSTRUCTORS.get(self.extra_clients[qualified])
                return ClientRef(kind) if kind is not None else None
        if isinstance(expr, cst.Name):
            return self._client_of_name(expr.value, scope, order, depth)
        if isinstance(expr, cst.Attribute):
            in_project = self.project_client_at(self.qualified_name(expr, scope, order))  # `client.SESSION`
            return _from_fact(in_project) if in_project is not None else self._client_of_attribute(expr, scope, depth)
        if isinstance(expr, cst.BooleanOperation):
            return _agree([self.client_of(side, scope, order, depth + 1)
                           for side in (expr.left, expr.right) if not is_none(side)])
        if isinstance(expr, cst.IfExp):
            return _agree([self.client_of(side, scope, order, depth + 1)
                           for side in (expr.body, expr.orelse) if not is_none(side)])
        if isinstance(expr, cst.Await):
            return self.client_of(expr.expression, scope, order, depth + 1)
        return None

    def _client_of_call(self, call: cst.Call, scope: Scope, order: int | None, depth: int) -> ClientRef | None:
        qualified = self.qualified_name(call.func, scope, order)
        if qualified is not None:
            kind = CLIENT_CONSTRUCTORS.get(qualified)
            if kind is not None:
                return ClientRef(kind, constructor=call, constructor_name=qualified)
            if qualified in self.extra_clients:
                kind = CLIENT_CONSTRUCTORS.get(self.extra_clients[qualified])
            if kind is None:
                return _from_fact(self.project_made_client(qualified), constructor=call)
            return ClientRef(kind, constructor=call)
        func = call.func
        if isinstance(func, cst.Name):
            if func.value in self.extra_clients:
                kind = CLIENT_CONSTRUCTORS.get(self.extra_clients[func.value])
                if kind is not None:
                    return ClientRef(kind, constructor=call)
            bindings = self.lookup(func.value, scope, order)
            if len(bindings) != 1:
                return None
            binding = bindings[0]
            if binding.kind is BindingKind.CLASS and isinstance(binding.definition, ClassScope):
                ref = self.class_client(binding.definition)
                if ref is None:
                    return None
                return replace(ref, constructor=call, overrides=ref.overrides.exact())  # no subclass instance
            if binding.kind is BindingKind.FUNCTION and isinstance(binding.definition, FunctionScope):
                return self._factory_result(binding.definition, depth)
            return None
        # `Client.create()`: a classmethod or staticmethod called on a class of the module runs the
        # method that class defines or inherits (no subclass's override).
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            owners = self.lookup(func.value.value, scope, order)
            if len(owners) == 1 and owners[0].kind is BindingKind.CLASS and isinstance(owners[0].definition, ClassScope):
                method = self._method(owners[0].definition, func.attr.value)
                if method is not None and called_on_class(method.node):
                    return self._factory_result(method, depth)
        # `self._new_session()`: a factory method of the class, or any subclass's override of it.
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and isinstance(scope, FunctionScope):
            if scope.owner is not None and func.value.value == scope.self_name:
                methods = self.implementations(scope.owner, func.attr.value)
                return _agree([self._factory_result(m, depth) for m in methods])
        return None

    def _factory_result(self, function: FunctionScope, depth: int) -> ClientRef | None:
        """What a same-module function returns: its return values, else its return annotation."""
        key = id(function)
        if key in self._in_progress:
            return None
        self._in_progress.add(key)
        try:
            # A returned name is narrowed by the guards on the way to its `return` (`guard_flow`).
            results = [self._client_of_name(value.value, function, None, depth + 1, self.order_of.get(value))
                       if isinstance(value, cst.Name) else self.client_of(value, function, None, depth + 1)
                       for value in function.returns if not is_none(value)]
        finally:
            self._in_progress.discard(key)
        if len({r.kind for r in results if r is not None}) > 1:
            return None  # returns clients of different kinds: no annotation can make it one
        found = _agree(results)
        # A return that cannot be resolved: the declared return type decides (with all its members).
        if found is None and isinstance(function.node, cst.FunctionDef) and function.node.returns is not None:
            scope = function.parent or self.model.module_scope
            return self.from_annotation(function.node.returns.annotation, scope, depth + 1)
        return found

    def _client_of_name(self, name: str, scope: Scope, order: int | None, depth: int,
                        use: int | None = None) -> ClientRef | None:
        """`use`: where the name is read, for the guards (default: `order`, which also picks the bindings)."""
        use = order if use is None else use
        results: list[ClientRef | None] = []
        paths: list[list[Path] | None] = []  # the guards' walk, done once, when a binding needs it
        for binding in _alternatives(self.lookup(name, scope, order), self.parent_of):
            result: ClientRef | None = None
            if binding.kind is BindingKind.PARAM:
                if isinstance(binding.scope, FunctionScope) and name == binding.scope.self_name:
                    owner = binding.scope.owner
                    results.append(self.class_client(owner) if owner is not None else None)
                    continue
                result = self.from_annotation(binding.annotation, binding.scope, depth)
            elif binding.kind is BindingKind.ASSIGN:
                result = self._from_binding(binding, depth)
            elif binding.kind is BindingKind.IMPORT:
                result = _from_fact(self.project_client_at(self.qualified_name(cst.Name(name), scope, order)))
            if result is None and use is not None and binding.scope is scope \
                    and binding.kind not in (BindingKind.CLASS, BindingKind.FUNCTION):
                # What the binding holds is unknown, but an `isinstance` guard on the way may prove it.
                if not paths:
                    paths.append(self._guard_paths(name, scope, use))
                result = self._narrowed(binding, paths[0], scope, depth)
            results.append(result)
        return _agree(results)

    # -- a guard narrows (`guard_flow`) ----------------------------------------------
    def _reaching_bindings(self) -> ReachingBindings:
        raise NotImplementedError

    def _guard_paths(self, name: str, scope: Scope, order: int) -> list[Path] | None:
        if "isinstance" not in scope.uses or self.lookup("isinstance", scope, None):
            return None  # no guard in this function (or `isinstance` is not the builtin)
        reaching = self._reaching_bindings()
        tree = guard_tree(name, scope, reaching.node_at(order), scope.bindings.get(name, []), self.parent_of,
                          reaching.node_map())
        if tree is None or not isinstance(scope.node, cst.FunctionDef):
            return None
        return tree.paths_at_use(scope.node.body)

    def _narrowed(self, binding: Binding, paths: list[Path] | None, scope: Scope, depth: int) -> ClientRef | None:
        """The client the binding's value was proven to be by the guards it passed on every path to the use."""
        if paths is None:
            return None
        if binding.kind is BindingKind.PARAM:
            marker: object = ENTRY
        else:
            marker = binding_statement(self._reaching_bindings().node_at(binding.order), self.parent_of)
        guards = guards_of(paths, marker)
        if not guards:
            return None
        return _agree([self._guard_client(g, scope, depth) for g in guards])

    def _guard_client(self, guard: object, scope: Scope, depth: int) -> ClientRef | None:
        """`isinstance(x, C)`: C a client class; `(A, B)`: every member a client of one kind."""
        if isinstance(guard, cst.Tuple):
            return _agree([self._guard_client(e.value, scope, depth) for e in guard.elements])
        if not isinstance(guard, (cst.Name, cst.Attribute)):
            return None
        return self.from_annotation(guard, scope, depth + 1)

    def _from_binding(self, binding: Binding, depth: int) -> ClientRef | None:
        if binding.value is not None and not is_none(binding.value):
            ref = self.client_of(binding.value, binding.scope, binding.order, depth + 1)
            if ref is not None:
                return ref
        return self.from_annotation(binding.annotation, binding.scope, depth)

    def _client_of_attribute(self, expr: cst.Attribute, scope: Scope, depth: int) -> ClientRef | None:
        if not (isinstance(expr.value, cst.Name) and isinstance(scope, FunctionScope)):
            return None
        owner = scope.owner
        if owner is None:
            return None
        receiver = expr.value.value
        attr = expr.attr.value
        if receiver != scope.self_name and receiver != "cls":
            return None
        methods = self.implementations(owner, attr)
        if methods:
            # A property (in the class, a base or a subclass): every implementation is an alternative.
            if not all(_is_property(m) for m in methods):
                return None  # `self.x` is a bound method somewhere
            return _agree([self._factory_result(m, depth) for m in methods])
        # `self.x = …` in the class, its bases, or any subclass (an instance may be one of those).
        bindings: list[Binding] = []
        for cls in [*self.class_chain(owner), *self.subclasses(owner)]:
            bindings += cls.instance_attributes.get(attr, [])
            bindings += [b for b in cls.bindings.get(attr, []) if b.kind is BindingKind.ASSIGN]
        if not bindings:  # set in a base class defined in another project module
            return _from_fact(self.project_attribute_client(owner, attr))
        return _agree([self._from_binding(b, depth) for b in _alternatives(bindings, self.parent_of)])

    def from_annotation(self, annotation: cst.BaseExpression | None, scope: Scope, depth: int = 0) -> ClientRef | None:
        """`requests.Session`, `Optional[requests.Session]`, `requests.Session | None`, `"requests.Session"`."""
        if annotation is None or depth > _MAX_DEPTH:
            return None
        if isinstance(annotation, cst.SimpleString):
            text = string_value(annotation)
            if text is None:
                return None
            try:
                parsed = cst.parse_expression(text)
            except cst.ParserSyntaxError:
                return None
            return self.from_annotation(parsed, scope, depth + 1)
        if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
            # `A | B`: every member must be the same client (an unknown member makes it unknown).
            sides = [annotation.left, annotation.right]
            return _agree([self.from_annotation(s, scope, depth + 1) for s in sides if not is_none(s)])
        if isinstance(annotation, cst.Subscript):
            outer = self.qualified_name(annotation.value, scope) or dotted_name(annotation.value)
            if outer is not None and outer.rsplit(".", 1)[-1] in ("Optional", "Union"):
                inner = [el.slice.value for el in annotation.slice if isinstance(el.slice, cst.Index)]
                return _agree([self.from_annotation(i, scope, depth + 1) for i in inner if not is_none(i)])
            return None
        qualified = self.qualified_name(annotation, scope)
        if qualified is not None:
            kind = CLIENT_ANNOTATIONS.get(qualified)
            return ClientRef(kind) if kind is not None else _from_fact(self.project_class_client(qualified))
        if isinstance(annotation, cst.Name):
            bindings = self.lookup(annotation.value, scope, None)
            if len(bindings) == 1 and isinstance(bindings[0].definition, ClassScope):
                return self.class_client(bindings[0].definition)
        return None


def _alternatives(bindings: list[Binding], parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> list[Binding]:
    """The bindings that give a name a value it may hold when used.

    A real assignment wins over a declaration made only for type checkers (`x: T` with no
    value under `if TYPE_CHECKING:`); such a declaration alone still declares. An assignment
    of `None` is no alternative: no method can be called on it.
    """
    if any(b.value is not None for b in bindings):
        bindings = [b for b in bindings if not (b.kind is BindingKind.ASSIGN and b.value is None
                                                and _under_type_checking(b.annotation, parent_of))]
    return [b for b in bindings if not (is_none(b.value) and b.annotation is None)]


def _under_type_checking(node: cst.CSTNode | None, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> bool:
    """Is `node` inside the body of `if TYPE_CHECKING:` (or `if typing.TYPE_CHECKING:`)?"""
    while node is not None:
        parent = parent_of.get(node)
        if isinstance(parent, cst.If) and parent.body is node:
            name = dotted_name(parent.test) or ""
            if name.rsplit(".", 1)[-1] == "TYPE_CHECKING":
                return True
        node = parent
    return False


def _is_property(function: FunctionScope) -> bool:
    return isinstance(function.node, cst.FunctionDef) and any(
        dotted_name(d.decorator) in ("property", "functools.cached_property", "cached_property")
        for d in function.node.decorators
    )


def called_on_class(node: cst.CSTNode) -> bool:
    """A `@classmethod` or `@staticmethod`: `Class.method()` runs it (another method would need an instance)."""
    return isinstance(node, cst.FunctionDef) and any(
        isinstance(d.decorator, cst.Name) and d.decorator.value in ("classmethod", "staticmethod")
        for d in node.decorators)
