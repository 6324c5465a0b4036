"""How many attempts a retry loop makes, whether it gives up, and its last wait.

Read from the loop header (`range(n)`, `while n < K:` with `n += 1` once per round), exits tied to a
counter or a clock, and the sleep argument evaluated on the tree with the counter's last value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import libcst as cst

from apilint.semantic.loop_walk import LoopWalker, callee_name, mentions_exit, names_in
from apilint.semantic.resolve import Resolver
from apilint.semantic.retry_status import Evaluator, Unknown
from apilint.semantic.retry_waits import assignments, sleep_argument
from apilint.semantic.scope import Scope

_CLOCKS = frozenset({"monotonic", "time", "perf_counter", "now", "utcnow", "monotonic_ns", "time_ns"})
_TIME_WORDS = ("deadline", "timeout", "elapsed", "expire")


def attempts(resolver: Resolver, loop: cst.For | cst.While, walker: LoopWalker, scope: Scope,
             evaluator: Evaluator) -> int | None:
    """How many times the loop can run, when its header bounds it by a counter."""
    if isinstance(loop, cst.For):
        iterator = loop.iter
        if isinstance(iterator, cst.Call) and isinstance(iterator.func, cst.Name) and iterator.func.value == "range":
            try:
                values = evaluator.value(iterator)
            except Unknown:
                return None
            return len(values) if isinstance(values, tuple) else None
        return None
    return _while_attempts(resolver, loop, walker, scope, evaluator)


def _while_attempts(resolver: Resolver, loop: cst.While, walker: LoopWalker, scope: Scope,
                    evaluator: Evaluator) -> int | None:
    """`n = 0` … `while … and n < K:` with `n += 1` once per round: K - 0 rounds at most."""
    steps: dict[str, int] = {}
    for node in walker.of(cst.AugAssign):
        if isinstance(node.target, cst.Name) and isinstance(node.operator, cst.AddAssign):
            step = _literal_int(node.value)
            if step == 1:
                steps[node.target.value] = steps.get(node.target.value, 0) + 1
    best: int | None = None
    for comparison in _conjuncts(loop.test):
        if not isinstance(comparison, cst.Comparison) or len(comparison.comparisons) != 1:
            continue
        target = comparison.comparisons[0]
        left, right, operator = comparison.left, target.comparator, target.operator
        if isinstance(right, cst.Name) and right.value in steps and not isinstance(left, cst.Name):
            left, right = right, left
            operator = {cst.GreaterThan: cst.LessThan(), cst.GreaterThanEqual: cst.LessThanEqual()}.get(
                type(operator), operator)
        if not (isinstance(left, cst.Name) and steps.get(left.value) == 1):
            continue
        if not isinstance(operator, (cst.LessThan, cst.LessThanEqual)):
            continue
        start = _initial_value(resolver, left.value, loop, scope)
        try:
            limit = evaluator.value(right)
        except Unknown:
            continue
        if isinstance(start, int) and isinstance(limit, int) and not isinstance(limit, bool):
            rounds = max(limit - start + (1 if isinstance(operator, cst.LessThanEqual) else 0), 0)
            best = rounds if best is None else min(best, rounds)
    return best


def _conjuncts(test: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        yield from _conjuncts(test.left)
        yield from _conjuncts(test.right)
    else:
        yield test


def _initial_value(resolver: Resolver, name: str, loop: cst.While, scope: Scope) -> int | None:
    order = resolver.order_of.get(loop)
    if order is None:
        return None
    before = [b for b in scope.bindings.get(name, []) if b.order < order]
    if not before or before[-1].value is None:
        return None
    return _literal_int(before[-1].value)


def _literal_int(node: cst.BaseExpression | None) -> int | None:
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0)
    return None


def bounded(resolver: Resolver, loop: cst.For | cst.While, walker: LoopWalker, loop_counters: set[str],
            scope: Scope) -> bool:
    if isinstance(loop, cst.For):
        iterator = loop.iter
        if isinstance(iterator, cst.Call):
            qualified = resolver.qualified_name(iterator.func, scope) or ""
            return qualified not in ("itertools.count", "itertools.repeat", "itertools.cycle")
        return True
    if names_in(loop.test) & loop_counters or mentions_time(loop.test):
        return True
    for node in walker.of(cst.If):
        if (names_in(node.test) & loop_counters or mentions_time(node.test)) and mentions_exit(node.body):
            return True
    return False


def mentions_time(node: cst.CSTNode) -> bool:
    """A clock read (`time.monotonic()`, `datetime.now()`) or a deadline / timeout / elapsed value."""
    for current in LoopWalker(node).nodes:
        if isinstance(current, cst.Call) and callee_name(current) in _CLOCKS:
            return True
        identifier = current.value if isinstance(current, cst.Name) else None
        if identifier is not None and any(word in identifier.lower() for word in _TIME_WORDS):
            return True
    return False


def largest_wait(sleeps: Sequence[cst.Call], walker: LoopWalker, loop_counters: set[str], rounds: int | None,
                 evaluator: Evaluator) -> float | None:
    """The last wait of a counted loop, its sleep argument evaluated with the counter's last value."""
    if rounds is None or len(loop_counters) != 1:
        return None
    counter = next(iter(loop_counters))
    assigned = assignments(walker)
    largest = None
    for sleep in sleeps:
        argument = sleep_argument(sleep)
        if argument is None:
            continue
        try:
            value = _LoopValues(evaluator, assigned, {counter: max(rounds - 1, 0)}).value(argument)
        except (Unknown, RecursionError):
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            largest = max(largest or 0.0, float(value))
    return largest


class _LoopValues(Evaluator):
    """Values with the counter fixed and names assigned once in the loop replaced by their value."""

    def __init__(self, base: Evaluator, assigned: Mapping[str, list[cst.BaseExpression]], fixed: dict[str, Any]) -> None:
        super().__init__({**base.constants, **fixed}, base.qualified, base.names)
        self._assigned = assigned
        self._fixed = fixed
        self._depth = 0

    def _name(self, name: str, status: int | None) -> Any:
        values = self._assigned.get(name, [])
        if name not in self._fixed and len(values) == 1 and self._depth < 4:
            self._depth += 1
            try:
                return self.value(values[0], status)
            finally:
                self._depth -= 1
        return super()._name(name, status)
