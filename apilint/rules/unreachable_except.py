"""API302: a handler that an earlier handler of the same `try` already covers."""

from __future__ import annotations

import libcst as cst

from apilint.engine.findings import Applicability, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.needs import ShadowedHandlers
from apilint.engine.traversal import Visit
from apilint.knowledge.exceptions import hierarchy
from apilint.rules.base import FixBuilder, Rule, RuleContext, make_fix
from apilint.semantic.exceptions import Caught, ExceptionResolver

Handler = cst.ExceptHandler | cst.ExceptStarHandler


class UnreachableExcept(Rule):
    """## What it does
    Checks for `except` clauses that can never run because an earlier clause
    of the same `try` already catches the same class or a base class:
    `except requests.RequestException:` before `except requests.Timeout:`,
    `except OSError:` before `except requests.ConnectionError:` (requests'
    exceptions derive from `OSError`), `except ValueError:` before
    `except requests.JSONDecodeError:`, `except Exception:` before anything.

    apilint knows the class hierarchies of the builtins, requests, httpx,
    urllib3, aiohttp, `urllib.error`, `json`, `socket`, `ssl`, `asyncio` and
    `concurrent.futures` (for the configured `target-version`: on Python 3.10
    `asyncio.TimeoutError` is not yet the builtin `TimeoutError`), and of the
    exception classes defined in the module or in another module of the
    project (through their bases there). When only some classes of a
    tuple are shadowed, those names are reported. The message names the
    earlier handler's class that really covers each shadowed one.

    Changed in v2: a class apilint cannot resolve (a call such as
    `anyio.get_cancelled_exc_class()`, a name imported from a module it
    cannot see, a module class whose base is such a name) is never reported
    as shadowed, not even after `except Exception`: the cancellation classes
    of anyio, trio and gevent derive from `BaseException`, so the v1 report
    was wrong on real code. Aliases made by assignment in the module resolve
    (`Timeouts = (requests.Timeout, httpx.TimeoutException)`,
    `Error = requests.RequestException`), and nested tuples are tuples.

    ## Why is this bad?
    The specific handler was written for a reason (retry on a timeout, tell
    the user the host is down) and it silently never runs; the generic
    handler takes every case.

    ## Example
    ```python
    import requests

    def fetch(url):
        try:
            return requests.get(url, timeout=10)
        except requests.exceptions.RequestException:
            return None
        except requests.exceptions.Timeout:
            return "retry"
    ```

    ## Use instead
    ```python
    import requests

    def fetch(url):
        try:
            return requests.get(url, timeout=10)
        except requests.exceptions.Timeout:
            return "retry"
        except requests.exceptions.RequestException:
            return None
    ```

    ## Fix safety
    The fix moves the unreachable handler (with its comments) to just before
    the first handler that shadows it, keeping the order of everything else.
    It is safe: it only makes dead code reachable, as its author intended.
    A class caught twice gets no fix.

    ## Options
    - `target-version`

    ## References
    - [Python tutorial: Handling Exceptions](https://docs.python.org/3/tutorial/errors.html#handling-exceptions)
    - [pylint: bad-except-order (E0701)](https://pylint.readthedocs.io/en/stable/user_guide/messages/error/bad-except-order.html)
    """

    code = "API302"
    name = "unreachable-except"
    message = "{what} can never run: the earlier {by} already catches it"
    fix_title = "Move the handler before the one that shadows it"
    fix_availability = FixAvailability.SOMETIMES
    fix_safety = Applicability.SAFE
    options = ("target-version",)
    node_types = (cst.Try, cst.TryStar)

    needs = (ShadowedHandlers(),)  # dead handlers are bugs in any code

    def check(self, visit: Visit, ctx: RuleContext) -> None:
        node = visit.node
        assert isinstance(node, (cst.Try, cst.TryStar))
        exceptions = ExceptionResolver(ctx.resolver, hierarchy(self.settings.target_version))
        handlers: list[Handler] = list(node.handlers)
        caught = [exceptions.classes(h, visit.scope) for h in handlers]
        for index, handler in enumerate(handlers):
            shadowed: list[tuple[Caught, int, Caught]] = []
            for klass in caught[index]:
                cover = _first_cover(klass, caught[:index])
                if cover is not None:
                    shadowed.append((klass, *cover))
            if not shadowed:
                continue
            everything = len(shadowed) == len(caught[index])
            first_index = min(i for _, i, _ in shadowed)
            if everything:
                what = "this handler" if handler.type is None else f"`except {_text(handler)}`"
            else:
                names = list(dict.fromkeys(k.shown() for k, _, _ in shadowed))
                what = ", ".join(names) + " in this handler"
            same_class = any(k.canonical == c.canonical or k.text == c.text for k, _, c in shadowed)
            fix = None
            if everything and not same_class and handler.type is not None:
                fix = _move_fix(handler, handlers[first_index])
            ctx.report(type(self), handler, fix=fix, what=what, by=_covers_text([c for _, _, c in shadowed]))


def _covers_text(covers: list[Caught]) -> str:
    """The earlier classes that really catch the shadowed ones: "`except OSError`", "bare `except:`"."""
    texts = []
    for cover in covers:
        if cover.node is None:
            text = "bare `except:`"
        elif cover.written and cover.written != cover.text:
            text = f"`except {cover.written}` (its `{cover.text}`)"
        else:
            text = f"`except {cover.text}`"
        if text not in texts:
            texts.append(text)
    return " and ".join(texts)


def _first_cover(klass: Caught, earlier: list[list[Caught]]) -> tuple[int, Caught] | None:
    for index, handler_classes in enumerate(earlier):
        for candidate in handler_classes:
            if candidate.covers(klass):
                return index, candidate
    return None


def _text(handler: Handler) -> str:
    assert handler.type is not None
    return cst.Module([]).code_for_node(handler.type)


def _move_fix(handler: Handler, before: Handler) -> FixBuilder:
    def build(loc: Locator) -> Fix | None:
        text = loc.text
        first_line = loc.range(handler).start.line - len(handler.leading_lines)
        start = loc.offset(first_line, 0)
        end = loc.line_end(loc.end(handler))
        end = end + (2 if text.startswith("\r\n", end) else 1) if end < len(text) else end
        chunk = text[start:end]
        if not chunk.endswith(("\n", "\r")):
            chunk += loc.newline()
        target_line = loc.range(before).start.line - len(before.leading_lines)
        target = loc.offset(target_line, 0)
        return make_fix(UnreachableExcept, [(target, target, chunk), (start, end, "")])

    return build
