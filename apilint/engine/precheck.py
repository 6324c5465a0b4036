"""The cheap pre-check: decide from raw text and the `ast` tree which rules can fire.

libcst parsing costs about ten times an `ast` parse, so most files should
never reach it. Both steps are sound filters: a finding needs an import of an
HTTP library (resolution goes through imports), so a file that never names
one cannot have a finding. A test runs every fixture with and without the
pre-check and asserts identical findings.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class AstFacts:
    http_modules: frozenset[str]  # roots of imported modules that can provide HTTP clients
    call_names: frozenset[str]  # last name of every called function / method
    stored_attributes: frozenset[str]  # attribute names assigned to (`x.timeout = …`)
    keywords: frozenset[str]  # keyword argument names used in calls
    has_try: bool = False  # any try statement (the exception rules need one)
    has_with: bool = False
    has_several_handlers: bool = False  # a try with two or more handlers (API302)
    has_tuple_handler: bool = False  # `except (A, B):` (API304)
    modules: frozenset[str] = frozenset()  # roots of every imported module
    has_loop: bool = False


@lru_cache(maxsize=16)
def _word_pattern(roots: frozenset[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, roots))) + r")\b")


def mentions_any(text: str, roots: frozenset[str]) -> bool:
    """Text-level filter: does any of the module roots occur as a word at all?"""
    return bool(roots) and _word_pattern(roots).search(text) is not None


def collect_facts(tree: ast.AST, roots: Iterable[str]) -> AstFacts:
    wanted = frozenset(roots)
    modules: set[str] = set()
    calls: set[str] = set()
    stored: set[str] = set()
    keywords: set[str] = set()
    has_try = has_with = several = tuples = loops = False
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Call:
            func = node.func  # type: ignore[attr-defined]
            if type(func) is ast.Attribute:
                calls.add(func.attr)
            elif type(func) is ast.Name:
                calls.add(func.id)
            for kw in node.keywords:  # type: ignore[attr-defined]
                if kw.arg is not None:
                    keywords.add(kw.arg)
        elif kind is ast.Attribute:
            if type(node.ctx) is ast.Store:  # type: ignore[attr-defined]
                stored.add(node.attr)  # type: ignore[attr-defined]
        elif kind is ast.Import:
            for alias in node.names:  # type: ignore[attr-defined]
                modules.add(alias.name.split(".", 1)[0])
        elif kind is ast.ImportFrom:
            if node.module and not node.level:  # type: ignore[attr-defined]
                modules.add(node.module.split(".", 1)[0])  # type: ignore[attr-defined]
        elif kind is ast.Try or kind is _TRY_STAR:
            has_try = True
            handlers = node.handlers  # type: ignore[attr-defined]
            several = several or len(handlers) > 1
            tuples = tuples or any(type(h.type) is ast.Tuple for h in handlers)
        elif kind is ast.With or kind is ast.AsyncWith:
            has_with = True
        elif kind is ast.For or kind is ast.While or kind is ast.AsyncFor:
            loops = True
    return AstFacts(frozenset(modules & wanted), frozenset(calls), frozenset(stored), frozenset(keywords),
                    has_try, has_with, several, tuples, frozenset(modules), loops)


_TRY_STAR = getattr(ast, "TryStar", ast.Try)
