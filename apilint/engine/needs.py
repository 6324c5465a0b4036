"""What a rule needs in a file to be able to fire, declared as data; the engine derives its gates.

A rule lists its `needs` (`Rule.needs`): kinds of candidate site in the module's
`ast` facts (an untimed HTTP call, a handler around one, a retry loop...), each
with the parameters that make it the rule's (which classes a handler must be able
to catch). From those declarations alone the engine derives, per rule:

1. the text filter: the raw-text test every site of the kind needs
   (`TextTest`, `Need.text`): no parse at all when no need's test passes;
2. the per-file decision: a rule runs when one of its needs has a site in the
   file (`Need.lines` is None or not empty);
3. the reduction: libcst skips the bodies of functions holding no site of an
   active rule (`reduce.py`); a need answering None ("the rule reads the whole
   file", e.g. a retry loop follows helpers into other functions) turns it off.

Every `lines` over-approximates where its rule can report: a site may be absent
from the rule's findings, never a finding from the sites. A rule without a
declaration gets `Anywhere()`: correct and unfiltered, so a wrong or missing
declaration can only cost time.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from apilint.engine.ast_model import dotted_name
from apilint.engine.precheck_exceptions import may_catch, may_repeat, may_shadow
from apilint.engine.retry_reach import reached_lines
from apilint.engine.precheck_patterns import (
    may_retry,
    read_unchecked,
    unbounded_timeout_object,
)
from apilint.knowledge.exceptions import hierarchy
from apilint.knowledge.http_clients import DEFAULT_TIMEOUT_ROOTS, TIMEOUT_CONSTRUCTORS

if TYPE_CHECKING:
    from apilint.engine.precheck import FileFacts
    from apilint.settings import Settings


@dataclass(frozen=True)
class TextTest:
    """What a file's raw text must show for a kind of site to occur in it (`text_filter.TextIndex.passes`).

    Any of the alternatives suffices; with none set the test always passes.
    """

    # An import that can bind an HTTP client, request function, timeout or retry object (or a
    # module the project index says leads to one; `extra-clients` widen it).
    http_import: bool = False
    imports: frozenset[str] = frozenset()  # an import line naming one of these modules
    # A mention of a word of every group (`(("except", "suppress"),)`: a handler or `suppress`).
    words: tuple[frozenset[str], ...] = ()
    repeated: tuple[str, int] | None = None  # a word mentioned at least this many times
    tuple_handler: bool = False  # `except (`: a handler naming several classes
    handler_in_loop: bool = False  # an `except` clause inside a loop's body (by its indentation)

    @property
    def always(self) -> bool:
        return not (self.http_import or self.imports or self.words or self.repeated or self.tuple_handler
                    or self.handler_in_loop)


class Need:
    """One kind of candidate site. Subclasses are frozen dataclasses: their fields are the parameters."""

    text: ClassVar[TextTest] = TextTest()

    def text_test(self) -> TextTest:
        """The raw-text test every site of this kind needs (parameterised kinds build it from their fields)."""
        return self.text

    def lines(self, facts: FileFacts, settings: Settings) -> list[int] | None:
        """Lines of this kind's sites in the file ([]: none), or None: anywhere (no reduction)."""
        return None


@dataclass(frozen=True)
class Anywhere(Need):
    """No declaration: the rule runs on every file and reads all of it."""


_HTTP = TextTest(http_import=True)


class HttpSites(Need):
    """A kind of site around HTTP calls: none in a file that reaches no HTTP library, and its text
    must import one (`sites` answers for the files that do)."""

    text: ClassVar[TextTest] = _HTTP

    def lines(self, facts: FileFacts, settings: Settings) -> list[int]:
        return self.sites(facts, settings) if facts.http_modules else []

    def sites(self, facts: FileFacts, settings: Settings) -> list[int]:
        raise NotImplementedError


