"""`# noqa` with flake8's semantics, for the CLI (flake8 applies its own for the plugin).

flake8 looks for the comment on the reported physical line, except that the
lines of a token spanning several lines (a triple-quoted string) share one
comment. Codes match by prefix; apilint compares them case-insensitively.
"""

from __future__ import annotations

import io
import re
import sys
import tokenize

# The same pattern as flake8.defaults.NOQA_INLINE_REGEXP.
NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_SPLIT = re.compile(r"[,\s]+")
# Python's physical lines: only CRLF, CR and LF end one (`str.splitlines` also splits at form
# feeds, U+2028 and others, which would shift every line number after them).
_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# flake8's NOQA_FILE, matched (like flake8) at the start of a line: the whole file is skipped.
_FILE_NOQA = re.compile(r"^\s*# flake8[:=]\s*noqa", re.IGNORECASE | re.MULTILINE)


def skips_file(text: str) -> bool:
    """flake8 skips a file with a line starting with `# flake8: noqa` (codes after it change nothing)."""
    return _FILE_NOQA.search(text) is not None


class NoqaIndex:
    def __init__(self, text: str) -> None:
        self._text = text
        # Tokenizing the file (for multi-line tokens) is the costly part: skip it when no comment exists.
        self._any = NOQA.search(text) is not None
        self._whole_file = skips_file(text)
        self._lines: list[str] | None = None
        self._joined: dict[int, str] | None = None

    def line_for(self, line: int) -> str:
        if self._lines is None or self._joined is None:
            self._lines = _PHYSICAL_LINE.findall(self._text)
            self._joined = _logical_noqa_lines(self._text, self._lines)
        if line in self._joined:
            return self._joined[line]
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def suppresses(self, line: int, code: str) -> bool:
        if self._whole_file:
            return True
        if not self._any:
            return False
        match = NOQA.search(self.line_for(line))
        if match is None:
            return False
        codes = match.group("codes")
        if codes is None:
            return True
        wanted = {c.upper() for c in _SPLIT.split(codes) if c}
        return code.upper() in wanted or code.upper().startswith(tuple(wanted))


def logical_ranges(text: str) -> dict[int, tuple[int, int]]:
    """flake8's `_noqa_line_mapping` ranges: physical lines between NL/NEWLINE tokens belong together
    (the lines of a triple-quoted string, a backslash continuation). Lines alone are not listed."""
    ranges: dict[int, tuple[int, int]] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return ranges
    low, high = sys.maxsize, -1
    for tok in tokens:
        if tok.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        low, high = min(low, tok.start[0]), max(high, tok.end[0])
        if tok.type in (tokenize.NL, tokenize.NEWLINE):
            if high > low:
                for number in range(low, high + 1):
                    ranges[number] = (low, high)
            low, high = sys.maxsize, -1
    return ranges


def _logical_noqa_lines(text: str, lines: list[str]) -> dict[int, str]:
    return {number: "".join(lines[low - 1:high]) for number, (low, high) in logical_ranges(text).items()}
