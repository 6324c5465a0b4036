"""The `ast` side of "a guard narrows" (`semantic.guard_flow`): what a function returns past a guard.

`def _init_session(session): ... if not isinstance(session, requests.Session): raise ...;
return session` returns a Session whatever the caller passed. The summary records a local's
value as the values of all its bindings (an unannotated parameter: unknown); at a `return` or a
`self.x = name`, a binding whose value is unknown is replaced by the classes of the guards it
passed on every path to that statement (as an annotation: the index decides whether the class
is a client), exactly as the libcst resolver does at a use (`semantic.client_resolution`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from apilint.project.facts import Value
from apilint.project.summary_values import _UNKNOWN, SummaryValues
from apilint.project.summary_walk import _TRY_STATEMENTS
from apilint.semantic.guard_flow import ENTRY, GuardTree, Path, Shape, Test, guards_of

_LEAVES = (ast.Raise, ast.Return, ast.Break, ast.Continue)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_TRIES = _TRY_STATEMENTS
_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Match, *_TRIES,
             ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class AstGuardTree(GuardTree[object]):
    """A function body (blocks are its statement lists) for one name and one use (a statement)."""

    def __init__(self, name: str, on_path: set[int], bound_inside: dict[int, set[str]]) -> None:
        self.name = name
        self._on_path = on_path
        self._bound_inside = bound_inside  # statement id -> the names bound in it (shared by the function's names)

    def statements(self, block: object) -> Sequence[object]:
        return block if isinstance(block, list) else []

    def shape(self, statement: object) -> Shape:
        if isinstance(statement, _LEAVES):
            return Shape.LEAVE
        if isinstance(statement, ast.If):
            return Shape.IF
        if isinstance(statement, (ast.For, ast.AsyncFor)):
            return Shape.FOR
        if isinstance(statement, ast.While):
            return Shape.WHILE
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            return Shape.WITH
        if isinstance(statement, _TRIES):
            return Shape.TRY
        if isinstance(statement, ast.Match):
            return Shape.OTHER
        return Shape.PLAIN

    def binds(self, node: object) -> bool:
        if isinstance(node, ast.stmt):
            return self.name in _names_bound_inside(node, self._bound_inside)
        return isinstance(node, ast.AST) and binds_name(node, self.name)

    def test(self, statement: object) -> object:
        assert isinstance(statement, ast.If)
        return statement.test

    def read_test(self, test: object) -> Test[object]:
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            return Test("not", (self.read_test(test.operand),))
        if isinstance(test, ast.BoolOp):
            return Test("and" if isinstance(test.op, ast.And) else "or", tuple(self.read_test(v) for v in test.values))
        if (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance"
                and len(test.args) == 2 and not test.keywords and not any(isinstance(a, ast.Starred) for a in test.args)
                and isinstance(test.args[0], ast.Name) and test.args[0].id == self.name):
            return Test("isinstance", guard=test.args[1])
        return Test("other")

    def blocks(self, statement: object) -> Sequence[object | None]:
        if isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While)):
            return [statement.body, statement.orelse or None]
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            return [statement.body]
        if isinstance(statement, _TRIES):
            return [statement.body, *[h.body for h in statement.handlers],
                    statement.orelse or None, statement.finalbody or None]
        if isinstance(statement, ast.Match):
            return [case.body for case in statement.cases]
        return []

    def header_binds(self, statement: object) -> bool:
        if isinstance(statement, (ast.For, ast.AsyncFor)):
            return binds_name(statement.target, self.name)
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            return any(i.optional_vars is not None and binds_name(i.optional_vars, self.name) for i in statement.items)
        if isinstance(statement, ast.ExceptHandler):
            return statement.name == self.name
        return False

    def handlers(self, statement: object) -> Sequence[object]:
        return statement.handlers if isinstance(statement, _TRIES) else []

    def on_path(self, node: object) -> bool:
        return id(node) in self._on_path


def binds_name(node: ast.AST, name: str) -> bool:
    """Is `name` bound anywhere in `node`, outside nested functions, classes and comprehension targets?"""
    return name in bound_names(node)


def bound_names(node: ast.AST) -> set[str]:
    """The names bound anywhere in `node`, outside nested functions, classes and comprehension targets."""
    found: set[str] = set()
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name):
            if isinstance(current.ctx, (ast.Store, ast.Del)):
                found.add(current.id)
            continue
        if isinstance(current, _DEFS):
            if not isinstance(current, ast.Lambda):
                found.add(current.name)
            continue
        if isinstance(current, (ast.Import, ast.ImportFrom)):
            found.update(a.asname or a.name.split(".", 1)[0] for a in current.names)
            continue
        if isinstance(current, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and current.name is not None:
            found.add(current.name)
        elif isinstance(current, ast.MatchMapping) and current.rest is not None:
            found.add(current.rest)
        elif isinstance(current, (ast.Global, ast.Nonlocal)):
            found.update(current.names)
        if isinstance(current, ast.comprehension):
            stack += [current.iter, *current.ifs]  # its target is the comprehension's own variable
            continue
        stack.extend(ast.iter_child_nodes(current))
    return found


class GuardedLocals:
    """A function's locals at a statement, each unknown binding narrowed by the guards it passed."""

    def __init__(self, reader: SummaryValues, function: ast.FunctionDef | ast.AsyncFunctionDef,
                 parameters: dict[str, list[Value]], assigned: dict[tuple[int, str], list[Value]],
                 statements: list[ast.stmt]) -> None:
        self._reader = reader
        self._function = function
        self._parameters = parameters
        self._assigned = assigned  # (statement id, name) -> the values that statement binds to the name
        self._statements = statements
        self._tested: set[str] | None = None
        self._binders: dict[str, list[object]] | None = None  # name -> the statements binding it
        self._bound_inside: dict[int, set[str]] = {}

    def at(self, use: ast.stmt, expr: ast.expr | None, local: dict[str, list[Value]]) -> dict[str, list[Value]]:
        """`local`, with the names `expr` evaluates to narrowed where a guard proves more than it knows."""
        override: dict[str, list[Value]] | None = None
        if "isinstance" in local:
            return local  # not the builtin
        for name in _value_names(expr):
            if name in local and any(v.kind == "unknown" for v in local[name]):
                narrowed = self._narrowed(name, use)
                if narrowed is not None:
                    override = dict(local) if override is None else override
                    override[name] = narrowed
        return override if override is not None else local

    def _narrowed(self, name: str, use: ast.stmt) -> list[Value] | None:
        function = self._function
        if self._tested is None:  # the names an `if` of the function tests with isinstance (no other can narrow)
            self._tested = {n for statement in self._statements if isinstance(statement, ast.If)
                            for n in _isinstance_names(statement.test)}
        if name not in self._tested or "isinstance" in self._reader._kinds or not _local_only(function, name):
            return None
        on_path = _ancestry(function.body, use)
        if on_path is None:
            return None
        paths = AstGuardTree(name, on_path, self._bound_inside).paths_at_use(function.body)
        found: list[Value] = []
        changed = False
        for marker, values in self._sources(name):
            if not any(v.kind == "unknown" for v in values):
                found += values
                continue
            guarded = self._guard_values(paths, marker)
            changed = changed or guarded is not None
            found += guarded if guarded is not None else [_UNKNOWN]
        return found if changed else None

    def _guard_values(self, paths: list[Path] | None, marker: object) -> list[Value] | None:
        guards = guards_of(paths, marker)
        if not guards:
            return None
        values: list[Value] = []
        for guard in guards:
            classes = guard.elts if isinstance(guard, ast.Tuple) else [guard]
            for cls in classes:
                values += self._reader.annotation(cls) if isinstance(cls, (ast.Name, ast.Attribute)) else [_UNKNOWN]
        return values

    def _sources(self, name: str) -> Iterator[tuple[object, list[Value]]]:
        """Each binding of the name (its statement, as `guard_flow` marks it) with the values it binds."""
        if name in self._parameters:
            yield ENTRY, self._parameters[name]
        if self._binders is None:
            self._binders = {}
            for statement in self._statements:
                if isinstance(statement, _TRIES):
                    for handler in statement.handlers:
                        if handler.name is not None:
                            self._binders.setdefault(handler.name, []).append(handler)
                for bound in _header_names(statement):
                    self._binders.setdefault(bound, []).append(statement)
        for binder in self._binders.get(name, []):
            known = self._assigned.get((id(binder), name))
            yield binder, known if known is not None else [_UNKNOWN]


