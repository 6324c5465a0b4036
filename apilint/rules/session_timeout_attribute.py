"""API103: `session.timeout = N` on a requests Session, which requests ignores."""

from __future__ import annotations

import libcst as cst

from apilint.engine.needs import ClientTimeoutAttributes
from apilint.engine.traversal import Visit
from apilint.rules.base import Rule, RuleContext


class SessionTimeoutAttribute(Rule):
    """## What it does
    Checks for assignments to a `timeout` attribute of a `requests.Session`
    (`session.timeout = 10`, `self.session.timeout = 10`).

    ## Why is this bad?
    `requests.Session` has no `timeout` attribute: requests never reads it.
    The assignment looks like a session-wide timeout, reviewers accept it as
    one, and every request of the session still waits forever when a server
    does not answer. Not reported: a `Session` subclass whose `request`
    method handles the timeout, and an attribute the module's own code reads
    back (`session.get(url, timeout=session.timeout)`).

    ## Example
    ```python
    import requests

    session = requests.Session()
    session.timeout = 10
    session.get("https://api.example.com/items")
    ```

    ## Use instead
    ```python
    import requests

    session = requests.Session()
    session.get("https://api.example.com/items", timeout=10)
    ```

    ## Fix safety
    No fix is offered: the right change is a timeout on each call, or a
    `Session` subclass whose `request` sets a default, and which one fits
    depends on the code around it.

    ## Options
    None.

    ## References
    - [requests issue #3070: Session-level timeout](https://github.com/psf/requests/issues/3070)
    - [requests: Timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    """

    code = "API103"
    name = "session-timeout-attribute"
    message = "{library} ignores {target}.timeout: the session's calls still have no timeout"
    node_types = (cst.Assign, cst.AnnAssign)
    cross_function_words = frozenset({"timeout"})  # `x.timeout` read back by other functions

    needs = (ClientTimeoutAttributes(),)

    def check(self, visit: Visit, ctx: RuleContext) -> None:
        node = visit.node
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, cst.AnnAssign):
            targets = [node.target]
        else:
            return
        for target in targets:
            if not (isinstance(target, cst.Attribute) and target.attr.value == "timeout"):
                continue
            client = ctx.resolver.client_of(target.value, visit.scope, visit.order)
            if client is None or not client.kind.timeout_attribute_ignored or client.injects_timeout:
                continue
            if ctx.resolver.attribute_read_elsewhere(target, visit.scope):
                continue  # the code reads it back (`timeout=self.timeout`): not ignored
            receiver = cst.Module([]).code_for_node(target.value)
            ctx.report(type(self), target, target=receiver, library=client.kind.library)
