"""Name resolution: is this expression an HTTP client, is this call an HTTP call?

Resolution is deliberately conservative (principle 1, "unknown means
silent"): a value is a client only when every alternative it may take is
provably a client of the same kind. Alternatives are every binding of a name
(a real assignment wins over a bare declaration such as one under
`if TYPE_CHECKING:`), both sides of `a or b` / `a if c else b`, every member of
a `Union[...]` / `A | B` annotation, every return of a factory, and every
override of a factory method or property in the module's subclasses. `None` is
no alternative (`Optional[X]` is X): calling a method on it fails either way.
An alternative that cannot be resolved makes the whole value unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from apilint.knowledge.http_clients import (
    CLIENT_ANNOTATIONS,
    CLIENT_CONSTRUCTORS,
    CONNECTION_CONSTRUCTORS,
    CONSTRUCTOR_POSITIONAL_TIMEOUT,
    REQUEST_FUNCTIONS,
    ClientKind,
    Library,
    RequestFunction,
)
from apilint.project.index import ClientFact
from apilint.semantic.project_names import ProjectNames
from apilint.semantic.names import dotted_name, is_none, keyword_arg, positional_count, string_value
from apilint.semantic.reaching import ReachingBindings
from apilint.semantic.receivers import TIMEOUT_METHODS, ReceiverTracking
from apilint.semantic.scope import (
    Binding,
    BindingKind,
    ClassScope,
    FunctionScope,
    ModuleModel,
    Scope,
)

_MAX_DEPTH = 12


@dataclass(frozen=True, eq=False)
class ClientRef:
    """An expression known to evaluate to an HTTP client object."""

    kind: ClientKind
    constructor: cst.Call | None = None
    subclass: ClassScope | None = None
    injects_timeout: bool = False
    constructor_name: str | None = None  # the qualified constructor, when a library's own
    own_requests: bool = False  # a subclass in another project module overrides a request method

    def has_default_timeout(self, method: str | None = None) -> bool:
        """Does a request of this client (by `method`, when given) get a timeout when it passes none?"""
        if method is not None and method in self.kind.untimed_methods:
            return self.injects_timeout  # `niquests.Session.send`: no default of the library's
        if self.kind.default_timeout or self.injects_timeout:
            return True
        if self.constructor is not None:
            timeout = keyword_arg(self.constructor, "timeout")
            if timeout is not None and not is_none(timeout.value):
                return True
            # `PoolManager(**opts)`, `HTTPConnectionPool(*args)`, a subclass constructor: unknown
            # arguments may set it.
            if any(arg.star for arg in self.constructor.args):
                return True
            index = CONSTRUCTOR_POSITIONAL_TIMEOUT.get(self.constructor_name or "")
            if index is not None and positional_count(self.constructor) > index:
                return True
        return False


@dataclass(frozen=True, eq=False)
class HttpCall:
    """A call that sends a request (or opens a connection with its timeout)."""

    call: cst.Call
    library: Library
    method: str
    display: str
    client: ClientRef | None
    function: RequestFunction | None
    default_timeout: bool
    positional_timeout: int | None
    # `timeout=None` falls back to the library default instead of disabling it (niquests).
    none_keeps_default: bool = False


class Resolver(ProjectNames, ReceiverTracking):
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
                return ClientRef(ref.kind, constructor=call, subclass=ref.subclass, injects_timeout=ref.injects_timeout)
            if binding.kind is BindingKind.FUNCTION and isinstance(binding.definition, FunctionScope):
                return self._factory_result(binding.definition, depth)
            return None
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
            results = [self.client_of(value, function, None, depth + 1) for value in function.returns
                       if not is_none(value)]
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

    def _client_of_name(self, name: str, scope: Scope, order: int | None, depth: int) -> ClientRef | None:
        results: list[ClientRef | None] = []
        for binding in _alternatives(self.lookup(name, scope, order), self.parent_of):
            if binding.kind is BindingKind.PARAM:
                if isinstance(binding.scope, FunctionScope) and name == binding.scope.self_name:
                    owner = binding.scope.owner
                    results.append(self.class_client(owner) if owner is not None else None)
                else:
                    results.append(self.from_annotation(binding.annotation, binding.scope, depth))
            elif binding.kind is BindingKind.ASSIGN:
                results.append(self._from_binding(binding, depth))
            elif binding.kind is BindingKind.IMPORT:
                results.append(_from_fact(self.project_client_at(self.qualified_name(cst.Name(name), scope, order))))
            else:
                results.append(None)
        return _agree(results)

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

    # -- classes --------------------------------------------------------------
    def class_client(self, cls: ClassScope) -> ClientRef | None:
        """A class defined in the module that subclasses a client class."""
        key = id(cls)
        if key in self._class_cache:
            return self._class_cache[key]
        self._class_cache[key] = None  # cycles: `class A(B)` / `class B(A)`
        result: ClientRef | None = None
        unknown_before = False  # a base we cannot read, ahead of the client in the MRO, may override its methods
        for base in cls.bases:
            scope = cls.parent or self.model.module_scope
            qualified = self.qualified_name(base, scope)
            found: ClientRef | None = None
            local: ClassScope | None = None
            if qualified is not None and qualified in CLIENT_ANNOTATIONS:
                found = ClientRef(CLIENT_ANNOTATIONS[qualified], subclass=cls)
            elif qualified is not None and (fact := self.project_class_client(qualified)) is not None:
                found = ClientRef(fact.kind, subclass=cls, injects_timeout=fact.default_timeout)
            elif isinstance(base, cst.Name):
                bindings = self.lookup(base.value, scope, None)
                if len(bindings) == 1 and isinstance(bindings[0].definition, ClassScope):
                    local = bindings[0].definition
                    inherited = self.class_client(local)
                    if inherited is not None:
                        found = ClientRef(inherited.kind, subclass=cls, injects_timeout=inherited.injects_timeout)
            if found is None:
                if local is None and not _is_object(base):
                    unknown_before = unknown_before or result is None
                continue
            if result is not None and result.kind != found.kind:
                result = None  # clients of two kinds: which methods win is not ours to guess
                break
            result = result or found
        if unknown_before:
            result = None
        if result is not None and self._class_handles_timeout(cls):
            result = ClientRef(result.kind, subclass=cls, injects_timeout=True)
        self._class_cache[key] = result
        return result

    def _class_handles_timeout(self, cls: ClassScope) -> bool:
        if any(m.mentions_timeout for name, m in cls.methods.items() if name in TIMEOUT_METHODS):
            return True
        # `self.mount(…, TimeoutAdapter())` or `self.request = partial(…, timeout=…)` in a method.
        return any(
            isinstance(inj.scope, FunctionScope) and inj.scope.owner is cls
            and isinstance(inj.target, cst.Name) and inj.target.value == inj.scope.self_name
            and self._injection_applies(inj.adapter, inj.scope)
            for inj in self.model.injections
        )

    def class_chain(self, cls: ClassScope) -> list[ClassScope]:
        """The class and its bases defined in the module, transitively, in (simplified) MRO order."""
        chain = [cls]
        for klass in chain:  # grows while iterating: breadth-first over the bases
            for base in klass.bases:
                if isinstance(base, cst.Name):
                    bindings = self.lookup(base.value, klass.parent or self.model.module_scope, None)
                    if (len(bindings) == 1 and isinstance(bindings[0].definition, ClassScope)
                            and bindings[0].definition not in chain):
                        chain.append(bindings[0].definition)
        return chain

    def subclasses(self, cls: ClassScope) -> list[ClassScope]:
        """Classes of the module that derive from `cls` (directly or not)."""
        if self._subclasses is None:
            self._subclasses = {}
            pending = list(self.model.module_scope.children)
            while pending:
                scope = pending.pop()
                pending.extend(scope.children)
                if isinstance(scope, ClassScope):
                    for base in self.class_chain(scope)[1:]:
                        self._subclasses.setdefault(id(base), []).append(scope)
        return self._subclasses.get(id(cls), [])

    def implementations(self, cls: ClassScope, name: str) -> list[FunctionScope]:
        """What `self.<name>` may run in a method of `cls`: the method `cls` inherits or defines,
        and every override in a subclass (an instance may be one; its override wins)."""
        found = [klass.methods[name] for klass in self.class_chain(cls) if name in klass.methods][:1]
        return found + [sub.methods[name] for sub in self.subclasses(cls) if name in sub.methods]

    def _method(self, cls: ClassScope, name: str) -> FunctionScope | None:
        for klass in self.class_chain(cls):
            if name in klass.methods:
                return klass.methods[name]
        return None

    # -- calls ----------------------------------------------------------------
    def http_call(self, call: cst.Call, scope: Scope) -> HttpCall | None:
        order = self.order_of.get(call)
        qualified = self.qualified_name(call.func, scope, order)
        function: RequestFunction | None = None
        if qualified is not None:
            function = REQUEST_FUNCTIONS.get(qualified) or CONNECTION_CONSTRUCTORS.get(qualified)
            if function is None and not self.extra_clients and self.project is None:
                return None  # (in a project, `client.SESSION.get` may be a method of an imported client)
        if qualified is not None and function is not None:
            return HttpCall(call, function.library, qualified.rsplit(".", 1)[1], qualified, None, function,
                            function.default_timeout, function.positional_timeout, function.none_keeps_default)
        func = call.func
        if isinstance(func, cst.Name):
            # `send = self.session.post` … `send(url)`: a bound method held in a local.
            bindings = self.lookup(func.value, scope, order)
            methods = [b.value for b in bindings if b.kind is BindingKind.ASSIGN]
            if len(bindings) == 1 and len(methods) == 1 and isinstance(methods[0], cst.Attribute):
                return self._method_call(call, methods[0], bindings[0].scope, bindings[0].order)
            return None
        if not isinstance(func, cst.Attribute):
            return None
        return self._method_call(call, func, scope, order)

    def _method_call(self, call: cst.Call, func: cst.Attribute, scope: Scope, order: int | None) -> HttpCall | None:
        method = func.attr.value
        receiver = func.value
        if isinstance(receiver, cst.Call) and dotted_name(receiver.func) == "super":
            return None  # inside a client subclass: it forwards its own arguments
        if isinstance(receiver, (cst.BooleanOperation, cst.IfExp)):
            return self._either_call(call, method, _either_sides(receiver), scope, order)
        client = self.client_of(receiver, scope, order)
        if client is None or method not in client.kind.methods:
            return None
        default = client.has_default_timeout(method) or self.receiver_has_injected_timeout(receiver, scope)
        display = _short(dotted_name(receiver) or client.kind.name) + "." + method
        return HttpCall(call, client.kind.library, method, display, client, None, default,
                        dict(client.kind.positional_timeout).get(method), _none_keeps_default(client.kind, method))

    def _either_call(self, call: cst.Call, method: str, sides: list[cst.BaseExpression], scope: Scope,
                     order: int | None) -> HttpCall | None:
        """`(session or requests).post(...)`: every side must send with one library (a client of
        one kind, or a module whose function of that name sends)."""
        clients: list[ClientRef | None] = []
        functions: list[RequestFunction] = []
        for side in sides:
            qualified = self.qualified_name(side, scope, order)
            function = REQUEST_FUNCTIONS.get(f"{qualified}.{method}") if qualified is not None else None
            if function is not None:
                functions.append(function)
            else:
                clients.append(self.client_of(side, scope, order))
        client = _agree(clients) if clients else None
        if clients and (client is None or method not in client.kind.methods):
            return None
        libraries = {f.library for f in functions} | ({client.kind.library} if client is not None else set())
        if len(libraries) != 1:
            return None
        default = any(f.default_timeout for f in functions) or (client is not None and client.has_default_timeout(method))
        if client is not None:
            display = client.kind.name + "." + method
            keeps = _none_keeps_default(client.kind, method) and all(f.none_keeps_default for f in functions)
            return HttpCall(call, client.kind.library, method, display, client, None, default,
                            dict(client.kind.positional_timeout).get(method), keeps)
        function = functions[0]
        return HttpCall(call, function.library, method, function.name, None, function, default,
                        function.positional_timeout, all(f.none_keeps_default for f in functions))


def _none_keeps_default(kind: ClientKind, method: str) -> bool:
    return kind.call_none_keeps_default and method not in kind.untimed_methods


def _either_sides(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The values `a or b`, `a and b`, `a if c else b` may take (nested), `None` left out."""
    if isinstance(expr, cst.BooleanOperation):
        return [*_either_sides(expr.left), *_either_sides(expr.right)]
    if isinstance(expr, cst.IfExp):
        return [*_either_sides(expr.body), *_either_sides(expr.orelse)]
    return [] if is_none(expr) else [expr]


def _from_fact(fact: ClientFact | None, constructor: cst.Call | None = None) -> ClientRef | None:
    """A client the project index proved (in another module) as the resolver's reference."""
    if fact is None:
        return None
    return ClientRef(fact.kind, constructor=constructor, injects_timeout=fact.default_timeout,
                     own_requests=fact.own_requests)


def _agree(results: list[ClientRef | None]) -> ClientRef | None:
    """The client every alternative is, or None: an unknown alternative or two kinds make it unknown."""
    if not results:
        return None
    found = [r for r in results if r is not None]
    if len(found) != len(results) or len({r.kind for r in found}) != 1:
        return None
    # When alternatives disagree about a default timeout, assume it is there: no report.
    for ref in found:
        if ref.has_default_timeout():
            return ref
    return found[0]


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


def _is_object(base: cst.BaseExpression) -> bool:
    """Bases that add no methods a client could lose (`object`, `Generic[T]`, `Protocol`)."""
    name = dotted_name(base.value if isinstance(base, cst.Subscript) else base) or ""
    return name.rsplit(".", 1)[-1] in ("object", "Generic", "Protocol")


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1):]
