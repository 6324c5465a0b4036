"""tenacity (`@retry`, `Retrying`) and backoff (`@on_exception`, `@on_predicate`) configurations.

Which statuses a configuration retries is read from the callables it is given: tenacity's
`retry_if_result(pred)` / `retry_if_exception(pred)` and backoff's `predicate=` / `giveup=`, each a
lambda or a function of the module (followed). Their status tests are evaluated on the tree.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from apilint.knowledge.exceptions import hierarchy
from apilint.knowledge.retries import RETRY_AFTER_STATUSES, STATUS_ERROR_CLASSES, TENACITY_MAX_WAIT
from apilint.semantic.exceptions import ExceptionResolver
from apilint.semantic.loop_walk import LoopWalker
from apilint.semantic.names import is_none, keyword_arg
from apilint.semantic.resolve import Resolver
from apilint.semantic.retry_facts import Backoff, RetryFacts
from apilint.semantic.retry_helpers import helpers_called, reads_retry_after
from apilint.semantic.retry_status import Evaluator, StatusNames, Unknown, module_constants
from apilint.semantic.scope import BindingKind, FunctionScope, Scope

_GROWING_TENACITY = frozenset({"wait_exponential", "wait_random_exponential", "wait_exponential_jitter",
                               "wait_full_jitter", "wait_incrementing"})
_RANDOM_TENACITY = frozenset({"wait_random", "wait_random_exponential", "wait_exponential_jitter", "wait_full_jitter"})
_CONSTANT_TENACITY = frozenset({"wait_fixed", "wait_none"})


def _literal(node: cst.BaseExpression | None) -> Any:
    if node is None:
        return None
    try:
        return Evaluator({}, lambda e: None).value(node)
    except Unknown:
        return None


def _number(node: cst.BaseExpression | None, default: float) -> float | None:
    if node is None:
        return default
    value = _literal(node)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# -- tenacity -----------------------------------------------------------------

def tenacity_facts(resolver: Resolver, node: cst.CSTNode, call: cst.Call | None, scope: Scope,
                   function: cst.CSTNode | None, target_version: str) -> RetryFacts:
    facts = RetryFacts(node, "tenacity")
    kw = {a.keyword.value: a.value for a in (call.args if call else []) if a.keyword is not None}
    waits = _tenacity_calls(resolver, kw.get("wait"), scope)
    names = {name for name, _ in waits}
    if not names or names <= _CONSTANT_TENACITY:
        facts.backoff = Backoff.CONSTANT if names else Backoff.NONE
    elif "unknown" in names:
        facts.backoff = Backoff.UNKNOWN
    elif names & _GROWING_TENACITY:
        facts.backoff = Backoff.GROWING
    else:
        facts.backoff = Backoff.UNKNOWN
    facts.jitter = None if facts.backoff is Backoff.UNKNOWN else bool(names & _RANDOM_TENACITY)
    growing = [c for name, c in waits if name in _GROWING_TENACITY]
    facts.capped = bool(growing) and all(keyword_arg(c, "max") is not None for c in growing)
    stop = kw.get("stop")
    attempts = _stop_attempts(resolver, stop, scope)
    facts.bounded = stop is not None
    facts.at_most_one_retry = attempts is not None and attempts <= 2
    if growing and not facts.capped and attempts is not None:
        first = growing[0]
        multiplier_arg, base_arg = keyword_arg(first, "multiplier"), keyword_arg(first, "exp_base")
        multiplier = _number(multiplier_arg.value if multiplier_arg else None, 1)
        base = _number(base_arg.value if base_arg else None, 2)
        if multiplier is not None and base is not None:
            facts.max_wait = min(TENACITY_MAX_WAIT, multiplier * base ** min(max(attempts - 2, 0), 64))
    elif growing and not facts.capped and stop is not None:
        facts.max_wait = _stop_delay(resolver, stop, scope)
    raises = _raises_for_status(function)
    predicate = kw.get("retry")
    if predicate is None:
        facts.any_client_error = raises  # the default retries on every exception
    else:
        classes = _tenacity_exception_classes(resolver, predicate, scope)
        covered, explicit = _covers_status_errors(resolver, classes, scope, target_version)
        facts.any_client_error = explicit or (covered and raises)
        retried, named = _tenacity_statuses(resolver, predicate, scope)
        wait_reads = "unknown" in names or _custom_wait_reads_retry_after(resolver, kw.get("wait"), scope)
        facts.retry_after_ignored = bool(retried & RETRY_AFTER_STATUSES) and named and not wait_reads
    return facts


def _tenacity_calls(resolver: Resolver, expr: cst.BaseExpression | None, scope: Scope) -> list[tuple[str, cst.Call]]:
    """`wait_exponential(...) + wait_random(...)` -> [("wait_exponential", call), ("wait_random", call)]."""
    if expr is None:
        return []
    if isinstance(expr, cst.BinaryOperation):
        return _tenacity_calls(resolver, expr.left, scope) + _tenacity_calls(resolver, expr.right, scope)
    if isinstance(expr, cst.Call):
        name = resolver.qualified_name(expr.func, scope) or ""
        if name.startswith("tenacity."):
            return [(name.rsplit(".", 1)[1], expr)]
    return [("unknown", cst.Call(func=cst.Name("unknown")))]


def _custom_wait_reads_retry_after(resolver: Resolver, expr: cst.BaseExpression | None, scope: Scope) -> bool:
    return expr is not None and reads_retry_after(expr)


def _stop_attempts(resolver: Resolver, expr: cst.BaseExpression | None, scope: Scope) -> int | None:
    if isinstance(expr, cst.BinaryOperation) and not isinstance(expr.operator, cst.BitOr):
        return None
    found = [c for name, c in _tenacity_calls(resolver, expr, scope) if name == "stop_after_attempt"]
    values = [_literal(c.args[0].value) for c in found if c.args]
    ints = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return min(ints) if ints else None


def _stop_delay(resolver: Resolver, expr: cst.BaseExpression | None, scope: Scope) -> float | None:
    found = [c for name, c in _tenacity_calls(resolver, expr, scope) if name == "stop_after_delay"]
    values = [_number(c.args[0].value, 0) for c in found if c.args]
    numbers = [v for v in values if v is not None]
    return min(numbers) if numbers else None


def _tenacity_exception_classes(resolver: Resolver, expr: cst.BaseExpression, scope: Scope) -> list[cst.BaseExpression] | None:
    """Classes named by `retry_if_exception_type(...)` (combined with `|`); None when unknown."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        left = _tenacity_exception_classes(resolver, expr.left, scope)
        right = _tenacity_exception_classes(resolver, expr.right, scope)
        return (left or []) + (right or []) if left is not None or right is not None else None
    if isinstance(expr, cst.Call) and (resolver.qualified_name(expr.func, scope) or "").endswith("retry_if_exception_type"):
        if not expr.args:
            return [cst.Name("Exception")]
        value = expr.args[0].value
        return [el.value for el in value.elements] if isinstance(value, cst.Tuple) else [value]
    return None


