"""The language server: LSP messages in, diagnostics and code actions out (pygls over stdio)."""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from apilint import __version__
from apilint.server import actions
from apilint.server.actions import Client
from apilint.server.analysis import Analysis
from apilint.server.convert import diagnostic, finding_range
from apilint.server.positions import LineIndex, intersects
from apilint.server.scheduler import Scheduler, Snapshot
from apilint.server.worker import Worker


class ApilintServer(LanguageServer):
    def __init__(self) -> None:
        # Full synchronisation: the editor sends the whole buffer on each change, so the text
        # analysed is exactly the editor's (no incremental patching to drift from it).
        super().__init__("apilint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.worker = Worker()
        self.scheduler = Scheduler(self.worker, self.publish, self.log)
        self.client = Client(types.PositionEncodingKind.Utf16, False, False)

    def publish(self, snapshot: Snapshot, analysis: Analysis) -> None:
        lines = LineIndex(snapshot.text, self.client.encoding)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=snapshot.uri, version=snapshot.version,
            diagnostics=[diagnostic(r, lines) for r in analysis.reported]))

    def log(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Warning, message=message))

    def snapshot(self, uri: str) -> Snapshot | None:
        """The current text of an open Python document (None for a document the editor did not
        open, or one in another language: a client may attach the server to every file type)."""
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        path = to_fs_path(uri)
        if document.language_id not in (None, "python") and not (path or "").endswith((".py", ".pyi")):
            return None
        return Snapshot(uri, document.version, document.source, path)


def build_server() -> ApilintServer:
    server = ApilintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: ApilintServer, params: types.InitializeParams) -> None:
        capabilities = params.capabilities
        edit = capabilities.workspace.workspace_edit if capabilities.workspace else None
        code_action = capabilities.text_document.code_action if capabilities.text_document else None
        resolve = code_action.resolve_support if code_action else None
        ls.client = Client(
            encoding=str(ls.workspace.position_encoding or types.PositionEncodingKind.Utf16),
            document_changes=bool(edit and edit.document_changes),
            resolve_edit=bool(resolve and "edit" in resolve.properties),
        )
        try:
            ls.worker.start()  # the imports happen while the editor is still starting up
        except Exception:  # noqa: BLE001 - retried (and reported) at the first analysis
            ls.worker.stop()

    @server.feature(types.INITIALIZED)
    def initialized(ls: ApilintServer, params: types.InitializedParams) -> None:
        ls.scheduler.start()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ApilintServer, params: types.DidOpenTextDocumentParams) -> None:
        _analyse(ls, params.text_document.uri, debounce=False)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ApilintServer, params: types.DidChangeTextDocumentParams) -> None:
        _analyse(ls, params.text_document.uri, debounce=True)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ApilintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.worker.renew()  # the project index is built from the files on disk, which changed
        _analyse(ls, params.text_document.uri, debounce=False)
        ls.scheduler.files_changed()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ApilintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.scheduler.close(params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL_KIND],
                                resolve_provider=True),
    )
    async def code_action(ls: ApilintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return await _code_actions(ls, params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve(ls: ApilintServer, action: types.CodeAction) -> types.CodeAction:
        target = actions.resolve_target(action)
        snapshot = ls.snapshot(target[0]) if target is not None else None
        if target is None or snapshot is None or snapshot.version != target[1]:
            return action  # the document changed since: no edit rather than a wrong one
        result = await ls.scheduler.fix_all(snapshot)
        if result is not None:
            _log_fix_error(ls, snapshot, result.error)
            actions.fill_fix_all(action, snapshot, result, ls.client)
        return action

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: ApilintServer, *args: object) -> None:
        ls.scheduler.stop()
        ls.worker.stop()

    return server


def _analyse(ls: ApilintServer, uri: str, *, debounce: bool) -> None:
    snapshot = ls.snapshot(uri)
    if snapshot is not None:
        ls.scheduler.start()  # a client that skips `initialized` still gets diagnostics
        ls.scheduler.update(snapshot, debounce=debounce)


async def _code_actions(ls: ApilintServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    snapshot = ls.snapshot(params.text_document.uri)
    if snapshot is None:
        return None
    only = params.context.only
    result: list[types.CodeAction] = []
    analysis = ls.scheduler.published(snapshot)
    # Exact positions and fix edits cost a second analysis: asked only for quick fixes where a
    # finding is (an editor asks for code actions at every cursor move), or when the
    # diagnostics of this version are not there yet.
    quick = actions.wanted(only, types.CodeActionKind.QuickFix)
    if analysis is None or (quick and _touches_finding(analysis, snapshot, params.range, ls.client)):
        analysis = await ls.scheduler.exact(snapshot)
        if analysis is None:
            return None
        result += actions.finding_actions(snapshot, analysis, params.range, only, ls.client)
    if actions.wanted(only, actions.FIX_ALL_KIND) and actions.has_safe_fix(analysis):
        fixed = None
        if not ls.client.resolve_edit:
            fixed = await ls.scheduler.fix_all(snapshot)
            if fixed is None:
                return None
            _log_fix_error(ls, snapshot, fixed.error)
        result.append(actions.fix_all_action(snapshot, fixed, ls.client))
    if ls.snapshot(snapshot.uri) != snapshot:
        return None  # edited meanwhile: these edits would land in the wrong place
    return result


def _touches_finding(analysis: Analysis, snapshot: Snapshot, selection: types.Range, client: Client) -> bool:
    lines = LineIndex(snapshot.text, client.encoding)
    return any(intersects(finding_range(r.finding, lines), selection) for r in analysis.reported)


def _log_fix_error(ls: ApilintServer, snapshot: Snapshot, error: str | None) -> None:
    if error is not None:
        ls.log(f"apilint: {snapshot.path or snapshot.uri}: {error}")
