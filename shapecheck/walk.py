"""A fast walk over a libcst tree: the expression and statement nodes under a node, without
the whitespace, commas and brackets around them. ``CSTNode.visit`` rebuilds every node it
passes (fifteen times the cost of reading its fields), which a pass that only looks at the
tree does not need."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import libcst as cst

_TRIVIA = ("whitespace", "lpar", "rpar", "lbracket", "rbracket", "lbrace", "rbrace",
           "leading_lines", "lines_after_decorators", "header", "footer", "empty_lines",
           "trailing_whitespace", "first_line", "last_line", "newline", "comma", "semicolon",
           "colon", "first_colon", "second_colon", "equal", "dot", "separator", "comment")
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(kind: type) -> tuple[str, ...]:
    found = _FIELDS.get(kind)
    if found is None:
        found = _FIELDS[kind] = tuple(
            field.name for field in dataclasses.fields(kind)
            if not field.name.startswith(_TRIVIA))
    return found


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The nodes right under ``node``, in the order of its fields (source order, but for a
    few such as ``IfExp``'s test before its body)."""
    found = []
    for name in _fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif isinstance(value, (tuple, list)):
            found.extend(item for item in value if isinstance(item, cst.CSTNode))
    return found


def walk(root: cst.CSTNode, visit: Callable[[cst.CSTNode], bool | None]) -> None:
    """Call ``visit`` on ``root`` and every node under it, depth first in field order; where
    it returns False, the nodes under that node are skipped."""
    stack = [root]
    while stack:
        node = stack.pop()
        if visit(node) is not False:
            stack.extend(reversed(children(node)))
