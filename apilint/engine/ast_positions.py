"""Report positions from the `ast` tree the pre-check already parsed, instead of libcst's PositionProvider.

libcst's PositionProvider re-generates the whole module to count characters;
on a large file with one finding that costs more than the analysis itself.
The `ast` tree has positions for free. The k-th libcst node of a kind (calls,
attributes, handlers, loops, decorators, keyword arguments) in source order is
the k-th `ast` node of that kind in source order; the traversal numbers the
libcst side. Every mapped position is checked against the text (the token
there must be the node's first token); anything doubtful returns None and the
engine falls back to the exact provider. Fixes always use the exact provider.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

import libcst as cst

_NEWLINE = re.compile(r"\r\n|\r|\n")
_TOKEN = re.compile(r"[A-Za-z_]\w*|\S")

# libcst node type -> group; the ast node types of the same group.
CST_GROUPS: dict[type[cst.CSTNode], str] = {
    cst.Call: "call", cst.Attribute: "attribute", cst.ExceptHandler: "handler", cst.ExceptStarHandler: "handler",
    cst.For: "for", cst.While: "while", cst.Decorator: "decorator", cst.Arg: "keyword", cst.Param: "param",
}
_AST_GROUPS: dict[type[ast.AST], str] = {
    ast.Call: "call", ast.Attribute: "attribute", ast.ExceptHandler: "handler", ast.For: "for",
    ast.AsyncFor: "for", ast.While: "while", ast.keyword: "keyword", ast.arg: "param",
}

Span = tuple[int, int, int, int]  # line, column (0-based), end line, end column
# The ast node classes that carry a position (every type in `_AST_GROUPS` and every decorator is one).
_Located = ast.expr | ast.stmt | ast.excepthandler | ast.keyword | ast.arg
_LOCATED = (ast.expr, ast.stmt, ast.excepthandler, ast.keyword, ast.arg)


def counts_in_group(node: cst.CSTNode) -> str | None:
    """The group a libcst node is numbered in, or None (positional arguments have no ast twin)."""
    group = CST_GROUPS.get(type(node))
    if group == "keyword":
        assert isinstance(node, cst.Arg)
        return group if node.keyword is not None or node.star == "**" else None
    return group


class AstPositions:
    def __init__(self, tree: ast.AST, text: str, index_of: Mapping[cst.CSTNode, int],
                 counts: Mapping[str, int], parent_of: Mapping[cst.CSTNode, cst.CSTNode]) -> None:
        self.text = text
        self.index_of = index_of
        self.counts = counts
        self.parent_of = parent_of
        self._starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        self._groups: dict[str, list[Span]] = {}
        for node in ast.walk(tree):
            group = _AST_GROUPS.get(type(node))
            if group is not None and isinstance(node, _LOCATED) and hasattr(node, "lineno"):
                self._groups.setdefault(group, []).append(_span(node))
            decorators = getattr(node, "decorator_list", None)
            if decorators:
                self._groups.setdefault("decorator", []).extend(_span(d) for d in decorators)
        for spans in self._groups.values():
            spans.sort(key=lambda s: (s[0], s[1], -s[2], -s[3]))

    def span(self, node: cst.CSTNode, verify_start: bool = True) -> Span | None:
        """1-based line, 0-based column start and end of a reported node; None if not certain."""
        if isinstance(node, cst.Name):
            parent = self.parent_of.get(node)
            if isinstance(parent, cst.Attribute) and parent.attr is node:
                # Only the attribute's end matters (`(await c.get(u)).json`: its start may be a parenthesis);
                # the name found there verifies the mapping instead.
                outer = self.span(parent, verify_start=False)
                if outer is None:
                    return None
                line, column = outer[2], outer[3] - len(node.value)
                return (line, column, outer[2], outer[3]) if self._token_at(line, column) == node.value else None
            if isinstance(parent, cst.Param) and parent.default is node:
                return self._default_span(parent, node)
            return None
        group = counts_in_group(node)
        index = self.index_of.get(node)
        spans = self._groups.get(group or "", [])
        if group is None or index is None or index >= len(spans) or len(spans) != self.counts.get(group, -1):
            return None
        line, byte_column, end_line, byte_end = spans[index]
        column, end_column = self._chars(line, byte_column), self._chars(end_line, byte_end)
        if group == "decorator":
            at = self.text.rfind("@", self._starts[line - 1], self._offset(line, column))
            if at < 0:
                return None
            column = at - self._starts[line - 1]
        if verify_start and self._token_at(line, column) != _first_token(node):
            return None
        return line, column, end_line, end_column

    def _default_span(self, param: cst.Param, default: cst.Name) -> Span | None:
        """A parameter's default name (`timeout=None`): the `=` after the parameter's ast span (name and
        annotation; `*args` starts after its star), then the name, both on the same line."""
        outer = self.span(param, verify_start=False)
        if outer is None:
            return None
        line = outer[2]
        offset = self._offset(line, outer[3])
        end_of_line = self._starts[line] if line < len(self._starts) else len(self.text)
        equals = self.text.find("=", offset, end_of_line)
        if equals < 0 or self.text[offset:equals].strip():
            return None
        start = equals + 1
        while start < end_of_line and self.text[start] in " \t":
            start += 1
        column = start - self._starts[line - 1]
        if self._token_at(line, column) != default.value:
            return None
        return line, column, line, column + len(default.value)

    def _chars(self, line: int, byte_column: int) -> int:
        """ast columns count UTF-8 bytes; ours count characters."""
        start = self._starts[line - 1] if line - 1 < len(self._starts) else len(self.text)
        end = self._starts[line] if line < len(self._starts) else len(self.text)
        text = self.text[start:end]
        if text.isascii():
            return byte_column
        return len(text.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore"))

    def _offset(self, line: int, column: int) -> int:
        return self._starts[line - 1] + column

    def _token_at(self, line: int, column: int) -> str | None:
        if line - 1 >= len(self._starts):
            return None
        match = _TOKEN.match(self.text, self._offset(line, column))
        return match.group() if match else None


def _span(node: _Located) -> Span:
    return (node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0)


def _first_token(node: cst.CSTNode) -> str | None:
    """The first token of a node's code, without generating the code."""
    if isinstance(node, (cst.For, cst.While)):
        return "async" if isinstance(node, cst.For) and node.asynchronous is not None else (
            "for" if isinstance(node, cst.For) else "while")
    if isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler)):
        return "except"
    if isinstance(node, cst.Decorator):
        return "@"
    if isinstance(node, cst.Arg):
        return node.keyword.value if node.keyword is not None else "*"
    current: cst.CSTNode = node
    while True:
        if getattr(current, "lpar", None):
            # A parenthesised receiver (`(a or b).post(u)`): the call's ast position starts at its
            # parenthesis. The node itself parenthesised: ast positions leave its parentheses out.
            return "(" if current is not node else None
        if isinstance(current, cst.Call):
            current = current.func
        elif isinstance(current, (cst.Attribute, cst.Subscript)):
            current = current.value
        elif isinstance(current, cst.Name):
            return current.value
        else:
            return None
