"""Library retry configurations: urllib3 `Retry`, `HTTPAdapter(max_retries=N)`, tenacity and
backoff, reduced to RetryFacts with each library's real defaults.

v2: httpx transports' `retries=` are not judged (httpcore backs off by itself); a `Retry` counts
only where it retries (`retry_usage.py`); `**kwargs` given to a configuration hides what it holds,
so it gives no opinion; urllib3 never waits before the first retry, so a configuration that
retries at most once has nothing to grow.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from apilint.knowledge.retries import (
    BACKOFF_DECORATORS,
    HTTP_ADAPTERS,
    NON_IDEMPOTENT_METHODS,
    RETRY_AFTER_STATUSES,
    RETRYABLE_CLIENT_ERRORS,
    REGISTERED_CLIENT_ERRORS,
    TENACITY_DECORATORS,
    TENACITY_OBJECTS,
    URLLIB3_2_ONLY_ARGUMENTS,
    URLLIB3_2_RETRY,
    URLLIB3_RETRY,
    URLLIB3_RETRY_DEFAULTS,
    URLLIB3_RETRY_POSITIONAL,
)
from apilint.semantic.names import is_none, keyword_arg
from apilint.semantic.resolve import Resolver
from apilint.semantic.retry_facts import Backoff, RetryFacts
from apilint.semantic.retry_libraries import backoff_facts, tenacity_facts
from apilint.semantic.retry_status import Evaluator, Unknown, module_constants
from apilint.semantic.retry_usage import retries_here
from apilint.semantic.scope import FunctionScope, Scope


def literal(node: cst.BaseExpression | None) -> Any:
    """The value of a simple literal (number, True/False/None, string), else a sentinel."""
    if node is None:
        return _UNKNOWN
    try:
        value = Evaluator({}, lambda e: None).value(node)
    except Unknown:
        return _UNKNOWN
    return value if isinstance(value, (int, float, str, bool)) or value is None else _UNKNOWN


_UNKNOWN = object()


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
    """Facts for a Retry/HTTPAdapter/Retrying call or a tenacity/backoff decorator."""
    if isinstance(node, cst.Decorator):
        expr = node.decorator
        call = expr if isinstance(expr, cst.Call) else None
        if call is not None and any(arg.star for arg in call.args):
            return None  # `@retry(**settings)`: no opinion on what it holds
        qualified = resolver.qualified_name(call.func if call else expr, scope)
        parent = resolver.parent_of.get(node)
        function: cst.CSTNode | None = parent if isinstance(parent, cst.FunctionDef) else None
        if qualified in TENACITY_DECORATORS:
            return tenacity_facts(resolver, node, call, scope, function, target_version)
        if qualified in BACKOFF_DECORATORS and call is not None:
            return backoff_facts(resolver, node, call, qualified or "", scope, function, target_version)
        return None
    if not isinstance(node, cst.Call):
        return None
    qualified = resolver.qualified_name(node.func, scope)
    if qualified in URLLIB3_RETRY:
        facts = _urllib3(resolver, node, scope) if retries_here(resolver, node, scope) else None
        if facts is not None and qualified in URLLIB3_2_RETRY:
            facts.uses_urllib3_2 = True  # its Retry is urllib3 2.x's whatever the project declares
        return facts
    if qualified in HTTP_ADAPTERS:
        return _adapter_retries(node)
    if qualified in TENACITY_OBJECTS:
        if any(arg.star for arg in node.args):
            return None  # `Retrying(**retry_args)`
        function = scope.node if isinstance(scope, FunctionScope) else None
        return tenacity_facts(resolver, node, node, scope, function, target_version)
    return None


def _adapter_retries(call: cst.Call) -> RetryFacts | None:
    """`HTTPAdapter(max_retries=3)`: `Retry.from_int(3)`, retries with no wait at all."""
    retries = keyword_arg(call, "max_retries")
    value = literal(retries.value) if retries is not None else _UNKNOWN
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return RetryFacts(call, "adapter", backoff=Backoff.NONE, bounded=True, at_most_one_retry=value <= 1)
    return None


# -- urllib3 ------------------------------------------------------------------

def _urllib3(resolver: Resolver, call: cst.Call, scope: Scope) -> RetryFacts | None:
    args = _arguments(call, URLLIB3_RETRY_POSITIONAL)
    if args is None:
        return None  # `Retry(**kwargs)`: no opinion
    value = {name: literal(arg.value) for name, arg in args.items()}
    counts = [value[k] for k in ("total", "connect", "read", "status", "other") if k in args]
    total = value["total"] if "total" in args else URLLIB3_RETRY_DEFAULTS["total"]
    if counts and all(c in (0, False) for c in counts) and "total" in args:
        return None  # retries switched off
    facts = RetryFacts(call, "urllib3", call=call)
    facts.uses_urllib3_2 = bool(URLLIB3_2_ONLY_ARGUMENTS & args.keys())
    facts.total = total if isinstance(total, int) and not isinstance(total, bool) else None
    facts.at_most_one_retry = facts.total is not None and facts.total <= 1
    factor = value.get("backoff_factor", 0.0)
    facts.backoff_factor_arg = args.get("backoff_factor")
    if factor in (0, 0.0, None, False):
        facts.backoff = Backoff.NONE
    elif "backoff_max" in args and "backoff_factor" in args \
            and args["backoff_max"].value.deep_equals(args["backoff_factor"].value):
        facts.backoff = Backoff.CONSTANT  # capped at the first wait: every wait is the same
    elif factor is _UNKNOWN:
        facts.backoff = Backoff.UNKNOWN
    else:
        facts.backoff = Backoff.GROWING
    jitter = value.get("backoff_jitter", 0.0)
    facts.jitter = None if jitter is _UNKNOWN else jitter not in (0, 0.0, None, False)
    facts.capped = "backoff_max" in args
    if total is None and not any(k in args for k in ("connect", "read", "status", "other")):
        facts.bounded = False
    else:
        facts.bounded = True
        if facts.total is not None and isinstance(factor, (int, float)) and not facts.capped and factor:
            cap = URLLIB3_RETRY_DEFAULTS["backoff_max"]
            facts.max_wait = min(cap, float(factor) * 2 ** min(max(facts.total - 1, 0), 64))
    forcelist = args.get("status_forcelist")
    codes = _codes(resolver, forcelist.value, scope) if forcelist is not None else None
    if codes:
        facts.client_errors = frozenset(c for c in codes if c in REGISTERED_CLIENT_ERRORS - RETRYABLE_CLIENT_ERRORS)
        facts.forcelist = forcelist.value if forcelist is not None else None
        respect = value.get("respect_retry_after_header", True)
        facts.retry_after_ignored = respect is False and bool(codes & RETRY_AFTER_STATUSES)
    methods = args.get("allowed_methods") or args.get("method_whitelist")
    if methods is not None:
        if is_none(methods.value) or literal(methods.value) is False:
            facts.non_idempotent = "every method"
        else:
            names = _strings(resolver, methods.value, scope)  # a literal, `frozenset([...])`, a constant
            unsafe = sorted({name.upper() for name in names} & NON_IDEMPOTENT_METHODS)
            if unsafe:
                facts.non_idempotent = "/".join(unsafe)
    return facts


def _strings(resolver: Resolver, expr: cst.BaseExpression, scope: Scope) -> frozenset[str]:
    def qualified(e: cst.BaseExpression) -> str | None:
        return resolver.qualified_name(e, scope)

    try:
        value = Evaluator(module_constants(resolver.model.module_scope, qualified), qualified).value(expr)
    except (Unknown, RecursionError):
        return frozenset()
    items = value if isinstance(value, (tuple, frozenset)) else ()
    return frozenset(i for i in items if isinstance(i, str))


def _codes(resolver: Resolver, expr: cst.BaseExpression, scope: Scope) -> frozenset[int] | None:
    def qualified(e: cst.BaseExpression) -> str | None:
        return resolver.qualified_name(e, scope)

    evaluator = Evaluator(module_constants(resolver.model.module_scope, qualified), qualified)
    if isinstance(expr, cst.Name):
        bindings = resolver.lookup(expr.value, scope, resolver.order_of.get(expr))
        if len(bindings) == 1 and bindings[0].value is not None:
            expr = bindings[0].value
    try:
        value = evaluator.value(expr)
    except (Unknown, RecursionError):
        return None
    items = value if isinstance(value, (tuple, frozenset)) else (value,)
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        return None
    return frozenset(items)


__all__ = ["RETRY_AFTER_STATUSES", "config_facts", "literal"]
