#!/usr/bin/env python3
"""Fix round-trip over real code: apply every fix (safe and unsafe) to every file and check that

1. the fixed file still compiles (when the original did);
2. a second fix run changes nothing (fixed point);
3. re-checking finds no fixable finding left;
4. every line outside the spans the applied fixes edited is byte-identical;
5. the only new imports are the ones a fix's edit asked for;
6. every comment token of the original is still in the result (tokenize);
7. every *safe* fix that edits a call's arguments (API101: `timeout=`) edits a call whose
   receiver is proven, re-resolved on the original module, twice: by the resolver, and by
   an independent audit of every alternative the receiver may hold (receiver_audit.py:
   union members, both sides of `a or b`, reaching assignments, factory returns,
   subclass overrides), so a resolver that combines alternatives wrongly is caught too
   (a fix that adds `timeout=` to a method that takes none raises TypeError on every call);
8. a safe-only fix run adds no finding: the findings after it, compared by code and
   message (line numbers in messages ignored), are a sub-multiset of those before;
9. a safe fix that turns a reference into a call (appends `()`) does so only where the
   value is discarded (an expression statement): elsewhere `()` changes what the code
   does when all goes well (`if r.raise_for_status():` is never true).

Every check runs with the file's project view, as the CLI's `--fix` does (`view_for(path)`, the
projects built once before the workers fork): a receiver proven only through another module (a
session made in `client.py`, a base class elsewhere, a re-export) is fixed here too, and property 7
follows it into the defining module (receiver_audit_project.py). `--no-project` checks each file on
its own, as before whole-project resolution.

Nothing is written: the files are read and fixed in memory. (scripts/corpus_fix_roundtrip.sh runs
the real CLI on a copy instead: writes, modes, encodings.)

    python3 scripts/fix_roundtrip.py CORPUS_DIR [--jobs N] [--no-project]
"""

from __future__ import annotations

import argparse
import bisect
import difflib
import io
import os
import re
import sys
import tokenize
import warnings
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import libcst as cst

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from apilint.engine.engine import enabled_rules  # noqa: E402
from apilint.engine.findings import AnalysisError, Applicability, Finding  # noqa: E402
from apilint.engine.locate import Locator  # noqa: E402
from apilint.engine.traversal import Traversal, Visit  # noqa: E402
from apilint.semantic.resolve import Resolver  # noqa: E402
from apilint.engine.fixer import fix_text, is_fixable  # noqa: E402
from apilint.engine.engine import check_source  # noqa: E402
from apilint.engine.source import decode_source  # noqa: E402
from apilint.project.build import prepare, project_for, view_for  # noqa: E402
from apilint.project.view import ProjectView  # noqa: E402
from apilint.rules import Rule  # noqa: E402
from apilint.settings import Settings, parse_settings  # noqa: E402
from receiver_audit import ReceiverAudit  # noqa: E402
from receiver_audit_project import ProjectModules  # noqa: E402

_IMPORT = re.compile(r"^\s*(import|from)\s+\S+", re.MULTILINE)
_NEWLINE = re.compile(r"\r\n|\r|\n")
_LINE_NUMBER = re.compile(r"\bline \d+")
# Safe fixes that add an argument to a call: the receiver must take it.
_CALL_ARGUMENT_FIXES = frozenset({"API101"})


# The settings every file is fixed with (`--select` adds opt-in rules such as API001); set before
# the worker processes fork.
SETTINGS = Settings()
USE_PROJECT = True  # `--no-project`: each file on its own
_MODULES: dict[Path, ProjectModules] = {}  # project root -> its files, parsed on demand for the audit


@dataclass
class FileReport:
    path: str
    changed: bool = False
    fixes: Counter[str] = field(default_factory=Counter)
    by_safety: Counter[tuple[str, str]] = field(default_factory=Counter)  # (code, safe|unsafe) per applied fix
    failures: list[str] = field(default_factory=list)
    unproven: int = 0  # safe fixes whose receiver the resolver does not prove
    audited: int = 0  # safe call-argument fixes property 7 audited
    cross_module: int = 0  # ... whose audit followed a name into another project module


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
    lost = lost_comments(before, after)
    if lost:
        codes = ", ".join(sorted({f.code for f in applied}))
        failures.append(f"a fix for {codes} deleted comments: {sorted(lost)[:3]}")


