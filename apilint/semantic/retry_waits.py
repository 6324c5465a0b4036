"""The wait between attempts of a retry loop (its bounds: `retry_bounds.py`).

Everything is read from the syntax tree. A wait is a call to a sleep function on a path through the
loop (nested loops included), or a helper of the module that sleeps (followed, with its parameters
bound to the call's arguments). A wait that grows depends on the attempt counter or on a delay
variable the loop updates; one computed by code that cannot be read is unknown (principle 1).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst

from apilint.knowledge.retries import RANDOM_MODULES
from apilint.semantic.loop_walk import LoopWalker, callee_name, names_in
from apilint.semantic.resolve import Resolver
from apilint.semantic.retry_facts import Backoff, RetryFacts
from apilint.semantic.retry_helpers import MAX_DEPTH, helpers_called, is_sleep, reads_retry_after
from apilint.semantic.retry_status import Evaluator, Unknown
from apilint.semantic.scope import FunctionScope, Scope

_GROWING_OPERATORS = (cst.Power, cst.Multiply, cst.LeftShift)
_ARITHMETIC = frozenset({"min", "max", "float", "int", "abs", "round"})


@dataclass
class Context:
    """Where an expression is read: the loop's function, or a helper it calls."""

    scope: Scope
    assigned: Mapping[str, list[cst.BaseExpression]]  # names assigned in the loop / the helper
    counters: set[str] = field(default_factory=set)  # loop counters (loop context only)
    updated: set[str] = field(default_factory=set)  # names and `self.x` the loop grows from themselves
    unsure: set[str] = field(default_factory=set)  # ... updates from themselves by an unknown step
    params: Mapping[str, cst.BaseExpression] = field(default_factory=dict)  # helper parameter -> argument
    caller: Context | None = None
    depth: int = 0


@dataclass
class Reading:
    """What the contributors of one wait expression show."""

    grows: bool = False
    jitter: bool = False
    capped: bool = False
    server: bool = False  # from Retry-After
    unknown: bool = False
    indexed: bool = False  # picked from a table by the counter: growth unknown


# -- the loop's own names -----------------------------------------------------------

def counters(loop: cst.For | cst.While, walker: LoopWalker) -> set[str]:
    found = set()
    if isinstance(loop, cst.For):
        found |= names_in(loop.target)
    for node in walker.of(cst.AugAssign):
        if isinstance(node.target, cst.Name) and isinstance(node.operator, (cst.AddAssign, cst.SubtractAssign)):
            found.add(node.target.value)
    return found


def assignments(nodes: LoopWalker) -> dict[str, list[cst.BaseExpression]]:
    """Name (or `self.x`) -> every value assigned to it in these nodes (augmented ones included)."""
    found: dict[str, list[cst.BaseExpression]] = {}
    for node in nodes.nodes:
        if isinstance(node, cst.Assign):
            for target in node.targets:
                key = _target_key(target.target)
                if key is not None:
                    found.setdefault(key, []).append(node.value)
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign)) and node.value is not None:
            key = _target_key(node.target)
            if key is not None:
                found.setdefault(key, []).append(node.value)
        elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
            found.setdefault(node.target.value, []).append(node.value)
    return found


def _target_key(target: cst.BaseExpression) -> str | None:
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
        return f"{target.value.value}.{target.attr.value}"
    return None


def updated_names(walker: LoopWalker, assigned: Mapping[str, list[cst.BaseExpression]],
                  evaluator: Evaluator) -> tuple[set[str], set[str]]:
    """Names the loop changes from their own value: (provably growing, growth unknown).

    `delay *= 2`, `delay = min(delay * 2, 30)`, `n += 1` grow; `pause *= self.multiplier` may not
    (the multiplier may be 1): unknown (principle 1)."""
    growing: set[str] = set()
    unsure: set[str] = set()
    for node in walker.of(cst.AugAssign):
        key = _target_key(node.target)
        if key is not None:
            grows = _grows_by(node.operator, node.value, evaluator)
            if grows:
                growing.add(key)
            elif grows is None:
                unsure.add(key)
    for key, values in assigned.items():
        for value in values:
            if key not in _keys_in(value) or isinstance(value, cst.BaseExpression) and _is_aug_value(walker, value):
                continue
            steps = [_grows_by(op.operator, other, evaluator) for op, other in _self_steps(value, key)]
            if any(steps):
                growing.add(key)
            else:
                unsure.add(key)
    return growing, unsure - growing


