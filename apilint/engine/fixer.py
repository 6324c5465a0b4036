"""The fix loop: apply non-overlapping fixes, re-parse, repeat to a fixed point, revert on failure."""

from __future__ import annotations

import ast
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from apilint.engine.applicability import is_fixable
from apilint.engine.engine import check_source
from apilint.project.view import ProjectView
from apilint.engine.findings import Edit, Finding
from apilint.rules import Rule
from apilint.settings import Settings

MAX_PASSES = 10


@dataclass
class FixOutcome:
    text: str
    findings: list[Finding]  # what remains after fixing
    applied: Counter[str] = field(default_factory=Counter)
    error: str | None = None


def apply_fixes(text: str, findings: Sequence[Finding]) -> tuple[str, list[Finding]]:
    """Apply every fix that does not overlap one applied before it (in source order)."""
    taken: list[Edit] = []
    applied: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.fix.span if f.fix else (0, 0), f.code)):
        assert finding.fix is not None
        edits = finding.fix.edits
        if any(_overlaps(e, t) for e in edits for t in taken):
            continue  # left for the next pass
        taken.extend(edits)
        applied.append(finding)
    for edit in sorted(taken, reverse=True):
        text = text[: edit.start] + edit.content + text[edit.end:]
    return text, applied


def _overlaps(a: Edit, b: Edit) -> bool:
    # Two insertions at one point would have no defined order: treat as overlapping.
    return a.start < b.end and b.start < a.end or a.start == b.start


def still_parses(text: str, *, with_ast: bool = True) -> bool:
    """Whether fixed code parses: with libcst, and with `ast` unless the original needed syntax newer
    than this Python's `ast` knows (then libcst, which knows it, is the judge)."""
    try:
        if with_ast:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(text)
        cst.parse_module(text)
    except (SyntaxError, ValueError, RecursionError, cst.ParserSyntaxError):
        return False
    return True


PassObserver = Callable[[str, str, Sequence[Finding]], None]


def fix_text(
    text: str,
    settings: Settings,
    rules: Sequence[Rule],
    *,
    unsafe: bool,
    suppressed: Callable[[str, Finding], bool] = lambda text, finding: False,
    on_pass: PassObserver | None = None,
    project: ProjectView | None = None,
) -> FixOutcome:
    """Fix `text` to a fixed point. Findings in `suppressed` (noqa) are neither fixed nor returned.

    `on_pass(before, after, applied)` sees every accepted pass (the round-trip checker uses it).
    """
    applied: Counter[str] = Counter()
    error = None
    with_ast = still_parses(text)  # False: newer syntax than this Python's `ast` (checked with libcst alone)
    for _ in range(MAX_PASSES):
        findings = [f for f in check_source(text, settings, rules, project=project) if not suppressed(text, f)]
        candidates = [f for f in findings if is_fixable(f, settings, unsafe)]
        if not candidates:
            return FixOutcome(text, findings, applied, error)
        new_text, done = apply_fixes(text, candidates)
        if new_text == text:
            break
        if not still_parses(new_text, with_ast=with_ast):
            codes = ", ".join(sorted({f.code for f in done}))
            error = f"a fix for {codes} produced invalid code; those fixes were reverted"
            # Keep what earlier passes achieved; report the rest unfixed.
            break
        applied.update(f.code for f in done)
        if on_pass is not None:
            on_pass(text, new_text, done)
        text = new_text
    else:
        error = f"fixes did not converge after {MAX_PASSES} passes"
    findings = [f for f in check_source(text, settings, rules, project=project) if not suppressed(text, f)]
    return FixOutcome(text, findings, applied, error)
