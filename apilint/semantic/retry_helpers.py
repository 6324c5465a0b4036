"""What a call made on a retry path may do: wait, read Retry-After, or nothing we care about.

A retry loop often hands the wait to a helper (`self._backoff(attempt)`, `wait =
compute_delay(n)`). A helper defined in the module is followed into its body; one that cannot be
read (a method of an object from elsewhere, a function of another package) may wait for any time
or read any header: the wait is unknown and API401/402/403/405 stay silent (principle 1). Calls
that provably do not wait (builtins, logging, container and response methods, the standard
library and HTTP libraries other than their sleep functions, constructors of classes named in
CapWords) are ignored.
"""

from __future__ import annotations

import sys

import libcst as cst

from apilint.knowledge.http_clients import HTTP_MODULE_ROOTS
from apilint.knowledge.retries import NON_WAITING_BUILTINS, NON_WAITING_METHODS, SLEEP_FUNCTIONS
from apilint.semantic.loop_walk import callee_name, children
from apilint.semantic.names import string_value
from apilint.semantic.resolve import Resolver
from apilint.semantic.scope import BindingKind, ClassScope, FunctionScope, Scope

MAX_DEPTH = 3  # helpers followed through at most this many calls
_STDLIB = frozenset(sys.stdlib_module_names)


def is_sleep(resolver: Resolver, call: cst.Call, scope: Scope) -> bool:
    return (resolver.qualified_name(call.func, scope) or "") in SLEEP_FUNCTIONS


def helpers_called(resolver: Resolver, call: cst.Call, scope: Scope) -> list[FunctionScope] | None:
    """The module's functions `call` may run ([] for a call that runs none of them and cannot wait);
    None when it may run code we cannot read."""
    func = call.func
    if isinstance(func, cst.Name):
        bindings = resolver.lookup(func.value, scope, resolver.order_of.get(call))
        if not bindings:
            return [] if func.value in NON_WAITING_BUILTINS else None
        if all(b.kind is BindingKind.FUNCTION and isinstance(b.definition, FunctionScope) for b in bindings):
            return [b.definition for b in bindings if isinstance(b.definition, FunctionScope)]
        if all(b.kind is BindingKind.CLASS for b in bindings):
            return []  # a constructor of a module class (an exception, a value object)
        if all(b.kind is BindingKind.IMPORT for b in bindings):
            if _class_name(func.value):
                return []  # constructing a value (`Tweet(data)`, `APIError(...)`) does not wait
            return _library_call(resolver.qualified_name(func, scope) or "")
        return None
    if isinstance(func, cst.Attribute):
        if func.attr.value in NON_WAITING_METHODS:
            return []
        owner = _method_owner(resolver, func.value, scope)
        if owner is not None:
            found = resolver.implementations(owner, func.attr.value)
            return found or None
        qualified = resolver.qualified_name(func, scope)
        if qualified is not None:
            return _library_call(qualified)
    return None


def _class_name(name: str) -> bool:
    """A CapWords name is a class (PEP 8): calling it builds a value; it does not wait."""
    return name[:1].isupper() and not name.isupper() and "_" not in name.strip("_")


def _library_call(qualified: str) -> list[FunctionScope] | None:
    if qualified in SLEEP_FUNCTIONS:
        return None  # handled as a sleep by the caller; never "does not wait"
    root = qualified.partition(".")[0]
    if root in _STDLIB or root in HTTP_MODULE_ROOTS:
        return []
    return None  # a function of another package or of another module of the project: unread


def _method_owner(resolver: Resolver, receiver: cst.BaseExpression, scope: Scope) -> ClassScope | None:
    """The class of `self`/`cls` in a method of a class defined in the module."""
    if not isinstance(receiver, cst.Name):
        return None
    current: Scope | None = scope
    while current is not None and not isinstance(current, FunctionScope):
        current = current.parent
    if isinstance(current, FunctionScope) and current.owner is not None and receiver.value in (current.self_name, "cls"):
        return current.owner
    return None


def reads_retry_after(node: cst.CSTNode) -> bool:
    """Code that reads the Retry-After header: a `"Retry-After"` key (`headers["Retry-After"]`,
    `.get("retry-after")`) or a name saying so (`err.retry_after`, `parse_retry_after(...)`).
    Comments, docstrings and messages do not count: only a key or an identifier is code."""
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Expr) and isinstance(current.value, (cst.SimpleString, cst.ConcatenatedString)):
            continue  # a docstring
        if isinstance(current, cst.Name) and "retry_after" in current.value.lower():
            return True
        if isinstance(current, cst.SubscriptElement) and _is_header_name(current.slice):
            return True
        if isinstance(current, cst.Call) and current.args and _is_header_name(current.args[0].value) \
                and callee_name(current) in ("get", "getheader", "getlist", "get_all", "getall", "getone", "__getitem__"):
            return True
        stack.extend(children(current))
    return False


def _is_header_name(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Index):
        node = node.value
    text = string_value(node) if isinstance(node, cst.SimpleString) else None
    # The header, or the field an API's error body copies it into (`["parameters"]["retry_after"]`).
    return text is not None and text.strip().lower().replace("_", "-") == "retry-after"


__all__ = ["MAX_DEPTH", "helpers_called", "is_sleep", "reads_retry_after"]
