"""``while len(items) < n:`` loops that fill lists to a known length, whatever their passes
do meanwhile (a data generator that draws at random and skips what it has seen): with no
``break``, ``return``, ``raise`` or ``next()`` (whose StopIteration a ``try`` around the
loop may catch), the loop ends when ``items`` holds ``n`` items, if each pass
appends at most one; a list appended next to it, in the same run of statements, holds as
many more. Their items stay unknown."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class Filling:
    """The lists a loop fills (``names[0]`` the one its test measures) and its bound."""

    names: tuple
    bound: cst.BaseExpression


def filling(loop: cst.While) -> Filling | None:
    """The filling a ``while`` loop does, read off its code, else None."""
    test = loop.test
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.LessThan) and _is_len(test.left)):
        return None
    measured = test.left.args[0].value.value
    found = _Scan()
    loop.body.visit(found)
    if found.exits or found.appends.get(measured) is None or found.mentions.get(measured) != 1:
        return None
    block, at = found.appends[measured]
    names = [measured]
    for other, place in found.appends.items():
        if other != measured and place is not None and not found.tried and place[0] is block \
                and _plain_between(block, min(at, place[1]), max(at, place[1])):
            names.append(other)
    names = [n for n in names if found.mentions[n] == 1]  # (each only appended, once)
    return Filling(tuple(names), test.comparisons[0].comparator)


def _is_len(node) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "len" \
        and len(node.args) == 1 and isinstance(node.args[0].value, cst.Name)


def _plain_between(block, start: int, stop: int) -> bool:
    """Whether the statements of ``block`` strictly between two indices surely run on."""
    return all(isinstance(s, cst.SimpleStatementLine) and not any(
        isinstance(small, (cst.Continue, cst.Break, cst.Return, cst.Raise)) for small in s.body)
        for s in block[start + 1:stop])


class _Scan(cst.CSTVisitor):
    """What a loop body does: whether it may leave the loop early (``exits``) or catch an
    exception (``tried``), each name's mentions, and where each name's one
    ``name.append(...)`` statement stands (None for a name appended twice or in a nested
    loop)."""

    def __init__(self):
        self.exits = self.tried = False
        self.mentions: dict[str, int] = {}
        self.appends: dict[str, tuple | None] = {}
        self._nested = 0

    def visit_Name(self, node):
        self.mentions[node.value] = self.mentions.get(node.value, 0) + 1

    def visit_Break(self, node):
        self.exits = self.exits or not self._nested

    def visit_Try(self, node):
        self.tried = True

    def visit_Return(self, node):
        self.exits = True

    visit_Yield = visit_Raise = visit_Return  # (a raise caught around the loop ends it too)

    def visit_Call(self, node):  # next() raises StopIteration at the end of what it reads
        self.exits = self.exits or isinstance(node.func, cst.Name) and node.func.value == "next"

    def _enter(self, node):
        self._nested += 1

    def _leave(self, node):
        self._nested -= 1

    visit_For = visit_While = visit_ListComp = visit_GeneratorExp = visit_SetComp = visit_DictComp = _enter
    leave_For = leave_While = leave_ListComp = leave_GeneratorExp = leave_SetComp = leave_DictComp = _leave
    visit_FunctionDef = visit_Lambda = visit_ClassDef = _enter
    leave_FunctionDef = leave_Lambda = leave_ClassDef = _leave

    def visit_IndentedBlock(self, node):
        block = node.body
        for index, statement in enumerate(block):
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                continue
            call = getattr(statement.body[0], "value", None)
            if isinstance(statement.body[0], cst.Expr) and isinstance(call, cst.Call) \
                    and isinstance(call.func, cst.Attribute) and call.func.attr.value == "append" \
                    and isinstance(call.func.value, cst.Name) and len(call.args) == 1:
                name = call.func.value.value
                once = name not in self.appends and not self._nested
                self.appends[name] = (block, index) if once else None
