"""The analysis worker: one child process that runs the engine, so that an analysis can be stopped.

A Python thread cannot be interrupted, a process can: when the user types on while a slow
analysis of an older version runs, or a file takes longer than the time limit, the worker is
killed and a fresh one started. Workers come from a fork server that has the engine imported
already (POSIX), so a restart costs a fork rather than a new interpreter; elsewhere they are
spawned. The server's own process never imports libcst and stays free to answer the editor.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from apilint.server.analysis import Reply, Request

# Modules the fork server imports once, so that every worker starts with them loaded.
_PRELOAD = ["apilint.engine.engine", "apilint.engine.fixer", "apilint.server.analysis", "apilint.cli.main"]
_POLL_SECONDS = 0.05


class WorkerDied(Exception):
    """The worker process ended without answering (killed, out of memory, crashed)."""


class TimedOut(Exception):
    """The analysis ran longer than the time limit; the worker was stopped."""


def serve(connection: Connection) -> None:
    """The worker's loop: answer requests until the server closes the pipe."""
    import os

    from apilint.server.analysis import handle

    # The worker inherits the server's stdout, which is the LSP channel: anything written there
    # (a stray print, a C library's message) would corrupt the protocol, so it goes to stderr.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(handle(request))


class Worker:
    def __init__(self) -> None:
        self._context = _context()
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None
        self._lock = asyncio.Lock()
        self._renew = False
        # When a call is cancelled (the editor cancels a code-action request) its reply is still
        # to come: the next call reads and drops it first, or the replies would pair with the
        # wrong requests. The time it was sent:
        self._unread_since: float | None = None

    def renew(self) -> None:
        """Use a new process from the next call on: the files on disk changed, and the old one
        keeps the project index it built from them (the index is built once per process)."""
        self._renew = True

    def start(self) -> None:
        """Start the process now (the first analysis then does not wait for the imports)."""
        if self._process is not None and self._process.is_alive():
            return
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=serve, args=(theirs,), name="apilint-worker", daemon=True)
        process.start()
        theirs.close()
        self._process, self._connection = process, ours

    def stop(self) -> None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        self._unread_since = None
        if connection is not None:
            connection.close()
        if process is not None:
            process.kill()
            process.join(timeout=1)

    async def call(self, request: Request, abandoned: Callable[[], bool], time_limit: float,
                   grace: float = 0.0) -> Reply | None:
        """The worker's reply, or None when `abandoned()` is true before the call starts or
        once the call has run `grace` seconds: the process is then killed (and a new one
        started for the next call), so a slow stale analysis never delays a newer one. A call
        that ends within its grace time returns its reply even when abandoned meanwhile: a
        short analysis costs less to finish than a new process to start. Calls run one at a time."""
        async with self._lock:
            return await self._call(request, abandoned, time_limit, grace)

    async def _call(self, request: Request, abandoned: Callable[[], bool], time_limit: float,
                    grace: float) -> Reply | None:
        if abandoned():
            return None
        if self._renew:
            self._renew = False
            self.stop()
        connection = self._started()
        if self._unread_since is not None:
            sent, self._unread_since = self._unread_since, None
            try:
                await self._receive(connection, sent, lambda: True, time_limit, grace)
            except asyncio.CancelledError:
                if self._connection is connection:
                    self._unread_since = sent
                raise
            except (TimedOut, WorkerDied):
                pass  # that process is gone; this call gets a new one
            connection = self._started()  # a new process if the old reply took too long
        sent = time.monotonic()
        try:
            connection.send(request)
            return await self._receive(connection, sent, abandoned, time_limit, grace)
        except asyncio.CancelledError:
            if self._connection is connection:
                self._unread_since = sent
            raise
        except (OSError, BrokenPipeError) as exc:
            self.stop()
            raise WorkerDied(f"the analysis process ended unexpectedly ({type(exc).__name__})") from None

    def _started(self) -> Connection:
        try:
            self.start()
        except Exception as exc:  # noqa: BLE001 - e.g. the engine fails to import: reported, not fatal
            self.stop()
            raise WorkerDied(f"cannot start the analysis process: {type(exc).__name__}: {exc}") from None
        assert self._connection is not None
        return self._connection

    async def _receive(self, connection: Connection, sent: float, abandoned: Callable[[], bool], time_limit: float,
                       grace: float) -> Reply | None:
        """The reply to the request sent at `sent`; None if abandoned (the process is then stopped)."""
        loop = asyncio.get_running_loop()
        try:
            while not await loop.run_in_executor(None, connection.poll, _POLL_SECONDS):
                elapsed = time.monotonic() - sent
                if elapsed >= grace and abandoned():
                    self.stop()
                    return None
                if time_limit > 0 and elapsed > time_limit:
                    self.stop()
                    raise TimedOut(f"analysis took longer than {time_limit:g}s, stopped")
            reply: Reply = connection.recv()
            return reply
        except (EOFError, OSError) as exc:
            self.stop()
            raise WorkerDied(f"the analysis process ended unexpectedly ({type(exc).__name__})") from None


if sys.platform != "win32":
    from multiprocessing.context import ForkServerContext as _Context

    def _context() -> _Context:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
else:  # pragma: no cover - no fork server on Windows: each worker is a new interpreter
    from multiprocessing.context import SpawnContext as _Context

    def _context() -> _Context:
        return multiprocessing.get_context("spawn")
