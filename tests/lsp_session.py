"""A language-server session for the tests: `apilint server` in a subprocess, driven by pygls'
LanguageClient over stdio, with a time limit on every wait (a broken server fails a test, never
hangs the run)."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.client import LanguageClient

WAIT = 60.0  # seconds for any one answer (the CI machine is small and shared)
T = TypeVar("T")
_NEWLINE = re.compile(r"\r\n|\r|\n")


class Session:
    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.diagnostics: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()
        self.logs: list[str] = []
        self.versions: dict[str, int] = {}
        self.shutdown_seconds = -1.0  # how long the server took to answer `shutdown`

    async def open(self, path: Path, text: str | None = None) -> str:
        uri = path.as_uri()
        self.versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=uri, language_id="python", version=1, text=path.read_text() if text is None else text)))
        return uri

    def change(self, uri: str, text: str) -> int:
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        return self.versions[uri]

    def save(self, uri: str) -> None:
        self.client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))

    async def next_diagnostics(self, uri: str, version: int | None = None) -> types.PublishDiagnosticsParams:
        """The next diagnostics published for `uri` (of `version`, when given; others are skipped)."""
        while True:
            published = await asyncio.wait_for(self.diagnostics.get(), WAIT)
            if published.uri == uri and (version is None or published.version == version):
                return published

    async def code_actions(self, uri: str, selection: types.Range,
                           only: list[str] | None = None) -> list[types.CodeAction]:
        result = await asyncio.wait_for(self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=selection,
            context=types.CodeActionContext(diagnostics=[], only=only))), WAIT)
        return [a for a in result or [] if isinstance(a, types.CodeAction)]

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        return await asyncio.wait_for(self.client.code_action_resolve_async(action), WAIT)


def run_session(scenario: Callable[[Session], Awaitable[T]], cwd: Path, *, resolve_support: bool = True,
                total: float = 240.0) -> T:
    """Start `apilint server` in `cwd`, initialize, run `scenario`, then shut down and exit."""
    return asyncio.run(asyncio.wait_for(_session(scenario, cwd, resolve_support), total))


async def _session(scenario: Callable[[Session], Awaitable[T]], cwd: Path, resolve_support: bool) -> T:
    client = LanguageClient("apilint-tests", "1")
    session = Session(client)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        session.diagnostics.put_nowait(params)

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def logged(params: types.LogMessageParams) -> None:
        session.logs.append(params.message)

    await client.start_io(sys.executable, "-m", "apilint", "server", cwd=str(cwd))
    try:
        resolve = types.ClientCodeActionResolveOptions(properties=["edit"]) if resolve_support else None
        capabilities = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
            code_action=types.CodeActionClientCapabilities(resolve_support=resolve, data_support=True)))
        await asyncio.wait_for(client.initialize_async(types.InitializeParams(
            capabilities=capabilities, root_uri=cwd.as_uri(), process_id=None)), WAIT)
        client.initialized(types.InitializedParams())
        result = await scenario(session)
        started = time.monotonic()
        await asyncio.wait_for(client.shutdown_async(None), WAIT)
        session.shutdown_seconds = time.monotonic() - started
        client.exit(None)
        await asyncio.wait_for(client.stop(), WAIT)
        return result
    finally:
        process: Any = getattr(client, "_server", None)
        if process is not None and process.returncode is None:
            process.kill()


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 positions) as an editor does: all against the original text."""
    starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def offset(position: types.Position) -> int:
        start = starts[position.line]
        line = text[start:]
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return start + index
            units += 2 if ord(char) > 0xFFFF else 1
        return len(text)

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None, action
    if action.edit.changes is not None:
        return list(action.edit.changes[uri])
    edits: list[types.TextEdit] = []
    for change in action.edit.document_changes or []:
        assert isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
        edits.extend(e for e in change.edits if isinstance(e, types.TextEdit))
    return edits
