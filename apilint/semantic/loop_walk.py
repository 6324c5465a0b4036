"""Walking a loop body: its own statements and expressions, not those of nested functions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import libcst as cst

from apilint.engine.traversal import child_fields

N = TypeVar("N", bound=cst.CSTNode)
_LOOPS = (cst.For, cst.While)
_DEFINITIONS = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


class LoopWalker:
    """Statements and expressions under `roots`, not entering nested functions, lambdas or classes
    (their code runs later, if at all) and, unless `enter_loops`, not nested loops (whose
    `continue`/`break` are their own). Code in a nested loop still runs on every round of this one:
    waits are looked for with `enter_loops=True`."""

    def __init__(self, *roots: cst.CSTNode, enter_loops: bool = False) -> None:
        self.nodes: list[cst.CSTNode] = []
        self._enter_loops = enter_loops
        for root in roots:
            self._collect(root, top=True)

    def _collect(self, node: cst.CSTNode, top: bool = False) -> None:
        if not top and (isinstance(node, _DEFINITIONS) or (not self._enter_loops and isinstance(node, _LOOPS))):
            return
        self.nodes.append(node)
        for child in children(node):
            self._collect(child)

    def of(self, kind: type[N] | tuple[type[N], ...]) -> Iterator[N]:
        return (n for n in self.nodes if isinstance(n, kind))


def names_in(node: cst.CSTNode) -> set[str]:
    """Every bare name in `node` (attribute names and keywords excluded: they are not variables)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
            continue
        elif isinstance(current, cst.Arg):
            stack.append(current.value)
            continue
        stack.extend(children(current))
    return found


_IS_NODE: dict[type, bool] = {}


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The child nodes that hold code, read from the fields directly (libcst's `children` property
    rebuilds a list through its visitor and costs several times more). Whitespace, comments and
    punctuation are not code: they are not visited."""
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, (list, tuple)):
            for item in value:
                if _is_node(type(item)):
                    yield item
        elif _is_node(type(value)):
            yield value


def _is_node(kind: type) -> bool:
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def callee_name(call: cst.Call) -> str:
    """The last name of what is called: `sleep` for `time.sleep(...)` and `self._sleep(...)`."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def mentions_exit(block: cst.CSTNode) -> bool:
    return any(isinstance(n, (cst.Return, cst.Raise, cst.Break)) for n in LoopWalker(block).nodes)
