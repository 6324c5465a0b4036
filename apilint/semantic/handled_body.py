"""Is a body use inside a `try` whose handler catches what an unexpected body raises? (API201, v2)

An error page read as data raises on use: `.json()` raises the library's JSON decoding error, a
parser handed the text raises its ValueError or SyntaxError subclass, and subscripting the parsed
error body raises KeyError, TypeError or IndexError. A handler of an enclosing `try` (the use in
its body, not in a handler, `else` or `finally`) that catches one of those, or a broader class,
already turns the error page into a handled failure. A handler class apilint cannot resolve may
be exactly that class: unknown means silent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import libcst as cst

from apilint.knowledge.body_failures import (
    DEFAULT_JSON_DECODE_ERRORS,
    JSON_DECODE_ERRORS,
    PARSE_ERRORS,
    SUBSCRIPT_ERRORS,
)
from apilint.semantic.exceptions import Caught, ExceptionResolver
from apilint.semantic.parsed_body import ParsedBody, later_uses, subscripted
from apilint.semantic.scope import Scope

TryNode = cst.Try | cst.TryStar


def handled_by_try(body: ParsedBody, library: str, use: cst.CSTNode, scope: Scope,
                   parent_of: Mapping[cst.CSTNode, cst.CSTNode], order_of: Mapping[cst.CSTNode, int],
                   exceptions: ExceptionResolver) -> bool:
    for node in _enclosing_tries(use, parent_of):
        classes = [c for h in node.handlers for c in exceptions.classes(h, scope)]
        if any(not c.known for c in classes):
            return True
        if body.library_parses:
            failures = [exceptions.known_class(q) for q in JSON_DECODE_ERRORS.get(library, DEFAULT_JSON_DECODE_ERRORS)]
            if any(c.covers(f) for c in classes for f in failures):
                return True
        if body.parser and any(_catches_parse_error(c, exceptions) for c in classes):
            return True
        if _subscripted_in(node, body, scope, parent_of, order_of):
            failures = [exceptions.known_class(q) for q in SUBSCRIPT_ERRORS]
            if any(c.covers(f) for c in classes for f in failures):
                return True
    return False


def _catches_parse_error(klass: Caught, exceptions: ExceptionResolver) -> bool:
    """ValueError / SyntaxError, a broader class, or a subclass of them (json.JSONDecodeError, xml's ParseError)."""
    failures = [exceptions.known_class(q) for q in PARSE_ERRORS]
    return any(klass.covers(f) or (f.canonical is not None and f.canonical in klass.ancestors) for f in failures)


def _enclosing_tries(node: cst.CSTNode, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> Iterator[TryNode]:
    """The `try` statements of the function whose body (not handlers, else or finally) holds `node`."""
    child, parent = node, parent_of.get(node)
    while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
        if isinstance(parent, (cst.Try, cst.TryStar)) and parent.body is child:
            yield parent
        child, parent = parent, parent_of.get(parent)


def _subscripted_in(node: TryNode, body: ParsedBody, scope: Scope, parent_of: Mapping[cst.CSTNode, cst.CSTNode],
                    order_of: Mapping[cst.CSTNode, int]) -> bool:
    """Is the parsed body subscripted inside this try's body (`r.json()["items"]`, or `data["items"]` later)?"""
    if subscripted(body.expr, parent_of):
        return True
    return any(subscripted(use, parent_of) and _inside(use, node.body, parent_of)
               for use in later_uses(body, scope, order_of))


def _inside(node: cst.CSTNode, block: cst.CSTNode, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> bool:
    current = parent_of.get(node)
    while current is not None:
        if current is block:
            return True
        current = parent_of.get(current)
    return False
