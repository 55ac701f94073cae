"""Mutants that know less: one known value of a program replaced by one shapecheck cannot know.

A *site* is an integer, string or boolean constant (a size, a count, a shape element,
``padding='same'``, ``return_sequences=True``, an ``if`` flag) or a call that makes data
(``tf.random.normal(...)``, ``np.zeros(...)``, ``mnist.load_data()``). A mutant replaces
one site, in place, by a read of the environment (``int(os.environ["N"])``) or of a file
(``np.load("data.npy")``), so every finding keeps its line.

The property: a mutant reports no error finding that the original does not, except
after the line where the original already has one (there TensorFlow stops anyway, and
knowing less may move where a real bug shows).
"""

from __future__ import annotations

import random

import libcst as cst
from libcst.metadata import MetadataWrapper

from shapecheck.engine import check_source
from shapecheck.resolve import resolve

DATA_CALLS = frozenset({
    "tensorflow.random.normal", "tensorflow.random.uniform", "tensorflow.zeros", "tensorflow.ones",
    "tensorflow.constant", "keras.random.normal", "keras.random.uniform", "keras.ops.zeros",
    "keras.ops.ones", "numpy.zeros", "numpy.ones", "numpy.empty", "numpy.array",
    "numpy.random.random", "numpy.random.normal", "numpy.random.uniform", "numpy.random.randint",
    "numpy.random.rand", "numpy.random.randn",
})
UNKNOWNS = {
    "int": 'int(os.environ["SHAPECHECK_N"])',
    "str": 'os.environ["SHAPECHECK_S"]',
    "bool": 'bool(os.environ.get("SHAPECHECK_B"))',
    "data": 'np.load("data.npy")',
}
# Appended, so no line moves; scope analysis binds the names for the whole module.
IMPORTS = "\nimport os\nimport numpy as np\n"


def sites(source: str) -> list[tuple[str, cst.CSTNode]]:
    """("int" | "data", node) for each place a known value can be replaced, in source order."""
    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    names = resolve(wrapper)
    found = []

    class Visitor(cst.CSTVisitor):
        def visit_Integer(self, node):
            found.append(("int", node))

        def visit_SimpleString(self, node):
            found.append(("str", node))

        def visit_Expr(self, node):  # a docstring is no value
            return not isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString))

        def visit_Name(self, node):
            if node.value in ("True", "False"):
                found.append(("bool", node))

        def visit_Import(self, node):
            return False

        def visit_ImportFrom(self, node):
            return False

        def visit_Call(self, node):
            name = names.imported.get(node.func, "")
            if name in DATA_CALLS or name.endswith(".load_data"):
                found.append(("data", node))

    wrapper.module.visit(Visitor())
    return [(kind, node) for kind, node in found], wrapper.module


def mutants(source: str, limit: int | None = None, seed: int = 0):
    """Each mutant's (description, source); ``limit`` picks that many sites at random."""
    found, module = sites(source)
    positions = list(range(len(found)))
    if limit is not None and len(positions) > limit:
        positions = sorted(random.Random(seed).sample(positions, limit))
    replacements = {kind: cst.parse_expression(text) for kind, text in UNKNOWNS.items()}
    for index in positions:
        kind, node = found[index]
        mutated = module.deep_replace(node, replacements[kind])
        text = module.code_for_node(node)
        yield f"site {index}: {text[:40]!r} -> {kind} unknown", mutated.code + IMPORTS


def errors(source: str, path: str = "mutant.py") -> set[tuple[str, int]]:
    """The program's error findings as (code, line)."""
    report = check_source(source, path)
    return {(d.code, d.line) for d in report.diagnostics if d.severity == "error"}


def new_errors(source: str, limit: int | None = None, seed: int = 0, path: str = "mutant.py"):
    """(description, the findings the mutant adds) for each mutant that reports more;
    ``path``: where the program is (its imports are followed from there)."""
    before = errors(source, path)
    stop = min((line for _, line in before), default=None)
    for description, mutant in mutants(source, limit, seed):
        added = {(code, line) for code, line in errors(mutant, path) - before
                 if stop is None or line <= stop}
        if added:
            yield description, sorted(added)
