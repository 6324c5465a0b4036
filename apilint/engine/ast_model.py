"""What the pre-check's `ast` scan records about a module (the scanner is `ast_scan.py`).

Plain data: names and their bindings, calls that might matter, blocks (functions,
loops, `try` bodies) with the calls and uses inside them, and handler classes
as written. `precheck.py` draws the per-rule conclusions.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

Position = tuple[int, int]  # line, column: source order
# A class named in a handler: ("name", "Foo"), ("dotted", "a.b.Foo") or ("other", <ast dump>).
ClassRef = tuple[str, str]
# A handler's classes; None for a bare `except:`.
HandlerRef = tuple[ClassRef, ...] | None


def class_ref(expr: ast.expr) -> ClassRef:
    dotted = dotted_name(expr)
    if dotted is None:
        return ("other", ast.dump(expr))
    return ("name" if "." not in dotted else "dotted", dotted)


def dotted_name(expr: ast.expr) -> str | None:
    parts: list[str] = []
    while type(expr) is ast.Attribute:
        parts.append(expr.attr)
        expr = expr.value
    if type(expr) is not ast.Name:
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def handler_ref(handler: ast.ExceptHandler) -> HandlerRef:
    if handler.type is None:
        return None
    return tuple(class_ref(e) for e in flatten_tuple(handler.type))


def flatten_tuple(expr: ast.expr) -> list[ast.expr]:
    """`((A, B), C)` -> [A, B, C]: a handler catches the classes of nested tuples too."""
    if type(expr) is ast.Tuple:
        return [leaf for e in expr.elts for leaf in flatten_tuple(e)]
    return [expr]


@dataclass(eq=False)
class Block:
    """A function body, a loop, a `try` body or a `with suppress(...)` body, and the calls in it."""

    calls: list[ast.Call] = field(default_factory=list)
    name: str = ""  # functions: the def's name
    # functions: (name, call) for `name = call(...)` / `with call(...) as name`, and names read as `name.json`.
    responses: list[tuple[str, ast.Call, Position]] = field(default_factory=list)
    body_uses: dict[str, list[Position]] = field(default_factory=dict)
    # `r.raise_for_status()` and `r.<status>` in an if/while/assert test: checks of `r` (API201).
    checks: dict[str, list[Position]] = field(default_factory=dict)
    # loops: a `try` or a status attribute inside (a way to notice failure and go round).
    notices_failure: bool = False
    # loops: `for item in items:` iterates inputs, never a retry (`retry_loops._iterates_inputs`,
    # the part of it that does not depend on which calls send requests).
    iterates_inputs: bool = False
    # try / suppress: the handlers' classes.
    handlers: tuple[HandlerRef, ...] = ()


@dataclass(eq=False)
class Scan:
    imports: dict[str, set[str]] = field(default_factory=dict)  # local name -> qualified names
    class_bases: dict[str, list[ast.expr]] = field(default_factory=dict)
    # def name -> its return annotations and returned values (a factory may return a client)
    function_results: dict[str, list[tuple[ast.expr | None, ast.expr | None]]] = field(default_factory=dict)
    other_bound: set[str] = field(default_factory=set)  # names bound by anything but import/class
    params: set[str] = field(default_factory=set)
    self_names: set[str] = field(default_factory=lambda: {"cls"})  # first parameters of methods
    # name / attribute -> (value, annotation) of each assignment
    name_values: dict[str, list[tuple[ast.expr | None, ast.expr | None]]] = field(default_factory=dict)
    attribute_values: dict[str, list[tuple[ast.expr | None, ast.expr | None]]] = field(default_factory=dict)
    attribute_stores: list[tuple[str, int]] = field(default_factory=list)  # (attribute, line) of each of those
    method_aliases: list[tuple[str, ast.Attribute]] = field(default_factory=list)  # `send = s.post`
    calls: list[ast.Call] = field(default_factory=list)
    untimed_calls: list[ast.Call] = field(default_factory=list)  # no `timeout=`, no */** arguments
    disabled_timeouts: list[ast.Call] = field(default_factory=list)  # `timeout=None`, `timeout=(x, None)`
    discarded: list[ast.Call] = field(default_factory=list)  # expression statements
    chained_body: list[ast.Call] = field(default_factory=list)  # `call(...).json()`
    uncalled_raise_for_status: list[int] = field(default_factory=list)  # lines of `r.raise_for_status` not called
    timeout_targets: list[ast.expr] = field(default_factory=list)  # `x` in `x.timeout = value`
    functions_blocks: list[Block] = field(default_factory=list)
    loops: list[Block] = field(default_factory=list)
    tries: list[Block] = field(default_factory=list)  # includes `with suppress(...)`
    handler_sequences: list[tuple[HandlerRef, ...]] = field(default_factory=list)  # tries with 2+ handlers
    handler_sequence_lines: list[int] = field(default_factory=list)  # where each of those tries is
    tuple_handlers: list[tuple[ClassRef, ...]] = field(default_factory=list)
    tuple_handler_lines: list[int] = field(default_factory=list)
    has_try: bool = False
    has_with: bool = False
    has_loop: bool = False
    modules: set[str] = field(default_factory=set)  # roots of absolute imports
    call_names: set[str] = field(default_factory=set)
