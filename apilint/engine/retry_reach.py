"""Which functions the analysis of a module's retry loops may read: the reduction keeps them.

A retry loop's wait, bound and status handling are often computed by helpers of the module
(`self._backoff(attempt)`, `delay = compute_delay(n)`, `range(self.max_retries)` set in
`__init__`), which the analysis follows by name (`semantic/retry_helpers.py` through the
resolver's bindings and a class's implementations). Blanking such a helper would change what the
loop is judged to do, so the reduction must keep, from the functions that hold a candidate loop:

- every function or method named by any identifier they mention (a call, an attribute, a name
  passed along: `retry(self._fetch)`), whatever class defines it;
- every function that assigns an attribute they mention (`self.max_retries = 5` in `__init__`);
- every module- or class-level statement binding a name they mention (`BACKOFF = compute()`,
  `policy = staticmethod(pick)`): it is never blanked, and what it mentions is followed;
- then the same from each function and statement kept, to a fixed point.

Matching by name over-approximates the resolver (a `get` method of an unrelated class is kept
too): the reduction can only keep more than needed. Module-level code is followed only through
the names it binds: a module ending in `whoami = api.whoami` for two hundred methods must not
keep them all for one retry loop.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(eq=False)
class _Function:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    start: int  # its first decorator's line, else the def's
    end: int
    words: set[str] | None = field(default=None)  # every identifier it mentions (computed when kept)


def reached_lines(tree: ast.AST, seeds: Iterable[int], attribute_stores: Iterable[tuple[str, int]]) -> list[int]:
    """The seed lines, plus a line of every function the retry analysis may read from them."""
    seeds = sorted(set(seeds))
    if not isinstance(tree, ast.Module):
        return seeds
    functions: list[_Function] = []
    statements: list[tuple[set[str], set[str]]] = []  # module- and class-level: (names bound, words)
    _collect(tree.body, functions, statements)
    bound_by: dict[str, list[int]] = {}
    for index, (bound, _) in enumerate(statements):
        for name in bound:
            bound_by.setdefault(name, []).append(index)
    followed: set[int] = set()  # statements whose words were followed
    by_name: dict[str, list[_Function]] = {}
    for function in functions:
        by_name.setdefault(function.node.name, []).append(function)
    stores: dict[str, list[int]] = {}
    for attribute, line in attribute_stores:
        stores.setdefault(attribute, []).append(line)

    functions.sort(key=lambda f: f.start)  # disjoint spans: methods of nested classes lie in no function
    starts = [f.start for f in functions]
    kept: set[int] = set()  # id() of kept functions
    pending: list[_Function] = []

    def containing(line: int) -> _Function | None:
        index = bisect_right(starts, line) - 1
        return functions[index] if index >= 0 and line <= functions[index].end else None

    def keep(function: _Function) -> None:
        if id(function) not in kept:
            kept.add(id(function))
            pending.append(function)

    def follow(words: Iterable[str]) -> None:
        for word in words:
            for function in by_name.get(word, ()):
                keep(function)
            for index in bound_by.get(word, ()):
                if index not in followed:
                    followed.add(index)
                    follow(statements[index][1])
            for line in stores.get(word, ()):
                holder = containing(line)
                if holder is not None:
                    keep(holder)

    for line in seeds:
        holder = containing(line)
        if holder is not None:
            keep(holder)
    while pending:
        function = pending.pop()
        if function.words is None:
            function.words = _words(function.node)
        follow(function.words)
    return seeds + [f.node.lineno for f in functions if id(f) in kept]


def _collect(body: list[ast.stmt], out: list[_Function], statements: list[tuple[set[str], set[str]]]) -> None:
    """Module-level functions and methods (what the reduction may blank), and every other statement
    at module or class level with the names it binds and the words it mentions."""
    for node in body:
        if isinstance(node, _FUNCTIONS):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            out.append(_Function(node, start, node.end_lineno or node.lineno))
        elif isinstance(node, ast.ClassDef):
            _collect(node.body, out, statements)
        else:
            bound: set[str] = set()
            words = _words(node, bound)
            statements.append((bound, words))


def _words(node: ast.AST, bound: set[str] | None = None) -> set[str]:
    """Every identifier under `node`; those it assigns (names and attributes) also into `bound`."""
    words: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            words.add(child.id)
            if bound is not None and not isinstance(child.ctx, ast.Load):
                bound.add(child.id)
        elif isinstance(child, ast.Attribute):
            words.add(child.attr)
            if bound is not None and not isinstance(child.ctx, ast.Load):
                bound.add(child.attr)
        elif bound is not None and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(child.name)  # a def under `if`/`try` at module level
        elif bound is not None and isinstance(child, ast.alias):
            bound.add((child.asname or child.name).partition(".")[0])
    return words
