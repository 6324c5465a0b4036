"""Hand-written retry loops: recognise them and work out their wait, bound and retried statuses.

A retry loop is a `for`/`while` loop that makes an HTTP call (or calls a
callable its function was given) and, on failure, goes round again: an
`except` handler that does not leave the loop, or a status test that
continues or sleeps. Loops over inputs (the loop variable is in the call),
pagination (the call's arguments change in the loop) and polling (no failure
test at all) are not retry loops. A loop over a retry iterator (`for attempt in
Retrying(...)`, `for _ in ExponentialBackoff()`) is one: the iterator waits.
Everything is decided on the syntax tree: no comment or string decides a finding.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from apilint.knowledge.exceptions import READ_TIMEOUT_CLASSES, Hierarchy, hierarchy
from apilint.knowledge.retries import (
    NON_IDEMPOTENT_METHODS,
    REGISTERED_CLIENT_ERRORS,
    RETRY_AFTER_STATUSES,
    RETRYABLE_CLIENT_ERRORS,
    STATUS_ERROR_CLASSES,
    TENACITY_OBJECTS,
)
from apilint.semantic.exceptions import ExceptionResolver
from apilint.semantic.http_calls import HttpCall
from apilint.semantic.loop_walk import LoopWalker, callee_name, mentions_exit, names_in
from apilint.semantic.names import string_value
from apilint.semantic.resolve import Resolver
from apilint.semantic.retry_facts import Backoff, RetryFacts
from apilint.semantic.retry_helpers import reads_retry_after
from apilint.semantic.retry_bounds import attempts, bounded, largest_wait
from apilint.semantic.retry_loop_status import StatusTests, attempt_budget, leaves, status_tests
from apilint.semantic.retry_status import Evaluator, StatusNames, module_constants
from apilint.semantic.retry_waits import counters, wait
from apilint.semantic.scope import BindingKind, FunctionScope, Scope

_READ_TIMEOUTS = tuple(sorted(READ_TIMEOUT_CLASSES))  # per library: its record's `exceptions.read_timeout`
_RETRY_ITERATOR_WORDS = ("retry", "retries", "backoff")
_CLIENT_ERRORS = REGISTERED_CLIENT_ERRORS - RETRYABLE_CLIENT_ERRORS


def loop_facts(resolver: Resolver, loop: cst.For | cst.While, scope: Scope, target_version: str,
               max_delay: float) -> RetryFacts | None:
    roots: list[cst.CSTNode] = [loop.test, loop.body] if isinstance(loop, cst.While) else [loop.body]
    walker = LoopWalker(*roots)
    calls: list[cst.Call] = list(walker.of(cst.Call))
    http_calls = [h for h in (resolver.http_call(c, scope) for c in calls) if h is not None]
    given = [c for c in calls if _calls_a_parameter(resolver, c, scope) and not _fed_by_loop(c, walker)]
    requests: list[cst.Call] = [h.call for h in http_calls] + given
    if not requests:
        return None
    iterator = retry_iterator(resolver, loop, scope)
    if (not iterator and _iterates_inputs(loop, requests)) or _changes_request(walker, requests):
        return None
    constants = module_constants(resolver.model.module_scope, lambda e: resolver.qualified_name(e, scope), scope)
    names = _status_names(walker, requests)
    evaluator = Evaluator(constants, lambda e: resolver.qualified_name(e, scope), names)
    triggers = _failure_handlers(walker, requests)
    counted = attempt_budget(loop, walker, counters(loop, walker))
    tests, unknown_round = status_tests(resolver, walker, loop, evaluator, scope, counted)
    if not triggers and not tests and not unknown_round:
        return None
    if not http_calls and not _failure_handlers(walker, given):
        return None  # a helper's callable is retried only when a handler around it goes round
    facts = RetryFacts(loop, "loop")
    loop_counters = counters(loop, walker)
    sleeps = wait(resolver, facts, loop, requests, scope, loop_counters, evaluator)
    if iterator and facts.backoff in (Backoff.NONE, Backoff.CONSTANT):
        facts.backoff, facts.jitter = Backoff.UNKNOWN, None  # the iterator waits as it was configured
    rounds = attempts(resolver, loop, walker, scope, evaluator)
    facts.at_most_one_retry = rounds is not None and rounds <= 2
    facts.bounded = None if iterator else bounded(resolver, loop, walker, loop_counters, scope)
    if facts.backoff is Backoff.GROWING and not facts.capped:
        facts.max_wait = largest_wait(sleeps, walker, loop_counters, rounds, evaluator)
        if facts.max_wait is None and rounds is not None and rounds > 6:
            facts.max_wait = float("inf")
    _client_errors(resolver, facts, triggers, tests, scope, target_version)
    # The loop waits: by its own sleeps, or by its retry iterator (which cannot see the response,
    # unless the loop hands it to code we cannot read).
    iterator_waits = iterator and facts.backoff is Backoff.UNKNOWN and not _calls_unread_code(resolver, walker, requests, scope)
    waits = facts.backoff in (Backoff.CONSTANT, Backoff.GROWING) or iterator_waits
    if waits and not reads_retry_after(loop):
        facts.retry_after_ignored = any(
            statuses & RETRY_AFTER_STATUSES and evaluator.names_status(test, RETRY_AFTER_STATUSES)
            for test, statuses in tests
        )
    facts.non_idempotent = _unsafe_method(resolver, http_calls, triggers, tests, scope, target_version)
    return facts


# -- recognising the loop -----------------------------------------------------

def retry_iterator(resolver: Resolver, loop: cst.For | cst.While, scope: Scope) -> bool:
    """`for attempt in Retrying(...)`, `for _ in ExponentialBackoff()`, `for _ in self._retries()`:
    an iterator whose library or name says it paces retries."""
    if not isinstance(loop, cst.For) or not isinstance(loop.iter, cst.Call):
        return False
    if (resolver.qualified_name(loop.iter.func, scope) or "") in TENACITY_OBJECTS:
        return True
    name = callee_name(loop.iter).lower()
    return any(word in name for word in _RETRY_ITERATOR_WORDS)


def _calls_unread_code(resolver: Resolver, walker: LoopWalker, requests: Sequence[cst.Call], scope: Scope) -> bool:
    """Whether the loop calls code that may read the response's Retry-After (it is given the response)."""
    from apilint.semantic.retry_helpers import helpers_called

    request_ids = {id(c) for c in requests}
    return any(id(c) not in request_ids and helpers_called(resolver, c, scope) is None for c in walker.of(cst.Call))


