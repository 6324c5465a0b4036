"""Fix safety (issue 13): `--add-noqa` edits only comments, and the round-trip checker
(`scripts/fix_roundtrip.py`) fails on each way a fix can break working code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from apilint.cli.add_noqa import add_noqa
from apilint.engine.engine import check_source, enabled_rules
from apilint.engine.findings import Applicability, Edit, Finding, Fix
from apilint.engine.fixer import fix_text
from apilint.engine.noqa import NoqaIndex
from apilint.settings import Settings, parse_settings

from .conftest import FIXTURES

ROOT = Path(__file__).resolve().parent.parent


def _roundtrip() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fix_roundtrip", ROOT / "scripts" / "fix_roundtrip.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fix_roundtrip"] = module
    spec.loader.exec_module(module)
    return module


ROUNDTRIP = _roundtrip()


# -- --add-noqa ------------------------------------------------------------------------------

def test_add_noqa_never_edits_a_string_literal() -> None:
    text = 'import requests\n\nrequests.get("https://x", headers={"X-Note": "# noqa: E501"})\n'
    new_text, count = add_noqa(text, check_source(text, Settings()))
    assert count == 1
    assert new_text == ('import requests\n\nrequests.get("https://x", headers={"X-Note": "# noqa: E501"})'
                        '  # noqa: API101\n')


def test_add_noqa_merges_into_the_comment_not_the_string() -> None:
    text = 'import requests\n\nrequests.get("https://x", headers={"X": "# noqa: E501"})  # noqa: E501\n'
    new_text, count = add_noqa(text, check_source(text, Settings()))
    assert count == 1
    assert new_text == 'import requests\n\nrequests.get("https://x", headers={"X": "# noqa: E501"})  # noqa: E501, API101\n'


def test_add_noqa_numbers_lines_as_python_does_and_keeps_line_endings() -> None:
    # A form feed line (and U+2028 in a string) are line breaks to str.splitlines, not to Python.
    text = 'import requests\r\n\x0c\r\nNOTE = "a\u2028b"\r\nrequests.get("https://x")\r\nrequests.get("https://y")  # why\r\n'
    findings = check_source(text, Settings())
    assert [f.line for f in findings] == [4, 5]
    new_text, count = add_noqa(text, findings)
    assert count == 2
    assert new_text == ('import requests\r\n\x0c\r\nNOTE = "a\u2028b"\r\n'
                        'requests.get("https://x")  # noqa: API101\r\n'
                        'requests.get("https://y")  # why  # noqa: API101\r\n')


def test_noqa_after_a_form_feed_line_suppresses_and_add_noqa_round_trips() -> None:
    text = 'import requests\n\x0c\nrequests.get("https://x")\n'
    new_text, count = add_noqa(text, check_source(text, Settings()))
    assert count == 1
    index = NoqaIndex(new_text)
    assert [f for f in check_source(new_text, Settings()) if not index.suppresses(f.line, f.code)] == []


# -- the round-trip checker ------------------------------------------------------------------

def _safe_fix(code: str, line: int, col: int, end_line: int, end_col: int, edit: Edit) -> Finding:
    return Finding(code, "x", "x", line, col, end_line, end_col, Fix(Applicability.SAFE, "x", (edit,)))


def test_roundtrip_fails_on_a_fix_that_deletes_a_comment() -> None:
    before = "try:\n    pass\nexcept (\n    OSError,  # disk\n    IOError,  # old name\n):\n    pass\n"
    folded = "try:\n    pass\nexcept (OSError):\n    pass\n"  # what the old API304 fix made of it
    failures: list[str] = []
    finding = _safe_fix("API304", 3, 1, 6, 2, Edit(before.index("("), before.index(")") + 1, "(OSError)"))
    ROUNDTRIP._check_pass(before, folded, [finding], failures)
    assert any("deleted comments" in f for f in failures), failures
    kept = "try:\n    pass\nexcept (\n    OSError,  # disk\n    # old name\n):\n    pass\n"
    failures = []
    ROUNDTRIP._check_pass(before, kept, [finding], failures)
    assert not any("deleted comments" in f for f in failures), failures


UNION_POOL = """import httpcore
import urllib3


