"""Positions between apilint (1-based lines, code-point columns, string offsets) and LSP
(0-based lines, columns in the negotiated position encoding: UTF-16 unless the client offers another).

Lines are split on `\\r\\n`, `\\r` and `\\n` only: the line breaks of the LSP specification, of
Python's tokenizer and of libcst, so a form feed or a U+2028 inside a string does not shift lines.
"""

from __future__ import annotations

import bisect
import re

from lsprotocol import types

_NEWLINE = re.compile(r"\r\n|\r|\n")


class LineIndex:
    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.text = text
        self.encoding = encoding
        self._starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def position(self, line: int, column: int) -> types.Position:
        """The LSP position of apilint's 1-based `line` and 1-based code-point `column`."""
        if line > len(self._starts):
            return self.end()
        start = self._starts[line - 1]
        return types.Position(line=line - 1, character=self._units(self.text[start:start + column - 1]))

    def position_at(self, offset: int) -> types.Position:
        """The LSP position of a string offset into the text."""
        line = bisect.bisect_right(self._starts, offset) - 1
        return types.Position(line=line, character=self._units(self.text[self._starts[line]:offset]))

    def end(self) -> types.Position:
        return self.position_at(len(self.text))

    def _units(self, segment: str) -> int:
        if self.encoding == types.PositionEncodingKind.Utf32 or segment.isascii():
            return len(segment)
        if self.encoding == types.PositionEncodingKind.Utf8:
            return len(segment.encode("utf-8", "surrogatepass"))
        return len(segment.encode("utf-16-le", "surrogatepass")) // 2


def intersects(a: types.Range, b: types.Range) -> bool:
    """Ranges that overlap or touch (a cursor at either end of a finding counts as on it)."""
    return _key(a.start) <= _key(b.end) and _key(b.start) <= _key(a.end)


def _key(position: types.Position) -> tuple[int, int]:
    return position.line, position.character
