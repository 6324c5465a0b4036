"""The pre-check's per-family pattern tests over the `ast` scan (retry loops, timeout objects, reads).

Each mirrors what one rule family looks for, with fewer checks, so it may say
yes where the rule stays silent but never no where it reports (`needs.py`
turns them into candidate sites).
"""

from __future__ import annotations

import ast

from apilint.engine.ast_model import Block, Position, Scan
from apilint.engine.precheck_calls import _Calls
from apilint.knowledge.http_clients import TIMEOUT_OBJECTS


def may_retry(loop: Block, scan: Scan, calls: _Calls) -> bool:
    """A loop around an HTTP call (or a given callable) that notices failures: a retry loop candidate."""
    return loop.notices_failure and not loop.iterates_inputs and any(
        calls.may_send(c) or (type(c.func) is ast.Name and c.func.id in scan.params) for c in loop.calls
    )


def unbounded_timeout_object(call: ast.Call, qualified: str) -> bool:
    """`httpx.Timeout(None)`, `aiohttp.ClientTimeout()`: mirrors `TimeoutDisabled._check_timeout_object`."""
    bounds = TIMEOUT_OBJECTS[qualified].bounds
    if any(type(a) is ast.Starred for a in call.args) or any(kw.arg is None for kw in call.keywords):
        return False
    given = [*call.args[:len(bounds)], *(kw.value for kw in call.keywords if kw.arg in bounds)]
    if any(not (type(v) is ast.Constant and v.value is None) for v in given):
        return False
    return bool(given) or TIMEOUT_OBJECTS[qualified].empty_is_unbounded


def read_unchecked(block: Block, name: str, bound: Position) -> bool:
    """Is the body of the response bound at `bound` read before any check of it (in source order)?

    Mirrors `responses.checked_before` with fewer checks (raise_for_status() calls and status
    attributes in if/while/assert tests, which the rule counts too), so it may answer yes
    where the rule finds a check, never no where the rule reports.
    """
    reads = [p for p in block.body_uses.get(name, ()) if p > bound]
    if not reads:
        return False
    first = min(reads)
    return not any(bound < p < first for p in block.checks.get(name, ()))
