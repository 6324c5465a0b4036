"""Client classes of the module: which classes subclass a client, and their MROs and overrides.

`class_client` decides whether a class defined in the module is an HTTP client
(subclassing a library's client, a project client class, or another such class
of the module) and whether it gives its requests a default timeout.
`class_chain`, `subclasses` and `implementations` answer what `self.<name>` may
run: the resolver of values asks them for factory methods, properties and
attributes set on `self`. Kept apart because it is about classes, not values.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from apilint.knowledge.http_clients import CLIENT_ANNOTATIONS
from apilint.project.timeout_overrides import Definition, TimeoutOverrides, chain_overrides
from apilint.semantic.client_ref import ClientRef
from apilint.semantic.names import dotted_name
from apilint.semantic.project_names import ProjectNames
from apilint.semantic.receivers import TIMEOUT_METHODS, ReceiverTracking
from apilint.semantic.scope import ClassScope, FunctionScope


class ClientClasses(ProjectNames, ReceiverTracking):
    _class_cache: dict[int, ClientRef | None]
    _subclasses: dict[int, list[ClassScope]] | None

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
                found = ClientRef(fact.kind, subclass=cls, injects_timeout=fact.default_timeout,
                                  own_requests=fact.own_requests, overrides=fact.overrides)
            elif isinstance(base, cst.Name):
                bindings = self.lookup(base.value, scope, None)
                if len(bindings) == 1 and isinstance(bindings[0].definition, ClassScope):
                    local = bindings[0].definition
                    inherited = self.class_client(local)
                    if inherited is not None:
                        found = ClientRef(inherited.kind, subclass=cls, injects_timeout=inherited.injects_timeout,
                                          own_requests=inherited.own_requests, overrides=inherited.overrides)
            if found is None:
                if local is None and not _is_object(base):
                    unknown_before = unknown_before or result is None
                continue
            if result is not None and result.kind != found.kind:
                result = None  # clients of two kinds: which methods win is not ours to guess
                break
            # Two client bases of one kind: the methods of either may run.
            result = found if result is None else replace(result, overrides=result.overrides.merged(found.overrides))
        if unknown_before:
            result = None
        if result is not None:
            result = replace(result, overrides=self._timeout_overrides(cls, result))
        if result is not None and self._class_handles_timeout(cls):
            result = replace(result, injects_timeout=True, own_requests=False)
        self._class_cache[key] = result
        return result

    def _timeout_overrides(self, cls: ClassScope, inherited: ClientRef) -> TimeoutOverrides:
        """The definitions of the class's chain in the module (first class first) over what its client
        base holds (a class of another module: the index's facts), and those of its subclasses, here
        or in another project module: an instance may be one (`self` in a method, an annotated parameter)."""
        subclasses = [d for sub in self.subclasses(cls) for d in _definitions(sub)]
        return chain_overrides(inherited.kind, [_definitions(klass) for klass in self.class_chain(cls)],
                               subclasses + self.project_subclass_definitions(cls), inherited.overrides)

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


def _definitions(cls: ClassScope) -> list[Definition]:
    """What the class defines: its methods' signatures, and the names it binds otherwise (`Definition`)."""
    bound = {*cls.bindings, *cls.instance_attributes} - cls.methods.keys()
    return [(name, takes_timeout(method.node)) for name, method in cls.methods.items()] + [(n, None) for n in bound]


def takes_timeout(node: cst.CSTNode) -> bool:
    """`timeout=` is accepted: a parameter of that name that is not positional-only, or `**kwargs`."""
    if not isinstance(node, (cst.FunctionDef, cst.Lambda)):
        return False
    params = node.params
    if isinstance(params.star_kwarg, cst.Param):
        return True
    return any(p.name.value == "timeout" for p in (*params.params, *params.kwonly_params))


def _is_object(base: cst.BaseExpression) -> bool:
    """Bases that add no methods a client could lose (`object`, `Generic[T]`, `Protocol`)."""
    name = dotted_name(base.value if isinstance(base, cst.Subscript) else base) or ""
    return name.rsplit(".", 1)[-1] in ("object", "Generic", "Protocol")
