"""Where a rule's fix goes: the syntax around a finding's node (its enclosing loop, its
statement and function), and the code that fix writes."""

from __future__ import annotations

import libcst as cst


def code(node) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _parents(analysis, node):
    """The statements that hold ``node`` (of the checked file), innermost first: found by
    position from the module down (a parent map would cost a pass over the whole tree)."""
    positions = analysis.names.positions
    where = positions.get(node)
    found, body = [], list(analysis.module.body) if where is not None else []
    while body:
        holder = next((s for s in body if s in positions and _holds(positions[s], where)), None)
        if holder is None or holder is node:
            break
        found.append(holder)
        body = _children(holder)
    return reversed(found)


def _holds(span, where) -> bool:
    return (span.start.line, span.start.column) <= (where.start.line, where.start.column) and \
        (where.end.line, where.end.column) <= (span.end.line, span.end.column)


def _children(statement) -> list:
    """The statements directly inside a statement (a simple line's small statements)."""
    if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        return list(statement.body)
    found = []
    for name in ("body", "orelse", "handlers", "finalbody"):
        part = getattr(statement, name, None)
        for piece in part if isinstance(part, (list, tuple)) else [part] if part is not None else []:
            if isinstance(piece, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                found.extend(piece.body)
            elif isinstance(piece, cst.BaseCompoundStatement):  # an elif
                found.append(piece)
            elif isinstance(piece, cst.CSTNode) and hasattr(piece, "body"):  # else, except, finally
                found.extend(_children(piece))
    return found


def all_but_last(analysis, node, after):
    """The fix that makes the ``for`` loop that creates ``node`` stop one item earlier
    (``for u in units:`` becomes ``for u in units[:-1]:``), when ``after`` is outside it."""
    loop = next((p for p in _parents(analysis, node) if isinstance(p, cst.For)), None)
    if loop is None or loop in _parents(analysis, after) or not isinstance(
            loop.iter, (cst.Name, cst.Attribute, cst.List, cst.Tuple, cst.Subscript, cst.Call)):
        return None
    text = f"{code(loop.iter)}[:-1]"
    return f"Loop over {text}", ((loop.iter, loop.iter, text),)


def pass_the_tensor(analysis, call):
    """The fix that passes ``x`` to ``x = self.fe()``: the name the call's statement assigns,
    when the enclosing function already has it (a parameter, or assigned before)."""
    if not isinstance(call, cst.Call) or call.args:
        return None
    around = list(_parents(analysis, call))
    statement = next((p for p in around if isinstance(p, cst.Assign)), None)
    function = next((p for p in around if isinstance(p, cst.FunctionDef)), None)
    if statement is None or function is None or statement.value is not call \
            or len(statement.targets) != 1 or not isinstance(statement.targets[0].target, cst.Name):
        return None
    name = statement.targets[0].target.value
    params = function.params
    bound = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    if name not in bound and not _assigned_before(analysis, function, name, call):
        return None
    text = f"{code(call.func)}({name})"
    return f"Pass {name}: {text}", ((call, call, text),)


def _assigned_before(analysis, function, name: str, node) -> bool:
    """Whether ``function`` assigns ``name`` on a line before ``node``'s."""
    found = []

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, target):
            if isinstance(target.target, cst.Name) and target.target.value == name:
                found.append(analysis.position(target)[0])

    function.body.visit(Visitor())
    return any(line < analysis.position(node)[0] for line in found)
