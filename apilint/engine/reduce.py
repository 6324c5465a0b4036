"""Blank the bodies of functions that no active rule can report in, before the libcst parse.

libcst costs about ten times `ast` per line, and most of a large client module is
methods where nothing can fire: in the corpus about half the lines of the files
that have findings. A function body is replaced by `pass` and empty lines, so every
line keeps its number and every kept line its columns; the findings are the same
as on the whole text. Only reporting does this (`exact=False`): fixing parses everything.

A body is blanked only when it holds no pre-check candidate of an active rule
(`Rule.needs`, `gates.Sites`) and nothing the semantic model reads from other functions:
- a result that may be a client (a factory, called from elsewhere);
- an assignment to an attribute that may hold a client, or that wraps a request
  method (`s.request = partial(...)`), or sets `hooks` / `timeout`;
- `global` (its bindings are the module's) and `mount` (a timeout adapter);
- `timeout` or `super` in a method named like a request method (a client subclass
  handling timeouts or checking every response);
- the words active rules read across functions (`Rule.cross_function_words`:
  `raise_for_status` and `hooks` for the response rules, `timeout` for API103).
Candidates outside any function turn the reduction off: module-level code may read
names that functions use. Tests compare findings with and without it.
"""

from __future__ import annotations

import ast
import copy
import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from apilint.knowledge.http_clients import REQUEST_CALL_NAMES
from apilint.semantic.receivers import TIMEOUT_METHODS, TIMEOUT_RECEIVERS

_ALWAYS_KEPT_WORDS = frozenset({"global", "mount"})
# Attributes whose assignment the model records whatever the value (injections, hooks, API103; a
# method a client hands the timeout on to, replaced on `self`).
RECORDED_ATTRIBUTES = REQUEST_CALL_NAMES | TIMEOUT_RECEIVERS | {"hooks", "timeout"}
# Lines as Python counts them: only \r\n, \r and \n end a line (str.splitlines also splits on \f...).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_MIN_BODY_LINES = 3  # blanking a tiny body saves less than it costs to decide


@dataclass(frozen=True)
class CrossFunctionFacts:
    """What other functions may read from a function body (from the pre-check's scan)."""

    factories: Collection[str]  # functions whose result may be a client
    attribute_stores: list[int]  # lines assigning an attribute the model records (RECORDED_ATTRIBUTES or a client's)
    words: frozenset[str] = frozenset()  # words of facts the active rules gather across functions


@dataclass(frozen=True)
class Reduction:
    text: str
    blanked: dict[int, ast.Pass]  # id() of each blanked function -> the `pass` now its body
    simplified: set[int]  # id() of those whose signature is now `name()`

    def tree(self, original: ast.Module) -> ast.Module:
        """The `ast` tree of `text`, from the original's (shallow copies; the original is not changed)."""
        reduced = copy.copy(original)
        reduced.body = self._body(original.body)
        return reduced

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for node in body:
            replacement = self.blanked.get(id(node))
            if replacement is not None and isinstance(node, _FUNCTIONS):  # only functions are blanked
                simplified = id(node) in self.simplified
                node = copy.copy(node)
                node.body = [replacement]
                if simplified:
                    node.args = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[],
                                              kw_defaults=[], kwarg=None, defaults=[])
                    node.returns = None
                    if hasattr(node, "type_params"):
                        node.type_params = []
            elif isinstance(node, ast.ClassDef):
                node = copy.copy(node)
                node.body = self._body(node.body)
            else:
                out.append(node)
                continue
            last = node.body[-1]
            node.end_lineno, node.end_col_offset = last.end_lineno, last.end_col_offset  # a compound statement ends with its body
            out.append(node)
        return out


