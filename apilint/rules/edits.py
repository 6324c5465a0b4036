"""Edits shared by several fixes."""

from __future__ import annotations

import libcst as cst

from apilint.engine.locate import Locator


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
