"""API301: a broad `except` around HTTP calls that does not re-raise."""

from __future__ import annotations

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.needs import AnyHandlers, HttpHandlers
from apilint.engine.traversal import Visit
from apilint.knowledge.exceptions import LIBRARY_BASE, LIBRARY_BASE_IMPORT, hierarchy
from apilint.knowledge.library_record import Library
from apilint.rules.base import FixBuilder, Rule, RuleContext, make_fix
from apilint.rules.edits import import_insertion
from apilint.semantic.exceptions import (
    BROAD,
    Caught,
    ExceptionResolver,
    calls_in,
    http_libraries,
    import_binding,
)
from apilint.semantic.handler_exits import hands_on, logs_traceback, reraises
from apilint.semantic.resolve import Resolver
from apilint.semantic.scope import Scope


class BroadExcept(Rule):
    """## What it does
    Checks for `except Exception`, `except BaseException` and bare `except:`
    (also inside a tuple, nested tuples included, and
    `contextlib.suppress(Exception)`) around code that makes an HTTP call,
    when the handler does not re-raise. A bare `raise` or `raise err` of the
    caught name, or a `raise … from …` (or `raise ….with_traceback(…)`) on
    every path, counts as re-raising; a bare `raise` inside a nested handler
    re-raises that handler's exception, not this one. Handing the exception
    object on also counts: to a callback (`self.on_exception(exc)`), an
    attribute or variable (`self.last_error = exc`), or the caller
    (`return exc`), as opposed to only logging it.

    Changed in v2 (ruff BLE001 parity, and maintainers rejected the v1
    reports): a handler that logs the caught exception with its traceback is
    not reported: an expression statement `<logger>.exception(…)`, or a
    logger method with an `exc_info=` that is not plainly false. As in ruff,
    a logger is `logging` itself, `logging.getLogger(…)`, `flask.current_app.logger`,
    or a name or attribute defined in the module whose last part starts with
    `log` or ends with `logger`/`logging` (`log`, `self.logger`, `LOGGER`); a
    name imported from another module is not known to be a logger, and
    `.exception()` on any other object does not count. `raise err` now counts
    as re-raising. A broad handler after one that already catches the
    library's base class (`except requests.RequestException:` …
    `except Exception:`) is the deliberate catch-all for the rest: network
    failures never reach it, and the suggested fix would duplicate the
    earlier handler, so it is not reported (with `broad-except = "all"` it is).

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
    When the `try` body calls exactly one HTTP library and does nothing else
    that can fail (only requests, `raise_for_status()` and status tests: no
    other call, no subscript), the fix replaces the broad class with that
    library's base class, adding the import if needed. Where the body also
    parses, indexes or calls other code, the broad handler may be absorbing
    failures the code expects (a missing key, a bad JSON body): no fix.
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

    needs = (HttpHandlers(catching=BROAD),)
    needs_with_option = {("broad-except", "all"): (AnyHandlers(),)}  # every broad handler, HTTP or not

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
        handlers: list[cst.ExceptHandler | cst.ExceptStarHandler] = list(node.handlers)
        caught = [exceptions.classes(h, visit.scope) for h in handlers]
        for index, handler in enumerate(handlers):
            broad = [c for c in caught[index] if c.is_broad()]
            if not broad or reraises(handler) or hands_on(handler) or logs_traceback(handler, ctx.resolver, visit.scope):
                continue
            if self.settings.broad_except != "all" and _failures_caught_before(libraries, caught[:index], exceptions):
                continue  # the network failures never reach this handler: it is the deliberate catch-all
            what = "bare `except:`" if broad[0].node is None else f"`except {broad[0].text}`"
            instead = _instead(libraries)
            where = f"around {_names(libraries)} calls " if libraries else "without re-raising "
            fix = None
            if (len(libraries) == 1 and len(broad) == 1 and not broad[0].written
                    and only_requests(node.body, ctx.resolver, visit.scope)):
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


_PLAIN_STATEMENTS = (cst.Expr, cst.Assign, cst.AnnAssign, cst.Return, cst.Pass, cst.Break, cst.Continue)
# Response methods whose failures are the library's own errors (unlike `.json()`/`.text()`, which may
# raise ValueError / UnicodeDecodeError): calling them keeps a try body "only requests".
_RESPONSE_METHODS = frozenset({"raise_for_status", "read", "aread", "close", "aclose", "release"})


def only_requests(body: cst.BaseSuite, resolver: Resolver, scope: Scope) -> bool:
    """Does the try body do nothing but make clients, send requests, check their status
    (`raise_for_status()`, status comparisons) and read raw bodies (`await resp.read()`)? Then the library's base class catches every failure the handler expects, and
    narrowing is acceptable unreviewed; any other call, subscript or statement may fail in a way the
    broad handler was written to absorb (a missing key, a bad JSON body)."""
    if not _plain_block(body):
        return False
    finder = _Subscripts()
    body.visit(finder)
    if finder.found:
        return False
    for call in calls_in(body):
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in _RESPONSE_METHODS and not call.args:
            continue
        if resolver.http_call(call, scope) is None and resolver.client_of(call, scope) is None:
            return False
    return True


def _plain_block(block: cst.CSTNode) -> bool:
    statements = block.body if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)) else ()
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            if not all(isinstance(small, _PLAIN_STATEMENTS) for small in statement.body):
                return False
        elif isinstance(statement, cst.With):
            if not _plain_block(statement.body):  # its items' calls are checked with the others
                return False
        elif isinstance(statement, (cst.If, cst.While)):
            orelse = statement.orelse
            if not _plain_block(statement.body) or (orelse is not None and not _plain_block(
                    orelse.body if isinstance(orelse, cst.Else) else cst.IndentedBlock([orelse]))):
                return False
        else:
            return False
    return bool(statements)


class _Subscripts(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Subscript(self, node: cst.Subscript) -> bool:
        self.found = True
        return False


def _failures_caught_before(libraries: list[Library], earlier: list[list[Caught]],
                            exceptions: ExceptionResolver) -> bool:
    """Does an earlier handler of the same `try` catch every failure of each library the body calls?"""
    if not libraries or not earlier:
        return False
    return all(any(klass.covers(base) for classes in earlier for klass in classes)
               for base in (exceptions.known_class(LIBRARY_BASE[lib]) for lib in libraries))


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
