"""API301: a broad `except` around HTTP calls that does not re-raise."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.precheck import AstFacts
from apilint.engine.precheck_exceptions import (
    Guesser,
    may_catch,
)
from apilint.engine.traversal import Visit
from apilint.knowledge.exceptions import LIBRARY_BASE, LIBRARY_BASE_IMPORT, hierarchy
from apilint.knowledge.library_record import Library
from apilint.rules.base import FixBuilder, Rule, RuleContext, make_fix
from apilint.rules.edits import import_insertion
from apilint.semantic.exceptions import (
    BROAD,
    ExceptionResolver,
    http_libraries,
    import_binding,
)
from apilint.semantic.scope import Scope


class BroadExcept(Rule):
    """## What it does
    Checks for `except Exception`, `except BaseException` and bare `except:`
    (also inside a tuple, and `contextlib.suppress(Exception)`) around code
    that makes an HTTP call, when the handler does not re-raise. A bare
    `raise`, or a `raise … from …` (or `raise ….with_traceback(…)`) on every
    path, counts as re-raising; so does handing the exception object to a
    callback (`self.on_exception(exc)`), as opposed to only logging it.

    With `broad-except = "all"`, every broad handler that does not re-raise is
    reported, HTTP call or not.

    ## Why is this bad?
    The handler was written for network failures, but it also swallows every
    bug in the surrounding code: a typo (`NameError`), a wrong key
    (`KeyError`), a bad argument (`TypeError`) all become "the request
    failed". The bug ships, and the logs blame the network. Catch the
    library's own base class instead (`requests.exceptions.RequestException`,
    `httpx.HTTPError`, `aiohttp.ClientError`, `urllib3.exceptions.HTTPError`,
    `urllib.error.URLError`); the message names the right one.

    ## Example
    ```python
    import requests

    def fetch(url):
        try:
            return requests.get(url, timeout=10).content
        except Exception:
            return None
    ```

    ## Use instead
    ```python
    import requests

    def fetch(url):
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            return response.content
        except requests.exceptions.RequestException:
            return None
    ```

    ## Fix safety
    When the `try` body calls exactly one HTTP library, the fix replaces the
    broad class with that library's base class, adding the import if needed.
    It is unsafe: exceptions the handler used to swallow now propagate, which
    is the point but changes what callers see.

    ## Options
    - `broad-except`

    ## References
    - [requests: Errors and Exceptions](https://requests.readthedocs.io/en/latest/user/quickstart/#errors-and-exceptions)
    - [httpx: Exceptions](https://www.python-httpx.org/exceptions/)
    - [PEP 760 discussion: bare excepts](https://peps.python.org/pep-0760/)
    """

    code = "API301"
    name = "broad-except"
    message = "{what} {where}hides bugs in this code as network errors; catch {instead}"
    fix_title = "Catch the library's base exception instead"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = Applicability.UNSAFE
    options = ("broad-except",)
    node_types = (cst.Try, cst.TryStar, cst.With)

    @classmethod
    def precheck(cls, facts: AstFacts) -> bool:
        return bool(facts.http_modules) and bool(facts.http_handlers)

    def trigger_imports(self) -> frozenset[str]:
        return frozenset() if self.settings.broad_except == "all" else super().trigger_imports()

    def trigger_words(self) -> frozenset[str]:
        return frozenset({"except", "suppress"}) if self.settings.broad_except == "all" else frozenset()

    def wants(self, facts: AstFacts) -> bool:
        if self.settings.broad_except == "all":
            return facts.has_try or facts.has_with  # every broad handler, HTTP or not
        if not self.precheck(facts):
            return False
        guess = Guesser(facts.exception_names, hierarchy(self.settings.target_version))
        return any(may_catch(h, guess, BROAD) for h in facts.http_handlers)

    def candidate_lines(self, facts: AstFacts) -> list[int] | None:
        if self.settings.broad_except == "all" or facts.lines is None:
            return None
        return facts.lines.http_tries()

    def check(self, visit: Visit, ctx: RuleContext) -> None:
        node = visit.node
        if isinstance(node, cst.With):
            self._check_suppress(node, visit.scope, ctx)
            return
        assert isinstance(node, (cst.Try, cst.TryStar))
        libraries = http_libraries(ctx.resolver, node.body, visit.scope)
        if not libraries and self.settings.broad_except != "all":
            return
        exceptions = ExceptionResolver(ctx.resolver, hierarchy(self.settings.target_version))
        for handler in node.handlers:
            broad = [c for c in exceptions.caught(handler, visit.scope) if c.is_broad()]
            if not broad or reraises(handler.body) or hands_on(handler):
                continue
            what = "bare `except:`" if broad[0].node is None else f"`except {broad[0].text}`"
            instead = _instead(libraries)
            where = f"around {_names(libraries)} calls " if libraries else "without re-raising "
            fix = None
            if len(libraries) == 1 and len(broad) == 1:
                fix = _narrow_fix(handler, broad[0].node, libraries[0], ctx)
            ctx.report(type(self), handler, fix=fix, what=what, where=where, instead=instead)

    def _check_suppress(self, node: cst.With, scope: Scope, ctx: RuleContext) -> None:
        for item in node.items:
            call = item.item
            if not isinstance(call, cst.Call):
                continue
            if ctx.resolver.qualified_name(call.func, scope) != "contextlib.suppress":
                continue
            exceptions = ExceptionResolver(ctx.resolver, hierarchy(self.settings.target_version))
            broad = [a for a in call.args if exceptions.resolve(a.value, scope).is_broad()]
            if not broad:
                continue
            libraries = http_libraries(ctx.resolver, node.body, scope)
            if not libraries and self.settings.broad_except != "all":
                continue
            where = f"around {_names(libraries)} calls " if libraries else ""
            text = cst.Module([]).code_for_node(broad[0].value)
            ctx.report(type(self), call, what=f"`suppress({text})`", where=where, instead=_instead(libraries))


def reraises(body: cst.BaseSuite) -> bool:
    """A bare `raise` anywhere in the handler, or `raise … from …` on every path."""
    finder = _BareRaise()
    body.visit(finder)
    return finder.found or _always_raises_from(body)


class _BareRaise(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Raise(self, node: cst.Raise) -> bool:
        if node.exc is None:
            self.found = True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def _always_raises_from(block: cst.CSTNode) -> bool:
    statements: Sequence[cst.CSTNode]
    if isinstance(block, cst.IndentedBlock) or isinstance(block, cst.SimpleStatementSuite):
        statements = block.body
    else:
        return False
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1]
    if isinstance(last, cst.Raise):
        return last.cause is not None or _keeps_traceback(last.exc)
    if isinstance(last, cst.If):
        orelse = last.orelse
        if orelse is None:
            return False
        other = orelse.body if isinstance(orelse, cst.Else) else orelse
        return _always_raises_from(last.body) and (
            _always_raises_from(other) if not isinstance(other, cst.If) else _always_raises_from(cst.IndentedBlock([other]))
        )
    return False


def _keeps_traceback(exc: cst.BaseExpression | None) -> bool:
    """`raise Error(...).with_traceback(tb)` chains the original like `raise … from …`."""
    return (isinstance(exc, cst.Call) and isinstance(exc.func, cst.Attribute)
            and exc.func.attr.value == "with_traceback")


_DISPLAY_CALLS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print",
                            "str", "repr", "format", "len", "isinstance", "type", "getattr", "hasattr"})


def hands_on(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    """The caught exception is passed to a callback (`self.on_exception(e)`, `future.set_exception(e)`), not only logged."""
    if handler.name is None or not isinstance(handler.name.name, cst.Name):
        return False
    finder = _HandedOn(handler.name.name.value)
    handler.body.visit(finder)
    return finder.found


class _HandedOn(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found = False

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        called = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if called not in _DISPLAY_CALLS and any(
            isinstance(arg.value, cst.Name) and arg.value.value == self.name for arg in node.args
        ):
            self.found = True
        return True


def _names(libraries: list[Library]) -> str:
    return " and ".join(libraries)


def _instead(libraries: list[Library]) -> str:
    if not libraries:
        return "the exceptions you expect, or re-raise"
    return " / ".join(LIBRARY_BASE[lib] for lib in libraries)


def _narrow_fix(handler: cst.ExceptHandler | cst.ExceptStarHandler, broad: cst.BaseExpression | None,
                library: Library, ctx: RuleContext) -> FixBuilder:
    base = LIBRARY_BASE[library]
    resolver = ctx.resolver
    spelled = import_binding(resolver, base)
    module = resolver.model.module_scope.node
    assert isinstance(module, cst.Module)
    root = LIBRARY_BASE_IMPORT[library]

    def build(loc: Locator) -> Fix | None:
        name = spelled or base
        edits = []
        if spelled is None:
            edits.append(import_insertion(module, loc, f"import {root}"))
        if broad is None:
            # bare `except:` -> `except <base>:`
            start = loc.start(handler)
            colon = loc.text.find(":", start)
            if colon < 0:
                return None
            edits.append((colon, colon, f" {name}"))
        else:
            edits.append((loc.start(broad), loc.end(broad), name))
        return make_fix(BroadExcept, edits)

    return build
