"""The files of a project as modules: what one file imports from another is followed.

A name a file imports (``from models import build_model``, ``from .layers import Block``,
``import pkg.mod``) is looked up among the project's files: the importing file's folder
and its parents up to the one holding ``pyproject.toml``, ``setup.py``, ``setup.cfg`` or
``.git`` (a few levels without one), plus that folder's ``src/`` (a standard library
module's name only in the importing file's own folder, which would shadow it). A module found there
runs once per run (cached by path and content) and its names are values: the importer calls its functions and
instantiates its classes as its own. Installed packages stay library names; an import
cycle, or a file that cannot be read or parsed, gives unknown values.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from shapecheck.cache import text_digest
from shapecheck.names import canonical
from shapecheck.objects import MISSING
from shapecheck.parse import parse
from shapecheck.values import ApiRef

MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
MAX_LEVELS = 5  # folders above a file searched when no marker says where the project starts
# Top-level packages that are libraries shapecheck models (never a project's own file).
LIBRARIES = frozenset({"keras", "tensorflow", "tf_keras", "numpy", "builtins", "math", "copy",
                       "functools", "os", "sys", "random"})


@dataclass(eq=False)
class Module:
    """A module of the project, run: its file, its globals and its evaluator's metadata."""

    name: str
    path: str
    globals: dict = field(default_factory=dict)
    positions: object = None
    lines: list = field(default_factory=list)  # its source, line by line
    imports: dict = field(default_factory=dict)  # a name its imports bind -> the dotted name
    star_imports: list = field(default_factory=list)  # the modules of its `from M import *`
    project: Project | None = None
    digest: str = ""  # the hash of its text


