"""Where each kind of pre-check candidate occurs (`Lines`), for keeping libcst off the rest.

The booleans of `AstFacts` say whether a rule may fire anywhere in a file; a file
that goes on to libcst then asks `Lines` where, so that functions holding no
candidate of an active rule need not be parsed (`reduce.py`).
"""

from __future__ import annotations

import ast

from apilint.engine.ast_model import Scan, dotted_name
from apilint.engine.precheck_calls import _Calls
from apilint.engine.precheck_patterns import _may_retry, _read_unchecked, _unbounded_timeout_object
from apilint.knowledge.http_clients import TIMEOUT_CONSTRUCTORS


class Lines:
    """Lines where each kind of pre-check candidate occurs, computed on demand.

    The per-rule booleans of `AstFacts` ask "anywhere?"; these ask "where?", for the files that
    go on to libcst: a function none of whose lines holds a candidate of an active rule cannot
    hold a finding of it, so its body need not be parsed (`reduce.py`). Same over-approximations.
    """

    def __init__(self, scan: Scan, calls: _Calls, timeout_roots: set[str]) -> None:
        self.scan = scan
        self.calls = calls
        self._timeout_roots = timeout_roots

    @property
    def factories(self) -> frozenset[str]:
        """Functions whose result may be a client: the resolver reads their bodies from elsewhere."""
        return frozenset(self.calls.factories)

    def attribute_stores(self, recorded: frozenset[str]) -> list[int]:
        """Lines assigning an attribute that may hold a client (`self.session = ...`) or one of `recorded`."""
        clients = self.calls.client_attributes
        return [line for attr, line in self.scan.attribute_stores if attr in clients or attr in recorded]

    def untimed_calls(self) -> list[int]:
        http = self.calls.may_send
        return [c.lineno for c in self.scan.untimed_calls if http(c)]

    def disabled_timeouts(self) -> list[int]:
        calls = self.calls
        found = [c.lineno for c in self.scan.disabled_timeouts if calls.may_send(c) or calls.may_make_client(c)]
        if self._timeout_roots:
            found += [c.lineno for c in self.scan.calls
                      if (dotted_name(c.func) or ".").partition(".")[0] in self._timeout_roots
                      and any(_unbounded_timeout_object(c, q) for q in calls.qualified(c.func) & TIMEOUT_CONSTRUCTORS.keys())]
        return found

    def timeout_attributes(self) -> list[int]:
        return [t.lineno for t in self.scan.timeout_targets if self.calls.may_be_client(t)]

    def response_reads(self) -> list[int]:
        http = self.calls.may_send
        found = [c.lineno for c in self.scan.chained_body if http(c)]
        for block in self.scan.functions_blocks:
            found += [call.lineno for name, call, position in block.responses
                      if _read_unchecked(block, name, position) and http(call)]
        return found

    def discarded_calls(self) -> list[int]:
        http = self.calls.may_send
        return [c.lineno for c in self.scan.discarded if http(c)]

    def uncalled_raise_for_status(self) -> list[int]:
        return list(self.scan.uncalled_raise_for_status)

    def http_tries(self) -> list[int]:
        """Calls inside try / suppress blocks that make HTTP calls (their handlers are in the same function)."""
        http = self.calls.may_send
        return [c.lineno for block in self.scan.tries if any(http(c) for c in block.calls) for c in block.calls]

    def calls_named(self, names: frozenset[str]) -> list[int]:
        found = []
        for c in self.scan.calls:
            func = c.func
            name = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
            if name in names:
                found.append(c.lineno)
        return found

    def retry_loops(self) -> list[int]:
        return [c.lineno for loop in self.scan.loops if _may_retry(loop, self.scan, self.calls) for c in loop.calls]
