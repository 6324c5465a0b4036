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
import builtins

from apilint.project.facts import ClassSummary, ModuleSummary
from apilint.project.summary_functions import _TIMEOUT_METHODS, FunctionSummaries
from apilint.project.summary_values import _known
from apilint.project.summary_walk import _module_statements, _target_names


def summarize(tree: ast.Module, name: str, is_package: bool) -> ModuleSummary:
    """The summary of the module `name` whose `ast` tree is `tree`."""
    return _Summarizer(name, is_package).run(tree)


class _Summarizer(FunctionSummaries):
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
    def _builtin(self, expr: ast.expr) -> str | None:
        """`Exception` as a base, when the module binds no such name (and star-imports nothing that
        might): the builtin (`builtins.Exception`), so other modules see what it derives from."""
        if (not isinstance(expr, ast.Name) or expr.id in self._kinds or self.summary.star_imports
                or not hasattr(builtins, expr.id)):
            return None
        return f"builtins.{expr.id}"

    def _class(self, node: ast.ClassDef) -> ClassSummary:
        cls = ClassSummary(bases=[self.qualified(b) or self._builtin(b) or "" for b in node.bases])
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


_BUILTIN_EXCEPTIONS = frozenset({"Exception", "BaseException", "ValueError", "RuntimeError", "OSError", "IOError"})
