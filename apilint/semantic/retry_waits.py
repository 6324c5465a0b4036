"""The wait between attempts of a retry loop, and whether the loop is bounded."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import libcst as cst

from apilint.knowledge.retries import RANDOM_MODULES
from apilint.semantic.evaluate import safe_eval
from apilint.semantic.loop_walk import LoopWalker, names_in
from apilint.semantic.resolve import Resolver
from apilint.semantic.retry_config import literal
from apilint.semantic.retry_facts import Backoff, RetryFacts
from apilint.semantic.scope import Scope

_CODE = cst.Module([])


def counters(loop: cst.For | cst.While, walker: LoopWalker) -> set[str]:
    counters = set()
    if isinstance(loop, cst.For):
        counters |= names_in(loop.target)
    for node in walker.of(cst.AugAssign):
        if isinstance(node.target, cst.Name) and isinstance(node.operator, (cst.AddAssign, cst.SubtractAssign)):
            counters.add(node.target.value)
    return counters


def loop_assignments(walker: LoopWalker) -> dict[str, list[cst.BaseExpression]]:
    found: dict[str, list[cst.BaseExpression]] = {}
    for node in walker.of(cst.Assign):
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                found.setdefault(target.target.value, []).append(node.value)
    return found


def expand(expr: cst.BaseExpression, assigned: Mapping[str, list[cst.BaseExpression]], depth: int = 0) -> str:
    """The expression's source with names assigned in the loop replaced by their values."""
    text = _CODE.code_for_node(expr)
    if depth > 3:
        return text
    for name, values in assigned.items():
        if re.search(rf"\b{re.escape(name)}\b", text) and len(values) == 1 and name not in names_in(values[0]):
            text = re.sub(rf"\b{re.escape(name)}\b", "(" + expand(values[0], assigned, depth + 1) + ")", text)
    return text


def sleep_argument(call: cst.Call) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value in ("secs", "seconds", "delay"):
            return arg.value
    return None


def wait(resolver: Resolver, facts: RetryFacts, sleeps: Sequence[cst.Call], walker: LoopWalker,
          counters: set[str], scope: Scope) -> None:
    if not sleeps:
        facts.backoff, facts.jitter = Backoff.NONE, False
        return
    assigned = loop_assignments(walker)
    updated = {n.target.value for n in walker.of(cst.AugAssign) if isinstance(n.target, cst.Name)}
    updated |= {name for name, values in assigned.items() if any(name in names_in(v) for v in values)}
    kinds = []
    for sleep in sleeps:
        argument = sleep_argument(sleep)
        if argument is None:
            continue
        text = expand(argument, assigned)
        lowered = text.lower()
        sources = " ".join(_CODE.code_for_node(v) for name in names_in(argument) for v in assigned.get(name, []))
        if "retry-after" in lowered or "retry_after" in lowered or "retry-after" in sources.lower():
            kinds.append(Backoff.SERVER)
            continue
        try:
            expanded = cst.parse_expression(text)
        except cst.ParserSyntaxError:
            kinds.append(Backoff.UNKNOWN)
            continue
        names = names_in(expanded)
        grows_by_counter = bool(names & counters) and re.search(r"\*\*|\*|<<", text) is not None
        if grows_by_counter or names & updated:
            kinds.append(Backoff.GROWING)
        elif opaque_call(expanded):
            kinds.append(Backoff.UNKNOWN)
        else:
            kinds.append(Backoff.CONSTANT)
        random_part = any(
            isinstance(n, cst.Call) and (
                (resolver.qualified_name(n.func, scope) or "").startswith(RANDOM_MODULES)
                or "jitter" in _CODE.code_for_node(n.func).lower()
            )
            for n in LoopWalker(expanded).nodes
        ) or "jitter" in lowered
        facts.jitter = bool(facts.jitter) or random_part
        facts.capped = facts.capped or bool(re.search(r"\bmin\(", text))
    for kind in (Backoff.SERVER, Backoff.GROWING, Backoff.UNKNOWN, Backoff.CONSTANT):
        if kind in kinds:
            facts.backoff = kind
            break
    if facts.backoff is Backoff.UNKNOWN:
        facts.jitter = None


def opaque_call(expr: cst.BaseExpression) -> bool:
    """A call we cannot see into (`self._delay(n)`), other than arithmetic helpers."""
    for node in LoopWalker(expr).nodes:
        if isinstance(node, cst.Call):
            name = _CODE.code_for_node(node.func)
            if name not in ("min", "max", "float", "int", "abs", "round"):
                return True
    return False


def attempts(loop: cst.For | cst.While) -> int | None:
    if isinstance(loop, cst.For) and isinstance(loop.iter, cst.Call) and _CODE.code_for_node(loop.iter.func) == "range":
        values = [literal(a.value) for a in loop.iter.args]
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return len(range(*values))
    return None


def bounded(loop: cst.For | cst.While, walker: LoopWalker, counters: set[str],
             handlers: Sequence[cst.ExceptHandler]) -> bool:
    if isinstance(loop, cst.For):
        iterator = loop.iter
        return not (isinstance(iterator, cst.Call) and _CODE.code_for_node(iterator.func).endswith(("count", "repeat")))
    test_names = names_in(loop.test)
    if test_names & counters or mentions_time(loop.test):
        return True
    if literal(loop.test) not in (True, 1) and not test_names & counters:
        pass  # a condition not tied to attempts or time: like `while True`
    for node in walker.of(cst.If):
        names = names_in(node.test)
        if (names & counters or mentions_time(node.test)) and mentions_exit(node.body):
            return True
    return False


def mentions_time(node: cst.CSTNode) -> bool:
    text = _CODE.code_for_node(node)
    return bool(re.search(r"\b(monotonic|time|perf_counter|now|utcnow)\(\)|deadline|timeout|elapsed", text))


def mentions_exit(block: cst.CSTNode) -> bool:
    return any(isinstance(n, (cst.Return, cst.Raise, cst.Break)) for n in LoopWalker(block).nodes)


def largest_wait(sleeps: Sequence[cst.Call], walker: LoopWalker, counters: set[str], attempts: int | None) -> float | None:
    if attempts is None or len(counters) != 1:
        return None
    counter = next(iter(counters))
    assigned = loop_assignments(walker)
    largest = None
    for sleep in sleeps:
        argument = sleep_argument(sleep)
        if argument is None:
            continue
        try:
            value = safe_eval(expand(argument, assigned), {counter: max(attempts - 1, 0)})
        except ValueError:
            return None
        if isinstance(value, (int, float)):
            largest = max(largest or 0.0, float(value))
    return largest
