"""A tiny, safe evaluator for the literal parts of retry code.

It answers two questions without running user code: which integers does
`status_forcelist=[500, *range(502, 505)]` contain, and for which statuses
is a test such as `r.status_code != 200` or `not r.ok` true. Only literals,
names bound to the values given, arithmetic, comparisons, boolean logic,
`range`/`set`/`list`/`tuple`/`frozenset` and comprehensions are allowed.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from functools import lru_cache
from types import CodeType
from typing import Any

_ALLOWED_NODES = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Store, ast.List, ast.Tuple, ast.Set, ast.Starred,
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Call, ast.ListComp, ast.SetComp, ast.GeneratorExp,
    ast.comprehension, ast.IfExp, ast.operator, ast.unaryop, ast.boolop, ast.cmpop,
)
_FUNCTIONS: dict[str, Any] = {"range": range, "set": set, "list": list, "tuple": tuple, "frozenset": frozenset,
                              "int": int, "len": len, "min": min, "max": max}
_MAX_RANGE = 2000


@lru_cache(maxsize=256)
def _compile(source: str) -> CodeType:
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(str(exc)) from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ValueError(f"not allowed: {type(node).__name__}")
        if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS):
            raise ValueError("call not allowed")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and (
            isinstance(node.left, ast.BinOp) or isinstance(node.right, ast.BinOp)
        ):
            raise ValueError("nested power not allowed")  # 9 ** 9 ** 9 would never finish
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and abs(node.value) > 10**6:
            raise ValueError("constant too large")
    return compile(tree, "<apilint>", "eval")


def safe_eval(source: str, names: Mapping[str, Any] | None = None) -> Any:
    """Evaluate `source` if it only uses allowed constructs; raise ValueError otherwise."""
    code = _compile(source)
    scope = {**_FUNCTIONS, **(names or {}), "range": _bounded_range}
    try:
        return eval(code, {"__builtins__": {}}, scope)
    except Exception as exc:  # noqa: BLE001 - any failure means "cannot tell"
        raise ValueError(str(exc)) from None


def _bounded_range(*args: int) -> range:
    r = range(*args)
    if len(r) > _MAX_RANGE:
        raise ValueError("range too large")
    return r


def int_set(source: str, names: Mapping[str, Any] | None = None) -> frozenset[int] | None:
    """The integers a literal collection expression contains, or None if it cannot be told."""
    try:
        value = safe_eval(source, names)
    except ValueError:
        return None
    if isinstance(value, int):
        return frozenset({value})
    try:
        items = list(value)
    except TypeError:
        return None
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        return None
    return frozenset(items)


def statuses_where_true(source: str, variable: str, candidates: range,
                        names: Mapping[str, Any] | None = None) -> frozenset[int] | None:
    """The statuses for which `source` (with the status in `variable`) is true; None if unknown."""
    found = set()
    for status in candidates:
        try:
            value = safe_eval(source, {**(names or {}), variable: status})
        except ValueError:
            return None
        if value:
            found.add(status)
    return frozenset(found)
