"""Findings and fixes: plain data that every interface (flake8, CLI, JSON) shares."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# The code of "this file could not be analysed" (unreadable, too large, too slow, an internal error).
CANNOT_ANALYSE = "API000"


class Applicability(str, Enum):
    """ruff's fix applicability: safe fixes run with --fix, unsafe ones need --unsafe-fixes."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class FixAvailability(str, Enum):
    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace `source[start:end]` (offsets in the decoded text) with `content`."""

    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    title: str
    edits: tuple[Edit, ...]

    @property
    def span(self) -> tuple[int, int]:
        return min(e.start for e in self.edits), max(e.end for e in self.edits)


@dataclass(frozen=True)
class Finding:
    """One reported problem. `line` and `col` are 1-based, as printed; in a notebook, `cell` is the
    cell's 1-based position and `line` counts within the cell (ruff's `path:cell N:line:col`)."""

    code: str
    name: str
    message: str
    line: int
    col: int
    end_line: int
    end_col: int
    fix: Fix | None = None
    cell: int | None = None

    @property
    def sort_key(self) -> tuple[int, int, int, str, str]:
        return (self.cell or 0, self.line, self.col, self.code, self.message)

    @property
    def position(self) -> str:
        """`line:col`, or `cell N:line:col` in a notebook (as ruff prints them)."""
        where = f"{self.line}:{self.col}"
        return f"cell {self.cell}:{where}" if self.cell is not None else where


class AnalysisError(Exception):
    """The file could not be analysed (reported as API000, the run goes on)."""