def _calls_a_parameter(resolver: Resolver, call: cst.Call, scope: Scope) -> bool:
    if not isinstance(call.func, cst.Name) or not isinstance(scope, FunctionScope):
        return False
    bindings = resolver.lookup(call.func.value, scope, None)
    return len(bindings) == 1 and bindings[0].kind is BindingKind.PARAM and bindings[0].scope is scope


def _fed_by_loop(call: cst.Call, walker: LoopWalker) -> bool:
    """`handler(message)` with `message` produced in the loop: a new input each time, not a retry."""
    assigned = set()
    for node in walker.of(cst.Assign):
        for target in node.targets:
            assigned |= names_in(target.target)
    return bool(_argument_names([call]) & assigned)


def _argument_names(requests: Sequence[cst.Call]) -> set[str]:
    names: set[str] = set()
    for call in requests:
        for arg in call.args:
            names |= names_in(arg.value)
        if isinstance(call.func, cst.Attribute):
            names |= names_in(call.func.value) - {"self"}
    return names


def _iterates_inputs(loop: cst.For | cst.While, requests: Sequence[cst.Call]) -> bool:
    """`for url in urls: get(url)`: one request per item, not a retry of one request."""
    if not isinstance(loop, cst.For):
        return False
    targets = names_in(loop.target)
    if targets & _argument_names(requests):
        return True
    iterator = loop.iter
    if isinstance(iterator, cst.Call) and isinstance(iterator.func, (cst.Name, cst.Attribute)):
        return callee_name(iterator) not in ("range", "count", "repeat")
    return not isinstance(iterator, cst.Call)


def _changes_request(walker: LoopWalker, requests: Sequence[cst.Call]) -> bool:
    """Pagination: an argument of the request is advanced in the loop, from the response
    (`url = data["next"]`) or by a counter (`page += 1`). Rebuilding auth or headers is not paging."""
    used = _argument_names(requests) - {"self"}
    tainted = _status_names(walker, requests).responses
    for _ in range(2):  # names derived from the response: `data = r.json()`, `url = data["next"]`
        for assignment in walker.of(cst.Assign):
            if names_in(assignment.value) & tainted:
                for assign_target in assignment.targets:
                    tainted |= names_in(assign_target.target)
    for statement in walker.nodes:
        if not isinstance(statement, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
            continue
        targets: list[cst.BaseExpression] = (
            [t.target for t in statement.targets] if isinstance(statement, cst.Assign) else [statement.target]
        )
        value = statement.value
        for expr in targets:
            base = expr
            while isinstance(base, (cst.Subscript, cst.Attribute)):
                base = base.value
            if not (isinstance(base, cst.Name) and base.value in used):
                continue
            if isinstance(statement, cst.AugAssign) or (value is not None and names_in(value) & tainted):
                return True
    return False


def _status_names(walker: LoopWalker, requests: Sequence[cst.Call]) -> StatusNames:
    """Responses (`r = get()`, `(r := get())`, `async with s.get() as r`), statuses copied from
    them (`code = r.status_code`) and caught exceptions (`except HTTPError as err`)."""
    names = StatusNames()
    request_ids = {id(c) for c in requests}

    def is_request(value: cst.BaseExpression) -> bool:
        value = value.expression if isinstance(value, cst.Await) else value
        return id(value) in request_ids

    for node in walker.nodes:
        if isinstance(node, cst.Assign) and is_request(node.value) and len(node.targets) == 1 \
                and isinstance(node.targets[0].target, cst.Name):
            names.responses.add(node.targets[0].target.value)
        elif isinstance(node, cst.NamedExpr) and is_request(node.value) and isinstance(node.target, cst.Name):
            names.responses.add(node.target.value)
        elif isinstance(node, cst.WithItem) and is_request(node.item) and node.asname is not None \
                and isinstance(node.asname.name, cst.Name):
            names.responses.add(node.asname.name.value)
        elif isinstance(node, cst.ExceptHandler) and node.name is not None and isinstance(node.name.name, cst.Name):
            names.errors.add(node.name.name.value)
    probe = Evaluator({}, lambda e: None, names)
    for node in walker.nodes:
        if isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name) \
                and isinstance(node.value, cst.Attribute) and probe.mentions_status(node.value):
            names.statuses.add(node.targets[0].target.value)
        elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name) \
                and isinstance(node.value, cst.Attribute) and probe.mentions_status(node.value):
            names.statuses.add(node.target.value)
    return names


