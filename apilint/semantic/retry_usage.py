"""Whether a urllib3 `Retry(...)` object retries, or is only used as a tool.

A `Retry` counts as a retry configuration only where it retries: passed as `max_retries=` /
`retries=` (to an adapter, pool, pool manager or request) or to an adapter positionally, assigned
to `Retry.DEFAULT`, returned, or stored in a name or attribute that is used so (or not used at
all in the module: stored for a caller). One used only through its methods (`parse_retry_after`,
`get_retry_after`, `sleep_for_retry`, `is_retry`) parses headers or sleeps once: it retries
nothing. One handed to code we cannot read is unknown: no finding (principle 1).
"""

from __future__ import annotations

from enum import Enum

import libcst as cst

from apilint.knowledge.retries import HTTP_ADAPTERS, RETRY_KEYWORDS, URLLIB3_RETRY, URLLIB3_RETRY_TOOL_METHODS
from apilint.semantic.loop_walk import children
from apilint.semantic.names import string_value
from apilint.semantic.resolve import Resolver
from apilint.semantic.scope import Scope

_WRAPPERS = (cst.Element, cst.Tuple, cst.List, cst.IfExp, cst.StarredElement)


class Use(Enum):
    RETRIES = "retries"
    TOOL = "tool"  # a method call: parse_retry_after(...) etc.
    STORED = "stored"  # bound to a name or attribute: depends on its uses
    UNKNOWN = "unknown"


def retries_here(resolver: Resolver, call: cst.Call, scope: Scope) -> bool:
    """Is this `Retry(...)` used to retry?"""
    use, target = _use_of(resolver, call, scope)
    if use is Use.STORED and target is not None:
        return _stored_use(resolver, target, scope)
    return use is Use.RETRIES


def _use_of(resolver: Resolver, node: cst.CSTNode, scope: Scope) -> tuple[Use, cst.BaseExpression | None]:
    child = node
    parent = resolver.parent_of.get(child)
    while isinstance(parent, _WRAPPERS) or (isinstance(parent, cst.IfExp) and parent.test is not child):
        child, parent = parent, resolver.parent_of.get(parent)
    if isinstance(parent, cst.Arg):
        if parent.keyword is not None:
            return (Use.RETRIES if parent.keyword.value in RETRY_KEYWORDS else Use.UNKNOWN), None
        owner = resolver.parent_of.get(parent)
        if isinstance(owner, cst.Call) and resolver.qualified_name(owner.func, scope) in HTTP_ADAPTERS:
            return Use.RETRIES, None
        return Use.UNKNOWN, None
    if isinstance(parent, cst.Attribute) and parent.value is child:
        return (Use.TOOL if parent.attr.value in URLLIB3_RETRY_TOOL_METHODS else Use.UNKNOWN), None
    if isinstance(parent, cst.Return):
        return Use.RETRIES, None
    if isinstance(parent, cst.DictElement) and parent.value is child:
        key = string_value(parent.key) if parent.key is not None else None
        return (Use.RETRIES if key in RETRY_KEYWORDS else Use.UNKNOWN), None
    if isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is child:
        targets = [t.target for t in parent.targets] if isinstance(parent, cst.Assign) else [parent.target]
        if len(targets) != 1:
            return Use.UNKNOWN, None
        target = targets[0]
        if isinstance(target, cst.Attribute) and target.attr.value == "DEFAULT" \
                and resolver.qualified_name(target.value, scope) in URLLIB3_RETRY:
            return Use.RETRIES, None
        if isinstance(target, (cst.Name, cst.Attribute)):
            return Use.STORED, target
    return Use.UNKNOWN, None


def _stored_use(resolver: Resolver, target: cst.BaseExpression, scope: Scope) -> bool:
    """A Retry stored in `target`: it retries when some use retries, or when nothing in the module
    uses it (kept for a caller); not when it is only used as a tool or handed to unread code."""
    uses: list[cst.CSTNode]
    if isinstance(target, cst.Name):
        # Uses in the defining scope and the functions nested in it (a module constant read by methods).
        home = _scope_of(scope, target.value).node
        uses = [n for n in _names(home, target.value, resolver) if n is not target]
    else:
        assert isinstance(target, cst.Attribute)
        uses = [n for n in _attributes(resolver.model.module_scope.node, target.attr.value)
                if n is not target and not _is_store(resolver, n)]
    kinds = {_use_of(resolver, use, scope)[0] for use in uses if not _is_store(resolver, use)}
    if Use.RETRIES in kinds:
        return True
    return not kinds  # stored for a caller; a tool use, unread code or a copy elsewhere: not proven


def _attributes(module: cst.CSTNode, name: str) -> list[cst.Attribute]:
    """Every `x.<name>` in the module, in functions and classes too."""
    found = []
    stack = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Attribute) and node.attr.value == name:
            found.append(node)
        stack.extend(children(node))
    return found


def _names(home: cst.CSTNode, name: str, resolver: Resolver) -> list[cst.Name]:
    """Every variable `name` under `home` (not attribute names or keywords, which are not variables)."""
    found = []
    stack = [home]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name) and node.value == name:
            parent = resolver.parent_of.get(node)
            if not (isinstance(parent, cst.Attribute) and parent.attr is node) \
                    and not (isinstance(parent, cst.Arg) and parent.keyword is node):
                found.append(node)
        stack.extend(children(node))
    return found


def _scope_of(scope: Scope, name: str) -> Scope:
    current: Scope | None = scope
    while current is not None:
        if name in current.bindings:
            return current
        current = current.parent
    return scope


def _is_store(resolver: Resolver, node: cst.CSTNode) -> bool:
    parent = resolver.parent_of.get(node)
    return isinstance(parent, cst.AssignTarget) or (isinstance(parent, (cst.AnnAssign, cst.AugAssign)) and parent.target is node)


__all__ = ["retries_here"]
