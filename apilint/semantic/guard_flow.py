"""A guard narrows: which `isinstance` checks a name's value has passed where it is used.

`if not isinstance(session, requests.Session): raise TypeError(...)` proves, on every path that
continues, that `session` holds a Session; so does the body of `if isinstance(session, C):`. The
caller of `_init_session(session)` may pass anything, yet what the function returns past such a
guard is a Session. Both analyses ask this question (the libcst resolver at a use of a name, the
`ast` module summary at a `return` or a `self.x = name`), so the flow walk is written once, here,
over a small interface each tree implements (`GuardTree`): the two cannot drift apart.

The walk follows the function's statements in order down to the one that holds the use,
tracking the paths that may get there. A path is (the statement that last bound the name, the
last guard its value passed since then); `ENTRY` marks a parameter's own value, `OPAQUE` a binding
inside a loop, `try`, `with` or `match` the walk does not follow. A statement that leaves (raise,
return, break, continue) ends its paths; an `if` splits them, adding the guard its test proves
to each branch. Only the `if` statement is followed precisely; everything else that binds the name
adds an unguarded `OPAQUE` path (conservative: more paths, fewer proofs). A binding's value is
narrowed at the use when every path that may carry it (its own and the `OPAQUE` ones) passed a
guard. What the guard's class is (a client class or not) is the caller's question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

Node = TypeVar("Node")


class Shape(Enum):
    PLAIN = "plain"  # a simple statement (it may bind the name)
    LEAVE = "leave"  # raise, return, break, continue: no path goes on
    IF = "if"
    FOR = "for"
    WHILE = "while"
    WITH = "with"
    TRY = "try"
    OTHER = "other"  # match, a nested def or class, anything else: followed only as a whole


@dataclass(frozen=True)
class Test(Generic[Node]):
    """An `if` test as the walk sees it: `isinstance(name, guard)`, `not`, `and`, `or`, or nothing known."""

    op: str  # "isinstance" | "not" | "and" | "or" | "other"
    operands: tuple[Test[Node], ...] = ()
    guard: Node | None = None  # for "isinstance": the class (or tuple of classes) expression


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ENTRY = _Marker("ENTRY")  # the parameter's value, as the caller passed it
OPAQUE = _Marker("OPAQUE")  # bound somewhere the walk does not follow

# (the statement that last bound the name, or ENTRY / OPAQUE; the last guard passed since, or None)
Path = tuple[object, object | None]


class GuardTree(Generic[Node]):
    """One tree's view of a function body; the walk (below) is shared by the libcst and `ast` readers.

    `name` is the name whose guards are tracked; `on_path(node)` says whether `node` is the use or
    one of its ancestors.
    """

    name: str

    def statements(self, block: Node) -> Sequence[Node]:
        raise NotImplementedError

    def shape(self, statement: Node) -> Shape:
        raise NotImplementedError

    def binds(self, node: Node) -> bool:
        """Does the name get bound anywhere in `node` (not counting nested function bodies)?"""
        raise NotImplementedError

    def test(self, statement: Node) -> Node:
        raise NotImplementedError

    def read_test(self, test: Node) -> Test[Node]:
        raise NotImplementedError

    def blocks(self, statement: Node) -> Sequence[Node | None]:
        """The statement's blocks: `if` (body, else or None), loops (body, else or None), `with` (body),
        `try` (body, handlers..., else or None, finally or None): see `_enter`."""
        raise NotImplementedError

    def header_binds(self, statement: Node) -> bool:
        """`for name in`, `with … as name`, `except … as name` (a handler passed as statement)."""
        raise NotImplementedError

    def handlers(self, statement: Node) -> Sequence[Node]:
        raise NotImplementedError

    def on_path(self, node: Node) -> bool:
        raise NotImplementedError

    # -- the walk -------------------------------------------------------------
    def paths_at_use(self, body: Node) -> list[Path] | None:
        """The paths reaching the use from the function's start (None: the use was not found)."""
        return self._reach(body, [(ENTRY, None)])

    def _reach(self, block: Node, paths: list[Path]) -> list[Path] | None:
        for statement in self.statements(block):
            if self.on_path(statement):
                return self._enter(statement, paths)
            paths = self._after(statement, paths)
        return None

    def _run(self, block: Node | None, paths: list[Path]) -> list[Path]:
        if block is None:
            return paths
        for statement in self.statements(block):
            if not paths:
                break
            paths = self._after(statement, paths)
        return paths

    def _after(self, statement: Node, paths: list[Path]) -> list[Path]:
        shape = self.shape(statement)
        if shape is Shape.LEAVE:
            return []
        if shape is Shape.PLAIN:
            return [(statement, None)] if self.binds(statement) else paths
        if shape is Shape.IF:
            test = self.test(statement)
            if self.binds(test):  # `if (name := …)`: bound by the test itself, no guard read from it
                paths = [(statement, None)]
                when_true: list[Node] = []
                when_false: list[Node] = []
            else:
                when_true, when_false = _guards(self.read_test(test))
            body, orelse = self.blocks(statement)
            return _distinct(self._run(body, _narrow(paths, when_true))
                             + self._run(orelse, _narrow(paths, when_false)))
        return _opaque(paths) if self.binds(statement) else paths

    def _enter(self, statement: Node, paths: list[Path]) -> list[Path] | None:
        """The paths at the use, inside `statement` (in one of its blocks, or in the statement itself)."""
        shape = self.shape(statement)
        blocks = [b for b in self.blocks(statement) if b is not None] if shape is not Shape.PLAIN else []
        inner = next((b for b in blocks if self.on_path(b)), None)
        if inner is None:
            # In the statement's own expressions: before anything it binds, except a `while` test,
            # evaluated again after every round of the body.
            return _opaque(paths) if shape is Shape.WHILE and self.binds(statement) else paths
        if shape is Shape.IF:
            test = self.test(statement)
            if self.binds(test):
                return self._reach(inner, [(statement, None)])
            when_true, when_false = _guards(self.read_test(test))
            body = self.blocks(statement)[0]
            return self._reach(inner, _narrow(paths, when_true if inner is body else when_false))
        if shape is Shape.FOR and inner is self.blocks(statement)[0] and self.header_binds(statement):
            return self._reach(inner, [(statement, None)])  # the target is bound again each round
        if shape is Shape.WITH and self.header_binds(statement):
            return self._reach(inner, [(statement, None)])
        if shape is Shape.TRY:
            body = self.blocks(statement)[0]
            if inner is body:
                return self._reach(inner, paths)
            for handler in self.handlers(statement):
                if self.on_path(handler):
                    if self.header_binds(handler):
                        return self._reach(inner, [(handler, None)])
                    break
        # A loop body (a later round may come back rebound), a handler, an else or finally block.
        return self._reach(inner, _opaque(paths) if self.binds(statement) else paths)


