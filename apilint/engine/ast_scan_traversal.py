"""The scan's walk over an `ast` tree: dispatch by node type, generic children otherwise.

The scanner visits every node once. Node types it records something about have
a handler (`_dispatch`, built by `Scanner`); every other node is walked through
its child fields, skipping leaf fields and nodes that can hold nothing of
interest (constants, operators, contexts). This module holds that walk and the
scanner's state, which the binding, block and expression handlers share.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from apilint.engine.ast_model import Block, Scan

_SKIP = (ast.expr_context, ast.Constant, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
# The concrete classes of the above (exact type checks are cheaper than isinstance on a tuple).
_SKIP_TYPES = frozenset(
    cls for base in _SKIP for cls in (base, *base.__subclasses__())
)
# Fields that never hold a node worth visiting (names, flags, operators, contexts).
_LEAF_FIELDS = frozenset({"id", "attr", "arg", "ctx", "op", "level", "kind", "type_comment", "is_async",
                          "conversion", "module", "asname", "name"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


class ScanTraversal:
    scan: Scan
    _functions: list[Block]
    _loops: list[Block]
    _tries: list[Block]
    _called: set[int]
    _class_depth: list[bool]  # is the innermost scope a class body?
    _in_test: int  # inside an if/while/assert test (outside lambdas)
    _dispatch: dict[type[ast.AST], Callable[[Any], None]]

    # -- traversal ----------------------------------------------------------
    def _walk(self, node: ast.AST) -> None:
        handler = self._dispatch.get(type(node))
        if handler is not None:
            handler(node)
        else:
            self._children(node)

    def _children(self, node: ast.AST) -> None:
        kind = type(node)
        fields = _CHILD_FIELDS.get(kind)
        if fields is None:
            fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)
        walk = self._walk
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST) and type(item) not in _SKIP_TYPES:
                        walk(item)
            elif isinstance(value, ast.AST) and type(value) not in _SKIP_TYPES:
                walk(value)

    def _walk_all(self, nodes: list[ast.stmt]) -> None:
        for node in nodes:
            self._walk(node)
