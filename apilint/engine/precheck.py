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

from apilint.engine.ast_model import (
    Block,
    ClassRef,
    HandlerRef,
    Position,
    Scan,
    class_ref,
    dotted_name,
    flatten_tuple,
)
from apilint.engine.ast_scan import scan_module
from apilint.project.view import ProjectView
from apilint.knowledge.http_clients import (
    CLIENT_ANNOTATIONS,
    CLIENT_CONSTRUCTORS,
    CONNECTION_CONSTRUCTORS,
    REQUEST_FUNCTIONS,
    TIMEOUT_CONSTRUCTORS,
    TIMEOUT_OBJECTS,
)

_ALL_METHODS = frozenset().union(*(kind.methods for kind in CLIENT_CONSTRUCTORS.values()))
_SENDS = frozenset(REQUEST_FUNCTIONS) | frozenset(CONNECTION_CONSTRUCTORS)


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


class Lines:
    """Lines where each kind of pre-check candidate occurs, computed on demand.

    The per-rule booleans of `AstFacts` ask "anywhere?"; these ask "where?", for the files that
    go on to libcst: a function none of whose lines holds a candidate of an active rule cannot
    hold a finding of it, so its body need not be parsed (`reduce.py`). Same over-approximations.
    """

    def __init__(self, scan: Scan, calls: _Calls, timeout_roots: set[str]) -> None:
        self.scan = scan
        self.calls = calls
        self._timeout_roots = timeout_roots

    @property
    def factories(self) -> frozenset[str]:
        """Functions whose result may be a client: the resolver reads their bodies from elsewhere."""
        return frozenset(self.calls.factories)

    def attribute_stores(self, recorded: frozenset[str]) -> list[int]:
        """Lines assigning an attribute that may hold a client (`self.session = ...`) or one of `recorded`."""
        clients = self.calls.client_attributes
        return [line for attr, line in self.scan.attribute_stores if attr in clients or attr in recorded]

    def untimed_calls(self) -> list[int]:
        http = self.calls.may_send
        return [c.lineno for c in self.scan.untimed_calls if http(c)]

    def disabled_timeouts(self) -> list[int]:
        calls = self.calls
        found = [c.lineno for c in self.scan.disabled_timeouts if calls.may_send(c) or calls.may_make_client(c)]
        if self._timeout_roots:
            found += [c.lineno for c in self.scan.calls
                      if (dotted_name(c.func) or ".").partition(".")[0] in self._timeout_roots
                      and any(_unbounded_timeout_object(c, q) for q in calls.qualified(c.func) & TIMEOUT_CONSTRUCTORS.keys())]
        return found

    def timeout_attributes(self) -> list[int]:
        return [t.lineno for t in self.scan.timeout_targets if self.calls.may_be_client(t)]

    def response_reads(self) -> list[int]:
        http = self.calls.may_send
        found = [c.lineno for c in self.scan.chained_body if http(c)]
        for block in self.scan.functions_blocks:
            found += [call.lineno for name, call, position in block.responses
                      if _read_unchecked(block, name, position) and http(call)]
        return found

    def discarded_calls(self) -> list[int]:
        http = self.calls.may_send
        return [c.lineno for c in self.scan.discarded if http(c)]

    def uncalled_raise_for_status(self) -> list[int]:
        return list(self.scan.uncalled_raise_for_status)

    def http_tries(self) -> list[int]:
        """Calls inside try / suppress blocks that make HTTP calls (their handlers are in the same function)."""
        http = self.calls.may_send
        return [c.lineno for block in self.scan.tries if any(http(c) for c in block.calls) for c in block.calls]

    def calls_named(self, names: frozenset[str]) -> list[int]:
        found = []
        for c in self.scan.calls:
            func = c.func
            name = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None  # type: ignore[attr-defined]
            if name in names:
                found.append(c.lineno)
        return found

    def retry_loops(self) -> list[int]:
        return [c.lineno for loop in self.scan.loops if _may_retry(loop, self.scan, self.calls) for c in loop.calls]


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
        refs = tuple(class_ref(leaf) for value, _ in values if type(value) in (ast.Name, ast.Attribute, ast.Tuple)
                     for leaf in flatten_tuple(value))  # type: ignore[arg-type]
        if refs:
            aliases[name] = refs
    return aliases


def _may_retry(loop: Block, scan: Scan, calls: _Calls) -> bool:
    """A loop around an HTTP call (or a given callable) that notices failures: a retry loop candidate."""
    return loop.notices_failure and not loop.iterates_inputs and any(
        calls.may_send(c) or (type(c.func) is ast.Name and c.func.id in scan.params) for c in loop.calls  # type: ignore[attr-defined]
    )


def _unbounded_timeout_object(call: ast.Call, qualified: str) -> bool:
    """`httpx.Timeout(None)`, `aiohttp.ClientTimeout()`: mirrors `TimeoutDisabled._check_timeout_object`."""
    bounds = TIMEOUT_OBJECTS[qualified].bounds
    if any(type(a) is ast.Starred for a in call.args) or any(kw.arg is None for kw in call.keywords):
        return False
    given = [*call.args[:len(bounds)], *(kw.value for kw in call.keywords if kw.arg in bounds)]
    if any(not (type(v) is ast.Constant and v.value is None) for v in given):  # type: ignore[attr-defined]
        return False
    return bool(given) or TIMEOUT_OBJECTS[qualified].empty_is_unbounded


