"""The cheap pre-check: decide from raw text and the `ast` tree which rules can fire.

libcst parsing costs about ten times an `ast` parse, so most files should
never reach it. Every step is a sound filter: it answers "maybe" whenever the
libcst analysis could report something.

1. Text (`text_filter.py`): a finding about HTTP calls needs an import of an
   HTTP library that can bind a client or request function (resolution goes
   through imports), so a file with none is skipped without parsing.
2. `ast` scan (`ast_scan.py`): which calls may be HTTP calls, judged by the
   same conventions as the resolver but over every binding of a name in the
   module at once; then per rule, whether its pattern occurs around such a
   call at all (a response read, a handler around one, a retry loop...).

Tests run every fixture with and without the pre-check and compare findings.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field

from apilint.engine.ast_model import ClassRef, HandlerRef, Scan, class_ref, dotted_name, flatten_tuple
from apilint.engine.ast_scan import scan_module
from apilint.engine.precheck_calls import _Calls
from apilint.engine.precheck_lines import Lines
from apilint.engine.precheck_patterns import _may_retry, _read_unchecked, _unbounded_timeout_object
from apilint.project.view import ProjectView
from apilint.knowledge.http_clients import TIMEOUT_CONSTRUCTORS


@dataclass(frozen=True)
class ExceptionNames:
    """What the module binds, for guessing what a handler's class names may resolve to."""

    imports: dict[str, frozenset[str]] = field(default_factory=dict)
    class_bases: dict[str, tuple[ClassRef, ...]] = field(default_factory=dict)
    other_bound: frozenset[str] = frozenset()
    # `Error = requests.RequestException`, `Timeouts = (A, B)`: every class any assignment of the name may alias.
    aliases: dict[str, tuple[ClassRef, ...]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class AstFacts:
    http_modules: frozenset[str]  # roots of imported modules that can provide HTTP clients
    call_names: frozenset[str]  # last name of every called function / method
    has_try: bool = False
    has_with: bool = False
    modules: frozenset[str] = frozenset()  # roots of every imported module
    has_loop: bool = False
    # Per-rule candidates (each "may", never "does"):
    untimed_http_call: bool = False  # an HTTP call with no timeout= and no */** arguments
    client_timeout_attribute: bool = False  # `x.timeout = …` where x may be a client (API103)
    disabled_timeout: bool = False  # timeout=None / (x, None) on a call or client, or a timeout object
    response_read: bool = False  # a response bound to a name whose body is read, or read chained
    discarded_http_call: bool = False  # an HTTP call as an expression statement
    uncalled_raise_for_status: bool = False
    retry_loop: bool = False  # a loop around an HTTP call (or a given callable) that notices failures
    http_handlers: tuple[HandlerRef, ...] = ()  # handlers of try/suppress blocks that make HTTP calls
    handler_sequences: tuple[tuple[HandlerRef, ...], ...] = ()  # tries with two or more handlers
    tuple_handlers: tuple[tuple[ClassRef, ...], ...] = ()
    exception_names: ExceptionNames = ExceptionNames()
    # Where rules may report (lines), for keeping libcst off the rest (`reduce.py`); see `Lines`.
    lines: Lines | None = None


def collect_facts(tree: ast.AST, roots: Iterable[str], extra_clients: Iterable[str] = (),
                  project: ProjectView | None = None) -> AstFacts:
    scan = scan_module(tree)
    project_libraries: set[str] = set()
    if project is not None:
        # As the resolver: imported names through the project (re-exports followed, relative made absolute).
        imported = {q for bound in scan.imports.values() for q in bound}
        for bound in scan.imports.values():
            bound |= {project.canonical(q) for q in bound}
        project_libraries = project.libraries(imported)
    calls = _Calls(scan, frozenset(extra_clients), project)
    http = calls.may_send
    retry_loop = any(_may_retry(loop, scan, calls) for loop in scan.loops)
    response_read = any(http(c) for c in scan.chained_body) or any(
        _read_unchecked(block, name, position) and http(call)
        for block in scan.functions_blocks for name, call, position in block.responses
    )
    # Only names imported from a module that defines a timeout class can spell one.
    timeout_roots = {name for name, bound in scan.imports.items()
                     if any(t == q or t.startswith(q + ".") for q in bound for t in TIMEOUT_CONSTRUCTORS)}
    disabled = any(http(c) or calls.may_make_client(c) for c in scan.disabled_timeouts) or bool(timeout_roots) and any(
        _unbounded_timeout_object(c, q) for c in scan.calls
        if (dotted_name(c.func) or ".").partition(".")[0] in timeout_roots
        for q in calls.qualified(c.func) & TIMEOUT_CONSTRUCTORS.keys()
    )
    handlers = tuple(h for block in scan.tries if any(http(c) for c in block.calls) for h in block.handlers)
    names = ExceptionNames(
        {name: frozenset(qualified) for name, qualified in scan.imports.items()},
        {name: tuple(class_ref(b) for b in bases) for name, bases in scan.class_bases.items()},
        frozenset(scan.other_bound),
        _class_aliases(scan),
    )
    return AstFacts(
        http_modules=frozenset((scan.modules | project_libraries) & frozenset(roots)),
        call_names=frozenset(scan.call_names),
        has_try=scan.has_try,
        has_with=scan.has_with,
        modules=frozenset(scan.modules),
        has_loop=scan.has_loop,
        untimed_http_call=any(http(c) for c in scan.untimed_calls),
        disabled_timeout=disabled,
        client_timeout_attribute=any(calls.may_be_client(t) for t in scan.timeout_targets),
        response_read=response_read,
        discarded_http_call=any(http(c) for c in scan.discarded),
        uncalled_raise_for_status=bool(scan.uncalled_raise_for_status),
        retry_loop=retry_loop,
        http_handlers=handlers,
        handler_sequences=tuple(scan.handler_sequences),
        tuple_handlers=tuple(scan.tuple_handlers),
        exception_names=names,
        lines=Lines(scan, calls, timeout_roots),
    )


def _class_aliases(scan: Scan) -> dict[str, tuple[ClassRef, ...]]:
    """Names assigned a class name or a tuple of them, anywhere in the module (over-approximates the resolver)."""
    aliases: dict[str, tuple[ClassRef, ...]] = {}
    for name, values in scan.name_values.items():
        refs = tuple(class_ref(leaf) for value, _ in values
                     if value is not None and type(value) in (ast.Name, ast.Attribute, ast.Tuple)
                     for leaf in flatten_tuple(value))
        if refs:
            aliases[name] = refs
    return aliases

