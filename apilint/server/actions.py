"""Code actions: a quick fix per fixable finding, `# noqa` for any finding, and all safe fixes
of the file (`source.fixAll.apilint`, the same text `apilint --fix` writes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from apilint.cli.add_noqa import add_noqa
from apilint.engine.findings import Applicability
from apilint.server.analysis import Analysis, FixAll, Reported
from apilint.server.convert import diagnostic, finding_range, replacement, text_edit
from apilint.server.positions import LineIndex, intersects
from apilint.server.scheduler import Snapshot

FIX_ALL_KIND = "source.fixAll.apilint"
FIX_ALL_TITLE = "apilint: fix all safe fixes in this file"


@dataclass(frozen=True)
class Client:
    """What the editor said it supports."""

    encoding: str
    document_changes: bool  # versioned edits: a stale edit is refused instead of misapplied
    resolve_edit: bool  # can fill a code action's edit later (codeAction/resolve)


def wanted(only: Sequence[str] | None, kind: str) -> bool:
    """LSP kinds are hierarchical: asking for `source.fixAll` includes `source.fixAll.apilint`."""
    return only is None or any(kind == k or kind.startswith(k + ".") for k in only)


def finding_actions(snapshot: Snapshot, exact: Analysis, selection: types.Range, only: Sequence[str] | None,
                    client: Client) -> list[types.CodeAction]:
    """Quick fixes and noqa actions for the findings touching `selection`."""
    lines = LineIndex(snapshot.text, client.encoding)
    actions: list[types.CodeAction] = []
    noqa: list[types.CodeAction] = []
    for reported in exact.reported:
        if not intersects(finding_range(reported.finding, lines), selection):
            continue
        if wanted(only, types.CodeActionKind.QuickFix):
            fix = _quick_fix(snapshot, reported, lines, client)
            if fix is not None:
                actions.append(fix)
            noqa.extend(_noqa(snapshot, reported, lines, client))
    return actions + noqa  # fixes first: the editor offers the first action as the default


def _quick_fix(snapshot: Snapshot, reported: Reported, lines: LineIndex, client: Client) -> types.CodeAction | None:
    fix = reported.finding.fix
    if fix is None or not fix.edits or reported.fix_kind is None:
        return None
    safe = reported.fix_kind is Applicability.SAFE
    title = f"{fix.title} ({reported.finding.code})" + ("" if safe else " (unsafe)")
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic(reported, lines)],
        is_preferred=safe,
        edit=workspace_edit(snapshot, [text_edit(e, lines) for e in sorted(fix.edits)], client),
    )


def _noqa(snapshot: Snapshot, reported: Reported, lines: LineIndex, client: Client) -> list[types.CodeAction]:
    code = reported.finding.code
    text, added = add_noqa(snapshot.text, [reported.finding])
    if not added:
        return []  # already suppressed by a blanket noqa, or the comment cannot go there
    return [types.CodeAction(
        title=f"Add `# noqa: {code}` on this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic(reported, lines)],
        edit=workspace_edit(snapshot, [replacement(snapshot.text, text, lines)], client),
    )]


def has_safe_fix(analysis: Analysis) -> bool:
    return any(r.fix_kind is Applicability.SAFE and r.finding.fix is not None for r in analysis.reported)


def fix_all_action(snapshot: Snapshot, result: FixAll | None, client: Client) -> types.CodeAction:
    """The fix-all action; with `result` None its edit is left for codeAction/resolve."""
    action = types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND,
                              data={"uri": snapshot.uri, "version": snapshot.version})
    if result is not None:
        fill_fix_all(action, snapshot, result, client)
    return action


def fill_fix_all(action: types.CodeAction, snapshot: Snapshot, result: FixAll, client: Client) -> None:
    if result.text is None:
        action.edit = types.WorkspaceEdit(changes={})
        return
    lines = LineIndex(snapshot.text, client.encoding)
    action.edit = workspace_edit(snapshot, [replacement(snapshot.text, result.text, lines)], client)


def resolve_target(action: types.CodeAction) -> tuple[str, Any] | None:
    """The (uri, version) a fix-all action was offered for."""
    data = action.data
    if action.kind != FIX_ALL_KIND or not isinstance(data, dict) or not isinstance(data.get("uri"), str):
        return None
    return data["uri"], data.get("version")


def workspace_edit(snapshot: Snapshot, edits: list[types.TextEdit], client: Client) -> types.WorkspaceEdit:
    if client.document_changes:
        document = types.OptionalVersionedTextDocumentIdentifier(uri=snapshot.uri, version=snapshot.version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=edits)])
    return types.WorkspaceEdit(changes={snapshot.uri: edits})
