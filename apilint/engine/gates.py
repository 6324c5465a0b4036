"""The engine's gates, derived from what each rule declares it needs (`Rule.needs`, `needs.py`).

No rule holds gating code: the text filter, the per-file decision and the
lines that keep libcst on a function all come from the declared needs, so a
new rule needs none, and a wrong declaration can only cost time, never a
finding (tests run every fixture and both corpora with the gates on and off).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from apilint.engine.needs import Need, TextTest
from apilint.engine.precheck import FileFacts
from apilint.engine.text_filter import TextIndex
from apilint.knowledge.http_clients import HTTP_MODULE_ROOTS

if TYPE_CHECKING:
    from apilint.rules.base import Rule
    from apilint.settings import Settings


def needs_of(rule: Rule) -> tuple[Need, ...]:
    """The rule's needs under its settings: an option value may widen them (`Rule.needs_with_option`)."""
    for (option, value), needs in rule.needs_with_option.items():
        if getattr(rule.settings, option.replace("-", "_")) == value:
            return needs
    return rule.needs


def http_import_roots(settings: Settings) -> frozenset[str] | None:
    """The modules whose import can bind a client; None when any file may (a bare `extra-clients` name)."""
    if any("." not in name for name, _ in settings.extra_clients):
        return None
    return HTTP_MODULE_ROOTS | settings.extra_client_roots()


def pass_text(rules: Sequence[Rule], index: TextIndex, settings: Settings) -> list[Rule]:
    """The rules one of whose needs the raw text allows."""
    roots = http_import_roots(settings)
    answers: dict[TextTest, bool] = {}  # most rules share a test (an HTTP import): each is run once

    def passes(test: TextTest) -> bool:
        if test not in answers:
            answers[test] = index.passes(test, roots)
        return answers[test]

    return [rule for rule in rules if any(passes(need.text_test()) for need in needs_of(rule))]


class Sites:
    """Where the active rules' needs occur in one file; each need is asked once, whichever rules share it."""

    def __init__(self, facts: FileFacts, settings: Settings) -> None:
        self.facts = facts
        self.settings = settings
        self._lines: dict[Need, list[int] | None] = {}

    def lines(self, need: Need) -> list[int] | None:
        if need not in self._lines:
            self._lines[need] = need.lines(self.facts, self.settings)
        return self._lines[need]

    def rule_lines(self, rule: Rule) -> list[int] | None:
        """Lines where the rule may report ([]: nowhere), None: anywhere in the file."""
        found: list[int] = []
        for need in needs_of(rule):
            lines = self.lines(need)
            if lines is None:
                return None
            found += lines
        return found

    def active(self, rules: Sequence[Rule]) -> list[Rule]:
        """The rules with a site in the file (the per-file decision)."""
        return [rule for rule in rules if self.rule_lines(rule) != []]

    def candidate_lines(self, rules: Sequence[Rule]) -> list[int] | None:
        """Every line an active rule may report at (the reduction keeps their functions), None: anywhere."""
        found: list[int] = []
        for rule in rules:
            lines = self.rule_lines(rule)
            if lines is None:
                return None
            found += lines
        return found
