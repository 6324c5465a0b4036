"""Machine-readable outputs: JSON (ruff-like), SARIF 2.1.0 (GitHub code scanning), GitHub workflow annotations."""

from __future__ import annotations

import bisect
import json
import re
from pathlib import Path
from typing import Any, TextIO

from apilint import PROJECT_URL, __version__, rule_url
from apilint.cli.runner import FileResult
from apilint.engine.applicability import applicability
from apilint.engine.findings import Finding
from apilint.settings import Settings

Row = tuple[str, Finding, FileResult]
_NEWLINE = re.compile(r"\r\n|\r|\n")


def _location(line_starts: list[int], offset: int) -> dict[str, int]:
    line = bisect.bisect_right(line_starts, offset)
    return {"row": line, "column": offset - line_starts[line - 1] + 1}


def write_json(rows: list[Row], settings: Settings, out: TextIO) -> None:
    items: list[dict[str, Any]] = []
    starts_cache: dict[int, list[int]] = {}
    for display, finding, result in rows:
        fix_data = None
        kind = applicability(finding, settings)
        if finding.fix is not None and kind is not None:
            edits = []
            if result.text is not None:
                key = id(result)
                if key not in starts_cache:
                    starts_cache[key] = [0] + [m.end() for m in _NEWLINE.finditer(result.text)]
                starts = starts_cache[key]
                edits = [
                    {"content": e.content, "location": _location(starts, e.start), "end_location": _location(starts, e.end)}
                    for e in finding.fix.edits
                ]
            fix_data = {"applicability": kind.value, "message": finding.fix.title, "edits": edits}
        items.append({
            "code": finding.code,
            "name": finding.name,
            "message": finding.message,
            "filename": display,
            **({"cell": finding.cell} if finding.cell is not None else {}),
            "location": {"row": finding.line, "column": finding.col},
            "end_location": {"row": finding.end_line, "column": finding.end_col},
            "fix": fix_data,
            "url": rule_url(finding.code) if finding.code != "API000" else None,
        })
    _write_json(items, out)


def _rule_descriptors() -> list[dict[str, Any]]:
    from apilint.docs import render, sections
    from apilint.rules import ALL_RULES

    descriptors = [{
        "id": "API000",
        "name": "CannotAnalyse",
        "shortDescription": {"text": "A file apilint could not read or parse."},
        "defaultConfiguration": {"level": "error"},
    }]
    for rule in ALL_RULES:
        parts = sections(rule)
        descriptors.append({
            "id": rule.code,
            "name": "".join(word.capitalize() for word in rule.name.split("-")),
            "shortDescription": {"text": parts["What it does"].split("\n\n")[0].replace("\n", " ")},
            "fullDescription": {"text": parts["Why is this bad?"].replace("\n", " ")},
            "help": {"text": parts["Why is this bad?"].replace("\n", " "), "markdown": render(rule)},
            "helpUri": rule_url(rule.code),
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": [rule.name], "precision": "high"},
        })
    return descriptors


def write_sarif(rows: list[Row], out: TextIO) -> None:
    rules = _rule_descriptors()
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    results = []
    for display, finding, _ in rows:
        results.append({
            "ruleId": finding.code,
            "ruleIndex": index.get(finding.code, 0),
            "level": "error" if finding.code == "API000" else "warning",
            "message": {"text": _in_cell(finding) + finding.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": Path(display).as_posix(), "uriBaseId": "%SRCROOT%"},
                    # A notebook's lines count within a cell, not in the JSON file: no file region then.
                    **({} if finding.cell is not None else {"region": {
                        "startLine": finding.line, "startColumn": finding.col,
                        "endLine": finding.end_line, "endColumn": max(finding.end_col, 1),
                    }}),
                }
            }],
        })
    log = {
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "apilint", "version": __version__, "semanticVersion": __version__,
                                "informationUri": PROJECT_URL, "rules": rules}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    _write_json(log, out)


# A file name that is not valid UTF-8 reaches us as surrogate escapes (U+DC80..U+DCFF): written
# as `\udcXX` escapes the document stays valid UTF-8, and json.loads gives back the same name.
_SURROGATE_ESCAPES = re.compile("[\udc80-\udcff]")


def _write_json(document: object, out: TextIO) -> None:
    text = json.dumps(document, indent=2, ensure_ascii=False)
    out.write(_SURROGATE_ESCAPES.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(rows: list[Row], out: TextIO) -> None:
    """GitHub Actions workflow commands: one annotation per finding."""
    for display, finding, _ in rows:
        level = "error" if finding.code == "API000" else "warning"
        where = [] if finding.cell is not None else [  # a notebook's lines are not the JSON file's lines
            f"line={finding.line}", f"col={finding.col}", f"endLine={finding.end_line}", f"endColumn={finding.end_col}"]
        properties = ",".join([f"file={_escape_property(display)}", *where,
                               f"title={_escape_property('apilint ' + finding.code)}"])
        text = f"{finding.code} {_in_cell(finding)}{finding.message}"
        out.write(f"::{level} {properties}::{_escape_data(text)}\n")


def _in_cell(finding: Finding) -> str:
    return f"cell {finding.cell}, line {finding.line}, column {finding.col}: " if finding.cell is not None else ""
