"""Following a response through one function: where its status is checked, its body read, or it escapes.

A response bound to a name (`r = session.get(...)`, `with … as r`) is
followed through that function's uses of the name until the name is bound
again. Each use is one of:
- check: `r.raise_for_status()`, a status attribute in a condition,
  comparison, assert, match, assignment, return or call argument (not of a display
  call such as logging or print), or a truth test of `r`;
- body: a body accessor (`r.json()`, `r.text`, …);
- escape: `r` returned, yielded, passed to a call, stored, aliased, or used
  by a nested function: someone else may check it;
- neutral: anything else (`r.headers`, `r is None`, `r.close()`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

import libcst as cst

from apilint.knowledge.responses import BODY_ATTRIBUTES, STATUS_ATTRIBUTES
from apilint.semantic.display import is_display_call
from apilint.semantic.http_calls import HttpCall
from apilint.semantic.resolve import Resolver
from apilint.semantic.scope import Scope


class UseKind(Enum):
    CHECK = "check"
    BODY = "body"
    ESCAPE = "escape"
    NEUTRAL = "neutral"


@dataclass(frozen=True, eq=False)
class Use:
    name: cst.Name
    kind: UseKind
    attribute: cst.Attribute | None = None


@dataclass(eq=False)
class ResponseFlow:
    name: str
    http: HttpCall
    binding: cst.CSTNode  # the Assign / AnnAssign / WithItem
    uses: list[Use] = field(default_factory=list)
    escapes_to_nested_scope: bool = False

    @property
    def escapes(self) -> bool:
        return self.escapes_to_nested_scope or any(u.kind is UseKind.ESCAPE for u in self.uses)


def unwrap_call(expr: cst.BaseExpression | None) -> cst.Call | None:
    """The call in `call(...)` or `await call(...)`."""
    if isinstance(expr, cst.Await):
        expr = expr.expression
    return expr if isinstance(expr, cst.Call) else None


def response_call(resolver: Resolver, expr: cst.BaseExpression | None, scope: Scope) -> HttpCall | None:
    """The HTTP call whose response `expr` evaluates to, for libraries with a body to misread."""
    call = unwrap_call(expr)
    if call is None:
        return None
    http = resolver.http_call(call, scope)
    if http is None or http.library not in BODY_ATTRIBUTES:
        return None
    return http


def bound_name(node: cst.CSTNode) -> tuple[str, cst.BaseExpression] | None:
    """(name, value) for `r = value`, `r: T = value` and `with value as r`."""
    if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
        return node.targets[0].target.value, node.value
    if isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name) and node.value is not None:
        return node.target.value, node.value
    if isinstance(node, cst.WithItem) and node.asname is not None and isinstance(node.asname.name, cst.Name):
        return node.asname.name.value, node.item
    return None


def follow(resolver: Resolver, node: cst.CSTNode, scope: Scope, order: int,
           parent_of: Mapping[cst.CSTNode, cst.CSTNode], order_of: Mapping[cst.CSTNode, int]) -> ResponseFlow | None:
    bound = bound_name(node)
    if bound is None:
        return None
    name, value = bound
    http = response_call(resolver, value, scope)
    if http is None:
        return None
    later = [b.order for b in scope.bindings.get(name, []) if b.order > order]
    end = min(later) if later else None
    flow = ResponseFlow(name, http, node)
    body = BODY_ATTRIBUTES[http.library]
    for use in scope.uses.get(name, []):
        position = order_of[use]
        if position <= order:
            continue
        if end is not None and position >= end and not _in_value_of(use, end, parent_of, order_of):
            continue
        flow.uses.append(classify(use, parent_of, body))
    flow.escapes_to_nested_scope = _used_by_nested_scope(scope, name)
    return flow


def _in_value_of(use: cst.Name, order: int, parent_of: Mapping[cst.CSTNode, cst.CSTNode],
                 order_of: Mapping[cst.CSTNode, int]) -> bool:
    """Is `use` in the right-hand side of the rebinding at `order` (`r = hook(r)` still uses the old r)?"""
    child: cst.CSTNode = use
    parent = parent_of.get(child)
    while parent is not None and order_of.get(parent, 0) >= order:
        if order_of.get(parent) == order:
            return getattr(parent, "value", None) is child or getattr(parent, "item", None) is child
        child, parent = parent, parent_of.get(parent)
    return False


def _used_by_nested_scope(scope: Scope, name: str) -> bool:
    for child in scope.children:
        if name in child.bindings:
            continue  # its own variable of the same name
        if name in child.uses or _used_by_nested_scope(child, name):
            return True
    return False


def classify(use: cst.Name, parent_of: Mapping[cst.CSTNode, cst.CSTNode], body: frozenset[str]) -> Use:
    parent = parent_of.get(use)
    if isinstance(parent, cst.Attribute) and parent.value is use:
        attr = parent.attr.value
        grand = parent_of.get(parent)
        if attr == "raise_for_status":
            called = isinstance(grand, cst.Call) and grand.func is parent
            return Use(use, UseKind.CHECK if called else UseKind.NEUTRAL, parent)
        if attr in STATUS_ATTRIBUTES:
            return Use(use, UseKind.CHECK if in_check_context(parent, parent_of) else UseKind.NEUTRAL, parent)
        if attr in body:
            return Use(use, UseKind.BODY, parent)
        return Use(use, UseKind.NEUTRAL, parent)
    if is_truth_test(use, parent):
        return Use(use, UseKind.CHECK)
    if isinstance(parent, (cst.Comparison, cst.ComparisonTarget, cst.AssignTarget, cst.AsName, cst.Del, cst.For)):
        return Use(use, UseKind.NEUTRAL)
    if isinstance(parent, cst.AugAssign) and parent.target is use:
        return Use(use, UseKind.NEUTRAL)
    return Use(use, UseKind.ESCAPE)


def is_truth_test(node: cst.CSTNode, parent: cst.CSTNode | None) -> bool:
    if isinstance(parent, (cst.If, cst.While, cst.IfExp, cst.Assert)) and parent.test is node:
        return True
    if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
        return True
    return isinstance(parent, cst.BooleanOperation)


def in_check_context(node: cst.CSTNode, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> bool:
    """A status attribute inside a condition, comparison, assert, match subject, return, assignment, or an
    argument of a call that is not a display call (the status handed on: `Result(r.status_code, body)`)."""
    child: cst.CSTNode = node
    parent = parent_of.get(child)
    while parent is not None:
        if isinstance(parent, (cst.Comparison, cst.BooleanOperation)):
            return True
        if isinstance(parent, cst.Arg) and parent.value is child:
            call = parent_of.get(parent)
            if isinstance(call, cst.Call) and not is_display_call(call):
                return True
        if is_truth_test(child, parent):
            return True
        if isinstance(parent, cst.Match) and parent.subject is child:
            return True
        if isinstance(parent, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.Return)):
            return getattr(parent, "value", None) is child
        if isinstance(parent, (cst.BaseSmallStatement, cst.BaseCompoundStatement, cst.Lambda)):
            return False
        child, parent = parent, parent_of.get(parent)
    return False


def checked_before(flow: ResponseFlow, body_use: Use, parent_of: Mapping[cst.CSTNode, cst.CSTNode],
                   order_of: Mapping[cst.CSTNode, int]) -> bool:
    """Some check precedes the body use in source order (or guards it as the test of an `x if r.ok else y`)."""
    position = order_of[body_use.name]
    checks = [u for u in flow.uses if u.kind is UseKind.CHECK]
    if any(order_of[c.name] < position for c in checks):
        return True
    guards = [a.test for a in _ancestors(body_use.name, parent_of) if isinstance(a, cst.IfExp)]
    return any(any(g in _ancestors(c.name, parent_of) for g in guards) for c in checks)


def _ancestors(node: cst.CSTNode, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> list[cst.CSTNode]:
    out = []
    current = parent_of.get(node)
    while current is not None:
        out.append(current)
        current = parent_of.get(current)
    return out