def _names_bound_inside(statement: ast.stmt, memo: dict[int, set[str]]) -> set[str]:
    """The names bound anywhere in the statement: its own header and every statement nested in it."""
    found = memo.get(id(statement))
    if found is None:
        defines = isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if defines or not isinstance(statement, _COMPOUND):
            found = _header_names(statement)
        else:
            found = set(_header_names(statement))
            inner: list[ast.stmt] = [*getattr(statement, "body", ()), *getattr(statement, "orelse", ()),
                                     *getattr(statement, "finalbody", ())]
            for holder in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
                inner += holder.body
                if isinstance(holder, ast.ExceptHandler) and holder.name is not None:
                    found.add(holder.name)
            for nested in inner:
                found |= _names_bound_inside(nested, memo)
        memo[id(statement)] = found
    return found


def _header_names(statement: ast.stmt) -> set[str]:
    """The names the statement itself binds (a simple statement anywhere, a compound one in its header)."""
    if not isinstance(statement, _COMPOUND):
        return bound_names(statement)
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return bound_names(statement.target) | bound_names(statement.iter)
    if isinstance(statement, (ast.If, ast.While)):
        return bound_names(statement.test)
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return {n for item in statement.items for n in bound_names(item)}
    if isinstance(statement, ast.Match):
        return bound_names(statement.subject) | {n for c in statement.cases for n in bound_names(c.pattern)}
    return set()


