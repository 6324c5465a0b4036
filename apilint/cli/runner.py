"""Checking and fixing files, in worker processes; results come back as plain data."""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from apilint.cli.patch import unified_diff
from apilint.cli.workers import parent_alive, start_worker, stop_pool
from apilint.engine.findings import CANNOT_ANALYSE, AnalysisError, Finding
from apilint.engine.guards import TimeLimitExceeded, time_limit
from apilint.engine.noqa import NoqaIndex
from apilint.engine.notebook import Notebook, is_notebook, read_notebook
from apilint.engine.safe_write import WriteRefused
from apilint.engine.source import SourceText, decode_source, encode_source, read_bytes, write_source
from apilint.settings import Settings

# The engine (and libcst, ~0.15 s to import) is loaded only when a file needs analysing:
# a warm run answered by the cache never pays for it.


@dataclass(frozen=True)
class Job:
    path: Path
    display: str
    settings: Settings
    ignores: tuple[str, ...]  # per-file ignores that apply to this path
    mode: str  # "check" | "fix" | "diff"
    unsafe: bool
    stdin: bytes | None = None
    keep_text: bool = False  # send the text back (JSON output locates fix edits in it)
    time_limit: float = 30.0  # seconds per file; a pathological file cannot stall the run
    # Real directory paths a fix may write into (through a symlink); empty: anywhere.
    write_within: tuple[str, ...] = ()


@dataclass
class FileResult:
    display: str
    findings: list[Finding] = field(default_factory=list)
    fixed: Counter[str] = field(default_factory=Counter)
    diff: str = ""
    output: bytes | None = None  # fixed source for stdin input, in the input's own encoding
    errors: list[str] = field(default_factory=list)
    text: str | None = None  # kept only when edits must be located (JSON)


def cannot_analyse(reason: str) -> Finding:
    return Finding(CANNOT_ANALYSE, "cannot-analyse", f"cannot analyse: {reason}", 1, 1, 1, 1)


class _NoqaCache:
    def __init__(self) -> None:
        self._text: str | None = None
        self._index: NoqaIndex | None = None

    def __call__(self, text: str, finding: Finding) -> bool:
        if text is not self._text:
            self._text, self._index = text, NoqaIndex(text)
        assert self._index is not None
        return self._index.suppresses(finding.line, finding.code)


def run_job(job: Job) -> FileResult:
    try:
        with time_limit(job.time_limit):
            return _run_job(job)
    except TimeLimitExceeded:
        result = FileResult(job.display)
        result.findings.append(cannot_analyse(f"analysis took longer than {job.time_limit:g}s, skipped"))
        return result


def _run_job(job: Job) -> FileResult:
    from apilint.engine.engine import check_source, enabled_rules
    from apilint.engine.fixer import fix_text
    from apilint.project.build import view_for

    result = FileResult(job.display)
    try:
        data = job.stdin if job.stdin is not None else read_bytes(job.path)
        # A notebook is analysed as its code cells joined (engine/notebook.py); positions go back per cell.
        notebook = read_notebook(data) if job.stdin is None and is_notebook(job.path) else None
        source = SourceText(notebook.text, "utf-8") if notebook is not None else decode_source(data)
    except AnalysisError as exc:
        result.findings.append(cannot_analyse(str(exc)))
        return result
    rules = enabled_rules(job.settings, job.ignores)
    noqa = _NoqaCache()
    try:
        # The file's project index (built once per process; the CLI builds it before its workers start).
        project = view_for(job.path) if job.stdin is None and notebook is None else None
        if job.mode == "check":
            # JSON shows fix edits, which need exact positions; text output does not.
            findings = check_source(source.text, job.settings, rules, exact=job.keep_text, project=project)
            result.findings = [f for f in findings if not noqa(source.text, f)]
            if notebook is not None:
                result.findings = notebook.locate(result.findings)
            result.text = source.text if job.keep_text else None
            return result
        outcome = fix_text(source.text, job.settings, rules, unsafe=job.unsafe, suppressed=noqa, project=project)
    except AnalysisError as exc:
        result.findings.append(cannot_analyse(str(exc)))
        return result
    except RecursionError:
        result.findings.append(cannot_analyse("nesting too deep"))
        return result
    result.findings, result.fixed = outcome.findings, outcome.applied
    if notebook is not None:
        result.findings = notebook.locate(result.findings)
    result.text = outcome.text if job.keep_text else None
    if outcome.error:
        result.errors.append(f"{job.display}: {outcome.error}")
    if outcome.text == source.text:
        if job.stdin is not None and job.mode == "fix":
            result.output = job.stdin  # the very bytes read: nothing to re-encode
        return result
    if notebook is not None:
        refused = _fix_notebook(job, notebook, outcome.text, data, result)
        if refused is not None:
            result.errors.append(f"{job.display}: {refused}")
            unfixed = [f for f in check_source(source.text, job.settings, rules, project=project) if not noqa(source.text, f)]
            result.findings, result.fixed = notebook.locate(unfixed), Counter()
        return result
    if job.mode == "diff":
        result.diff = unified_diff(source.text, outcome.text, job.display)
    elif job.stdin is not None:
        try:
            # In the input's encoding (a BOM, a latin-1 cookie), its bytes kept outside the edits.
            result.output = encode_source(SourceText(outcome.text, source.encoding), data)
        except UnicodeEncodeError:
            result.errors.append(f"{job.display}: the fixed text cannot be encoded as {source.encoding}")
    else:
        try:
            if not parent_alive():
                raise WriteRefused("the run was stopped; not changed")
            write_source(job.path, SourceText(outcome.text, source.encoding), expected=data, within=job.write_within)
        except (OSError, WriteRefused) as exc:
            reason = str(exc) if isinstance(exc, WriteRefused) else f"cannot write fixes: {exc.strerror or exc}"
            result.errors.append(f"{job.display}: {reason}")
            result.findings = [f for f in check_source(source.text, job.settings, rules, project=project) if not noqa(source.text, f)]
            result.fixed = Counter()
    return result


