"""API304: a class in a handler's tuple that another class of the tuple already covers."""

from __future__ import annotations

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.needs import RepeatedTupleClasses
from apilint.engine.traversal import Visit
from apilint.knowledge.exceptions import hierarchy
from apilint.rules.base import FixBuilder, Rule, RuleContext, make_fix
from apilint.semantic.exceptions import Caught, ExceptionResolver


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
    The fix removes each redundant name with its comma, and nothing else:
    comments inside the tuple stay, and so does a one-name-per-line layout.
    Of two names for one class (`IOError` and `EnvironmentError` are aliases
    of `OSError`) it keeps the canonical one. When one name is left, the
    parentheses go too, unless the tuple spans lines or holds a comment. It is
    safe: the handler catches exactly what it caught before.

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

    needs = (RepeatedTupleClasses(),)  # redundant classes are bugs in any code

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
                if same and _keeps(klass, i, other, j):
                    continue  # of two names for one class keep the canonical one, else the first
                if same or other.covers(klass) and not (not klass.known and not other.known):
                    redundant.append(i)
                    by[i] = other.text
                    break
        if not redundant:
            return
        tuple_node = handler.type
        names = ", ".join(f"`{classes[i].text}`" for i in redundant)
        first_by = by[redundant[0]]
        ctx.report(type(self), handler, fix=_remove_fix(tuple_node, frozenset(redundant)),
                   redundant=names, by=f"`{first_by}`")


def _keeps(klass: Caught, i: int, other: Caught, j: int) -> bool:
    """Of two names for one class, is `klass` (element i) the one to keep over `other` (element j)?"""
    mine, theirs = _is_canonical_name(klass), _is_canonical_name(other)
    if mine != theirs:
        return mine
    return i < j


def _is_canonical_name(klass: Caught) -> bool:
    """`OSError` for builtins.OSError, not its alias `IOError` / `EnvironmentError`."""
    return klass.canonical is not None and klass.text.rsplit(".", 1)[-1] == klass.canonical.rsplit(".", 1)[-1]


def _remove_fix(tuple_node: cst.Tuple, redundant: frozenset[int]) -> FixBuilder:
    """Delete the redundant elements, each with its comma, and not a byte more.

    Comments in the tuple stay where they are, so does a one-name-per-line layout (an element
    alone on its line goes with its line). `(A, B)` -> `A` only when the tuple holds no line
    break and no comment; otherwise the parentheses stay.
    """
    def build(loc: Locator) -> Fix | None:
        text = loc.text
        elements = tuple_node.elements
        kept = [i for i in range(len(elements)) if i not in redundant]
        if not kept:
            return None
        if len(kept) == 1:
            unwrapped = _unwrap(loc, tuple_node, elements[kept[0]])
            if unwrapped is not None:
                return make_fix(RedundantExceptClass, [unwrapped])
        edits: list[tuple[int, int, str]] = []
        last_kept = kept[-1]
        tail = [i for i in sorted(redundant) if i > last_kept]
        handled: set[int] = set()
        if tail and not isinstance(elements[-1].comma, cst.Comma):
            # `(A, B, C)` dropping C: the separator before it goes too, when no comment sits in between.
            start, end = loc.end(elements[last_kept].value), loc.end(elements[-1].value)
            if "#" not in text[start:end]:
                edits.append((start, end, ""))
                handled.update(tail)
        for i in sorted(redundant - handled):
            span = _element_span(loc, elements[i])
            if span is None:
                return None
            edits.append((span[0], span[1], ""))
        return make_fix(RedundantExceptClass, edits)

    return build


def _element_span(loc: Locator, element: cst.BaseElement) -> tuple[int, int] | None:
    """The bytes to delete for one element: the name, its comma, the blanks after them; the whole
    line when that leaves only blanks on it. None when something unexpected sits in between."""
    text = loc.text
    start, end = loc.start(element.value), loc.end(element.value)
    if isinstance(element.comma, cst.Comma):
        comma = end
        while comma < len(text) and text[comma] in " \t":
            comma += 1
        if comma >= len(text) or text[comma] != ",":
            return None  # a comment or line break before the comma: leave it to a person
        end = comma + 1
    while end < len(text) and text[end] in " \t":
        end += 1
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    alone = not text[line_start:start].strip(" \t\f")
    following = text[end:end + 1]
    if alone and following in ("\r", "\n"):
        return line_start, end + (2 if text.startswith("\r\n", end) else 1)
    if following in ("\r", "\n", ")", "") and not alone:
        while start > line_start and text[start - 1] in " \t":
            start -= 1  # `(A, B,)` -> `(A,)`: no blank left before the closing parenthesis
    return start, end


def _unwrap(loc: Locator, tuple_node: cst.Tuple, keep: cst.BaseElement) -> tuple[int, int, str] | None:
    """`(A, B)` -> `A` as one edit, when the parenthesised tuple holds no line break and no comment."""
    text = loc.text
    start, end = loc.start(tuple_node), loc.end(tuple_node)
    if tuple_node.lpar:
        # The tuple's range excludes its parentheses: take them too.
        if len(tuple_node.lpar) != 1:
            return None
        opening, closing = text.rfind("(", 0, start), text.find(")", end)
        if opening < 0 or closing < 0 or text[opening + 1:start].strip(" \t") or text[end:closing].strip(", \t"):
            return None
        start, end = opening, closing + 1
    inside = text[start:end]
    if "#" in inside or "\n" in inside or "\r" in inside:
        return None
    return start, end, text[loc.start(keep.value):loc.end(keep.value)]
