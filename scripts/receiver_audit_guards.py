"""The receiver audit's own reading of "a guard narrows" (independent of apilint's semantic/guard_flow).

Every path from the function's start to the use is enumerated explicitly (each `if` taken both
ways; a raise/return/break/continue ends a path); the use may be in `if` statements, simple
statements, the body of a `try` or `with` (entered with the state before it; a `with` binding the
name makes it unsure) or of a loop (a `for` whose target is the name starts each iteration with
that binding; any other loop with an unsure state, which only a guard on the way narrows). A binding of the name is narrowed when every enumerated path on which it is the
name's last binding passed `isinstance(name, C)` (the last one counts); a compound statement other
than `if` that binds the name, or too many paths, proves nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import libcst as cst

from apilint.semantic.scope import Binding, BindingKind, FunctionScope

_MAX_PATHS = 4096
_ENTRY = "entry"
_UNSURE = "unsure"


def guard_of(name: str, binding: Binding, use: cst.CSTNode, scope: FunctionScope,
             parent_of: Mapping[cst.CSTNode, cst.CSTNode], node_at: Mapping[int, cst.CSTNode]) -> list[cst.CSTNode]:
    """The guard classes every path carrying `binding` to `use` passed ([] when one passed none)."""
    if not isinstance(scope.node, cst.FunctionDef) or name in scope.global_names:
        return []
    ancestors: set[int] = set()
    node: cst.CSTNode | None = use
    while node is not None:
        ancestors.add(id(node))
        node = parent_of.get(node)
    binders = [node_at[b.order] for b in scope.bindings.get(name, []) if b.kind is not BindingKind.PARAM]
    binder_ancestry = []
    for binder in binders:
        chain = set()
        current: cst.CSTNode | None = binder
        while current is not None:
            chain.add(id(current))
            current = parent_of.get(current)
        binder_ancestry.append((binder, chain))

    def binds(statement: cst.CSTNode) -> bool:
        return any(id(statement) in chain for _, chain in binder_ancestry)

    def own_binder(statement: cst.CSTNode) -> object:
        found = [b for b, chain in binder_ancestry if id(statement) in chain]
        return found[0] if len(found) == 1 else _UNSURE

    def guards(test: cst.BaseExpression, truth: bool) -> list[cst.CSTNode]:
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return guards(test.expression, not truth)
        if isinstance(test, cst.BooleanOperation):
            if isinstance(test.operator, cst.And) == truth:
                return guards(test.left, truth) + guards(test.right, truth)
            return []
        if (truth and isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "isinstance"
                and len(test.args) == 2 and isinstance(test.args[0].value, cst.Name)
                and test.args[0].value.value == name):
            return [test.args[1].value]
        return []

    def statements(block: cst.CSTNode) -> list[cst.CSTNode]:
        if isinstance(block, cst.If):
            return [block]
        found: list[cst.CSTNode] = []
        for statement in getattr(block, "body", ()):
            found += statement.body if isinstance(statement, cst.SimpleStatementLine) else [statement]
        return found

    def loop_binder(loop: cst.For) -> object:
        """The binder of `for name in ...:` (None when the target is not the name alone)."""
        if not (isinstance(loop.target, cst.Name) and loop.target.value == name):
            return None
        found = [b for b in binders if b is loop or b is loop.target]
        return found[0] if len(found) == 1 else None

    count = [0]

    def walk(items: list[cst.CSTNode], state: tuple[object, object]) -> Iterator[tuple[object, object] | None]:
        """Yields the state at the use for each path (None: a path through something unfollowed)."""
        count[0] += 1
        if count[0] > _MAX_PATHS:
            yield None
            return
        if not items:
            return
        statement, rest = items[0], items[1:]
        if id(statement) in ancestors:
            if isinstance(statement, cst.If) and id(statement.test) not in ancestors:
                body = id(statement.body) in ancestors
                inner = statement.body if body else statement.orelse
                passed = guards(statement.test, body)
                narrowed = (state[0], passed[-1]) if passed else state
                assert inner is not None
                yield from walk(statements(inner.body if isinstance(inner, cst.Else) else inner), narrowed)
            elif isinstance(statement, (cst.BaseSmallStatement, cst.If)):
                yield state
            elif isinstance(statement, (cst.For, cst.While)) and id(statement.body) in ancestors:
                # Each iteration of `for name in ...:` starts with the target's binding; any other loop
                # body may start with whatever an earlier iteration bound (unsure: only a guard on the
                # way proves anything). A `continue` ends the path of that iteration.
                target = loop_binder(statement) if isinstance(statement, cst.For) else None
                yield from walk(statements(statement.body), (target, None) if target is not None else (_UNSURE, None))
            elif isinstance(statement, cst.Try) and id(statement.body) in ancestors:
                yield from walk(statements(statement.body), state)  # the body runs on from here
            elif isinstance(statement, cst.With) and id(statement.body) in ancestors:
                entered = (_UNSURE, None) if any(binds(item) for item in statement.items) else state
                yield from walk(statements(statement.body), entered)
            else:
                yield None
            return
        if isinstance(statement, (cst.Raise, cst.Return, cst.Break, cst.Continue)):
            return
        if isinstance(statement, cst.If):
            if any(id(statement.test) in chain for _, chain in binder_ancestry):
                state = (_UNSURE, None)  # `if (x := ...)`: bound by the test
            for truth, block in ((True, statement.body), (False, statement.orelse)):
                passed = guards(statement.test, truth)
                narrowed = (state[0], passed[-1]) if passed else state
                branch = statements(block.body if isinstance(block, cst.Else) else block) if block is not None else []
                yield from walk(branch + rest, narrowed)
            return
        if binds(statement):
            state = (own_binder(statement) if isinstance(statement, cst.BaseSmallStatement) else _UNSURE, None)
        yield from walk(rest, state)

    mine: object = _ENTRY if binding.kind is BindingKind.PARAM else node_at.get(binding.order)
    found: list[cst.CSTNode] = []
    for state in walk(statements(scope.node.body), (_ENTRY, None)):
        if state is None:
            return []
        last, guard = state
        if last is mine or last is _UNSURE:
            if guard is None:
                return []
            assert isinstance(guard, cst.CSTNode)
            found.append(guard)
    return found