def _isinstance_names(test: ast.expr) -> Iterator[str]:
    """The names the test checks with `isinstance`, where `read_test` can see it (`not`, `and`, `or`)."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        yield from _isinstance_names(test.operand)
    elif isinstance(test, ast.BoolOp):
        for value in test.values:
            yield from _isinstance_names(value)
    elif (isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance"
            and len(test.args) == 2 and isinstance(test.args[0], ast.Name)):
        yield test.args[0].id


def _value_names(expr: ast.expr | None) -> list[str]:
    """The names whose values `SummaryValues.values` reads for `expr`."""
    if isinstance(expr, ast.Name):
        return [expr.id]
    if isinstance(expr, ast.BoolOp):
        return [n for v in expr.values for n in _value_names(v)]
    if isinstance(expr, ast.IfExp):
        return _value_names(expr.body) + _value_names(expr.orelse)
    if isinstance(expr, ast.Await):
        return _value_names(expr.value)
    return []


def _local_only(function: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> bool:
    """No `global name` or `nonlocal name` in the function or a def nested in it: any call could rebind it."""
    statements: list[ast.stmt] = list(function.body)
    while statements:
        statement = statements.pop()
        if isinstance(statement, (ast.Global, ast.Nonlocal)) and name in statement.names:
            return False
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(statement, field, None)
            if isinstance(inner, list):
                statements += inner
        for holder in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
            statements += holder.body
    return True


def _ancestry(body: list[ast.stmt], use: ast.stmt) -> set[int] | None:
    """Ids of the use, the statements holding it and their blocks (lists), or None if not in `body`."""
    for statement in body:
        if statement is use:
            return {id(body), id(statement)}
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        inner: list[tuple[list[ast.stmt], ast.AST | None]] = [
            (getattr(statement, field), None) for field in ("body", "orelse", "finalbody")
            if isinstance(getattr(statement, field, None), list)]
        inner += [(h.body, h) for h in getattr(statement, "handlers", [])]
        inner += [(c.body, None) for c in getattr(statement, "cases", [])]
        for block, holder in inner:
            found = _ancestry(block, use)
            if found is not None:
                found |= {id(body), id(statement)}
                if holder is not None:
                    found.add(id(holder))
                return found
    return None
