"""Library retry configurations: urllib3 `Retry`, `HTTPAdapter(max_retries=N)`, httpx transports,
tenacity and backoff, reduced to RetryFacts with each library's real defaults."""

from __future__ import annotations

from typing import Any

import libcst as cst

from apilint.knowledge.exceptions import hierarchy
from apilint.knowledge.retries import (
    BACKOFF_DECORATORS,
    HTTP_ADAPTERS,
    HTTPX_TRANSPORTS,
    NON_IDEMPOTENT_METHODS,
    RETRY_AFTER_STATUSES,
    RETRYABLE_CLIENT_ERRORS,
    STATUS_ERROR_CLASSES,
    TENACITY_DECORATORS,
    TENACITY_MAX_WAIT,
    TENACITY_OBJECTS,
    URLLIB3_RETRY,
    URLLIB3_RETRY_DEFAULTS,
    URLLIB3_RETRY_POSITIONAL,
)
from apilint.semantic.evaluate import int_set
from apilint.semantic.exceptions import ExceptionResolver
from apilint.semantic.names import is_none, keyword_arg, string_value
from apilint.semantic.resolve import Resolver
from apilint.semantic.retry_facts import Backoff, RetryFacts
from apilint.semantic.scope import BindingKind, FunctionScope, Scope

_CODE = cst.Module([])
_GROWING_TENACITY = frozenset({"wait_exponential", "wait_random_exponential", "wait_exponential_jitter",
                               "wait_full_jitter", "wait_incrementing"})
_RANDOM_TENACITY = frozenset({"wait_random", "wait_random_exponential", "wait_exponential_jitter", "wait_full_jitter"})
_CAPPED_BY_MAX = frozenset({"wait_exponential", "wait_random_exponential", "wait_exponential_jitter",
                            "wait_full_jitter", "wait_incrementing"})


def literal(node: cst.BaseExpression | None) -> Any:
    """The value of a simple literal (number, True/False/None, string), else a sentinel."""
    if node is None:
        return _UNKNOWN
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0)
    if isinstance(node, cst.Float):
        return float(node.value.replace("_", ""))
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        value = literal(node.expression)
        return -value if isinstance(value, (int, float)) else _UNKNOWN
    text = string_value(node)
    return text if text is not None else _UNKNOWN


_UNKNOWN = object()


def module_constants(resolver: Resolver) -> dict[str, Any]:
    """Module-level names bound once to a literal collection of ints (`RETRY_CODES = {429, 503}`)."""
    found: dict[str, Any] = {}
    for name, bindings in resolver.model.module_scope.bindings.items():
        if len(bindings) == 1 and bindings[0].kind is BindingKind.ASSIGN and bindings[0].value is not None:
            codes = int_set(_CODE.code_for_node(bindings[0].value))
            if codes is not None:
                found[name] = set(codes)
    return found


def _arguments(call: cst.Call, positional: tuple[str, ...]) -> dict[str, cst.Arg] | None:
    """Arguments by parameter name; None when `*args`/`**kwargs` hide some."""
    named: dict[str, cst.Arg] = {}
    index = 0
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is not None:
            named[arg.keyword.value] = arg
        elif index < len(positional):
            named[positional[index]] = arg
            index += 1
    return named


def config_facts(resolver: Resolver, node: cst.CSTNode, scope: Scope, max_delay: float,
                 target_version: str) -> RetryFacts | None:
    """Facts for a Retry/HTTPAdapter/transport/Retrying call or a tenacity/backoff decorator."""
    if isinstance(node, cst.Decorator):
        expr = node.decorator
        call = expr if isinstance(expr, cst.Call) else None
        qualified = resolver.qualified_name(call.func if call else expr, scope)
        function = node_function(resolver, node)
        if qualified in TENACITY_DECORATORS:
            return _tenacity(resolver, node, call, scope, function, max_delay, target_version)
        if qualified in BACKOFF_DECORATORS and call is not None:
            return _backoff(resolver, node, call, qualified or "", scope, function, max_delay, target_version)
        return None
    if not isinstance(node, cst.Call):
        return None
    qualified = resolver.qualified_name(node.func, scope)
    if qualified in URLLIB3_RETRY:
        return _urllib3(resolver, node, max_delay)
    if qualified in HTTP_ADAPTERS:
        return _immediate_retries(node, "max_retries", "adapter")
    if qualified in HTTPX_TRANSPORTS:
        return _immediate_retries(node, "retries", "transport")
    if qualified in TENACITY_OBJECTS:
        function = scope.node if isinstance(scope, FunctionScope) else None
        return _tenacity(resolver, node, node, scope, function, max_delay, target_version)
    return None


