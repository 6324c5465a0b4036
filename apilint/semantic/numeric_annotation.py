"""Does a type annotation provably admit a number literal (`10`, `2.5`)?

A fix that writes a number where the code has `None` must keep the code's own type check passing:
`timeout: float | None = 10` is fine, `timeout: tuple[int, int] | None = 10` is not. Anything that cannot
be proven (an imported alias, a protocol, a `type X = ...` statement) answers False: a fix is only offered
when it is known to type-check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from apilint.semantic.scope import BindingKind, Scope

if TYPE_CHECKING:
    from apilint.semantic.resolve import Resolver

# Types an int literal may be given as (PEP 484's numeric tower: an int is accepted where a float is).
_ADMIT_INT = frozenset({"int", "float", "numbers.Real", "numbers.Number", "typing.Any", "typing_extensions.Any"})
# ... and a float literal (`int` does not accept 2.5).
_ADMIT_FLOAT = _ADMIT_INT - {"int"}
_BUILTINS = frozenset({"int", "float"})
_UNIONS = frozenset({"typing.Optional", "typing.Union", "typing_extensions.Optional", "typing_extensions.Union"})
_ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
_MAX_ALIAS_DEPTH = 8  # alias chains (`A = B`, `B = A`) end here


def admits_number(annotation: cst.BaseExpression, literal: str, scope: Scope, resolver: Resolver,
                  depth: int = 0) -> bool:
    """`annotation`, evaluated in `scope`, is a type that `literal` (a number's source text) belongs to."""
    if depth > _MAX_ALIAS_DEPTH:
        return False
    if isinstance(annotation, cst.SimpleString):
        # `"float | None"`: a forward reference, the same expression as a string.
        text = annotation.evaluated_value
        if not isinstance(text, str):
            return False
        try:
            parsed = cst.parse_expression(text)
        except cst.ParserSyntaxError:
            return False
        return admits_number(parsed, literal, scope, resolver, depth + 1)
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        return any(admits_number(side, literal, scope, resolver, depth)
                   for side in (annotation.left, annotation.right))
    if isinstance(annotation, cst.Subscript):
        return _subscript_admits(annotation, literal, scope, resolver, depth)
    if isinstance(annotation, (cst.Name, cst.Attribute)):
        name = _type_name(annotation, scope, resolver)
        if name is not None:
            return name in (_ADMIT_INT if _is_int(literal) else _ADMIT_FLOAT)
        return _alias_admits(annotation, literal, scope, resolver, depth)
    return False


def _subscript_admits(annotation: cst.Subscript, literal: str, scope: Scope, resolver: Resolver,
                      depth: int) -> bool:
    """`Optional[X]`, `Union[X, Y]` admit what one member admits; `Annotated[X, ...]` what X admits."""
    name = resolver.qualified_name(annotation.value, scope)
    members = [element.slice.value for element in annotation.slice if isinstance(element.slice, cst.Index)]
    if len(members) != len(annotation.slice):
        return False
    if name in _UNIONS:
        return any(admits_number(member, literal, scope, resolver, depth) for member in members)
    if name in _ANNOTATED and members:
        return admits_number(members[0], literal, scope, resolver, depth)
    return False  # `tuple[int, int]`, `list[float]`, a generic class: not a number


def _type_name(annotation: cst.Name | cst.Attribute, scope: Scope, resolver: Resolver) -> str | None:
    """`int`/`float` when the builtin is meant (not shadowed), else the imported name (`numbers.Real`)."""
    if isinstance(annotation, cst.Name) and annotation.value in _BUILTINS:
        return annotation.value if not resolver.lookup(annotation.value, scope, None) else None
    return resolver.qualified_name(annotation, scope)


def _alias_admits(annotation: cst.Name | cst.Attribute, literal: str, scope: Scope, resolver: Resolver,
                  depth: int) -> bool:
    """`Timeout = float | None` (or `Timeout: TypeAlias = ...`) assigned once in the module or class."""
    if not isinstance(annotation, cst.Name):
        return False
    bindings = resolver.lookup(annotation.value, scope, None)
    if len(bindings) != 1:
        return False
    alias = bindings[0]
    if alias.kind is not BindingKind.ASSIGN or alias.value is None or alias.scope.kind == "function":
        return False
    return admits_number(alias.value, literal, alias.scope, resolver, depth + 1)


def _is_int(literal: str) -> bool:
    return literal.lstrip("-").isdigit()
