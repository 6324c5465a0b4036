#!/usr/bin/env python3
"""Fix round-trip over real code: apply every fix (safe and unsafe) to every file and check that

1. the fixed file still compiles (when the original did);
2. a second fix run changes nothing (fixed point);
3. re-checking finds no fixable finding left;
4. every line outside the spans the applied fixes edited is byte-identical;
5. the only new imports are the ones a fix's edit asked for.

Nothing is written: the files are read and fixed in memory. (scripts/corpus_fix_roundtrip.sh runs
the real CLI on a copy instead: writes, modes, encodings.)

    python3 scripts/fix_roundtrip.py CORPUS_DIR [--jobs N]
"""

from __future__ import annotations

import argparse
import bisect
import difflib
import os
import re
import sys
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apilint.engine.engine import enabled_rules  # noqa: E402
from apilint.engine.findings import AnalysisError, Finding  # noqa: E402
from apilint.engine.fixer import fix_text, is_fixable  # noqa: E402
from apilint.engine.engine import check_source  # noqa: E402
from apilint.engine.source import decode_source  # noqa: E402
from apilint.settings import Settings  # noqa: E402

_IMPORT = re.compile(r"^\s*(import|from)\s+\S+", re.MULTILINE)
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass
class FileReport:
    path: str
    changed: bool = False
    fixes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in _NEWLINE.finditer(text)]


def _check_pass(before: str, after: str, applied: Sequence[Finding], failures: list[str]) -> None:
    starts = _line_starts(before)
    touched: set[int] = set()
    asked_imports = 0
    for finding in applied:
        assert finding.fix is not None
        for edit in finding.fix.edits:
            first = bisect.bisect_right(starts, edit.start) - 1
            last = bisect.bisect_right(starts, max(edit.end - 1, edit.start)) - 1
            touched.update(range(first, last + 1))
            asked_imports += len(_IMPORT.findall(edit.content))
    old_lines = before.splitlines(keepends=True)
    new_lines = after.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "equal":
            continue
        span = set(range(i1, max(i2, i1 + 1)))
        # An insertion at a line boundary may sit just after an edited line.
        if not span & (touched | {t + 1 for t in touched}):
            failures.append(f"lines {i1 + 1}-{i2} changed outside any fix's edit")
    new_imports = len(_IMPORT.findall(after)) - len(_IMPORT.findall(before))
    if new_imports > asked_imports:
        failures.append(f"{new_imports} new import lines, fixes asked for {asked_imports}")


def check_file(path: str) -> FileReport:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings of the checked code are not ours
        return _check_file(path)


def _check_file(path: str) -> FileReport:
    report = FileReport(path)
    try:
        text = decode_source(Path(path).read_bytes()).text
    except (OSError, AnalysisError):
        return report
    try:
        compile(text, path, "exec", dont_inherit=True)
        compiled = True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        compiled = False
    settings = Settings()
    rules = enabled_rules(settings)

    def observe(before: str, after: str, applied: Sequence[Finding]) -> None:
        _check_pass(before, after, applied, report.failures)

    try:
        outcome = fix_text(text, settings, rules, unsafe=True, on_pass=observe)
    except AnalysisError:
        return report
    except Exception as exc:  # noqa: BLE001 - a crash is a failure to report, not to raise
        report.failures.append(f"crash: {type(exc).__name__}: {exc}")
        return report
    if outcome.error:
        report.failures.append(outcome.error)
    report.fixes = outcome.applied
    report.changed = outcome.text != text
    if not report.changed:
        return report
    if compiled:
        try:
            compile(outcome.text, path, "exec", dont_inherit=True)
        except SyntaxError as exc:
            report.failures.append(f"does not compile after fixing: {exc}")
    again = fix_text(outcome.text, settings, rules, unsafe=True)
    if again.text != outcome.text:
        report.failures.append("a second fix run changed the file again")
    left = [f for f in check_source(outcome.text, settings, rules) if is_fixable(f, settings, unsafe=True)]
    if left:
        report.failures.append(f"fixable findings left: {sorted({f.code for f in left})}")
    return report


def python_files(roots: Sequence[str]) -> list[str]:
    files = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            files.extend(os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".py"))
    return files


def run(roots: Sequence[str], jobs: int) -> tuple[list[FileReport], int]:
    files = python_files(roots)
    if jobs <= 1:
        reports = [check_file(f) for f in files]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            reports = list(pool.map(check_file, files, chunksize=8))
    return reports, len(files)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("roots", nargs="+")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    reports, total = run(args.roots, args.jobs)
    fixes: Counter[str] = Counter()
    for report in reports:
        fixes.update(report.fixes)
    failures = [(r.path, f) for r in reports for f in r.failures]
    print(f"files: {total}, changed: {sum(r.changed for r in reports)}, fixes applied: {sum(fixes.values())}")
    for code, count in sorted(fixes.items()):
        print(f"  {code}: {count}")
    print(f"failures: {len(failures)}")
    for path, failure in failures:
        print(f"  {path}: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
