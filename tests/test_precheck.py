"""The pre-check's shortcuts, each against the full analysis on code written to slip past it.

Every case must give the same findings with and without the pre-check (it may
only skip files and rules that cannot fire), and the expected findings: a case
that reports nothing would let a pre-check that skips everything pass.
"""

from __future__ import annotations

import textwrap

import pytest

from apilint.engine.engine import check_source
from apilint.engine.needs import ResponseReads, UntimedCalls
from apilint.engine.precheck import FileFacts
from apilint.engine.text_filter import TextIndex
from apilint.knowledge.http_clients import HTTP_MODULE_ROOTS
from apilint.settings import parse_settings

CASES = {
    # A package import makes `urllib.request` reachable as an attribute.
    "urllib-package-import": ("""
        import urllib.parse
        def f(url):
            return urllib.request.urlopen(url)
    """, ["API101"]),
    "aliased-function": ("""
        from requests import get as fetch
        def f(url):
            return fetch(url)
    """, ["API101"]),
    "bound-method-alias": ("""
        import requests
        def f(url):
            session = requests.Session()
            send = session.post
            return send(url)
    """, ["API101"]),
    "factory-method-through-property": ("""
        import requests
        class Api:
            @property
            def http(self):
                return requests.Session()
            def fetch(self, url):
                return self.http.get(url)
    """, ["API101"]),
    "factory-function-annotation-only": ("""
        import requests
        def make() -> "requests.Session":
            ...
        def f(url):
            return make().get(url)
    """, ["API101"]),
    "optional-alias-annotation": ("""
        from typing import Optional as Maybe
        import requests
        def f(url, session: Maybe[requests.Session] = None):
            return session.get(url)
    """, ["API101"]),
    "client-subclass-self": ("""
        import requests
        class Base(requests.Session):
            pass
        class Api(Base):
            def fetch(self, url):
                return self.get(url)
    """, ["API101"]),
    "class-attribute-client": ("""
        import requests
        class Api:
            http = requests.Session()
            def fetch(self, url):
                return self.http.get(url)
    """, ["API101"]),
    "walrus-binding": ("""
        import requests
        def f(url):
            if (s := requests.Session()):
                return s.get(url)
    """, ["API101"]),
    # v2: a check after the body use counts (the v1 order is `response-check-order = true`).
    "read-before-later-check": ("""
        import requests
        def f(url):
            r = requests.get(url, timeout=5)
            data = r.json()
            r.raise_for_status()
            return data
    """, []),
    "read-before-later-check-elsewhere": ("""
        import requests
        def f(url):
            r = requests.get(url, timeout=5)
            data = r.json()
            return data
        def g(r):
            r.raise_for_status()
    """, ["API201"]),
    "check-only-in-other-function": ("""
        import requests
        def g(r):
            r.raise_for_status()
        def f(url):
            r = requests.get(url, timeout=5)
            return r.json()
    """, ["API201"]),
    "rebinding-after-check": ("""
        import requests
        def f(url):
            r = requests.get(url, timeout=5)
            r.raise_for_status()
            r = requests.get(url, timeout=5)
            return r.text
    """, ["API201"]),
    "session-timeout-attribute-annotated": ("""
        import requests
        def f(url):
            s = requests.Session()
            s.timeout: float
            return s.get(url, timeout=5)
    """, ["API103"]),
    "session-timeout-attribute-on-subclass-self": ("""
        import requests
        class Api(requests.Session):
            def __init__(self):
                super().__init__()
                self.timeout = 5
    """, ["API103"]),
    "timeout-object-unbounded": ("""
        import httpx
        def f(url):
            return httpx.get(url, timeout=httpx.Timeout(None))
    """, ["API102"]),
    "aiohttp-timeout-object-empty": ("""
        from aiohttp import ClientTimeout as T
        TIMEOUT = T()
    """, ["API102"]),
    "shadowing-through-module-class-chain": ("""
        class ApiError(OSError):
            pass
        class RateLimited(ApiError):
            pass
        def f():
            try:
                pass
            except OSError:
                pass
            except RateLimited:
                pass
    """, ["API302"]),
    "shadowing-through-import-alias": ("""
        from requests.exceptions import RequestException as Base, ConnectTimeout as CT
        def f():
            try:
                pass
            except Base:
                pass
            except CT:
                pass
    """, ["API302"]),
    # v2 (principle 1): a class from a module apilint cannot see may derive from BaseException.
    "redundant-unknown-after-exception": ("""
        from somewhere import CustomError
        def f():
            try:
                pass
            except (Exception, CustomError):
                pass
    """, []),
    "redundant-module-class-after-exception": ("""
        class CustomError(ValueError):
            pass
        def f():
            try:
                pass
            except (Exception, CustomError):
                pass
    """, ["API304"]),
    "unreachable-through-alias": ("""
        import requests
        Error = requests.RequestException
        def f(url):
            try:
                requests.get(url, timeout=1)
            except Error:
                pass
            except requests.Timeout:
                pass
    """, ["API302"]),
    "unreachable-through-tuple-alias": ("""
        import requests
        Errors = (ValueError, requests.RequestException)
        def f(url):
            try:
                requests.get(url, timeout=1)
            except Errors:
                pass
            except requests.Timeout:
                pass
    """, ["API302"]),
    "broad-in-nested-tuple": ("""
        import requests
        def f(url):
            try:
                requests.get(url, timeout=1)
            except ((Exception, ValueError), KeyError):
                pass
    """, ["API301"]),
    "broad-suppress-around-call": ("""
        import contextlib
        import requests
        def f(url):
            with contextlib.suppress(Exception):
                requests.get(url, timeout=5)
    """, ["API301"]),
    "builtin-timeout-alias": ("""
        import socket
        import requests
        def f(url):
            try:
                return requests.get(url, timeout=5)
            except socket.timeout:
                return None
    """, ["API303"]),
    "retry-loop-over-given-callable": ("""
        import time
        def retry(call):
            while True:
                try:
                    return call()
                except Exception:
                    time.sleep(1)
    """, ["API401", "API403"]),
    "retry-loop-over-count": ("""
        import itertools
        import time
        import requests
        def f(url):
            for attempt in itertools.count():
                try:
                    return requests.get(url, timeout=5)
                except requests.ConnectionError:
                    time.sleep(1)
    """, ["API401", "API403"]),
    "retry-loop-over-called-factory": ("""
        import time
        import requests
        def f(url):
            for attempt in (lambda: range(3))():
                try:
                    return requests.get(url, timeout=5)
                except requests.ConnectionError:
                    time.sleep(1)
    """, ["API401"]),
    "retry-loop-truth-test": ("""
        import time
        import requests
        def f(url):
            for attempt in range(5):
                r = requests.get(url, timeout=5)
                if r:
                    return r
                time.sleep(2)
    """, ["API401", "API404"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_precheck_agrees_with_the_full_analysis(name: str) -> None:
    source, expected = CASES[name]
    text = textwrap.dedent(source)
    settings = parse_settings({"select": ["API"]}, "test")
    with_precheck = check_source(text, settings)
    assert with_precheck == check_source(text, settings, precheck=False)
    key = lambda f: (f.code, f.line, f.col, f.end_line, f.end_col, f.message)  # noqa: E731
    assert [key(f) for f in check_source(text, settings, exact=False)] == [key(f) for f in with_precheck]
    assert sorted({f.code for f in with_precheck}) == expected


@pytest.mark.parametrize(("line", "imports"), [
    ("from urllib.parse import quote", False),
    ("from http import HTTPStatus", False),
    ("from urllib.request import urlopen", True),
    ("from urllib import request", True),
    ("from http import client as c", True),
    ("import urllib.parse", False),  # binds the package, but nothing names urllib.request
    ("import urllib.parse\nurllib.request.urlopen(u)", True),  # the package reaches urllib.request
    ("import urllib as u\nu . request.urlopen(x)", True),
    ("import http\nc = http.\\\n    client.HTTPConnection(h)", True),
    ("from urllib import (\n    parse,  # (quote)\n    request,\n)", True),
    ("from urllib import (parse,\n    request)", True),
    ("from urllib import (\n    parse,\n)", False),
    ('"""Sent from requests made by the client."""', False),  # prose, not an import
    ("x = 1; import requests", True),
    ("if TYPE_CHECKING: import httpx", True),
    ("try:import aiohttp\nexcept ImportError: pass", True),
    ("\fimport requests", True),
    ("x = 1\rimport requests\r", True),  # old Mac line endings
    ("from requests \\\n    import get", True),  # `import` on a continuation line
    ("x = 1  # a comment ending with a backslash \\\nimport requests", True),
    ('"""\nfrom requests, the client makes a call\n"""', False),  # no `import`: prose
    ("from importlib import import_module  # requests", False),
    # Only imports that can bind a client, a request function or a retry/timeout object count.
    ("from requests import HTTPError, Response", False),
    ("from requests.exceptions import HTTPError", False),
    ("import requests.exceptions as rexc", False),
    ("from httpx import Response", False),
    ("from . import requests", False),  # the package's own module
    ("from requests.adapters import HTTPAdapter", True),
    ("from requests import Session as S", True),
    ("from requests import *", True),
    ("from requests import (\n    HTTPError,  # (errors)\n    Session,\n)", True),
    ("from requests import HTTPError; import requests", True),
    ("from aiohttp import ClientTimeout", True),
    ("from requests.packages.urllib3.util.retry import Retry", True),
    ("import http.client as hc", True),
    ("import os, \\\n    requests", True),
    ("from httpx import Client", True),
    ("import urllib3", True),
])
def test_text_filter_import_lines(line: str, imports: bool) -> None:
    assert TextIndex(line + "\n").imports_any(frozenset(HTTP_MODULE_ROOTS)) is imports


@pytest.mark.parametrize(("text", "tuple_handler", "excepts"), [
    ("try:\n    pass\nexcept (A, B):\n    pass\n", True, 1),
    ("try:\n    pass\nexcept* (A, B):\n    pass\n", True, 1),
    ("try:\n    pass\nexcept \\\n    (A, B):\n    pass\n", True, 1),
    ("try:\n    pass\nexcept A:\n    pass\nexcept B:\n    pass\n", False, 2),
    ("exceptions = 1  # except_ and exception are other words\n", False, 0),
])
def test_text_filter_handlers(text: str, tuple_handler: bool, excepts: int) -> None:
    index = TextIndex(text)
    assert index.has_tuple_handler() is tuple_handler
    assert index.word_count("except", 5) == excepts


_RETRY_BODY = "        try:\n            return send()\n        except OSError:\n            pass\n"


@pytest.mark.parametrize(("text", "inside"), [
    ("def f(send):\n    while True:\n" + _RETRY_BODY, True),
    ("async def f(send):\n    async for _ in gen():\n" + _RETRY_BODY, True),
    ("def f(send):\n\tfor i in range(3):\n\t\ttry:\n\t\t\tsend()\n\t\texcept OSError:\n\t\t\tpass\n", True),
    # Old Mac line ends: Python splits lines at a lone \r too.
    ("def f(send):\r    while True:\r        try:\r            send()\r        except OSError:\r            pass\r", True),
    # A form feed restarts the column, as in the tokenizer: the loop is at column 4, the handler at 8.
    ("def f(send):\n\f    while True:\n        try:\n            send()\n        except OSError:\n            pass\n", True),
    # A byte order mark before a loop on the first line.
    ("\ufeffwhile True:\n    try:\n        send()\n    except OSError:\n        pass\n", True),
    # A handler, and a loop elsewhere: no handler inside a loop.
    ("def f(send):\n    try:\n        send()\n    except OSError:\n        pass\n    for x in y:\n        send(x)\n", False),
    ("def f(send):\n    for x in y:\n        send(x)\n\ndef g():\n    try:\n        pass\n    except OSError:\n        pass\n", False),
    ("for x in y:\n    print(x)\n", False),
])
def test_text_filter_handler_in_loop(text: str, inside: bool) -> None:
    """RetryLoops' text test when no HTTP import: a helper's callable is retried only by a handler in the loop."""
    assert TextIndex(text).has_handler_in_loop() is inside
    import ast

    loops = [n for n in ast.walk(ast.parse(text.lstrip("\ufeff"))) if isinstance(n, (ast.For, ast.AsyncFor, ast.While))]
    handlers_in_loops = any(isinstance(n, (ast.Try, getattr(ast, "TryStar", ast.Try))) and n.handlers
                            for loop in loops for n in ast.walk(loop))
    assert handlers_in_loops is inside  # the cases mean what they say


def test_unrelated_calls_are_not_http_calls() -> None:
    """The scan must actually be selective: dict.get and friends do not send requests."""
    import ast

    text = textwrap.dedent("""
        import requests
        def f(params, data: dict):
            response = requests.get("u", timeout=5)
            response.raise_for_status()
            values = response.json().get("values", [])
            return params.get("x"), data.get("y"), values
    """)
    facts = FileFacts(ast.parse(text), HTTP_MODULE_ROOTS)
    settings = parse_settings({"select": ["API"]}, "test")
    assert UntimedCalls().lines(facts, settings) == []
    assert ResponseReads().lines(facts, settings) == []