def _guards(test: Test[Node]) -> tuple[list[Node], list[Node]]:
    """The guards a test proves when it is true, and when it is false (in the order they apply)."""
    if test.op == "isinstance" and test.guard is not None:
        return [test.guard], []
    if test.op == "not" and test.operands:
        when_true, when_false = _guards(test.operands[0])
        return when_false, when_true
    if test.op == "and":  # true: every operand was true
        return [g for operand in test.operands for g in _guards(operand)[0]], []
    if test.op == "or":  # false: every operand was false
        return [], [g for operand in test.operands for g in _guards(operand)[1]]
    return [], []


def _narrow(paths: list[Path], guards: list[Node]) -> list[Path]:
    if not guards:
        return paths
    return [(marker, guards[-1]) for marker, _ in paths]


def _opaque(paths: list[Path]) -> list[Path]:
    return _distinct([*paths, (OPAQUE, None)])


def _distinct(paths: list[Path]) -> list[Path]:
    """Paths that agree on binding and guard are one: their number stays below bindings x guards."""
    seen: set[tuple[int, int]] = set()
    found: list[Path] = []
    for marker, guard in paths:
        key = (id(marker), id(guard))
        if key not in seen:
            seen.add(key)
            found.append((marker, guard))
    return found


def guards_of(paths: list[Path] | None, marker: object) -> list[object] | None:
    """The guards every path that may carry the value bound at `marker` passed (None: one passed none).

    `marker` is the binding statement (or ENTRY for a parameter). No path of its own: the walk does
    not see it reach the use, and proves nothing about it.
    """
    if paths is None:
        return None
    own = [guard for m, guard in paths if m is marker]
    opaque = [guard for m, guard in paths if m is OPAQUE]
    if not own or any(g is None for g in own + opaque):
        return None
    found: list[object] = []
    for guard in own + opaque:
        if not any(guard is seen for seen in found):
            found.append(guard)
    return found
