"""The gates are derived from the rules' declared needs (engine/gates.py): rules hold no gating code."""

from __future__ import annotations

import libcst as cst

from apilint.engine.engine import check_source
from apilint.engine.gates import needs_of
from apilint.engine.needs import Anywhere, Need
from apilint.engine.traversal import Visit
from apilint.rules import ALL_RULES
from apilint.rules.base import Rule, RuleContext
from apilint.settings import Settings, parse_settings

_GATING_METHODS = ("precheck", "wants", "candidate_lines", "text_may_fire", "trigger_imports", "trigger_words")


def test_no_rule_holds_gating_code() -> None:
    for rule in ALL_RULES:
        for name in _GATING_METHODS:
            assert not hasattr(rule, name), f"{rule.__name__}.{name}: declare `needs` instead"


def test_needs_are_data_and_options_are_the_rules_own() -> None:
    for rule in ALL_RULES:
        declared = [rule.needs, *rule.needs_with_option.values()]
        for needs in declared:
            assert needs and all(isinstance(n, Need) for n in needs), rule.__name__
            assert len({*needs}) == len(needs)  # hashable (each is asked once per file) and distinct
        for option, _ in rule.needs_with_option:
            assert option in rule.options, f"{rule.__name__}: {option} is not one of its options"


def test_an_option_value_changes_the_needs() -> None:
    broad = next(r for r in ALL_RULES if r.code == "API301")
    narrow, wide = broad(Settings()), broad(parse_settings({"broad-except": "all"}, "test"))
    assert needs_of(narrow) == broad.needs
    assert needs_of(wide) != needs_of(narrow)


class _EveryCall(Rule):
    """A rule written with no declaration: it must see every file, whole (never gated away)."""

    code = "API999"
    name = "every-call"
    message = "a call"
    node_types = (cst.Call,)

    def check(self, visit: Visit, ctx: RuleContext) -> None:
        ctx.report(type(self), visit.node)


def test_a_new_rule_needs_no_gating_code() -> None:
    assert _EveryCall.needs == (Anywhere(),)
    text = "def f():\n    print(1)\n\n\ndef g():\n    return len([])\n"  # no HTTP, nothing any rule needs
    rules = [_EveryCall(Settings())]
    for exact in (True, False):
        assert [f.line for f in check_source(text, Settings(), rules, exact=exact)] == [2, 6]
