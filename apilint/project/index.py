"""The project index: every module's summary, and the questions the rules ask across modules.

Names are followed through imports and re-exports (`canonical`), classes through their bases in
any module. Unknown stays silent: a name that leaves the project (other than into an HTTP
library's table), a cycle, or a name bound in conflicting ways answers None. Each answer is a
function of the summaries alone, so every front end that builds the same index answers alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from apilint.knowledge.http_clients import (
    CLIENT_ANNOTATIONS,
    CLIENT_CONSTRUCTORS,
    CONNECTION_CONSTRUCTORS,
    REQUEST_FUNCTIONS,
    ClientKind,
)
from apilint.project.facts import ClassSummary, FunctionSummary, ModuleSummary, Value
from apilint.project.index_libraries import LibrariesIndex
from apilint.project.index_overrides import OverridesIndex
from apilint.project.timeout_overrides import NO_OVERRIDES, TimeoutOverrides, merge_all

_T = TypeVar("_T")
_MAX_STEPS = 24
_TIMEOUT_METHODS = frozenset({"request", "send", "get", "post", "put", "patch", "delete", "head", "options"})


@dataclass(frozen=True)
class ClientFact:
    kind: ClientKind
    default_timeout: bool
    # A project subclass overrides a request method (`ResilientSession.request`): what it does with each
    # response is that code's business, which the summary does not read (API201/API202 stay silent).
    own_requests: bool = False
    overrides: TimeoutOverrides = NO_OVERRIDES  # project definitions that cannot take `timeout=` (API101's fix)


@dataclass(frozen=True)
class WrapperFact:
    """A function that forwards `**kwargs` into an HTTP call with no timeout, setting none itself."""

    name: str  # the wrapper, as its module defines it (`shop.base.BaseClient._request`)
    target: str  # the call it ends in (`requests.Session.request`)
    positional: int  # its explicit positional parameters (a caller passing more may pass the timeout)
    varargs: bool


class ProjectIndex(OverridesIndex, LibrariesIndex):
    def __init__(self, summaries: Mapping[str, ModuleSummary], modules: Iterable[str] = ()) -> None:
        self.summaries = dict(summaries)
        self.modules = frozenset(modules) | frozenset(self.summaries)  # every module, summarised or not
        self.roots = frozenset(m.split(".", 1)[0] for m in self.modules)  # top-level packages and modules
        self._busy: set[tuple[str, str]] = set()
        # Remembered answers, one table per answer type (keys name the question: kind, subject).
        self._client_answers: dict[tuple[str, str], ClientFact | None] = {}
        self._wrapper_answers: dict[tuple[str, str], WrapperFact | None] = {}
        self._canonical: dict[str, str] = {}
        self._chains: dict[str, list[tuple[str, ClassSummary]]] = {}
        self._libraries: dict[tuple[str, bool], str | None] = {}
        self._library_busy: set[tuple[str, bool]] = set()
        self._cuts = 0
        self._library_cuts = 0  # unlike `_guard`'s, an answer computed across one is remembered

    @property
    def cycles_cut(self) -> int:
        """How often a question met itself (no opinion). While none did, every answer given is the
        one any order of questions gives: only a cycle makes an answer depend on what was asked first."""
        return self._cuts + self._library_cuts

    # -- names --------------------------------------------------------------
    def canonical(self, qualified: str) -> str:
        """Follow imports and re-exports: `shop.compat.Session` -> `requests.Session`. Unchanged on a cycle."""
        known = self._canonical.get(qualified)
        if known is None:
            known = self._canonical[qualified] = self._follow(qualified)
        return known

    def _follow(self, qualified: str) -> str:
        current = qualified
        for _ in range(_MAX_STEPS):
            following = self._step(current)
            if following is None:
                return current
            current = following
        return qualified

    def _step(self, qualified: str) -> str | None:
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module not in self.modules:
                continue
            summary = self.summaries.get(module)
            if summary is None:
                return None
            name, rest = parts[cut], parts[cut + 1:]
            if name in summary.conflicts:
                return None
            targets = set(summary.imports.get(name, ()))
            if len(targets) > 1:
                return None
            if targets:
                return ".".join([targets.pop(), *rest])
            if _defines(summary, name):
                return None
            for star in summary.star_imports:
                other = self.summaries.get(star)
                if other is not None and (name in other.imports or _defines(other, name)):
                    return ".".join([star, name, *rest])
            return None
        return None

    def _definition(self, qualified: str) -> tuple[ModuleSummary, str] | None:
        """The module defining `qualified` (already canonical) at its top level, and the name."""
        module, _, name = qualified.rpartition(".")
        summary = self.summaries.get(module)
        if summary is None or name in summary.conflicts or not _defines(summary, name):
            return None
        return summary, name

    def class_summary(self, qualified: str) -> ClassSummary | None:
        found = self._definition(self.canonical(qualified))
        return found[0].classes.get(found[1]) if found is not None else None

    def function_summary(self, qualified: str) -> FunctionSummary | None:
        found = self._definition(self.canonical(qualified))
        return found[0].functions.get(found[1]) if found is not None else None

    def class_chain(self, qualified: str) -> list[tuple[str, ClassSummary]]:
        """The class and its project base classes (depth first, each once)."""
        known = self._chains.get(qualified)
        if known is None:
            known = self._chains[qualified] = self._class_chain(qualified)
        return known

    def _class_chain(self, qualified: str) -> list[tuple[str, ClassSummary]]:
        chain: list[tuple[str, ClassSummary]] = []
        pending = [self.canonical(qualified)]
        while pending and len(chain) < _MAX_STEPS:
            name = pending.pop(0)
            cls = self.class_summary(name)
            if cls is None or any(name == seen for seen, _ in chain):
                continue
            chain.append((name, cls))
            pending = [self.canonical(b) for b in cls.bases if b] + pending
        return chain

    # -- clients --------------------------------------------------------------
    def client_at(self, qualified: str) -> ClientFact | None:
        """A module-level name holding a client."""
        found = self._definition(self.canonical(qualified))
        if found is None or found[1] not in found[0].names:
            return None
        return self._guard(self._client_answers, ("name", qualified),
                           lambda: self.client_of(found[0].names[found[1]], None))

    def class_client(self, qualified: str) -> ClientFact | None:
        """A project class that subclasses a client class (default timeout if it, or a base, supplies one)."""
        name = self.canonical(qualified)
        if name in CLIENT_ANNOTATIONS:
            kind = CLIENT_ANNOTATIONS[name]
            return ClientFact(kind, kind.default_timeout)
        cls = self.class_summary(name)
        if cls is None:
            return None
        return self._guard(self._client_answers, ("class", name), lambda: self._class_client(name, cls))

    def _class_client(self, qualified: str, cls: ClassSummary) -> ClientFact | None:
        inherited: ClientFact | None = None
        ahead: list[str] = []  # the bases ahead of the client base: in the MRO, their methods win
        for base in cls.bases:
            if base:
                inherited = self.class_client(base)
                if inherited is not None:
                    break
            ahead.append(base)
        if inherited is None:
            return None
        if self.unreadable_ahead(ahead):
            # A base we cannot read, ahead of the client in the MRO, may define its request methods:
            # unknown, as for a class of the module itself (`semantic/client_classes.py`), so silent.
            return None
        default = inherited.default_timeout or cls.handles_timeout or any(self._adapter_times_out(m) for m in cls.mounts)
        own = inherited.own_requests or any(name in inherited.kind.methods for name in cls.methods)
        overrides = self.timeout_overrides(qualified, cls, ahead, inherited.kind, inherited.overrides)
        return ClientFact(inherited.kind, default, own, overrides)

    def _adapter_times_out(self, adapter: Value) -> bool:
        if adapter.kind != "call":
            return False
        if adapter.timeout:
            return True
        cls = self.class_summary(adapter.name)
        return cls is not None and any(m.sets_timeout for name, m in cls.methods.items() if name in _TIMEOUT_METHODS)

    def made_client(self, name: str) -> ClientFact | None:
        """Calling a project name (canonical): an instance of that client class itself, or a factory's client."""
        made = self.class_client(name) if self.class_summary(name) is not None else None
        if made is not None:
            return replace(made, overrides=made.overrides.exact())
        return self.factory(name) or self._class_factory(name)

    def _class_factory(self, name: str) -> ClientFact | None:
        """`Client.create()`: a classmethod or staticmethod that the class defines or inherits, returning a client."""
        owner, _, method = name.rpartition(".")
        if not owner or self.class_summary(owner) is None:
            return None
        found = self._method(self.canonical(owner), method)
        return self.method_factory(self.canonical(owner), method) if found is not None and found.on_class else None

    def factory(self, qualified: str) -> ClientFact | None:
        """A project function returning a client."""
        function = self.function_summary(qualified)
        if function is None:
            return None
        return self._guard(self._client_answers, ("factory", qualified), lambda: self.client_of(function.returns, None))

    def attribute_client(self, class_name: str, attribute: str) -> ClientFact | None:
        """`self.<attribute>` in a method of the class (set in it or in a base class, any module)."""
        def resolve() -> ClientFact | None:
            values: list[Value] = []
            chain = self.class_chain(class_name)
            for _, cls in chain:
                method = cls.methods.get(attribute)
                if method is not None and method.property:
                    return self.client_of(method.returns, class_name)
                values += cls.attributes.get(attribute, [])
            return self.client_of(values, class_name)

        return self._guard(self._client_answers, ("attribute", f"{class_name}:{attribute}"), resolve)

    def method_factory(self, class_name: str, method: str) -> ClientFact | None:
        found = self._method(class_name, method)
        if found is None:
            return None
        return self._guard(self._client_answers, ("method", f"{class_name}:{method}"),
                           lambda: self.client_of(found.returns, class_name))

    def _method(self, class_name: str, method: str) -> FunctionSummary | None:
        for _, cls in self.class_chain(class_name):
            if method in cls.methods:
                return cls.methods[method]
        return None

    def client_of(self, values: list[Value], owner: str | None) -> ClientFact | None:
        """What every resolvable alternative agrees on (as the libcst resolver's `_agree`)."""
        return _agree([self._client_of_value(v, owner) for v in values])

    def _client_of_value(self, value: Value, owner: str | None) -> ClientFact | None:
        if value.kind == "call":
            name = self.canonical(value.name)
            kind = CLIENT_CONSTRUCTORS.get(name)
            if kind is not None:
                return ClientFact(kind, kind.default_timeout or value.timeout)
            made = self.made_client(name)
            if made is None:
                return None
            return ClientFact(made.kind, made.default_timeout or value.timeout, made.own_requests, made.overrides)
        if value.kind == "ref":
            return self.client_at(value.name)
        if value.kind == "annotation" and value.name:
            return self.class_client(value.name)
        if owner is not None and value.kind == "self_attr":
            return self.attribute_client(owner, value.name)
        if owner is not None and value.kind == "self_call":
            return self.method_factory(owner, value.name)
        return None

    # -- wrappers -------------------------------------------------------------
    def wrapper(self, qualified: str) -> WrapperFact | None:
        """A module-level function forwarding `**kwargs` into an HTTP call with no timeout."""
        name = self.canonical(qualified)
        function = self.function_summary(name)
        if function is None:
            return None
        return self._guard(self._wrapper_answers, ("wrapper", name), lambda: self._wrapper(function, name, None))

    def method_wrapper(self, class_name: str, method: str) -> WrapperFact | None:
        """`self.<method>(...)`: the first definition in the class chain (an override wins)."""
        for owner, cls in self.class_chain(class_name):
            function = cls.methods.get(method)
            if function is not None:
                key = f"{owner}.{method}"
                return self._guard(self._wrapper_answers, ("wrapper", key),
                                   lambda: self._wrapper(function, key, class_name))
        return None

    def _wrapper(self, function: FunctionSummary, name: str, owner: str | None) -> WrapperFact | None:
        if function.sets_timeout:
            return None
        for forward in function.forwards:
            target: str | None = None
            if forward.kind == "function":
                callee = self.canonical(forward.name)
                sent = REQUEST_FUNCTIONS.get(callee) or CONNECTION_CONSTRUCTORS.get(callee)
                if sent is not None:
                    target = None if sent.default_timeout else callee
                elif forward.method and forward.values:
                    target = self._untimed_method(self.client_of(forward.values, owner), forward.method)
                else:
                    inner = self.wrapper(callee)
                    target = inner.name if inner is not None else None
            elif forward.kind == "self" and owner is not None:
                inner = self.method_wrapper(owner, forward.name)
                target = inner.name if inner is not None else None
            elif forward.kind == "attribute" and owner is not None:
                target = self._untimed_method(self.attribute_client(owner, forward.name), forward.method)
            elif forward.kind == "value":
                target = self._untimed_method(self.client_of(forward.values, owner), forward.method)
            if target is not None:
                return WrapperFact(name, target, function.positional, function.varargs)
        return None

    @staticmethod
    def _untimed_method(client: ClientFact | None, method: str) -> str | None:
        if client is None or client.default_timeout or method not in client.kind.methods:
            return None
        return f"{client.kind.name}.{method}"

    def _guard(self, answers: dict[tuple[str, str], _T | None], key: tuple[str, str],
               compute: Callable[[], _T | None]) -> _T | None:
        """Run `compute` unless the same question is already being answered (a cycle: no opinion).

        An answer is remembered only when no cycle was cut while computing it, so a remembered
        answer never depends on which question was asked first.
        """
        if key in answers:
            return answers[key]
        if key in self._busy:
            self._cuts += 1
            return None
        cuts = self._cuts
        self._busy.add(key)
        try:
            answer = compute()
        finally:
            self._busy.discard(key)
        if self._cuts == cuts:
            answers[key] = answer
        return answer


def _defines(summary: ModuleSummary, name: str) -> bool:
    return name in summary.classes or name in summary.functions or name in summary.names


def _agree(results: list[ClientFact | None]) -> ClientFact | None:
    """As the libcst resolver's `_agree`: an unknown alternative or two kinds make it unknown."""
    found = [r for r in results if r is not None]
    if not results or len(found) != len(results) or len({r.kind for r in found}) != 1:
        return None
    chosen = next((fact for fact in found if fact.default_timeout), found[0])
    overrides = merge_all(fact.overrides for fact in found)
    return chosen if overrides == chosen.overrides else replace(chosen, overrides=overrides)
