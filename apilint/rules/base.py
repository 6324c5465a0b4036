"""The rule protocol: declarative metadata plus one `check` per collected node."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast, get_args, get_origin

import libcst as cst

from apilint.engine.findings import Applicability, Edit, Finding, Fix, FixAvailability
from apilint.engine.locate import Locator
from apilint.engine.needs import Anywhere, Need
from apilint.engine.traversal import Visit
from apilint.semantic.resolve import Resolver

if TYPE_CHECKING:
    from apilint.settings import Settings

FixBuilder = Callable[[Locator], "Fix | None"]
_Node = TypeVar("_Node", bound=cst.CSTNode)


@dataclass(frozen=True, eq=False)
class Report:
    """What a rule reports: positions and the fix are resolved later, only if needed."""

    rule: type[Rule]
    node: cst.CSTNode
    message: str
    fix: FixBuilder | None = None


@dataclass(eq=False)
class RuleContext:
    resolver: Resolver
    settings: Settings
    parent_of: Mapping[cst.CSTNode, cst.CSTNode]
    reports: list[Report] = field(default_factory=list)
    # Analyses shared by several rules (e.g. one retry analysis for API401-API406), keyed by node.
    cache: dict[tuple[str, int], object] = field(default_factory=dict)

    def report(self, rule: type[Rule], node: cst.CSTNode, fix: FixBuilder | None = None, **fields: object) -> None:
        self.reports.append(Report(rule, node, rule.message.format(**fields), fix))


class Rule:
    """Base class. A rule's docstring is its documentation (ruff's sections)."""

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]  # str.format template
    fix_title: ClassVar[str | None] = None
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    fix_safety: ClassVar[Applicability | None] = None
    options: ClassVar[tuple[str, ...]] = ()  # settings keys the rule reads
    node_types: ClassVar[tuple[type[cst.CSTNode], ...]] = ()
    # What the rule needs in a file to be able to fire: kinds of candidate site (engine/needs.py).
    # The engine derives the text filter, the per-file decision and the reduction from them
    # (engine/gates.py); the default, `Anywhere()`, runs the rule on every file, whole.
    needs: ClassVar[tuple[Need, ...]] = (Anywhere(),)
    # Option values that change what the rule needs: {("option-name", value): needs}.
    needs_with_option: ClassVar[Mapping[tuple[str, object], tuple[Need, ...]]] = {}
    # Words of the facts `check` reads from other functions than the one it reports in (see
    # engine/reduce.py): a function mentioning one is always parsed when the rule is active.
    cross_function_words: ClassVar[frozenset[str]] = frozenset()
    # Opt-in rules run only when selected by more than the family prefix (`API001`, not `API`).
    explicit_selection: ClassVar[bool] = False
    # Rules that judge the other rules' findings (`review`) instead of visiting nodes.
    reviews_findings: ClassVar[bool] = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def check(self, visit: Visit, ctx: RuleContext) -> None:
        raise NotImplementedError

    def review(self, text: str, findings: Sequence[Finding], enabled: frozenset[str]) -> list[Finding]:
        """For `reviews_findings` rules: findings about the text given the other rules' findings."""
        return []


class NodeRule(Rule, Generic[_Node]):
    """A rule that visits one node type, named once as the type argument: `class R(NodeRule[cst.Call])`.

    `node_types` is derived from the argument and the traversal hands a rule only nodes whose type is
    exactly one of its `node_types`, so `check_node` receives the node typed, without an isinstance opening.
    """

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        for base in getattr(cls, "__orig_bases__", ()):
            if get_origin(base) is NodeRule:
                (node_type,) = get_args(base)
                if not (isinstance(node_type, type) and issubclass(node_type, cst.CSTNode)):
                    raise TypeError(f"{cls.__name__}: NodeRule takes one libcst node class, not {node_type!r}")
                cls.node_types = (node_type,)

    def check(self, visit: Visit, ctx: RuleContext) -> None:
        # Sound by construction: `visit.node` is an instance of the class `node_types` was derived from.
        self.check_node(cast(_Node, visit.node), visit, ctx)

    def check_node(self, node: _Node, visit: Visit, ctx: RuleContext) -> None:
        raise NotImplementedError


def make_fix(rule: type[Rule], edits: list[tuple[int, int, str]]) -> Fix:
    """A fix from (start, end, content) edits; insertions at one point are joined in the given order."""
    assert rule.fix_safety is not None and rule.fix_title is not None
    merged: list[Edit] = []
    for start, end, content in sorted(edits, key=lambda e: (e[0], e[1])):  # stable: keeps given order
        if merged and start == end == merged[-1].start == merged[-1].end:
            merged[-1] = Edit(start, end, merged[-1].content + content)
        else:
            merged.append(Edit(start, end, content))
    return Fix(rule.fix_safety, rule.fix_title, tuple(merged))