def _immediate_retries(call: cst.Call, keyword: str, kind: str) -> RetryFacts | None:
    """`HTTPAdapter(max_retries=3)`, `httpx.HTTPTransport(retries=3)`: retries with no wait at all."""
    retries = keyword_arg(call, keyword)
    value = literal(retries.value) if retries is not None else _UNKNOWN
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return RetryFacts(call, kind, backoff=Backoff.NONE, bounded=True)
    return None


def node_function(resolver: Resolver, decorator: cst.Decorator) -> cst.CSTNode | None:
    parent = resolver.parent_of.get(decorator)
    return parent if isinstance(parent, cst.FunctionDef) else None


# -- urllib3 ------------------------------------------------------------------

def _urllib3(resolver: Resolver, call: cst.Call, max_delay: float) -> RetryFacts | None:
    args = _arguments(call, URLLIB3_RETRY_POSITIONAL)
    if args is None:
        return None
    value = {name: (literal(arg.value) if arg is not None else _UNKNOWN) for name, arg in args.items()}
    counts = [value.get(k, _UNKNOWN) for k in ("total", "connect", "read", "status", "other") if k in args]
    total = value.get("total", URLLIB3_RETRY_DEFAULTS["total"]) if "total" in args else URLLIB3_RETRY_DEFAULTS["total"]
    if counts and all(c in (0, False) for c in counts) and ("total" in args):
        return None  # retries switched off
    facts = RetryFacts(call, "urllib3", call=call)
    factor = value.get("backoff_factor", 0.0) if "backoff_factor" in args else 0.0
    facts.backoff_factor_arg = args.get("backoff_factor")
    if factor in (0, 0.0, None, False):
        facts.backoff = Backoff.NONE
    elif "backoff_max" in args and _same(args["backoff_max"].value, args["backoff_factor"].value):
        facts.backoff = Backoff.CONSTANT  # capped at the first wait: every wait is the same
    else:
        facts.backoff = Backoff.GROWING
    jitter = value.get("backoff_jitter", 0.0) if "backoff_jitter" in args else 0.0
    facts.jitter = jitter not in (0, 0.0, None, False)
    facts.capped = "backoff_max" in args
    if total is None and not any(k in args for k in ("connect", "read", "status", "other")):
        facts.bounded = False
    else:
        facts.bounded = True
        if isinstance(total, int) and isinstance(factor, (int, float)) and not facts.capped and factor:
            cap = URLLIB3_RETRY_DEFAULTS["backoff_max"]
            facts.max_wait = min(cap, float(factor) * 2 ** min(max(total - 1, 0), 64))
    forcelist = args.get("status_forcelist")
    codes = _codes(resolver, forcelist.value) if forcelist is not None else None
    if codes:
        bad = frozenset(c for c in codes if 400 <= c < 500 and c not in RETRYABLE_CLIENT_ERRORS)
        facts.client_errors = bad
        facts.forcelist = forcelist.value if forcelist is not None else None
        respect = value.get("respect_retry_after_header", True) if "respect_retry_after_header" in args else True
        facts.retry_after_ignored = respect is False and bool(codes & RETRY_AFTER_STATUSES)
    methods = args.get("allowed_methods") or args.get("method_whitelist")
    if methods is not None:
        if is_none(methods.value) or literal(methods.value) is False:
            facts.non_idempotent = "every method"
        elif isinstance(methods.value, (cst.List, cst.Tuple, cst.Set)):
            names = {str(string_value(el.value) or "").upper() for el in methods.value.elements}
            unsafe = sorted(names & NON_IDEMPOTENT_METHODS)
            if unsafe:
                facts.non_idempotent = "/".join(unsafe)
    return facts


def _same(a: cst.BaseExpression, b: cst.BaseExpression) -> bool:
    return _CODE.code_for_node(a).strip() == _CODE.code_for_node(b).strip()


def _codes(resolver: Resolver, expr: cst.BaseExpression) -> frozenset[int] | None:
    names = module_constants(resolver)
    if isinstance(expr, cst.Name):
        bindings = resolver.lookup(expr.value, resolver.model.module_scope, None)
        if len(bindings) == 1 and bindings[0].value is not None:
            expr = bindings[0].value
    return int_set(_CODE.code_for_node(expr), names)


# -- tenacity -----------------------------------------------------------------

