"""Printing results: flake8-style text lines, JSON, and ruff's summary."""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from typing import Any, TextIO

from apilint.cli.runner import FileResult
from apilint.engine.findings import Finding
from apilint.engine.applicability import applicability, is_fixable
from apilint.settings import Settings

_NEWLINE = re.compile(r"\r\n|\r|\n")


def sorted_findings(results: Iterable[FileResult]) -> list[tuple[str, Finding, FileResult]]:
    rows = [(r.display, f, r) for r in results for f in r.findings]
    rows.sort(key=lambda row: (row[0], row[1].sort_key))
    return rows


def write_text(rows: list[tuple[str, Finding, FileResult]], out: TextIO) -> None:
    for display, finding, _ in rows:
        out.write(f"{display}:{finding.line}:{finding.col}: {finding.code} {finding.message}\n")


def _location(line_starts: list[int], offset: int) -> dict[str, int]:
    line = bisect.bisect_right(line_starts, offset)
    return {"row": line, "column": offset - line_starts[line - 1] + 1}


def write_json(rows: list[tuple[str, Finding, FileResult]], settings: Settings, out: TextIO) -> None:
    items: list[dict[str, Any]] = []
    starts_cache: dict[int, list[int]] = {}
    for display, finding, result in rows:
        fix_data = None
        kind = applicability(finding, settings)
        if finding.fix is not None and kind is not None and result.text is not None:
            key = id(result)
            if key not in starts_cache:
                starts_cache[key] = [0] + [m.end() for m in _NEWLINE.finditer(result.text)]
            starts = starts_cache[key]
            fix_data = {
                "applicability": kind.value,
                "message": finding.fix.title,
                "edits": [
                    {"content": e.content, "location": _location(starts, e.start), "end_location": _location(starts, e.end)}
                    for e in finding.fix.edits
                ],
            }
        items.append({
            "code": finding.code,
            "name": finding.name,
            "message": finding.message,
            "filename": display,
            "location": {"row": finding.line, "column": finding.col},
            "end_location": {"row": finding.end_line, "column": finding.end_col},
            "fix": fix_data,
        })
    json.dump(items, out, indent=2, ensure_ascii=False)
    out.write("\n")


def summary(results: list[FileResult], settings: Settings, *, fixing: bool, unsafe: bool) -> str:
    """ruff's closing lines: how many findings, how many fixed, how many a fix run would fix."""
    remaining = sum(len(r.findings) for r in results)
    fixed = sum(sum(r.fixed.values()) for r in results)
    files = len(results)
    noun = "file" if files == 1 else "files"
    if remaining == 0 and fixed == 0:
        return f"All checks passed! ({files} {noun} checked)"
    lines = []
    if fixing:
        lines.append(f"Found {remaining + fixed} {_errors(remaining + fixed)} ({fixed} fixed, {remaining} remaining) in {files} {noun}.")
    else:
        lines.append(f"Found {remaining} {_errors(remaining)} in {files} {noun}.")
    all_findings = [f for r in results for f in r.findings]
    fixable = sum(1 for f in all_findings if is_fixable(f, settings, unsafe=unsafe))
    hidden = 0 if unsafe else sum(1 for f in all_findings if is_fixable(f, settings, unsafe=True)) - fixable
    hint = f"{hidden} hidden {_fixes(hidden)} can be enabled with the `--unsafe-fixes` option"
    if not fixing and fixable:
        lines.append(f"[*] {fixable} fixable with the `--fix` option" + (f" ({hint})." if hidden else "."))
    elif hidden:
        lines.append(f"No fixes available ({hint})." if not fixable or fixing else f"{hint}.")
    return "\n".join(lines)


def _errors(n: int) -> str:
    return "error" if n == 1 else "errors"


def _fixes(n: int) -> str:
    return "fix" if n == 1 else "fixes"
