"""Which calls send an HTTP request, and with what timeout defaults (`HttpCall`).

A call sends when its name is a library's request function or connection
constructor (`requests.get`, `http.client.HTTPConnection`), or when it is a
request method of a receiver the value resolver proves a client (`s.get`,
`self.session.post`, `(session or requests).post`, a bound method held in a
local). The result carries what the timeout rules need: the library, whether a
default timeout applies, where a positional timeout would sit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from apilint.knowledge.http_clients import (
    CONNECTION_CONSTRUCTORS,
    REQUEST_FUNCTIONS,
    ClientKind,
    Library,
    RequestFunction,
)
from apilint.semantic.client_ref import ClientRef, _agree
from apilint.semantic.client_resolution import ClientResolution
from apilint.semantic.names import dotted_name, is_none
from apilint.semantic.scope import BindingKind, Scope


@dataclass(frozen=True, eq=False)
class HttpCall:
    """A call that sends a request (or opens a connection with its timeout)."""

    call: cst.Call
    library: Library
    method: str
    display: str
    client: ClientRef | None
    function: RequestFunction | None
    default_timeout: bool
    positional_timeout: int | None
    # `timeout=None` falls back to the library default instead of disabling it (niquests).
    none_keeps_default: bool = False
    # A `timeout=` added to the call reaches no project definition that cannot take it (the client
    # class's overrides along the library's delegation path): API101's fix may add one.
    accepts_timeout: bool = True


class HttpCalls(ClientResolution):
    order_of: Mapping[cst.CSTNode, int]

    # -- calls ----------------------------------------------------------------
    def http_call(self, call: cst.Call, scope: Scope) -> HttpCall | None:
        order = self.order_of.get(call)
        qualified = self.qualified_name(call.func, scope, order)
        function: RequestFunction | None = None
        if qualified is not None:
            function = REQUEST_FUNCTIONS.get(qualified) or CONNECTION_CONSTRUCTORS.get(qualified)
            if function is None and not self.extra_clients and self.project is None:
                return None  # (in a project, `client.SESSION.get` may be a method of an imported client)
        if qualified is not None and function is not None:
            return HttpCall(call, function.library, qualified.rsplit(".", 1)[1], qualified, None, function,
                            function.default_timeout, function.positional_timeout, function.none_keeps_default)
        func = call.func
        if isinstance(func, cst.Name):
            # `send = self.session.post` … `send(url)`: a bound method held in a local.
            bindings = self.lookup(func.value, scope, order)
            methods = [b.value for b in bindings if b.kind is BindingKind.ASSIGN]
            if len(bindings) == 1 and len(methods) == 1 and isinstance(methods[0], cst.Attribute):
                return self._method_call(call, methods[0], bindings[0].scope, bindings[0].order)
            return None
        if not isinstance(func, cst.Attribute):
            return None
        return self._method_call(call, func, scope, order)

    def _method_call(self, call: cst.Call, func: cst.Attribute, scope: Scope, order: int | None) -> HttpCall | None:
        method = func.attr.value
        receiver = func.value
        if isinstance(receiver, cst.Call) and dotted_name(receiver.func) == "super":
            return None  # inside a client subclass: it forwards its own arguments
        if isinstance(receiver, (cst.BooleanOperation, cst.IfExp)):
            return self._either_call(call, method, _either_sides(receiver), scope, order)
        client = self.client_of(receiver, scope, order)
        if client is None or method not in client.kind.methods or _runs_own_method(client, method):
            return None
        default = client.has_default_timeout(method) or self.receiver_has_injected_timeout(receiver, scope)
        display = _short(dotted_name(receiver) or client.kind.name) + "." + method
        return HttpCall(call, client.kind.library, method, display, client, None, default,
                        dict(client.kind.positional_timeout).get(method), _none_keeps_default(client.kind, method),
                        client.overrides.accepts_timeout(client.kind, method))

    def _either_call(self, call: cst.Call, method: str, sides: list[cst.BaseExpression], scope: Scope,
                     order: int | None) -> HttpCall | None:
        """`(session or requests).post(...)`: every side must send with one library (a client of
        one kind, or a module whose function of that name sends)."""
        clients: list[ClientRef | None] = []
        functions: list[RequestFunction] = []
        for side in sides:
            qualified = self.qualified_name(side, scope, order)
            function = REQUEST_FUNCTIONS.get(f"{qualified}.{method}") if qualified is not None else None
            if function is not None:
                functions.append(function)
            else:
                clients.append(self.client_of(side, scope, order))
        client = _agree(clients) if clients else None
        if clients and (client is None or method not in client.kind.methods or _runs_own_method(client, method)):
            return None
        libraries = {f.library for f in functions} | ({client.kind.library} if client is not None else set())
        if len(libraries) != 1:
            return None
        default = any(f.default_timeout for f in functions) or (client is not None and client.has_default_timeout(method))
        if client is not None:
            display = client.kind.name + "." + method
            keeps = _none_keeps_default(client.kind, method) and all(f.none_keeps_default for f in functions)
            return HttpCall(call, client.kind.library, method, display, client, None, default,
                            dict(client.kind.positional_timeout).get(method), keeps,
                            client.overrides.accepts_timeout(client.kind, method))
        function = functions[0]
        return HttpCall(call, function.library, method, function.name, None, function, default,
                        function.positional_timeout, all(f.none_keeps_default for f in functions))



def _runs_own_method(client: ClientRef, method: str) -> bool:
    """Does the client's project class (in this module or another) define `method` itself with a
    signature that takes no `timeout=` (`def get(self, path)`)? Then the call runs the project's
    method, not the library's: adding `timeout=` raises TypeError, and the method's own body is
    where any request it sends is checked."""
    return method in client.overrides.runs_refusing


def _none_keeps_default(kind: ClientKind, method: str) -> bool:
    return kind.call_none_keeps_default and method not in kind.untimed_methods


def _either_sides(expr: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The values `a or b`, `a and b`, `a if c else b` may take (nested), `None` left out."""
    if isinstance(expr, cst.BooleanOperation):
        return [*_either_sides(expr.left), *_either_sides(expr.right)]
    if isinstance(expr, cst.IfExp):
        return [*_either_sides(expr.body), *_either_sides(expr.orelse)]
    return [] if is_none(expr) else [expr]


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1):]
