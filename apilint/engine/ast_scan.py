"""One pass over a module's `ast` tree, recording what the pre-check needs to decide.

The scan is name-based and ignores scopes on purpose: every binding of a name
anywhere in the module counts as possible wherever the name is used. That
makes each conclusion drawn from it an over-approximation of what the libcst
resolver can prove (`apilint.semantic.resolve`), which is what a pre-check
must be: it may send a file to libcst that ends with no finding, never the
reverse. `precheck.py` turns the scan into per-rule answers.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from apilint.engine.ast_model import (
    Block,
    Position,
    Scan,
    class_ref,
    dotted_name,
    handler_ref,
)
from apilint.knowledge.responses import BODY_ATTRIBUTES, STATUS_ATTRIBUTES

_BODY_ATTRIBUTES = frozenset().union(*BODY_ATTRIBUTES.values())
_SKIP = (ast.expr_context, ast.Constant, ast.operator, ast.boolop, ast.cmpop, ast.unaryop)
# The concrete classes of the above (exact type checks are cheaper than isinstance on a tuple).
_SKIP_TYPES = frozenset(
    cls for base in _SKIP for cls in (base, *base.__subclasses__())
)
# Fields that never hold a node worth visiting (names, flags, operators, contexts).
_LEAF_FIELDS = frozenset({"id", "attr", "arg", "ctx", "op", "level", "kind", "type_comment", "is_async",
                          "conversion", "module", "asname", "name"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


class Scanner:
    def __init__(self) -> None:
        self.scan = Scan()
        self._functions: list[Block] = [Block()]
        self._loops: list[Block] = []
        self._tries: list[Block] = []
        self._called: set[int] = set()
        self._class_depth: list[bool] = [False]  # is the innermost scope a class body?
        self._in_test = 0  # inside an if/while/assert test (outside lambdas)
        self.scan.functions_blocks.append(self._functions[0])
        self._dispatch: dict[type[ast.AST], Callable[[Any], None]] = {
            ast.Import: self._import, ast.ImportFrom: self._import_from, ast.ClassDef: self._class,
            ast.FunctionDef: self._function, ast.AsyncFunctionDef: self._function, ast.Lambda: self._lambda,
            ast.Assign: self._assign, ast.AnnAssign: self._ann_assign, ast.With: self._with,
            ast.AsyncWith: self._with, ast.Try: self._try, ast.For: self._loop, ast.AsyncFor: self._loop,
            ast.While: self._loop, ast.Call: self._call, ast.Attribute: self._attribute, ast.Expr: self._expr,
            ast.If: self._if, ast.Assert: self._assert, ast.Name: self._name, ast.NamedExpr: self._named_expr, ast.Return: self._return, ast.ExceptHandler: self._except_handler,
        }
        try_star = getattr(ast, "TryStar", None)
        if try_star is not None:
            self._dispatch[try_star] = self._try

    def run(self, tree: ast.AST) -> Scan:
        self._walk(tree)
        return self.scan

    # -- traversal ----------------------------------------------------------
    def _walk(self, node: ast.AST) -> None:
        handler = self._dispatch.get(type(node))
        if handler is not None:
            handler(node)
        else:
            self._children(node)

    def _children(self, node: ast.AST) -> None:
        kind = type(node)
        fields = _CHILD_FIELDS.get(kind)
        if fields is None:
            fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)
        walk = self._walk
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST) and type(item) not in _SKIP_TYPES:
                        walk(item)
            elif isinstance(value, ast.AST) and type(value) not in _SKIP_TYPES:
                walk(value)

    def _walk_all(self, nodes: list[ast.stmt]) -> None:
        for node in nodes:
            self._walk(node)

    # -- bindings -----------------------------------------------------------
    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.scan.modules.add(alias.name.split(".", 1)[0])
            if alias.asname:
                self.scan.imports.setdefault(alias.asname, set()).add(alias.name)
            else:
                top = alias.name.split(".", 1)[0]
                self.scan.imports.setdefault(top, set()).add(top)

    def _import_from(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            self.scan.modules.add(node.module.split(".", 1)[0])
        prefix = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                continue
            qualified = f"{prefix}.{alias.name}" if prefix and not prefix.endswith(".") else f"{prefix}{alias.name}"
            self.scan.imports.setdefault(alias.asname or alias.name, set()).add(qualified)

    def _class(self, node: ast.ClassDef) -> None:
        if node.name in self.scan.class_bases:
            self.scan.other_bound.add(node.name)  # defined twice: the resolver gives up on it
        self.scan.class_bases.setdefault(node.name, []).extend(node.bases)
        for item in (*node.decorator_list, *node.bases, *node.keywords):
            self._walk(item)
        self._class_depth.append(True)
        self._walk_all(node.body)
        self._class_depth.pop()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        scan = self.scan
        scan.other_bound.add(node.name)
        results = scan.function_results.setdefault(node.name, [])
        if node.returns is not None:
            results.append((None, node.returns))
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        if self._class_depth[-1] and positional:
            scan.self_names.add(positional[0].arg)
        for arg in (*positional, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                scan.params.add(arg.arg)
                scan.other_bound.add(arg.arg)
                if arg.annotation is not None:
                    scan.name_values.setdefault(arg.arg, []).append((None, arg.annotation))
                    self._walk(arg.annotation)
        for item in (*node.decorator_list, *args.defaults, *args.kw_defaults):
            if item is not None:
                self._walk(item)
        if node.returns is not None:
            self._walk(node.returns)
        block = Block(name=node.name)
        scan.functions_blocks.append(block)
        self._functions.append(block)
        self._class_depth.append(False)
        saved_loops, saved_tries = self._loops, self._tries
        self._loops, self._tries = [], []  # a nested function's calls run later, not in these
        self._walk_all(node.body)
        self._loops, self._tries = saved_loops, saved_tries
        self._class_depth.pop()
        self._functions.pop()

    def _lambda(self, node: ast.Lambda) -> None:
        in_test, self._in_test = self._in_test, 0  # a lambda in a test runs later: no check
        self._lambda_children(node)
        self._in_test = in_test

    def _lambda_children(self, node: ast.Lambda) -> None:
        args = node.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                self.scan.params.add(arg.arg)
                self.scan.other_bound.add(arg.arg)
        self._children(node)

    def _return(self, node: ast.Return) -> None:
        if node.value is not None and len(self._functions) > 1:
            self.scan.function_results.setdefault(self._functions[-1].name, []).append((node.value, None))
        self._children(node)

    def _name(self, node: ast.Name) -> None:
        if type(node.ctx) is not ast.Load:
            self.scan.other_bound.add(node.id)

    def _named_expr(self, node: ast.NamedExpr) -> None:
        self._target(node.target, node.value, None)
        self._children(node)

    def _except_handler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.scan.other_bound.add(node.name)
        self._children(node)

    def _target(self, target: ast.expr, value: ast.expr | None, annotation: ast.expr | None) -> None:
        kind = type(target)
        if kind is ast.Name:
            self.scan.name_values.setdefault(target.id, []).append((value, annotation))  # type: ignore[attr-defined]
            if self._class_depth[-1]:
                self.scan.attribute_values.setdefault(target.id, []).append((value, annotation))  # type: ignore[attr-defined]
            if type(value) is ast.Attribute:
                self.scan.method_aliases.append((target.id, value))  # type: ignore[attr-defined]
        elif kind is ast.Attribute:
            if target.attr == "timeout":  # type: ignore[attr-defined]
                self.scan.timeout_targets.append(target.value)  # type: ignore[attr-defined]
            self.scan.attribute_values.setdefault(target.attr, []).append((value, annotation))  # type: ignore[attr-defined]
            self.scan.attribute_stores.append((target.attr, target.lineno))  # type: ignore[attr-defined]
        elif kind is ast.Tuple or kind is ast.List:
            for element in target.elts:  # type: ignore[attr-defined]
                self._target(element, None, None)
        elif kind is ast.Starred:
            self._target(target.value, None, None)  # type: ignore[attr-defined]

    def _assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target, node.value, None)
            if type(target) is ast.Name and len(node.targets) == 1:
                self._response_binding(target.id, node.value, (node.lineno, node.col_offset))
        self._children(node)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        self._target(node.target, node.value, node.annotation)
        if type(node.target) is ast.Name and node.value is not None:
            self._response_binding(node.target.id, node.value, (node.lineno, node.col_offset))
        self._children(node)

    def _response_binding(self, name: str, value: ast.expr, position: Position) -> None:
        if type(value) is ast.Await:
            value = value.value  # type: ignore[attr-defined]
        if type(value) is ast.Call:
            self._functions[-1].responses.append((name, value, position))  # type: ignore[arg-type]

    # -- statements with blocks ---------------------------------------------
    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        self.scan.has_with = True
        suppress: Block | None = None
        for item in node.items:
            self._walk(item.context_expr)
            context = item.context_expr
            if item.optional_vars is not None:
                self._target(item.optional_vars, context, None)
                self._walk(item.optional_vars)
                if type(item.optional_vars) is ast.Name:
                    self._response_binding(item.optional_vars.id, context,  # type: ignore[attr-defined]
                                           (context.lineno, context.col_offset))
            if type(context) is ast.Call and (dotted_name(context.func) or "").rsplit(".", 1)[-1] == "suppress":  # type: ignore[attr-defined]
                classes = tuple(class_ref(a) for a in context.args if type(a) is not ast.Starred)  # type: ignore[attr-defined]
                suppress = Block(handlers=(classes,))
        if suppress is not None:
            self.scan.tries.append(suppress)
            self._tries.append(suppress)
            self._walk_all(node.body)
            self._tries.pop()
        else:
            self._walk_all(node.body)

    def _try(self, node: ast.Try) -> None:
        scan = self.scan
        scan.has_try = True
        handlers = tuple(handler_ref(h) for h in node.handlers)  # type: ignore[arg-type]
        block = Block(handlers=handlers)
        scan.tries.append(block)
        if len(handlers) > 1:
            scan.handler_sequences.append(handlers)
            scan.handler_sequence_lines.append(node.lineno)
        for h in node.handlers:
            if h.type is not None and type(h.type) is ast.Tuple and len(h.type.elts) > 1:
                scan.tuple_handlers.append(tuple(class_ref(e) for e in h.type.elts))
                scan.tuple_handler_lines.append(h.lineno)
        for loop in self._loops:
            loop.notices_failure = True
        self._tries.append(block)
        self._walk_all(node.body)
        self._tries.pop()
        for h in node.handlers:
            self._walk(h)
        self._walk_all(node.orelse)
        self._walk_all(node.finalbody)

    def _loop(self, node: ast.For | ast.AsyncFor | ast.While) -> None:
        self.scan.has_loop = True
        block = Block()
        if type(node) is not ast.While:
            iterator = node.iter  # type: ignore[union-attr]
            if type(iterator) is not ast.Call:
                block.iterates_inputs = True
            else:
                func = iterator.func  # type: ignore[attr-defined]
                name = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None  # type: ignore[attr-defined]
                # A retry iterator (`Retrying(...)`, `ExponentialBackoff()`) paces attempts: not inputs
                # (mirrors `retry_loops.retry_iterator`).
                block.iterates_inputs = name is not None and name not in ("range", "count", "repeat") and not any(
                    word in name.lower() for word in ("retry", "retries", "backoff"))
        self.scan.loops.append(block)
        if type(node) is not ast.While:
            self._walk(node.target)  # type: ignore[union-attr]
            self._walk(node.iter)  # type: ignore[union-attr]
        self._loops.append(block)
        if type(node) is ast.While:
            self._truth_test(node.test)  # type: ignore[union-attr]
            self._walk_test(node.test)  # type: ignore[union-attr]  # a status test in the condition
        self._walk_all(node.body)
        self._walk_all(node.orelse)
        self._loops.pop()

    def _if(self, node: ast.If) -> None:
        self._truth_test(node.test)
        self._walk_test(node.test)
        self._walk_all(node.body)
        self._walk_all(node.orelse)

    def _assert(self, node: ast.Assert) -> None:
        self._walk_test(node.test)
        if node.msg is not None:
            self._walk(node.msg)

    def _walk_test(self, test: ast.expr) -> None:
        """Walk an if/while/assert test: `r.status_code` anywhere in it (not in a lambda) checks `r`."""
        self._in_test += 1
        self._walk(test)
        self._in_test -= 1

    def _check(self, name: str, node: ast.expr) -> None:
        self._functions[-1].checks.setdefault(name, []).append((node.lineno, node.col_offset))

    def _truth_test(self, test: ast.expr) -> None:
        """`if not r:` tests a response's status without naming an attribute."""
        if type(test) is ast.UnaryOp and type(test.op) is ast.Not:  # type: ignore[attr-defined]
            test = test.operand  # type: ignore[attr-defined]
        if type(test) is ast.Name:
            for loop in self._loops:
                loop.notices_failure = True

    # -- expressions ----------------------------------------------------------
    def _expr(self, node: ast.Expr) -> None:
        value = node.value
        if type(value) is ast.Await:
            value = value.value  # type: ignore[attr-defined]
        if type(value) is ast.Call:
            self.scan.discarded.append(value)  # type: ignore[arg-type]
        self._walk(node.value)

    def _call(self, node: ast.Call) -> None:
        scan = self.scan
        scan.calls.append(node)
        func = node.func
        self._called.add(id(func))
        if type(func) is ast.Attribute:
            scan.call_names.add(func.attr)  # type: ignore[attr-defined]
        elif type(func) is ast.Name:
            scan.call_names.add(func.id)  # type: ignore[attr-defined]
        starred = any(type(a) is ast.Starred for a in node.args)
        timeout = None
        for kw in node.keywords:
            if kw.arg is None:
                starred = True
            elif kw.arg == "timeout":
                timeout = kw.value
        if timeout is None:
            if not starred:
                scan.untimed_calls.append(node)
        elif _disables(timeout):
            scan.disabled_timeouts.append(node)
        for loop in self._loops:
            loop.calls.append(node)
        for block in self._tries:
            block.calls.append(node)
        self._children(node)

    def _attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr in _BODY_ATTRIBUTES:
            value = node.value
            if type(value) is ast.Name:
                position = (node.lineno, node.col_offset)
                for block in self._functions:
                    block.body_uses.setdefault(value.id, []).append(position)  # type: ignore[attr-defined]
            else:
                if type(value) is ast.Await:
                    value = value.value  # type: ignore[attr-defined]
                if type(value) is ast.Call:
                    self.scan.chained_body.append(value)  # type: ignore[arg-type]
        if attr in STATUS_ATTRIBUTES:
            for loop in self._loops:
                loop.notices_failure = True
            if self._in_test and type(node.value) is ast.Name:
                self._check(node.value.id, node)  # type: ignore[attr-defined]
        if attr == "raise_for_status":
            if id(node) not in self._called:
                self.scan.uncalled_raise_for_status.append(node.lineno)
            elif type(node.value) is ast.Name:
                self._check(node.value.id, node)  # type: ignore[attr-defined]
        self._walk(node.value)


def _disables(value: ast.expr) -> bool:
    """`None`, or a requests tuple whose read part is None (the only shapes API102 reports)."""
    if type(value) is ast.Constant:
        return value.value is None  # type: ignore[attr-defined]
    if type(value) is ast.Tuple:
        elts = value.elts  # type: ignore[attr-defined]
        return len(elts) == 2 and type(elts[1]) is ast.Constant and elts[1].value is None
    return False


def scan_module(tree: ast.AST) -> Scan:
    scanner = Scanner()
    try:
        return scanner.run(tree)
    finally:
        scanner._dispatch.clear()  # bound methods -> scanner: a cycle only the slow cyclic GC would free
