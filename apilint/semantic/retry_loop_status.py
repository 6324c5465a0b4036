"""Status tests of a retry loop: for which statuses it goes round (tree evaluation, `retry_status.py`).

A test whose body goes round (`continue`, or a sleep without leaving) retries where it is true.
Tests that leave the loop let through the statuses where they are false. Only statuses registered
as failures count: going round on another (Cloudflare's 524 on an idle stream) is not a proven retry.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from apilint.knowledge.retries import REGISTERED_FAILURES
from apilint.semantic.loop_walk import LoopWalker, callee_name, mentions_exit, names_in
from apilint.semantic.resolve import Resolver
from apilint.semantic.retry_helpers import is_sleep
from apilint.semantic.retry_status import Evaluator, Unknown
from apilint.semantic.scope import Scope

StatusTests = list[tuple[cst.CSTNode, frozenset[int]]]


def status_tests(resolver: Resolver, walker: LoopWalker, loop: cst.For | cst.While, evaluator: Evaluator,
                 scope: Scope, counted: bool) -> tuple[StatusTests, bool]:
    """(test, statuses for which the loop goes round) for each status test that retries, and whether
    some test that goes round cannot be evaluated (the loop retries, on statuses unknown).

    A test whose body goes round (`continue`, or a sleep without leaving) retries where it is true;
    one whose `else:` goes round, where it is false.
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
            unknown_round = unknown_round or goes_round(resolver, owner.body, scope)
            uncertain = uncertain or mentions_exit(owner.body)
            continue
        if result is None:
            # `if self._output_error(response): break`: the response decides, in code we cannot read.
            uncertain = uncertain or (mentions_exit(owner.body) and bool(names_in(owner.test) & watched))
            continue
        if goes_round(resolver, owner.body, scope):
            tests.append((owner.test, result.true))
        elif leaves(owner.body) and owner.orelse is None:
            if _restleaves(resolver, owner):
                continue
            key = id(resolver.parent_of.get(owner))
            previous = passed.get(key)
            statuses = result.false if previous is None else previous[1] & result.false
            on_success = bool(result.true) and max(result.true) < 400 or (previous is not None and previous[2])
            passed[key] = (owner.test if previous is None else previous[0], statuses, on_success)
        elif mentions_exit(owner.body):
            uncertain = True
        if isinstance(owner.orelse, cst.Else) and goes_round(resolver, owner.orelse.body, scope):
            # `if r.ok: return r` / `else: time.sleep(...)`: as `if not r.ok: time.sleep(...)`, the
            # loop goes round where the test is false.
            tests.append((owner.test, result.false))
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


def _restleaves(resolver: Resolver, statement: cst.CSTNode) -> bool:
    """Does the code after `statement` in its block always leave the loop?"""
    line = resolver.parent_of.get(statement)
    holder = statement if line is None or not isinstance(line, cst.SimpleStatementLine) else line
    block = resolver.parent_of.get(holder)
    if not isinstance(block, cst.IndentedBlock):
        return False
    rest: list[cst.CSTNode] = list(block.body)
    after = rest[rest.index(holder) + 1:] if holder in rest else []
    return leaves(block.with_changes(body=after)) if after else False


def goes_round(resolver: Resolver, body: cst.CSTNode, scope: Scope) -> bool:
    nodes = LoopWalker(body).nodes
    if any(isinstance(n, cst.Continue) for n in nodes):
        return True
    return any(isinstance(n, cst.Call) and is_sleep(resolver, n, scope) for n in nodes) and not leaves(body)


def _match_tests(resolver: Resolver, match: cst.Match, evaluator: Evaluator, scope: Scope) -> StatusTests | None:
    """`match r.status_code:` with `case 429 | 503:` bodies that go round."""
    if not evaluator.mentions_status(match.subject):
        return []
    found: StatusTests = []
    for case in match.cases:
        statuses = _pattern_statuses(case.pattern, evaluator)
        if statuses is None:
            return None
        if goes_round(resolver, case.body, scope):
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


def leaves(block: cst.CSTNode) -> bool:
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
            if isinstance(item, cst.If) and _ifleaves(item):
                return True
    return False


def _ifleaves(node: cst.If) -> bool:
    if node.orelse is None or not leaves(node.body):
        return False
    other = node.orelse
    return _ifleaves(other) if isinstance(other, cst.If) else leaves(other.body)
