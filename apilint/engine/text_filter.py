"""The text filter: which rules can fire in a file, judged from its raw text before any parse.

A finding about HTTP calls needs a name bound by an import of an HTTP library
(resolution goes through imports), and an import that binds no client,
request function, connection, timeout or retry object (`from requests import
HTTPError`) cannot lead to one. The exception rules need `except` clauses.
Every answer over-approximates: "no" only when the rule cannot fire.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from apilint.knowledge.http_clients import (
    CLIENT_CONSTRUCTORS,
    CONNECTION_CONSTRUCTORS,
    HTTP_MODULE_ROOTS,
    REQUEST_FUNCTIONS,
    SUBMODULE_ROOTS,
    TIMEOUT_CONSTRUCTORS,
)
from apilint.knowledge.retries import HTTP_ADAPTERS, HTTPX_TRANSPORTS, URLLIB3_RETRY

if TYPE_CHECKING:
    from apilint.engine.needs import TextTest

# An `import`/`from` statement and the rest of its line: backslash continuations and a parenthesised
# name list (comments inside it included) are followed. A statement starts a line or follows `;` or
# the `:` of a one-line compound statement; `from` in prose ("sent from requests") does not count.
_IMPORT_LINE = re.compile(r"(?:import|from)[ \t\\](?:[^\\\n(]|\\(?:\r?\n|.)|\((?:[^)#]|#[^\n]*)*\)?)*")
_IDENTIFIER = re.compile(r"\w+")
# Packages whose HTTP library is a submodule (`urllib`, `http`) are mostly imported for urllib.parse /
# http.HTTPStatus. A `from` import of them binds only the names it lists, so it can reach an HTTP call
# only by naming one of these submodules; `import urllib.parse` binds the package, which reaches one
# only through an attribute `.request` / `.client` written somewhere in the file.
_WEAK_ROOTS = frozenset(SUBMODULE_ROOTS)
_COMMENT = re.compile(r"#[^\r\n]*")
_SUBMODULE_ATTRIBUTE = re.compile(
    r"\.[ \t\f\\\r\n]*(?:" + "|".join(sorted(frozenset().union(*SUBMODULE_ROOTS.values()))) + r")\b"
)


# Every qualified name under an HTTP library that the analysis resolves: clients, request functions,
# connections, timeout objects and retry configuration. `from requests import HTTPError, Response`
# binds none of them (nor a prefix of one), so it cannot lead to an HTTP call.
_HTTP_NAMES = frozenset({
    *CLIENT_CONSTRUCTORS, *REQUEST_FUNCTIONS, *CONNECTION_CONSTRUCTORS, *TIMEOUT_CONSTRUCTORS,
    *URLLIB3_RETRY, *HTTP_ADAPTERS, *HTTPX_TRANSPORTS,
})
_FROM_IMPORT = re.compile(r"\s*from\s+([\w.]+)\s+import\s+(.*)", re.DOTALL)
_PLAIN_IMPORT = re.compile(r"\s*import\s+(.*)", re.DOTALL)


def _prefixes(names: Iterable[str]) -> frozenset[str]:
    """Each name and every dotted prefix of it (`requests`, `requests.adapters`, ...)."""
    found: set[str] = set()
    for name in names:
        parts = name.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return frozenset(found)


_HTTP_PREFIXES = _prefixes(_HTTP_NAMES)


@lru_cache(maxsize=16)
def _http_prefixes(extra_names: frozenset[str]) -> frozenset[str]:
    """With `extra-clients` names: computed once per settings, not per file."""
    return _HTTP_PREFIXES | _prefixes(extra_names) if extra_names else _HTTP_PREFIXES


class TextIndex:
    """The text-level filter for one file: which words occur, which names appear on import lines.

    `extra_names`: qualified names the settings make clients (`extra-clients`), which count as
    HTTP names too. `project_libraries`: the HTTP libraries the file reaches through the names it
    imports from other modules of its project (a re-export, a client, a wrapper), from the index.
    """

    def __init__(self, text: str, extra_names: Iterable[str] = (), project_libraries: frozenset[str] = frozenset()) -> None:
        self.text = text
        self._project_libraries = project_libraries
        self._imported: frozenset[str] | None = None
        self._http_prefixes = _http_prefixes(frozenset(extra_names))

    def imports_any(self, roots: frozenset[str]) -> bool:
        """Can the text import any of these modules? (Over-approximates: any word on an import line.)"""
        if not self._project_libraries.isdisjoint(roots):
            return True
        if self._imported is None:
            words: set[str] = set()
            reaches_submodule: bool | None = None
            for line in _import_statements(self.text):
                found = set(_IDENTIFIER.findall(line))
                libraries = found & HTTP_MODULE_ROOTS
                if libraries:
                    found -= libraries
                    bound = _bound_names(line)
                    if bound is None:
                        found |= libraries  # cannot tell what it binds: it may bind anything
                    for qualified in bound or ():
                        root = qualified.partition(".")[0]
                        if root not in HTTP_MODULE_ROOTS or qualified not in self._http_prefixes:
                            continue  # `from requests import HTTPError`: no client, no request
                        if qualified == root and root in _WEAK_ROOTS:
                            # `import urllib.parse` binds the package: it reaches urllib.request only
                            # through an attribute `.request` written somewhere in the file.
                            if reaches_submodule is None:
                                reaches_submodule = _SUBMODULE_ATTRIBUTE.search(self.text) is not None
                            if not reaches_submodule:
                                continue
                        found.add(root)
                words |= found
            self._imported = frozenset(words)
        return not self._imported.isdisjoint(roots)

    def passes(self, test: TextTest, http_roots: frozenset[str] | None) -> bool:
        """Can a site needing `test` occur in this text? `http_roots`: the modules an HTTP import
        names (settings widen them), None when any text may bind a client (`extra-clients` by bare name)."""
        if test.always:
            return True
        if test.http_import and (http_roots is None or self.imports_any(http_roots)):
            return True
        if test.imports and self.imports_any(test.imports):
            return True
        if test.words and all(self.mentions_any(group) for group in test.words):
            return True
        if test.repeated is not None and self.word_count(*test.repeated) >= test.repeated[1]:
            return True
        if test.handler_in_loop and self.has_handler_in_loop():
            return True
        return test.tuple_handler and self.has_tuple_handler()

    def mentions_any(self, words: frozenset[str]) -> bool:
        return any(next(self._word_ends(word), None) is not None for word in words)

    def word_count(self, word: str, limit: int) -> int:
        """Occurrences of `word` as a whole word (anywhere: strings and comments too), up to `limit`."""
        count = 0
        for _ in self._word_ends(word):
            count += 1
            if count >= limit:
                break
        return count

    def has_handler_in_loop(self) -> bool:
        """An `except` clause indented deeper than an earlier `for`/`while` header: a necessary sign of
        a handler inside a loop's body (a byte order mark may precede the first line's header). Lines
        in strings only add candidates (more "maybe")."""
        handlers = [(end - 6, width) for end in self._word_ends("except")
                    if (width := self._line_start_width(end - 6)) is not None]
        if not handlers:
            return False
        loops = [(end - len(word), width) for word in ("for", "while") for end in self._word_ends(word)
                 if (width := self._line_start_width(end - len(word), after_async=True)) is not None]
        shallowest: int | None = None  # the least indented loop header so far
        for _, kind, width in sorted([(at, 0, w) for at, w in loops] + [(at, 1, w) for at, w in handlers]):
            if kind == 0:
                shallowest = width if shallowest is None else min(shallowest, width)
            elif shallowest is not None and width > shallowest:
                return True
        return False

    def _line_start_width(self, at: int, after_async: bool = False) -> int | None:
        """The indentation of the line whose first word starts at `at` (any of Python's line ends;
        `async` may come first for a loop), measured as the tokenizer does (tabs to the next multiple
        of 8, a form feed restarts the column); None when something else comes first."""
        text = self.text
        start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
        prefix = text[start:at]
        if after_async:
            bare = prefix.rstrip(" \t")
            if bare.endswith("async") and len(bare) < len(prefix):
                prefix = bare[:-5]
        if prefix.strip(" \t\f\ufeff"):
            return None
        return len(prefix.rsplit("\f", 1)[-1].replace("\ufeff", "").expandtabs(8))

    def has_tuple_handler(self) -> bool:
        """`except (` / `except* (`: a handler naming several classes must parenthesise them."""
        text = self.text
        for end in self._word_ends("except"):
            while end < len(text) and text[end] in " \t\r\n\\*":
                end += 1
            if text.startswith("(", end):
                return True
        return False

    def _word_ends(self, word: str) -> Iterator[int]:
        # str.find is far faster than a regex starting with \b; check the word boundaries by hand.
        text = self.text
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            before = text[start - 1] if start else " "
            after = text[end] if end < len(text) else " "
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                yield end
            start = text.find(word, start + 1)


def _bound_names(statement: str) -> list[str] | None:
    """The qualified name each name bound by this import statement stands for, None if unsure.

    `from a.b import c as d` binds a.b.c; `import a.b` binds a; `import a.b as e` binds a.b.
    """
    text = _COMMENT.sub("", statement).replace("\\\r\n", " ").replace("\\\n", " ").replace("\\\r", " ")
    text = text.split(";", 1)[0]  # a later statement on the line is found on its own
    match = _FROM_IMPORT.match(text)
    if match is not None:
        module, names = match.groups()
        if module.startswith("."):
            return []  # the package's own modules: never an HTTP library's names
        names = names.strip()
        if names.startswith("("):
            names = names[1:].rstrip().removesuffix(")")
        bound = []
        for part in names.split(","):
            words = part.split()
            if not words:
                continue
            if not words[0].isidentifier() or len(words) not in (1, 3):
                return None  # `*` or something unexpected
            bound.append(f"{module}.{words[0]}")
        return bound
    match = _PLAIN_IMPORT.match(text)
    if match is None:
        return None
    bound = []
    for part in match.group(1).split(","):
        words = part.split()
        if not words:
            continue
        if not all(w.isidentifier() for w in words[0].split(".")) or len(words) not in (1, 3):
            return None
        bound.append(words[0] if len(words) == 3 else words[0].partition(".")[0])
    return bound


def _import_statements(text: str) -> Iterator[str]:
    """The text of each import statement (over-approximated: docstrings may hold some too).

    Every import statement has the word `import`; found with str.find (a regex scanning for
    `import|from` costs more than the rest of the text filter). Its statement starts at the start
    of its logical line (backslash continuations joined), or after the last `;` or `:` before it
    there: between the start and `import` there is at most `from <module>`, which holds neither.
    """
    position = text.find("import")
    while position >= 0:
        end = position + 6
        before = text[position - 1] if position else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            # The physical line, and the logical one if a backslash ends the line before (it may
            # also end a comment, which continues nothing: both are tried).
            for line_start in _line_starts(text, position):
                start = max(text.rfind(";", line_start, position), text.rfind(":", line_start, position)) + 1 or line_start
                while start < position and text[start] in " \t\f\\\r\n":
                    start += 1
                if text.startswith("import", start) or text.startswith("from", start):
                    match = _IMPORT_LINE.match(text, start)
                    if match is not None:
                        yield match.group()
        position = text.find("import", end)


def _line_starts(text: str, position: int) -> Iterator[int]:
    """Start of the physical line holding `position`, then of each earlier line ending with a backslash."""
    while True:
        start = max(text.rfind("\n", 0, position), text.rfind("\r", 0, position)) + 1
        yield start
        previous = start - 1  # the line break before this line (\n, \r or the \n of \r\n)
        if previous > 0 and text[previous] == "\n" and text[previous - 1] == "\r":
            previous -= 1
        if previous <= 0 or text[previous - 1] != "\\":
            return
        position = previous - 1
