"""Scopes and bindings: the module's names, recorded in one traversal.

Each binding keeps the traversal ordinal of the statement that made it, which
orders bindings in source order without asking libcst for positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import libcst as cst


class BindingKind(Enum):
    IMPORT = "import"
    ASSIGN = "assign"
    PARAM = "param"
    CLASS = "class"
    FUNCTION = "function"
    OTHER = "other"  # loop targets, `except … as`, augmented assignment: value unknown


@dataclass(eq=False)
class Binding:
    kind: BindingKind
    order: int
    scope: Scope  # where `value` / `annotation` are evaluated
    value: cst.BaseExpression | None = None
    annotation: cst.BaseExpression | None = None
    qualified_name: str | None = None  # imports: the dotted name bound
    definition: Scope | None = None  # classes and functions: their own scope


@dataclass(eq=False)
class Scope:
    kind: str  # "module" | "class" | "function"
    node: cst.CSTNode
    parent: Scope | None
    name: str = ""
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    # Every load/store of a bare name in this scope (not attribute names or keywords), in source order.
    uses: dict[str, list[cst.Name]] = field(default_factory=dict)
    children: list[Scope] = field(default_factory=list)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)


@dataclass(eq=False)
class ClassScope(Scope):
    bases: list[cst.BaseExpression] = field(default_factory=list)
    methods: dict[str, FunctionScope] = field(default_factory=dict)
    # `self.x = value` (or `self.x: T`) in any method: attribute name -> bindings.
    instance_attributes: dict[str, list[Binding]] = field(default_factory=dict)


@dataclass(eq=False)
class FunctionScope(Scope):
    self_name: str | None = None  # first parameter of a method (not a staticmethod)
    owner: ClassScope | None = None  # the class whose method this is
    returns: list[cst.BaseExpression] = field(default_factory=list)
    # The body mentions a timeout: a `timeout=` keyword or a "timeout" string
    # (`kwargs.setdefault("timeout", …)`). A Session subclass whose request
    # methods do this supplies a default timeout.
    mentions_timeout: bool = False
    # The body refers to `raise_for_status` (a response hook that raises, a raising wrapper).
    mentions_raise_for_status: bool = False


@dataclass(eq=False)
class TimeoutInjection:
    """A statement that gives a client a default timeout after it was built.

    `s.request = functools.partial(s.request, timeout=10)` or
    `s.mount("https://", TimeoutAdapter(timeout=5))`; `target` is the client
    expression (`s`, `self.session`), `scope` where it was written.
    """

    target: cst.BaseExpression
    scope: Scope
    adapter: cst.BaseExpression | None = None  # for mount(): the adapter, resolved lazily


@dataclass(eq=False)
class HookRegistration:
    """`s.hooks["response"].append(h)`, `s.hooks = {...}`: `value` may raise for status."""

    target: cst.BaseExpression
    scope: Scope
    value: cst.CSTNode


@dataclass(eq=False)
class ModuleModel:
    """Everything the traversal learnt about one module."""

    module_scope: Scope
    injections: list[TimeoutInjection] = field(default_factory=list)
    # Every `<expr>.timeout` attribute (read or written), with its scope: a
    # `session.timeout` that the code reads back is not an ignored attribute.
    timeout_attributes: list[tuple[cst.Attribute, Scope]] = field(default_factory=list)
    hooks: list[HookRegistration] = field(default_factory=list)
