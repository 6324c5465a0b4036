"""The content-hash cache (`.apilint_cache/`): a file whose bytes and settings did not change is not analysed again.

Entries are keyed by the SHA-256 of the file's bytes plus what else decides its
findings (settings, per-file ignores, its project); a file whose stat did not change since
its bytes were hashed is not read again (`file_stats.py`); the directory is keyed by apilint's
version, a fingerprint of its own source (so a development checkout never reads stale
results), the full Python version and libcst's version. Entries are validated when read
(cache_entries.py): a malformed one is a miss. The index is written to
a temporary file and renamed into place, so concurrent runs never see half an
index (the last writer wins; a lost entry is only a miss); a corrupt or
unreadable index is simply empty.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from apilint import __version__
from apilint.cache_files import bounded, refresh_entry, sweep_entries, write_atomically, write_json_atomically
from apilint.cli.file_stats import FileStats
from apilint.cli.runner import FileResult, Job, run_jobs
from apilint.cli import cache_entries
from apilint.engine.findings import AnalysisError, Finding
from apilint.engine.source import read_bytes
from apilint.project.root import file_directory, fingerprint_for
from apilint.project.summary_store import SummaryFiles
from apilint.settings import Settings

CACHE_DIR = ".apilint_cache"


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _engine_versions() -> str:
    """What else decides a result: the full Python version (its ast and tokenizer) and libcst's
    version (its parser), read from metadata so a warm run does not import libcst."""
    from importlib import metadata

    try:
        libcst = metadata.version("libcst")
    except metadata.PackageNotFoundError:
        libcst = "unknown"
    return f"{sys.implementation.name}-{sys.version}|libcst-{libcst}"


@lru_cache(maxsize=64)
def _settings_fingerprint(settings: Settings) -> str:
    return repr(replace(settings, origin=None))


class Cache:
    def __init__(self, top: Path, with_edits: bool = False) -> None:
        # Text runs store findings without fix edits; JSON runs (with edits) keep their own entries.
        # Settings differ per file (per-directory configuration): they are part of each entry's key.
        fingerprint = hashlib.sha256(
            f"{_code_fingerprint()}|{_engine_versions()}|{with_edits}".encode()
        ).hexdigest()[:20]
        self.top = top
        self.directory = self.top / f"{__version__}-{fingerprint}"
        self._index: dict[str, list[Any]] | None = None
        self._dirty = False
        self._used: set[str] = set()  # keys read or written by this run (kept when the index is trimmed)
        self.stats = FileStats(self.directory / "files.json")  # unchanged files are not read again

    @staticmethod
    def key(content: str, ignores: tuple[str, ...], settings: Settings | None = None, project: str = "",
            where: str = "") -> str:
        """`content`: the SHA-256 of the file's bytes (`content_digest`); `project`: the fingerprint
        of the file's project (its findings depend on the other modules); `where`: the file's absolute
        path, since it names the module (two copies of one text in two packages import different
        modules through `from .client import session`)."""
        digest = hashlib.sha256(content.encode())
        digest.update(b"\0" + ",".join(ignores).encode() + b"\0" + project.encode() + b"\0"
                      + where.encode("utf-8", "surrogateescape"))
        if settings is not None:
            digest.update(b"\0" + _settings_fingerprint(settings).encode())
        return digest.hexdigest()

    def _load_index(self) -> dict[str, list[Any]]:
        if self._index is None:
            try:
                with (self.directory / "index.json").open(encoding="utf-8") as fh:
                    loaded = json.load(fh)
                self._index = loaded if isinstance(loaded, dict) else {}
            except (OSError, ValueError, RecursionError, MemoryError):
                self._index = {}  # unreadable, not JSON, or nested past the parser: no cache
        return self._index

    def get(self, key: str) -> list[Finding] | None:
        entry = self._load_index().get(key)
        if entry is None:
            return None
        self._used.add(key)
        return cache_entries.load(entry)  # malformed: a miss

    def put(self, key: str, findings: list[Finding]) -> None:
        self._load_index()[key] = [cache_entries.dump(f) for f in findings]
        self._used.add(key)
        self._dirty = True

    def save(self) -> None:
        """Write the index atomically (one file: a warm run reads one file, not one per source)."""
        self.stats.save(self._mark_top)
        if self._index is not None:
            trimmed = bounded(self._index, self._used)
            if trimmed is not self._index:
                self._index, self._dirty = trimmed, True
        if self._dirty:
            write_json_atomically(self.directory / "index.json", self._index, self._mark_top)
            self._dirty = False

    def get_file(self, key: str) -> list[Finding] | None:
        """An entry kept in a file of its own (`put_file`); None: a miss (absent or malformed)."""
        path = self.directory / "entries" / key[:2] / f"{key}.json"
        try:
            with path.open(encoding="utf-8") as fh:
                text = fh.read()
                modified = os.fstat(fh.fileno()).st_mtime
            entry = json.loads(text) if text else []
        except (OSError, ValueError, RecursionError, MemoryError):
            return None
        findings = cache_entries.load(entry)
        if findings is not None:
            refresh_entry(path, modified, time.time())  # used: kept by the sweep (cache_files.py)
        return findings

    def put_file(self, key: str, findings: list[Finding]) -> None:
        """Keep an entry in a file of its own, written atomically: for processes that cannot save
        an index when they end (flake8's `-j` workers are ended without running exit handlers),
        and so that concurrent writers never lose each other's entries. Most files have no
        findings: their entry is an empty file, which takes an inode and no data block."""
        target = self.directory / "entries" / key[:2] / f"{key}.json"
        if findings:
            write_json_atomically(target, [cache_entries.dump(f) for f in findings], self._mark_top)
        else:
            write_atomically(target, b"", self._mark_top)
        if key[2:3] == "0":
            # One write in 16 (keys are hashes) looks at its directory: the entries of edited and
            # deleted files do not pile up forever, and a run pays one listing per 16 entries written.
            sweep_entries(target.parent, time.time())

    def summary_files(self) -> SummaryFiles:
        """Where module summaries are kept (keyed like the findings: by apilint's code and the versions)."""
        return SummaryFiles(self.directory / "summaries", self._mark_top)

    def _mark_top(self) -> None:
        ignore = self.top / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by apilint automatically.\n*\n", encoding="utf-8")
            (self.top / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# apilint cache: https://bford.info/cachedir/\n",
                encoding="utf-8",
            )


def run_cached(jobs: list[Job], workers: int, cache: Cache | None,
               progress: Callable[[int], None] | None = None) -> list[FileResult]:
    """Answer unchanged files from the cache; analyse the rest (in workers) and remember them."""
    if cache is None:
        from apilint.project.build import prepare  # the index (and what it needs) only when analysing

        prepare((job.path for job in jobs if job.stdin is None), workers)
        return run_jobs(jobs, workers, progress=progress)
    results: list[FileResult | None] = [None] * len(jobs)
    misses: list[tuple[int, str]] = []
    # The absolute directory and the project fingerprint, once per directory (not per file).
    directories: dict[str, tuple[str, str]] = {}
    for index, job in enumerate(jobs):
        given = os.path.dirname(job.path)
        known = directories.get(given)
        if known is None:
            known = directories[given] = (file_directory(job.path), fingerprint_for(job.path))
        absolute_directory, project = known
        absolute = os.path.join(absolute_directory, os.path.basename(job.path))
        content, signature = cache.stats.look(absolute)
        data = None
        if content is None or job.keep_text:
            try:
                data = read_bytes(job.path)  # the worker reports why (unreadable, not a file, too large)
            except AnalysisError:
                misses.append((index, ""))
                continue
            content = content_digest(data)
            cache.stats.remember(absolute, signature, content)
        key = Cache.key(content, job.ignores, job.settings, project, absolute)
        findings = cache.get(key)
        if findings is None:
            misses.append((index, key))
            continue
        result = FileResult(job.display, findings)
        if data is not None and job.keep_text:
            result.text = _decoded(data)
        results[index] = result
    answered = len(jobs) - len(misses)
    counted = (lambda done: progress(answered + done)) if progress is not None else None
    if misses:
        from apilint.project.build import keep_summaries, prepare  # the index only when analysing

        keep_summaries(cache.summary_files())  # a module whose text did not change is not parsed again
        prepare((jobs[i].path for i, _ in misses if jobs[i].stdin is None), workers)  # inherited by the workers
    analysed = run_jobs([jobs[i] for i, _ in misses], workers, progress=counted) if misses else []
    for (index, key), result in zip(misses, analysed):
        results[index] = result
        transient = any(f.code == "API000" and ("took longer" in f.message or "internal error" in f.message
                                                 or "worker process" in f.message) for f in result.findings)
        if key and not transient and not result.errors:
            cache.put(key, result.findings)
    cache.save()
    return [r for r in results if r is not None]


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decoded(data: bytes) -> str | None:
    from apilint.engine.source import decode_source

    try:
        return decode_source(data).text
    except Exception:  # noqa: BLE001 - only used to locate JSON edits
        return None
