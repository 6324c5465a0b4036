"""API104: a timeout parameter that defaults to None and reaches an HTTP call unchanged."""

from __future__ import annotations

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.needs import TimeoutFromName
from apilint.engine.traversal import Visit
from apilint.rules.base import NodeRule, RuleContext, make_fix
from apilint.semantic.names import is_none, keyword_arg
from apilint.semantic.numeric_annotation import admits_number
from apilint.semantic.scope import BindingKind, ClassScope, FunctionScope, Scope


class TimeoutDefaultsToNone(NodeRule[cst.Call]):
    """## What it does
    Checks for function parameters that default to `None` and are passed on
    unchanged as the `timeout` of an HTTP call whose library has no default
    timeout: `def get(self, url, timeout=None): return
    self.session.get(url, timeout=timeout)`, or `__init__(self, timeout=None)`
    storing it as `self.timeout` that a request later passes as
    `timeout=self.timeout`, also through a project function that forwards
    `**kwargs` into such a call without setting a timeout (API101's wrappers).

    Not reported: a parameter whose `None` is replaced or tested before the
    call (`timeout = timeout or DEFAULT`, `if timeout is None: timeout = ...`,
    any other assignment or test of it), an attribute assigned anywhere else
    in the module, and calls whose client has a default timeout (httpx,
    aiohttp, niquests, a session whose class supplies one): there `None` is
    either the caller's explicit choice or replaced by the library.

    ## Why is this bad?
    A `None` default reads as "no opinion", but requests and urllib3 read it
    as "wait forever". Every caller of the API who does not think of the
    timeout gets a call that hangs when a server accepts the connection and
    never answers. The default of a public parameter is the timeout most
    calls actually run with.

    ## Example
    ```python
    import requests

    def fetch(url, timeout=None):
        r = requests.get(url, timeout=timeout)
        r.raise_for_status()
        return r.json()
    ```

    ## Use instead
    ```python
    import requests

    def fetch(url, timeout=10):
        r = requests.get(url, timeout=timeout)
        r.raise_for_status()
        return r.json()
    ```

    ## Fix safety
    The fix replaces the `None` default with the configured `timeout`. It is
    unsafe: it changes the public default of an API, and a caller that relied
    on "no timeout" (a long download) now gets a timeout error.

    It is offered only when the number keeps the code's own type check
    passing: the parameter has no annotation, or its annotation provably
    admits the number (`int`, `float`, `numbers.Real`, `Optional[...]`,
    `X | None` or `Union[...]` of one of them, a string annotation, or a
    module-level alias of these). A parameter annotated with anything else
    (`TimeoutTuple | None` where `TimeoutTuple = tuple[int, int]`, an
    imported alias, a timeout class) keeps its finding without a fix.

    ## Options
    - `timeout`

    ## References
    - [requests: Timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    - [urllib3: Using timeouts](https://urllib3.readthedocs.io/en/stable/user-guide.html#using-timeouts)
    """

    code = "API104"
    name = "timeout-defaults-to-none"
    message = "`{param}` defaults to None and reaches {call}() unchanged: callers that leave it out can block forever"
    fix_title = "Replace the `None` default with the configured timeout"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = Applicability.UNSAFE
    options = ("timeout",)

    needs = (TimeoutFromName(),)

    def check_node(self, call: cst.Call, visit: Visit, ctx: RuleContext) -> None:
        arg = keyword_arg(call, "timeout")
        if arg is None or not isinstance(visit.scope, FunctionScope):
            return
        value = arg.value
        if isinstance(value, cst.Name):
            origin: tuple[FunctionScope, str] | None = (visit.scope, value.value)
        elif isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name):
            origin = _stored_parameter(value, visit.scope, ctx)
        else:
            return
        if origin is None:
            return
        function, name = origin
        param = _none_parameter(function, name, ctx)
        if param is None or param.default is None:
            return
        resolver = ctx.resolver
        http = resolver.http_call(call, visit.scope)
        if http is None:
            # A project wrapper forwarding `**kwargs` into a call with no timeout: the None goes on unchanged.
            wrapped = resolver.project_wrapper(call, visit.scope, resolver.order_of.get(call))
            if wrapped is None:
                return
            target = f"{wrapped.display}() -> {wrapped.wrapper.target}"
        elif http.default_timeout or http.none_keeps_default:
            return
        else:
            target = http.display
        key = (self.code, id(param))
        if key in ctx.cache:
            return  # one report per parameter, however many calls it reaches
        ctx.cache[key] = True
        none = param.default
        literal = self.settings.timeout_literal()
        # The number must keep the code's own type check passing (`TimeoutTuple | None = 10` would not).
        annotation = param.annotation
        typed = annotation is None or (
            function.parent is not None
            and admits_number(annotation.annotation, literal, function.parent, ctx.resolver))
        ctx.report(type(self), none, fix=(lambda loc: _replace(none, literal, loc)) if typed else None,
                   param=name, call=target)