@dataclass(frozen=True)
class UntimedCalls(HttpSites):
    """Calls that may send a request with no `timeout=` and no */** arguments."""

    # Only where a library without a default timeout is reached (httpx, aiohttp time out by themselves).
    without_default_timeout: bool = True

    def sites(self, facts: FileFacts, settings: Settings) -> list[int]:
        if not _reaches(facts, self.without_default_timeout):
            return []
        http = facts.calls.may_send
        return [c.lineno for c in facts.scan.untimed_calls if http(c)]


@dataclass(frozen=True)
class TimeoutFromName(HttpSites):
    """Calls that may send passing `timeout=<name>` / `timeout=self.<attr>`, and the stores of those attributes."""

    def sites(self, facts: FileFacts, settings: Settings) -> list[int]:
        if not _reaches(facts, True):
            return []
        found: list[int] = []
        attributes: set[str] = set()
        for call in facts.scan.calls:
            for keyword in call.keywords:
                value = keyword.value
                if keyword.arg != "timeout" or not facts.calls.may_send(call):
                    continue
                if type(value) is ast.Name:
                    found.append(call.lineno)
                elif type(value) is ast.Attribute and type(value.value) is ast.Name:
                    found.append(call.lineno)
                    attributes.add(value.attr)
        # `self.timeout = timeout` in `__init__`: that function holds the parameter reported.
        return found + facts.attribute_stores(frozenset(attributes)) if found else []


@dataclass(frozen=True)
class ClientTimeoutAttributes(HttpSites):
    """`x.timeout = ...` where `x` may be a client."""

    def sites(self, facts: FileFacts, settings: Settings) -> list[int]:
        return [t.lineno for t in facts.scan.timeout_targets if facts.calls.may_be_client(t)]


@dataclass(frozen=True)
class DisabledTimeouts(HttpSites):
    """`timeout=None` / `(x, None)` on a call that may send or make a client; an unbounded timeout object."""

    def sites(self, facts: FileFacts, settings: Settings) -> list[int]:
        calls = facts.calls
        found = [c.lineno for c in facts.scan.disabled_timeouts if calls.may_send(c) or calls.may_make_client(c)]
        roots = facts.timeout_roots  # only names imported from a module defining a timeout class spell one
        if roots:
            found += [c.lineno for c in facts.scan.calls
                      if (dotted_name(c.func) or ".").partition(".")[0] in roots
                      and any(unbounded_timeout_object(c, q) for q in calls.qualified(c.func) & TIMEOUT_CONSTRUCTORS.keys())]
        return found


@dataclass(frozen=True)
class ResponseReads(HttpSites):
    """A response whose body is read before any check of it, or read chained on the call."""

    def sites(self, facts: FileFacts, settings: Settings) -> list[int]:
        http = facts.calls.may_send
        found = [c.lineno for c in facts.scan.chained_body if http(c)]
        for block in facts.scan.functions_blocks:
            found += [call.lineno for name, call, position in block.responses
                      if read_unchecked(block, name, position) and http(call)]
        return found


@dataclass(frozen=True)
class DiscardedCalls(HttpSites):
    """A call that may send, as an expression statement."""

    def sites(self, facts: FileFacts, settings: Settings) -> list[int]:
        return [c.lineno for c in facts.scan.discarded if facts.calls.may_send(c)]


@dataclass(frozen=True)
class UncalledRaiseForStatus(HttpSites):
    """`r.raise_for_status` mentioned but not called."""

    def sites(self, facts: FileFacts, settings: Settings) -> list[int]:
        return list(facts.scan.uncalled_raise_for_status)


@dataclass(frozen=True)
class HttpHandlers(HttpSites):
    """`try` / `with suppress(...)` blocks around a call that may send, with a handler that may name one of `catching`."""

    catching: frozenset[str] = frozenset()

    def sites(self, facts: FileFacts, settings: Settings) -> list[int]:
        http = facts.calls.may_send
        guess = facts.guesser(hierarchy(settings.target_version))
        # The calls of the block: they sit in the function that holds its handlers.
        return [c.lineno for block in facts.scan.tries
                if any(may_catch(h, guess, self.catching) for h in block.handlers) and any(http(c) for c in block.calls)
                for c in block.calls]