def blank_idle_functions(text: str, tree: ast.AST, candidates: Iterable[int], facts: CrossFunctionFacts) -> Reduction | None:
    """The text with idle function bodies blanked, or None when nothing can be blanked."""
    if not isinstance(tree, ast.Module):
        return None
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    methods: set[int] = set()
    _collect(tree.body, functions, methods)
    if not functions:
        return None
    spans = sorted((_first_line(f), f.end_lineno or f.lineno) for f in functions)
    starts = [start for start, _ in spans]
    keep = sorted(set(candidates))
    stores = sorted(facts.attribute_stores)
    for line in keep:
        index = bisect_right(starts, line) - 1
        if index < 0 or line > spans[index][1]:
            return None  # a candidate in module or class code
    lines: list[str] | None = None
    word_lines: list[int] = []
    timeout_lines: list[int] = []
    blanked: dict[int, ast.Pass] = {}
    simplified: set[int] = set()  # blanked functions whose signature is now `name()`
    for function in functions:
        body_start = _first_line(function.body[0])  # a decorated nested def starts at its decorator
        end = function.end_lineno or function.lineno
        if end - body_start + 1 < _MIN_BODY_LINES or body_start <= function.lineno:
            continue
        if _holds(keep, _first_line(function), end) or function.name in facts.factories:
            continue
        if lines is None:
            lines = _LINE.findall(text)
            offsets = _offsets(lines)
            words = _ALWAYS_KEPT_WORDS | facts.words
            word_lines = sorted({bisect_right(offsets, at) for word in words for at in _whole_word(text, word)})
            timeout_lines = word_lines if "timeout" in words else sorted(
                {bisect_right(offsets, at) for at in _whole_word(text, "timeout")})
            # A request method that calls super(): a client subclass's override, which may check every
            # response (semantic/raising.py) or inject a timeout.
            super_lines = sorted({bisect_right(offsets, at) for at in _whole_word(text, "super")})
        # From the def line: the traversal gives parameter defaults to the function's own scope.
        if (_holds(word_lines, function.lineno, end) or _holds(stores, body_start, end)
                or function.name in TIMEOUT_METHODS and (_holds(timeout_lines, function.lineno, end)
                                                         or _holds(super_lines, function.lineno, end))):
            continue
        first = lines[body_start - 1]
        indent = first[:len(first) - len(first.lstrip(" \t\f"))]
        head = function.body[0]
        if not getattr(head, "decorator_list", None) and len(indent) != head.col_offset:
            continue  # the body does not start its own line (`def f(): \` ...); a decorator always does
        lines[body_start - 1] = indent + "pass" + _ending(first)
        for index in range(body_start, end):
            lines[index] = _ending(lines[index])
        column = len(indent.encode("utf-8"))
        blanked[id(function)] = ast.Pass(lineno=body_start, col_offset=column, end_lineno=body_start,
                                         end_col_offset=column + 4)
        # The signature too (long annotated ones cost as much as short bodies): nothing outside the
        # function reads its parameters, annotations or defaults once the body is gone (a return
        # annotation only matters for factories, which are kept). Decorators stay.
        # A method a client hands the timeout on to is the exception: its signature says whether it takes
        # `timeout=` (API101's fix, and whether a call of it is the library's).
        header = lines[function.lineno - 1]
        margin = header[:len(header) - len(header.lstrip(" \t\f"))]
        if len(margin) == function.col_offset and not (id(function) in methods and function.name in TIMEOUT_RECEIVERS):
            keyword = "async def " if isinstance(function, ast.AsyncFunctionDef) else "def "
            lines[function.lineno - 1] = margin + keyword + function.name + "():" + _ending(header)
            for index in range(function.lineno, body_start - 1):
                lines[index] = _ending(lines[index])
            simplified.add(id(function))
    if not blanked or lines is None:
        return None
    return Reduction("".join(lines), blanked, simplified)


def _collect(body: list[ast.stmt], out: list[ast.FunctionDef | ast.AsyncFunctionDef], methods: set[int],
             in_class: bool = False) -> None:
    """Functions at module level and methods (classes nested in classes too; their ids in `methods`),
    not nested functions."""
    for node in body:
        if isinstance(node, _FUNCTIONS):
            out.append(node)
            if in_class:
                methods.add(id(node))
        elif isinstance(node, ast.ClassDef):
            _collect(node.body, out, methods, True)


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _holds(sorted_lines: list[int], start: int, end: int) -> bool:
    index = bisect_left(sorted_lines, start)
    return index < len(sorted_lines) and sorted_lines[index] <= end


def _offsets(lines: list[str]) -> list[int]:
    offsets = []
    total = 0
    for line in lines:
        offsets.append(total)
        total += len(line)
    return offsets


def _whole_word(text: str, word: str) -> Iterator[int]:
    """Offsets of `word` as a whole word: the model looks for exact names (`amount` is not `mount`).

    str.find is far faster than a regex starting with a word boundary.
    """
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            yield start
        start = text.find(word, end)


def _ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return ""
