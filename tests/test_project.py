"""Whole-project resolution (issue 15): the fixture project, root and module naming, the index."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from apilint.engine.engine import check_source
from apilint.project.build import build_project, view_for
from apilint.project.root import absolute_import, module_name, project_root
from apilint.settings import Settings

PROJECT = Path(__file__).parent / "fixtures_project"
EXPECT = re.compile(r"#\s*expect:\s*(API\d+)")
_LINE = re.compile(r"^(.*?):(\d+):\d+: (API\d+) ")


def _expected() -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(PROJECT.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for code in EXPECT.findall(line):
                found.add((path.relative_to(PROJECT).as_posix(), number, code))
    return found


def _parse(output: str) -> set[tuple[str, int, str]]:
    found = set()
    for line in output.splitlines():
        match = _LINE.match(line)
        if match:
            path = Path(match.group(1))
            path = (PROJECT / path) if not path.is_absolute() else path
            found.add((path.resolve().relative_to(PROJECT.resolve()).as_posix(), int(match.group(2)), match.group(3)))
    return found


def _cli(*paths: str) -> set[tuple[str, int, str]]:
    proc = subprocess.run([sys.executable, "-m", "apilint", "--isolated", "--no-cache", "--exit-zero", "-q", *paths],
                          cwd=PROJECT, capture_output=True, text=True, check=True)
    return _parse(proc.stdout)


def test_fixture_project_same_findings_whole_each_file_and_flake8() -> None:
    expected = _expected()
    whole = _cli(".")
    assert whole == expected
    alone: set[tuple[str, int, str]] = set()
    for path in sorted(PROJECT.rglob("*.py")):
        alone |= _cli(path.relative_to(PROJECT).as_posix())
    assert alone == expected
    for jobs in ("1", "2"):  # in flake8's process, and in its -j workers (each builds the index it needs)
        proc = subprocess.run([sys.executable, "-m", "flake8", "-j", jobs, "--select", "API", "."], cwd=PROJECT,
                              capture_output=True, text=True)
        assert _parse(proc.stdout) == expected


def test_pre_check_and_reduction_never_hide_a_project_finding() -> None:
    settings = Settings()
    for path in sorted(PROJECT.rglob("*.py")):
        view = view_for(path)
        assert view is not None
        text = path.read_text()
        full = check_source(text, settings, project=view, precheck=False)
        for precheck, exact in ((True, True), (True, False)):
            quick = check_source(text, settings, project=view, precheck=precheck, exact=exact)
            assert [(f.line, f.code) for f in quick] == [(f.line, f.code) for f in full], path


def test_without_the_project_the_cross_module_calls_are_silent() -> None:
    text = (PROJECT / "shop/api/users.py").read_text()
    assert [f for f in check_source(text, Settings()) if f.code == "API101"] == []


def test_root_and_module_names(tmp_path: Path) -> None:
    marked = tmp_path / "proj"
    (marked / "src" / "pkg" / "sub").mkdir(parents=True)
    (marked / "setup.cfg").write_text("")
    for init in (marked / "src" / "pkg" / "__init__.py", marked / "src" / "pkg" / "sub" / "__init__.py"):
        init.write_text("")
    module = marked / "src" / "pkg" / "sub" / "mod.py"
    module.write_text("")
    root = project_root(module)
    assert root == marked.resolve()
    assert module_name(module, root) == "pkg.sub.mod"
    assert module_name(marked / "src" / "pkg" / "__init__.py", root) == "pkg"
    # No marker: the directory above the top-most package.
    loose = tmp_path / "loose" / "wheel"
    (loose / "lib" / "inner").mkdir(parents=True)
    (loose / "lib" / "__init__.py").write_text("")
    (loose / "lib" / "inner" / "__init__.py").write_text("")
    assert project_root(loose / "lib" / "inner" / "x.py") == loose.resolve()
    assert module_name(loose / "lib-1.0.data" / "x.py", loose.resolve()) is None
    assert absolute_import("a.b.c", False, 2, "x") == "a.x"
    assert absolute_import("a.b", True, 1, None) == "a.b"
    assert absolute_import("a", False, 3, "x") is None


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "pyproject.toml").write_text("")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_summary_and_index_follow_re_exports_factories_and_bases(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "p/__init__.py": "",
        "p/compat.py": "import requests as http\nfrom requests import Session\n",
        "p/make.py": "from .compat import Session\n\ndef new():\n    return Session()\n\nS = new()\n",
        "p/base.py": ("from p.make import new\n\nclass Base:\n    def __init__(self):\n        self.s = new()\n\n"
                      "    def _call(self, url, **kw):\n        return self.s.get(url, **kw)\n"),
    })
    index = build_project(root).index
    assert index.canonical("p.compat.http.get") == "requests.get"
    assert index.canonical("p.make.Session") == "requests.Session"
    assert index.factory("p.make.new") is not None
    assert index.client_at("p.make.S") is not None
    assert index.attribute_client("p.base.Base", "s") is not None
    wrapper = index.method_wrapper("p.base.Base", "_call")
    assert wrapper is not None and wrapper.target == "requests.Session.get"


def test_cycles_and_conflicts_give_no_opinion(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "q/__init__.py": "",
        "q/a.py": "from .b import S\nimport requests\n",
        "q/b.py": "from .a import S\nimport requests\n",
        "q/c.py": "try:\n    from requests import Session\nexcept ImportError:\n    from httpx import Client as Session\n",
        "q/d.py": "import requests\n\nclass Session(requests.Session):\n    pass\n\nSession = None\n",
        "q/e.py": ("import requests\n\ndef f(**kw):\n    return g(**kw)\n\ndef g(**kw):\n    return f(**kw)\n\n"
                   "def h(url, **kw):\n    kw.setdefault('timeout', 3)\n    return requests.get(url, **kw)\n"),
    })
    index = build_project(root).index
    assert index.canonical("q.a.S") == "q.a.S"  # a cycle: unchanged, nothing known
    assert index.client_at("q.a.S") is None
    assert index.canonical("q.c.Session") == "q.c.Session"  # two imports: conflict
    assert index.class_client("q.c.Session") is None
    assert index.class_client("q.d.Session") is None  # class and assignment: conflict
    assert index.wrapper("q.e.f") is None  # wrappers of each other, never an HTTP call
    assert index.wrapper("q.e.h") is None  # sets a timeout on the way


def test_fix_adds_timeouts_to_cross_module_calls_not_to_wrapper_calls(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "project"
    shutil.copytree(PROJECT, copy)
    proc = subprocess.run([sys.executable, "-m", "apilint", "--isolated", "--no-cache", "--select", "API101", "--diff",
                           "."], cwd=copy, capture_output=True, text=True)
    added = [line for line in proc.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    # One per proven cross-module call of the fixture project (shared_use.py, guarded*.py, the three of
    # factories_use.py and the three of overrides_use.py whose classes take the keyword included); none on
    # a wrapper call.
    assert len(added) == 16 and all("timeout=10" in line for line in added)
    assert not any("_request" in line or "_get" in line or "fetch_json" in line for line in added)


def test_fix_never_adds_a_timeout_to_a_project_method_that_takes_none(tmp_path: Path) -> None:
    # `Api.get(self, path)` overrides the library's method: `Api().get(p, timeout=10)` raises TypeError.
    # Found by scripts/fix_roundtrip.py's receiver audit (property 7) once it ran with the project view.
    root = _project(tmp_path, {
        "p/__init__.py": "",
        "p/client.py": ("import requests\n\nclass Api(requests.Session):\n    def get(self, path):\n"
                        "        return self.request('GET', 'https://x' + path)\n\n"
                        "class Kw(requests.Session):\n    def get(self, path, **kwargs):\n"
                        "        return super().get('https://x' + path, **kwargs)\n"),
        "p/use.py": ("from p.client import Api, Kw\n\nclass Mine(Api):\n    def extra(self):\n"
                     "        return self.get('/c')\n\ndef api():\n    return Api().get('/a')\n\n"
                     "def mine():\n    return Mine().get('/b')\n\ndef kw():\n    return Kw().get('/d')\n"),
    })
    proc = subprocess.run([sys.executable, "-m", "apilint", "--isolated", "--no-cache", "--diff", "."], cwd=root,
                          capture_output=True, text=True)
    added = [line for line in proc.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    # `Kw.get` takes `**kwargs` (the index reads each method's signature): the keyword reaches the library.
    assert added == ["+        return self.request('GET', 'https://x' + path, timeout=10)",
                     "+    return Kw().get('/d', timeout=10)"]
    reported = subprocess.run([sys.executable, "-m", "apilint", "--isolated", "--no-cache", "-q", "p/use.py"],
                              cwd=root, capture_output=True, text=True).stdout
    # `Api().get(p)` runs the project's `get`, as in its own module: no library call (its body is reported).
    assert [line.split(":")[1] for line in reported.splitlines()] == ["14"]


def test_no_fix_where_a_project_class_of_another_module_cannot_take_the_timeout() -> None:
    # requests hands `get`'s timeout to `self.request`, `self.send` and `self.resolve_redirects`
    # (the record's timeout_delegations): a definition of one of them in shop/overrides.py (or a mixin
    # ahead of the client, or a subclass here) without `timeout`/`**kwargs` makes `timeout=` a TypeError;
    # so does a subclass in overrides_use.py for `self.get(...)` in overrides.py and for a parameter
    # annotated with the base class (not for an instance made by calling the base class).
    proc = subprocess.run([sys.executable, "-m", "apilint", "--isolated", "--no-cache", "--diff",
                           "shop/overrides.py", "shop/overrides_use.py"], cwd=PROJECT, capture_output=True, text=True)
    added = [line.split("(")[0].strip("+ ") for line in proc.stdout.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    assert added == ["KeywordsSession", "UnrelatedSession", "FetchingSession"]


def test_a_factory_returning_its_parameter_proves_no_client(tmp_path: Path) -> None:
    # `init(session)` returns what the caller passed unless it is None: the module alone proves no client,
    # so the index must not either (its safe fix added `timeout=` to whatever object a caller passes).
    root = _project(tmp_path, {
        "p/__init__.py": "",
        "p/util.py": ("import requests\n\ndef init(session=None):\n    if session is None:\n"
                      "        session = requests.Session()\n    return session\n\n"
                      "def local(url):\n    return init().get(url)\n\n"
                      "def typed(session: requests.Session | None = None) -> requests.Session:\n"
                      "    return session or requests.Session()\n"),
        "p/use.py": "from p.util import init, typed\n\ndef remote(url, s):\n    return init(s).get(url)\n\n"
                    "def annotated(url, s):\n    return typed(s).get(url)\n",
    })
    index = build_project(root).index
    assert index.factory("p.util.init") is None
    assert index.factory("p.util.typed") is not None
    findings = {(f.line, f.code) for f in check_source((root / "p/use.py").read_text(), Settings(),
                                                       project=view_for(root / "p/use.py"))}
    assert findings == {(7, "API101")}


def test_a_guard_narrows_a_factory_parameter_across_modules(tmp_path: Path) -> None:
    # pandas-datareader's `_init_session`: the caller may pass anything, but past
    # `if not isinstance(session, requests.Session): raise` what it returns is a Session.
    from textwrap import dedent

    root = _project(tmp_path, {
        "p/__init__.py": "",
        "p/util.py": dedent("""\
            import requests

            class Other:
                pass

            def init(session=None):
                if session is None:
                    session = requests.Session()
                else:
                    if not isinstance(session, requests.Session):
                        raise TypeError(session)
                return session

            def either(session):
                if not isinstance(session, (requests.Session, requests.sessions.Session)):
                    return None
                return session

            def goes_on(session):
                if not isinstance(session, requests.Session):
                    print(session)
                return session

            def unknown(session):
                if not isinstance(session, Other):
                    raise TypeError(session)
                return session

            def rebound(session, wrap):
                if not isinstance(session, requests.Session):
                    raise TypeError(session)
                session = wrap(session)
                return session

            class Reader:
                def __init__(self, session):
                    if not isinstance(session, requests.Session):
                        raise TypeError(session)
                    self.session = session
            """),
        "p/use.py": dedent("""\
            from p.util import Reader, either, goes_on, init, rebound, unknown

            def a(url, s):
                return init(s).get(url)

            def b(url, s):
                return either(s).get(url)

            def c(url, s):
                return goes_on(s).get(url)

            def d(url, s):
                return unknown(s).get(url)

            def e(url, s, w):
                return rebound(s, w).get(url)

            class Mine(Reader):
                def f(self, url):
                    return self.session.get(url)
            """),
    })
    index = build_project(root).index
    assert index.factory("p.util.init") is not None
    assert index.factory("p.util.either") is not None
    assert index.factory("p.util.goes_on") is None
    assert index.factory("p.util.unknown") is None
    assert index.factory("p.util.rebound") is None
    assert index.attribute_client("p.util.Reader", "session") is not None
    findings = {(f.line, f.code) for f in check_source((root / "p/use.py").read_text(), Settings(),
                                                       project=view_for(root / "p/use.py"))}
    assert findings == {(4, "API101"), (7, "API101"), (20, "API101")}
