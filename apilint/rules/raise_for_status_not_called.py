"""API203: `r.raise_for_status` referenced without being called."""

from __future__ import annotations

import libcst as cst

from apilint.engine.findings import Applicability, FixAvailability
from apilint.engine.needs import UncalledRaiseForStatus
from apilint.engine.traversal import Visit
from apilint.rules.base import NodeRule, RuleContext, make_fix
from apilint.semantic.responses import is_truth_test


class RaiseForStatusNotCalled(NodeRule[cst.Attribute]):
    """## What it does
    Checks for `raise_for_status` referenced without parentheses: as a
    statement (`r.raise_for_status`), in a condition, or assigned.

    ## Why is this bad?
    Without the call nothing is checked: the line looks like a status check,
    passes review, and error responses flow on as data. (Passing the bound
    method on, as a callback, is fine and not reported.)

    ## Example
    ```python
    import requests

    def user(user_id):
        r = requests.get(f"https://api.example.com/users/{user_id}", timeout=10)
        r.raise_for_status
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
    Only the statement form (`r.raise_for_status` alone on its line) has a
    fix: it adds the missing `()`, and it is safe: it makes the code do what
    it clearly meant to do. In a condition or an assignment there is no fix:
    `raise_for_status()` returns `None`, so adding `()` would also change what
    the code does when the response is fine (`if r.raise_for_status():` would
    never be true, `check = r.raise_for_status()` would store `None`). Those
    lines need a person to decide what was meant.

    ## Options
    None.

    ## References
    - [requests: Response.raise_for_status](https://requests.readthedocs.io/en/latest/api/#requests.Response.raise_for_status)
    """

    code = "API203"
    name = "raise-for-status-not-called"
    message = "{target}.raise_for_status is not called, so it checks nothing; {advice}"
    fix_title = "Call `raise_for_status()`"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = Applicability.SAFE

    needs = (UncalledRaiseForStatus(),)

    def check_node(self, node: cst.Attribute, visit: Visit, ctx: RuleContext) -> None:
        if node.attr.value != "raise_for_status":
            return
        parent = ctx.parent_of.get(node)
        if isinstance(parent, cst.Call) and parent.func is node:
            return
        statement = isinstance(parent, cst.Expr)
        assigned = isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is node
        if not (statement or assigned or is_truth_test(node, parent)):
            return
        target = cst.Module([]).code_for_node(node.value)
        if not statement:
            # In a condition or an assignment `()` would change the success path too (it returns None).
            ctx.report(type(self), node, target=target, advice=f"call {target}.raise_for_status() on its own line")
            return
        ctx.report(type(self), node, fix=lambda loc: make_fix(RaiseForStatusNotCalled, [(loc.end(node), loc.end(node), "()")]),
                   target=target, advice="add ()")
