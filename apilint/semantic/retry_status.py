"""Evaluating retry code on the syntax tree: literal values and status tests.

Two questions, answered without running or re-reading source text:
- which value a literal expression has (`[500, *range(502, 505)]`, `{429, 503}`, a module
  constant, `HTTPStatus.TOO_MANY_REQUESTS`), and
- for which statuses a test such as `r.status_code != 200 and attempt < 3`, `not resp.ok`,
  `err.response.status_code in RETRY_CODES` or `code := r.status` can be true or false.

A part of a test that does not look at the status (an attempt counter, a flag) is a free
boolean: the test can go either way on it. A part that looks at the status in a way that cannot be
evaluated (`r.status_code in self.codes`) makes the whole test unknown (principle 1).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import libcst as cst

from apilint.knowledge.responses import STATUS_CODE_NAMESPACES
from apilint.semantic.loop_walk import children
from apilint.semantic.names import string_value

STATUSES = range(100, 600)
_MAX_FREE = 4  # free booleans per test: 16 combinations
_MAX_ITEMS = 2000
# Response attribute -> the status test it stands for.
_STATUS_VIEWS: dict[str, Callable[[int], Any]] = {
    "status_code": lambda s: s, "status": lambda s: s, "status_int": lambda s: s,
    "ok": lambda s: s < 400, "is_success": lambda s: 200 <= s < 300, "is_error": lambda s: s >= 400,
    "is_client_error": lambda s: 400 <= s < 500, "is_server_error": lambda s: s >= 500,
}
# Attributes of an HTTP error that hold its status (`err.status` aiohttp, `err.code` urllib).
_ERROR_STATUS = frozenset({"status", "code", "status_code"})
# Modules whose attributes name statuses (`http.HTTPStatus.TOO_MANY_REQUESTS`, `httpx.codes.OK`).
_STATUS_ENUMS = ("http.HTTPStatus.", *(f"{name}." for name in STATUS_CODE_NAMESPACES))  # the libraries' from their records


class Unknown(Exception):
    """The expression cannot be evaluated."""


@dataclass
class StatusNames:
    """Names through which a test can see a response's status."""

    responses: set[str] = field(default_factory=set)  # `r = client.get(...)`
    statuses: set[str] = field(default_factory=set)  # `code = r.status_code`
    errors: set[str] = field(default_factory=set)  # `except HTTPError as err` (err.response.status_code)


QualifiedName = Callable[[cst.BaseExpression], "str | None"]