def comment_tokens(text: str) -> Counter[str] | None:
    """Every comment of the text (as tokenize sees it); None when it cannot be tokenized."""
    try:
        return Counter(tok.string for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                       if tok.type == tokenize.COMMENT)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None


def lost_comments(before: str, after: str) -> Counter[str]:
    """Comments of `before` missing from `after` (an added `# noqa`-free fix never removes one)."""
    old, new = comment_tokens(before), comment_tokens(after)
    if old is None or new is None:
        return Counter()
    return old - new


def unproven_receivers(text: str, findings: Sequence[Finding], path: str = "",
                       project: ProjectView | None = None, report: FileReport | None = None) -> list[str]:
    """The safe call-argument fixes among `findings` whose call the resolver (with the file's project
    view) does not prove an HTTP call of a known client (or library function) that has the method, on
    `text`, or whose receiver the independent audit (project-less, following project names into
    their modules itself) does not prove."""
    wanted = [f for f in findings if f.fix is not None and f.fix.applicability is Applicability.SAFE
              and f.code in _CALL_ARGUMENT_FIXES]
    if not wanted:
        return []
    module = cst.parse_module(text)
    traversal = Traversal(module, frozenset({cst.Call}))
    traversal.walk(module)
    traversal.release()
    resolver = Resolver(traversal.model, traversal.order_of, {})
    resolver.parent_of = traversal.parent_of
    resolver.project = project
    plain = Resolver(traversal.model, traversal.order_of, {})  # the audit's: no project view
    plain.parent_of = traversal.parent_of
    modules = _project_modules(path) if project is not None else None
    audit = ReceiverAudit(plain, modules, project.module if project else "", project.package if project else False)
    locator = Locator(module, text)
    calls: dict[tuple[int, int, int, int], Visit] = {}
    for visit in traversal.collected[cst.Call]:
        span = locator.range(visit.node)
        calls[(span.start.line, span.start.column + 1, span.end.line, span.end.column + 1)] = visit
    problems = []
    for finding in wanted:
        found = calls.get((finding.line, finding.col, finding.end_line, finding.end_col))
        call = found.node if found is not None else None
        if found is None or not isinstance(call, cst.Call):
            problems.append(f"safe {finding.code} fix at line {finding.line} edits no call")
            continue
        http = resolver.http_call(call, found.scope)
        if http is None or (http.function is None if http.client is None else http.method not in http.client.kind.methods):
            problems.append(f"safe {finding.code} fix at line {finding.line}: the resolver does not prove the receiver")
        else:
            if modules is not None:
                modules.followed.clear()
            proven = audit.proves(call, found.scope, found.order)
            followed = sorted(set(modules.followed)) if modules is not None else []
            if report is not None:
                report.audited += 1
                report.cross_module += bool(followed)
            if not proven:
                via = f" (followed {', '.join(followed)})" if followed else ""
                problems.append(f"safe {finding.code} fix at line {finding.line}: an alternative of the receiver is not "
                                f"the same client (audit){via}")
    return problems


def _project_modules(path: str) -> ProjectModules | None:
    """The files of `path`'s project, for the audit (the same project `view_for` gave the checks)."""
    try:
        project = project_for(Path(path))
    except (OSError, RecursionError, ValueError):
        return None
    modules = _MODULES.get(project.root)
    if modules is None:
        modules = _MODULES[project.root] = ProjectModules(project.paths)
    return modules


def calls_whose_value_is_used(text: str, findings: Sequence[Finding]) -> list[str]:
    """Safe fixes that append `()` to an expression whose value the code uses."""
    inserts = [(f, e) for f in findings if f.fix is not None and f.fix.applicability is Applicability.SAFE
               for e in f.fix.edits if e.start == e.end and e.content == "()"]
    if not inserts:
        return []
    module = cst.parse_module(text)
    traversal = Traversal(module, frozenset({cst.Attribute, cst.Name}))
    traversal.walk(module)
    traversal.release()
    locator = Locator(module, text)
    ends: dict[int, cst.CSTNode] = {}
    for node_type in (cst.Attribute, cst.Name):
        for visit in traversal.collected[node_type]:
            ends.setdefault(locator.end(visit.node), visit.node)  # outermost first (visited first)
    problems = []
    for finding, edit in inserts:
        node = ends.get(edit.start)
        if node is None or not isinstance(traversal.parent_of.get(node), cst.Expr):
            problems.append(f"safe {finding.code} fix at line {finding.line} calls a value the code uses")
    return problems


