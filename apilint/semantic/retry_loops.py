"""Hand-written retry loops: recognise them and work out their wait, bound and retried statuses.

A retry loop is a `for`/`while` loop that makes an HTTP call (or calls a
callable its function was given) and, on failure, goes round again: an
`except` handler that does not leave the loop, or a status test that
continues or sleeps. Loops over inputs (the loop variable is in the call),
pagination (the call's arguments change in the loop) and polling (no failure
test at all) are not retry loops.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import libcst as cst

from apilint.knowledge.exceptions import READ_TIMEOUT_CLASSES, hierarchy
from apilint.knowledge.responses import STATUS_ATTRIBUTES
from apilint.knowledge.retries import (
    NON_IDEMPOTENT_METHODS,
    RETRY_AFTER_STATUSES,
    RETRYABLE_CLIENT_ERRORS,
    SLEEP_FUNCTIONS,
    STATUS_ERROR_CLASSES,
)
from apilint.semantic.evaluate import statuses_where_true
from apilint.semantic.exceptions import ExceptionResolver
from apilint.semantic.loop_walk import LoopWalker, names_in
from apilint.semantic.names import string_value
from apilint.semantic.resolve import HttpCall, Resolver
from apilint.semantic.retry_config import module_constants
from apilint.semantic.retry_facts import Backoff, RetryFacts
from apilint.semantic.retry_waits import (
    attempts,
    bounded,
    counters,
    largest_wait,
    mentions_exit,
    wait,
)
from apilint.semantic.scope import BindingKind, FunctionScope, Scope

_CODE = cst.Module([])
_READ_TIMEOUTS = tuple(sorted(READ_TIMEOUT_CLASSES))  # per library: its record's `exceptions.read_timeout`
_STATUS_VIEW = {  # response attribute -> the same test on the status `s`
    "status_code": "s", "status": "s", "ok": "(s < 400)", "is_success": "(200 <= s < 300)",
    "is_error": "(s >= 400)", "is_client_error": "(400 <= s < 500)", "is_server_error": "(s >= 500)",
}


def loop_facts(resolver: Resolver, loop: cst.For | cst.While, scope: Scope, target_version: str,
               max_delay: float) -> RetryFacts | None:
    walker = LoopWalker(loop.body)
    calls: list[cst.Call] = list(walker.of(cst.Call))
    http_calls = [h for h in (resolver.http_call(c, scope) for c in calls) if h is not None]
    given = [c for c in calls if _calls_a_parameter(resolver, c, scope) and not _fed_by_loop(c, walker)]
    requests: list[cst.Call] = [h.call for h in http_calls] + given
    if not requests:
        return None
    if _iterates_inputs(loop, requests) or _changes_request(walker, requests, loop):
        return None
    responses = _response_names(walker, requests)
    triggers = _failure_handlers(walker, requests)
    status_tests = _status_tests(resolver, walker, loop, responses)
    if not triggers and not status_tests:
        return None
    if not http_calls and not _failure_handlers(walker, given):
        return None  # a helper's callable is retried only when a handler around it goes round
    facts = RetryFacts(loop, "loop")
    loop_counters = counters(loop, walker)
    sleeps = [c for c in calls if (resolver.qualified_name(c.func, scope) or "") in SLEEP_FUNCTIONS]
    wait(resolver, facts, sleeps, walker, loop_counters, scope)
    attempt_count = attempts(loop)
    facts.bounded = bounded(loop, walker, loop_counters, triggers)
    if facts.backoff is Backoff.GROWING and not facts.capped:
        facts.max_wait = largest_wait(sleeps, walker, loop_counters, attempt_count)
        if facts.max_wait is None and attempt_count is not None and attempt_count > 6:
            facts.max_wait = float("inf")
    constants = module_constants(resolver)
    _client_errors(resolver, facts, triggers, status_tests, constants, scope, target_version)
    loop_text = _CODE.code_for_node(loop).lower()
    reads_retry_after = "retry-after" in loop_text or "retry_after" in loop_text
    if sleeps and not reads_retry_after:
        facts.retry_after_ignored = any(
            _mentions_retry_after_status(test, constants) and bool(statuses & RETRY_AFTER_STATUSES)
            for test, statuses in status_tests
        )
    facts.non_idempotent = _unsafe_method(resolver, http_calls, triggers, status_tests, scope, target_version)
    return facts


# -- recognising the loop -----------------------------------------------------

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
        name = iterator.func.attr.value if isinstance(iterator.func, cst.Attribute) else iterator.func.value
        return name not in ("range", "count", "repeat")
    return not isinstance(iterator, cst.Call)


def _changes_request(walker: LoopWalker, requests: Sequence[cst.Call], loop: cst.For | cst.While) -> bool:
    """Pagination: an argument of the request is advanced in the loop, from the response
    (`url = data["next"]`) or by a counter (`page += 1`). Rebuilding auth or headers is not paging."""
    used = _argument_names(requests) - {"self"}
    tainted = _response_names(walker, requests)
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


def _response_names(walker: LoopWalker, requests: Sequence[cst.Call]) -> set[str]:
    names = set()
    for node in walker.of(cst.Assign):
        value = node.value.expression if isinstance(node.value, cst.Await) else node.value
        if any(value is call for call in requests) and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Name):
                names.add(target.value)
    return names


def _leaves(block: cst.CSTNode) -> bool:
    """Does every path through this block end in return/raise/break?"""
    statements: Sequence[cst.CSTNode]
    if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        statements = block.body
    else:
        return False
    for statement in statements:
        small = statement.body if isinstance(statement, cst.SimpleStatementLine) else [statement]
        for item in small:
            if isinstance(item, (cst.Return, cst.Raise, cst.Break)):
                return True
            if isinstance(item, cst.If) and _if_leaves(item):
                return True
    return False


def _if_leaves(node: cst.If) -> bool:
    if node.orelse is None or not _leaves(node.body):
        return False
    other = node.orelse
    return _if_leaves(other) if isinstance(other, cst.If) else _leaves(other.body)


def _failure_handlers(walker: LoopWalker, requests: Sequence[cst.Call]) -> list[cst.ExceptHandler]:
    """Handlers of a try around the request that let the loop go round again."""
    found: list[cst.ExceptHandler] = []
    for node in walker.of(cst.Try):
        inner = LoopWalker(node.body)
        if not any(any(n is call for n in inner.nodes) for call in requests):
            continue
        found.extend(h for h in node.handlers if not _leaves(h.body))
    return found


def _status_expression(test: cst.BaseExpression, responses: set[str]) -> str | None:
    """The test rewritten over the status `s`, if it looks at a response's status at all."""
    text = _CODE.code_for_node(test)
    touched = False
    for name in responses:
        for attr, view in _STATUS_VIEW.items():
            pattern = rf"\b{re.escape(name)}\.{attr}\b"
            if re.search(pattern, text):
                text, touched = re.sub(pattern, view, text), True
        if re.fullmatch(rf"\s*(not\s+)?{re.escape(name)}\s*", text):
            text, touched = re.sub(rf"\b{re.escape(name)}\b", "(s < 400)", text), True
    return text if touched else None