class Evaluator:
    """Evaluates expressions of one scope: `constants` are module-level values, `qualified` resolves
    imported names (for status enums)."""

    def __init__(self, constants: Mapping[str, Any], qualified: QualifiedName,
                 names: StatusNames | None = None) -> None:
        self.constants = constants
        self.qualified = qualified
        self.names = names or StatusNames()

    # -- plain values -------------------------------------------------------------
    def value(self, node: cst.BaseExpression, status: int | None = None) -> Any:
        """The value of `node` (with the response's status `status`); raises Unknown."""
        if isinstance(node, cst.Integer):
            return int(node.value.replace("_", ""), 0)
        if isinstance(node, cst.Float):
            return float(node.value.replace("_", ""))
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            text = string_value(node)
            if text is None:
                raise Unknown
            return text
        if isinstance(node, cst.Name):
            return self._name(node.value, status)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, status)
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            items: list[Any] = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    items.extend(self._iterable(self.value(element.value, status)))
                else:
                    items.append(self.value(element.value, status))
            return frozenset(items) if isinstance(node, cst.Set) else tuple(items)
        if isinstance(node, cst.Comparison):
            return self._compare(node, status)
        if isinstance(node, cst.BooleanOperation):
            left = self.value(node.left, status)
            if isinstance(node.operator, cst.And):
                return self.value(node.right, status) if left else left
            return left if left else self.value(node.right, status)
        if isinstance(node, cst.UnaryOperation):
            operand = self.value(node.expression, status)
            if isinstance(node.operator, cst.Not):
                return not operand
            if isinstance(node.operator, cst.Minus) and isinstance(operand, (int, float)):
                return -operand
            if isinstance(node.operator, cst.Plus) and isinstance(operand, (int, float)):
                return operand
            raise Unknown
        if isinstance(node, cst.BinaryOperation):
            return self._binary(node, status)
        if isinstance(node, cst.IfExp):
            return self.value(node.body if self.value(node.test, status) else node.orelse, status)
        if isinstance(node, cst.NamedExpr):
            return self.value(node.value, status)
        if isinstance(node, cst.Call):
            return self._call(node, status)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return self._comprehension(node, status)
        raise Unknown

    def _name(self, name: str, status: int | None) -> Any:
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        if name in self.names.statuses and status is not None:
            return status
        if name in self.names.responses and status is not None:
            return status < 400  # `if not r:` (a requests Response is falsy for 4xx/5xx)
        if name in self.constants:
            return self.constants[name]
        raise Unknown

    def _attribute(self, node: cst.Attribute, status: int | None) -> Any:
        attr = node.attr.value
        base = _unwrap_walrus(node.value)
        if status is not None and isinstance(base, cst.Name):
            if base.value in self.names.responses and attr in _STATUS_VIEWS:
                return _STATUS_VIEWS[attr](status)
            if base.value in self.names.errors and attr in _ERROR_STATUS:
                return status
        if status is not None and isinstance(base, cst.Attribute) and base.attr.value == "response" \
                and isinstance(base.value, cst.Name) and base.value.value in self.names.errors and attr in _STATUS_VIEWS:
            return _STATUS_VIEWS[attr](status)  # `err.response.status_code`
        if attr == "value":
            inner = self.value(base, status)
            if isinstance(inner, int):
                return inner  # `HTTPStatus.TOO_MANY_REQUESTS.value`
        qualified = self.qualified(node) or ""
        for prefix in _STATUS_ENUMS:
            if qualified.startswith(prefix):
                member = qualified[len(prefix):].upper()
                if member in HTTPStatus.__members__:
                    return int(HTTPStatus[member])
        raise Unknown

    def _compare(self, node: cst.Comparison, status: int | None) -> bool:
        left = self.value(node.left, status)
        for target in node.comparisons:
            right = self.value(target.comparator, status)
            if not _compare_values(target.operator, left, right):
                return False
            left = right
        return True

    def _binary(self, node: cst.BinaryOperation, status: int | None) -> Any:
        left, right = self.value(node.left, status), self.value(node.right, status)
        numbers = isinstance(left, (int, float)) and isinstance(right, (int, float))
        op = node.operator
        if numbers and isinstance(op, cst.Add):
            return left + right
        if numbers and isinstance(op, cst.Subtract):
            return left - right
        if numbers and isinstance(op, cst.Multiply) and abs(left * right) < 10**12:
            return left * right
        if numbers and isinstance(op, cst.Divide) and right:
            return left / right
        if numbers and isinstance(op, cst.FloorDivide) and right:
            return left // right
        if numbers and isinstance(op, cst.Modulo) and right:
            return left % right
        if numbers and isinstance(op, cst.Power) and abs(left) <= 1000 and 0 <= right <= 64:
            return left**right
        if isinstance(left, frozenset) and isinstance(right, frozenset) and isinstance(op, cst.BitOr):
            return left | right
        raise Unknown

    def _call(self, node: cst.Call, status: int | None) -> Any:
        if not isinstance(node.func, cst.Name) or node.func.value in self.constants:
            raise Unknown
        if any(arg.keyword is not None or arg.star for arg in node.args):
            raise Unknown
        args = [self.value(arg.value, status) for arg in node.args]
        name = node.func.value
        if name == "range" and all(isinstance(a, int) and not isinstance(a, bool) for a in args) and 1 <= len(args) <= 3:
            result = range(*args)
            if len(result) > _MAX_ITEMS:
                raise Unknown
            return tuple(result)
        if name in ("set", "frozenset") and len(args) <= 1:
            return frozenset(self._iterable(args[0]) if args else ())
        if name in ("tuple", "list") and len(args) <= 1:
            return tuple(self._iterable(args[0]) if args else ())
        if name == "int" and len(args) == 1 and isinstance(args[0], (int, float)):
            return int(args[0])
        if name in ("min", "max") and args:
            values = args if len(args) > 1 else list(self._iterable(args[0]))
            if values and all(isinstance(v, (int, float)) for v in values):
                return min(values) if name == "min" else max(values)
        raise Unknown

    def _comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp, status: int | None) -> Any:
        loop = node.for_in
        if loop.inner_for_in is not None or not isinstance(loop.target, cst.Name) or loop.asynchronous:
            raise Unknown
        name = loop.target.value
        items = []
        for item in self._iterable(self.value(loop.iter, status)):
            inner = Evaluator({**self.constants, name: item}, self.qualified, self.names)
            if all(inner.value(condition.test, status) for condition in loop.ifs):
                items.append(inner.value(node.elt, status))
        return frozenset(items) if isinstance(node, cst.SetComp) else tuple(items)

    @staticmethod
    def _iterable(value: Any) -> tuple[Any, ...]:
        if isinstance(value, (tuple, frozenset)):
            return tuple(value)
        raise Unknown

    # -- status tests --------------------------------------------------------------
    def mentions_status(self, node: cst.CSTNode) -> bool:
        """Does `node` look at a response's status (not merely at the response)?"""
        if isinstance(node, cst.Name):
            return node.value in self.names.statuses
        if isinstance(node, cst.Attribute):
            base = _unwrap_walrus(node.value)
            if isinstance(base, cst.Name) and (
                (base.value in self.names.responses and node.attr.value in _STATUS_VIEWS)
                or (base.value in self.names.errors and node.attr.value in _ERROR_STATUS)
            ):
                return True
            if isinstance(base, cst.Attribute) and base.attr.value == "response" and isinstance(base.value, cst.Name) \
                    and base.value.value in self.names.errors and node.attr.value in _STATUS_VIEWS:
                return True
        if isinstance(node, (cst.Lambda, cst.FunctionDef)):
            return False
        return any(self.mentions_status(child) for child in children(node))

    def truth_test(self, test: cst.BaseExpression) -> StatusTest | None:
        """For which statuses `test` can be true / false; None when it does not look at the status.
        Raises Unknown when it looks at the status in a way that cannot be evaluated."""
        bare = _unwrap_not(test)
        bare_response = isinstance(bare, cst.Name) and bare.value in self.names.responses
        if not bare_response and not self.mentions_status(test):
            return None
        free: list[cst.BaseExpression] = []
        shape = self._shape(test, free)
        if len(free) > _MAX_FREE:
            raise Unknown
        true: set[int] = set()
        false: set[int] = set()
        for status in STATUSES:
            for values in itertools.product((False, True), repeat=len(free)):
                (true if shape(status, values) else false).add(status)
        return StatusTest(frozenset(true), frozenset(false))

    def _shape(self, node: cst.BaseExpression, free: list[cst.BaseExpression]) -> Callable[[int, tuple[bool, ...]], bool]:
        """The test as a function of (status, free booleans); parts that ignore the status are free."""
        if isinstance(node, cst.BooleanOperation):
            left, right = self._shape(node.left, free), self._shape(node.right, free)
            if isinstance(node.operator, cst.And):
                return lambda s, v: left(s, v) and right(s, v)
            return lambda s, v: left(s, v) or right(s, v)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
            inner = self._shape(node.expression, free)
            return lambda s, v: not inner(s, v)
        bare_response = isinstance(node, cst.Name) and node.value in self.names.responses
        if not bare_response and not self.mentions_status(node):
            try:
                constant = bool(self.value(node))
                return lambda s, v: constant
            except Unknown:
                index = len(free)
                free.append(node)
                return lambda s, v: v[index]
        for status in (200, 429, 503):  # fail early, once, rather than for every status
            self.value(node, status)
        return lambda s, v: bool(self.value(node, s))

    def names_status(self, node: cst.CSTNode, wanted: frozenset[int]) -> bool:
        """Does `node` name one of `wanted` (a literal, a constant, an enum member) anywhere?"""
        if isinstance(node, (cst.Integer, cst.Name, cst.Attribute)):
            try:
                value = self.value(node)
            except Unknown:
                value = None
            if isinstance(value, int) and value in wanted:
                return True
            if isinstance(value, (tuple, frozenset)) and wanted & set(value):
                return True
            if isinstance(node, cst.Attribute):
                return self.names_status(node.value, wanted)
            return False
        return any(self.names_status(child, wanted) for child in children(node))


