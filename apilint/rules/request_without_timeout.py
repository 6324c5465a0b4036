"""API101: an HTTP call with no timeout."""

from __future__ import annotations

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.needs import UntimedCalls
from apilint.engine.traversal import Visit
from apilint.rules.base import NodeRule, Rule, RuleContext
from apilint.rules.edits import add_keyword_fix
from apilint.semantic.names import has_star_args, keyword_arg, positional_count


class RequestWithoutTimeout(NodeRule[cst.Call]):
    """## What it does
    Checks for HTTP calls that can wait forever: a `requests`, `urllib3`,
    `urllib.request.urlopen` or `http.client` call with no `timeout`, sent by a
    client that has no default timeout either.

    Calls are found through the module's imports and through client objects
    held in local variables, `with` blocks, `self.session` attributes set in
    another method, module globals, annotated parameters, factory
    functions and classmethods or staticmethods called on their class
    (`Client.create()`), in this module or in any module of the project (a
    session made in `client.py`, set in a base class elsewhere, or a library
    re-exported through a `compat` module).

    A project function that forwards `**kwargs` into such a call without ever
    setting a timeout is a wrapper: each call of it that passes no `timeout`
    is reported (the message names the wrapper and the call it ends in), the
    wrapper itself is not. Wrappers of wrappers chain. No fix is offered
    there: the wrapper may hand its `**kwargs` to other calls too.

    A client class of the project (in this module or another) that defines
    the called method itself with a signature that takes no `timeout`
    (`def get(self, path)`) is not sent by the library: such a call is not
    reported (its body is).

    ## Why is this bad?
    `requests` and `urllib3` have no default timeout. When a server accepts the
    connection but never answers (an overloaded backend, a half-open TCP
    connection, a misconfigured proxy), the call blocks the thread forever: a
    worker stops serving, a cron job never ends, a deploy hangs. Nothing in the
    logs says why.

    Not reported: `httpx`, `httpx2`, `aiohttp` and `niquests` calls (they have
    default timeouts; niquests' `Session.send` excepted), a call that forwards `**kwargs` (the timeout may be inside), and calls on a
    client whose class or set-up visibly supplies a default timeout (a
    `Session` subclass whose `request` sets `timeout`, an adapter that does, or
    `functools.partial(session.request, timeout=...)`).

    ## Example
    ```python
    import requests

    def fetch(url):
        session = requests.Session()
        return session.get(url)
    ```

    ## Use instead
    ```python
    import requests

    def fetch(url):
        session = requests.Session()
        return session.get(url, timeout=10)
    ```

    ## Fix safety
    The fix adds `timeout=<timeout>` as the last keyword argument. It is safe:
    a call that answers within the timeout behaves exactly as before; only a
    call that would have hung now raises a timeout error instead. Pick a value
    that suits your slowest legitimate endpoint with the `timeout` option.

    The library hands the keyword on to other methods of the same object
    (`Session.get` calls `self.request`, which calls `self.send`). When the
    client's class, a project base of it or a subclass in the module defines
    one of those with a signature that takes neither `timeout` nor `**kwargs`
    (`def request(self, method, url)`), the added keyword would raise
    `TypeError` there: the call is reported without a fix.

    ## Options
    - `timeout`

    ## References
    - [requests: Timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    - [urllib3: Using timeouts](https://urllib3.readthedocs.io/en/stable/user-guide.html#using-timeouts)
    """

    code = "API101"
    name = "request-without-timeout"
    message = "{call}() has no timeout and can block forever; pass timeout="
    fix_title = "Add `timeout=`"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = Applicability.SAFE
    options = ("timeout",)

    needs = (UntimedCalls(),)

    def check_node(self, call: cst.Call, visit: Visit, ctx: RuleContext) -> None:
        if has_star_args(call) or keyword_arg(call, "timeout") is not None:
            return
        http = ctx.resolver.http_call(call, visit.scope)
        if http is None:
            wrapped = ctx.resolver.project_wrapper(call, visit.scope, ctx.resolver.order_of.get(call))
            if wrapped is not None:
                ctx.report(type(self), call, call=f"{wrapped.display}() -> {wrapped.wrapper.target}")
            return
        if http.default_timeout:
            return
        if http.positional_timeout is not None and positional_count(call) > http.positional_timeout:
            return
        value = self.settings.timeout_literal()
        if not http.accepts_timeout:
            # The client's project class defines a method the keyword reaches (`s.get` -> `self.request`)
            # with a signature that cannot take it: `timeout=` would raise TypeError there. The call
            # still has no timeout.
            ctx.report(type(self), call, call=http.display)
            return
        ctx.report(type(self), call, fix=lambda loc: timeout_fix(type(self), call, value, loc), call=http.display)


def timeout_fix(rule: type[Rule], call: cst.Call, value: str, loc: Locator) -> Fix | None:
    """Insert `timeout=<value>` after the last argument, keeping layout and comments."""
    return add_keyword_fix(rule, call, f"timeout={value}", loc)
