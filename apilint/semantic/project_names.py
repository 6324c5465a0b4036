"""The resolver's questions about names defined in other modules of the project.

The resolver proves what its module shows. A name bound by an import of a project module, a base
class defined in another module, or a `**kwargs` wrapper is answered by the project index through
`ProjectView` (spec: "Whole-project resolution"). Without a view (one file analysed on its own,
the fixtures) every answer is None: unknown means silent.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from apilint.project.index import ClientFact, WrapperFact
from apilint.project.timeout_overrides import Definition
from apilint.project.view import ProjectView
from apilint.semantic.names import has_star_args, positional_count
from apilint.semantic.scope import Binding, BindingKind, ClassScope, FunctionScope, Scope


@dataclass(frozen=True)
class WrapperCall:
    """A call of a project function that forwards `**kwargs` into an HTTP call with no timeout."""

    call: cst.Call
    wrapper: WrapperFact
    display: str  # the wrapper as the call spells it (`self._request`)


class ProjectNames:
    project: ProjectView | None = None  # set by the engine when the file belongs to an indexed project

    def lookup(self, name: str, scope: Scope, order: int | None) -> list[Binding]:
        raise NotImplementedError

    def qualified_name(self, expr: cst.BaseExpression, scope: Scope, order: int | None = None) -> str | None:
        raise NotImplementedError

    def class_chain(self, cls: ClassScope) -> list[ClassScope]:
        raise NotImplementedError

    def project_canonical(self, qualified: str) -> str:
        """Re-exports followed: `shop.compat.requests.get` -> `requests.get`; relative imports made absolute."""
        return self.project.canonical(qualified) if self.project is not None else qualified

    def project_client_at(self, qualified: str | None) -> ClientFact | None:
        """A client held by a module-level name of another project module."""
        if self.project is None or qualified is None:
            return None
        return self.project.client_at(qualified)

    def project_made_client(self, qualified: str) -> ClientFact | None:
        """A client made by calling a project class or factory function."""
        return self.project.made_client(qualified) if self.project is not None else None

    def project_class_client(self, qualified: str | None) -> ClientFact | None:
        """A project class (maybe in another module) that subclasses a client class."""
        if self.project is None or qualified is None:
            return None
        return self.project.class_client(qualified)

    def project_attribute_client(self, owner: ClassScope, attribute: str) -> ClientFact | None:
        """`self.<attribute>` set in a base class defined in another project module."""
        if self.project is None:
            return None
        facts = [self.project.attribute_client(name, attribute) for name in self._project_bases(owner)]
        found = [f for f in facts if f is not None]
        return found[0] if found and len({f.kind for f in found}) == 1 else None

    def project_subclass_definitions(self, cls: ClassScope) -> list[Definition]:
        """The definitions of the classes deriving from a module-level class, in any project module."""
        name = self._module_level_class(cls)
        if self.project is None or name is None:
            return []
        return self.project.subclass_definitions(self.project.own(name))

    def _project_bases(self, owner: ClassScope) -> list[str]:
        """Qualified names of the bases of the class (and of its module-local bases) that the module imports."""
        names: list[str] = []
        for cls in self.class_chain(owner):
            scope = cls.parent
            if scope is None or scope.kind != "module":
                continue  # the summary (and so the pre-check) knows module-level classes only
            for base in cls.bases:
                qualified = self.qualified_name(base, scope)
                if qualified is not None:
                    names.append(qualified)
        return names

    # -- wrappers ------------------------------------------------------------------
    def project_wrapper(self, call: cst.Call, scope: Scope, order: int | None) -> WrapperCall | None:
        """A call with no timeout of a project function that forwards `**kwargs` into an untimed HTTP call."""
        project = self.project
        if project is None or has_star_args(call):
            return None
        func = call.func
        wrapper: WrapperFact | None = None
        display = ""
        if (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and isinstance(scope, FunctionScope)
                and scope.owner is not None and func.value.value == scope.self_name):
            owner = self._module_level_class(scope.owner)
            if owner is not None:
                wrapper = project.method_wrapper(project.own(owner), func.attr.value)
                display = f"{func.value.value}.{func.attr.value}"
        elif isinstance(func, cst.Name):
            bindings = self.lookup(func.value, scope, order)
            if len(bindings) == 1 and bindings[0].kind is BindingKind.FUNCTION and bindings[0].scope.kind == "module":
                wrapper = project.wrapper(project.own(func.value))
            elif bindings and all(b.kind is BindingKind.IMPORT for b in bindings):
                qualified = self.qualified_name(func, scope, order)
                wrapper = project.wrapper(qualified) if qualified is not None else None
            display = func.value
        elif isinstance(func, cst.Attribute):
            qualified = self.qualified_name(func, scope, order)
            if qualified is not None:
                wrapper = project.wrapper(qualified)
                display = qualified
        if wrapper is None:
            return None
        if wrapper.varargs and positional_count(call) > wrapper.positional:
            return None  # extra positional arguments reach the call: one may be the timeout
        return WrapperCall(call, wrapper, display)

    def _module_level_class(self, cls: ClassScope) -> str | None:
        """The class's name when the module defines it at top level (the index knows only those)."""
        parent = cls.parent
        return cls.name if parent is not None and parent.kind == "module" else None
