"""Resolve imported names with libcst's ``QualifiedNameProvider``.

One pass over the module maps each ``Name`` / ``Attribute`` node that refers
to an imported object onto its canonical name (``shapecheck.names``), e.g.
``tf.keras.layers.Conv2D`` -> ``keras.layers.Conv2D``.  Positions come along
from ``PositionProvider``.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    MetadataWrapper,
    PositionProvider,
    QualifiedNameProvider,
    QualifiedNameSource,
)

from shapecheck.names import canonical


class _Collector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self):
        self.imported: dict[cst.CSTNode, str] = {}
        self.builtins: dict[cst.CSTNode, str] = {}
        self.positions: dict[cst.CSTNode, object] = {}
        self.star_imports: list[str] = []  # modules of `from M import *`

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.positions[node] = self.get_metadata(PositionProvider, node)
        return super().on_visit(node)

    def _record(self, node) -> None:
        for qualified in self.get_metadata(QualifiedNameProvider, node, set()):
            if qualified.source is QualifiedNameSource.IMPORT:
                self.imported[node] = canonical(qualified.name)
            elif qualified.source is QualifiedNameSource.BUILTIN:
                self.builtins[node] = qualified.name.removeprefix("builtins.")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar) and node.module is not None and not node.relative:
            self.star_imports.append(cst.Module(body=[]).code_for_node(node.module))

    def visit_Name(self, node: cst.Name) -> None:
        self._record(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._record(node)


def resolve(wrapper: MetadataWrapper) -> _Collector:
    """Imported and builtin names, and every node's position, for ``wrapper.module``."""
    collector = _Collector()
    wrapper.visit(collector)
    return collector
