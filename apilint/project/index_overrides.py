"""The index's answer about a project client class's definitions that cannot take `timeout=`.

`ProjectIndex` mixes this in: from the summaries it reads the class's own methods, those of the
project classes ahead of its client base (their methods win in the MRO) and those of every project
class deriving from it, in any module (an instance may be one: a parameter annotated with the
class, `self` in its methods). The rule itself is `timeout_overrides.py`'s.
"""

from __future__ import annotations

from apilint.knowledge.http_clients import ClientKind
from apilint.project.facts import ClassSummary, ModuleSummary
from apilint.project.timeout_overrides import Definition, TimeoutOverrides, chain_overrides


class OverridesIndex:
    summaries: dict[str, ModuleSummary]
    _subclass_edges: dict[str, list[str]] | None = None  # class -> the project classes naming it as a base

    def canonical(self, qualified: str) -> str:
        raise NotImplementedError

    def class_summary(self, qualified: str) -> ClassSummary | None:
        raise NotImplementedError

    def class_chain(self, qualified: str) -> list[tuple[str, ClassSummary]]:
        raise NotImplementedError

    def timeout_overrides(self, name: str, cls: ClassSummary, ahead: list[str], kind: ClientKind,
                          inherited: TimeoutOverrides) -> TimeoutOverrides:
        """The class's own definitions, then those of the project classes ahead of its client base,
        over what the client base holds (`inherited`), and its subclasses'; a base ahead that is
        not the project's may define anything."""
        chain = [cls] + [klass for base in ahead if base for _, klass in self.class_chain(base)]
        return chain_overrides(kind, [_definitions(klass) for klass in chain], self.subclass_definitions(name),
                               inherited, self.unreadable_ahead(ahead))

    def unreadable_ahead(self, ahead: list[str]) -> bool:
        """A base ahead of the client base that is not a project class (and may add methods)."""
        return any(not base or (self.class_summary(base) is None and not _adds_no_methods(base)) for base in ahead)

    def subclass_definitions(self, qualified: str) -> list[Definition]:
        """The definitions of every project class that derives from `qualified` (canonical), transitively."""
        edges = self._subclass_edges
        if edges is None:
            edges = self._subclass_edges = {}
            for module, summary in self.summaries.items():
                for name, cls in summary.classes.items():
                    for base in cls.bases:
                        if base:
                            edges.setdefault(self.canonical(base), []).append(f"{module}.{name}")
        found: list[Definition] = []
        seen = {qualified}
        pending = list(edges.get(qualified, ()))
        while pending:
            sub = pending.pop()
            if sub in seen:
                continue
            seen.add(sub)
            derived = self.class_summary(sub)
            if derived is not None:
                found += _definitions(derived)
            pending += edges.get(sub, ())
        return found


def _definitions(cls: ClassSummary) -> list[Definition]:
    """What the class defines: its methods' signatures, and the names it assigns otherwise (`Definition`)."""
    return ([(name, method.takes_timeout) for name, method in cls.methods.items()]
            + [(name, None) for name in cls.attributes if name not in cls.methods])


def _adds_no_methods(base: str) -> bool:
    """Bases that add no methods a client could lose (`object`, `typing.Generic`, `typing.Protocol`)."""
    return base.rsplit(".", 1)[-1] in ("object", "Generic", "Protocol")
