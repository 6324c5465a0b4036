"""Blanking idle function bodies before the libcst parse (`apilint/engine/reduce.py`).

Two kinds of test: the text transformation keeps every line number, every kept byte
and valid syntax; and on code written so that a careless reduction would change the
answer (the analysis of one function reading another), findings with and without it
are the same, and the expected ones. Each of those cases also asserts that some body
was blanked, so none passes just because the reduction did nothing.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest

import apilint.engine.engine as engine_module
from apilint.engine.engine import check_source
from apilint.engine.ast_scan import scan_module
from apilint.engine.reduce import RECORDED_ATTRIBUTES, CrossFunctionFacts, Reduction, blank_idle_functions
from apilint.settings import parse_settings

from .conftest import FIXTURES

SETTINGS = parse_settings({"select": ["API"]}, "test")

CLIENT = textwrap.dedent("""\
    import requests


    class Api:
        def __init__(self, base):
            self.base = base
            self.session = requests.Session()

        def describe(self):
            text = "an idle method"
            parts = text.split()
            return " ".join(parts)

        def fetch(self, path):
            return self.session.get(self.base + path)
""")


def _blank(text: str, candidates: list[int], factories: frozenset[str] = frozenset(),
           words: frozenset[str] = frozenset()) -> str | None:
    """Blank with `session` taken as an attribute that may hold a client."""
    tree = ast.parse(text)
    recorded = RECORDED_ATTRIBUTES | {"session"}
    stores = [line for attr, line in scan_module(tree).attribute_stores if attr in recorded]
    reduction = blank_idle_functions(text, tree, candidates, CrossFunctionFacts(factories, stores, words))
    if reduction is not None:
        assert ast.dump(reduction.tree(tree), include_attributes=True) == ast.dump(ast.parse(reduction.text), include_attributes=True)
    return reduction.text if reduction is not None else None


def test_idle_method_is_blanked_keeping_lines_and_columns() -> None:
    reduced = _blank(CLIENT, [15])
    assert reduced is not None
    before, after = CLIENT.splitlines(), reduced.splitlines()
    assert len(before) == len(after)
    assert after[8:12] == ["    def describe():", "        pass", "", ""]  # signature and body blanked
    untouched = [i for i in range(len(before)) if i not in (8, 9, 10, 11)]
    assert [before[i] for i in untouched] == [after[i] for i in untouched]
    ast.parse(reduced)


def test_methods_read_from_elsewhere_are_kept() -> None:
    # __init__ assigns an attribute (the resolver reads self.session from fetch()).
    assert "self.session = requests.Session()" in (_blank(CLIENT, [15]) or "")


@pytest.mark.parametrize(("body", "name", "words"), [
    ("self.session = make()\n", "idle", ""),  # an attribute that may hold a client
    ("self.session: Session\n", "idle", ""),  # an annotation alone binds it too
    ("x.request = partial(x.request, timeout=3)\n", "idle", ""),  # a wrapped request method
    ("x.hooks = {'response': [check]}\n", "idle", ""),
    ("x.timeout = 5\n", "idle", ""),
    ("global SESSION\n    SESSION = make()\n", "idle", ""),
    ("x.mount('https://', adapter)\n", "idle", ""),
    ("kwargs.setdefault('timeout', 5)\n", "request", ""),  # a client subclass handling timeout
    ("kwargs = {'timeout': 5}\n", "idle", "timeout"),  # words an active rule gathers
    ("x.hooks['response'] = [check]\n", "idle", "hooks"),
    ("r.raise_for_status()\n", "idle", "raise_for_status|hooks"),
])
def test_bodies_with_cross_function_facts_are_kept(body: str, name: str, words: str) -> None:
    text = f"def {name}(self, items, x, r):\n    a = 1\n    b = 2\n    " + body
    assert _blank(text, [], words=frozenset(words.split("|")) - {""}) is None


@pytest.mark.parametrize("body", [
    "self.cache = {}\n",  # an attribute no client is ever assigned to
    "for self.session in items:\n        pass\n",  # a loop target: the model binds no value, never a client
    "kwargs = {'timeout': 5}\n",  # not a request method, and no active rule reads it
    "r.raise_for_status()\n",
])
def test_bodies_with_only_local_facts_are_blanked(body: str) -> None:
    text = "def idle(self, items, x, r):\n    a = 1\n    b = 2\n    " + body
    assert _blank(text, []) is not None


def test_factories_and_candidate_functions_are_kept() -> None:
    text = "def make():\n    a = 1\n    b = 2\n    return a\n\n\ndef other():\n    a = 1\n    b = 2\n    return b\n"
    assert _blank(text, [], frozenset({"make", "other"})) is None
    assert _blank(text, [8], frozenset({"make"})) is None
    reduced = _blank(text, [], frozenset({"make"}))
    assert reduced is not None and "return a" in reduced and "return b" not in reduced


def test_a_candidate_on_a_decorator_keeps_the_function() -> None:
    text = "@deco(1)\ndef f():\n    a = 1\n    b = 2\n    return a\n"
    assert _blank(text, [1]) is None


def test_a_candidate_outside_functions_turns_reduction_off() -> None:
    text = "import x\nr = x.get(u)\n\n\ndef idle():\n    a = 1\n    b = 2\n    return r.json()\n"
    assert _blank(text, [2]) is None
    assert _blank(text, []) is not None


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_tabs_and_form_feeds_are_kept(newline: str) -> None:
    lines = ["class A:", "\tdef f(self):", "\t\ta = '\f'", "\t\tb = 2", "\t\treturn b", "", "\fdef g():", "\treturn 1"]
    text = newline.join(lines)  # no newline at the end of the file
    reduced = _blank(text, [])
    assert reduced is not None
    assert reduced == newline.join(["class A:", "\tdef f():", "\t\tpass", "", "", "", "\fdef g():", "\treturn 1"])
    ast.parse(reduced)


def test_bodies_that_do_not_start_their_own_line_are_kept() -> None:
    assert _blank("def f(): a = 1; \\\n  b = 2; \\\n  c = 3\n", []) is None
    assert _blank("def f():\n    '''doc'''\n", []) is None  # too short to be worth it


def test_nested_functions_are_blanked_only_with_their_parent() -> None:
    text = "def outer():\n    def inner():\n        a = 1\n        b = 2\n        return a\n    return inner()\n"
    assert _blank(text, [6]) is None


CASES = {
    "client-from-init": ("""
        import requests
        class Api:
            def __init__(self):
                self.session = requests.Session()
                self.name = "api"
                self.retries = 3
            def idle(self):
                values = [1, 2, 3]
                total = sum(values)
                return total
            def fetch(self, url):
                return self.session.get(url)
    """, ["API101"]),
    "client-from-factory-method": ("""
        import requests
        class Api:
            def _client(self):
                s = requests.Session()
                s.verify = False
                return s
            def idle(self):
                values = [1, 2, 3]
                total = sum(values)
                return total
            def fetch(self, url):
                return self._client().get(url)
    """, ["API101"]),
    "default-timeout-from-subclass-method": ("""
        import requests
        class TimeoutSession(requests.Session):
            def request(self, method, url, **kwargs):
                kwargs.setdefault("timeout", 10)
                return super().request(method, url, **kwargs)
        class Api:
            def idle(self):
                values = [1, 2, 3]
                total = sum(values)
                return total
            def fetch(self, url):
                session = TimeoutSession()
                response = session.get(url)
                return response.json()
    """, ["API201"]),
    "timeout-adapter-mounted-elsewhere": ("""
        import requests
        session = requests.Session()
        def setup():
            adapter = TimeoutAdapter(timeout=5)
            session.mount("https://", adapter)
            return adapter
        def idle():
            values = [1, 2, 3]
            total = sum(values)
            return total
        def fetch(url):
            return session.get(url).json()
    """, ["API201"]),
    "raising-hook-defined-elsewhere": ("""
        import requests
        def check(response, *args, **kwargs):
            print("checking")
            response.raise_for_status()
            return response
        def idle():
            values = [1, 2, 3]
            total = sum(values)
            return total
        def fetch(url):
            session = requests.Session()
            session.hooks["response"].append(check)
            session.post(url, timeout=5)
            return requests.get(url)
    """, ["API101"]),
    "global-client": ("""
        import requests
        SESSION = None
        def connect():
            global SESSION
            SESSION = requests.Session()
            return SESSION
        def idle():
            values = [1, 2, 3]
            total = sum(values)
            return total
        def fetch(url):
            return SESSION.get(url)
    """, ["API101"]),
    # The module-level response escapes into status() (no API201); blanking status() would
    # hide that use, so a candidate outside functions turns the reduction off.
    "module-response-used-in-function": ("""
        import requests
        r = requests.get("https://example.com", timeout=5)
        data = r.json()
        def status():
            code = r.status_code
            ok = code < 400
            return ok
        def fetch(url):
            return requests.get(url)
    """, ["API101"]),
    # The jitter is computed by a helper: blanking it made the loop look jitter-free (a false API402).
    "retry-wait-from-a-helper": ("""
        import random
        import time
        def idle():
            values = [1, 2, 3]
            total = sum(values)
            return total
        def backoff(attempt):
            base = 2 ** attempt
            spread = random.uniform(0, 1)
            return min(base + spread, 30)
        def call_with_retries(send):
            for attempt in range(5):
                try:
                    return send()
                except ConnectionError:
                    time.sleep(backoff(attempt))
            raise RuntimeError("gave up")
    """, []),
    "retry-wait-from-a-method": ("""
        import time
        import requests
        class Api:
            def __init__(self):
                self.session = requests.Session()
            def idle(self):
                values = [1, 2, 3]
                total = sum(values)
                return total
            def _delay(self):
                base = 2
                seconds = base
                return seconds
            def fetch(self, url):
                for attempt in range(5):
                    try:
                        return self.session.get(url, timeout=5)
                    except requests.ConnectionError:
                        time.sleep(self._delay())
                raise RuntimeError("gave up")
    """, ["API401"]),
    "handlers-in-one-method": ("""
        class Api:
            def idle(self):
                values = [1, 2, 3]
                total = sum(values)
                return total
            def parse(self, text):
                try:
                    return int(text)
                except Exception:
                    return None
                except ValueError:
                    return 0
    """, ["API302"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_reduction_never_changes_findings(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source, expected = CASES[name]
    text = textwrap.dedent(source)
    reduced: list[str | None] = []

    def spy(*args: object) -> Reduction | None:
        result = blank_idle_functions(*args)  # type: ignore[arg-type]
        reduced.append(result.text if result is not None else None)
        return result

    monkeypatch.setattr(engine_module, "blank_idle_functions", spy)
    key = lambda f: (f.code, f.line, f.col, f.end_line, f.end_col, f.message)  # noqa: E731
    fast = [key(f) for f in check_source(text, SETTINGS, exact=False)]
    assert fast == [key(f) for f in check_source(text, SETTINGS, exact=False, reduce=False)]
    assert fast == [key(f) for f in check_source(text, SETTINGS)]
    assert sorted({code for code, *_ in fast}) == expected
    if name != "module-response-used-in-function":
        assert any(r is not None and "values = [1, 2, 3]" not in r for r in reduced), "nothing was blanked"


def test_words_count_only_whole() -> None:
    text = "def idle(self):\n    amount = 1\n    globals()['x'] = amount\n    return read_timeout\n"
    assert _blank(text, [], words=frozenset({"timeout"})) is not None


def test_a_decorated_first_statement_is_blanked_from_its_decorator() -> None:
    text = "def deco(fn):\n    @functools.wraps(fn)\n    def wrapper(*a):\n        return fn(*a)\n    return wrapper\n"
    reduced = _blank(text, [])
    assert reduced == "def deco():\n    pass\n\n\n\n"


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_blanking_every_function_keeps_valid_code_and_lines(path: Path) -> None:
    """The engine falls back to the whole text when a reduced text does not parse: make sure it never has to."""
    text = path.read_text(encoding="utf-8")
    reduced = _blank(text, [])
    if reduced is None:
        return
    ast.parse(reduced)
    before, after = text.split("\n"), reduced.split("\n")
    assert len(before) == len(after)
    assert all(a == b or a.strip() in ("", "pass") or re.fullmatch(r"\s*(async )?def \w+\(\):", a)
               for a, b in zip(after, before))


def test_signatures_of_blanked_functions_are_simplified() -> None:
    text = ("class A:\n    @property\n    async def f(self, a: int = 1,\n                b: dict[str, int] | None = None,  # note\n"
            "                ) -> list[int]:\n        x = a\n        y = b\n        return [x]\n")
    assert _blank(text, []) == "class A:\n    @property\n    async def f():\n\n\n        pass\n\n\n"


def test_a_signature_naming_timeout_keeps_a_request_method() -> None:
    text = "class S(Session):\n    def request(self, method, url, timeout='timeout'):\n        a = 1\n        b = 2\n        return a\n"
    assert _blank(text, []) is None


def test_retry_reach_follows_names_stores_and_module_code() -> None:
    from apilint.engine.retry_reach import reached_lines

    text = textwrap.dedent("""\
        import time
        DELAY = compute_default()
        def compute_default():
            return 1
        class Api:
            policy = staticmethod(pick)
            def configure(self):
                self.tries = 3
            def fetch(self, send):
                for attempt in range(self.tries):
                    try:
                        return send()
                    except OSError:
                        time.sleep(self._wait(attempt) + DELAY + self.policy())
            def _wait(self, attempt):
                return helper(attempt)
            def unrelated(self):
                return 0
        def helper(n):
            return n
        def pick():
            return 2
        def idle():
            return 3
        alias = Api.unrelated
    """)
    tree = ast.parse(text)
    kept = reached_lines(tree, [12], scan_module(tree).attribute_stores)
    names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.lineno in kept}
    # fetch (the loop), _wait and helper (called), configure (stores `tries`), compute_default and pick
    # (through the module- and class-level bindings fetch reads); not unrelated() (named only by a
    # binding nothing kept reads) nor idle().
    assert names == {"fetch", "_wait", "helper", "configure", "compute_default", "pick"}
