"""When to analyse which buffer: debounced edits, one analysis at a time, stale results dropped.

The scheduler keeps the latest snapshot of every open document. An edit schedules an analysis
after a short pause (typing produces an edit per key); open and save analyse at once. Only the
latest snapshot of a document is ever analysed; when a newer one arrives while an older one is
being analysed, the old analysis is stopped if it is slow (see worker.py) and its result is
never published. Code actions ask for exact findings and whole-file fixes of the current snapshot,
computed once per snapshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from apilint.server.analysis import Analysis, CheckRequest, FixAll, FixAllRequest, Reply, Request
from apilint.server.worker import TimedOut, Worker, WorkerDied

DEBOUNCE_SECONDS = 0.05  # coalesces key repeat, pastes and multi-cursor edits; short next to an analysis
TIME_LIMIT_SECONDS = 30.0  # the CLI's --file-timeout default
# An outdated analysis is stopped once it has run this long; a shorter one is left to finish
# (and its result dropped): stopping costs a new worker process and its project index.
STALE_GRACE_SECONDS = 1.0


@dataclass(frozen=True)
class Snapshot:
    uri: str
    version: int | None
    text: str
    path: str | None  # None: not a file on disk (an untitled buffer)


Publish = Callable[[Snapshot, Analysis], None]
Log = Callable[[str], None]


class Scheduler:
    def __init__(self, worker: Worker, publish: Publish, log: Log, debounce: float = DEBOUNCE_SECONDS) -> None:
        self._worker = worker
        self._publish = publish
        self._log = log
        self._debounce = debounce
        self._latest: dict[str, Snapshot] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._queue: dict[str, None] = {}  # uris waiting for analysis, in order (a set that keeps order)
        self._wake = asyncio.Event()
        self._published: dict[str, tuple[Snapshot, Analysis]] = {}
        self._computed: dict[tuple[str, bool], tuple[Snapshot, Reply]] = {}  # (uri, fix-all?) -> reply
        self._failing: dict[str, str] = {}  # uri -> why it cannot be analysed (logged once)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._queue.clear()
        self._latest.clear()
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def published(self, snapshot: Snapshot) -> Analysis | None:
        """The diagnostics' analysis when it is of this very snapshot."""
        entry = self._published.get(snapshot.uri)
        return entry[1] if entry is not None and entry[0] == snapshot else None

    def update(self, snapshot: Snapshot, *, debounce: bool) -> None:
        """A document was opened, edited or saved: analyse this snapshot (after a pause if edited)."""
        self._latest[snapshot.uri] = snapshot
        timer = self._timers.pop(snapshot.uri, None)
        if timer is not None:
            timer.cancel()
        if debounce and self._debounce > 0:
            self._timers[snapshot.uri] = asyncio.get_running_loop().call_later(
                self._debounce, self._enqueue, snapshot.uri)
        else:
            self._enqueue(snapshot.uri)

    def files_changed(self) -> None:
        """Files on disk changed (a save): every open document may import one of them, so all
        are analysed again with the new project index, and earlier code-action results dropped."""
        self._computed.clear()
        for uri in self._latest:
            if uri not in self._timers:
                self._enqueue(uri)

    def close(self, uri: str) -> None:
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self._queue.pop(uri, None)
        self._failing.pop(uri, None)
        self._published.pop(uri, None)
        self._computed.pop((uri, False), None)
        self._computed.pop((uri, True), None)
        snapshot = self._latest.pop(uri, None)
        if snapshot is not None:
            self._publish(snapshot, Analysis())  # a closed file keeps no diagnostics

    def _enqueue(self, uri: str) -> None:
        self._timers.pop(uri, None)
        self._queue[uri] = None
        self._wake.set()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                uri = next(iter(self._queue))
                del self._queue[uri]
                snapshot = self._latest.get(uri)
                if snapshot is None:
                    continue
                try:
                    await self._analyse(snapshot)
                except Exception as exc:  # noqa: BLE001 - one document's trouble must not end diagnostics
                    self._log(f"apilint: internal error on {snapshot.path or snapshot.uri}: {type(exc).__name__}: {exc}")

    async def _analyse(self, snapshot: Snapshot) -> None:
        reply = await self._ask(snapshot, CheckRequest(snapshot.path, snapshot.text, exact=False))
        if reply is None or self._latest.get(snapshot.uri) != snapshot:
            return  # a newer version is on its way: this result is of no use
        analysis = reply if isinstance(reply, Analysis) else Analysis(error="unexpected reply")
        self._published[snapshot.uri] = (snapshot, analysis)
        self._publish(snapshot, analysis)

    async def exact(self, snapshot: Snapshot) -> Analysis | None:
        """Findings with exact positions and fix edits (for code actions); None if the snapshot is outdated."""
        reply = await self._computed_for(snapshot, fix_all=False)
        return reply if isinstance(reply, Analysis) else None

    async def fix_all(self, snapshot: Snapshot) -> FixAll | None:
        reply = await self._computed_for(snapshot, fix_all=True)
        return reply if isinstance(reply, FixAll) else None

    async def _computed_for(self, snapshot: Snapshot, *, fix_all: bool) -> Reply | None:
        key = (snapshot.uri, fix_all)
        cached = self._computed.get(key)
        if cached is not None and cached[0] == snapshot:
            return cached[1]
        request: Request = (FixAllRequest(snapshot.path, snapshot.text) if fix_all
                            else CheckRequest(snapshot.path, snapshot.text, exact=True))
        reply = await self._ask(snapshot, request)
        if reply is not None and self._latest.get(snapshot.uri) == snapshot:
            self._computed[key] = (snapshot, reply)
        return reply

    async def _ask(self, snapshot: Snapshot, request: Request) -> Reply | None:
        """The worker's reply, None if the snapshot became outdated first; failures are logged
        once per document until it can be analysed again."""
        try:
            reply = await self._worker.call(
                request, lambda: self._latest.get(snapshot.uri) != snapshot, TIME_LIMIT_SECONDS,
                STALE_GRACE_SECONDS)
        except (TimedOut, WorkerDied) as exc:
            reply = _failed(request, str(exc))
        if reply is None:
            return None
        error = reply.error if isinstance(reply, Analysis) else None
        if error is None:
            self._failing.pop(snapshot.uri, None)
        elif snapshot.uri not in self._failing:
            self._failing[snapshot.uri] = error
            self._log(f"apilint: cannot analyse {snapshot.path or snapshot.uri}: {error}")
        return reply


def _failed(request: Request, reason: str) -> Reply:
    return FixAll(None, reason) if isinstance(request, FixAllRequest) else Analysis(error=reason)
