"""``shapecheck.positions`` gives every node the range libcst's ``PositionProvider`` gives,
and ``shapecheck.walk`` reaches the expressions and statements libcst's visitor reaches (in
field order, which for a few nodes is not source order)."""

from __future__ import annotations

import libcst as cst
import pytest
from fixture_paths import FIXTURES, program_source
from libcst.metadata import MetadataWrapper, PositionProvider

from shapecheck.positions import positions
from shapecheck.walk import walk

TRICKY = [
    "x = (1 +\n     2)  # comment\n",
    "def f(a, *, b=1, **kw):\n    '''doc\n    string'''\n    return [a,\n b]\n",
    "class A(B, metaclass=M):\n\n    @d\n    def g(self): pass\n",
    "y = {k: v for k, v in z.items() if k}\r\nw = lambda q: q[1:2, ::3]\r\n",
    "with a as b, c:\n    pass\nelse_ = f'{x!r:>{w}}'\n",
    "try:\n    pass\nexcept (A, B) as e:\n    raise\nfinally:\n    del x\n",
    "match p:\n    case {'k': v, **rest}:\n        pass\n    case [a, *b]:\n        pass\n",
]


def _agree(source: str) -> None:
    wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    expected = wrapper.resolve(PositionProvider)
    found = positions(wrapper.module)
    assert set(found) == set(expected)
    for node, where in expected.items():
        got = found[node]
        assert (got.start.line, got.start.column, got.end.line, got.end.column) == \
            (where.start.line, where.start.column, where.end.line, where.end.column)


def _visited(module: cst.Module) -> list[cst.CSTNode]:
    seen = []

    class Visitor(cst.CSTVisitor):
        def on_visit(self, node) -> bool:
            seen.append(node)
            return True

    module.visit(Visitor())
    return seen


def _walk_agrees(source: str) -> None:
    module = cst.parse_module(source)
    walked = []
    walk(module, walked.append)
    meaningful = (cst.BaseExpression, cst.BaseStatement, cst.BaseSmallStatement)
    assert {id(n) for n in walked if isinstance(n, meaningful)} == \
        {id(n) for n in _visited(module) if isinstance(n, meaningful)}


CHECKS = {"positions are libcst's": _agree, "walk reaches every node": _walk_agrees}


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
@pytest.mark.parametrize("source", TRICKY)
def test_tricky_code(check, source):
    check(source)


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
def test_every_fixture(check):
    for path in FIXTURES:
        check(program_source(path))