def _fix_notebook(job: Job, notebook: Notebook, fixed_text: str, data: bytes, result: FileResult) -> str | None:
    """Show (`--diff`, per cell) or write back the fixed cells (outputs and metadata stay as they were).
    Returns why nothing was written, or None."""
    try:
        if job.mode == "diff":
            result.diff = notebook.cell_diffs(fixed_text, job.display)
        else:
            write_source(job.path, SourceText(notebook.updated_json(fixed_text), "utf-8"), expected=data,
                         within=job.write_within)
    except (AnalysisError, WriteRefused) as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot write fixes: {exc.strerror or exc}"
    return None


def _safe_run(job: Job) -> FileResult:
    """Never let one file stop the run: an unexpected error becomes an API000 report."""
    try:
        return run_job(job)
    except Exception as exc:  # noqa: BLE001 - the report names it; the run goes on
        result = FileResult(job.display)
        result.findings.append(cannot_analyse(f"internal error: {type(exc).__name__}: {exc}"))
        return result


Worker = Callable[[Job], FileResult]


def run_jobs(jobs: list[Job], workers: int, worker: Worker | None = None,
             progress: Callable[[int], None] | None = None) -> list[FileResult]:
    work = worker or _safe_run
    report = progress or (lambda done: None)
    results: list[FileResult] = []
    if workers <= 1 or len(jobs) < 4:
        for job in jobs:
            results.append(work(job))
            report(len(results))
        return results
    # The pool's modules (multiprocessing, ~15 ms to import) only when a pool is started: a warm
    # run answered by the cache never needs them.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    batches = _batches(jobs)
    placed: list[FileResult | None] = [None] * len(jobs)
    done = 0
    # What the workers inherit (the project index, the rule tables) goes to the collector's permanent
    # generation: a worker's collections never walk it, nor write to its pages (copy-on-write).
    gc.freeze()
    try:
        pool = ProcessPoolExecutor(max_workers=workers, initializer=start_worker, initargs=(os.getpid(),))
        try:
            for batch, batch_results in zip(batches, pool.map(
                    partial(_run_batch, work), [[jobs[i] for i in b] for b in batches])):
                for index, result in zip(batch, batch_results):
                    placed[index] = result
                done += len(batch)
                report(done)
        except BaseException:
            stop_pool(pool)  # an interrupt (or a dead worker): no worker goes on fixing files
            raise
        pool.shutdown()
        return [r for r in placed if r is not None]
    except BrokenProcessPool:
        # A worker died (killed, out of memory): redo the files one by one, in isolation,
        # so the one that kills its worker is reported and the others are analysed.
        return [_isolated(job, work) for job in jobs]
    finally:
        gc.unfreeze()


_BATCH_BYTES = 64 * 1024
_BATCH_FILES = 32


def _batches(jobs: list[Job]) -> list[list[int]]:
    """Job indexes in batches, largest files first, each large file on its own.

    Large files cost most (they are the ones likely to reach libcst); starting them first and
    alone keeps both workers busy to the end instead of leaving one with a heavy tail, while
    small files travel in groups so the inter-process traffic stays small.
    """
    sizes = [_size(job) for job in jobs]
    batches: list[list[int]] = []
    current: list[int] = []
    total = 0
    for index in sorted(range(len(jobs)), key=lambda i: -sizes[i]):
        current.append(index)
        total += sizes[index]
        if total >= _BATCH_BYTES or len(current) >= _BATCH_FILES:
            batches.append(current)
            current, total = [], 0
    if current:
        batches.append(current)
    return batches


def _size(job: Job) -> int:
    if job.stdin is not None:
        return len(job.stdin)
    try:
        return job.path.stat().st_size
    except OSError:
        return 0


def _run_batch(work: Worker, jobs: list[Job]) -> list[FileResult]:
    results = []
    for job in jobs:
        if not parent_alive():
            os._exit(1)  # the run is over: nobody reads these results, and no file may change now
        results.append(work(job))
    return results


def _isolated(job: Job, work: Worker) -> FileResult:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    try:
        pool = ProcessPoolExecutor(max_workers=1, initializer=start_worker, initargs=(os.getpid(),))
        try:
            return pool.submit(work, job).result()
        except BaseException:
            stop_pool(pool)
            raise
        finally:
            pool.shutdown()
    except BrokenProcessPool:
        result = FileResult(job.display)
        result.findings.append(cannot_analyse("the worker process analysing this file died"))
        return result


def default_jobs() -> int:
    return os.cpu_count() or 1
