"""What a broad `except` handler does with the exception it caught (API301).

A broad handler is acceptable when the exception does not end there:
- it is re-raised: a bare `raise` or `raise err` / `raise err from x` of the caught name,
  anywhere in the handler (as ruff's BLE001); `raise X from …` or
  `raise X(...).with_traceback(…)` on every path (it chains the original);
- it is logged with its traceback (ruff BLE001 parity, see `logs_traceback`);
- it is handed on: passed to a call other than a display call (`future.set_exception(e)`),
  assigned (`self.error = e`), returned or yielded.

A bare `raise` inside a nested handler re-raises that handler's exception, not this one; a
nested function or class runs later, if at all, so nothing in it counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from apilint.semantic.display import is_display_call
from apilint.semantic.resolve import Resolver
from apilint.semantic.scope import BindingKind, Scope

Handler = cst.ExceptHandler | cst.ExceptStarHandler

# ruff's `is_logger_method_name`.
_LOGGER_METHODS = frozenset({"debug", "info", "warn", "warning", "error", "critical", "log", "exception"})


def caught_name(handler: Handler) -> str | None:
    if handler.name is not None and isinstance(handler.name.name, cst.Name):
        return handler.name.name.value
    return None


def reraises(handler: Handler) -> bool:
    """The caught exception propagates: re-raised (bare or by name), or chained on every path."""
    finder = _Reraise(caught_name(handler))
    handler.body.visit(finder)
    return finder.found or _always_raises_from(handler.body)


class _Reraise(cst.CSTVisitor):
    def __init__(self, name: str | None, bare_counts: bool = True) -> None:
        super().__init__()
        self.name = name
        self.bare_counts = bare_counts  # False inside a nested handler: its bare `raise` is its own exception
        self.found = False

    def visit_Raise(self, node: cst.Raise) -> bool:
        if (node.exc is None and self.bare_counts) or _is_name(node.exc, self.name):
            self.found = True
        return False

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        return self._nested_handler(node)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> bool:
        return self._nested_handler(node)

    def _nested_handler(self, node: Handler) -> bool:
        """Only `raise err` of our name still means ours in here, unless the handler binds the name again."""
        if self.name is not None and caught_name(node) != self.name:
            inner = _Reraise(self.name, bare_counts=False)
            node.body.visit(inner)
            self.found = self.found or inner.found
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def _is_name(expr: cst.BaseExpression | None, name: str | None) -> bool:
    return name is not None and isinstance(expr, cst.Name) and expr.value == name


def _always_raises_from(block: cst.CSTNode) -> bool:
    statements: Sequence[cst.CSTNode]
    if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        statements = block.body
    else:
        return False
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1]
    if isinstance(last, cst.Raise):
        return last.cause is not None or _keeps_traceback(last.exc)
    if isinstance(last, cst.If):
        orelse = last.orelse
        if orelse is None:
            return False
        other = orelse.body if isinstance(orelse, cst.Else) else orelse
        return _always_raises_from(last.body) and (
            _always_raises_from(other) if not isinstance(other, cst.If) else _always_raises_from(cst.IndentedBlock([other]))
        )
    return False


def _keeps_traceback(exc: cst.BaseExpression | None) -> bool:
    """`raise Error(...).with_traceback(tb)` chains the original like `raise … from …`."""
    return (isinstance(exc, cst.Call) and isinstance(exc.func, cst.Attribute)
            and exc.func.attr.value == "with_traceback")


def hands_on(handler: Handler) -> bool:
    """The caught exception is handed to someone else: a callback, an attribute or variable, the caller."""
    name = caught_name(handler)
    if name is None:
        return False
    finder = _HandedOn(name)
    handler.body.visit(finder)
    return finder.found


class _HandedOn(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found = False

    def visit_Call(self, node: cst.Call) -> bool:
        if not is_display_call(node) and any(_is_name(arg.value, self.name) for arg in node.args):
            self.found = True
        return True

    def visit_Assign(self, node: cst.Assign) -> bool:
        self.found = self.found or _is_name(node.value, self.name)
        return True

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        self.found = self.found or _is_name(node.value, self.name)
        return True

    def visit_Return(self, node: cst.Return) -> bool:
        self.found = self.found or _is_name(node.value, self.name)
        return True

    def visit_Yield(self, node: cst.Yield) -> bool:
        self.found = self.found or _is_name(node.value if not isinstance(node.value, cst.From) else None, self.name)
        return True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def logs_traceback(handler: Handler, resolver: Resolver, scope: Scope) -> bool:
    """ruff BLE001 parity: an expression statement `<logger>.exception(...)`, or a logger method with a true `exc_info=`.

    What counts as a logger follows ruff's `is_logger_candidate`: `logging.getLogger(...)` /
    `logging.Logger(...)` called inline; an imported name only when it is the `logging` module
    itself or `flask.current_app.logger` (a name imported from anywhere else is not known to be a
    logger); a local name or attribute chain whose last part starts with `log`/`LOG` or ends with
    `logger`/`logging` (`logger`, `self.log`, `LOGGER`). Nested `try` statements, functions and
    classes are not searched, as in ruff.
    """
    finder = _LoggedWithTraceback(resolver, scope)
    for statement in _statements(handler.body):
        statement.visit(finder)
        if finder.found:
            return True
    return False


def _statements(body: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return body.body if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else ()


class _LoggedWithTraceback(cst.CSTVisitor):
    def __init__(self, resolver: Resolver, scope: Scope) -> None:
        super().__init__()
        self.resolver = resolver
        self.scope = scope
        self.found = False

    def visit_Expr(self, node: cst.Expr) -> bool:
        if isinstance(node.value, cst.Call) and self._logs_traceback(node.value):
            self.found = True
        return False

    def _logs_traceback(self, call: cst.Call) -> bool:
        func = call.func
        if isinstance(func, cst.Attribute):
            if not self._is_logger(func.value):
                return False
            method = func.attr.value
        elif isinstance(func, cst.Name):
            qualified = self.resolver.qualified_name(func, self.scope)
            if qualified is None or not qualified.startswith("logging."):
                return False
            method = qualified.removeprefix("logging.")
        else:
            return False
        if method == "exception":
            return True
        return method in _LOGGER_METHODS and _exc_info_enabled(call)

    def _is_logger(self, value: cst.BaseExpression) -> bool:
        if isinstance(value, cst.Call):
            return self.resolver.qualified_name(value.func, self.scope) in ("logging.getLogger", "logging.Logger")
        root: cst.BaseExpression = value
        while isinstance(root, cst.Attribute):
            root = root.value
        if not isinstance(root, cst.Name):
            return False
        if any(b.kind is BindingKind.IMPORT for b in self.resolver.lookup(root.value, self.scope, None)):
            # Imported from elsewhere: a logger only if it is the logging module or flask's app logger.
            return self.resolver.qualified_name(value, self.scope) in ("logging", "flask.current_app.logger")
        tail = value.attr.value if isinstance(value, cst.Attribute) else root.value
        return tail.startswith(("log", "LOG")) or tail.endswith(("logger", "logging", "LOGGER", "LOGGING"))

    def visit_Try(self, node: cst.Try) -> bool:
        return False

    def visit_TryStar(self, node: cst.TryStar) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def _exc_info_enabled(call: cst.Call) -> bool:
    """`exc_info=` present and not plainly false (ruff: truthiness not known to be False)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "exc_info":
            return not _plainly_false(arg.value)
    return False


def _plainly_false(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value in ("False", "None")
    if isinstance(expr, cst.Integer):
        return expr.evaluated_value == 0
    if isinstance(expr, cst.SimpleString):
        return expr.evaluated_value in ("", b"")
    if isinstance(expr, (cst.Tuple, cst.List, cst.Dict)):
        return not expr.elements
    return False
