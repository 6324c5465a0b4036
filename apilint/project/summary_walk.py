"""Which statements and nodes a module's summary reads (`ast` walking, no facts).

The summary looks at module-level statements (inside if/try/with too, never in
defs), at a function's statements (nested blocks, not nested defs), and, for
the few functions that need it, at every node of those statements' own
expressions. These walks, and the names an assignment target binds, are kept
apart from what the summary records about them.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in _target_names(e)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


_COMPOUND_BODIES = ("body", "orelse", "finalbody")
# `try` and (from Python 3.11) `try` with `except*`: the same fields.
if sys.version_info >= (3, 11):
    _TRY_STATEMENTS: tuple[type[ast.Try | ast.TryStar], ...] = (ast.Try, ast.TryStar)
else:
    _TRY_STATEMENTS: tuple[type[ast.Try], ...] = (ast.Try,)


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a function body, nested blocks included, nested defs and classes not entered."""
    for node in body:
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in _COMPOUND_BODIES:
            inner = getattr(node, name, None)
            if isinstance(inner, list):
                yield from _statements(inner)
        for handler in getattr(node, "handlers", ()):
            yield from _statements(handler.body)
        for case in getattr(node, "cases", ()):
            yield from _statements(case.body)


def _expression_nodes(statement: ast.stmt) -> Iterator[ast.AST]:
    """The statement and every node in its own expressions (not in the statements nested in it)."""
    yield statement
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return
    for name, value in ast.iter_fields(statement):
        if name in _COMPOUND_BODIES or name in ("handlers", "cases"):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ast.AST):
                yield from ast.walk(item)


def _module_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements that run at module level: inside if/try/with blocks too, not in defs."""
    found: list[ast.stmt] = []
    for node in body:
        found.append(node)
        if isinstance(node, (ast.If, ast.For, ast.While)):
            found += _module_statements(node.body) + _module_statements(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            found += _module_statements(node.body)
        elif isinstance(node, _TRY_STATEMENTS):
            found += _module_statements(node.body)
            for handler in node.handlers:
                found += _module_statements(handler.body)
            found += _module_statements(node.orelse) + _module_statements(node.finalbody)
    return found