def _status_tests(resolver: Resolver, walker: LoopWalker, loop: cst.For | cst.While,
                  responses: set[str]) -> list[tuple[str, frozenset[int]]]:
    """(test source, statuses for which the loop goes round) for each status test that retries.

    When another status test leaves the loop on a condition we cannot evaluate
    (`resp.status_code not in self.retry_errors`), the "everything else goes
    round" reading of a success test is dropped: we cannot tell what is retried.
    """
    constants = module_constants(resolver)
    tests: list[tuple[str, frozenset[int]]] = []
    complements: list[tuple[str, frozenset[int]]] = []
    uncertain = False
    candidates: list[tuple[cst.BaseExpression, cst.If | cst.While]] = [(n.test, n) for n in walker.of(cst.If)]
    if isinstance(loop, cst.While):
        candidates.append((loop.test, loop))
    for test, owner in candidates:
        source = _status_expression(test, responses)
        if source is None:
            continue
        statuses = statuses_where_true(source, "s", range(200, 600), constants)
        if statuses is None:
            uncertain = uncertain or (isinstance(owner, cst.If) and mentions_exit(owner.body))
            continue
        if isinstance(owner, cst.If):
            body_retries = _mentions(owner.body, cst.Continue) or (_sleeps_in(owner.body) and not _leaves(owner.body))
            if body_retries:
                tests.append((source, statuses))
            elif _leaves(owner.body) and owner.orelse is None and statuses and max(statuses) < 400:
                # `if r.ok: return r.json()` then sleep: every other status goes round again.
                complements.append((source, frozenset(range(200, 600)) - statuses))
            elif mentions_exit(owner.body):
                uncertain = uncertain or owner.orelse is not None
        else:
            tests.append((source, statuses))
    return tests if uncertain else tests + complements


