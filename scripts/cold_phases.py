#!/usr/bin/env python3
"""Where a cold run's CPU time goes, and the least it could cost in this design.

    python3 scripts/cold_phases.py DIR [--cores N] [--ruff SECONDS]

Runs `apilint --no-cache -j 1 DIR` in this process with a timer around each phase
(the project index, the engine's `ast` parses, the scan and per-file decisions, the
reduction, libcst's parse, the rules) and prints them. Then the floor: what a cold run
would still cost if the engine's second `ast` parse of the files the index parsed were
shared with it and the scan and the per-file decisions were free, spread perfectly over
the cores, as a multiple of ruff's time (timed here, the median of three runs, unless
given). The floor is what no tuning of the gates can go under while the index parses and
summarises with `ast` and the rules run on libcst.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

SECONDS: defaultdict[str, float] = defaultdict(float)
CALLS: Counter[str] = Counter()
INDEX_TEXTS: set[str] = set()  # digests of the texts the index parsed
SHARED = ["shared"]
ORDER = ["project index (reads, parses, summaries)", "  of which: parse + summary", "engine, all of it",
         "  engine ast.parse", "  engine ast.parse, text the index parsed", "  scan", "  per-file decisions",
         "  reduction", "  libcst parse", "  rules (traversal, checks, positions)"]


def _timed(owner: Any, name: str, label: str, before: Callable[..., None] | None = None) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        if before is not None:
            before(*args, **kwargs)
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            SECONDS[label] += time.process_time() - start
            CALLS[label] += 1

    setattr(owner, name, timed)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _instrument() -> None:
    from apilint.engine import engine, gates, precheck
    from apilint.project import build, looks

    def index_parse(name: str, text: str, *rest: object) -> None:
        INDEX_TEXTS.add(_digest(text))

    def engine_parse(text: str) -> None:
        SHARED[0] = "engine ast.parse, text the index parsed" if _digest(text) in INDEX_TEXTS else "engine ast.parse"

    _timed(build, "prepare", "project index (reads, parses, summaries)")
    _timed(looks, "_summarise", "  of which: parse + summary", index_parse)
    _timed(engine, "check_source", "engine, all of it")
    _timed(engine, "_parse_cst", "  libcst parse")
    _timed(engine, "_run_rules", "  rules (traversal, checks, positions)")
    _timed(engine, "_reduce", "  reduction")
    _timed(precheck.FileFacts, "__init__", "  scan")
    _timed(gates.Sites, "active", "  per-file decisions")
    original = engine._parse_ast

    @functools.wraps(original)
    def parse(text: str) -> Any:
        engine_parse(text)
        start = time.process_time()
        try:
            return original(text)
        finally:
            SECONDS["  " + SHARED[0]] += time.process_time() - start
            CALLS["  " + SHARED[0]] += 1

    engine._parse_ast = parse


def _ruff_seconds(directory: Path) -> float:
    ruff = shutil.which("ruff")
    if ruff is None:
        raise SystemExit("ruff is not on PATH: pass --ruff SECONDS")
    command = [ruff, "check", "--isolated", "--no-cache", "--exit-zero", "--select", "S113,BLE001", "-q", str(directory)]
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--ruff", type=float, default=None, help="ruff's wall time, seconds (default: timed here)")
    args = parser.parse_args()
    _instrument()
    from apilint.cli.main import main as apilint

    start = time.process_time()
    sys.argv = ["apilint", "--isolated", "--exit-zero", "--no-cache", "-q", "-j", "1", str(args.directory)]
    try:
        apilint()
    except SystemExit:
        pass
    total = time.process_time() - start
    print(f"\ncold run in one process: {total:.2f} s CPU", file=sys.stderr)
    for label in ORDER:
        print(f"  {label:52} {SECONDS[label]:6.2f} s  ({CALLS[label]} calls)", file=sys.stderr)
    avoidable = ["  engine ast.parse, text the index parsed", "  scan", "  per-file decisions"]
    unavoidable = total - sum(SECONDS[label] for label in avoidable)
    ruff = args.ruff if args.ruff is not None else _ruff_seconds(args.directory)
    floor = unavoidable / args.cores
    print(f"floor (one parse per file; free scan and decisions; {args.cores} cores, perfectly used): "
          f"{floor:.2f} s wall = {floor / ruff:.1f}x ruff's {ruff:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
