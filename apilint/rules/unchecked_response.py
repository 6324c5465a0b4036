"""API201: a response body used before its status was checked."""

from __future__ import annotations

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.precheck import AstFacts
from apilint.engine.traversal import Visit
from apilint.knowledge.responses import BODY_ATTRIBUTES, RAISE_FOR_STATUS_LIBRARIES
from apilint.rules.base import FixBuilder, Rule, RuleContext, make_fix
from apilint.semantic.raising import raises_for_status
from apilint.semantic.responses import UseKind, checked_before, follow, response_call


class UncheckedResponse(Rule):
    """## What it does
    Checks for HTTP responses whose body is read (`.json()`, `.text`,
    `.content`, `.iter_content()`, aiohttp's `.read()`, urllib3's `.data`, …)
    before anything looked at their status, in the same function.

    A status check is `r.raise_for_status()`, a status attribute
    (`status_code`, `status`, `ok`, `is_success`, `is_error`, `reason`, …) used
    in a condition, comparison, `assert`, `match` or assignment, or a truth
    test of the response (`if r:`). Not reported: a response that escapes (it
    is returned, yielded, passed to another function, stored, or used by a
    nested function), a client that raises on error statuses by itself
    (`aiohttp.ClientSession(raise_for_status=True)`, a requests `response`
    hook or httpx `event_hooks` that call `raise_for_status`), and
    `urllib.request.urlopen`, which raises on 4xx/5xx itself.

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
    right after the binding. It is unsafe: code that used to return an error
    payload now raises `HTTPError`, and callers may rely on the old behaviour.
    Chained uses (`requests.get(url).json()`) get no fix.

    ## Options
    None.

    ## References
    - [requests: Response Status Codes](https://requests.readthedocs.io/en/latest/user/quickstart/#response-status-codes)
    - [httpx: Response.raise_for_status](https://www.python-httpx.org/api/#response)
    - [aiohttp: ClientResponse.raise_for_status](https://docs.aiohttp.org/en/stable/client_reference.html#aiohttp.ClientResponse.raise_for_status)
    """

    code = "API201"
    name = "unchecked-response"
    message = "{what} is used before the response status is checked; an error page would be read as data"
    fix_title = "Insert `raise_for_status()` after the request"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = Applicability.UNSAFE
    node_types = (cst.Assign, cst.AnnAssign, cst.WithItem, cst.Attribute)
    cross_function_words = frozenset({"raise_for_status", "hooks"})  # raising hooks and wrappers

    @classmethod
    def precheck(cls, facts: AstFacts) -> bool:
        return bool(facts.http_modules) and facts.response_read

    def candidate_lines(self, facts: AstFacts) -> list[int] | None:
        return facts.lines.response_reads() if facts.lines is not None else None

    def check(self, visit: Visit, ctx: RuleContext) -> None:
        node = visit.node
        if isinstance(node, cst.Attribute):
            self._check_chained(node, visit, ctx)
            return
        resolver = ctx.resolver
        flow = follow(resolver, node, visit.scope, visit.order, ctx.parent_of, resolver.order_of)
        if flow is None or flow.escapes:
            return
        first_body = next((u for u in flow.uses if u.kind is UseKind.BODY), None)
        if first_body is None or first_body.attribute is None:
            return
        if checked_before(flow, first_body, ctx.parent_of, resolver.order_of):
            return
        if raises_for_status(resolver, flow.http, visit.scope):
            return
        attribute = first_body.attribute
        # A response without raise_for_status() (urllib3's): report without a fix.
        fix = _fix_builder(node, flow.name, attribute, ctx) if flow.http.library in RAISE_FOR_STATUS_LIBRARIES else None
        ctx.report(type(self), attribute.attr, fix=fix, what=f"{flow.name}.{attribute.attr.value}")

    def _check_chained(self, node: cst.Attribute, visit: Visit, ctx: RuleContext) -> None:
        http = response_call(ctx.resolver, node.value, visit.scope)
        if http is None or node.attr.value not in BODY_ATTRIBUTES.get(http.library, ()):
            return
        if raises_for_status(ctx.resolver, http, visit.scope):
            return
        ctx.report(type(self), node.attr, what=f"{http.display}(...).{node.attr.value}")


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
