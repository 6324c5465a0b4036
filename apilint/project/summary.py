"""One module's summary: what other modules of the project can learn from it, from `ast` in one pass.

The summary never resolves anything outside its module: it records names as the module spells
them, made absolute through its imports (`from .compat import Session` -> `shop.compat.Session`,
`requests.Session()` after `import requests` -> a call of `requests.Session`). Whether that name
is a client class, a factory or a wrapper is the index's question (`index.py`), answered across
modules. The facts are plain data (`facts.py`): `to_json` / `from_json` round-trip them.

Recorded: module-level imports (re-exports), names and their values (clients, constants), classes
(bases, attributes set on `self` or in the body, whether a request method handles `timeout`,
mounted adapters, hooks that raise), functions (returned values, the calls they forward
`**kwargs` into and whether they set a timeout on the way), exception classes and aliases.
A value the summary cannot describe (a local computed from a call argument...) is recorded as
"unknown", which makes every alternative it belongs to unknown: unknown means silent.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from apilint.project.facts import ClassSummary, Forward, FunctionSummary, ModuleSummary, Value
from apilint.project.root import absolute_import

# Methods of a client subclass that give every request a default timeout when they handle it.
_TIMEOUT_METHODS = frozenset({"request", "send", "get", "post", "put", "patch", "delete", "head", "options"})


def summarize(tree: ast.Module, name: str, is_package: bool) -> ModuleSummary:
    """The summary of the module `name` whose `ast` tree is `tree`."""
    return _Summarizer(name, is_package).run(tree)


class _Summarizer:
    def __init__(self, name: str, is_package: bool) -> None:
        self.summary = ModuleSummary(name, is_package)
        self._kinds: dict[str, set[str]] = {}  # module-level name -> kinds of statement binding it
        self._used: set[str] = set()

    def run(self, tree: ast.Module) -> ModuleSummary:
        self._module_body(tree.body)
        summary = self.summary
        summary.conflicts = sorted(n for n, kinds in self._kinds.items() if len(kinds) > 1)
        summary.used = sorted(self._used)
        for cls_name, cls in summary.classes.items():
            if any(b.rsplit(".", 1)[-1].endswith(("Error", "Exception")) or b in _BUILTIN_EXCEPTIONS for b in cls.bases):
                summary.exceptions[cls_name] = cls.bases
        return summary

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

    # -- module level ---------------------------------------------------------
    def _module_body(self, body: list[ast.stmt]) -> None:
        # First the names (a function may refer to a class defined below it), then the values.
        for node in _module_statements(body):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for local, qualified in self._import_targets(node):
                    self.summary.imports.setdefault(local, []).append(qualified)
                    self._bind(local, "import")
            elif isinstance(node, ast.ClassDef):
                self._bind(node.name, "class")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._bind(node.name, "function")
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for name in _target_names(target):
                        self._bind(name, "assign")
        self._at_module = False
        for node in _module_statements(body):
            if isinstance(node, ast.ClassDef):
                self.summary.classes[node.name] = self._class(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.summary.functions[node.name] = self._function(node, None)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.summary.names.setdefault(target.id, []).extend(self.values(node.value))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                found = _known(self.values(node.value)) or self.annotation(node.annotation)
                self.summary.names.setdefault(node.target.id, []).extend(found)

    # -- classes ----------------------------------------------------------------
    def _class(self, node: ast.ClassDef) -> ClassSummary:
        cls = ClassSummary(bases=[self.qualified(b) or "" for b in node.bases])
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                method = self._function(item, cls)
                cls.methods[item.name] = method
                if item.name in _TIMEOUT_METHODS and method.sets_timeout:
                    cls.handles_timeout = True
            elif isinstance(item, ast.Assign):
                for target in item.targets:
                    if isinstance(target, ast.Name):
                        cls.attributes.setdefault(target.id, []).extend(self.values(item.value))
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                found = _known(self.values(item.value)) or self.annotation(item.annotation)
                cls.attributes.setdefault(item.target.id, []).extend(found)
        return cls

    # -- functions --------------------------------------------------------------
    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: ClassSummary | None) -> FunctionSummary:
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        decorators = {ast.unparse(d) for d in node.decorator_list} if node.decorator_list else set()
        static = "staticmethod" in decorators
        self_name = positional[0].arg if owner is not None and positional and not static else None
        summary = FunctionSummary(positional=len(positional) - (1 if self_name else 0), varargs=args.vararg is not None,
                                  property=bool(decorators & {"property", "functools.cached_property", "cached_property"}))
        local: dict[str, list[Value]] = {}
        for arg in (*positional, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is None or arg.arg == self_name:
                continue
            local[arg.arg] = self.annotation(arg.annotation) if arg.annotation is not None else []
            if arg.arg == "timeout":
                summary.sets_timeout = True
        kwargs = args.kwarg.arg if args.kwarg is not None else None
        # Only a wrapper candidate (it takes `**kwargs`) or a request method of a client subclass needs
        # every expression (calls that forward, mentions of timeout); for the rest the statements
        # (assignments, returns, `self.mount(...)`) are all the summary reads. Nested defs are not ours.
        full = kwargs is not None or (owner is not None and node.name in _TIMEOUT_METHODS)
        flat = list(_statements(node.body))
        body_nodes: list[ast.AST] = [n for stmt in flat for n in _expression_nodes(stmt)] if full else list(flat)
        # Locals: the values of every assignment (any of them may reach a use).
        assigned: dict[str, list[Value]] = {}
        for inner in body_nodes:
            if isinstance(inner, ast.Assign):
                for target in inner.targets:
                    for name in _target_names(target):
                        local.setdefault(name, [])
                        if isinstance(target, ast.Name):
                            assigned.setdefault(name, []).append(inner)  # type: ignore[arg-type]
            elif isinstance(inner, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.NamedExpr)):
                target = inner.target
                for name in _target_names(target):
                    local.setdefault(name, [])
            elif isinstance(inner, (ast.With, ast.AsyncWith)):
                for item in inner.items:
                    if item.optional_vars is not None:
                        for name in _target_names(item.optional_vars):
                            local.setdefault(name, []).extend(self.values(item.context_expr, {}, self_name))
            elif isinstance(inner, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                    ast.Global, ast.Nonlocal)):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    self._import_targets(inner)  # an import inside a function: recorded as used
                names = [a.asname or a.name for a in inner.names] if isinstance(inner, (ast.Import, ast.ImportFrom)) else (
                    [inner.name] if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else [])
                for name in names:
                    local.setdefault(name.split(".", 1)[0], [])
        for name, statements in assigned.items():
            for statement in statements:
                local[name] = local[name] + self.values(statement.value, {k: v for k, v in local.items() if k != name},  # type: ignore[attr-defined]
                                                        self_name)
        for inner in body_nodes:
            if isinstance(inner, ast.keyword) and inner.arg == "timeout":
                summary.sets_timeout = True
            elif isinstance(inner, ast.Constant) and inner.value == "timeout":
                summary.sets_timeout = True
            elif isinstance(inner, ast.Name) and inner.id == "timeout":
                summary.sets_timeout = True
            elif isinstance(inner, ast.Attribute) and inner.attr == "timeout":
                summary.sets_timeout = True
            elif isinstance(inner, ast.Return) and inner.value is not None:
                summary.returns += self.values(inner.value, local, self_name)
            elif isinstance(inner, ast.Call):
                if kwargs is not None and any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kwargs
                                              for k in inner.keywords):
                    forward = self._forward(inner.func, local, self_name)
                    if forward is not None:
                        summary.forwards.append(forward)
                if owner is not None and self_name is not None:
                    self._class_call(inner, owner, self_name, local)
            elif owner is not None and self_name is not None and isinstance(inner, (ast.Assign, ast.AnnAssign)):
                self._self_assignment(inner, owner, self_name, local)
            elif not full and owner is not None and self_name is not None and isinstance(inner, ast.Expr) \
                    and isinstance(inner.value, ast.Call):
                self._class_call(inner.value, owner, self_name, local)
        if node.returns is not None:
            summary.returns += self.annotation(node.returns)
        return summary

    def _forward(self, func: ast.expr, local: dict[str, list[Value]], self_name: str | None) -> Forward | None:
        if isinstance(func, ast.Attribute):
            receiver = func.value
            if isinstance(receiver, ast.Name) and receiver.id == self_name:
                return Forward("self", func.attr)
            if (isinstance(receiver, ast.Attribute) and isinstance(receiver.value, ast.Name)
                    and receiver.value.id == self_name):
                return Forward("attribute", receiver.attr, func.attr)
            if isinstance(receiver, ast.Name) and receiver.id in local:
                return Forward("value", "", func.attr, list(local[receiver.id]))
        callee = self.qualified(func, local)
        if callee is not None:
            if isinstance(func, ast.Attribute):
                # `SESSION.get(**kwargs)` or `requests.get(**kwargs)`: the index tells which.
                holder = self.qualified(func.value, local)
                return Forward("function", callee, func.attr, [Value("ref", holder)] if holder else [])
            return Forward("function", callee)
        return None

    def _self_assignment(self, node: ast.Assign | ast.AnnAssign, owner: ClassSummary, self_name: str,
                         local: dict[str, list[Value]]) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == self_name:
                found = self.values(node.value, local, self_name)
                if isinstance(node, ast.AnnAssign) and not _known(found):
                    found = self.annotation(node.annotation)
                owner.attributes.setdefault(target.attr, []).extend(found)
                if target.attr in _TIMEOUT_METHODS and _mentions_timeout(node.value):
                    owner.handles_timeout = True  # self.request = partial(self.request, timeout=...)
            elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute)
                  and target.value.attr == "hooks" and "raise_for_status" in ast.dump(node.value or ast.Constant(None))):
                owner.raising_hooks = True

    def _class_call(self, call: ast.Call, owner: ClassSummary, self_name: str, local: dict[str, list[Value]]) -> None:
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == self_name):
            return
        if func.attr == "mount" and len(call.args) >= 2:
            owner.mounts += self.values(call.args[1], local, self_name)
            if _mentions_timeout(call.args[1]):
                owner.handles_timeout = True


_UNKNOWN = Value("unknown")
_BUILTIN_EXCEPTIONS = frozenset({"Exception", "BaseException", "ValueError", "RuntimeError", "OSError", "IOError"})


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


def _mentions_timeout(expr: ast.expr | None) -> bool:
    return expr is not None and any(
        (isinstance(n, ast.keyword) and n.arg == "timeout") or (isinstance(n, ast.Constant) and n.value == "timeout")
        for n in ast.walk(expr)
    )


def _target_names(target: ast.expr) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for e in target.elts for n in _target_names(e)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


_COMPOUND_BODIES = ("body", "orelse", "finalbody")


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements of a function body, nested blocks included, nested defs and classes not entered."""
    for node in body:
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for name in _COMPOUND_BODIES:
            inner = getattr(node, name, None)
            if isinstance(inner, list):
                yield from _statements(inner)
        for handler in getattr(node, "handlers", ()):
            yield from _statements(handler.body)
        for case in getattr(node, "cases", ()):
            yield from _statements(case.body)


def _expression_nodes(statement: ast.stmt) -> Iterator[ast.AST]:
    """The statement and every node in its own expressions (not in the statements nested in it)."""
    yield statement
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return
    for name, value in ast.iter_fields(statement):
        if name in _COMPOUND_BODIES or name in ("handlers", "cases"):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ast.AST):
                yield from ast.walk(item)


def _module_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements that run at module level: inside if/try/with blocks too, not in defs."""
    found: list[ast.stmt] = []
    for node in body:
        found.append(node)
        if isinstance(node, (ast.If, ast.For, ast.While)):
            found += _module_statements(node.body) + _module_statements(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            found += _module_statements(node.body)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            found += _module_statements(node.body)  # type: ignore[attr-defined]
            for handler in node.handlers:  # type: ignore[attr-defined]
                found += _module_statements(handler.body)
            found += _module_statements(node.orelse) + _module_statements(node.finalbody)  # type: ignore[attr-defined]
    return found
