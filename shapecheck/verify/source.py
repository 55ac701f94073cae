"""What the runner needs of a program's source and values: shapes of tensors, the probes
that report every assigned name's shape, the lines of class statements."""

from __future__ import annotations

import ast
import operator
import tokenize
import types

TENSOR_HOOK = "__shapecheck_tensor__"


# ---------------------------------------------------------------- shapes


def shape_of(value):
    """``value.shape`` as a list of ints and ``None``, or None if it has none."""
    try:
        shape = getattr(value, "shape", None)
        if shape is None or isinstance(shape, (str, bytes)):
            return None
        return [None if dim is None else operator.index(dim) for dim in shape]
    except Exception:  # no usable shape: unknown rank, odd objects, ...
        return None


def shapes_of(value):
    """The shape of a tensor, or the list of shapes of a list/tuple of them."""
    if isinstance(value, (list, tuple)):
        return [shape_of(item) for item in value]
    return shape_of(value)


def single(shapes):
    """A list of one shape as that shape."""
    return shapes[0] if isinstance(shapes, list) and len(shapes) == 1 else shapes


def first_input(args, kwargs):
    """The input of a layer call: the first positional argument, else ``inputs=``, else
    the first keyword argument that is an input (attention's ``query=``)."""
    if args:
        return args[0]
    if "inputs" in kwargs:
        return kwargs["inputs"]
    named = [v for k, v in kwargs.items() if k not in ("training", "mask")]
    return named[0] if named else None


# ---------------------------------------------------------------- source


class TensorProbes(ast.NodeTransformer):
    """Adds, after each assignment, a probe call reporting each assigned name.

    The probe is ``__shapecheck_tensor__(line, column, "name", name)``, placed on
    the assignment's line; columns are 1-based and count characters.
    """

    def __init__(self, source_lines):
        self._lines = source_lines

    def visit_Assign(self, node):
        return self._probed(node, node.targets)

    def visit_AnnAssign(self, node):
        return node if node.value is None else self._probed(node, [node.target])

    def visit_AugAssign(self, node):
        return self._probed(node, [node.target])

    def _probed(self, node, targets):
        probes = [self._probe(name) for target in targets
                  for name in assigned_names(target)]
        for probe in probes:
            ast.copy_location(probe, node)
            ast.fix_missing_locations(probe)
        return [node, *probes]

    def _probe(self, name):
        args = [ast.Constant(name.lineno), ast.Constant(self._column(name)),
                ast.Constant(name.id), ast.Name(name.id, ast.Load())]
        return ast.Expr(ast.Call(ast.Name(TENSOR_HOOK, ast.Load()), args, []))

    def _column(self, node):
        """1-based character column (the AST counts UTF-8 bytes)."""
        line = self._lines[node.lineno - 1].encode("utf-8")
        return len(line[:node.col_offset].decode("utf-8", "replace")) + 1


def assigned_names(target):
    """The plain names an assignment target binds, unpacking tuples/lists."""
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, ast.Starred):
        return assigned_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for item in target.elts for name in assigned_names(item)]
    return []  # attributes and subscripts


class ClassLines(ast.NodeVisitor):
    """Lines of the ``class`` statements, keyed by the class's ``__qualname__`` (a
    notebook-style file may define one name several times)."""

    def __init__(self):
        self.lines = {}
        self._scope = []

    def visit_ClassDef(self, node):
        self.lines.setdefault(".".join([*self._scope, node.name]), []).append(node.lineno)
        self._inside(node, node.name)

    def visit_FunctionDef(self, node):
        self._inside(node, f"{node.name}.<locals>")

    visit_AsyncFunctionDef = visit_FunctionDef

    def _inside(self, node, scope):
        self._scope.append(scope)
        self.generic_visit(node)
        self._scope.pop()


def class_line(cls, candidates):
    """The line of the ``class`` statement that made ``cls``: the last one before its
    first method (for a name defined several times in one file)."""
    methods = [f.__code__.co_firstlineno for f in vars(cls).values()
               if isinstance(f, types.FunctionType)]
    if not methods:
        return candidates[-1]
    before = [line for line in candidates if line <= min(methods)]
    return before[-1] if before else candidates[0]


def read_source(filename):
    """The program's text, decoded as Python decodes source files; for a notebook, the
    program of its code cells that the static analysis reads (``shapecheck.notebooks``)."""
    if filename.endswith(".ipynb"):
        from shapecheck.notebooks import read_notebook

        with open(filename, encoding="utf-8-sig") as handle:
            return read_notebook(handle.read()).source
    with tokenize.open(filename) as handle:  # honours coding cookies
        return handle.read()


def instrumented(source, filename):
    """The program compiled with tensor probes, and its class lines."""
    tree = ast.parse(source, filename)
    classes = ClassLines()
    classes.visit(tree)
    tree = TensorProbes(source.splitlines()).visit(tree)
    return compile(tree, filename, "exec"), classes.lines
