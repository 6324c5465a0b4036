"""Walking a loop body: its own statements and expressions, not those of nested loops or functions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

import libcst as cst

N = TypeVar("N", bound=cst.CSTNode)


class LoopWalker:
    """Statements and expressions of a loop body, not entering nested loops, functions or classes."""

    def __init__(self, body: cst.CSTNode) -> None:
        self.nodes: list[cst.CSTNode] = []
        self._collect(body, top=True)

    def _collect(self, node: cst.CSTNode, top: bool = False) -> None:
        if not top and isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.For, cst.While)):
            return
        self.nodes.append(node)
        for child in node.children:
            self._collect(child)

    def of(self, kind: type[N] | tuple[type[N], ...]) -> Iterator[N]:
        return (n for n in self.nodes if isinstance(n, kind))


def names_in(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            found.add(current.value)
        stack.extend(current.children)
    return found
