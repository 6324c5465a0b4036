"""What a resolved client is (`ClientRef`), and how several alternatives make one.

Every question the resolver asks ("is this value a client?") may meet several
alternatives: bindings, branches, union members, overrides. They all end here,
in `_agree`, which keeps the answer only when every alternative is the same kind
of client; and in `_from_fact`, which turns what the project index proved in
another module into the same reference. Kept apart from the resolution itself so
the class, value and call resolvers share one notion of a client.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst

from apilint.knowledge.http_clients import CONSTRUCTOR_POSITIONAL_TIMEOUT, ClientKind
from apilint.project.index import ClientFact
from apilint.project.timeout_overrides import NO_OVERRIDES, TimeoutOverrides, merge_all
from apilint.semantic.names import is_none, keyword_arg, positional_count
from apilint.semantic.scope import ClassScope


@dataclass(frozen=True, eq=False)
class ClientRef:
    """An expression known to evaluate to an HTTP client object."""

    kind: ClientKind
    constructor: cst.Call | None = None
    subclass: ClassScope | None = None
    injects_timeout: bool = False
    constructor_name: str | None = None  # the qualified constructor, when a library's own
    own_requests: bool = False  # a subclass in another project module overrides a request method
    # Project definitions (the class's, its bases', its subclasses') that cannot take `timeout=`.
    overrides: TimeoutOverrides = NO_OVERRIDES

    def has_default_timeout(self, method: str | None = None) -> bool:
        """Does a request of this client (by `method`, when given) get a timeout when it passes none?"""
        if method is not None and method in self.kind.untimed_methods:
            return self.injects_timeout  # `niquests.Session.send`: no default of the library's
        if self.kind.default_timeout or self.injects_timeout:
            return True
        if self.constructor is not None:
            timeout = keyword_arg(self.constructor, "timeout")
            if timeout is not None and not is_none(timeout.value):
                return True
            # `PoolManager(**opts)`, `HTTPConnectionPool(*args)`, a subclass constructor: unknown
            # arguments may set it.
            if any(arg.star for arg in self.constructor.args):
                return True
            index = CONSTRUCTOR_POSITIONAL_TIMEOUT.get(self.constructor_name or "")
            if index is not None and positional_count(self.constructor) > index:
                return True
        return False


def _from_fact(fact: ClientFact | None, constructor: cst.Call | None = None) -> ClientRef | None:
    """A client the project index proved (in another module) as the resolver's reference."""
    if fact is None:
        return None
    return ClientRef(fact.kind, constructor=constructor, injects_timeout=fact.default_timeout,
                     own_requests=fact.own_requests, overrides=fact.overrides)


def _agree(results: list[ClientRef | None]) -> ClientRef | None:
    """The client every alternative is, or None: an unknown alternative or two kinds make it unknown."""
    if not results:
        return None
    found = [r for r in results if r is not None]
    if len(found) != len(results) or len({r.kind for r in found}) != 1:
        return None
    # When alternatives disagree about a default timeout, assume it is there: no report.
    chosen = next((ref for ref in found if ref.has_default_timeout()), found[0])
    overrides = merge_all(ref.overrides for ref in found)
    return chosen if overrides == chosen.overrides else replace(chosen, overrides=overrides)
