"""API201: a response body used before its status was checked."""

from __future__ import annotations

from functools import partial

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.needs import ResponseReads
from apilint.engine.traversal import Visit
from apilint.knowledge.exceptions import hierarchy
from apilint.knowledge.responses import (
    BODY_ATTRIBUTES,
    RAISE_FOR_STATUS_LIBRARIES,
    STATUS_ATTRIBUTES,
)
from apilint.rules.base import FixBuilder, Rule, RuleContext, make_fix
from apilint.semantic.body_contract import body_contract
from apilint.semantic.exceptions import ExceptionResolver
from apilint.semantic.handled_body import handled_by_try
from apilint.semantic.parsed_body import ParsedBody, parsed_body, tests_error_field
from apilint.semantic.raising import raises_for_status
from apilint.semantic.responses import (
    Use,
    UseKind,
    checked_before,
    follow,
    response_call,
)


class UncheckedResponse(Rule):
    """## What it does
    Checks for HTTP responses whose body is read (`.json()`, `.text`,
    `.content`, `.iter_content()`, aiohttp's `.read()`, urllib3's `.data`, …)
    while nothing in the same function looks at their status.

    A status check is `r.raise_for_status()`, a status attribute
    (`status_code`, `status`, `ok`, `is_success`, `is_error`, `reason`, …) used
    in a condition, comparison, `assert`, `match`, assignment, `return` or as
    an argument of a call other than logging or printing (the status handed
    on with the body: `return r.text, r.status_code`), or a truth test of the
    response (`if r:`). Not reported: a response that escapes (it is
    returned, yielded, passed to another function, stored, or used by a
    nested function), a client that raises on error statuses by itself
    (`aiohttp.ClientSession(raise_for_status=True)`, a requests `response`
    hook or httpx `event_hooks` that call `raise_for_status`), and
    `urllib.request.urlopen`, which raises on 4xx/5xx itself.

    Changed in v2, because maintainers rejected the v1 reports on deliberate
    code: a check anywhere in the function counts, before or after the body
    use (OAuth-style code parses the error body first and then tests the
    status; transport layers hand body and status on together); a test of
    the parsed body's own error or status field counts (`if data.get("error")`,
    `if not data["ok"]`, `data["status"] != 1`, `"errors" in payload`: APIs
    such as Slack's report failures in the body); and the first body use is
    not reported when it sits in a `try` whose handler catches what an
    unexpected body raises (`ValueError`/`JSONDecodeError` for `.json()` or a
    parser such as `json.loads`, `KeyError`/`TypeError`/`IndexError` for
    subscripts that follow in the `try`, a broader class, or a class apilint
    cannot resolve): that code already turns an error page into a handled
    failure. The strict v1 order is `response-check-order = true`.

    ## Why is this bad?
    A 404 page, a 500 error or a rate-limit notice is parsed as if it were
    the data: `.json()` raises a confusing decoding error far from the cause,
    or, worse, an error object is silently stored as a result.

    ## Example
    ```python
    import requests

    def user(user_id):
        r = requests.get(f"https://api.example.com/users/{user_id}", timeout=10)
        return r.json()
    ```

    ## Use instead
    ```python
    import requests

    def user(user_id):
        r = requests.get(f"https://api.example.com/users/{user_id}", timeout=10)
        r.raise_for_status()
        return r.json()
    ```

    ## Fix safety
    When the response is bound to a plain name and its first body use is in
    the same block (or nested in it), the fix inserts `r.raise_for_status()`
    right after the binding. There is no fix where the function raises its
    own exception after testing the body: its callers catch that class, and
    an `HTTPError` would now escape them. It is unsafe: code that used to return an error
    payload now raises `HTTPError`, and callers may rely on the old behaviour.
    Chained uses (`requests.get(url).json()`) get no fix.

    ## Options
    - `response-check-order`

    ## References
    - [requests: Response Status Codes](https://requests.readthedocs.io/en/latest/user/quickstart/#response-status-codes)
    - [httpx: Response.raise_for_status](https://www.python-httpx.org/api/#response)
    - [aiohttp: ClientResponse.raise_for_status](https://docs.aiohttp.org/en/stable/client_reference.html#aiohttp.ClientResponse.raise_for_status)
    """

    code = "API201"
    name = "unchecked-response"
    message = "{what} is used {when}; an error page would be read as data"
    fix_title = "Insert `raise_for_status()` after the request"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = Applicability.UNSAFE
    options = ("response-check-order",)
    node_types = (cst.Assign, cst.AnnAssign, cst.WithItem, cst.Attribute)
    # Raising hooks and wrappers; status attributes: a Session subclass's request override (or a function
    # it calls) that examines the status handles every response (semantic/raising.py).
    cross_function_words = frozenset({"raise_for_status", "hooks"}) | STATUS_ATTRIBUTES

    needs = (ResponseReads(),)

    def check(self, visit: Visit, ctx: RuleContext) -> None:
        node = visit.node
        if isinstance(node, cst.Attribute):
            self._check_chained(node, visit, ctx)
            return
        resolver = ctx.resolver
        flow = follow(resolver, node, visit.scope, visit.order, ctx.parent_of, resolver.order_of)
        if flow is None or flow.escapes:
            return
        body_uses = [u for u in flow.uses if u.kind is UseKind.BODY and u.attribute is not None]
        if not body_uses:
            return
        strict = self.settings.response_check_order
        if not strict and any(u.kind is UseKind.CHECK for u in flow.uses):
            return  # v2: a status check anywhere in the function counts
        if raises_for_status(resolver, flow.http, visit.scope):
            return
        qualified = partial(resolver.qualified_name, scope=visit.scope)
        parsed = [(use, parsed_body(body_attribute(use), ctx.parent_of, qualified)) for use in body_uses]
        if not strict and any(tests_error_field(body, visit.scope, ctx.parent_of, resolver.order_of)
                              for _, body in parsed):
            return  # v2: the body's own error or status field is tested
        # The first body use decides: once it is checked or handled, the later ones read a vetted body.
        first, body = parsed[0]
        if strict and checked_before(flow, first, ctx.parent_of, resolver.order_of):
            return
        if self._handled(body, flow.http.library, first.name, visit, ctx):
            return
        attribute = body_attribute(first)
        # No fix for a response without raise_for_status() (urllib3's), nor where the function promises its
        # callers its own exception for a bad body (body_contract).
        fix = None
        if flow.http.library in RAISE_FOR_STATUS_LIBRARIES and not body_contract(
                body, visit.scope, ctx.parent_of, resolver.order_of):
            fix = _fix_builder(node, flow.name, attribute, ctx)
        ctx.report(type(self), attribute.attr, fix=fix, what=f"{flow.name}.{attribute.attr.value}", when=self._when())

    def _check_chained(self, node: cst.Attribute, visit: Visit, ctx: RuleContext) -> None:
        http = response_call(ctx.resolver, node.value, visit.scope)
        if http is None or node.attr.value not in BODY_ATTRIBUTES.get(http.library, ()):
            return
        if raises_for_status(ctx.resolver, http, visit.scope):
            return
        body = parsed_body(node, ctx.parent_of, partial(ctx.resolver.qualified_name, scope=visit.scope))
        if not self.settings.response_check_order and tests_error_field(body, visit.scope, ctx.parent_of,
                                                                         ctx.resolver.order_of):
            return
        if self._handled(body, http.library, node, visit, ctx):
            return
        ctx.report(type(self), node.attr, what=f"{http.display}(...).{node.attr.value}", when=self._when())

    def _when(self) -> str:
        if self.settings.response_check_order:
            return "before the response status is checked"
        return "but nothing in this function checks the response status"

    def _handled(self, body: ParsedBody, library: str, use: cst.CSTNode, visit: Visit, ctx: RuleContext) -> bool:
        """v2: the use sits in a try whose handler catches what an unexpected body raises."""
        exceptions = ExceptionResolver(ctx.resolver, hierarchy(self.settings.target_version))
        return handled_by_try(body, library, use, visit.scope, ctx.parent_of, ctx.resolver.order_of, exceptions)


