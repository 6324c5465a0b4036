"""A fix's applicability after configuration (libcst-free: the output code imports it)."""

from __future__ import annotations

from apilint.engine.findings import Applicability, Finding
from apilint.settings import Settings


def applicability(finding: Finding, settings: Settings) -> Applicability | None:
    """The fix's applicability after `extend-safe-fixes` / `extend-unsafe-fixes`."""
    if finding.fix is None:
        return None
    code = finding.code
    safe = max((len(s) for s in settings.extend_safe_fixes if code.startswith(s)), default=-1)
    unsafe = max((len(s) for s in settings.extend_unsafe_fixes if code.startswith(s)), default=-1)
    if safe > unsafe:
        return Applicability.SAFE
    if unsafe > safe:
        return Applicability.UNSAFE
    return finding.fix.applicability


def is_fixable(finding: Finding, settings: Settings, unsafe: bool) -> bool:
    kind = applicability(finding, settings)
    return kind is Applicability.SAFE or (unsafe and kind is Applicability.UNSAFE)


__all__ = ["applicability", "is_fixable"]
