"""What the scan records about statements with blocks: with, try, loops, if/while/assert tests.

Try and `suppress` blocks with their handlers and calls, loops with their calls
and whether they notice failures (retry loop candidates), and the status checks
made in tests, for the exception, retry and response families of the pre-check.
"""

from __future__ import annotations

import ast

from apilint.engine.ast_model import Block, class_ref, dotted_name, handler_ref
from apilint.engine.ast_scan_bindings import BindingScanner


class BlockScanner(BindingScanner):
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
                    self._response_binding(item.optional_vars.id, context,
                                           (context.lineno, context.col_offset))
            if type(context) is ast.Call and (dotted_name(context.func) or "").rsplit(".", 1)[-1] == "suppress":
                classes = tuple(class_ref(a) for a in context.args if type(a) is not ast.Starred)
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
        handlers = tuple(handler_ref(h) for h in node.handlers)
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
        if not isinstance(node, ast.While):
            iterator = node.iter
            if type(iterator) is not ast.Call:
                block.iterates_inputs = True
            else:
                func = iterator.func
                name = func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else None
                # A retry iterator (`Retrying(...)`, `ExponentialBackoff()`) paces attempts: not inputs
                # (mirrors `retry_loops.retry_iterator`).
                block.iterates_inputs = name is not None and name not in ("range", "count", "repeat") and not any(
                    word in name.lower() for word in ("retry", "retries", "backoff"))
        self.scan.loops.append(block)
        if not isinstance(node, ast.While):
            self._walk(node.target)
            self._walk(node.iter)
        self._loops.append(block)
        if isinstance(node, ast.While):
            self._truth_test(node.test)
            self._walk_test(node.test)  # a status test in the condition
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
        if type(test) is ast.UnaryOp and type(test.op) is ast.Not:
            test = test.operand
        if type(test) is ast.Name:
            for loop in self._loops:
                loop.notices_failure = True