def _finding_key(finding: Finding) -> tuple[str, str]:
    return finding.code, _LINE_NUMBER.sub("line N", finding.message)


def new_findings(before: Sequence[Finding], after: Sequence[Finding]) -> Counter[tuple[str, str]]:
    """Findings of `after` that `before` did not have (by code and message, modulo line shifts)."""
    return Counter(map(_finding_key, after)) - Counter(map(_finding_key, before))


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
    settings = SETTINGS
    rules = enabled_rules(settings)
    project = view_for(path) if USE_PROJECT else None  # as the CLI's `--fix` checks the file

    def observe(before: str, after: str, applied: Sequence[Finding]) -> None:
        _check_pass(before, after, applied, report.failures)
        report.by_safety.update((f.code, "safe" if f.fix is not None and f.fix.applicability is Applicability.SAFE
                                 else "unsafe") for f in applied)
        unproven = unproven_receivers(before, applied, path, project, report)
        report.unproven += len(unproven)
        report.failures.extend(unproven)
        report.failures.extend(calls_whose_value_is_used(before, applied))

    try:
        outcome = fix_text(text, settings, rules, unsafe=True, on_pass=observe, project=project)
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
    again = fix_text(outcome.text, settings, rules, unsafe=True, project=project)
    if again.text != outcome.text:
        report.failures.append("a second fix run changed the file again")
    left = [f for f in check_source(outcome.text, settings, rules, project=project) if is_fixable(f, settings, unsafe=True)]
    if left:
        report.failures.append(f"fixable findings left: {sorted({f.code for f in left})}")
    _check_safe_run(text, settings, rules, report, project)
    return report


def _check_safe_run(text: str, settings: Settings, rules: Sequence[Rule], report: FileReport,
                    project: ProjectView | None) -> None:
    """A safe fix changes only the hazard it names: after `--fix` no finding is new."""
    original = check_source(text, settings, rules, project=project)
    if not any(is_fixable(f, settings, unsafe=False) for f in original):
        return
    safe = fix_text(text, settings, rules, unsafe=False, project=project)
    for (code, message), count in sorted(new_findings(original, safe.findings).items()):
        applied = ", ".join(sorted(safe.applied))
        report.failures.append(f"safe fixes ({applied}) left a new finding: {code} {message}" + (f" x{count}" if count > 1 else ""))


def python_files(roots: Sequence[str]) -> list[str]:
    files = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            files.extend(os.path.join(dirpath, f) for f in sorted(filenames) if f.endswith(".py"))
    return files


def run(roots: Sequence[str], jobs: int) -> tuple[list[FileReport], int]:
    files = python_files(roots)
    if USE_PROJECT:
        prepare([Path(f) for f in files], jobs)  # built once, inherited by the forked workers
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
    parser.add_argument("--select", help="codes to select, comma-separated (default: apilint's default set)")
    parser.add_argument("--no-project", action="store_true", help="check each file on its own (no project index)")
    args = parser.parse_args()
    global USE_PROJECT
    USE_PROJECT = not args.no_project
    if args.select:
        global SETTINGS
        SETTINGS = parse_settings({"select": args.select.split(",")}, "--select")
    reports, total = run(args.roots, args.jobs)
    fixes: Counter[str] = Counter()
    safety: Counter[tuple[str, str]] = Counter()
    for report in reports:
        fixes.update(report.fixes)
        safety.update(report.by_safety)
    failures = [(r.path, f) for r in reports for f in r.failures]
    print(f"files: {total}, changed: {sum(r.changed for r in reports)}, fixes applied: {sum(fixes.values())}")
    for code, count in sorted(fixes.items()):
        print(f"  {code}: {count} (edits seen: {safety[code, 'safe']} safe, {safety[code, 'unsafe']} unsafe)")
    print(f"safe call-argument fixes audited (property 7): {sum(r.audited for r in reports)}, "
          f"of which followed into another module: {sum(r.cross_module for r in reports)}")
    print(f"safe fixes on an unproven receiver: {sum(r.unproven for r in reports)}")
    print(f"failures: {len(failures)}")
    for path, failure in failures:
        print(f"  {path}: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
