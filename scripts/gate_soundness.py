#!/usr/bin/env python3
"""The gates never drop a finding, on real code: every file under the given roots is checked with
the text filter, pre-check and reduction on (what the CLI and flake8 run) and with all of them off
(`precheck=False, reduce=False`, exact positions), each with its project's index; the two finding
lists must be identical (code, line, column, message).

    python3 scripts/gate_soundness.py ROOT [ROOT ...] [--jobs N]

Slow by design (libcst on every file): run it on the corpora after a change to a rule or a gate,
not in CI, where tests/test_fixtures.py and tests/test_project.py do the same on the fixtures.
Prints each disagreement and a summary; exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apilint.engine.engine import check_source  # noqa: E402
from apilint.engine.findings import AnalysisError, Finding  # noqa: E402
from apilint.engine.source import decode_source  # noqa: E402
from apilint.project.build import view_for  # noqa: E402
from apilint.settings import Settings  # noqa: E402


def _signature(findings: list[Finding]) -> list[tuple[str, int, int, str]]:
    return [(f.code, f.line, f.col, f.message) for f in findings]


def check_file(path: str) -> list[str]:
    warnings.simplefilter("ignore")
    try:
        text = decode_source(Path(path).read_bytes()).text
    except (OSError, AnalysisError, ValueError):
        return []
    settings = Settings()
    project = view_for(Path(path))
    try:
        gated = check_source(text, settings, exact=False, project=project)
    except (AnalysisError, RecursionError):
        gated = None
    try:
        full = check_source(text, settings, precheck=False, reduce=False, project=project)
    except (AnalysisError, RecursionError):
        full = None
    if gated is None or full is None:
        # A file that cannot be parsed is API000 either way; a gate that skips it silently is not a lost finding.
        return []
    if _signature(gated) == _signature(full):
        return []
    lost = sorted(set(_signature(full)) - set(_signature(gated)))
    extra = sorted(set(_signature(gated)) - set(_signature(full)))
    return [f"{path}: lost {lost}" if lost else "", f"{path}: extra {extra}" if extra else ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="+", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    files = sorted(str(p) for root in args.roots for p in root.rglob("*.py") if p.is_file())
    problems: list[str] = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for lines in pool.map(check_file, files, chunksize=16):
            problems.extend(line for line in lines if line)
    for line in problems:
        print(line)
    print(f"{len(files)} files, {len(problems)} disagreements between gated and ungated analysis")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
