"""How a module's summary spells names and values: imports made absolute, values as `Value`s.

Every fact the summary records (module names, class attributes, function
returns) is a list of `Value` alternatives read by `SummaryValues.values` and
`.annotation`, with names made absolute through the module's imports by
`.qualified`. This is the summary's one notion of a value, shared by the
module, class and function readers.
"""

from __future__ import annotations

import ast

from apilint.project.facts import ModuleSummary, Value
from apilint.project.root import absolute_import


class SummaryValues:
    summary: ModuleSummary
    _kinds: dict[str, set[str]]  # module-level name -> kinds of statement binding it
    _used: set[str]

    # -- names --------------------------------------------------------------
    def _bind(self, name: str, kind: str) -> None:
        kinds = self._kinds.setdefault(name, set())
        if kind in ("class", "function") and kind in kinds:
            kinds.add(kind + " again")  # two definitions (`if PY2: def f` / `else: def f`): a conflict
        kinds.add(kind)

    def _import_targets(self, node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
        """(local name, qualified name) of each name the statement binds."""
        bound: list[tuple[str, str]] = []
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound.append((alias.asname, alias.name))
                else:
                    top = alias.name.split(".", 1)[0]
                    bound.append((top, top))
                self._used.add(alias.name)
            return bound
        base = absolute_import(self.summary.name, self.summary.is_package, node.level, node.module)
        if base is None:
            return bound
        for alias in node.names:
            if alias.name == "*":
                if self._at_module:
                    self.summary.star_imports.append(base)
                self._used.add(base)
                continue
            qualified = f"{base}.{alias.name}"
            self._used.add(qualified)
            bound.append((alias.asname or alias.name, qualified))
        return bound

    _at_module = True

    def qualified(self, expr: ast.expr, local: dict[str, list[Value]] | None = None) -> str | None:
        """The absolute dotted name `expr` spells at module level (None: a local, or not a name)."""
        parts: list[str] = []
        while isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return None
        root = expr.id
        if local is not None and root in local:
            return None
        imported = self.summary.imports.get(root)
        if imported is not None:
            if len(set(imported)) != 1:
                return None
            head = imported[0]
        elif root in self._kinds:
            head = f"{self.summary.name}.{root}"
        else:
            return None
        return ".".join([head, *reversed(parts)])

    def values(self, expr: ast.expr | None, local: dict[str, list[Value]] | None = None,
               self_name: str | None = None, depth: int = 0) -> list[Value]:
        """What `expr` may evaluate to, each alternative a Value ("unknown" where the module cannot tell).

        `None` is no alternative (nothing can be called on it), as in the libcst resolver.
        """
        if expr is None or (isinstance(expr, ast.Constant) and expr.value is None):
            return []
        if depth > 8:
            return [_UNKNOWN]
        if isinstance(expr, ast.Await):
            return self.values(expr.value, local, self_name, depth + 1)
        if isinstance(expr, ast.BoolOp):
            return [v for side in expr.values for v in self.values(side, local, self_name, depth + 1)]
        if isinstance(expr, ast.IfExp):
            return self.values(expr.body, local, self_name, depth + 1) + self.values(expr.orelse, local, self_name, depth + 1)
        if isinstance(expr, ast.Call):
            func = expr.func
            if (self_name is not None and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                    and func.value.id == self_name):
                return [Value("self_call", func.attr)]
            callee = self.qualified(func, local)
            if callee is None:
                return [_UNKNOWN]
            # Three or more positional arguments may hold a pool's timeout (urllib3's third parameter).
            return [Value("call", callee, timeout=_call_sets_timeout(expr) or len(expr.args) >= 3)]
        if (isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and self_name is not None
                and expr.value.id == self_name):
            return [Value("self_attr", expr.attr)]
        if isinstance(expr, ast.Name) and local is not None and expr.id in local:
            return list(local[expr.id]) or [_UNKNOWN]
        if isinstance(expr, (ast.Name, ast.Attribute)):
            name = self.qualified(expr, local)
            return [Value("ref", name)] if name is not None else [_UNKNOWN]
        if isinstance(expr, ast.Constant) and isinstance(expr.value, (int, float)) and not isinstance(expr.value, bool):
            return [Value("number", items=[repr(expr.value)])]
        if isinstance(expr, (ast.Set, ast.Tuple, ast.List)):
            elements = expr.elts
            if elements and all(isinstance(e, ast.Constant) and type(e.value) is int for e in elements):
                return [Value("statuses", items=[repr(e.value) for e in elements if isinstance(e, ast.Constant)])]
            names = [self.qualified(e, local) for e in elements]
            if elements and all(n is not None for n in names):
                return [Value("names", items=[n for n in names if n is not None])]
        return [_UNKNOWN]

    def annotation(self, expr: ast.expr | None) -> list[Value]:
        """`requests.Session`, `Optional[X]`, `X | None`, `"X"` as annotation values."""
        if expr is None:
            return []
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            try:
                parsed = ast.parse(expr.value.strip(), mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return []
            return self.annotation(parsed)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            return self.annotation(expr.left) + self.annotation(expr.right)
        if isinstance(expr, ast.Subscript):
            outer = self.qualified(expr.value) or ""
            if outer.rsplit(".", 1)[-1] not in ("Optional", "Union"):
                return []
            inner = expr.slice.elts if isinstance(expr.slice, ast.Tuple) else [expr.slice]
            return [v for e in inner for v in self.annotation(e)]
        if isinstance(expr, ast.Constant) and expr.value is None:
            return []
        name = self.qualified(expr)
        return [Value("annotation", name)] if name is not None else [Value("annotation", "")]


_UNKNOWN = Value("unknown")


def _known(values: list[Value]) -> list[Value]:
    """The values, unless one of them is unknown (then the declared type is all there is)."""
    return [] if any(v.kind == "unknown" for v in values) else values


def _call_sets_timeout(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg is None:
            return True  # `**kwargs` may hold one
        if keyword.arg == "timeout":
            return not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None)
    return False
