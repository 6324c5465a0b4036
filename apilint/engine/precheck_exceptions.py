"""Pre-check for the exception rules: what may a handler's class names resolve to?

Mirrors `apilint.semantic.exceptions.ExceptionResolver` over the `ast` scan's
name summary, keeping every possibility (builtin, each import, a module
class, unknown) instead of the one the resolver picks, so that "may cover"
and "may be broad" are over-approximations of the rules' tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apilint.engine.ast_model import ClassRef, HandlerRef
from apilint.knowledge.exceptions import BASE_EXCEPTION, Hierarchy
from apilint.project.view import ProjectView

_MAX_DEPTH = 8


@dataclass(frozen=True)
class ExceptionNames:
    """What the module binds, for guessing what a handler's class names may resolve to."""

    imports: dict[str, frozenset[str]] = field(default_factory=dict)
    class_bases: dict[str, tuple[ClassRef, ...]] = field(default_factory=dict)
    other_bound: frozenset[str] = frozenset()
    # `Error = requests.RequestException`, `Timeouts = (A, B)`: every class any assignment of the name may alias.
    aliases: dict[str, tuple[ClassRef, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Possible:
    text: str
    canonicals: frozenset[str]
    ancestors: frozenset[str]
    unknown: bool  # may resolve to a class apilint cannot identify


BARE = Possible("", frozenset({BASE_EXCEPTION}), frozenset({BASE_EXCEPTION}), False)


class Guesser:
    def __init__(self, names: ExceptionNames, table: Hierarchy, project: ProjectView | None = None) -> None:
        self.names = names
        self.table = table
        self.project = project
        self._memo: dict[ClassRef, Possible] = {}

    def handler(self, handler: HandlerRef) -> list[Possible]:
        if handler is None:
            return [BARE]
        return [self.possible(ref) for ref in handler]

    def possible(self, ref: ClassRef, depth: int = 0) -> Possible:
        known = self._memo.get(ref)
        if known is None:
            known = self._possible(ref, depth)
            if depth == 0:
                self._memo[ref] = known
        return known

    def _possible(self, ref: ClassRef, depth: int) -> Possible:
        kind, text = ref
        if kind == "other" or depth > _MAX_DEPTH:
            return Possible(text, frozenset(), frozenset(), True)
        names = self.names
        canonicals: set[str] = set()
        ancestors: set[str] = set()
        unknown = False
        root, _, rest = text.partition(".")

        def add(qualified: str) -> None:
            nonlocal unknown
            canonical = self.table.canonical(qualified)
            if canonical is None:
                unknown = True
                # A class of another project module: what the resolver sees of it (`exception_class`).
                found = self.project.exception_class(qualified, self.table) if self.project is not None else None
                if found is not None:
                    canonicals.add(found[0])
                    ancestors.update(found[1])
            else:
                canonicals.add(canonical)
                ancestors.update(self.table.ancestors(canonical))

        for qualified in names.imports.get(root, ()):
            add(f"{qualified}.{rest}" if rest else qualified)
        if root in names.other_bound or root not in names.imports:
            unknown = unknown or bool(rest)  # `obj.Error` without an import: unresolvable
        if not rest and root in names.aliases:
            unknown = True  # `Error = …` may be bound differently elsewhere
            for alias_ref in names.aliases[root]:
                if alias_ref != ref:
                    possible = self.possible(alias_ref, depth + 1)
                    canonicals.update(possible.canonicals)
                    ancestors.update(possible.ancestors)
        if not rest:
            add(f"builtins.{root}")  # resolves as a builtin where the name is not bound
            if root in names.other_bound or (root in names.imports and root in names.class_bases):
                unknown = True
            if root in names.class_bases:
                marker = f"<module>.{root}"
                canonicals.add(marker)
                ancestors.add(marker)
                for base in names.class_bases[root]:
                    if base != ref:
                        ancestors.update(self.possible(base, depth + 1).ancestors)
        return Possible(text, frozenset(canonicals), frozenset(ancestors), unknown)


def may_cover(earlier: Possible, later: Possible) -> bool:
    """Over-approximates `Caught.covers`."""
    if BASE_EXCEPTION in earlier.canonicals:
        return True
    if not earlier.canonicals.isdisjoint(later.ancestors):
        return True
    # v2: an unknown class is covered only by its own spelling (or BaseException), never by Exception.
    return earlier.unknown and later.unknown and earlier.text == later.text


def may_shadow(sequence: tuple[HandlerRef, ...], guess: Guesser) -> bool:
    """API302: may a handler catch something an earlier handler of the same try already catches?"""
    handlers = [guess.handler(h) for h in sequence]
    return any(
        may_cover(earlier, later)
        for index, classes in enumerate(handlers) for later in classes
        for before in handlers[:index] for earlier in before
    )


def may_repeat(refs: tuple[ClassRef, ...], guess: Guesser) -> bool:
    """API304: may one class of the tuple be the same as, or covered by, another?"""
    classes = [guess.possible(r) for r in refs]
    for i, klass in enumerate(classes):
        for j, other in enumerate(classes):
            if i == j:
                continue
            if klass.text == other.text or not klass.canonicals.isdisjoint(other.canonicals):
                return True
            if may_cover(other, klass):
                return True
    return False


def may_catch(handler: HandlerRef, guess: Guesser, canonicals: frozenset[str]) -> bool:
    """May the handler name one of these classes (a bare handler counts as BaseException)?"""
    return any(not p.canonicals.isdisjoint(canonicals) for p in guess.handler(handler))
