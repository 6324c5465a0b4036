"""Blank the bodies of functions that no active rule can report in, before the libcst parse.

libcst costs about ten times `ast` per line, and most of a large client module is
methods where nothing can fire: in the corpus about half the lines of the files
that have findings. A function body is replaced by `pass` and empty lines, so every
line keeps its number and every kept line its columns; the findings are the same
as on the whole text. Only reporting does this (`exact=False`): fixing parses everything.

A body is blanked only when it holds no pre-check candidate of an active rule
(`Rule.candidate_lines`) and nothing the resolver reads from other functions:
assignments to attributes (`self.session = ...`), `global`, a result that may be a
client (a factory), and the words the semantic model collects across scopes
(`timeout`, `raise_for_status`, `hooks`, `mount`). Candidates outside any function
turn the reduction off: module-level code may read names that functions use.
Tests compare findings with and without it on every fixture and statement slice.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable

# Words behind facts the semantic model gathers from every function of the module (see the
# module docstring); `global` moves a function's bindings to the module.
_CROSS_FUNCTION_WORDS = re.compile(r"timeout|raise_for_status|hooks|mount|global")
# Lines as Python counts them: only \r\n, \r and \n end a line (str.splitlines also splits on \f...).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_MIN_BODY_LINES = 3  # blanking a tiny body saves less than it costs to decide


def blank_idle_functions(text: str, tree: ast.AST, candidates: Iterable[int], factories: Collection[str]) -> str | None:
    """The text with idle function bodies blanked, or None when nothing can be blanked."""
    if not isinstance(tree, ast.Module):
        return None
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    _collect(tree.body, functions)
    if not functions:
        return None
    spans = sorted((_first_line(f), f.end_lineno or f.lineno) for f in functions)
    starts = [start for start, _ in spans]
    keep = sorted(set(candidates))
    for line in keep:
        index = bisect_right(starts, line) - 1
        if index < 0 or line > spans[index][1]:
            return None  # a candidate in module or class code
    lines: list[str] | None = None
    word_lines: list[int] | None = None
    changed = False
    for function in functions:
        body_start = function.body[0].lineno
        end = function.end_lineno or function.lineno
        if end - body_start + 1 < _MIN_BODY_LINES or body_start <= function.lineno:
            continue
        if _holds(keep, _first_line(function), end) or function.name in factories:
            continue
        if lines is None:
            lines = _LINE.findall(text)
            word_lines = _word_lines(text, lines)
        assert word_lines is not None
        if _holds(word_lines, body_start, end) or _stores_attribute_or_global(function):
            continue
        first = lines[body_start - 1]
        indent = first[:function.body[0].col_offset]
        if indent.strip(" \t\f"):
            continue  # the body does not start its own line (`def f(): \` ...)
        lines[body_start - 1] = indent + "pass" + _ending(first)
        for index in range(body_start, end):
            lines[index] = _ending(lines[index])
        changed = True
    return "".join(lines) if changed and lines is not None else None


def _collect(body: list[ast.stmt], out: list[ast.FunctionDef | ast.AsyncFunctionDef]) -> None:
    """Functions at module level and methods (classes nested in classes too), not nested functions."""
    for node in body:
        if isinstance(node, _FUNCTIONS):
            out.append(node)
        elif isinstance(node, ast.ClassDef):
            _collect(node.body, out)


def _first_line(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return min([function.lineno, *(d.lineno for d in function.decorator_list)])


def _holds(sorted_lines: list[int], start: int, end: int) -> bool:
    index = bisect_left(sorted_lines, start)
    return index < len(sorted_lines) and sorted_lines[index] <= end


def _word_lines(text: str, lines: list[str]) -> list[int]:
    offsets = []
    total = 0
    for line in lines:
        offsets.append(total)
        total += len(line)
    return sorted({bisect_right(offsets, m.start()) for m in _CROSS_FUNCTION_WORDS.finditer(text)})


def _stores_attribute_or_global(function: ast.AST) -> bool:
    for node in ast.walk(function):
        kind = type(node)
        if kind is ast.Attribute and type(node.ctx) is ast.Store:  # type: ignore[attr-defined]
            return True
        if kind is ast.Global:
            return True
    return False


def _ending(line: str) -> str:
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith(("\n", "\r")):
        return line[-1]
    return ""
