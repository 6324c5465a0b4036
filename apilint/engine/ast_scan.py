"""One pass over a module's `ast` tree, recording what the pre-check needs to decide.

The scan is name-based and ignores scopes on purpose: every binding of a name
anywhere in the module counts as possible wherever the name is used. That
makes each conclusion drawn from it an over-approximation of what the libcst
resolver can prove (`apilint.semantic.resolve`), which is what a pre-check
must be: it may send a file to libcst that ends with no finding, never the
reverse. `precheck.py` turns the scan into per-rule answers.

The `Scanner` is built in layers, one module each: the walk and its state
(`ast_scan_traversal`), bindings (`ast_scan_bindings`), statements with blocks
(`ast_scan_blocks`); the expressions (calls, attributes) are recorded here.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from apilint.engine.ast_model import Block, Scan
from apilint.engine.ast_scan_blocks import BlockScanner
from apilint.knowledge.responses import BODY_ATTRIBUTES, STATUS_ATTRIBUTES

_BODY_ATTRIBUTES = frozenset().union(*BODY_ATTRIBUTES.values())


class Scanner(BlockScanner):
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

    # -- expressions ----------------------------------------------------------
    def _expr(self, node: ast.Expr) -> None:
        value = node.value
        if type(value) is ast.Await:
            value = value.value
        if type(value) is ast.Call:
            self.scan.discarded.append(value)
        self._walk(node.value)

    def _call(self, node: ast.Call) -> None:
        scan = self.scan
        scan.calls.append(node)
        func = node.func
        self._called.add(id(func))
        if type(func) is ast.Attribute:
            scan.call_names.add(func.attr)
        elif type(func) is ast.Name:
            scan.call_names.add(func.id)
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
        if type(func) is ast.Name and func.id == "isinstance" and len(node.args) == 2 and type(node.args[0]) is ast.Name:
            # `isinstance(x, C)` may narrow x to a client (semantic/guard_flow): C counts as an annotation of x.
            guard = node.args[1]
            for leaf in guard.elts if type(guard) is ast.Tuple else [guard]:
                scan.name_values.setdefault(node.args[0].id, []).append((None, leaf))
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
                    block.body_uses.setdefault(value.id, []).append(position)
            else:
                if type(value) is ast.Await:
                    value = value.value
                if type(value) is ast.Call:
                    self.scan.chained_body.append(value)
        if attr in STATUS_ATTRIBUTES:
            for loop in self._loops:
                loop.notices_failure = True
            if self._in_test and type(node.value) is ast.Name:
                self._check(node.value.id, node)
        if attr == "raise_for_status":
            if id(node) not in self._called:
                self.scan.uncalled_raise_for_status.append(node.lineno)
            elif type(node.value) is ast.Name:
                self._check(node.value.id, node)
        self._walk(node.value)


def _disables(value: ast.expr) -> bool:
    """`None`, or a requests tuple whose read part is None (the only shapes API102 reports)."""
    if type(value) is ast.Constant:
        return value.value is None
    if type(value) is ast.Tuple:
        elts = value.elts
        return len(elts) == 2 and type(elts[1]) is ast.Constant and elts[1].value is None
    return False


def scan_module(tree: ast.AST) -> Scan:
    scanner = Scanner()
    try:
        return scanner.run(tree)
    finally:
        scanner._dispatch.clear()  # bound methods -> scanner: a cycle only the slow cyclic GC would free