def _is_aug_value(walker: LoopWalker, value: cst.BaseExpression) -> bool:
    return any(node.value is value for node in walker.of(cst.AugAssign))


def _self_steps(value: cst.BaseExpression, key: str) -> Iterator[tuple[cst.BinaryOperation, cst.BaseExpression]]:
    """`delay * 2` in `min(delay * 2, 30)`: each operation applied to the name, with its other side."""
    for node in LoopWalker(value).of(cst.BinaryOperation):
        if key in _keys_in(node.left) and key not in _keys_in(node.right):
            yield node, node.right
        elif key in _keys_in(node.right) and key not in _keys_in(node.left) and not isinstance(
                node.operator, (cst.Power, cst.LeftShift, cst.Subtract, cst.Divide, cst.FloorDivide)):
            yield node, node.left


def _grows_by(operator: cst.CSTNode, other: cst.BaseExpression, evaluator: Evaluator) -> bool | None:
    try:
        amount = evaluator.value(other)
    except (Unknown, RecursionError):
        return None
    if not isinstance(amount, (int, float)) or isinstance(amount, bool):
        return None
    if isinstance(operator, (cst.AddAssign, cst.Add, cst.LeftShiftAssign, cst.LeftShift)):
        return amount > 0
    if isinstance(operator, (cst.MultiplyAssign, cst.Multiply, cst.PowerAssign, cst.Power)):
        return amount > 1
    return False


def _keys_in(node: cst.CSTNode) -> set[str]:
    """Bare names and `self.x`-style attributes read in `node`."""
    found = names_in(node)
    for current in LoopWalker(node).of(cst.Attribute):
        if isinstance(current.value, cst.Name):
            found.add(f"{current.value.value}.{current.attr.value}")
    return found


# -- waits ----------------------------------------------------------------------------

def wait(resolver: Resolver, facts: RetryFacts, loop: cst.For | cst.While, requests: Sequence[cst.Call],
         scope: Scope, loop_counters: set[str], evaluator: Evaluator) -> list[cst.Call]:
    """Set the loop's backoff and jitter; return the sleep calls made in the loop itself."""
    walker = LoopWalker(loop.body, enter_loops=True)
    assigned = assignments(walker)
    growing, unsure = updated_names(walker, assigned, evaluator)
    context = Context(scope, assigned, loop_counters, growing, unsure)
    skip = _skipped(requests, walker)
    sleeps: list[cst.Call] = []
    readings: list[Reading] = []
    unknown = False
    for call in walker.of(cst.Call):
        if id(call) in skip:
            continue
        if is_sleep(resolver, call, scope):
            sleeps.append(call)
            readings.append(_sleep_reading(resolver, call, context))
            continue
        helper_readings = _helper_waits(resolver, call, context)
        if helper_readings is None:
            unknown = True
        else:
            readings += helper_readings
    _conclude(facts, readings, unknown)
    return sleeps


def _skipped(requests: Sequence[cst.Call], walker: LoopWalker) -> set[int]:
    """Calls that are not waits: the requests and what they are given, what a sleep is given
    (read as its argument), and calls in a `raise` (the loop is left)."""
    skip: set[int] = set()
    roots: list[cst.CSTNode] = [*requests, *walker.of(cst.Raise)]
    for root in roots:
        skip.update(id(n) for n in LoopWalker(root).of(cst.Call))
    return skip


def _conclude(facts: RetryFacts, readings: Sequence[Reading], unknown: bool) -> None:
    if any(r.server for r in readings):
        facts.backoff = Backoff.SERVER
    elif unknown or any(r.unknown or r.indexed for r in readings):
        facts.backoff = Backoff.UNKNOWN
    elif any(r.grows for r in readings):
        facts.backoff = Backoff.GROWING
    elif readings:
        facts.backoff = Backoff.CONSTANT
    else:
        facts.backoff = Backoff.NONE
    facts.jitter = None if facts.backoff is Backoff.UNKNOWN else any(r.jitter for r in readings)
    facts.capped = any(r.capped for r in readings)


def _sleep_reading(resolver: Resolver, call: cst.Call, context: Context) -> Reading:
    argument = sleep_argument(call)
    reading = Reading()
    if argument is None:
        reading.unknown = True
        return reading
    _read(resolver, argument, context, reading, set())
    return reading


def sleep_argument(call: cst.Call) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None or arg.keyword.value in ("secs", "seconds", "delay"):
            return arg.value
    return None