def _stored_parameter(value: cst.Attribute, scope: FunctionScope, ctx: RuleContext) -> tuple[FunctionScope, str] | None:
    """`self.timeout` -> (`__init__`, `timeout`) when its only assignment in the class's family in the module
    is `self.timeout = timeout` in `__init__` of the class or a base class."""
    owner = scope.owner
    if owner is None or not isinstance(value.value, cst.Name) or value.value.value != scope.self_name:
        return None
    attr = value.attr.value
    chain = ctx.resolver.class_chain(owner)
    if any(attr in cls.methods for cls in chain):
        return None  # a property or method: its value is computed
    # Every assignment in the class, its bases and its subclasses in the module (a subclass may set it).
    related = [cls for cls in _classes(ctx.resolver.model.module_scope)
               if any(klass in chain for klass in ctx.resolver.class_chain(cls))]
    bindings = [b for cls in related for b in cls.instance_attributes.get(attr, [])]
    if len(bindings) != 1:
        return None
    stored = bindings[0]
    init = stored.scope
    if not (isinstance(init, FunctionScope) and init.name == "__init__" and init.owner in chain):
        return None
    if not isinstance(stored.value, cst.Name):
        return None
    return init, stored.value.value


def _classes(scope: Scope) -> list[ClassScope]:
    found = [scope] if isinstance(scope, ClassScope) else []
    for child in scope.children:
        found += _classes(child)
    return found


def _none_parameter(function: FunctionScope, name: str, ctx: RuleContext) -> cst.Param | None:
    """The parameter `name` of `function` when it defaults to None and is never replaced or tested."""
    node = function.node
    if not isinstance(node, cst.FunctionDef):
        return None
    params = node.params
    param = next((p for p in (*params.posonly_params, *params.params, *params.kwonly_params)
                  if p.name.value == name), None)
    if param is None or not is_none(param.default):
        return None
    bindings = function.bindings.get(name, [])
    if len(bindings) != 1 or bindings[0].kind is not BindingKind.PARAM or name in function.global_names:
        return None  # assigned in the body (`timeout = timeout or DEFAULT`): replaced on some path
    for use in function.uses.get(name, []):
        if use is param.name:
            continue
        parent = ctx.parent_of.get(use)
        # Passed on (`timeout=timeout`, `log.debug("%s", timeout)`) or stored (`self.timeout = timeout`).
        # Anything else (`if timeout is None`, `timeout or 10`) may replace the None: not proven.
        if isinstance(parent, cst.Arg) and parent.value is use:
            continue
        if isinstance(parent, cst.Assign) and parent.value is use:
            continue
        return None
    return param


def _replace(node: cst.CSTNode, value: str, loc: Locator) -> Fix:
    return make_fix(TimeoutDefaultsToNone, [(loc.start(node), loc.end(node), value)])
