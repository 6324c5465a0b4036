"""apilint's findings and edits as LSP diagnostics and text edits."""

from __future__ import annotations

from lsprotocol import types

from apilint import rule_url
from apilint.engine.findings import Edit, Finding
from apilint.server.analysis import Reported
from apilint.server.positions import LineIndex

SOURCE = "apilint"


def finding_range(finding: Finding, lines: LineIndex) -> types.Range:
    return types.Range(start=lines.position(finding.line, finding.col),
                       end=lines.position(finding.end_line, finding.end_col))


def diagnostic(reported: Reported, lines: LineIndex) -> types.Diagnostic:
    finding = reported.finding
    return types.Diagnostic(
        range=finding_range(finding, lines),
        message=finding.message,
        severity=types.DiagnosticSeverity.Warning,
        code=finding.code,
        code_description=types.CodeDescription(href=rule_url(finding.code)),
        source=SOURCE,
    )


def text_edit(edit: Edit, lines: LineIndex) -> types.TextEdit:
    return types.TextEdit(range=types.Range(start=lines.position_at(edit.start), end=lines.position_at(edit.end)),
                          new_text=edit.content)


def replacement(old: str, new: str, lines: LineIndex) -> types.TextEdit:
    """One edit turning `old` into `new`: the span between their common prefix and suffix
    (editors keep the cursor and folds outside it, which replacing the whole text would lose)."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    # Never split a "\r\n" pair: the edit would leave a lone "\r" position on one side.
    if prefix > 0 and old[prefix - 1] == "\r" and old[prefix:prefix + 1] == "\n":
        prefix -= 1
    end = len(old) - suffix
    if 0 < end < len(old) and old[end - 1] == "\r" and old[end] == "\n":
        suffix -= 1
    return text_edit(Edit(prefix, len(old) - suffix, new[prefix:len(new) - suffix]), lines)