class Project:
    """The modules of one run, shared by the files it checks."""

    def __init__(self):
        self.modules: dict[tuple[str, str], Module] = {}
        self.loading: set[str] = set()  # paths being run (an import cycle stops there)
        self.resolving: set = set()  # (module path, name) being looked up through its imports
        self.imported: dict = {}  # every module's imported names (node -> canonical name)
        self.plain_backend: set = set()  # every module's names spelled keras.backend.*
        self.importers: dict = {}  # node of an imported name -> the file it is in
        self.requires: dict[str, set] = {}  # a file's path -> the modules it imported
        self.found: dict = {}  # (importing folder, dotted name) -> what `find` found there

    def add(self, names, path: str) -> None:
        """Take a module's imported names (its functions may run from another file)."""
        self.imported.update(names.imported)
        self.plain_backend.update(names.plain_backend)
        self.importers.update(dict.fromkeys(names.imported, path))

    # ----------------------------------------------------------------- finding files
    @staticmethod
    def roots(path: str) -> list[str]:
        """Where the modules a file imports may live: its folder and the folders above it
        up to the project's (the first holding a marker; without one, a few levels, as a
        repository checked out and run from its top), and that folder's ``src/``."""
        found = [os.path.dirname(os.path.abspath(path))]
        while len(found) <= MAX_LEVELS and not any(
                os.path.exists(os.path.join(found[-1], marker)) for marker in MARKERS):
            parent = os.path.dirname(found[-1])
            if parent == found[-1]:
                break
            found.append(parent)
        src = os.path.join(found[-1], "src")
        return found + ([src] if os.path.isdir(src) else [])

    def find(self, importer: str, dotted: str):
        """(module name, file, the rest of the name) for the longest prefix of ``dotted``
        that is a module of the project, else None. A relative name (``.layers.Block``)
        is looked up from the importing file's folder (one level up per extra dot). The
        files of one run do not change: each name is looked up once per folder."""
        key = (os.path.dirname(os.path.abspath(importer)), dotted)
        if key not in self.found:
            self.found[key] = self._find(importer, dotted)
        return self.found[key]

    def _find(self, importer: str, dotted: str):
        level = len(dotted) - len(dotted.lstrip("."))
        parts = dotted.lstrip(".").split(".")
        if level:
            folder = os.path.dirname(os.path.abspath(importer))
            for _ in range(level - 1):
                folder = os.path.dirname(folder)
            roots = [folder]
        elif not parts[0] or parts[0] in LIBRARIES:
            return None
        else:
            roots = self.roots(importer)
            if parts[0] in sys.stdlib_module_names:  # a file of the importer's folder shadows it
                roots = roots[:1]
        for end in range(len(parts), 0, -1):
            for root in roots:
                file = _module_file(root, parts[:end])
                if file is not None:
                    return ".".join(parts[:end]), file, parts[end:]
        return None

    # ----------------------------------------------------------------- running modules
    def module(self, name: str, path: str) -> Module | None:
        """The module in ``path``, run once (None while it runs: an import cycle)."""
        path = os.path.abspath(path)
        if path in self.loading:
            return None
        try:
            source = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        key = (path, text_digest(source))
        found = self.modules.get(key)
        if found is not None:
            return found
        from shapecheck.interpret import Evaluator
        from shapecheck.resolve import resolve

        try:
            wrapper = parse(source)
        except (cst.ParserSyntaxError, SyntaxError, ValueError):
            return None
        names = resolve(wrapper)
        module = self.modules[key] = Module(name, path, positions=names.positions,
                                            lines=source.splitlines(), imports=names.bindings,
                                            star_imports=names.star_imports, project=self,
                                            digest=key[1])
        self.loading.add(path)
        try:
            evaluator = Evaluator(wrapper.module, names, project=self, path=path, module_name=name)
            evaluator.globals = module.globals
            evaluator.run(entry=False)
        except RecursionError:
            pass
        finally:
            self.loading.discard(path)
        return module

    def dependencies(self, path: str) -> tuple:
        """(path, hash of its text) of every module the file ``path`` imported, directly
        or through others."""
        seen, todo = {}, [os.path.abspath(path)]
        while todo:
            for module in self.requires.get(todo.pop(), ()):
                if module.path not in seen:
                    seen[module.path] = module.digest
                    todo.append(module.path)
        return tuple(sorted(seen.items()))

    def locate(self, node):
        """(module, position) of a node of one of the project's modules, else None."""
        for module in self.modules.values():
            position = module.positions.get(node) if module.positions is not None else None
            if position is not None:
                return module, position
        return None

    def star_value(self, importer: str, star: str, name: str):
        """What ``from star import *`` in ``importer`` binds to ``name`` when ``star`` is a
        file of the project that exports it (its ``__all__``, else its public names), else
        ``MISSING``."""
        found = self.find(importer, star)
        module = self.module(*found[:2]) if found is not None and not found[2] else None
        if module is None or name.startswith("_"):
            return MISSING
        exported = module.globals.get("__all__")
        if isinstance(exported, (list, tuple)) and name not in exported:
            return MISSING
        return ModuleValue(module).attribute(name)

    def value(self, importer: str, dotted: str):
        """The value a project file gives the imported name ``dotted``, else ``MISSING``
        (a library name, or no such file)."""
        found = self.find(importer, dotted)
        if found is None:
            return MISSING
        name, path, rest = found
        module = self.module(name, path)
        if module is None:
            return MISSING
        self.requires.setdefault(os.path.abspath(importer), set()).add(module)
        value = ModuleValue(module)
        for attribute in rest:
            if isinstance(value, ModuleValue):
                value = value.attribute(attribute)
            elif isinstance(value, ApiRef):  # a library name the module imports
                value = ApiRef(canonical(f"{value.name}.{attribute}"))
            else:  # an attribute of one of its objects: not followed
                return MISSING
            if value is MISSING:
                return MISSING
        return value


@dataclass(eq=False)
class ModuleValue:
    """A module of the project used as a value (``import models`` then ``models.f``)."""

    module: Module

    def attribute(self, name: str):
        """What the module defines, else what its imports bind to ``name`` (a package's
        ``__init__`` importing from its modules), else its submodule ``name``."""
        module = self.module
        if name in module.globals:
            return module.globals[name]
        project, key = module.project, (module.path, name)
        if project is None or key in project.resolving:  # (modules importing it from each other)
            return MISSING
        project.resolving.add(key)
        try:
            return self._imported(name)
        finally:
            project.resolving.discard(key)

    def _imported(self, name: str):
        """What the module's imports (named, a package's own modules, star) bind to ``name``."""
        module, project = self.module, self.module.project
        dotted = module.imports.get(name)
        if dotted is not None:
            value = project.value(module.path, dotted)
            return ApiRef(canonical(dotted)) if value is MISSING and not dotted.startswith(".") \
                and project.find(module.path, dotted) is None else value
        if os.path.basename(module.path) == "__init__.py":
            value = project.value(module.path, "." + name)
            if value is not MISSING:
                return value
        for star in reversed(module.star_imports):
            value = project.star_value(module.path, star, name)
            if value is not MISSING:
                return value
        return MISSING


def _module_file(root: str, parts: list[str]) -> str | None:
    """The file of the module ``parts`` under ``root``: ``a/b.py`` or ``a/b/__init__.py``."""
    if not parts:
        return None
    base = os.path.join(root, *parts)
    for candidate in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(candidate):
            return candidate
    return None
