"""The receiver audit's classes (receiver_audit.py): which client kind a class is, read plainly.

A class is a client when a base is a library's client class, a client class of the module, or
(through `ProjectModules`) a client class of another project module; a base it cannot read ahead of
the client makes it unknown (it may override the client's methods). The methods a class of the chain
(or a subclass in the module) defines without a `timeout` parameter or `**kwargs` are recorded: a fix
adding `timeout=` to a call of one of them, or of a library method that hands the keyword on to one
(the record's `timeout_delegations`), raises TypeError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from apilint.knowledge.http_clients import CLIENT_ANNOTATIONS, CLIENT_CONSTRUCTORS
from apilint.semantic.resolve import Resolver
from apilint.semantic.scope import ClassScope, FunctionScope, Scope
from receiver_audit_project import Defined as _Defined
from receiver_audit_project import Library as _Library
from receiver_audit_project import ProjectModules, Target

if TYPE_CHECKING:
    from receiver_audit import ReceiverAudit


@dataclass(frozen=True)
class Alternative:
    """One value a receiver may hold: a client kind, a library module, or unknown (both None)."""

    kind: str | None = None  # `requests.Session`
    library: str | None = None
    # Methods a project class of the chain defines with a signature that takes no `timeout=`
    # (`def get(self, path)` in a Session subclass): adding one there raises TypeError.
    refuses: frozenset[str] = frozenset()


UNKNOWN = Alternative()


class ClassAudit:
    resolver: Resolver
    modules: ProjectModules | None
    _busy: set[int]

    def _target(self, expr: cst.BaseExpression, scope: Scope, order: int | None) -> Target:
        raise NotImplementedError

    # -- classes ---------------------------------------------------------------------------
    def _class(self, cls: ClassScope) -> Alternative:
        ref = self.resolver.class_client(cls)
        if ref is not None:
            found = _kind(ref.kind.name)
        else:
            found = self._project_class(cls) if self.modules is not None else UNKNOWN
        if found is UNKNOWN:
            return found
        # The chain's classes, and the module's subclasses (an instance may be one: `self` in a method).
        chain = [(self, c) for c in self.resolver.class_chain(cls)] + self._project_bases(cls)
        chain += [(self, c) for c in self._subclasses(cls)]
        refuses = frozenset(name for _, c in chain for name, method in c.methods.items() if not _takes_timeout(method))
        return Alternative(found.kind, found.library, refuses)

    def _project_class(self, cls: ClassScope) -> Alternative:
        """The client kind of a class whose client base is defined in another project module (the
        resolver here, with no project view, reads none): every base read, a base it cannot read
        ahead of the client (it may override the client's methods) makes the class unknown."""
        key = id(cls)
        if key in self._busy:
            return UNKNOWN
        self._busy.add(key)
        try:
            found: Alternative | None = None
            for base in cls.bases:
                scope = cls.parent or self.resolver.model.module_scope
                alternative = self._base_kind(base, scope)
                if alternative is None:
                    continue  # `object`, or a class of the project that is no client
                if alternative is UNKNOWN and found is None:
                    return UNKNOWN
                if found is not None and alternative.kind != found.kind:
                    return UNKNOWN  # clients of two kinds
                found = found or alternative
            return found or UNKNOWN
        finally:
            self._busy.discard(key)

    def _base_kind(self, base: cst.BaseExpression, scope: Scope) -> Alternative | None:
        """A base class's client kind; None for a readable class that is no client; UNKNOWN if unread."""
        if isinstance(base, cst.Name) and base.value == "object":
            return None
        if self.resolver.qualified_name(base, scope) is not None:
            target = self._target(base, scope, None)
            if isinstance(target, _Library):
                return _kind(target.name) if target.name in CLIENT_ANNOTATIONS else UNKNOWN
            definition = target.bindings[0].definition if isinstance(target, _Defined) and len(target.bindings) == 1 else None
            if not isinstance(definition, ClassScope) or not isinstance(target, _Defined):
                return UNKNOWN
            return _client_or_none(target.audit._class(definition), target.audit, definition)
        if isinstance(base, cst.Name):
            bindings = self.resolver.lookup(base.value, scope, None)
            if len(bindings) == 1 and isinstance(bindings[0].definition, ClassScope):
                local = bindings[0].definition
                return _client_or_none(self._class(local), self, local)
        return UNKNOWN

    def _overrides(self, owner: ClassScope, name: str) -> list[tuple[ReceiverAudit, FunctionScope]]:
        """The method `name` as `owner` inherits it (here or from a project base class in another
        module) and every override of it in a subclass of `owner` in this module."""
        chain = [(self, c) for c in self.resolver.class_chain(owner)] + self._project_bases(owner)
        inherited = [(audit, c.methods[name]) for audit, c in chain if name in c.methods][:1]
        return inherited + [(self, c.methods[name]) for c in self._subclasses(owner) if name in c.methods]

    def _project_bases(self, owner: ClassScope, seen: set[int] | None = None) -> list[tuple[ReceiverAudit, ClassScope]]:
        """The classes of other project modules in `owner`'s chain (transitively), each with its module's
        audit, in (simplified) MRO order after the module's own classes."""
        if self.modules is None:
            return []
        seen = seen if seen is not None else set()
        found: list[tuple[ReceiverAudit, ClassScope]] = []
        for cls in self.resolver.class_chain(owner):
            scope = cls.parent or self.resolver.model.module_scope
            for base in cls.bases:
                if self.resolver.qualified_name(base, scope) is None:
                    continue
                target = self._target(base, scope, None)
                if not isinstance(target, _Defined) or len(target.bindings) != 1:
                    continue
                definition = target.bindings[0].definition
                if not isinstance(definition, ClassScope) or id(definition) in seen:
                    continue
                seen.add(id(definition))
                found += [(target.audit, c) for c in target.audit.resolver.class_chain(definition)]
                found += target.audit._project_bases(definition, seen)
        return found

    def _subclasses(self, owner: ClassScope) -> list[ClassScope]:
        found = []
        pending = list(self.resolver.model.module_scope.children)
        while pending:
            scope = pending.pop()
            pending.extend(scope.children)
            if isinstance(scope, ClassScope) and scope is not owner and owner in self.resolver.class_chain(scope):
                found.append(scope)
        return found


def _client_or_none(alternative: Alternative, audit: ReceiverAudit, cls: ClassScope) -> Alternative | None:
    """A base class that is no client is harmless only when every base of it was read."""
    if alternative is not UNKNOWN:
        return alternative
    bases = [audit._base_kind(b, cls.parent or audit.resolver.model.module_scope) for b in cls.bases]
    return None if all(b is None for b in bases) else UNKNOWN


def _kind(name: str) -> Alternative:
    kind = CLIENT_CONSTRUCTORS.get(name) or CLIENT_ANNOTATIONS.get(name)
    if kind is None:
        return UNKNOWN
    return Alternative(kind=kind.name, library=str(kind.library))


def _takes_timeout(function: FunctionScope) -> bool:
    """Can the method be called with `timeout=`: a parameter of that name (not positional-only), or `**kwargs`."""
    node = function.node
    if not isinstance(node, cst.FunctionDef):
        return False
    params = node.params
    named = [*params.params, *params.kwonly_params]
    return isinstance(params.star_kwarg, cst.Param) or any(p.name.value == "timeout" for p in named)