@dataclass(frozen=True)
class AnyHandlers(Need):
    """Any `try` or `with` block, HTTP or not (a rule widened by an option to all code)."""

    text: ClassVar[TextTest] = TextTest(words=(frozenset({"except", "suppress"}),))

    def lines(self, facts: FileFacts, settings: Settings) -> list[int] | None:
        return None if facts.scan.has_try or facts.scan.has_with else []


@dataclass(frozen=True)
class ShadowedHandlers(Need):
    """A try with two or more handlers, one of which may catch what an earlier one catches."""

    text: ClassVar[TextTest] = TextTest(repeated=("except", 2))

    def lines(self, facts: FileFacts, settings: Settings) -> list[int]:
        guess = facts.guesser(hierarchy(settings.target_version))
        scan = facts.scan
        return [line for sequence, line in zip(scan.handler_sequences, scan.handler_sequence_lines)
                if may_shadow(sequence, guess)]


@dataclass(frozen=True)
class RepeatedTupleClasses(Need):
    """A handler tuple one class of which may be the same as, or covered by, another."""

    text: ClassVar[TextTest] = TextTest(tuple_handler=True)

    def lines(self, facts: FileFacts, settings: Settings) -> list[int]:
        guess = facts.guesser(hierarchy(settings.target_version))
        scan = facts.scan
        return [line for refs, line in zip(scan.tuple_handlers, scan.tuple_handler_lines) if may_repeat(refs, guess)]


@dataclass(frozen=True)
class RetryLoops(Need):
    """A loop around a call that may send (or a callable given as a parameter) that notices failures.

    A hand-written retry helper may import no HTTP library: it retries a callable it is given, and
    only when a handler inside the loop goes round (`retry_loops.loop_facts`), so its text has an
    `except` clause indented under a loop header. The analysis follows the module's helpers into
    their bodies, so the sites are the loops and every function it may read from them (`retry_reach.py`).
    """

    text: ClassVar[TextTest] = TextTest(http_import=True, handler_in_loop=True)

    def lines(self, facts: FileFacts, settings: Settings) -> list[int] | None:
        scan = facts.scan
        loops = [loop for loop in scan.loops if may_retry(loop, scan, facts.calls)]
        if not loops:
            return []
        return reached_lines(facts.tree, (call.lineno for loop in loops for call in loop.calls), scan.attribute_stores)


@dataclass(frozen=True)
class ImportsModules(Need):
    """An import of one of these modules (a retry decorator reads the function it decorates: the whole file)."""

    modules: frozenset[str] = frozenset()

    def text_test(self) -> TextTest:
        return TextTest(imports=self.modules)

    def lines(self, facts: FileFacts, settings: Settings) -> list[int] | None:
        return None if facts.modules & self.modules else []


@dataclass(frozen=True)
class CallsNamed(Need):
    """Calls of a function or method with one of these names, in a module importing one of `modules`."""

    names: frozenset[str] = frozenset()
    modules: frozenset[str] = frozenset()

    def text_test(self) -> TextTest:
        return TextTest(imports=self.modules)

    def lines(self, facts: FileFacts, settings: Settings) -> list[int]:
        if not facts.modules & self.modules:
            return []
        found = []
        for c in facts.scan.calls:
            func = c.func
            name = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
            if name in self.names:
                found.append(c.lineno)
        return found


def _reaches(facts: FileFacts, without_default_timeout: bool) -> bool:
    libraries = facts.http_modules - DEFAULT_TIMEOUT_ROOTS if without_default_timeout else facts.http_modules
    return bool(libraries)