def body_attribute(use: Use) -> cst.Attribute:
    assert use.attribute is not None
    return use.attribute


def _fix_builder(binding: cst.CSTNode, name: str, use: cst.Attribute, ctx: RuleContext) -> FixBuilder | None:
    """Insert `name.raise_for_status()` after the binding, if the use is in (or nested in) its block."""
    parent_of = ctx.parent_of
    if isinstance(binding, cst.WithItem):
        with_node = parent_of.get(binding)
        if not isinstance(with_node, cst.With) or not isinstance(with_node.body, cst.IndentedBlock):
            return None
        block: cst.CSTNode = with_node.body
        anchor: cst.CSTNode = with_node.body.body[0]
        before = True
    else:
        line = parent_of.get(binding)
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return None
        block_parent = parent_of.get(line)
        if not isinstance(block_parent, (cst.IndentedBlock, cst.Module)):
            return None
        block, anchor, before = block_parent, line, False
    ancestor = parent_of.get(use)
    while ancestor is not None and ancestor is not block:
        ancestor = parent_of.get(ancestor)
    if ancestor is None:
        return None
    statement = f"{name}.raise_for_status()"

    def build(loc: Locator) -> Fix | None:
        start_line = loc.range(anchor).start.line
        indent = loc.indentation(start_line)
        newline = loc.newline()
        if before:
            offset = loc.offset(start_line, 0)
            return make_fix(UncheckedResponse, [(offset, offset, f"{indent}{statement}{newline}")])
        end = loc.line_end(loc.end(anchor))
        if end == len(loc.text):
            return make_fix(UncheckedResponse, [(end, end, f"{newline}{indent}{statement}")])
        after = end + (2 if loc.text.startswith("\r\n", end) else 1)
        return make_fix(UncheckedResponse, [(after, after, f"{indent}{statement}{newline}")])

    return build