def _read_unchecked(block: Block, name: str, bound: Position) -> bool:
    """Is the body of the response bound at `bound` read before any check of it (in source order)?

    Mirrors `responses.checked_before` with fewer checks (raise_for_status() calls and status
    attributes in if/while/assert tests, which the rule counts too), so it may answer yes
    where the rule finds a check, never no where the rule reports.
    """
    reads = [p for p in block.body_uses.get(name, ()) if p > bound]
    if not reads:
        return False
    first = min(reads)
    return not any(bound < p < first for p in block.checks.get(name, ()))


class _Calls:
    """Which calls may send a request and which expressions may be clients (over-approximations)."""

    def __init__(self, scan: Scan, extra_clients: frozenset[str], project: ProjectView | None = None) -> None:
        self.scan = scan
        self.extra = extra_clients
        self.project = project
        # Names the project index knows anywhere (unqualified: over-approximations).
        wrappers, attributes, factories = project.reachable_names(
            scan.imports, {q for bases in scan.class_bases.values() for b in bases for q in self.qualified(b)}
        ) if project is not None else (set(), set(), set())
        self.wrappers = frozenset(wrappers)
        self._sends: dict[int, bool] = {}
        self.client_classes = self._fixpoint_classes()
        self.client_names: set[str] = set()
        self.client_attributes: set[str] = set(attributes)
        self.factories: set[str] = set(factories)  # functions that may return a client
        self._fixpoint_bindings()
        self.method_aliases = {name for name, value in scan.method_aliases if value.attr in _ALL_METHODS}

    # -- names -------------------------------------------------------------------
    def qualified(self, expr: ast.expr) -> frozenset[str]:
        """Every qualified name `expr` may stand for through some import of its root."""
        dotted = dotted_name(expr)
        if dotted is None:
            return frozenset()
        root, _, rest = dotted.partition(".")
        bound = self.scan.imports.get(root)
        if not bound:
            return frozenset()
        return frozenset(f"{q}.{rest}" if rest else q for q in bound)

    def _only_imported(self, expr: ast.expr) -> bool:
        dotted = dotted_name(expr)
        root = dotted.partition(".")[0] if dotted else ""
        scan = self.scan
        return root in scan.imports and root not in scan.other_bound and root not in scan.class_bases

    # -- clients -------------------------------------------------------------------
    def _fixpoint_classes(self) -> set[str]:
        found: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, bases in self.scan.class_bases.items():
                if name in found:
                    continue
                if any(not self.qualified(b).isdisjoint(CLIENT_ANNOTATIONS) or self._project_class(b)
                       or (type(b) is ast.Name and b.id in found) for b in bases):  # type: ignore[attr-defined]
                    found.add(name)
                    changed = True
        return found

    def _project_class(self, expr: ast.expr) -> bool:
        """A base class defined in another project module that is a client class."""
        project = self.project
        return project is not None and any(project.class_client(q) is not None for q in self.qualified(expr))

    def _project_client(self, expr: ast.expr) -> bool:
        """A name imported from another project module that holds a client."""
        project = self.project
        return project is not None and any(project.client_at(q) is not None for q in self.qualified(expr))

    def _fixpoint_bindings(self) -> None:
        changed = True
        while changed:
            changed = False
            for table, found in ((self.scan.name_values, self.client_names),
                                 (self.scan.attribute_values, self.client_attributes)):
                for name, entries in table.items():
                    if name not in found and any(self._binding(v, a) for v, a in entries):
                        found.add(name)
                        changed = True
            for name, results in self.scan.function_results.items():
                # A return annotation or a returned value (the resolver tries both).
                if name not in self.factories and any(self._binding(v, a) for v, a in results):
                    self.factories.add(name)
                    changed = True

    def _binding(self, value: ast.expr | None, annotation: ast.expr | None) -> bool:
        none = type(value) is ast.Constant and value.value is None  # type: ignore[attr-defined]
        if value is not None and not none and self.may_be_client(value):
            return True
        return annotation is not None and self.annotation_may_be_client(annotation)

    def annotation_may_be_client(self, annotation: ast.expr, depth: int = 0) -> bool:
        """Mirrors `Resolver.from_annotation`: a client class, `Optional[...]`, `X | None`, a string of those."""
        if depth > 12:
            return True
        kind = type(annotation)
        if kind is ast.Constant:
            text = annotation.value  # type: ignore[attr-defined]
            if not isinstance(text, str):
                return False
            try:
                parsed = ast.parse(text.strip(), mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return False
            return self.annotation_may_be_client(parsed, depth + 1)
        if kind is ast.BinOp:
            return type(annotation.op) is ast.BitOr and (  # type: ignore[attr-defined]
                self.annotation_may_be_client(annotation.left, depth + 1)  # type: ignore[attr-defined]
                or self.annotation_may_be_client(annotation.right, depth + 1))  # type: ignore[attr-defined]
        if kind is ast.Subscript:
            spellings = {dotted_name(annotation.value) or "", *self.qualified(annotation.value)}  # type: ignore[attr-defined]
            if not any(s.rsplit(".", 1)[-1] in ("Optional", "Union") for s in spellings):
                return False
            inner = annotation.slice  # type: ignore[attr-defined]
            elements = inner.elts if type(inner) is ast.Tuple else [inner]  # type: ignore[attr-defined]
            return any(self.annotation_may_be_client(e, depth + 1) for e in elements)
        if kind is ast.Name and annotation.id in self.client_classes:  # type: ignore[attr-defined]
            return True
        return not self.qualified(annotation).isdisjoint(CLIENT_ANNOTATIONS)

    def may_be_client(self, expr: ast.expr, depth: int = 0) -> bool:
        if depth > 12:
            return True
        kind = type(expr)
        scan = self.scan
        if kind is ast.Call:
            return self.may_make_client(expr)  # type: ignore[arg-type]
        if self.extra and (kind is ast.Name or kind is ast.Attribute) and self.qualified(expr):
            return True  # `extra-clients` may name client objects
        if (kind is ast.Name or kind is ast.Attribute) and self._project_client(expr):
            return True
        if kind is ast.Name:
            name = expr.id  # type: ignore[attr-defined]
            return name in self.client_names or (name in scan.self_names and bool(self.client_classes))
        if kind is ast.Attribute:
            value = expr.value  # type: ignore[attr-defined]
            attr = expr.attr  # type: ignore[attr-defined]
            return (type(value) is ast.Name and value.id in scan.self_names  # type: ignore[attr-defined]
                    and (attr in self.client_attributes or attr in self.factories))
        if kind is ast.BoolOp:
            return any(self.may_be_client(v, depth + 1) for v in expr.values)  # type: ignore[attr-defined]
        if kind is ast.IfExp:
            return self.may_be_client(expr.body, depth + 1) or self.may_be_client(expr.orelse, depth + 1)  # type: ignore[attr-defined]
        if kind is ast.Await:
            return self.may_be_client(expr.value, depth + 1)  # type: ignore[attr-defined]
        return False

    def may_make_client(self, call: ast.Call) -> bool:
        func = call.func
        qualified = self.qualified(func)
        if not qualified.isdisjoint(CLIENT_CONSTRUCTORS) or not qualified.isdisjoint(self.extra):
            return True
        if self.project is not None and any(self.project.made_client(q) is not None for q in qualified):
            return True
        scan = self.scan
        if type(func) is ast.Name:
            name = func.id  # type: ignore[attr-defined]
            return name in self.extra or name in self.client_classes or name in self.factories
        if type(func) is ast.Attribute:
            value = func.value  # type: ignore[attr-defined]
            return type(value) is ast.Name and value.id in scan.self_names and func.attr in self.factories  # type: ignore[attr-defined]
        return False

    # -- calls ---------------------------------------------------------------------
    def may_send(self, call: ast.Call) -> bool:
        """May this call be an HTTP call (`Resolver.http_call`)?"""
        key = id(call)
        known = self._sends.get(key)
        if known is None:
            known = self._sends[key] = self._may_send(call)
        return known

    def _may_send(self, call: ast.Call) -> bool:
        func = call.func
        qualified = self.qualified(func)
        if not qualified.isdisjoint(_SENDS):
            return True
        if self.wrappers:
            # A project `**kwargs` wrapper, by its name (wherever it is defined).
            last = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None  # type: ignore[attr-defined]
            if last in self.wrappers:
                return True
        if qualified and not self.extra and self._only_imported(func):
            return False  # an imported function that sends nothing
        kind = type(func)
        if kind is ast.Name:
            return func.id in self.method_aliases  # type: ignore[attr-defined]
        if kind is ast.Attribute and func.attr in _ALL_METHODS:  # type: ignore[attr-defined]
            receiver = func.value  # type: ignore[attr-defined]
            if type(receiver) is ast.Call and dotted_name(receiver.func) == "super":  # type: ignore[attr-defined]
                return False
            return self.may_be_client(receiver) or self._module_side_sends(receiver, func.attr)  # type: ignore[attr-defined]
        return False

    def _module_side_sends(self, expr: ast.expr, method: str) -> bool:
        """`(session or requests).post(...)`: a side of the receiver is a library module that sends by itself
        (mirrors `Resolver._either_call`)."""
        kind = type(expr)
        if kind is ast.BoolOp:
            return any(self._module_side_sends(v, method) for v in expr.values)  # type: ignore[attr-defined]
        if kind is ast.IfExp:
            return (self._module_side_sends(expr.body, method)  # type: ignore[attr-defined]
                    or self._module_side_sends(expr.orelse, method))  # type: ignore[attr-defined]
        return any(f"{q}.{method}" in _SENDS for q in self.qualified(expr))