def fetch(pool: urllib3.PoolManager | httpcore.ConnectionPool, url):
    return pool.request("GET", url)


def proven(url):
    return urllib3.PoolManager().request("GET", url)
"""


def _call_finding(text: str, line: int, call: str) -> Finding:
    start = text.splitlines()[line - 1].index(call)
    end = text.index(call) + len(call) - 1  # offset of the closing parenthesis
    return _safe_fix("API101", line, start + 1, line, start + len(call) + 1, Edit(end, end, ", timeout=10"))


def test_roundtrip_fails_on_a_safe_fix_on_an_unproven_receiver() -> None:
    bad = _call_finding(UNION_POOL, 6, 'pool.request("GET", url)')
    assert len(ROUNDTRIP.unproven_receivers(UNION_POOL, [bad])) == 1
    good = _call_finding(UNION_POOL, 10, 'urllib3.PoolManager().request("GET", url)')
    assert ROUNDTRIP.unproven_receivers(UNION_POOL, [good]) == []


def test_roundtrip_fails_on_a_call_added_where_the_value_is_used() -> None:
    text = "def f(r):\n    if r.raise_for_status:\n        pass\n    r.raise_for_status\n"
    in_condition = text.index("r.raise_for_status:") + len("r.raise_for_status")
    statement = text.rindex("r.raise_for_status") + len("r.raise_for_status")
    bad = _safe_fix("API203", 2, 8, 2, 26, Edit(in_condition, in_condition, "()"))
    good = _safe_fix("API203", 4, 5, 4, 23, Edit(statement, statement, "()"))
    assert len(ROUNDTRIP.calls_whose_value_is_used(text, [bad, good])) == 1


def test_roundtrip_fails_when_a_safe_fix_adds_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A deliberately bad API101 fix: `timeout=None` "bounds" the wait and is itself API102.
    monkeypatch.setattr(Settings, "timeout_literal", lambda self: "None")
    path = tmp_path / "client.py"
    path.write_text('import requests\n\n\ndef f(url):\n    return requests.get(url)\n')
    report = ROUNDTRIP.check_file(str(path))
    assert any("new finding: API102" in f for f in report.failures), report.failures


def test_new_findings_ignore_line_shifts() -> None:
    before = [Finding("API201", "n", "r.json is used (line 3)", 3, 1, 3, 2)]
    after = [Finding("API201", "n", "r.json is used (line 4)", 4, 1, 4, 2),
             Finding("API402", "n", "no jitter", 5, 1, 5, 2)]
    assert list(ROUNDTRIP.new_findings(before, after)) == [("API402", "no jitter")]


@pytest.mark.parametrize("fixture", ["API101/unproven_clients.py", "API101/isinstance_guards.py", "API101/class_factories.py",
                                     "API203/not_called.py",
                                     "API304/layout.py"])
def test_roundtrip_passes_the_fix_safety_fixtures(fixture: str) -> None:
    report = ROUNDTRIP.check_file(str(FIXTURES / fixture))
    assert report.failures == []
    assert report.unproven == 0
    assert report.changed


def test_roundtrip_audit_catches_a_resolver_that_lets_an_unknown_alternative_through(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The resolver as it was (`_agree` ignored unknown alternatives and compared only libraries):
    the checker must fail on the fixes it made, through its own audit of the receiver."""
    import apilint.semantic.client_resolution as client_resolution
    import apilint.semantic.http_calls as http_calls
    from apilint.semantic.client_ref import ClientRef

    def lenient(results: list[ClientRef | None]) -> ClientRef | None:
        found = [r for r in results if r is not None]
        if not found or len({r.kind.library for r in found}) != 1:
            return None
        return next((r for r in found if r.has_default_timeout()), found[0])

    for module in (client_resolution, http_calls):  # every module that combines alternatives
        monkeypatch.setattr(module, "_agree", lenient)
    report = ROUNDTRIP.check_file(str(FIXTURES / "API101" / "unproven_clients.py"))
    audited = [f for f in report.failures if "(audit)" in f]
    # union factory, `A | B` factory, union parameters (2), subclass override of the factory,
    # attribute set in a subclass, property overridden in a subclass, if/else branches, try/except
    assert len(audited) >= 8, report.failures
    assert report.unproven == len(audited)


