"""Resolve imported names with libcst's scope analysis.

``ScopeProvider`` binds every name; for each ``Name`` / ``Attribute`` node that
starts with a name an import statement binds, the node's scope gives its
qualified names (what ``QualifiedNameProvider`` reports, asked only for these
nodes, which keeps the pass cheap), folded onto one canonical name by
``shapecheck.names``: ``tf.keras.layers.Conv2D`` -> ``keras.layers.Conv2D``.
Positions come from ``PositionProvider``.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    MetadataWrapper,
    PositionProvider,
    QualifiedNameSource,
    ScopeProvider,
)

from shapecheck.names import canonical


class _Candidates(cst.CSTVisitor):
    """Import statements' bound names and star imports, and the dotted names in use."""

    def __init__(self):
        self.bound: set[str] = set()
        self.star_imports: list[str] = []  # modules of `from M import *`
        self.patches_modules = False  # assigns to sys.modules
        self.dotted: list[tuple[str, cst.CSTNode]] = []  # (first name, Name or Attribute)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            bound = alias.asname.name if alias.asname else alias.name
            while isinstance(bound, cst.Attribute):  # `import a.b` binds `a`
                bound = bound.value
            self.bound.add(bound.value)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            if node.module is not None and not node.relative:
                self.star_imports.append(cst.Module(body=[]).code_for_node(node.module))
            return
        for alias in node.names:
            bound = alias.asname.name if alias.asname else alias.name
            if isinstance(bound, cst.Name):
                self.bound.add(bound.value)

    def visit_Name(self, node: cst.Name) -> None:
        self.dotted.append((node.value, node))

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        target = node.target  # sys.modules["keras"] = tf.keras: what "keras" is depends on the run
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Attribute) \
                and cst.Module(body=[]).code_for_node(target.value) == "sys.modules":
            self.patches_modules = True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        base = node.value
        while isinstance(base, cst.Attribute):
            base = base.value
        if isinstance(base, cst.Name):
            self.dotted.append((base.value, node))


class Names:
    """Imported names (node -> canonical name), the module's import bindings, star imports
    and positions of one module."""

    def __init__(self, wrapper: MetadataWrapper):
        candidates = _Candidates()
        wrapper.module.visit(candidates)
        self.star_imports = candidates.star_imports
        self.positions = wrapper.resolve(PositionProvider)
        self.imported: dict[cst.CSTNode, str] = {}
        # The names spelled through plain ``keras.backend`` (not ``tf.keras.backend``, which
        # keeps Keras 2's functions): Keras 3's has only a few.
        self.plain_backend: set[cst.CSTNode] = set()
        # The names the module's own imports bind -> what they stand for, unfolded
        # (``.layers.Block``, ``tcn.tcn.TCN``): what another file importing them gets.
        self.bindings: dict[str, str] = {}
        if not candidates.bound:
            return
        scopes = wrapper.resolve(ScopeProvider)
        module_scope = scopes.get(wrapper.module)
        for name in candidates.bound:
            if module_scope is not None and name in module_scope:
                for qualified in module_scope.get_qualified_names_for(name):
                    if qualified.source is QualifiedNameSource.IMPORT:
                        self.bindings[name] = qualified.name
        for first, node in candidates.dotted:
            scope = scopes.get(node) if first in candidates.bound else None
            if scope is None:
                continue
            for qualified in scope.get_qualified_names_for(node):
                if qualified.source is QualifiedNameSource.IMPORT:
                    self.imported[node] = canonical(qualified.name)
                    if qualified.name.startswith("keras.backend.") and not candidates.patches_modules:
                        self.plain_backend.add(node)


def resolve(wrapper: MetadataWrapper) -> Names:
    """Imported names and every node's position, for ``wrapper.module``."""
    return Names(wrapper)
