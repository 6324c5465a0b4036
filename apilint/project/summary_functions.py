"""What a module's summary records about functions and methods.

A function's returned values (a factory), the calls it forwards `**kwargs` into
and whether it sets a timeout on the way (a wrapper); for a method, what it sets
on `self` (attributes, `self.request = partial(..., timeout=...)`, hooks that
raise) and the adapters it mounts. The biggest reader of the summary, in a
module of its own.
"""

from __future__ import annotations

import ast

from apilint.project.facts import ClassSummary, Forward, FunctionSummary, Value
from apilint.project.summary_guards import GuardedLocals
from apilint.project.summary_values import _UNKNOWN, SummaryValues, _known
from apilint.project.summary_walk import _expression_nodes, _statements, _target_names

# Methods of a client subclass that give every request a default timeout when they handle it.
_TIMEOUT_METHODS = frozenset({"request", "send", "get", "post", "put", "patch", "delete", "head", "options"})


class FunctionSummaries(SummaryValues):
    # -- functions --------------------------------------------------------------
    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, owner: ClassSummary | None) -> FunctionSummary:
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        decorators = {ast.unparse(d) for d in node.decorator_list} if node.decorator_list else set()
        static = "staticmethod" in decorators
        self_name = positional[0].arg if owner is not None and positional and not static else None
        summary = FunctionSummary(positional=len(positional) - (1 if self_name else 0), varargs=args.vararg is not None,
                                  property=bool(decorators & {"property", "functools.cached_property", "cached_property"}),
                                  on_class=owner is not None and bool(decorators & {"classmethod", "staticmethod"}),
                                  takes_timeout=args.kwarg is not None
                                  or any(a.arg == "timeout" for a in (*args.args, *args.kwonlyargs)))
        local: dict[str, list[Value]] = {}
        # What each binding statement gives a name: (statement id, name) -> values (for the guards).
        bound: dict[tuple[int, str], list[Value]] = {}
        for arg in (*positional, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is None or arg.arg == self_name:
                continue
            # An unannotated parameter holds whatever the caller passes: unknown, even when the body
            # also assigns it (`if session is None: session = requests.Session()`), as in the resolver;
            # unless an `isinstance` guard proves more where it is returned or stored (`summary_guards`).
            local[arg.arg] = self.annotation(arg.annotation) if arg.annotation is not None else [_UNKNOWN]
            if arg.arg == "timeout":
                summary.sets_timeout = True
        parameters = dict(local)
        kwargs = args.kwarg.arg if args.kwarg is not None else None
        # Only a wrapper candidate (it takes `**kwargs`) or a request method of a client subclass needs
        # every expression (calls that forward, mentions of timeout); for the rest the statements
        # (assignments, returns, `self.mount(...)`) are all the summary reads. Nested defs are not ours.
        full = kwargs is not None or (owner is not None and node.name in _TIMEOUT_METHODS)
        flat = list(_statements(node.body))
        body_nodes: list[ast.AST] = [n for stmt in flat for n in _expression_nodes(stmt)] if full else list(flat)
        # Locals: the values of every assignment (any of them may reach a use).
        assigned: dict[str, list[ast.Assign]] = {}
        for inner in body_nodes:
            if isinstance(inner, ast.Assign):
                for target in inner.targets:
                    for name in _target_names(target):
                        local.setdefault(name, [])
                        if isinstance(target, ast.Name):
                            assigned.setdefault(name, []).append(inner)
            elif isinstance(inner, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor, ast.NamedExpr)):
                target = inner.target
                for name in _target_names(target):
                    local.setdefault(name, [])
            elif isinstance(inner, (ast.With, ast.AsyncWith)):
                for item in inner.items:
                    if item.optional_vars is not None:
                        for name in _target_names(item.optional_vars):
                            found = self.values(item.context_expr, {}, self_name)
                            local.setdefault(name, []).extend(found)
                            bound.setdefault((id(inner), name), []).extend(found)
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
                found = self.values(statement.value, {k: v for k, v in local.items() if k != name}, self_name)
                local[name] = local[name] + found
                bound.setdefault((id(statement), name), []).extend(found)
        # An unknown binding narrowed by the `isinstance` guards it passed on the way to a statement.
        guarded = GuardedLocals(self, node, parameters, bound, flat)
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
                summary.returns += self.values(inner.value, guarded.at(inner, inner.value, local), self_name)
            elif isinstance(inner, ast.Call):
                if kwargs is not None and any(k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kwargs
                                              for k in inner.keywords):
                    forward = self._forward(inner.func, local, self_name)
                    if forward is not None:
                        summary.forwards.append(forward)
                if owner is not None and self_name is not None:
                    self._class_call(inner, owner, self_name, local)
            elif owner is not None and self_name is not None and isinstance(inner, (ast.Assign, ast.AnnAssign)):
                self._self_assignment(inner, owner, self_name, guarded.at(inner, inner.value, local))
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


def _mentions_timeout(expr: ast.expr | None) -> bool:
    return expr is not None and any(
        (isinstance(n, ast.keyword) and n.arg == "timeout") or (isinstance(n, ast.Constant) and n.value == "timeout")
        for n in ast.walk(expr)
    )
