"""API101's fix and the methods a library hands `timeout` on to (`ClientKind.timeout_delegations`).

`requests.Session.get(url, timeout=10)` runs `self.request(..., timeout=10)`, then `self.send(...)`: a
project subclass defining one of those with a signature that cannot take `timeout=` turns the fix into
a TypeError. For every client of every record, and every method its delegation path reaches, such a
definition must withhold the fix (the call is still reported) and one taking `**kwargs` must not.
"""

from __future__ import annotations

import textwrap

import pytest

from apilint.engine.engine import check_source
from apilint.knowledge.libraries import RECORDS
from apilint.knowledge.library_record import ClientKind
from apilint.settings import Settings

_TWO_ARGUMENTS = frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"})

KINDS = {kind.name: kind for record in RECORDS for kind in record.clients}
CASES = [(kind, method, target) for kind in KINDS.values() for method in sorted(kind.methods)
         for target in sorted(kind.timeout_path(method) - {method})]


def _client_class(kind: ClientKind) -> str:
    return next(name for name in kind.constructors if name.rsplit(".", 1)[1][0].isupper())


def _source(kind: ClientKind, method: str, target: str, signature: str) -> str:
    base = _client_class(kind)
    arguments = '"GET", "https://x"' if method in _TWO_ARGUMENTS else '"https://x"'
    return textwrap.dedent(f"""\
        import {base.rsplit(".", 1)[0]}

        class Client({base}):
            def {target}({signature}):
                return None

        def use():
            return Client().{method}({arguments})
        """)


def _api101(source: str) -> list[bool]:
    """Per API101 finding: does it carry a fix?"""
    return [f.fix is not None for f in check_source(source, Settings(select=("API101",)))]


def test_the_records_hand_timeout_on_along_paths_read_from_the_libraries() -> None:
    assert KINDS["requests.Session"].timeout_path("get") == {"get", "request", "send", "resolve_redirects"}
    assert KINDS["urllib3.PoolManager"].timeout_path("request") == {
        "request", "request_encode_url", "request_encode_body", "urlopen", "_make_request"}
    for kind in KINDS.values():
        sources = {source for source, _ in kind.timeout_delegations}
        # Every delegation starts at a request method or at a method a delegation reaches (no stray entry).
        assert sources <= kind.timeout_receivers(), kind.name


@pytest.mark.parametrize("kind, method, target", CASES, ids=lambda v: getattr(v, "name", v))
def test_a_definition_on_the_path_that_refuses_timeout_withholds_the_fix(kind: ClientKind, method: str,
                                                                       target: str) -> None:
    accepting = _api101(_source(kind, method, target, "self, *args, **kwargs"))
    if not accepting:
        return  # the library applies a default timeout to this call: nothing to fix either way
    assert accepting == [True]
    assert _api101(_source(kind, method, target, "self, first, second=None")) == [False]


def test_some_path_of_each_library_without_default_timeout_is_checked() -> None:
    checked = {kind.library for kind, method, target in CASES
               if _api101(_source(kind, method, target, "self, *args, **kwargs"))}
    assert checked == {"requests", "urllib3", "niquests"}


REDUCED = '''\
import requests

URL = "https://api.example.com"


class Forwarding(requests.Session):
    def request(self, method, url, **kwargs):
        kwargs.setdefault("headers", {})
        headers = kwargs["headers"]
        headers["X-Trace"] = "1"
        return requests.Session.request(self, method, url, **kwargs)


class PathGetter(requests.Session):
    def get(self, url, **kwargs):
        kwargs.setdefault("headers", {})
        headers = kwargs["headers"]
        headers["X-Trace"] = "1"
        return requests.Session.request(self, "GET", URL + url, **kwargs)


def use():
    Forwarding().get(URL)
    PathGetter().get("/a")
'''


def test_reporting_reads_the_signatures_the_fix_reads() -> None:
    # Reporting blanks idle method bodies (engine/reduce.py) and used to shorten their signatures to
    # `request()`: the fix then looked refused (no fix on line 23) and `PathGetter().get` looked like the
    # project's own method taking no timeout (line 24 not reported), unlike `--fix` on the whole text.
    def found(exact: bool) -> list[tuple[int, bool]]:
        return [(f.line, f.fix is not None) for f in check_source(REDUCED, Settings(select=("API101",)), exact=exact)]

    assert found(exact=False) == found(exact=True) == [(23, True), (24, True)]
