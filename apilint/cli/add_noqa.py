"""`--add-noqa`: suppress every current finding with a `# noqa: CODE` comment, as ruff does.

The comment goes where flake8 (and apilint) look for it: at the end of the last
line of the reported line's logical range (after a multi-line string, after a
backslash continuation). An existing `# noqa: …` gets the new codes merged in;
a blanket `# noqa` is left alone.
"""

from __future__ import annotations

import ast
import re
import warnings

from apilint.engine.findings import Finding
from apilint.engine.noqa import NOQA, logical_ranges

_LINE_END = re.compile(r"(\r\n|\r|\n)$")


def add_noqa(text: str, findings: list[Finding]) -> tuple[str, int]:
    """The text with noqa comments added, and how many lines got one."""
    ranges = logical_ranges(text)
    wanted: dict[int, set[str]] = {}
    for finding in findings:
        if finding.code == "API000":
            continue
        target = ranges.get(finding.line, (finding.line, finding.line))[1]
        wanted.setdefault(target, set()).add(finding.code)
    lines = text.splitlines(keepends=True)
    added = 0
    for number, codes in sorted(wanted.items()):
        if not 0 < number <= len(lines):
            continue
        line = lines[number - 1]
        ending = _LINE_END.search(line)
        newline = ending.group() if ending else ""
        body = line[: len(line) - len(newline)]
        match = NOQA.search(body)
        if match and match.group("codes") is None:
            continue  # a blanket noqa already covers everything
        if match:
            existing = [c for c in re.split(r"[,\s]+", match.group("codes")) if c]
            merged = existing + sorted(codes - {c.upper() for c in existing})
            if len(merged) == len(existing):
                continue
            body = body[: match.start()] + "# noqa: " + ", ".join(merged) + body[match.end():]
        else:
            body = body.rstrip(" \t") + "  # noqa: " + ", ".join(sorted(codes))
        lines[number - 1] = body + newline
        added += 1
    new_text = "".join(lines)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(new_text)
        except (SyntaxError, ValueError):
            return text, 0  # never leave a file that no longer parses
    return new_text, added