def test_roundtrip_audit_catches_a_guard_that_does_not_end_its_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A product that took `print(...)` for a statement ending the path would narrow after
    `if not isinstance(s, Session): print(...)` and fix the call: the audit reads guards itself."""
    import libcst as cst

    from apilint.semantic.guard_flow import Shape
    from apilint.semantic.guards import CstGuardTree

    real = CstGuardTree.shape

    def lenient(self: CstGuardTree, statement: cst.CSTNode) -> Shape:
        return Shape.LEAVE if isinstance(statement, cst.Expr) else real(self, statement)

    monkeypatch.setattr(CstGuardTree, "shape", lenient)
    report = ROUNDTRIP.check_file(str(FIXTURES / "API101" / "isinstance_guards.py"))
    assert any("(audit)" in failure for failure in report.failures), report.failures


def test_unused_noqa_fix_edits_the_right_line_after_a_form_feed() -> None:
    settings = parse_settings({"select": ["API001", "API101"]}, "test")
    text = 'import requests\n\x0c\nx = 1  # noqa: API101\nrequests.get("u", timeout=3)  # noqa: API101\n'
    outcome = fix_text(text, settings, enabled_rules(settings), unsafe=False)
    assert outcome.error is None
    assert outcome.text == 'import requests\n\x0c\nx = 1\nrequests.get("u", timeout=3)\n'


# -- property 7 across modules ----------------------------------------------------------------

def test_roundtrip_audits_cross_module_receivers_in_their_defining_module() -> None:
    """The fixture project: session in a base class, factory, module-level client, re-exported library,
    client class, each defined in another module: fixed with the project view, audited there."""
    reports, _ = ROUNDTRIP.run([str(FIXTURES.parent / "fixtures_project")], jobs=1)
    assert [f for r in reports for f in r.failures] == []
    # 6, plus shop/guarded*.py: factories and a base class whose parameter an isinstance guard proves a Session
    # (three cross-module fixes, one in guarded.py itself), and overrides_use.py's three classes of another
    # module whose definitions take `timeout=` (those that refuse it get no fix), and factories_use.py's
    # three clients made by a classmethod or staticmethod of a class of another module.
    assert sum(r.audited for r in reports) == 16
    assert sum(r.cross_module for r in reports) == 15


def test_roundtrip_audit_catches_an_index_that_lets_an_unknown_alternative_through(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An index whose `_agree` ignores unknown alternatives takes `init(session)` (the caller's object,
    or a new Session) for a Session factory: the checker must fail on the cross-module fix that
    follows, through its own audit of the defining module."""
    import apilint.project.index as index

    def lenient(results: list[index.ClientFact | None]) -> index.ClientFact | None:
        found = [r for r in results if r is not None]
        return found[0] if found and len({r.kind for r in found}) == 1 else None

    monkeypatch.setattr(index, "_agree", lenient)
    (tmp_path / "pyproject.toml").write_text("")
    package = tmp_path / "p"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "util.py").write_text("import requests\n\ndef init(session=None):\n    if session is None:\n"
                                     "        session = requests.Session()\n    return session\n")
    (package / "use.py").write_text("from p.util import init\n\ndef remote(url, s):\n    return init(s).get(url)\n")
    report = ROUNDTRIP.check_file(str(package / "use.py"))
    assert report.fixes["API101"] == 1 and report.cross_module == 1
    assert any("(audit) (followed p.util.init)" in f for f in report.failures), report.failures