def _helper_waits(resolver: Resolver, call: cst.Call, context: Context) -> list[Reading] | None:
    """The waits a call makes inside the module's helpers it runs; None when it runs unread code."""
    helpers = helpers_called(resolver, call, context.scope)
    if helpers is None or (helpers and context.depth >= MAX_DEPTH):
        return None
    readings: list[Reading] = []
    for helper in helpers:
        inner = _helper_context(helper, call, context)
        body = helper.node.body if isinstance(helper.node, cst.FunctionDef) else helper.node
        walker = LoopWalker(body, enter_loops=True)
        skip = _skipped((), walker)
        for inner_call in walker.of(cst.Call):
            if id(inner_call) in skip:
                continue
            if is_sleep(resolver, inner_call, helper):
                readings.append(_sleep_reading(resolver, inner_call, inner))
                continue
            nested = _helper_waits(resolver, inner_call, inner)
            if nested is None:
                return None
            readings += nested
    return readings


def _helper_context(helper: FunctionScope, call: cst.Call, caller: Context) -> Context:
    body = helper.node.body if isinstance(helper.node, cst.FunctionDef) else helper.node
    return Context(helper, assignments(LoopWalker(body, enter_loops=True)), params=_bind(helper, call),
                   caller=caller, depth=caller.depth + 1)


def _bind(helper: FunctionScope, call: cst.Call) -> dict[str, cst.BaseExpression]:
    """Parameter -> argument expression of `call` (skipping `self` of a method)."""
    function = helper.node
    if not isinstance(function, cst.FunctionDef):
        return {}
    params = [p.name.value for p in (*function.params.posonly_params, *function.params.params)]
    if helper.self_name is not None and params and params[0] == helper.self_name:
        params = params[1:]
    bound: dict[str, cst.BaseExpression] = {}
    positional = [a for a in call.args if a.keyword is None and not a.star]
    for name, arg in zip(params, positional):
        bound[name] = arg.value
    for arg in call.args:
        if arg.keyword is not None:
            bound[arg.keyword.value] = arg.value
    return bound


def _read(resolver: Resolver, node: cst.CSTNode, context: Context, reading: Reading, seen: set[tuple[int, str]]) -> None:
    """Fold what `node` and the values it reads (loop/helper assignments, bound parameters) show."""
    if reads_retry_after(node):
        reading.server = True
    for current in LoopWalker(node).nodes:
        if isinstance(current, cst.BinaryOperation) and isinstance(current.operator, _GROWING_OPERATORS):
            reading.grows = reading.grows or bool(_keys_in(current) & (context.counters | context.updated))
        if isinstance(current, cst.Subscript) and _keys_in(current.slice[0] if current.slice else current) & context.counters:
            reading.indexed = True
        if isinstance(current, cst.Call):
            _read_call(resolver, current, context, reading, seen)
    keys = _keys_in(node)
    if keys & context.counters or keys & context.updated:
        reading.grows = True
    if keys & context.unsure:
        reading.unknown = True
    if any("jitter" in key.lower() for key in keys):
        reading.jitter = True
    for key in keys:
        if (id(context), key) in seen:
            continue
        seen.add((id(context), key))
        if key in context.assigned:
            for value in context.assigned[key]:
                _read(resolver, value, context, reading, seen)
        elif key in context.params and context.caller is not None:
            _read(resolver, context.params[key], context.caller, reading, seen)


def _read_call(resolver: Resolver, call: cst.Call, context: Context, reading: Reading, seen: set[tuple[int, str]]) -> None:
    name = callee_name(call)
    qualified = resolver.qualified_name(call.func, context.scope) or ""
    if qualified.startswith(RANDOM_MODULES) or "jitter" in name.lower():
        reading.jitter = True
        return
    if name == "min" and isinstance(call.func, cst.Name):
        reading.capped = True
        return
    if name in _ARITHMETIC and isinstance(call.func, cst.Name):
        return
    if context.depth >= MAX_DEPTH:
        reading.unknown = True
        return
    helpers = helpers_called(resolver, call, context.scope)
    if helpers is None:
        reading.unknown = True
        return
    for helper in helpers:  # the value is what the helper returns
        inner = _helper_context(helper, call, context)
        returns = [r.value for r in LoopWalker(helper.node, enter_loops=True).of(cst.Return) if r.value is not None]
        for value in returns:
            _read(resolver, value, inner, reading, seen)
