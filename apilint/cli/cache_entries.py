"""Cache entries as JSON, read back as a hint: anything not exactly what `dump` writes is a miss.

The index is a file in the user's tree; it may be hand-edited, truncated, or written by another
version. A malformed entry must never crash the run or turn into a wrong finding, so every
field is checked for its type and range before a Finding is built from it.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from apilint.engine.findings import Applicability, Edit, Finding, Fix

_APPLICABILITIES = {a.value: a for a in Applicability}


def dump(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": finding.code, "name": finding.name, "message": finding.message,
        "pos": [finding.line, finding.col, finding.end_line, finding.end_col],
    }
    if finding.cell is not None:
        data["cell"] = finding.cell
    if finding.fix is not None:
        data["fix"] = {
            "applicability": finding.fix.applicability.value,
            "title": finding.fix.title,
            "edits": [[e.start, e.end, e.content] for e in finding.fix.edits],
        }
    return data


def load(entry: object) -> list[Finding] | None:
    """The findings an entry holds, or None (a miss) when any part of it is malformed."""
    if not isinstance(entry, list):
        return None
    findings = []
    for item in entry:
        finding = _finding(item)
        if finding is None:
            return None
        findings.append(finding)
    return findings


def _finding(data: object) -> Finding | None:
    if not isinstance(data, dict):
        return None
    code, name, message, pos = data.get("code"), data.get("name"), data.get("message"), data.get("pos")
    if not (_is_str(code) and _is_str(name) and _is_str(message)):
        return None
    if not isinstance(pos, list) or len(pos) != 4:
        return None
    numbers = [v for v in pos if _is_count(v)]
    cell = data.get("cell")
    if len(numbers) != 4 or (cell is not None and not _is_count(cell)):
        return None
    fix = None
    if "fix" in data:
        fix = _fix(data["fix"])
        if fix is None:
            return None
    line, col, end_line, end_col = numbers
    return Finding(code, name, message, line, col, end_line, end_col, fix, cell)


def _fix(raw: object) -> Fix | None:
    if not isinstance(raw, dict):
        return None
    applicability, title, edits = raw.get("applicability"), raw.get("title"), raw.get("edits")
    if not isinstance(applicability, str) or applicability not in _APPLICABILITIES or not _is_str(title):
        return None
    if not isinstance(edits, list):
        return None
    parsed = []
    for edit in edits:
        if not isinstance(edit, list) or len(edit) != 3:
            return None
        start, end, content = edit
        if not (_is_count(start) and _is_count(end) and start <= end and _is_str(content)):
            return None
        parsed.append(Edit(start, end, content))
    return Fix(_APPLICABILITIES[applicability], title, tuple(parsed))


def _is_str(value: object) -> TypeGuard[str]:
    return isinstance(value, str)


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31
