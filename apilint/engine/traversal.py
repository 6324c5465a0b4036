"""The one libcst traversal per file.

It records scopes and bindings (the semantic model), parents, a source-order
ordinal for every node, and collects the nodes each active rule asked for.
Rules run afterwards, when the model is complete, so a method may use
`self.session` that a later method assigns, or a factory defined further down.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

import libcst as cst

from apilint.engine.ast_positions import CST_GROUPS, counts_in_group
from apilint.knowledge.http_clients import REQUEST_CALL_NAMES
from apilint.semantic.names import dotted_name, string_value
from apilint.semantic.scope import (
    Binding,
    BindingKind,
    ClassScope,
    FunctionScope,
    HookRegistration,
    ModuleModel,
    Scope,
    TimeoutInjection,
)


@dataclass(frozen=True, eq=False)
class Visit:
    """A collected node, with the scope it appears in and its source-order ordinal."""

    node: cst.CSTNode
    scope: Scope
    order: int


# Fields that hold only whitespace, comments and punctuation: nothing a rule looks at.
_SKIPPED_FIELDS = frozenset({
    "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators", "header", "footer",
    "newline", "trailing_whitespace", "equal", "colon", "dot", "lbracket", "rbracket", "lbrace", "rbrace",
    "first_line", "empty_lines", "last_line", "asynchronous", "operator", "star_tok", "between",
})
_VISIT_ORDER = re.compile(r'visit_\w+\(\s*self,\s*"(\w+)"')
_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


_SCOPE_NODES = frozenset({cst.ClassDef, cst.FunctionDef, cst.Lambda})
_NODE_TYPES: dict[type, bool] = {}


def _is_node(kind: type) -> bool:
    """`issubclass(kind, cst.CSTNode)`, cached: an ABC isinstance check per field is slow."""
    known = _NODE_TYPES.get(kind)
    if known is None:
        known = _NODE_TYPES[kind] = issubclass(kind, cst.CSTNode)
    return known


def child_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    """The fields of a node class that hold child nodes, in the order libcst's own visitor uses.

    libcst's `CSTNode.visit` rebuilds every node it passes and costs about three
    parses; reading the fields directly costs a fraction of that. The order is
    read once per class from libcst's `_visit_and_replace_children`.
    """
    fields = _CHILD_FIELDS.get(node_type)
    if fields is None:
        try:
            names = _VISIT_ORDER.findall(inspect.getsource(node_type._visit_and_replace_children))
        except (OSError, TypeError):
            names = [f.name for f in dataclasses.fields(node_type)]
        fields = tuple(n for n in dict.fromkeys(names) if n not in _SKIPPED_FIELDS and not n.startswith("whitespace"))
        _CHILD_FIELDS[node_type] = fields
    return fields


_Node = TypeVar("_Node", bound=cst.CSTNode)


def _handler(node_type: type[_Node], handler: Callable[[_Node], None]) -> tuple[
        type[cst.CSTNode], Callable[[cst.CSTNode], None]]:
    """An entry of the dispatch table, checked: the handler takes the node type it is filed under.

    The table is looked up by `type(node)`, so a handler only ever receives its own node type;
    a dict whose value type depends on its key cannot be spelled in Python's types, hence the cast.
    """
    return node_type, cast(Callable[[cst.CSTNode], None], handler)


class Traversal(cst.CSTVisitor):
    def __init__(self, module: cst.Module, wanted: frozenset[type[cst.CSTNode]]) -> None:
        super().__init__()
        self.module_scope = Scope(kind="module", node=module, parent=None)
        self.model = ModuleModel(module_scope=self.module_scope)
        self.scope: Scope = self.module_scope
        self.order = 0
        self.order_of: dict[cst.CSTNode, int] = {}
        self.parent_of: dict[cst.CSTNode, cst.CSTNode] = {}
        self._stack: list[cst.CSTNode] = []
        self._import_depth = 0  # inside `import a.b` libcst has Attribute nodes that ast has not
        self._wanted = wanted
        self.collected: dict[type[cst.CSTNode], list[Visit]] = {t: [] for t in wanted}
        # Source-order numbers per node kind, so reports can take their positions from the ast tree.
        self.group_index: dict[cst.CSTNode, int] = {}
        self.group_counts: dict[str, int] = {}
        self._enter: dict[type[cst.CSTNode], Callable[[cst.CSTNode], None]] = dict((
            _handler(cst.Import, self._import),
            _handler(cst.ImportFrom, self._import_from),
            _handler(cst.ClassDef, self._class),
            _handler(cst.FunctionDef, self._function),
            _handler(cst.Lambda, self._lambda),
            _handler(cst.Assign, self._assign),
            _handler(cst.AnnAssign, self._ann_assign),
            _handler(cst.AugAssign, self._aug_assign),
            _handler(cst.WithItem, self._with_item),
            _handler(cst.For, self._for),
            _handler(cst.NamedExpr, self._named_expr),
            _handler(cst.ExceptHandler, self._except_handler),
            _handler(cst.Return, self._return),
            _handler(cst.Global, self._global),
            _handler(cst.Arg, self._arg),
            _handler(cst.SimpleString, self._string),
            _handler(cst.Call, self._call),
            _handler(cst.Attribute, self._attribute),
            _handler(cst.Name, self._name),
        ))

    def release(self) -> None:
        """Drop the handler table (bound methods -> self is a cycle that keeps the tree alive)."""
        self._enter = {}

    # -- generic dispatch -------------------------------------------------
    def walk(self, node: cst.CSTNode) -> None:
        """Visit `node` and its descendants in source order (replaces the slower `node.visit(self)`)."""
        self.on_visit(node)
        fields = _CHILD_FIELDS.get(type(node)) or child_fields(type(node))
        for name in fields:
            value = getattr(node, name)
            kind = type(value)
            if kind is list or kind is tuple:
                for item in value:
                    if _is_node(type(item)):
                        self.walk(item)
            elif _is_node(kind):
                self.walk(value)
        self.on_leave(node)

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.order += 1
        self.order_of[node] = self.order
        if self._stack:
            self.parent_of[node] = self._stack[-1]
        self._stack.append(node)
        node_type = type(node)
        if node_type is cst.Import or node_type is cst.ImportFrom:
            self._import_depth += 1
        if node_type in CST_GROUPS:
            group = counts_in_group(node)
            if group is not None and not (self._import_depth and group == "attribute"):
                count = self.group_counts.get(group, 0)
                self.group_index[node] = count
                self.group_counts[group] = count + 1
        handler = self._enter.get(node_type)
        if handler is not None:
            handler(node)
        if node_type in self._wanted:
            self.collected[node_type].append(Visit(node, self.scope, self.order))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()
        if type(original_node) is cst.Import or type(original_node) is cst.ImportFrom:
            self._import_depth -= 1
        if type(original_node) in _SCOPE_NODES and self.scope.parent is not None:
            self.scope = self.scope.parent

    # -- binding helpers --------------------------------------------------
    def _bind(self, name: str, binding: Binding) -> None:
        scope = self.scope
        if name in scope.global_names:
            scope = self.module_scope
        scope.bind(name, binding)

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None,
                     annotation: cst.BaseExpression | None = None) -> None:
        if isinstance(target, cst.Name):
            kind = BindingKind.ASSIGN if value is not None or annotation is not None else BindingKind.OTHER
            self._bind(target.value, Binding(kind, self.order, self.scope, value=value, annotation=annotation))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None)
        elif isinstance(target, cst.Attribute):
            self._attribute_target(target, value, annotation)

    def _attribute_target(self, target: cst.Attribute, value: cst.BaseExpression | None,
                          annotation: cst.BaseExpression | None) -> None:
        scope = self.scope
        if (
            isinstance(scope, FunctionScope)
            and scope.owner is not None
            and isinstance(target.value, cst.Name)
            and target.value.value == scope.self_name
        ):
            binding = Binding(BindingKind.ASSIGN, self.order, scope, value=value, annotation=annotation)
            scope.owner.instance_attributes.setdefault(target.attr.value, []).append(binding)
        # `s.request = functools.partial(s.request, timeout=10)`: a default timeout from now on.
        if target.attr.value in REQUEST_CALL_NAMES and isinstance(value, cst.Call) and _passes_timeout(value):
            self.model.injections.append(TimeoutInjection(target=target.value, scope=scope))

    # -- statements that bind names ---------------------------------------
    def _import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(alias.asname.name.value, Binding(BindingKind.IMPORT, self.order, self.scope, qualified_name=full))
            else:
                top = full.split(".", 1)[0]
                self._bind(top, Binding(BindingKind.IMPORT, self.order, self.scope, qualified_name=top))

    def _import_from(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module) if node.module is not None else ""
        prefix = "." * len(node.relative) + (module or "")
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            qualified = f"{prefix}.{name}" if prefix and not prefix.endswith(".") else f"{prefix}{name}"
            self._bind(local, Binding(BindingKind.IMPORT, self.order, self.scope, qualified_name=qualified))

    def _class(self, node: cst.ClassDef) -> None:
        scope = ClassScope(kind="class", node=node, parent=self.scope, name=node.name.value,
                           bases=[arg.value for arg in node.bases if arg.keyword is None])
        self._bind(node.name.value, Binding(BindingKind.CLASS, self.order, self.scope, definition=scope))
        self.scope.children.append(scope)
        self.scope = scope

    def _function(self, node: cst.FunctionDef) -> None:
        owner = self.scope if isinstance(self.scope, ClassScope) else None
        scope = FunctionScope(kind="function", node=node, parent=self.scope, name=node.name.value, owner=owner)
        self._bind(node.name.value, Binding(BindingKind.FUNCTION, self.order, self.scope, definition=scope))
        params = [*node.params.posonly_params, *node.params.params]
        decorators = {dotted_name(d.decorator) for d in node.decorators}
        if owner is not None:
            owner.methods[node.name.value] = scope
            if params and not decorators & {"staticmethod", "classmethod"}:
                scope.self_name = params[0].name.value
        all_params = [*params, *node.params.kwonly_params]
        for extra in (node.params.star_arg, node.params.star_kwarg):
            if isinstance(extra, cst.Param):
                all_params.append(extra)
        for param in all_params:
            annotation = param.annotation.annotation if param.annotation is not None else None
            scope.bind(param.name.value, Binding(BindingKind.PARAM, self.order, scope, annotation=annotation))
        self.scope.children.append(scope)
        self.scope = scope

    def _lambda(self, node: cst.Lambda) -> None:
        scope = FunctionScope(kind="function", node=node, parent=self.scope, name="<lambda>")
        params = node.params
        for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
            scope.bind(param.name.value, Binding(BindingKind.OTHER, self.order, scope))
        self.scope.children.append(scope)
        self.scope = scope

    def _assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
            hooks_owner = _hooks_owner(target.target)
            if hooks_owner is not None:
                self.model.hooks.append(HookRegistration(hooks_owner, self.scope, node.value))

    def _ann_assign(self, node: cst.AnnAssign) -> None:
        self._bind_target(node.target, node.value, node.annotation.annotation)

    def _aug_assign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, Binding(BindingKind.OTHER, self.order, self.scope))

    def _with_item(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind_target(node.asname.name, node.item)

    def _for(self, node: cst.For) -> None:
        self._bind_target(node.target, None)

    def _named_expr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    def _except_handler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, None)

    def _return(self, node: cst.Return) -> None:
        if isinstance(self.scope, FunctionScope) and node.value is not None:
            self.scope.returns.append(node.value)

    def _global(self, node: cst.Global) -> None:
        self.scope.global_names.update(item.name.value for item in node.names)

    # -- facts used to decide whether a client has a default timeout -------
    def _arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and node.keyword.value == "timeout" and isinstance(self.scope, FunctionScope):
            self.scope.mentions_timeout = True

    def _string(self, node: cst.SimpleString) -> None:
        if isinstance(self.scope, FunctionScope) and string_value(node) == "timeout":
            self.scope.mentions_timeout = True

    def _call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        if func.attr.value == "mount" and len(node.args) >= 2:
            self.model.injections.append(
                TimeoutInjection(target=func.value, scope=self.scope, adapter=node.args[1].value)
            )
        elif func.attr.value in ("append", "extend", "insert", "update"):
            hooks_owner = _hooks_owner(func.value)
            if hooks_owner is not None:
                self.model.hooks.append(HookRegistration(hooks_owner, self.scope, node))


    def _attribute(self, node: cst.Attribute) -> None:
        attr = node.attr.value
        if attr == "timeout":
            self.model.timeout_attributes.append((node, self.scope))
        elif attr == "raise_for_status" and isinstance(self.scope, FunctionScope):
            self.scope.mentions_raise_for_status = True

    def _name(self, node: cst.Name) -> None:
        parent = self._stack[-2] if len(self._stack) > 1 else None
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return
        if isinstance(parent, (cst.Arg, cst.Param)) and (parent.keyword is node if isinstance(parent, cst.Arg) else parent.name is node):
            return
        self.scope.uses.setdefault(node.value, []).append(node)


def _hooks_owner(target: cst.BaseExpression) -> cst.BaseExpression | None:
    """`s` for `s.hooks` or `s.hooks["response"]`."""
    if isinstance(target, cst.Subscript):
        target = target.value
    if isinstance(target, cst.Attribute) and target.attr.value == "hooks":
        return target.value
    return None


def _passes_timeout(call: cst.Call) -> bool:
    return any(arg.keyword is not None and arg.keyword.value == "timeout" for arg in call.args)
