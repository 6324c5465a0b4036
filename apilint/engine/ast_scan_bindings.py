"""What the scan records about bindings: imports, classes, functions, assignments, returns.

Names bound anywhere in the module (imports, the values and annotations given to
a name or attribute, the parameters and results of functions, `self` names of
methods) and the responses bound to a name, for the pre-check's name-based
guesses of clients and HTTP calls.
"""

from __future__ import annotations

import ast

from apilint.engine.ast_model import Block, Position
from apilint.engine.ast_scan_traversal import ScanTraversal


class BindingScanner(ScanTraversal):
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
        if type(target) is ast.Name:
            self.scan.name_values.setdefault(target.id, []).append((value, annotation))
            if self._class_depth[-1]:
                self.scan.attribute_values.setdefault(target.id, []).append((value, annotation))
            if type(value) is ast.Attribute:
                self.scan.method_aliases.append((target.id, value))
        elif type(target) is ast.Attribute:
            if target.attr == "timeout":
                self.scan.timeout_targets.append(target.value)
            self.scan.attribute_values.setdefault(target.attr, []).append((value, annotation))
            self.scan.attribute_stores.append((target.attr, target.lineno))
        elif type(target) is ast.Tuple or type(target) is ast.List:
            for element in target.elts:
                self._target(element, None, None)
        elif type(target) is ast.Starred:
            self._target(target.value, None, None)

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
            value = value.value
        if type(value) is ast.Call:
            self._functions[-1].responses.append((name, value, position))