def _tenacity(resolver: Resolver, node: cst.CSTNode, call: cst.Call | None, scope: Scope,
              function: cst.CSTNode | None, max_delay: float, target_version: str) -> RetryFacts:
    facts = RetryFacts(node, "tenacity")
    kw = {a.keyword.value: a.value for a in (call.args if call else []) if a.keyword is not None}
    waits = _tenacity_calls(resolver, kw.get("wait"), scope)
    names = {name for name, _ in waits}
    if not names or names <= {"wait_fixed", "wait_none"}:
        facts.backoff = Backoff.CONSTANT if names else Backoff.NONE
    elif names & _GROWING_TENACITY:
        facts.backoff = Backoff.GROWING
    else:
        facts.backoff = Backoff.UNKNOWN
    facts.jitter = bool(names & _RANDOM_TENACITY)
    growing = [c for name, c in waits if name in _CAPPED_BY_MAX]
    facts.capped = bool(growing) and all(keyword_arg(c, "max") is not None for c in growing)
    stop = kw.get("stop")
    attempts = _stop_attempts(resolver, stop, scope)
    facts.bounded = stop is not None
    if growing and not facts.capped and attempts is not None:
        first = growing[0]
        multiplier_arg, base_arg = keyword_arg(first, "multiplier"), keyword_arg(first, "exp_base")
        multiplier = literal(multiplier_arg.value) if multiplier_arg is not None else 1
        base = literal(base_arg.value) if base_arg is not None else 2
        if isinstance(multiplier, (int, float)) and isinstance(base, (int, float)):
            facts.max_wait = min(TENACITY_MAX_WAIT, float(multiplier) * float(base) ** min(max(attempts - 2, 0), 64))
    elif growing and not facts.capped and stop is not None and _stop_delay(resolver, stop, scope) is not None:
        delay = _stop_delay(resolver, stop, scope)
        facts.max_wait = float(delay) if delay is not None else None
    raises = _raises_for_status(function)
    predicate = kw.get("retry")
    if predicate is None:
        covered = raises  # the default retries on every exception
        explicit = False
    else:
        classes = _tenacity_exception_classes(resolver, predicate, scope)
        covered, explicit = _covers_status_errors(resolver, classes, scope, target_version)
        covered = explicit or (covered and raises)
    facts.any_client_error = covered
    text = _CODE.code_for_node(predicate).lower() if predicate is not None else ""
    wait_text = _CODE.code_for_node(kw["wait"]).lower() if "wait" in kw else ""
    if ("429" in text or "503" in text) and "retry_after" not in wait_text and "retry-after" not in wait_text:
        facts.retry_after_ignored = True
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


def _stop_attempts(resolver: Resolver, expr: cst.BaseExpression | None, scope: Scope) -> int | None:
    found = [c for name, c in _tenacity_calls(resolver, expr, scope) if name == "stop_after_attempt"]
    if isinstance(expr, cst.BinaryOperation) and not isinstance(expr.operator, cst.BitOr):
        return None
    values = [literal(c.args[0].value) for c in found if c.args]
    ints = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return min(ints) if ints else None


def _stop_delay(resolver: Resolver, expr: cst.BaseExpression | None, scope: Scope) -> float | None:
    found = [c for name, c in _tenacity_calls(resolver, expr, scope) if name == "stop_after_delay"]
    values = [literal(c.args[0].value) for c in found if c.args]
    nums = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return min(nums) if nums else None


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


def _covers_status_errors(resolver: Resolver, classes: list[cst.BaseExpression] | None, scope: Scope,
                          target_version: str) -> tuple[bool, bool]:
    """(some class covers HTTP status errors, some class *is* one named explicitly)."""
    if not classes:
        return False, False
    exceptions = ExceptionResolver(resolver, hierarchy(target_version))
    table = hierarchy(target_version)
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
    return function is not None and ".raise_for_status(" in _CODE.code_for_node(function)


# -- backoff ------------------------------------------------------------------

def _backoff(resolver: Resolver, node: cst.Decorator, call: cst.Call, qualified: str, scope: Scope,
             function: cst.CSTNode | None, max_delay: float, target_version: str) -> RetryFacts:
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
        facts.backoff = Backoff.SERVER
    jitter = kw.get("jitter")
    facts.jitter = not (jitter is not None and is_none(jitter))
    facts.bounded = "max_tries" in kw or "max_time" in kw
    facts.capped = "max_value" in kw
    tries = literal(kw["max_tries"]) if "max_tries" in kw else _UNKNOWN
    if gen == "backoff.expo" and not facts.capped and isinstance(tries, int) and not isinstance(tries, bool):
        factor = literal(kw["factor"]) if "factor" in kw else 1
        base = literal(kw["base"]) if "base" in kw else 2
        if isinstance(factor, (int, float)) and isinstance(base, (int, float)):
            facts.max_wait = float(factor) * float(base) ** min(max(tries - 2, 0), 64)
    if qualified.endswith("on_exception") and "giveup" not in kw:
        exception = kw.get("exception", positional[1] if len(positional) > 1 else None)
        if exception is not None:
            classes = [el.value for el in exception.elements] if isinstance(exception, cst.Tuple) else [exception]
            covered, explicit = _covers_status_errors(resolver, classes, scope, target_version)
            facts.any_client_error = explicit or (covered and _raises_for_status(function))
    return facts


__all__ = ["RETRY_AFTER_STATUSES", "config_facts", "literal", "module_constants"]
