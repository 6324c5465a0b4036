"""Human-readable output: flake8-style lines (optionally grouped or coloured), statistics, the summary."""

from __future__ import annotations

import codecs
import os
from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from apilint.cli.runner import FileResult
from apilint.engine.applicability import is_fixable
from apilint.engine.findings import Finding
from apilint.settings import Settings

Row = tuple[str, Finding, FileResult]


def sorted_findings(results: Iterable[FileResult]) -> list[Row]:
    rows = [(r.display, f, r) for r in results for f in r.findings]
    rows.sort(key=lambda row: (row[0], row[1].sort_key))
    return rows


def _lossless_or_escaped(error: UnicodeError) -> tuple[str | bytes, int]:
    """A file name that is not valid in the locale (`surrogateescape`d bytes) is written back as the
    very bytes it was; any other character the stream cannot encode as a backslash escape."""
    try:
        return codecs.lookup_error("surrogateescape")(error)
    except UnicodeError:
        return codecs.lookup_error("backslashreplace")(error)


codecs.register_error("apilint-output", _lossless_or_escaped)


def tolerate_unencodable(*streams: TextIO) -> None:
    """Never crash on output (a strict UTF-8 locale and a non-UTF-8 file name): see above."""
    for stream in streams:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="apilint-output")
            except (ValueError, OSError):
                pass


def use_colour(stream: TextIO) -> bool:
    """Colour only for a terminal, unless NO_COLOR is set (https://no-color.org) or TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


class Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def path(self, text: str) -> str:
        return self._wrap("1", text)

    def code(self, text: str) -> str:
        return self._wrap("1;31", text)

    def dim(self, text: str) -> str:
        return self._wrap("36", text)


def write_text(rows: list[Row], out: TextIO, style: Style) -> None:
    """`path:line:col: CODE message`, exactly flake8's line (plus colour on a terminal)."""
    colon = style.dim(":")
    out.writelines(f"{style.path(display)}{colon}{_cell(finding, colon)}{finding.line}{colon}{finding.col}{colon} "
                  f"{style.code(finding.code)} {finding.message}\n" for display, finding, _ in rows)


def _cell(finding: Finding, colon: str) -> str:
    return f"cell {finding.cell}{colon}" if finding.cell is not None else ""


def write_grouped(rows: list[Row], out: TextIO, style: Style) -> None:
    """ruff's grouped format: a heading per file, then `line:col CODE message`."""
    current = None
    for display, finding, _ in rows:
        if display != current:
            if current is not None:
                out.write("\n")
            out.write(f"{style.path(display)}:\n")
            current = display
        out.write(f"  {finding.position} {style.code(finding.code)} {finding.message}\n")
    if current is not None:
        out.write("\n")


def write_statistics(rows: list[Row], settings: Settings, out: TextIO) -> None:
    counts = Counter(finding.code for _, finding, _ in rows)
    names = {finding.code: finding.name for _, finding, _ in rows}
    fixable = {finding.code for _, finding, _ in rows if is_fixable(finding, settings, unsafe=True)}
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        marker = "[*] " if code in fixable else ""
        out.write(f"{count:>5}\t{code}\t{marker}{names[code]}\n")


def write_fixes(results: list[FileResult], rows: list[Row], settings: Settings, fixing: bool, out: TextIO) -> None:
    """`--show-fixes`: what was fixed (with --fix) or what a fix run would do."""
    if fixing:
        fixed = [(r.display, r.fixed) for r in sorted(results, key=lambda r: r.display) if r.fixed]
        total = sum(sum(c.values()) for _, c in fixed)
        if not total:
            out.write("No errors were fixed.\n")
            return
        out.write(f"Fixed {total} {'error' if total == 1 else 'errors'}:\n")
        for display, counts in fixed:
            out.write(f"- {display}:\n")
            out.writelines(f"    {count} × {code}\n" for code, count in sorted(counts.items()))
        return
    available = [(d, f) for d, f, _ in rows if f.fix is not None and is_fixable(f, settings, unsafe=True)]
    for display, finding in available:
        assert finding.fix is not None
        kind = "safe" if is_fixable(finding, settings, unsafe=False) else "unsafe"
        out.write(f"{display}:{finding.position}: {finding.code} [{kind}] {finding.fix.title}\n")


def summary(results: list[FileResult], settings: Settings, *, fixing: bool, unsafe: bool) -> str:
    """ruff's closing lines: how many findings, how many fixed, how many a fix run would fix."""
    remaining = sum(len(r.findings) for r in results)
    fixed = sum(sum(r.fixed.values()) for r in results)
    checked = len(results)
    if remaining == 0 and fixed == 0:
        return f"All checks passed! ({checked} {'file' if checked == 1 else 'files'} checked)"
    # "in N files" counts the files that have (or had) findings, not every file checked.
    files = sum(1 for r in results if r.findings or r.fixed)
    noun = "file" if files == 1 else "files"
    lines = []
    if fixing:
        lines.append(f"Found {remaining + fixed} {_errors(remaining + fixed)} ({fixed} fixed, {remaining} remaining) in {files} {noun}.")
    else:
        lines.append(f"Found {remaining} {_errors(remaining)} in {files} {noun}.")
    all_findings = [f for r in results for f in r.findings]
    fixable = sum(1 for f in all_findings if is_fixable(f, settings, unsafe=unsafe))
    hidden = 0 if unsafe else sum(1 for f in all_findings if is_fixable(f, settings, unsafe=True)) - fixable
    hint = f"{hidden} hidden {_fixes(hidden)} can be enabled with the `--unsafe-fixes` option"
    if not fixing and fixable:
        lines.append(f"[*] {fixable} fixable with the `--fix` option" + (f" ({hint})." if hidden else "."))
    elif hidden:
        lines.append(f"No fixes available ({hint})." if not fixable or fixing else f"{hint}.")
    return "\n".join(lines)


def _errors(n: int) -> str:
    return "error" if n == 1 else "errors"


def _fixes(n: int) -> str:
    return "fix" if n == 1 else "fixes"
