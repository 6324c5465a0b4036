"""Edits shared by several fixes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from apilint.engine.findings import Fix
from apilint.engine.locate import Locator

if TYPE_CHECKING:
    from apilint.rules.base import Rule


def import_insertion(module: cst.Module, loc: Locator, statement: str) -> tuple[int, int, str]:
    """An edit adding `statement` (e.g. `import requests`) after the module's last top-level import."""
    last_import = None
    first_code = None
    for line in module.body:
        if isinstance(line, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in line.body):
            last_import = line
        elif first_code is None and not (
            isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
            and isinstance(line.body[0], cst.Expr) and isinstance(line.body[0].value, cst.SimpleString)
        ):
            first_code = line
        if last_import is None and first_code is not None:
            break
    newline = loc.newline()
    if last_import is not None:
        end = loc.line_end(loc.end(last_import))
        if end == len(loc.text):
            return (end, end, f"{newline}{statement}")
        after = end + (2 if loc.text.startswith("\r\n", end) else 1)
        return (after, after, f"{statement}{newline}")
    if first_code is not None:
        start = loc.offset(loc.range(first_code).start.line, 0)
        return (start, start, f"{statement}{newline}")
    return (len(loc.text), len(loc.text), f"{newline}{statement}{newline}")


def add_keyword_fix(rule: type[Rule], call: cst.Call, keyword: str, loc: Locator) -> Fix | None:
    """Insert `keyword` (e.g. `timeout=10`) after the last argument, keeping layout and comments."""
    text = loc.text
    if not call.args:
        # `f()` / `f(  )`: insert right after the opening parenthesis.
        open_paren = text.find("(", loc.end(call.func))
        if open_paren < 0:
            return None
        return _make_fix(rule, [(open_paren + 1, open_paren + 1, keyword)])
    last = call.args[-1]
    value_end = loc.end(last)
    last_line = loc.range(last).start.line
    previous_line = loc.range(call.args[-2]).end.line if len(call.args) > 1 else loc.range(call.func).end.line
    one_per_line = last_line != previous_line
    if isinstance(last.comma, cst.Comma):
        comma_end = text.find(",", value_end) + 1
        rest_of_line = text[comma_end:loc.line_end(comma_end)]
        if rest_of_line.strip() and not rest_of_line.lstrip().startswith("#"):
            # `f(a, b,)` with more on the line: stay on it.
            return _make_fix(rule, [(comma_end, comma_end, f" {keyword},")])
        # Trailing comma at a line end (maybe before a comment): add a line of our own.
        eol = loc.line_end(comma_end)
        indent = loc.indentation(last_line)
        return _make_fix(rule, [(eol, eol, f"{loc.newline()}{indent}{keyword},")])
    if one_per_line:
        # One argument per line, no trailing comma: `b  # note` -> `b,  # note` + new line.
        eol = loc.line_end(value_end)
        indent = loc.indentation(last_line)
        if loc.line_of(eol) == loc.range(call).end.line and text[value_end:eol].strip().startswith(")"):
            return _make_fix(rule, [(value_end, value_end, f", {keyword}")])
        return _make_fix(rule, [(value_end, value_end, ","), (eol, eol, f"{loc.newline()}{indent}{keyword}")])
    return _make_fix(rule, [(value_end, value_end, f", {keyword}")])


def _make_fix(rule: type[Rule], edits: list[tuple[int, int, str]]) -> Fix:
    from apilint.rules.base import make_fix

    return make_fix(rule, edits)
