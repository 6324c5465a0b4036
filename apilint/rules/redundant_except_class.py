"""API304: a class in a handler's tuple that another class of the tuple already covers."""

from __future__ import annotations

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.precheck import AstFacts
from apilint.engine.precheck_exceptions import (
    Guesser,
    may_repeat,
)
from apilint.engine.text_filter import TextIndex
from apilint.engine.traversal import Visit
from apilint.knowledge.exceptions import hierarchy
from apilint.rules.base import FixBuilder, Rule, RuleContext, make_fix
from apilint.semantic.exceptions import ExceptionResolver


class RedundantExceptClass(Rule):
    """## What it does
    Checks for handler tuples that name a class another class of the same
    tuple already covers (`except (RequestException, Timeout):`,
    `except (ValueError, Exception):`), or the same class twice.

    ## Why is this bad?
    The redundant name suggests a distinction the code does not make, and
    often hides a misunderstanding of the hierarchy (a reader assumes
    `Timeout` is handled differently). It is noise at best.

    ## Example
    ```python
    import requests

    def fetch(url):
        try:
            return requests.get(url, timeout=10)
        except (requests.exceptions.RequestException, requests.exceptions.Timeout):
            return None
    ```

    ## Use instead
    ```python
    import requests

    def fetch(url):
        try:
            return requests.get(url, timeout=10)
        except requests.exceptions.RequestException:
            return None
    ```

    ## Fix safety
    The fix removes the redundant names (and the parentheses when one name
    is left). It is safe: the handler catches exactly what it caught before.

    ## Options
    - `target-version`

    ## References
    - [Python reference: the try statement](https://docs.python.org/3/reference/compound_stmts.html#the-try-statement)
    """

    code = "API304"
    name = "redundant-except-class"
    message = "{redundant} in this handler is redundant: {by} already covers it"
    fix_title = "Remove the redundant class"
    fix_availability = FixAvailability.ALWAYS
    fix_safety = Applicability.SAFE
    options = ("target-version",)
    node_types = (cst.ExceptHandler, cst.ExceptStarHandler)

    @classmethod
    def precheck(cls, facts: AstFacts) -> bool:
        return bool(facts.tuple_handlers)

    def wants(self, facts: AstFacts) -> bool:
        guess = Guesser(facts.exception_names, hierarchy(self.settings.target_version))
        return any(may_repeat(refs, guess) for refs in facts.tuple_handlers)

    def trigger_imports(self) -> frozenset[str]:
        return frozenset()

    def trigger_words(self) -> frozenset[str]:
        return frozenset({"except"})  # dead or redundant handlers are bugs in any code

    def text_may_fire(self, index: TextIndex) -> bool:
        return index.has_tuple_handler()

    def candidate_lines(self, facts: AstFacts) -> list[int] | None:
        if facts.lines is None:
            return None
        guess = Guesser(facts.exception_names, hierarchy(self.settings.target_version))
        return [line for refs, line in zip(facts.tuple_handlers, facts.lines.scan.tuple_handler_lines)
                if may_repeat(refs, guess)]

    def check(self, visit: Visit, ctx: RuleContext) -> None:
        handler = visit.node
        assert isinstance(handler, (cst.ExceptHandler, cst.ExceptStarHandler))
        if not isinstance(handler.type, cst.Tuple) or len(handler.type.elements) < 2:
            return
        exceptions = ExceptionResolver(ctx.resolver, hierarchy(self.settings.target_version))
        classes = exceptions.caught(handler, visit.scope)
        redundant: list[int] = []
        by: dict[int, str] = {}
        for i, klass in enumerate(classes):
            for j, other in enumerate(classes):
                if i == j or j in redundant:
                    continue
                same = (klass.canonical is not None and klass.canonical == other.canonical) or klass.text == other.text
                if same and j > i:
                    continue  # of two equal names keep the first
                if same or other.covers(klass) and not (not klass.known and not other.known):
                    redundant.append(i)
                    by[i] = other.text
                    break
        if not redundant:
            return
        tuple_node = handler.type
        keep: list[cst.BaseElement] = [el for i, el in enumerate(tuple_node.elements) if i not in redundant]
        names = ", ".join(f"`{classes[i].text}`" for i in redundant)
        first_by = by[redundant[0]]
        ctx.report(type(self), handler, fix=_remove_fix(tuple_node, keep), redundant=names, by=f"`{first_by}`")


def _remove_fix(tuple_node: cst.Tuple, keep: list[cst.BaseElement]) -> FixBuilder:
    def build(loc: Locator) -> Fix | None:
        if len(keep) == 1:
            text = loc.text[loc.start(keep[0].value):loc.end(keep[0].value)]
            start, end = loc.start(tuple_node), loc.end(tuple_node)
            if tuple_node.lpar:
                # The tuple's range excludes its parentheses: take them too, `(A, B)` -> `A`.
                opening = loc.text.rfind("(", 0, start)
                closing = loc.text.find(")", end)
                if opening < 0 or closing < 0 or loc.text[opening + 1:start].strip() or loc.text[end:closing].strip(", \t"):
                    return None
                start, end = opening, closing + 1
            return make_fix(RedundantExceptClass, [(start, end, text)])
        kept = ", ".join(loc.text[loc.start(el.value):loc.end(el.value)] for el in keep)
        start = loc.start(tuple_node.elements[0].value)
        end = loc.end(tuple_node.elements[-1].value)
        return make_fix(RedundantExceptClass, [(start, end, kept)])

    return build
