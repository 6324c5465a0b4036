"""Which methods of a project client class cannot take the `timeout=` API101's fix adds to a call.

A library's convenience method hands the `timeout` it was given on to other methods of the same
object (the record's `timeout_delegations`: `requests.Session.get` -> `self.request` -> `self.send`).
On an instance of a project subclass, `self.request` may be the project's own definition: when that
definition's signature takes no `timeout` parameter and no `**kwargs` (`def request(self, method,
url)`), `s.get(url, timeout=10)` raises TypeError where `s.get(url)` worked. So a fix adding
`timeout=` is safe only when no definition the keyword may reach refuses it.

Both readers of a class build the same facts: the libcst resolver for a class of the module
(`client_classes.py`) and the project index for one of another module (`index.py`). Kept apart
from both because it is one idea: signatures along a library's delegation path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache

from apilint.knowledge.http_clients import ClientKind


@dataclass(frozen=True)
class TimeoutOverrides:
    """What a client class's project definitions (its own, its project bases', its subclasses')
    do to a `timeout=` keyword; only names a timeout can reach (`ClientKind.timeout_receivers`)."""

    # Defined somewhere in the class's project chain with a signature that cannot take `timeout=`,
    # or bound by an assignment (a signature nobody reads).
    refusing: frozenset[str] = frozenset()
    # Of those, the ones an instance of the class itself runs (the first definition of its chain):
    # a call of one runs the project's method, not the library's (`def get(self, path)`).
    runs_refusing: frozenset[str] = frozenset()
    # A base that cannot be read sits ahead of the client base: it may define any of them.
    unknown: bool = False
    # Defined so by a project class deriving from it: a value of the class may be one (`self` in its
    # methods, a parameter annotated with it), unless it was made by calling the class (`exact`).
    subclasses_refusing: frozenset[str] = frozenset()

    def accepts_timeout(self, kind: ClientKind, method: str) -> bool:
        """Can `timeout=` be added to a call of `method` without reaching a definition that refuses it?"""
        refusing = self.refusing | self.subclasses_refusing
        return not self.unknown and not (refusing and kind.timeout_path(method) & refusing)

    def merged(self, other: TimeoutOverrides) -> TimeoutOverrides:
        """Two alternatives a value may hold: a definition either may run counts."""
        if other == self:
            return self
        return TimeoutOverrides(self.refusing | other.refusing, self.runs_refusing | other.runs_refusing,
                                self.unknown or other.unknown, self.subclasses_refusing | other.subclasses_refusing)

    def exact(self) -> TimeoutOverrides:
        """An instance of the class itself (`Client()`): no subclass's definition runs."""
        return replace(self, subclasses_refusing=frozenset()) if self.subclasses_refusing else self


NO_OVERRIDES = TimeoutOverrides()


def merge_all(alternatives: Iterable[TimeoutOverrides]) -> TimeoutOverrides:
    """The alternatives a value may hold (`_agree`): a definition any of them may run counts."""
    merged = NO_OVERRIDES
    for overrides in alternatives:
        merged = overrides if merged is NO_OVERRIDES else merged.merged(overrides)
    return merged


@cache
def _receivers(kind: ClientKind) -> frozenset[str]:
    return kind.timeout_receivers()  # asked once per client class the module or the index reads

# A name a class defines: (name, True) a method taking `timeout=`, (name, False) a method that cannot,
# (name, None) a name bound otherwise (`request = ...` in the body, `self.send = ...`): a callable
# whose signature is not read, so it may refuse the keyword, but no method the call surely runs.
Definition = tuple[str, "bool | None"]


def chain_overrides(kind: ClientKind, chain: Iterable[Iterable[Definition]], subclasses: Iterable[Definition] = (),
                    inherited: TimeoutOverrides = NO_OVERRIDES, unknown: bool = False) -> TimeoutOverrides:
    """The overrides of a class from its chain's definitions, first class first; `subclasses`: the
    definitions of the classes deriving from it; `inherited`: what its client base (a client class
    of the module or of another one) holds, but for that base's subclasses (this class among them)."""
    receivers = _receivers(kind)
    refusing = set(inherited.refusing)
    runs: dict[str, bool] = {}  # does the first definition of each name surely refuse?
    for definitions in chain:
        for name, takes in definitions:
            if name not in receivers:
                continue
            runs.setdefault(name, takes is False)
            if not takes:
                refusing.add(name)
    derived = {name for name, takes in subclasses if name in receivers and not takes}
    runs_refusing = {name for name, refuses in runs.items() if refuses}
    runs_refusing |= {name for name in inherited.runs_refusing if name not in runs}
    if not refusing and not derived and not unknown and not inherited.unknown:
        return NO_OVERRIDES
    return TimeoutOverrides(frozenset(refusing), frozenset(runs_refusing), unknown or inherited.unknown,
                            frozenset(derived))