def _mentions(block: cst.CSTNode, kind: type[cst.CSTNode]) -> bool:
    return any(isinstance(n, kind) for n in LoopWalker(block).nodes)


def _sleeps_in(block: cst.CSTNode) -> bool:
    return any(isinstance(n, cst.Call) and "sleep" in _CODE.code_for_node(n.func) for n in LoopWalker(block).nodes)


# -- what is retried ----------------------------------------------------------

def _client_errors(resolver: Resolver, facts: RetryFacts, handlers: Sequence[cst.ExceptHandler],
                   status_tests: Sequence[tuple[str, frozenset[int]]], constants: Mapping[str, object],
                   scope: Scope, target_version: str) -> None:
    codes: set[int] = set()
    for _, statuses in status_tests:
        codes |= {s for s in statuses if 400 <= s < 500 and s not in RETRYABLE_CLIENT_ERRORS}
    every = set(range(400, 500)) - RETRYABLE_CLIENT_ERRORS
    if codes >= every:
        facts.any_client_error = True
    facts.client_errors = frozenset(codes)
    table = hierarchy(target_version)
    exceptions = ExceptionResolver(resolver, table)
    for handler in handlers:
        try_node = _try_of(resolver, handler)
        if try_node is None or ".raise_for_status(" not in _CODE.code_for_node(try_node.body):
            continue
        body_text = _CODE.code_for_node(handler.body)
        if any(attr in body_text for attr in ("status_code", ".status", ".response")):
            continue  # it looks at the status before going round
        for caught in exceptions.caught(handler, scope):
            if any(_covers(caught.canonical, error, table) or caught.node is None for error in STATUS_ERROR_CLASSES):
                facts.any_client_error = True


def _covers(canonical: str | None, error: str, table: object) -> bool:
    from apilint.knowledge.exceptions import Hierarchy

    assert isinstance(table, Hierarchy)
    target = table.canonical(error)
    return canonical is not None and target is not None and canonical in table.ancestors(target)


def _try_of(resolver: Resolver, handler: cst.ExceptHandler) -> cst.Try | None:
    parent = resolver.parent_of.get(handler)
    return parent if isinstance(parent, cst.Try) else None


def _mentions_retry_after_status(test: str, constants: Mapping[str, object]) -> bool:
    if re.search(r"\b(429|503)\b", test):
        return True
    for name, value in constants.items():
        if re.search(rf"\b{re.escape(name)}\b", test) and isinstance(value, set) and value & RETRY_AFTER_STATUSES:
            return True
    return False


def _unsafe_method(resolver: Resolver, http_calls: Sequence[HttpCall], handlers: Sequence[cst.ExceptHandler],
                   status_tests: Sequence[tuple[str, frozenset[int]]], scope: Scope, target_version: str) -> str | None:
    methods = {_method_of(h) for h in http_calls} & NON_IDEMPOTENT_METHODS
    if not methods:
        return None
    function_text = _CODE.code_for_node(scope.node).lower()
    if "idempotency" in function_text or "idempotent" in function_text:
        return None
    after_server = any(any(s >= 500 for s in statuses) for _, statuses in status_tests)
    table = hierarchy(target_version)
    exceptions = ExceptionResolver(resolver, table)
    for handler in handlers:
        for caught in exceptions.caught(handler, scope):
            if caught.node is None or any(_covers(caught.canonical, t, table) for t in _READ_TIMEOUTS):
                after_server = True
    return "/".join(sorted(methods)) if after_server else None


def _method_of(http: HttpCall) -> str:
    if http.method in ("request", "urlopen"):
        first = next((a.value for a in http.call.args if a.keyword is None), None)
        text = string_value(first) if first is not None else None
        return text.upper() if text else ""
    return http.method.upper()


__all__ = ["STATUS_ATTRIBUTES", "loop_facts"]