@dataclass(frozen=True)
class StatusTest:
    true: frozenset[int]  # statuses for which the test can be true
    false: frozenset[int]  # ... can be false


def _unwrap_walrus(node: cst.BaseExpression) -> cst.BaseExpression:
    """`(r := client.get(url)).status_code` reads the status of `r`."""
    return node.target if isinstance(node, cst.NamedExpr) else node


def _unwrap_not(node: cst.BaseExpression) -> cst.BaseExpression:
    while isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        node = node.expression
    return node


def _compare_values(operator: cst.BaseCompOp, left: Any, right: Any) -> bool:
    try:
        if isinstance(operator, cst.Equal):
            return bool(left == right)
        if isinstance(operator, cst.NotEqual):
            return bool(left != right)
        if isinstance(operator, cst.LessThan):
            return bool(left < right)
        if isinstance(operator, cst.LessThanEqual):
            return bool(left <= right)
        if isinstance(operator, cst.GreaterThan):
            return bool(left > right)
        if isinstance(operator, cst.GreaterThanEqual):
            return bool(left >= right)
        if isinstance(operator, cst.In):
            return bool(left in right)
        if isinstance(operator, cst.NotIn):
            return bool(left not in right)
        if isinstance(operator, cst.Is):
            return left is right if right is None or isinstance(right, bool) else bool(left == right)
        if isinstance(operator, cst.IsNot):
            return left is not right if right is None or isinstance(right, bool) else bool(left != right)
    except TypeError:
        raise Unknown from None
    raise Unknown


def module_constants(module_scope: Any, qualified: QualifiedName, local: Any = None) -> dict[str, Any]:
    """Module-level names bound once to a literal value (`RETRY_CODES = {429, 503}`, `MAX = 3`),
    and with `local` (a function scope) its names bound once so (`step = 0.25`)."""
    from apilint.semantic.scope import BindingKind

    found: dict[str, Any] = {}
    evaluator = Evaluator(found, qualified)
    scopes = [module_scope] if local is None or local is module_scope else [module_scope, local]
    for name, bindings in [item for scope in scopes for item in scope.bindings.items()]:
        found.pop(name, None)  # a local name hides the module's
        if len(bindings) == 1 and bindings[0].kind is BindingKind.ASSIGN and bindings[0].value is not None:
            try:
                found[name] = evaluator.value(bindings[0].value)
            except (Unknown, RecursionError):
                continue
    return found
