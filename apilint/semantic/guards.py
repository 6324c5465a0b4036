"""The libcst side of "a guard narrows" (`guard_flow`): a function body read as a `GuardTree`.

The resolver asks, at a use of a local name whose binding it cannot resolve (an unannotated
parameter, a value from an unknown call), which `isinstance` guards that binding's value passed
on every path to the use; the guard's class then says what it holds. Bindings come from the
traversal's scope model (each remembers the node that made it); `match` captures and `del`,
which the model does not record, count as bindings too, so that no narrowing outlives them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import libcst as cst

from apilint.semantic.guard_flow import GuardTree, Shape, Test
from apilint.semantic.scope import Binding, BindingKind, FunctionScope, Scope

_LEAVES = (cst.Raise, cst.Return, cst.Break, cst.Continue)
_HANDLERS = (cst.ExceptHandler, cst.ExceptStarHandler)
# The statement a binding belongs to: the small statement, or the compound statement whose header binds.
_STATEMENTS = (cst.BaseSmallStatement, cst.If, cst.For, cst.While, cst.With, cst.Try, cst.TryStar, cst.Match,
               cst.FunctionDef, cst.ClassDef, *_HANDLERS)
_CAPTURES = (cst.MatchAs, cst.MatchStar, cst.MatchMapping, cst.Del)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def binding_statement(node: cst.CSTNode | None, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> cst.CSTNode | None:
    while node is not None and not isinstance(node, _STATEMENTS):
        node = parent_of.get(node)
    return node


class CstGuardTree(GuardTree[cst.CSTNode]):
    def __init__(self, name: str, scope: FunctionScope, use: cst.CSTNode,
                 parent_of: Mapping[cst.CSTNode, cst.CSTNode], binding_nodes: list[cst.CSTNode]) -> None:
        self.name = name
        self.scope = scope
        self.parent_of = parent_of
        self._on_path = _ancestry(use, parent_of)
        # The nodes that bind the name in this function, each with its ancestors.
        captures = [n for n in scope.uses.get(name, []) if isinstance(parent_of.get(n), _CAPTURES)]
        self._binders = [_ancestry(n, parent_of) for n in [*binding_nodes, *captures]]

    def statements(self, block: cst.CSTNode) -> Sequence[cst.CSTNode]:
        if isinstance(block, cst.If):  # an `elif`
            return [block]
        if isinstance(block, cst.SimpleStatementSuite):
            return block.body
        if isinstance(block, cst.IndentedBlock):
            found: list[cst.CSTNode] = []
            for statement in block.body:
                if isinstance(statement, cst.SimpleStatementLine):
                    found += statement.body
                else:
                    found.append(statement)
            return found
        return []

    def shape(self, statement: cst.CSTNode) -> Shape:
        if isinstance(statement, _LEAVES):
            return Shape.LEAVE
        if isinstance(statement, cst.If):
            return Shape.IF
        if isinstance(statement, cst.For):
            return Shape.FOR
        if isinstance(statement, cst.While):
            return Shape.WHILE
        if isinstance(statement, cst.With):
            return Shape.WITH
        if isinstance(statement, (cst.Try, cst.TryStar)):
            return Shape.TRY
        if isinstance(statement, (cst.BaseSmallStatement, cst.FunctionDef, cst.ClassDef)):
            return Shape.PLAIN
        return Shape.OTHER

    def binds(self, node: cst.CSTNode) -> bool:
        return any(id(node) in ancestry for ancestry in self._binders)

    def test(self, statement: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(statement, cst.If)
        return statement.test

    def read_test(self, test: cst.CSTNode) -> Test[cst.CSTNode]:
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return Test("not", (self.read_test(test.expression),))
        if isinstance(test, cst.BooleanOperation):
            op = "and" if isinstance(test.operator, cst.And) else "or"
            return Test(op, (self.read_test(test.left), self.read_test(test.right)))
        if (isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "isinstance"
                and len(test.args) == 2 and all(a.keyword is None and not a.star for a in test.args)
                and isinstance(test.args[0].value, cst.Name) and test.args[0].value.value == self.name):
            return Test("isinstance", guard=test.args[1].value)
        return Test("other")

    def blocks(self, statement: cst.CSTNode) -> Sequence[cst.CSTNode | None]:
        if isinstance(statement, cst.If):
            orelse = statement.orelse
            return [statement.body, orelse.body if isinstance(orelse, cst.Else) else orelse]
        if isinstance(statement, (cst.For, cst.While)):
            return [statement.body, statement.orelse.body if statement.orelse is not None else None]
        if isinstance(statement, cst.With):
            return [statement.body]
        if isinstance(statement, (cst.Try, cst.TryStar)):
            return [statement.body, *[h.body for h in statement.handlers],
                    statement.orelse.body if statement.orelse is not None else None,
                    statement.finalbody.body if statement.finalbody is not None else None]
        if isinstance(statement, cst.Match):
            return [case.body for case in statement.cases]
        return []

    def header_binds(self, statement: cst.CSTNode) -> bool:
        if isinstance(statement, cst.For):
            return self._binds_name(statement.target)
        if isinstance(statement, cst.With):
            return any(item.asname is not None and self._binds_name(item.asname.name) for item in statement.items)
        if isinstance(statement, _HANDLERS):
            return statement.name is not None and self._binds_name(statement.name.name)
        return False

    def _binds_name(self, target: cst.CSTNode) -> bool:
        if isinstance(target, cst.Name):
            return target.value == self.name
        if isinstance(target, (cst.Tuple, cst.List)):
            return any(self._binds_name(e.value) for e in target.elements)
        if isinstance(target, cst.StarredElement):
            return self._binds_name(target.value)
        return False

    def handlers(self, statement: cst.CSTNode) -> Sequence[cst.CSTNode]:
        return statement.handlers if isinstance(statement, (cst.Try, cst.TryStar)) else []

    def on_path(self, node: cst.CSTNode) -> bool:
        return id(node) in self._on_path


def guard_tree(name: str, scope: Scope, use: cst.CSTNode | None, bindings: list[Binding],
               parent_of: Mapping[cst.CSTNode, cst.CSTNode], node_at: Mapping[int, cst.CSTNode]) -> CstGuardTree | None:
    """The function's body as a guard tree for `name` used at `use`, or None when guards cannot count.

    Guards count for a name local to the function, used in the function itself: a name declared
    `global` or `nonlocal` (here or in a nested def) can change under any call; a comprehension's
    own variable of that name is another variable.
    """
    if use is None or not isinstance(scope, FunctionScope) or not isinstance(scope.node, cst.FunctionDef):
        return None
    if name in scope.global_names or _declared(scope.node.body, name):
        return None
    node: cst.CSTNode | None = use
    while node is not None and node is not scope.node:
        if isinstance(node, _COMPREHENSIONS) and _comprehension_binds(node, name):
            return None
        node = parent_of.get(node)
    if node is None:
        return None
    binding_nodes = [node_at[b.order] for b in bindings if b.kind is not BindingKind.PARAM and b.order in node_at]
    return CstGuardTree(name, scope, use, parent_of, binding_nodes)


def _declared(block: cst.BaseSuite, name: str) -> bool:
    """A `global name` or `nonlocal name` in the function or a def nested in it: any call could rebind it."""
    blocks: list[cst.CSTNode] = [block]
    while blocks:
        current = blocks.pop()
        if isinstance(current, (cst.Global, cst.Nonlocal)):
            if any(item.name.value == name for item in current.names):
                return True
        elif isinstance(current, (cst.IndentedBlock, cst.SimpleStatementSuite, cst.SimpleStatementLine)):
            blocks += current.body
        elif isinstance(current, (cst.If, cst.Else, cst.For, cst.While, cst.With, cst.Try, cst.TryStar, cst.Finally,
                                  cst.ExceptHandler, cst.ExceptStarHandler, cst.FunctionDef, cst.ClassDef,
                                  cst.MatchCase)):
            blocks.append(current.body)
            for field in ("orelse", "finalbody", "handlers"):
                value = getattr(current, field, None)
                blocks += value if isinstance(value, (list, tuple)) else [value] if value is not None else []
        elif isinstance(current, cst.Match):
            blocks += current.cases
    return False


def _comprehension_binds(node: cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp, name: str) -> bool:
    comp: cst.CompFor | None = node.for_in
    while comp is not None:
        if name in {n.value for n in _names(comp.target)}:
            return True
        comp = comp.inner_for_in
    return False


def _names(target: cst.CSTNode) -> list[cst.Name]:
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _names(e.value)]
    if isinstance(target, cst.StarredElement):
        return _names(target.value)
    return []


def _ancestry(node: cst.CSTNode, parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> set[int]:
    """The node and its ancestors, as ids."""
    found = set()
    current: cst.CSTNode | None = node
    while current is not None:
        found.add(id(current))
        current = parent_of.get(current)
    return found
