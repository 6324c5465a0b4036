"""The facts a module summary holds (`summary.py` computes them): plain data that round-trips JSON.

Names are recorded as the module spells them, made absolute through its imports; whether a name
is a client class, a factory or a wrapper is the index's question (`index.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any


@dataclass
class Value:
    """A value as the module spells it.

    kind: "call" (a call of `name`), "ref" (the module-level or imported name `name`),
    "annotation" (declared as `name`), "self_call" (`self.name()`), "self_attr" (`self.name`),
    "number", "statuses", "names".
    """

    kind: str
    name: str = ""
    timeout: bool = False  # call: `timeout=` given (not None) or `**kwargs` that may hold one
    items: list[str] = field(default_factory=list)  # statuses / exception tuples / numbers


@dataclass
class Forward:
    """A call that receives the function's own `**kwargs`.

    kind: "function" (`name` is the callee), "self" (`self.<name>(...)`), "attribute"
    (`self.<name>.<method>(...)`), "value" (`<values>.<method>(...)`: a client held by a
    local or module name).
    """

    kind: str
    name: str = ""
    method: str = ""
    values: list[Value] = field(default_factory=list)


@dataclass
class FunctionSummary:
    returns: list[Value] = field(default_factory=list)  # returned values and the return annotation
    forwards: list[Forward] = field(default_factory=list)
    sets_timeout: bool = False  # a `timeout` keyword, parameter, name or "timeout" string anywhere
    positional: int = 0  # explicit positional parameters (without self)
    varargs: bool = False
    property: bool = False
    takes_timeout: bool = False  # a `timeout=` keyword is accepted: such a parameter (not positional-only), `**kwargs`
    on_class: bool = False  # a classmethod or staticmethod: `Class.method()` runs it


@dataclass
class ClassSummary:
    bases: list[str] = field(default_factory=list)  # qualified; "" for a base it cannot name
    attributes: dict[str, list[Value]] = field(default_factory=dict)
    methods: dict[str, FunctionSummary] = field(default_factory=dict)
    handles_timeout: bool = False  # a request method mentions timeout, or `self.request = partial(..., timeout=)`
    mounts: list[Value] = field(default_factory=list)  # adapters given to `self.mount(...)`
    raising_hooks: bool = False  # `self.hooks[...]` set with a function that mentions raise_for_status


@dataclass
class ModuleSummary:
    name: str
    is_package: bool = False
    imports: dict[str, list[str]] = field(default_factory=dict)  # module-level local name -> qualified
    star_imports: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)  # every qualified name imported anywhere (functions too)
    names: dict[str, list[Value]] = field(default_factory=dict)  # module-level assignments
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)  # bound by more than one kind of statement
    exceptions: dict[str, list[str]] = field(default_factory=dict)  # classes deriving from an exception

    def to_json(self) -> dict[str, Any]:
        converted = _plain(self)
        assert isinstance(converted, dict)
        return converted

    @staticmethod
    def from_json(data: dict[str, Any]) -> ModuleSummary:
        summary = ModuleSummary(**{k: v for k, v in data.items() if k not in ("names", "classes", "functions")})
        summary.names = {k: [Value(**v) for v in vs] for k, vs in data["names"].items()}
        summary.functions = {k: _function_from(v) for k, v in data["functions"].items()}
        summary.classes = {
            k: ClassSummary(
                bases=v["bases"], attributes={a: [Value(**x) for x in xs] for a, xs in v["attributes"].items()},
                methods={m: _function_from(f) for m, f in v["methods"].items()},
                handles_timeout=v["handles_timeout"], mounts=[Value(**x) for x in v["mounts"]],
                raising_hooks=v["raising_hooks"],
            )
            for k, v in data["classes"].items()
        }
        return summary


def _function_from(data: dict[str, Any]) -> FunctionSummary:
    return FunctionSummary(
        returns=[Value(**v) for v in data["returns"]],
        forwards=[Forward(f["kind"], f["name"], f["method"], [Value(**v) for v in f["values"]]) for f in data["forwards"]],
        sets_timeout=data["sets_timeout"], positional=data["positional"], varargs=data["varargs"],
        property=data["property"], takes_timeout=data["takes_timeout"], on_class=data["on_class"],
    )


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: object) -> object:
    """`dataclasses.asdict` for these facts, without its deep copy of every leaf (strings, numbers,
    bools are immutable): summaries are converted for every module a cold run indexes."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        names = _FIELD_NAMES.get(kind)
        if names is None:
            names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
        return {name: _plain(getattr(value, name)) for name in names}
    return value