def _tenacity_statuses(resolver: Resolver, expr: cst.BaseExpression, scope: Scope) -> tuple[frozenset[int], bool]:
    """Statuses `retry=` retries through `retry_if_result(pred)` / `retry_if_exception(pred)`, and
    whether a predicate names 429/503."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        left, right = _tenacity_statuses(resolver, expr.left, scope), _tenacity_statuses(resolver, expr.right, scope)
        return left[0] | right[0], left[1] or right[1]
    if isinstance(expr, cst.Call) and expr.args:
        name = (resolver.qualified_name(expr.func, scope) or "").rsplit(".", 1)[-1]
        role = {"retry_if_result": "response", "retry_if_exception": "error"}.get(name)
        if role is not None:
            found = predicate_statuses(resolver, expr.args[0].value, scope, role)
            if found is not None:
                return found.true, found.named
    return frozenset(), False


# -- predicates (tenacity and backoff) ----------------------------------------------

class PredicateStatuses:
    def __init__(self, true: frozenset[int], false: frozenset[int], named: bool) -> None:
        self.true, self.false, self.named = true, false, named


def predicate_statuses(resolver: Resolver, expr: cst.BaseExpression, scope: Scope, role: str) -> PredicateStatuses | None:
    """For a one-argument predicate (a lambda, or a module function returning one expression):
    the statuses where it is true / false, its argument seen as a response or a caught error."""
    body, parameter, body_scope = _predicate_body(resolver, expr, scope)
    if body is None or parameter is None:
        return None
    names = StatusNames(responses={parameter} if role == "response" else set(),
                        errors={parameter} if role == "error" else set())

    def qualified(e: cst.BaseExpression) -> str | None:
        return resolver.qualified_name(e, body_scope)

    evaluator = Evaluator(module_constants(resolver.model.module_scope, qualified), qualified, names)
    try:
        test = evaluator.truth_test(body)
    except Unknown:
        return None
    if test is None:
        return None
    return PredicateStatuses(test.true, test.false, evaluator.names_status(body, RETRY_AFTER_STATUSES))


def _predicate_body(resolver: Resolver, expr: cst.BaseExpression,
                    scope: Scope) -> tuple[cst.BaseExpression | None, str | None, Scope]:
    if isinstance(expr, cst.Lambda):
        params = expr.params.params
        return (expr.body, params[0].name.value, scope) if len(params) == 1 else (None, None, scope)
    if isinstance(expr, cst.Name):
        bindings = resolver.lookup(expr.value, scope, None)
        if len(bindings) == 1 and bindings[0].kind is BindingKind.FUNCTION and isinstance(bindings[0].definition, FunctionScope):
            helper = bindings[0].definition
            function = helper.node
            if isinstance(function, cst.FunctionDef) and len(function.params.params) == 1:
                returns = [r.value for r in LoopWalker(function.body, enter_loops=True).of(cst.Return) if r.value is not None]
                if len(returns) == 1:
                    return returns[0], function.params.params[0].name.value, helper
    return None, None, scope


def _covers_status_errors(resolver: Resolver, classes: list[cst.BaseExpression] | None, scope: Scope,
                          target_version: str) -> tuple[bool, bool]:
    """(some class covers HTTP status errors, some class *is* one named explicitly)."""
    if not classes:
        return False, False
    table = hierarchy(target_version)
    exceptions = ExceptionResolver(resolver, table)
    covered = explicit = False
    for expr in classes:
        caught = exceptions.resolve(expr, scope)
        for error in STATUS_ERROR_CLASSES:
            canonical = table.canonical(error)
            if canonical is None or caught.canonical is None:
                continue
            if caught.canonical in table.ancestors(canonical):
                covered = True
                explicit = explicit or caught.canonical == canonical
    return covered, explicit


def _raises_for_status(function: cst.CSTNode | None) -> bool:
    calls = LoopWalker(function, enter_loops=True).of(cst.Call) if function is not None else iter(())
    return any(isinstance(c.func, cst.Attribute) and c.func.attr.value == "raise_for_status" for c in calls)


# -- backoff ------------------------------------------------------------------

def backoff_facts(resolver: Resolver, node: cst.Decorator, call: cst.Call, qualified: str, scope: Scope,
                  function: cst.CSTNode | None, target_version: str) -> RetryFacts:
    facts = RetryFacts(node, "backoff")
    kw = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    wait_gen = kw.get("wait_gen", positional[0] if positional else None)
    gen = resolver.qualified_name(wait_gen, scope) if wait_gen is not None else None
    if gen == "backoff.constant":
        facts.backoff = Backoff.CONSTANT
    elif gen in ("backoff.expo", "backoff.fibo"):
        facts.backoff = Backoff.GROWING
    elif gen == "backoff.runtime":
        facts.backoff = Backoff.SERVER if _runtime_reads_retry_after(kw.get("value")) else Backoff.UNKNOWN
    jitter = kw.get("jitter")
    facts.jitter = not (jitter is not None and is_none(jitter))
    facts.bounded = "max_tries" in kw or "max_time" in kw
    facts.capped = "max_value" in kw
    tries = _literal(kw.get("max_tries"))
    facts.at_most_one_retry = isinstance(tries, int) and not isinstance(tries, bool) and tries <= 2
    if gen == "backoff.expo" and not facts.capped and isinstance(tries, int) and not isinstance(tries, bool):
        factor, base = _number(kw.get("factor"), 1), _number(kw.get("base"), 2)
        if factor is not None and base is not None:
            facts.max_wait = factor * base ** min(max(tries - 2, 0), 64)
    on_exception = qualified.endswith("on_exception")
    if on_exception and "giveup" not in kw:
        exception = kw.get("exception", positional[1] if len(positional) > 1 else None)
        if exception is not None:
            classes = [el.value for el in exception.elements] if isinstance(exception, cst.Tuple) else [exception]
            covered, explicit = _covers_status_errors(resolver, classes, scope, target_version)
            facts.any_client_error = explicit or (covered and _raises_for_status(function))
    retried, named = _backoff_statuses(resolver, kw, scope, on_exception)
    if facts.backoff in (Backoff.CONSTANT, Backoff.GROWING) and named and retried & RETRY_AFTER_STATUSES:
        facts.retry_after_ignored = True
    return facts


def _runtime_reads_retry_after(value: cst.BaseExpression | None) -> bool:
    return value is not None and reads_retry_after(value)


def _backoff_statuses(resolver: Resolver, kw: dict[str, cst.BaseExpression], scope: Scope,
                      on_exception: bool) -> tuple[frozenset[int], bool]:
    """on_predicate: statuses where `predicate=` is true; on_exception: where `giveup=` is false."""
    if on_exception and "giveup" in kw:
        found = predicate_statuses(resolver, kw["giveup"], scope, "error")
        return (found.false, found.named) if found is not None else (frozenset(), False)
    if not on_exception and "predicate" in kw:
        found = predicate_statuses(resolver, kw["predicate"], scope, "response")
        return (found.true, found.named) if found is not None else (frozenset(), False)
    return frozenset(), False


__all__ = ["backoff_facts", "helpers_called", "predicate_statuses", "tenacity_facts"]
