"""API102: a timeout explicitly switched off."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.needs import DisabledTimeouts
from apilint.engine.traversal import Visit
from apilint.knowledge.http_clients import (
    CLIENT_CONSTRUCTORS,
    CONNECTION_CONSTRUCTORS,
    TIMEOUT_OBJECTS,
    record,
)
from apilint.rules.base import NodeRule, RuleContext, make_fix
from apilint.semantic.http_calls import HttpCall
from apilint.semantic.names import is_none, keyword_arg


class TimeoutDisabled(NodeRule[cst.Call]):
    """## What it does
    Checks for timeouts that are switched off: `timeout=None` on a request of
    `requests`, `httpx`, `httpx2`, `aiohttp`, `urllib3`, `urllib` or
    `http.client`, or on a client constructor (except
    `aiohttp.ClientSession(timeout=None)`, which aiohttp treats as "use the
    default", and niquests, whose requests and sessions replace `None` with
    their default timeouts); a `requests` or `niquests` timeout tuple whose
    read part is `None`; and timeout objects that bound nothing:
    `httpx.Timeout(None)`, `aiohttp.ClientTimeout()` or
    `ClientTimeout(total=None)` with no other bound, `urllib3.Timeout(total=None)`
    with no `connect`/`read`.

    ## Why is this bad?
    `timeout=None` means "wait forever". `httpx` and `aiohttp` protect you with
    a default timeout, and `None` throws that protection away; in `requests`
    it documents, wrongly, that the hang is intended. A server that accepts the
    connection and never answers then blocks the caller for good.

    ## Example
    ```python
    import httpx

    client = httpx.Client(timeout=None)
    ```

    ## Use instead
    ```python
    import httpx

    client = httpx.Client(timeout=30)
    ```

    ## Fix safety
    There is no safe fix: a disabled timeout is sometimes deliberate (a
    streaming download, a long poll). The unsafe fix replaces `None` with the
    configured `timeout`, which makes a call that would have waited forever
    raise a timeout error instead. Review it before applying.

    The fix is offered only where it changes the wait of one request: on
    `timeout=None` of a request call, the `None` read part of a request's
    timeout tuple, or a timeout object written as a request's `timeout=`.
    A client constructor (`httpx.Client(timeout=None)`, also inside a client
    factory), a connection (`http.client.HTTPSConnection(host, timeout=None)`),
    or a timeout object that a client is built with or that is stored for
    later use keeps its finding without a fix: its timeout reaches every call
    made through the client, including long server-side operations the fix
    cannot see.

    ## Options
    - `timeout`

    ## References
    - [httpx: Timeouts](https://www.python-httpx.org/advanced/timeouts/)
    - [aiohttp: Timeouts](https://docs.aiohttp.org/en/stable/client_quickstart.html#timeouts)
    - [requests: Timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    """

    code = "API102"
    name = "timeout-disabled"
    message = "{what} disables the timeout: {target} can block forever"
    fix_title = "Replace `None` with the configured timeout"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = Applicability.UNSAFE
    options = ("timeout",)

    needs = (DisabledTimeouts(),)

    def check_node(self, call: cst.Call, visit: Visit, ctx: RuleContext) -> None:
        value = self.settings.timeout_literal()
        resolver = ctx.resolver
        qualified = resolver.qualified_name(call.func, visit.scope)
        if qualified in TIMEOUT_OBJECTS:
            self._check_timeout_object(call, qualified, value, visit, ctx)
            return
        arg = keyword_arg(call, "timeout")
        if arg is None:
            return
        http = resolver.http_call(call, visit.scope)
        if http is not None:
            target, library = f"{http.display}()", http.library
        elif qualified in CLIENT_CONSTRUCTORS or (qualified is None and resolver.client_of(call, visit.scope)):
            client = resolver.client_of(call, visit.scope)
            if client is None or client.kind.constructor_none_keeps_default:
                # aiohttp.ClientSession(timeout=None) falls back to aiohttp's default
                # timeout (aiohttp/client.py, 3.x): nothing is disabled.
                return
            target, library = f"every request of this {client.kind.name.split('.')[-1]}", client.kind.library
        else:
            return
        # The fix may change one request's wait only: a client's (or a factory's) timeout reaches
        # every call made through it, which the fix cannot see (long server-side operations).
        one_request = _sends_one_request(http)
        if is_none(arg.value):
            if http is not None and http.none_keeps_default:
                return  # niquests: `timeout=None` means its default timeout
            none = arg.value
            ctx.report(type(self), arg, fix=_replacing(none, value) if one_request else None,
                       what="timeout=None", target=target)
        elif record(library).timeout_tuple and isinstance(arg.value, cst.Tuple):
            elements = arg.value.elements
            if len(elements) == 2 and is_none(elements[1].value):
                read = elements[1].value
                ctx.report(type(self), arg, fix=_replacing(read, value) if one_request else None,
                           what="a read timeout of None", target=target)

    def _check_timeout_object(self, call: cst.Call, qualified: str, value: str, visit: Visit,
                              ctx: RuleContext) -> None:
        timeout_object = TIMEOUT_OBJECTS[qualified]
        bounds = timeout_object.bounds
        given: list[cst.BaseExpression] = []
        positional = [a for a in call.args if a.keyword is None and a.star == ""]
        if any(a.star for a in call.args):
            return
        for index, arg in enumerate(positional):
            if index < len(bounds):
                given.append(arg.value)
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in bounds:
                given.append(arg.value)
        if any(not is_none(v) for v in given):
            return  # something is bounded
        if not given and not timeout_object.empty_is_unbounded:
            return  # httpx.Timeout() is an error; urllib3.Timeout() keeps its defaults
        display = qualified.rsplit(".", 1)[1]
        first_none = given[0] if given else None

        def fix(loc: Locator) -> Fix | None:
            if first_none is not None and len(given) == 1:
                return _replace(first_none, value, loc)
            if not call.args:
                open_paren = loc.text.find("(", loc.end(call.func))
                return make_fix(TimeoutDisabled, [(open_paren + 1, open_paren + 1, f"total={value}")])
            return None

        # Fixed only as the timeout of one request: a client built with it, or a timeout object
        # stored for later use, may reach any number of calls the fix cannot see.
        ctx.report(type(self), call, fix=fix if _is_request_timeout(call, visit, ctx) else None,
                   what=f"{display}() with no bound", target="a request using it")


def _is_request_timeout(timeout_object: cst.Call, visit: Visit, ctx: RuleContext) -> bool:
    """`timeout_object` is written as the `timeout=` of a call proven to send one request."""
    arg = ctx.parent_of.get(timeout_object)
    if not isinstance(arg, cst.Arg) or arg.keyword is None or arg.keyword.value != "timeout":
        return False
    request = ctx.parent_of.get(arg)
    return isinstance(request, cst.Call) and _sends_one_request(ctx.resolver.http_call(request, visit.scope))


def _sends_one_request(http: HttpCall | None) -> bool:
    """A request call, not a connection opened with its timeout (`http.client.HTTPConnection(host,
    timeout=None)` bounds every request sent over it, like a client)."""
    return http is not None and not (http.function is not None and http.function.name in CONNECTION_CONSTRUCTORS)


def _replacing(node: cst.CSTNode, value: str) -> Callable[[Locator], Fix]:
    return lambda loc: _replace(node, value, loc)


def _replace(node: cst.CSTNode, value: str, loc: Locator) -> Fix:
    return make_fix(TimeoutDisabled, [(loc.start(node), loc.end(node), value)])
