"""`--add-noqa`: suppress every current finding with a `# noqa: CODE` comment, as ruff does.

The comment goes where flake8 (and apilint) look for it: at the end of the last
line of the reported line's logical range (after a multi-line string, after a
backslash continuation). An existing `# noqa: …` comment gets the new codes
merged in; a blanket `# noqa` comment is left alone.

Comments are found with the tokenizer, never by searching the text: a string
literal that happens to contain `# noqa` is data (a header value sent on the
wire) and is never edited. Lines are split exactly as the tokenizer splits
them, and each keeps its own line ending, so CRLF files, form feeds and other
characters that `str.splitlines` would treat as line breaks survive untouched.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings

from apilint.engine.findings import Finding
from apilint.engine.noqa import NOQA, logical_ranges

_LINE_END = re.compile(r"(\r\n|\n)$")
# A lone carriage return ends a line for Python but not for `tokenize` over a str: line
# numbers would disagree, so such files are left alone.
_LONE_CR = re.compile(r"\r(?!\n)")


def add_noqa(text: str, findings: list[Finding]) -> tuple[str, int]:
    """The text with noqa comments added, and how many lines got one."""
    if _LONE_CR.search(text):
        return text, 0
    comments = _comments_by_line(text)
    if comments is None:
        return text, 0  # the tokenizer cannot read it: no place for a comment is certain
    ranges = logical_ranges(text)
    wanted: dict[int, set[str]] = {}
    for finding in findings:
        if finding.code == "API000":
            continue
        target = ranges.get(finding.line, (finding.line, finding.line))[1]
        wanted.setdefault(target, set()).add(finding.code)
    lines = io.StringIO(text).readlines()  # the tokenizer's lines: split after "\n" only
    added = 0
    for number, codes in sorted(wanted.items()):
        if not 0 < number <= len(lines):
            continue
        edited = _with_codes(lines[number - 1], comments.get(number, []), codes)
        if edited is not None:
            lines[number - 1] = edited
            added += 1
    new_text = "".join(lines)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(new_text)
        except (SyntaxError, ValueError):
            return text, 0  # never leave a file that no longer parses
    return new_text, added


def _with_codes(line: str, comments: list[tuple[int, str]], codes: set[str]) -> str | None:
    """`line` with `codes` suppressed by a noqa comment; None when it needs no change."""
    for column, comment in comments:
        match = NOQA.search(comment)
        if match is None:
            continue
        if match.group("codes") is None:
            return None  # a blanket noqa already covers everything
        existing = [c for c in re.split(r"[,\s]+", match.group("codes")) if c]
        merged = existing + sorted(codes - {c.upper() for c in existing})
        if len(merged) == len(existing):
            return None
        new_comment = comment[: match.start()] + "# noqa: " + ", ".join(merged) + comment[match.end():]
        return line[:column] + new_comment + line[column + len(comment):]
    ending = _LINE_END.search(line)
    newline = ending.group() if ending else ""
    body = line[: len(line) - len(newline)]
    return body.rstrip(" \t") + "  # noqa: " + ", ".join(sorted(codes)) + newline


def _comments_by_line(text: str) -> dict[int, list[tuple[int, str]]] | None:
    """Each line's comment tokens as (column, text); None when the text cannot be tokenized."""
    found: dict[int, list[tuple[int, str]]] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                found.setdefault(token.start[0], []).append((token.start[1], token.string))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return found
