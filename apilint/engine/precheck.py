"""The cheap pre-check: decide from raw text and the `ast` tree which rules can fire.

libcst parsing costs about ten times an `ast` parse, so most files should
never reach it. Every step is a sound filter: it answers "maybe" whenever the
libcst analysis could report something.

1. Text (`text_filter.py`): a finding about HTTP calls needs an import of an
   HTTP library that can bind a client or request function (resolution goes
   through imports), so a file with none is skipped without parsing.
2. `ast` scan (`ast_scan.py`): which calls may be HTTP calls, judged by the
   same conventions as the resolver but over every binding of a name in the
   module at once (`FileFacts`); then, per rule, whether a site of what it
   needs occurs (a response read, a handler around one, a retry loop...) and
   where (`needs.py`, from the rules' declarations).

Tests run every fixture with and without the pre-check and compare findings.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import cached_property

from apilint.engine.ast_model import ClassRef, Scan, class_ref, flatten_tuple
from apilint.engine.ast_scan import scan_module
from apilint.engine.precheck_calls import _Calls
from apilint.engine.precheck_exceptions import ExceptionNames, Guesser
from apilint.knowledge.exceptions import Hierarchy
from apilint.knowledge.http_clients import TIMEOUT_CONSTRUCTORS
from apilint.project.view import ProjectView


class FileFacts:
    """The `ast` facts of one module that the rules' needs (`needs.py`) are judged on.

    The scan and the call guesses are computed once; each need then asks for the sites it
    is about, so a file pays only for the questions its active rules ask.
    """

    def __init__(self, tree: ast.AST, roots: Iterable[str], extra_clients: Iterable[str] = (),
                 project: ProjectView | None = None) -> None:
        self.tree = tree
        scan = self.scan = scan_module(tree)
        project_libraries: set[str] = set()
        if project is not None:
            # As the resolver: imported names through the project (re-exports followed, relative made absolute).
            imported = {q for bound in scan.imports.values() for q in bound}
            for bound in scan.imports.values():
                bound |= {project.canonical(q) for q in bound}
            project_libraries = project.libraries(imported)
        self._extra_clients = frozenset(extra_clients)
        self._project = project
        self.modules = frozenset(scan.modules)  # roots of every imported module
        # Roots of imported modules that can provide HTTP clients (directly or through the project).
        self.http_modules = frozenset((scan.modules | project_libraries) & frozenset(roots))
        self._guessers: dict[int, Guesser] = {}

    # Computed on first use: a file whose active rules only judge handler classes (API302, API304)
    # never guesses which calls send, one whose rules only follow calls never guesses classes.
    @cached_property
    def calls(self) -> _Calls:
        return _Calls(self.scan, self._extra_clients, self._project)

    @cached_property
    def timeout_roots(self) -> frozenset[str]:
        """Only names imported from a module that defines a timeout class can spell one."""
        return frozenset(name for name, bound in self.scan.imports.items()
                         if any(t == q or t.startswith(q + ".") for q in bound for t in TIMEOUT_CONSTRUCTORS))

    @cached_property
    def exception_names(self) -> ExceptionNames:
        scan = self.scan
        return ExceptionNames(
            {name: frozenset(qualified) for name, qualified in scan.imports.items()},
            {name: tuple(class_ref(b) for b in bases) for name, bases in scan.class_bases.items()},
            frozenset(scan.other_bound),
            _class_aliases(scan),
        )

    def guesser(self, table: Hierarchy) -> Guesser:
        """What the handlers' class names may resolve to, under one exception hierarchy (per target version)."""
        found = self._guessers.get(id(table))
        if found is None:
            found = self._guessers[id(table)] = Guesser(self.exception_names, table, self._project)
        return found

    @property
    def factories(self) -> frozenset[str]:
        """Functions whose result may be a client: the resolver reads their bodies from elsewhere."""
        return frozenset(self.calls.factories)

    def attribute_stores(self, recorded: frozenset[str]) -> list[int]:
        """Lines assigning an attribute that may hold a client (`self.session = ...`) or one of `recorded`."""
        clients = self.calls.client_attributes
        return [line for attr, line in self.scan.attribute_stores if attr in clients or attr in recorded]


def _class_aliases(scan: Scan) -> dict[str, tuple[ClassRef, ...]]:
    """Names assigned a class name or a tuple of them, anywhere in the module (over-approximates the resolver)."""
    aliases: dict[str, tuple[ClassRef, ...]] = {}
    for name, values in scan.name_values.items():
        refs = tuple(class_ref(leaf) for value, _ in values
                     if value is not None and type(value) in (ast.Name, ast.Attribute, ast.Tuple)
                     for leaf in flatten_tuple(value))
        if refs:
            aliases[name] = refs
    return aliases

