"""From a body use to the parsed body, and tests of the body's own error or status field (API201, v2).

`r.json()`, `await r.json()`, `json.loads(r.text)`, `dict(parse_qsl(r.text))`: the expression that
evaluates to the (parsed) body, and the name it is bound to (`data = …`). A test of that body's
error or status field (`if data.get("error")`, `if not data["ok"]`, `data["status"] != 1`,
`"errors" in payload`, `err = data.get("error")`) handles error responses of APIs that report
failures in the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import libcst as cst

from apilint.knowledge.body_failures import BODY_PARSERS, ERROR_FIELD_WORDS
from apilint.semantic.display import is_display_call
from apilint.semantic.names import string_value
from apilint.semantic.responses import in_check_context
from apilint.semantic.scope import Scope

_MAX_PARSERS = 3  # `dict(parse_qsl(r.text))`: parsers applied one after the other


@dataclass(frozen=True, eq=False)
class ParsedBody:
    expr: cst.BaseExpression  # evaluates to the body, parsed or not
    library_parses: bool  # `r.json()`: the library's decoder runs
    parser: bool  # the body was handed to a known parser (`json.loads(r.text)`)
    binding: cst.Assign | cst.AnnAssign | None  # `data = <expr>`
    name: str | None


def parsed_body(use: cst.Attribute, parent_of: Mapping[cst.CSTNode, cst.CSTNode],
                qualified: Callable[[cst.BaseExpression], str | None]) -> ParsedBody:
    """Follow a body accessor (`r.json`, `r.text`) up to the value the code keeps.

    Through `await`, `.decode(...)`, and calls the body is handed to (`dict(parse_qsl(r.text))`);
    `qualified` names a called function so that known parsers (BODY_PARSERS) are told apart.
    """
    node: cst.BaseExpression = use
    library_parses = parser = False
    parent = parent_of.get(node)
    if isinstance(parent, cst.Call) and parent.func is node:
        node, library_parses = parent, use.attr.value == "json"
    node = _awaited(node, parent_of)
    for _ in range(_MAX_PARSERS):
        node = _decoded(node, parent_of)
        arg = parent_of.get(node)
        call = parent_of.get(arg) if isinstance(arg, cst.Arg) and arg.value is node else None
        if not isinstance(call, cst.Call) or is_display_call(call):
            break
        parser = parser or qualified(call.func) in BODY_PARSERS
        node = _awaited(call, parent_of)
    binding = parent_of.get(node)
    if isinstance(binding, cst.Assign) and binding.value is node and len(binding.targets) == 1:
        target = binding.targets[0].target
        if isinstance(target, cst.Name):
            return ParsedBody(node, library_parses, parser, binding, target.value)
    if isinstance(binding, cst.AnnAssign) and binding.value is node and isinstance(binding.target, cst.Name):
        return ParsedBody(node, library_parses, parser, binding, binding.target.value)
    return ParsedBody(node, library_parses, parser, None, None)


def _decoded(node: cst.BaseExpression, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> cst.BaseExpression:
    """`r.content.decode("utf-8")`: still the body."""
    attribute = parent_of.get(node)
    if isinstance(attribute, cst.Attribute) and attribute.value is node and attribute.attr.value == "decode":
        call = parent_of.get(attribute)
        if isinstance(call, cst.Call) and call.func is attribute:
            return call
    return node


def _awaited(node: cst.BaseExpression, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> cst.BaseExpression:
    parent = parent_of.get(node)
    return parent if isinstance(parent, cst.Await) and parent.expression is node else node


def later_uses(body: ParsedBody, scope: Scope, order_of: Mapping[cst.CSTNode, int]) -> Iterator[cst.Name]:
    """Reads of the name the body is bound to, until it is bound again (in source order)."""
    if body.binding is None or body.name is None:
        return
    start = order_of.get(body.binding)
    if start is None:
        return
    rebound = [b.order for b in scope.bindings.get(body.name, []) if b.order > start]
    end = min(rebound) if rebound else None
    for use in scope.uses.get(body.name, []):
        position = order_of.get(use, -1)
        if position > start and (end is None or position < end):
            yield use


def tests_error_field(body: ParsedBody, scope: Scope, parent_of: Mapping[cst.CSTNode, cst.CSTNode],
                      order_of: Mapping[cst.CSTNode, int]) -> bool:
    """Is the body's own error or status field tested, on the expression itself or through its name?"""
    if _tested_field(body.expr, parent_of):
        return True
    return any(_tested_field(use, parent_of) for use in later_uses(body, scope, order_of))


def _tested_field(node: cst.BaseExpression, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> bool:
    parent = parent_of.get(node)
    if isinstance(parent, cst.ComparisonTarget) and parent.comparator is node and isinstance(
            parent.operator, (cst.In, cst.NotIn)):
        comparison = parent_of.get(parent)
        return isinstance(comparison, cst.Comparison) and _is_error_key(comparison.left)
    field = field_access(node, parent_of)
    return field is not None and in_check_context(field, parent_of)


def field_access(node: cst.BaseExpression, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> cst.BaseExpression | None:
    """`data["error"]` or `data.get("error")` on `node`, when the key names an error or status."""
    parent = parent_of.get(node)
    if isinstance(parent, cst.Subscript) and parent.value is node and len(parent.slice) == 1:
        index = parent.slice[0].slice
        if isinstance(index, cst.Index) and _is_error_key(index.value):
            return parent
    if isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value == "get":
        call = parent_of.get(parent)
        if isinstance(call, cst.Call) and call.func is parent and call.args and _is_error_key(call.args[0].value):
            return call
    return None


def subscripted(node: cst.BaseExpression, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> bool:
    """`node[...]`: raises KeyError, TypeError or IndexError on a body of an unexpected shape."""
    parent = parent_of.get(node)
    return isinstance(parent, cst.Subscript) and parent.value is node


_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def _is_error_key(expr: cst.BaseExpression) -> bool:
    key = string_value(expr)
    if key is None:
        return False
    return any(word.lower() in ERROR_FIELD_WORDS for word in _WORD.findall(key))
