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
    REGISTERED_FAILURES,
    RETRY_AFTER_STATUSES,
    RETRYABLE_CLIENT_ERRORS,
    STATUS_ERROR_CLASSES,
    TENACITY_OBJECTS,
)
from apilint.semantic.exceptions import ExceptionResolver
from apilint.semantic.loop_walk import LoopWalker, callee_name, mentions_exit, names_in
from apilint.semantic.names import string_value
from apilint.semantic.resolve import HttpCall, Resolver
from apilint.semantic.retry_facts import Backoff, RetryFacts
from apilint.semantic.retry_helpers import is_sleep, reads_retry_after
from apilint.semantic.retry_status import Evaluator, StatusNames, Unknown, module_constants
from apilint.semantic.retry_waits import attempts, bounded, counters, largest_wait, wait
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
    tests, unknown_round = _status_tests(resolver, walker, loop, evaluator, scope, counted)
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
    waits = facts.backoff in (Backoff.CONSTANT, Backoff.GROWING) or (iterator and facts.backoff is Backoff.UNKNOWN
                                                                     and not _calls_unread_code(resolver, walker, requests, scope))
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


# -- status tests -------------------------------------------------------------

StatusTests = list[tuple[cst.CSTNode, frozenset[int]]]


def _status_tests(resolver: Resolver, walker: LoopWalker, loop: cst.For | cst.While, evaluator: Evaluator,
                  scope: Scope, counted: bool) -> tuple[StatusTests, bool]:
    """(test, statuses for which the loop goes round) for each status test that retries, and whether
    some test that goes round cannot be evaluated (the loop retries, on statuses unknown).

    A test whose body goes round (`continue`, or a sleep without leaving) retries where it is true.
    Tests that leave the loop (`if r.ok: return r`, `if r.status_code != 429: break`) let through the
    statuses where they are false, when the rest of their block does not leave; those of one block
    are intersected, and retry when only failures get through. When a test that may leave cannot be evaluated, what passes is unknown.
    """
    tests: StatusTests = []
    passed: dict[int, tuple[cst.CSTNode, frozenset[int], bool]] = {}
    watched = evaluator.names.responses | evaluator.names.errors
    unknown_round = uncertain = False
    for owner in walker.of(cst.If):
        try:
            result = evaluator.truth_test(owner.test)
        except Unknown:
            unknown_round = unknown_round or _goes_round(resolver, owner.body, scope)
            uncertain = uncertain or mentions_exit(owner.body)
            continue
        if result is None:
            # `if self._output_error(response): break`: the response decides, in code we cannot read.
            uncertain = uncertain or (mentions_exit(owner.body) and bool(names_in(owner.test) & watched))
            continue
        if _goes_round(resolver, owner.body, scope):
            tests.append((owner.test, result.true))
        elif _leaves(owner.body) and owner.orelse is None:
            if _rest_leaves(resolver, owner):
                continue
            key = id(resolver.parent_of.get(owner))
            previous = passed.get(key)
            statuses = result.false if previous is None else previous[1] & result.false
            on_success = bool(result.true) and max(result.true) < 400 or (previous is not None and previous[2])
            passed[key] = (owner.test if previous is None else previous[0], statuses, on_success)
        elif mentions_exit(owner.body):
            uncertain = True
    if isinstance(loop, cst.While):
        try:
            result = evaluator.truth_test(loop.test)
        except Unknown:
            result, unknown_round = None, True
        if result is not None:
            tests.append((loop.test, result.true))
    for match in walker.of(cst.Match):
        found = _match_tests(resolver, match, evaluator, scope)
        if found is None:
            unknown_round = True
        else:
            tests += found
    if not uncertain and counted:
        # Only a loop with an attempt budget retries what gets past its exits; one that runs until a
        # deadline waits for a state to change (polling a job, a health check): "not yet" is expected.
        # A retry when the exits take the successes (`if r.ok: return`) or only failures get through
        # (`if r.status_code != 429: break`); an exit on a failure that lets successes round is polling.
        failures = frozenset(range(400, 600))
        tests += [(test, statuses & failures) for test, statuses, on_success in passed.values()
                  if statuses & failures and (on_success or statuses <= failures)]
    registered = [(test, statuses & REGISTERED_FAILURES) for test, statuses in tests]
    return [(test, statuses) for test, statuses in registered if statuses], unknown_round


def attempt_budget(loop: cst.For | cst.While, walker: LoopWalker, loop_counters: set[str]) -> bool:
    """Is the loop bounded by a number of attempts (`range(n)`, a counter in its test or an exit)?"""
    if isinstance(loop, cst.For):
        return isinstance(loop.iter, cst.Call) and callee_name(loop.iter) == "range"
    if names_in(loop.test) & loop_counters:
        return True
    return any(names_in(node.test) & loop_counters and mentions_exit(node.body) for node in walker.of(cst.If))


def _rest_leaves(resolver: Resolver, statement: cst.CSTNode) -> bool:
    """Does the code after `statement` in its block always leave the loop?"""
    line = resolver.parent_of.get(statement)
    holder = statement if line is None or not isinstance(line, cst.SimpleStatementLine) else line
    block = resolver.parent_of.get(holder)
    if not isinstance(block, cst.IndentedBlock):
        return False
    rest: list[cst.CSTNode] = list(block.body)
    after = rest[rest.index(holder) + 1:] if holder in rest else []
    return _leaves(block.with_changes(body=after)) if after else False


def _goes_round(resolver: Resolver, body: cst.CSTNode, scope: Scope) -> bool:
    nodes = LoopWalker(body).nodes
    if any(isinstance(n, cst.Continue) for n in nodes):
        return True
    return any(isinstance(n, cst.Call) and is_sleep(resolver, n, scope) for n in nodes) and not _leaves(body)


def _match_tests(resolver: Resolver, match: cst.Match, evaluator: Evaluator, scope: Scope) -> StatusTests | None:
    """`match r.status_code:` with `case 429 | 503:` bodies that go round."""
    if not evaluator.mentions_status(match.subject):
        return []
    found: StatusTests = []
    for case in match.cases:
        statuses = _pattern_statuses(case.pattern, evaluator)
        if statuses is None:
            return None
        if _goes_round(resolver, case.body, scope):
            found.append((case.pattern, statuses))
    return found


def _pattern_statuses(pattern: cst.MatchPattern, evaluator: Evaluator) -> frozenset[int] | None:
    if isinstance(pattern, cst.MatchValue):
        try:
            value = evaluator.value(pattern.value)
        except Unknown:
            return None
        return frozenset({value}) if isinstance(value, int) else None
    if isinstance(pattern, cst.MatchOr):
        parts = [_pattern_statuses(p.pattern, evaluator) for p in pattern.patterns]
        if any(p is None for p in parts):
            return None
        return frozenset().union(*(p for p in parts if p is not None))
    if isinstance(pattern, cst.MatchAs) and pattern.pattern is None:
        return frozenset(range(100, 600))  # `case _:` / `case code:`
    return None


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
