"""API202: the response of a state-changing request thrown away."""

from __future__ import annotations

import libcst as cst

from apilint.engine.findings import Applicability, FixAvailability
from apilint.engine.needs import DiscardedCalls
from apilint.engine.traversal import Visit
from apilint.knowledge.responses import (
    CHAINABLE_RAISE_FOR_STATUS_LIBRARIES,
    STATE_CHANGING_METHODS,
    STATUS_ATTRIBUTES,
)
from apilint.rules.base import NodeRule, RuleContext, make_fix
from apilint.semantic.http_calls import HttpCall
from apilint.semantic.names import keyword_arg, string_value
from apilint.semantic.raising import raises_for_status
from apilint.semantic.responses import response_call


class DiscardedResponse(NodeRule[cst.Expr]):
    """## What it does
    Checks for POST, PUT, PATCH and DELETE requests (also `.request("POST", …)`
    with a literal method) used as a statement: the response, and with it the
    status, is thrown away.

    ## Why is this bad?
    HTTP clients do not raise on 4xx/5xx statuses. A write that the server
    rejected (a validation error, an expired token, a conflict) goes
    unnoticed, and the program carries on as if the data had been saved.

    ## Example
    ```python
    import requests

    def save(item):
        requests.post("https://api.example.com/items", json=item, timeout=10)
    ```

    ## Use instead
    ```python
    import requests

    def save(item):
        requests.post("https://api.example.com/items", json=item, timeout=10).raise_for_status()
    ```

    ## Fix safety
    For requests and httpx the fix appends `.raise_for_status()` to the call.
    It is unsafe: a failed write that used to pass silently now raises, which
    is the point, but callers may not expect the exception.

    ## Options
    None.

    ## References
    - [requests: Response.raise_for_status](https://requests.readthedocs.io/en/latest/api/#requests.Response.raise_for_status)
    - [httpx: Response.raise_for_status](https://www.python-httpx.org/api/#response)
    """

    code = "API202"
    name = "discarded-response"
    message = "the response of {call}() is discarded: a failed {method} goes unnoticed"
    fix_title = "Append `.raise_for_status()`"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = Applicability.UNSAFE
    # Raising hooks and wrappers; status attributes: a Session subclass's request override (or a function
    # it calls) that examines the status handles every response (semantic/raising.py).
    cross_function_words = frozenset({"raise_for_status", "hooks"}) | STATUS_ATTRIBUTES

    needs = (DiscardedCalls(),)

    def check_node(self, node: cst.Expr, visit: Visit, ctx: RuleContext) -> None:
        http = response_call(ctx.resolver, node.value, visit.scope)
        if http is None:
            return
        method = _method(http)
        if method is None or raises_for_status(ctx.resolver, http, visit.scope):
            return
        value = node.value
        fix = None
        if http.library in CHAINABLE_RAISE_FOR_STATUS_LIBRARIES:
            if isinstance(value, cst.Await):
                fix = lambda loc: make_fix(DiscardedResponse, [
                    (loc.start(value), loc.start(value), "("),
                    (loc.end(value), loc.end(value), ").raise_for_status()"),
                ])
            else:
                fix = lambda loc: make_fix(DiscardedResponse, [
                    (loc.end(value), loc.end(value), ".raise_for_status()")
                ])
        ctx.report(type(self), http.call, fix=fix, call=http.display, method=method)


def _method(http: HttpCall) -> str | None:
    """POST/PUT/PATCH/DELETE, or None for reads and unknown methods."""
    if http.method in STATE_CHANGING_METHODS:
        return http.method.upper()
    if http.method not in ("request", "urlopen", "request_encode_body", "request_encode_url"):
        return None
    given = keyword_arg(http.call, "method")
    literal = given.value if given is not None else next(
        (a.value for a in http.call.args if a.keyword is None and not a.star), None
    )
    text = string_value(literal) if literal is not None else None
    if text is not None and text.lower() in STATE_CHANGING_METHODS:
        return text.upper()
    return None
