"""Resolve imported names: what each ``Name`` / ``Attribute`` starting with a name an import
binds stands for, folded onto one canonical name by ``shapecheck.names``
(``tf.keras.layers.Conv2D`` -> ``keras.layers.Conv2D``). Positions come from
``shapecheck.positions`` (``PositionProvider``'s ranges).

In most files every name an import binds is bound once, by a module-level import, and
never rebound (assigned, a parameter, a loop variable...): then each use of it means the
import, and its qualified name follows from the import statement alone, as libcst's own
``ImportAssignment`` computes it. Otherwise libcst's ``ScopeProvider`` binds every name and
the node's scope gives its qualified names (``exact=True`` always takes this way; a test
checks that both agree).
"""

from __future__ import annotations

from collections import Counter

import libcst as cst
from libcst.metadata import MetadataWrapper, QualifiedNameSource, ScopeProvider

from shapecheck.names import canonical
from shapecheck.positions import positions
from shapecheck.walk import children, walk


def _code(node) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _dotted(node) -> str:
    """``a.b.c`` of a chain of attributes on a name (without its brackets)."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    return ".".join([node.value, *reversed(parts)])


def _target_names(node) -> list[str]:
    """The names an assignment target binds (``a``, ``a, *b``; not ``x.a`` or ``x[a]``)."""
    if isinstance(node, cst.Name):
        return [node.value]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [name for element in node.elements for name in _target_names(element.value)]
    if isinstance(node, cst.StarredElement):
        return _target_names(node.value)
    return []


def _meaning(alias: cst.ImportAlias, statement) -> tuple[str, str, str | None]:
    """(module, dotted name, as-name) of one name an import statement imports."""
    module = ""
    if isinstance(statement, cst.ImportFrom):
        module = _dotted(statement.module) if statement.module is not None else ""
        module = "." * len(statement.relative) + module
    asname = alias.asname.name.value if alias.asname is not None else None
    return module, _dotted(alias.name), asname


class _Candidates:
    """Import statements' bound names and star imports, the dotted names in use (the nodes
    that have a scope: not an attribute's or a keyword's name, nor an import's own), and
    every name bound otherwise."""

    def __init__(self, module: cst.Module):
        self.bound: set[str] = set()
        self.star_imports: list[str] = []  # modules of `from M import *`
        self.patches_modules = False  # assigns to sys.modules
        self.dotted: list[tuple[str, cst.CSTNode]] = []  # (first name, Name or Attribute)
        self.aliases: list[tuple[str, cst.ImportAlias, cst.CSTNode]] = []  # (bound, alias, import)
        self.nested_imports = False  # an import inside a function or class
        self.rebound: set[str] = set()  # names bound by anything but an import
        self._depth = 0
        walk(module, self._visit)

    def _visit(self, node) -> bool | None:
        visit = _VISITS.get(type(node))
        return visit(self, node) if visit is not None else None

    def _walk(self, node) -> None:
        walk(node, self._visit)

    def _import(self, node, bound: str, alias) -> None:
        self.bound.add(bound)
        self.aliases.append((bound, alias, node))
        self.nested_imports |= self._depth > 0

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            bound = alias.asname.name if alias.asname else alias.name
            while isinstance(bound, cst.Attribute):  # `import a.b` binds `a`
                bound = bound.value
            self._import(node, bound.value, alias)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if isinstance(node.names, cst.ImportStar):  # (relative ones as ".module", "..")
            dots = "." * len(node.relative)
            if node.module is not None or dots:
                self.star_imports.append(dots + (_code(node.module) if node.module else ""))
            return False
        for alias in node.names:
            bound = alias.asname.name if alias.asname else alias.name
            if isinstance(bound, cst.Name):
                self._import(node, bound.value, alias)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.dotted.append((node.value, node))

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        base = node.value
        while isinstance(base, cst.Attribute):
            base = base.value
        if isinstance(base, cst.Name):
            self.dotted.append((base.value, node))
        self._walk(node.value)
        return False  # (its ``attr`` has no scope)

    def visit_Arg(self, node: cst.Arg) -> bool:
        self._walk(node.value)
        return False  # (nor has a keyword's name)

    # ------------------------------------------------------- what else binds a name
    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        target = node.target  # sys.modules["keras"] = tf.keras: what "keras" is depends on the run
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Attribute) \
                and _code(target.value) == "sys.modules":
            self.patches_modules = True
        self.rebound.update(_target_names(target))

    def _binds_target(self, node) -> None:
        self.rebound.update(_target_names(node.target))

    visit_AnnAssign = visit_AugAssign = visit_For = visit_CompFor = visit_NamedExpr = \
        visit_Del = _binds_target

    def _binds_name(self, node) -> None:  # with ... as a, except E as a (imports: skipped), match
        self.rebound.update(_target_names(node.name) if node.name else [])

    visit_AsName = visit_MatchAs = visit_MatchStar = _binds_name

    def visit_Param(self, node) -> None:
        self.rebound.add(node.name.value)

    def visit_Global(self, node) -> None:
        self.rebound.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node) -> None:
        self.rebound.update(item.name.value for item in node.names)

    def visit_MatchMapping(self, node) -> None:
        self.rebound.update(_target_names(node.rest) if node.rest else [])

    def _scope(self, node) -> bool:  # a function, class or lambda: a scope of its own
        if not isinstance(node, cst.Lambda):
            self.rebound.add(node.name.value)
        self._depth += 1
        for child in children(node):
            self._walk(child)
        self._depth -= 1
        return False

    visit_FunctionDef = visit_ClassDef = visit_Lambda = _scope

    # ------------------------------------------------------- the way without scopes
    def simple(self) -> bool:
        """Whether every name an import binds means that import wherever it is used."""
        meanings = {(bound, _meaning(alias, statement)) for bound, alias, statement in self.aliases}
        counts = Counter(bound for bound, _ in meanings)  # (the same import twice means one thing)
        return not self.nested_imports and all(n == 1 for n in counts.values()) \
            and not (self.bound & self.rebound)

    def qualified(self, first: str, full_name: str) -> str | None:
        """``full_name``'s qualified name through the one import that binds ``first``
        (libcst's ``ImportAssignment.get_qualified_names_for``)."""
        bound, alias, statement = next(a for a in self.aliases if a[0] == first)
        module, name, asname = _meaning(alias, statement)
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            real = as_name = ".".join(parts[:end])
            if module:
                real = f"{module}{real}" if module.endswith(".") else f"{module}.{real}"
            if asname is not None:
                as_name = asname
            if full_name == as_name or full_name.startswith(as_name + "."):
                rest = full_name[len(as_name):].lstrip(".")
                return f"{real}.{rest}" if rest else real
        return None


# A node type -> the ``_Candidates.visit_*`` method that reads it.
_VISITS = {getattr(cst, name[6:]): function for name, function in vars(_Candidates).items()
           if name.startswith("visit_")}


class Names:
    """Imported names (node -> canonical name), the module's import bindings, star imports
    and positions of one module."""

    def __init__(self, wrapper: MetadataWrapper, exact: bool = False):
        candidates = _Candidates(wrapper.module)
        self.star_imports = candidates.star_imports
        self.positions = positions(wrapper.module)
        self.imported: dict[cst.CSTNode, str] = {}
        # The names spelled through plain ``keras.backend`` (not ``tf.keras.backend``, which
        # keeps Keras 2's functions): Keras 3's has only a few.
        self.plain_backend: set[cst.CSTNode] = set()
        # The names the module's own imports bind -> what they stand for, unfolded
        # (``.layers.Block``, ``tcn.tcn.TCN``): what another file importing them gets.
        self.bindings: dict[str, str] = {}
        if not candidates.bound:
            return
        if candidates.simple() and not exact:
            self.bindings = {name: found for name in candidates.bound
                             if (found := candidates.qualified(name, name)) is not None}
            for first, node in candidates.dotted:
                if first in candidates.bound:
                    self._imported(node, candidates.qualified(first, _dotted(node)), candidates)
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
                    self._imported(node, qualified.name, candidates)

    def _imported(self, node, qualified: str | None, candidates) -> None:
        if qualified is None:
            return
        self.imported[node] = canonical(qualified)
        if qualified.startswith("keras.backend.") and not candidates.patches_modules:
            self.plain_backend.add(node)


def resolve(wrapper: MetadataWrapper, exact: bool = False) -> Names:
    """Imported names and every node's position, for ``wrapper.module``."""
    return Names(wrapper, exact)
