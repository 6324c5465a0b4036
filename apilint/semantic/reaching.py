"""Which assignments of a local name may reach a use of it (a cheap reaching-definitions pass).

`if fast: pool = urllib3.PoolManager()` / `else: pool = httpcore.ConnectionPool()`
then `pool.request(...)`: both assignments reach the call, so both are
alternatives, and resolution needs them to agree (principle 1). Taking only
the latest one in source order would pick whichever branch is written last.

An assignment *dominates* a use (no earlier assignment gets past it) when the
block holding its statement also holds the use: Python runs a block's
statements in order, so every path to the use runs it. An assignment inside an
`if`, `try`, `with` body that does not hold the use, or a loop body, does not.
In a loop, an assignment written after the use reaches it on the next round,
unless an assignment in the loop dominates the use.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from apilint.semantic.scope import Binding, BindingKind

_BLOCKS = (cst.IndentedBlock, cst.SimpleStatementSuite, cst.Module)
_LOOPS = (cst.For, cst.While)


class ReachingBindings:
    """Answers for one module; the order -> node map is built on the first question that needs it."""

    def __init__(self, order_of: Mapping[cst.CSTNode, int], parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> None:
        self._order_of = order_of
        self._parent_of = parent_of
        self._node_at: dict[int, cst.CSTNode] | None = None

    def reaching(self, bindings: list[Binding], order: int) -> list[Binding]:
        """The bindings (of one function scope, in source order) that may reach the use at `order`."""
        earlier = [b for b in bindings if b.order < order]
        later = [b for b in bindings if b.order > order]
        if not earlier:
            return bindings  # used before any assignment in source order (a loop, a closure): any may
        if len(earlier) == 1 and not later:
            return earlier
        use = self._node(order)
        if use is None:
            return earlier[-1:] + later  # cannot place the use: keep every candidate but the shadowed
        use_ancestors = self._ancestors(use)
        found: list[Binding] = []
        dominating: cst.CSTNode | None = None
        for binding in reversed(earlier):
            found.append(binding)
            if binding.kind is BindingKind.PARAM:
                break  # parameters are bound before anything in the body runs
            block = self._block_of(binding)
            if block is not None and id(block) in use_ancestors:
                dominating = block
                break
        loops = [node for node in self._ancestor_nodes(use) if isinstance(node, _LOOPS)]
        for binding in later:
            node = self._node(binding.order)
            if node is None:
                continue
            shared = [loop for loop in loops if id(loop) in self._ancestors(node)]
            # Next round: it reaches unless an assignment inside that same loop dominates the use.
            if shared and not (dominating is not None and id(shared[0]) in self._ancestors(dominating)):
                found.append(binding)
        return sorted(found, key=lambda b: b.order)

    def node_at(self, order: int) -> cst.CSTNode | None:
        """The node with this traversal ordinal."""
        return self._node(order)

    def node_map(self) -> Mapping[int, cst.CSTNode]:
        self._node(0)
        return self._node_at or {}

    def _block_of(self, binding: Binding) -> cst.CSTNode | None:
        node = self._node(binding.order)
        while node is not None and not isinstance(node, _BLOCKS):
            node = self._parent_of.get(node)
        return node

    def _node(self, order: int) -> cst.CSTNode | None:
        if self._node_at is None:
            self._node_at = {number: node for node, number in self._order_of.items()}
        return self._node_at.get(order)

    def _ancestor_nodes(self, node: cst.CSTNode) -> list[cst.CSTNode]:
        """The node's ancestors, innermost first."""
        found = []
        parent = self._parent_of.get(node)
        while parent is not None:
            found.append(parent)
            parent = self._parent_of.get(parent)
        return found

    def _ancestors(self, node: cst.CSTNode) -> set[int]:
        return {id(n) for n in self._ancestor_nodes(node)}
