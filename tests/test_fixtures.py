"""One parametrized test over every fixture file (tests/fixtures/APIxxx/*.py).

Each fixture marks the lines that must be reported with `# expect: CODE`;
every other line must stay clean. A fixture whose findings carry fixes has a
`.fixed.py` twin with the expected result of `--fix --unsafe-fixes`.
Each fixture selects its directory's code plus every code its markers name
(`API101/x.py` marking API202 too -> `select = ["API101", "API202"]`), so a
new rule never changes another rule's snapshots.
Optional settings: a line `# apilint-settings: key = value` (TOML).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import libcst as cst
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

from apilint.engine.engine import check_source, enabled_rules
from apilint.engine.fixer import fix_text
from apilint.settings import Settings, parse_settings

from .conftest import FIXTURES, SETTINGS_LINE, expectations

CASES = sorted(p for p in FIXTURES.glob("API*/*.py") if not p.name.endswith(".fixed.py"))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _settings(path: Path, text: str) -> Settings:
    table = tomllib.loads("\n".join(SETTINGS_LINE.findall(text)))
    table.setdefault("select", sorted({path.parent.name, *(code for _, code in expectations(text))}))
    return parse_settings(table, "fixture")


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_findings_match_expectations(path: Path) -> None:
    text = _read(path)
    findings = check_source(text, _settings(path, text))
    assert sorted((f.line, f.code) for f in findings) == expectations(text)


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_precheck_never_hides_a_finding(path: Path) -> None:
    text = _read(path)
    settings = _settings(path, text)
    assert check_source(text, settings) == check_source(text, settings, precheck=False)


def _one_statement_variants(text: str) -> list[str]:
    """The module's imports plus one other top-level statement, other lines blanked (lines keep their numbers).

    Each variant is a new input on which the pre-check must agree with the full analysis; unlike the
    whole fixture, a variant holds one pattern, so a pre-check that only looks at some other part of
    the file cannot pass by luck.
    """
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    variants = []
    for node in tree.body:
        if node in imports:
            continue
        keep = set()
        for kept in (*imports, node):
            first = min([kept.lineno, *(d.lineno for d in getattr(kept, "decorator_list", []))])
            keep.update(range(first, (kept.end_lineno or kept.lineno) + 1))
        variants.append("".join(line if i + 1 in keep else "\n" for i, line in enumerate(lines)))
    return variants


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_precheck_never_hides_a_finding_in_one_statement(path: Path) -> None:
    text = _read(path)
    settings = _settings(path, text)
    key = lambda f: (f.code, f.line, f.col, f.end_line, f.end_col, f.message, f.fix is not None)  # noqa: E731
    for variant in _one_statement_variants(text):
        exact = check_source(variant, settings)
        assert exact == check_source(variant, settings, precheck=False), variant
        # Reporting blanks idle function bodies before libcst (reduce.py): same findings.
        assert [key(f) for f in check_source(variant, settings, exact=False)] == [key(f) for f in exact], variant


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_positions_need_no_fallback(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Report positions come from the ast tree; the slow exact provider is only a safety net."""
    import apilint.engine.engine as engine_module

    def no_locator(*args: object) -> None:
        raise AssertionError("fell back to libcst's PositionProvider")

    text = _read(path)
    settings = _settings(path, text)
    monkeypatch.setattr(engine_module, "Locator", no_locator)
    check_source(text, settings, exact=False)


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_positions_match_exact(path: Path) -> None:
    text = _read(path)
    settings = _settings(path, text)
    key = lambda f: (f.code, f.line, f.col, f.end_line, f.end_col, f.message, f.fix is not None)  # noqa: E731
    assert [key(f) for f in check_source(text, settings, exact=False)] == [key(f) for f in check_source(text, settings)]


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixes(path: Path) -> None:
    text = _read(path)
    settings = _settings(path, text)
    fixed_path = path.with_suffix(".fixed.py")
    fixable = [f for f in check_source(text, settings) if f.fix is not None]
    if not fixed_path.exists():
        assert not fixable, f"{path.name} has fixable findings but no {fixed_path.name}"
        return
    rules = enabled_rules(settings)
    outcome = fix_text(text, settings, rules, unsafe=True)
    assert outcome.error is None
    assert outcome.text == _read(fixed_path)
    ast.parse(outcome.text)
    cst.parse_module(outcome.text)
    # Fixed point: a second run changes nothing, and no fixable finding is left.
    again = fix_text(outcome.text, settings, rules, unsafe=True)
    assert again.text == outcome.text
    assert not [f for f in again.findings if f.fix is not None]
