"""API303: catching the builtin ConnectionError/TimeoutError around library calls that never raise them."""

from __future__ import annotations

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.needs import HttpHandlers
from apilint.engine.traversal import Visit
from apilint.knowledge.exceptions import (
    LIBRARY_REPLACEMENT,
    RAISES_BUILTINS_PREFIXES,
    hierarchy,
)
from apilint.knowledge.http_clients import record
from apilint.rules.base import FixBuilder, Rule, RuleContext, make_fix
from apilint.rules.edits import import_insertion
from apilint.semantic.exceptions import (
    ExceptionResolver,
    http_libraries,
    import_binding,
    other_qualified_calls,
)

_BUILTINS = {"builtins.ConnectionError": "ConnectionError", "builtins.TimeoutError": "TimeoutError"}
_BUILTIN_CLASSES = frozenset(_BUILTINS)
# Calls that do raise the builtins: their presence makes the handler meaningful.
_RAISES_BUILTINS = ("socket.", "ssl.", "asyncio.", "concurrent.", "subprocess.", "multiprocessing.",
                    *RAISES_BUILTINS_PREFIXES)


class BuiltinExceptionForLibrary(Rule):
    """## What it does
    Checks for handlers of the builtin `ConnectionError` or `TimeoutError`
    (or `socket.timeout`, its alias) whose `try` body makes only `requests`,
    `httpx` or `urllib3` calls.

    ## Why is this bad?
    Those libraries raise their own classes. `requests.exceptions.ConnectionError`
    derives from `OSError`, not from the builtin `ConnectionError`; httpx
    raises `httpx.ConnectError` and `httpx.TimeoutException`; urllib3 wraps
    socket timeouts in its own `ReadTimeoutError`. The handler never catches
    the failure it was written for, and the error escapes. (aiohttp is not
    reported: its timeouts are `asyncio.TimeoutError`, the builtin since
    Python 3.11.)

    ## Example
    ```python
    import requests

    def ping(url):
        try:
            return requests.head(url, timeout=3).ok
        except ConnectionError:
            return False
    ```

    ## Use instead
    ```python
    import requests

    def ping(url):
        try:
            return requests.head(url, timeout=3).ok
        except requests.exceptions.ConnectionError:
            return False
    ```

    ## Fix safety
    The fix replaces the builtin with the library's class
    (`requests.exceptions.ConnectionError` / `requests.exceptions.Timeout`,
    `httpx.ConnectError` / `httpx.TimeoutException`, urllib3's
    `NewConnectionError` / `TimeoutError`), adding the import if needed. It is
    unsafe: the handler starts catching failures that used to propagate.

    ## Options
    - `target-version`

    ## References
    - [requests: Exceptions](https://requests.readthedocs.io/en/latest/api/#exceptions)
    - [httpx: Exceptions](https://www.python-httpx.org/exceptions/)
    """

    code = "API303"
    name = "builtin-exception-for-library"
    message = "{library} never raises the builtin {builtin}: this handler misses the failure; catch {instead}"
    fix_title = "Catch the library's class instead"
    fix_availability = FixAvailability.ALWAYS
    fix_safety = Applicability.UNSAFE
    options = ("target-version",)
    node_types = (cst.Try, cst.TryStar)

    needs = (HttpHandlers(catching=_BUILTIN_CLASSES),)

    def check(self, visit: Visit, ctx: RuleContext) -> None:
        node = visit.node
        assert isinstance(node, (cst.Try, cst.TryStar))
        libraries = http_libraries(ctx.resolver, node.body, visit.scope)
        if len(libraries) != 1 or libraries[0] not in LIBRARY_REPLACEMENT:
            return
        library = libraries[0]
        if any(name.startswith(_RAISES_BUILTINS) for name in other_qualified_calls(ctx.resolver, node.body, visit.scope)):
            return
        exceptions = ExceptionResolver(ctx.resolver, hierarchy(self.settings.target_version))
        owner = record(library)
        for handler in node.handlers:
            classes = exceptions.caught(handler, visit.scope)
            if any(c.canonical and c.canonical.partition(".")[0] in owner.roots for c in classes):
                continue  # it also catches the library's own classes
            for klass in classes:
                if klass.node is None or klass.canonical not in _BUILTINS:
                    continue
                replacement = LIBRARY_REPLACEMENT[library][klass.canonical]
                ctx.report(type(self), handler, fix=_qualify_fix(klass.node, replacement, ctx),
                           library=library, builtin=_BUILTINS[klass.canonical], instead=replacement)


def _qualify_fix(node: cst.BaseExpression, replacement: str, ctx: RuleContext) -> FixBuilder:
    spelled = import_binding(ctx.resolver, replacement)
    module = ctx.resolver.model.module_scope.node
    assert isinstance(module, cst.Module)

    def build(loc: Locator) -> Fix | None:
        edits = [(loc.start(node), loc.end(node), spelled or replacement)]
        if spelled is None:
            edits.append(import_insertion(module, loc, f"import {replacement.split('.')[0]}"))
        return make_fix(BuiltinExceptionForLibrary, edits)

    return build
