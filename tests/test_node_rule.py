"""`NodeRule[T]`: a rule that visits one node type gets it typed, and the type it is filed under is T."""

from __future__ import annotations

import libcst as cst
import pytest

from apilint.rules import ALL_RULES
from apilint.rules.base import NodeRule


def test_node_types_come_from_the_type_argument() -> None:
    node_rules = [rule for rule in ALL_RULES if issubclass(rule, NodeRule)]
    assert node_rules
    for rule in node_rules:
        (argument,) = [cst_type for base in rule.__orig_bases__ for cst_type in getattr(base, "__args__", ())]
        assert rule.node_types == (argument,), rule.code


def test_a_type_argument_that_is_not_a_node_class_is_refused() -> None:
    with pytest.raises(TypeError):
        class _NotANode(NodeRule[int]):  # type: ignore[type-var]  # the misuse under test
            pass

    class _Calls(NodeRule[cst.Call]):
        pass

    assert _Calls.node_types == (cst.Call,)
