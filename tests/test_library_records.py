"""Every HTTP library is one record of data; the rules handle every record that has the facts they need."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from apilint.engine.engine import check_source
from apilint.knowledge.libraries import RECORDS
from apilint.knowledge.library_record import ClientKind, HttpLibrary, RequestFunction
from apilint.settings import Settings

from .conftest import ROOT

_VERSION = re.compile(r"\d+\.\d+")


def _codes(source: str, select: str) -> list[tuple[int, str]]:
    findings = check_source(textwrap.dedent(source), Settings(select=(select,)))
    return [(f.line, f.code) for f in findings]


def _import(qualified: str) -> str:
    module = qualified.rsplit(".", 1)[0]
    return f"import {module}\n"


# -- completeness --------------------------------------------------------------------------------

@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.name)
def test_every_record_is_complete(record: HttpLibrary) -> None:
    assert _VERSION.search(record.version), f"{record.name}: cite the version the facts were read from"
    assert record.modules and all(record.owns(m) for m in record.modules)
    assert record.request_functions or record.clients or record.connections, "nothing sends a request"
    for function in (*record.request_functions, *record.connections):
        assert function.library == record.name and record.owns(function.name)
    for kind in record.clients:
        assert kind.library == record.name and kind.methods and kind.constructors
        assert all(record.owns(name) for name in kind.constructors)
        assert {m for m, _ in kind.positional_timeout} <= kind.methods
        assert kind.untimed_methods <= kind.methods
        assert {c for c, _ in kind.constructor_positional_timeout} <= set(kind.constructors)
    for timeout_object in record.timeout_objects:
        assert timeout_object.bounds and all(record.owns(n) for n in timeout_object.names)
    facts = record.exceptions
    assert facts.modules and facts.base.startswith(facts.base_import + ".")
    for name in (facts.base, facts.status_error, facts.read_timeout, *dict(facts.builtin_replacements).values()):
        assert name is None or name.split(".")[0] == facts.base.split(".")[0]
    if record.response is not None:
        assert record.response.status_attributes
        assert record.response.body_attributes or record.response.raises_on_error_status
        assert record.response.raise_for_status or not record.response.raise_for_status_chainable
    retries = record.retries
    assert all(record.owns(n) for n in (*retries.urllib3_retry, *retries.adapters, *retries.transports))


def test_records_cover_the_libraries_of_the_spec() -> None:
    assert {r.name for r in RECORDS} >= {"requests", "httpx", "aiohttp", "urllib3", "urllib", "http.client",
                                         "httpx2", "niquests"}


def test_no_rule_names_a_library() -> None:
    """Qualified names of a library (`"requests.exceptions.HTTPError"`) belong in its record, not in code."""
    modules = sorted({m for r in RECORDS for m in (*r.modules, *r.exceptions.modules)}, key=len, reverse=True)
    qualified = re.compile(r"^(%s)\." % "|".join(re.escape(m) for m in modules))
    found = []
    for path in sorted((ROOT / "apilint" / "rules").glob("*.py")) + sorted((ROOT / "apilint" / "semantic").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if qualified.match(node.value):
                    found.append(f"{path.name}:{node.lineno}: {node.value!r}")
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Library":
                found.append(f"{path.name}:{node.lineno}: Library.{node.attr}")
    assert found == []


# -- every rule handles every library that has the facts it needs ---------------------------------

def _functions() -> list[RequestFunction]:
    return [f for r in RECORDS for f in (*r.request_functions, *r.connections)]


def _client_methods() -> list[tuple[ClientKind, str, str]]:
    return [(kind, constructor, method) for r in RECORDS for kind in r.clients
            for constructor in kind.constructors for method in sorted(kind.methods)]


def _send(function: RequestFunction, extra: str = "") -> str:
    return f"{_import(function.name)}\ndef f(url, host):\n    return {function.name}(url{extra})\n"


def _on_client(constructor: str, method: str, extra: str = "", prefix: str = "") -> str:
    return (f"{_import(constructor)}\ndef f(url{prefix}):\n    s = {constructor}(url)\n"
            f"    return s.{method}(url{extra})\n")


@pytest.mark.parametrize("function", _functions(), ids=lambda f: f.name)
def test_api101_and_api102_on_every_request_function(function: RequestFunction) -> None:
    expected_101 = [] if function.default_timeout else [(4, "API101")]
    assert _codes(_send(function), "API101") == expected_101
    expected_102 = [] if function.none_keeps_default else [(4, "API102")]
    assert _codes(_send(function, ", timeout=None"), "API102") == expected_102


@pytest.mark.parametrize(("kind", "constructor", "method"), _client_methods(),
                         ids=lambda v: v if isinstance(v, str) else v.name)
def test_api101_and_api102_on_every_client_method(kind: ClientKind, constructor: str, method: str) -> None:
    untimed = not kind.sends_with_default(method)
    assert _codes(_on_client(constructor, method), "API101") == ([(5, "API101")] if untimed else [])
    keeps = kind.call_none_keeps_default and method not in kind.untimed_methods
    assert _codes(_on_client(constructor, method, ", timeout=None"), "API102") == ([] if keeps else [(5, "API102")])


@pytest.mark.parametrize("kind", [k for r in RECORDS for k in r.clients], ids=lambda k: k.name)
def test_api102_and_api103_on_every_client_constructor(kind: ClientKind) -> None:
    constructor = kind.constructors[0]
    built = f"{_import(constructor)}\ns = {constructor}('h', timeout=None)\n"
    assert _codes(built, "API102") == ([] if kind.constructor_none_keeps_default else [(3, "API102")])
    attribute = f"{_import(constructor)}\ns = {constructor}('h')\ns.timeout = 5\n"
    assert _codes(attribute, "API103") == ([(4, "API103")] if kind.timeout_attribute_ignored else [])


@pytest.mark.parametrize("record", [r for r in RECORDS if r.timeout_objects], ids=lambda r: r.name)
def test_api102_on_every_timeout_object(record: HttpLibrary) -> None:
    for timeout_object in record.timeout_objects:
        for name in timeout_object.names:
            unbounded = ", ".join(f"{bound}=None" for bound in timeout_object.bounds)
            assert _codes(f"{_import(name)}\nt = {name}({unbounded})\n", "API102") == [(3, "API102")]
            assert _codes(f"{_import(name)}\nt = {name}({timeout_object.bounds[0]}=5)\n", "API102") == []


@pytest.mark.parametrize("function", _functions(), ids=lambda f: f.name)
def test_api104_on_every_request_function(function: RequestFunction) -> None:
    source = f"{_import(function.name)}\ndef f(url, timeout=None):\n    return {function.name}(url, timeout=timeout)\n"
    reaches_forever = not (function.default_timeout or function.none_keeps_default)
    assert _codes(source, "API104") == ([(3, "API104")] if reaches_forever else [])


def _sync_sender(record: HttpLibrary) -> tuple[str, str] | None:
    """(import, call expression) of a sync request of the library with a timeout, if it has one."""
    for function in record.request_functions:
        if function.name.endswith(".get"):
            return _import(function.name), f"{function.name}(url, timeout=5)"
    return None


@pytest.mark.parametrize("record", [r for r in RECORDS if r.response is not None and r.response.body_attributes
                                    and _sync_sender(r) is not None], ids=lambda r: r.name)
def test_api201_on_every_library_with_body_accessors(record: HttpLibrary) -> None:
    assert record.response is not None
    imports, call = _sync_sender(record) or ("", "")
    for attribute in sorted(record.response.body_attributes):
        source = f"{imports}\ndef f(url):\n    r = {call}\n    return r.{attribute}\n"
        assert _codes(source, "API201") == [(5, "API201")], attribute
        checked = f"{imports}\ndef f(url):\n    r = {call}\n    r.raise_for_status()\n    return r.{attribute}\n"
        assert _codes(checked, "API201") == ([] if record.response.raise_for_status else [(6, "API201")])


@pytest.mark.parametrize("record", [r for r in RECORDS if _sync_sender(r) is not None], ids=lambda r: r.name)
def test_api301_names_every_librarys_base_class(record: HttpLibrary) -> None:
    imports, call = _sync_sender(record) or ("", "")
    source = f"{imports}\ndef f(url):\n    try:\n        return {call}\n    except Exception:\n        return None\n"
    findings = check_source(source, Settings(select=("API301",)))
    assert [f.code for f in findings] == ["API301"]
    assert record.exceptions.base in findings[0].message


# -- adding a library is one record --------------------------------------------------------------

# A made-up library that behaves like requests, as the ONE new file a contributor adds.
FAKEHTTP_RECORD = '''\
"""fakehttp: a made-up drop-in for requests (test record)."""
from dataclasses import replace

from apilint.knowledge.library_record import ClientKind, ExceptionFacts, HttpLibrary, VERB_METHODS, functions
from apilint.knowledge.libraries.requests import RESPONSE

_ERROR = ("fakehttp.FakeError", "builtins.Exception", "builtins.BaseException")
LIBRARY = HttpLibrary(
    name="fakehttp",
    version="fakehttp 1.0 (made up)",
    modules=("fakehttp",),
    request_functions=functions("fakehttp", ("fakehttp",), VERB_METHODS, default_timeout=False),
    clients=(ClientKind("fakehttp.Session", "fakehttp", VERB_METHODS, default_timeout=False,
                        constructors=("fakehttp.Session",)),),
    response=replace(RESPONSE, status_codes=()),
    exceptions=ExceptionFacts(modules=("fakehttp",), base="fakehttp.FakeError", base_import="fakehttp",
                              extra_classes=((_ERROR[0], _ERROR),)),
    timeout_tuple=True,
)
'''

FAKEHTTP_USER = '''\
import fakehttp


def fetch(url):
    r = fakehttp.get(url)
    return r.json()


def disabled(url):
    s = fakehttp.Session()
    return s.post(url, timeout=None)


def swallowed(url):
    try:
        fakehttp.delete(url, timeout=5).raise_for_status()
    except Exception:
        pass
'''


def test_a_made_up_library_is_one_new_record(tmp_path: Path) -> None:
    """Copy the package, add one file under knowledge/libraries/, change nothing else: the rules apply."""
    copy = tmp_path / "tree"
    shutil.copytree(ROOT / "apilint", copy / "apilint", ignore=shutil.ignore_patterns("__pycache__"))
    sample = tmp_path / "sample.py"
    sample.write_text(FAKEHTTP_USER)
    command = [sys.executable, "-m", "apilint", "--isolated", "--no-cache", "--exit-zero",
               "--select", "API101,API102,API201,API301", str(sample)]

    def codes() -> list[str]:
        out = subprocess.run(command, cwd=tmp_path, env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
                             capture_output=True, text=True, timeout=120, check=True).stdout
        return [f"{line.split(':')[1]}:{line.split()[1]}" for line in out.splitlines() if ": API" in line]

    assert codes() == []  # unknown library: silent
    (copy / "apilint" / "knowledge" / "libraries" / "fakehttp.py").write_text(FAKEHTTP_RECORD)
    assert codes() == ["5:API101", "6:API201", "11:API102", "17:API301"]
    # The whole change: one file of this many lines, no edit anywhere else.
    changed = subprocess.run(["diff", "-r", "-q", "-x", "__pycache__", str(ROOT / "apilint"), str(copy / "apilint")],
                             capture_output=True, text=True).stdout.splitlines()
    assert changed == [f"Only in {copy / 'apilint' / 'knowledge' / 'libraries'}: fakehttp.py"]
    assert len(FAKEHTTP_RECORD.splitlines()) <= 25


def _state_changing_sender(record: HttpLibrary) -> tuple[str, str] | None:
    for function in record.request_functions:
        if function.name.endswith(".post"):
            return _import(function.name), f"{function.name}(url, timeout=5)"
    return None


@pytest.mark.parametrize("record", [r for r in RECORDS if r.response is not None and r.response.body_attributes
                                    and _state_changing_sender(r) is not None], ids=lambda r: r.name)
def test_api202_on_every_library_with_checkable_responses(record: HttpLibrary) -> None:
    assert record.response is not None
    imports, call = _state_changing_sender(record) or ("", "")
    findings = check_source(f"{imports}\ndef f(url):\n    {call}\n", Settings(select=("API202",)))
    assert [(f.line, f.code) for f in findings] == [(4, "API202")]
    assert (findings[0].fix is not None) == record.response.raise_for_status_chainable


@pytest.mark.parametrize("record", [r for r in RECORDS if r.exceptions.builtin_replacements
                                    and _sync_sender(r) is not None], ids=lambda r: r.name)
def test_api303_advises_every_librarys_own_classes(record: HttpLibrary) -> None:
    imports, call = _sync_sender(record) or ("", "")
    for builtin, replacement in record.exceptions.builtin_replacements:
        name = builtin.split(".")[1]
        source = f"{imports}\ndef f(url):\n    try:\n        return {call}\n    except {name}:\n        return None\n"
        findings = check_source(source, Settings(select=("API303",)))
        assert [f.code for f in findings] == ["API303"] and replacement in findings[0].message
