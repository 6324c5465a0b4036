"""Lazy positions: offsets and line/column of libcst nodes, computed only when a file has findings."""

from __future__ import annotations

import bisect
import re

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

# libcst counts `\r\n`, `\r` and `\n` as line breaks; so must we.
_NEWLINE = re.compile(r"\r\n|\r|\n")


class Locator:
    def __init__(self, module: cst.Module, text: str) -> None:
        self.text = text
        # unsafe_skip_copy keeps node identity, so rules' nodes can be looked up.
        self._ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def range(self, node: cst.CSTNode) -> CodeRange:
        return self._ranges[node]

    def offset(self, line: int, column: int) -> int:
        return self._line_starts[line - 1] + column

    def start(self, node: cst.CSTNode) -> int:
        pos = self._ranges[node].start
        return self.offset(pos.line, pos.column)

    def end(self, node: cst.CSTNode) -> int:
        pos = self._ranges[node].end
        return self.offset(pos.line, pos.column)

    def line_of(self, offset: int) -> int:
        """1-based line containing `offset`."""
        return bisect.bisect_right(self._line_starts, offset)

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[start:end]

    def line_end(self, offset: int) -> int:
        """Offset of the line break ending the line that contains `offset`."""
        match = _NEWLINE.search(self.text, offset)
        return match.start() if match else len(self.text)

    def newline(self) -> str:
        match = _NEWLINE.search(self.text)
        return match.group() if match else "\n"

    def indentation(self, line: int) -> str:
        text = self.line_text(line)
        return text[: len(text) - len(text.lstrip(" \t\f"))]
