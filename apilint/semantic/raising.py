"""Clients that raise on error statuses by themselves, so their responses need no check.

- `aiohttp.ClientSession(raise_for_status=True)` (or a callable);
- httpx `Client(event_hooks={"response": [hook]})` where the hook calls `raise_for_status`;
- a requests session whose `hooks["response"]` gets such a hook, per request (`hooks=`) too;
- a Session subclass defined in the project whose request methods call `raise_for_status`, or
  examine the status themselves or through a function they call (v2: `raise_on_error(response)`).
"""

from __future__ import annotations

import libcst as cst

from apilint.knowledge.responses import STATUS_ATTRIBUTES
from apilint.semantic.http_calls import HttpCall
from apilint.semantic.names import keyword_arg
from apilint.semantic.resolve import Resolver
from apilint.semantic.scope import ClassScope, FunctionScope, Scope


def raises_for_status(resolver: Resolver, http: HttpCall, scope: Scope) -> bool:
    hooks = keyword_arg(http.call, "hooks")
    if hooks is not None and _raising(resolver, hooks.value, scope):
        return True
    client = http.client
    if client is None:
        return False
    if client.own_requests:
        return True  # a request override in another module: unknown, so no opinion (principle 1)
    constructor = client.constructor
    if constructor is not None:
        if client.kind.raise_for_status_keyword is not None:
            flag = keyword_arg(constructor, client.kind.raise_for_status_keyword)
            if flag is not None and not (isinstance(flag.value, cst.Name) and flag.value.value in ("False", "None")):
                return True
        event_hooks = keyword_arg(constructor, "event_hooks") or keyword_arg(constructor, "hooks")
        if event_hooks is not None and _raising(resolver, event_hooks.value, scope):
            return True
    if client.subclass is not None and _subclass_raises(resolver, client.subclass, client.kind.methods):
        return True
    receiver = http.call.func.value if isinstance(http.call.func, cst.Attribute) else None
    if receiver is None:
        return False
    key = resolver.receiver_key(receiver, scope)
    return key is not None and any(
        resolver.receiver_key(reg.target, reg.scope) == key and _raising(resolver, reg.value, reg.scope)
        for reg in resolver.model.hooks
    )


def _subclass_raises(resolver: Resolver, cls: ClassScope, request_methods: frozenset[str]) -> bool:
    for klass in resolver.class_chain(cls):
        overrides = [m for name, m in klass.methods.items() if name in request_methods]
        if any(m.mentions_raise_for_status or _examines_status(resolver, m) for m in overrides):
            return True
        for reg in resolver.model.hooks:
            owner = reg.scope.owner if isinstance(reg.scope, FunctionScope) else None
            if owner is klass and _raising(resolver, reg.value, reg.scope):
                return True
    return False


def _examines_status(resolver: Resolver, method: FunctionScope) -> bool:
    """v2: an overridden request method that tests a status itself, or calls a function of the project that
    does (`raise_on_error(response)`), handles error statuses its own way for every response: whether it
    raises is that code's business, and apilint does not guess (principle 1)."""
    finder = _StatusFinder()
    method.node.visit(finder)
    if finder.found:
        return True
    for name in finder.called:
        for binding in resolver.lookup(name, method, None):
            definition = binding.definition
            if isinstance(definition, FunctionScope) and definition is not method:
                inner = _StatusFinder()
                definition.node.visit(inner)
                if inner.found or definition.mentions_raise_for_status:
                    return True
    return False


class _StatusFinder(cst.CSTVisitor):
    """Status attributes (`.ok`, `.status_code`, …) read in a function, and the plain names it calls."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False
        self.called: list[str] = []

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if node.attr.value in STATUS_ATTRIBUTES:
            self.found = True
        return True

    def visit_Call(self, node: cst.Call) -> bool:
        if isinstance(node.func, cst.Name):
            self.called.append(node.func.value)
        return True


def _raising(resolver: Resolver, node: cst.CSTNode, scope: Scope) -> bool:
    """Does this hook expression (lambda, function name, list or dict of them) call raise_for_status?"""
    finder = _HookFinder()
    node.visit(finder)
    if finder.mentions:
        return True
    for name in finder.names:
        for binding in resolver.lookup(name, scope, None):
            definition = binding.definition
            if isinstance(definition, FunctionScope) and definition.mentions_raise_for_status:
                return True
    return False


class _HookFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.mentions = False
        self.names: list[str] = []

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if node.attr.value == "raise_for_status":
            self.mentions = True
        return True

    def visit_Name(self, node: cst.Name) -> bool:
        self.names.append(node.value)
        return False