def _failure_handlers(walker: LoopWalker, requests: Sequence[cst.Call]) -> list[cst.ExceptHandler]:
    """Handlers of a try around the request that let the loop go round again."""
    found: list[cst.ExceptHandler] = []
    for node in walker.of(cst.Try):
        inner = LoopWalker(node.body)
        if not any(any(n is call for n in inner.nodes) for call in requests):
            continue
        found.extend(h for h in node.handlers if not leaves(h.body))
    return found


# -- what is retried ----------------------------------------------------------

def _client_errors(resolver: Resolver, facts: RetryFacts, handlers: Sequence[cst.ExceptHandler],
                   tests: StatusTests, scope: Scope, target_version: str) -> None:
    codes: set[int] = set()
    for _, statuses in tests:
        codes |= statuses & _CLIENT_ERRORS
    if codes >= _CLIENT_ERRORS:
        facts.any_client_error = True
    facts.client_errors = frozenset(codes)
    table = hierarchy(target_version)
    exceptions = ExceptionResolver(resolver, table)
    for handler in handlers:
        try_node = resolver.parent_of.get(handler)
        if not isinstance(try_node, cst.Try) or not _raises_for_status(try_node.body):
            continue
        if _looks_at_status(handler.body) or mentions_exit(handler.body):
            continue  # it looks at the status, or decides, before going round
        for caught in exceptions.caught(handler, scope):
            if any(_covers(caught.canonical, error, table) or caught.node is None for error in STATUS_ERROR_CLASSES):
                facts.any_client_error = True


def _raises_for_status(node: cst.CSTNode) -> bool:
    return any(isinstance(c.func, cst.Attribute) and c.func.attr.value == "raise_for_status"
               for c in LoopWalker(node, enter_loops=True).of(cst.Call))


def _looks_at_status(node: cst.CSTNode) -> bool:
    return any(n.attr.value in ("status_code", "status", "response", "code") for n in LoopWalker(node, enter_loops=True).of(cst.Attribute))


def _covers(canonical: str | None, error: str, table: Hierarchy) -> bool:
    target = table.canonical(error)
    return canonical is not None and target is not None and canonical in table.ancestors(target)


def _unsafe_method(resolver: Resolver, http_calls: Sequence[HttpCall], handlers: Sequence[cst.ExceptHandler],
                   tests: StatusTests, scope: Scope, target_version: str) -> str | None:
    methods = {_method_of(h) for h in http_calls} & NON_IDEMPOTENT_METHODS
    if not methods or sends_idempotency_key(scope.node):
        return None
    after_server = any(any(s >= 500 for s in statuses) for _, statuses in tests)
    table = hierarchy(target_version)
    exceptions = ExceptionResolver(resolver, table)
    for handler in handlers:
        if mentions_exit(handler.body):
            continue  # the handler decides whether to go round: not proven to retry
        for caught in exceptions.caught(handler, scope):
            if caught.node is None or any(_covers(caught.canonical, t, table) for t in _READ_TIMEOUTS):
                after_server = True
    return "/".join(sorted(methods)) if after_server else None


def sends_idempotency_key(function: cst.CSTNode) -> bool:
    """An `Idempotency-Key` header key, or a name saying idempotency (`idempotency_key=...`), in the
    function: code, not comments or messages."""
    for node in LoopWalker(function, enter_loops=True).nodes:
        if isinstance(node, cst.Name) and "idempoten" in node.value.lower():
            return True
        key: cst.CSTNode | None = None
        if isinstance(node, cst.DictElement):
            key = node.key
        elif isinstance(node, cst.SubscriptElement) and isinstance(node.slice, cst.Index):
            key = node.slice.value
        elif isinstance(node, cst.Call) and node.args:
            key = node.args[0].value
        text = string_value(key) if key is not None else None
        if text is not None and "idempoten" in text.lower():
            return True
    return False


def _method_of(http: HttpCall) -> str:
    if http.method in ("request", "urlopen"):
        first = next((a.value for a in http.call.args if a.keyword is None), None)
        if first is None:
            first = next((a.value for a in http.call.args if a.keyword is not None and a.keyword.value == "method"), None)
        text = string_value(first) if first is not None else None
        return text.upper() if text else ""
    return http.method.upper()


__all__ = ["loop_facts", "retry_iterator", "sends_idempotency_key"]
