"""Jupyter notebooks (`.ipynb`): the code cells as one module, positions per cell, fixes written back.

As ruff does, the code cells of a Python notebook are analysed together (a client made in one
cell is used in another), and findings are reported as `path:cell N:line:col` (N is the cell's
1-based position among all cells, line and column within the cell). IPython syntax is neutralised
before parsing: line magics (`%time`, `%pip install`), shell escapes (`!ls`, `files = !ls`) and
help (`obj?`) become `pass` placeholders that keep every line in its place; a cell starting with a
cell magic (`%%bash`) is not Python and is left out.

Each cell is preceded by a marker comment in the analysed text, so the fixed text splits back into
cells whatever the fixes inserted. Writing back changes only the `source` of the cells whose code
changed; outputs, metadata, key order and JSON formatting stay as they were. A notebook whose JSON
formatting cannot be reproduced exactly is never rewritten (the fix is reported as not applied).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from apilint.engine.findings import AnalysisError, Finding

NOTEBOOK_SUFFIX = ".ipynb"
_MARKER = "# apilint: notebook cell {index}\n"
_MARKER_LINE = re.compile(r"^# apilint: notebook cell (\d+)\n?$")
_PLACEHOLDER = "pass  # apilint: ipython {index}"
_PLACEHOLDER_LINE = re.compile(r"^(\s*)pass  # apilint: ipython (\d+)(\r?\n)?$")
# IPython-only lines (at a statement start): magics, shell escapes, help (`?obj`, `obj?`), and
# assignments from a magic or the shell (`files = !ls`).
_IPYTHON_LINE = re.compile(r"^\s*(?:[%!?]|[\w.]+(?:\s*,\s*[\w.]+)*\s*=\s*[%!])|^[^#'\"]*\?$")


def is_notebook(path: Path) -> bool:
    return path.suffix == NOTEBOOK_SUFFIX


@dataclass
class _Cell:
    index: int  # position among all cells (0-based)
    source: str  # the cell's original code
    as_list: bool  # the JSON stores the source as a list of lines
    added_newline: bool  # a newline was added after the last line to join the cells
    marker_line: int = 0  # line of the cell's marker in the analysed text (1-based)


@dataclass
class Notebook:
    data: dict[str, Any]
    raw: str
    text: str  # the code cells as one module (markers and placeholders included)
    cells: list[_Cell]
    magics: dict[int, str] = field(default_factory=dict)  # placeholder index -> original line

    def locate(self, findings: list[Finding]) -> list[Finding]:
        """Findings positioned in their cell (`cell` set, lines counted within the cell)."""
        located = []
        for finding in findings:
            cell = self._cell_at(finding.line)
            if cell is None:
                located.append(finding)  # API000 and the like: about the whole file
                continue
            end_line = finding.end_line - cell.marker_line if self._cell_at(finding.end_line) is cell else \
                finding.line - cell.marker_line
            located.append(replace(finding, line=finding.line - cell.marker_line, end_line=end_line,
                                   cell=cell.index + 1))
        return located

    def _cell_at(self, line: int) -> _Cell | None:
        found = None
        for cell in self.cells:
            if cell.marker_line < line:
                found = cell
        return found

    def updated_json(self, fixed_text: str) -> str:
        """The notebook's JSON with the code cells of `fixed_text`; raises AnalysisError if it cannot be
        written back exactly (formatting not reproducible, cells not found)."""
        style = _json_style(self.data, self.raw)
        if style is None:
            raise AnalysisError("the notebook's JSON formatting cannot be reproduced; not rewritten")
        sources = self._split(fixed_text)
        data = json.loads(self.raw)  # a fresh copy, in the file's key order
        for cell in self.cells:
            new = sources[cell.index]
            if new == cell.source:
                continue
            data["cells"][cell.index]["source"] = new.splitlines(keepends=True) if cell.as_list else new
        indent, ensure_ascii, newline = style
        return json.dumps(data, indent=indent, ensure_ascii=ensure_ascii) + newline

    def cell_diffs(self, fixed_text: str, display: str) -> str:
        """A unified diff per changed cell (`--- path:cell N`), as ruff prints for notebooks."""
        sources = self._split(fixed_text)
        out = []
        for cell in self.cells:
            new = sources[cell.index]
            if new != cell.source:
                name = f"{display}:cell {cell.index + 1}"
                lines = difflib.unified_diff(cell.source.splitlines(keepends=True), new.splitlines(keepends=True),
                                             fromfile=name, tofile=name)
                out.append("".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                                   for line in lines))
        return "".join(out)

    def _split(self, fixed_text: str) -> dict[int, str]:
        """Cell index -> new source, from the fixed analysed text."""
        lines = fixed_text.splitlines(keepends=True)
        sources: dict[int, list[str]] = {}
        current: list[str] | None = None
        for line in lines:
            marker = _MARKER_LINE.match(line)
            if marker is not None:
                index = int(marker.group(1))
                if index in sources:
                    raise AnalysisError("a fix disturbed the notebook's cell boundaries; not rewritten")
                current = sources[index] = []
                continue
            if current is None:
                raise AnalysisError("a fix wrote before the notebook's first cell; not rewritten")
            current.append(self._restore(line))
        if set(sources) != {cell.index for cell in self.cells}:
            raise AnalysisError("a fix disturbed the notebook's cell boundaries; not rewritten")
        out = {}
        for cell in self.cells:
            text = "".join(sources[cell.index])
            if cell.added_newline and text.endswith("\n"):
                text = text[:-1]
            out[cell.index] = text
        return out

    def _restore(self, line: str) -> str:
        placeholder = _PLACEHOLDER_LINE.match(line)
        if placeholder is None:
            return line
        original = self.magics.get(int(placeholder.group(2)))
        if original is None:
            return line
        ending = placeholder.group(3) or ""
        return placeholder.group(1) + original.lstrip(" \t").rstrip("\r\n") + ending


def read_notebook(data: bytes) -> Notebook:
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnalysisError(f"cannot decode the notebook as UTF-8: {exc}") from None
    return parse_notebook(raw)


def parse_notebook(raw: str) -> Notebook:
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise AnalysisError(f"not a notebook: invalid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise AnalysisError("not a notebook: no list of cells")
    notebook = Notebook(data, raw, "", [])
    if not _is_python(data):
        return notebook  # another kernel's language: nothing to analyse
    parts: list[str] = []
    line = 1
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        raw_source = cell.get("source", "")
        as_list = isinstance(raw_source, list)
        source = "".join(raw_source) if as_list else raw_source
        if not isinstance(source, str) or source.lstrip().startswith("%%"):
            continue  # a cell magic: the cell is not Python
        added = bool(source) and not source.endswith("\n")
        body = _neutralise(source + ("\n" if added else ""), notebook.magics)
        notebook.cells.append(_Cell(index, source, as_list, added, marker_line=line))
        parts.append(_MARKER.format(index=index) + body)
        line += 1 + body.count("\n")
    notebook.text = "".join(parts)
    return notebook


def _is_python(data: dict[str, Any]) -> bool:
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    for key in ("language_info", "kernelspec"):
        info = metadata.get(key)
        if isinstance(info, dict):
            language = info.get("name" if key == "language_info" else "language")
            if isinstance(language, str):
                return language.lower() == "python"
    return True  # no language recorded: Jupyter's default kernel is Python


def _neutralise(source: str, magics: dict[int, str]) -> str:
    """IPython-only lines replaced by numbered `pass` placeholders (same indentation, same line count)."""
    out = []
    depth, continued = 0, False
    for line in source.splitlines(keepends=True):
        statement_start = depth == 0 and not continued
        depth, continued = _open_brackets(line, depth)
        if statement_start and _IPYTHON_LINE.search(line.rstrip("\r\n")):
            index = len(magics)
            magics[index] = line
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            ending = line[len(line.rstrip("\r\n")):]
            out.append(indent + _PLACEHOLDER.format(index=index) + ending)
        else:
            out.append(line)
    return "".join(out)


def _open_brackets(line: str, depth: int) -> tuple[int, bool]:
    """Bracket depth after `line` and whether it ends with a backslash continuation (strings on one
    line and comments skipped; good enough to tell a statement start from a continuation line)."""
    quote = None
    index = 0
    body = line.rstrip("\r\n")
    while index < len(body):
        char = body[index]
        if quote is not None:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#":
            break
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        index += 1
    return depth, body.endswith("\\")


def _json_style(data: dict[str, Any], raw: str) -> tuple[int | str | None, bool, str] | None:
    """(indent, ensure_ascii, final newline) that reproduce `raw` exactly from `data`, or None."""
    newline = "\n" if raw.endswith("\n") else ""
    for indent in (1, 2, 4, None, "\t", 3):
        for ensure_ascii in (False, True):
            if json.dumps(data, indent=indent, ensure_ascii=ensure_ascii) + newline == raw:
                return indent, ensure_ascii, newline
    return None
