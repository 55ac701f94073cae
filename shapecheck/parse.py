"""Source text to libcst's tree, guarded by CPython's own parser: code nested deeper than
CPython accepts ("too many nested parentheses") is a syntax error here too, raised before
libcst's native parser, which would overflow its stack on it and kill the process."""

from __future__ import annotations

import ast

import libcst as cst
from libcst.metadata import MetadataWrapper

# CPython's messages for code nested too deep for its parser.
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation", "too complex")


def parse(source: str) -> MetadataWrapper:
    """The module's libcst tree, wrapped for metadata; ``SyntaxError`` for code nested too
    deep, libcst's ``ParserSyntaxError`` for other invalid code."""
    tree = None
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        if any(exc.msg.startswith(message) for message in _TOO_DEEP):
            raise
    except (RecursionError, MemoryError):
        raise SyntaxError("too deeply nested for Python's parser") from None
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        if tree is None:
            raise
        module = _repaired(source, tree)
    # A freshly parsed module needs no defensive copy.
    return MetadataWrapper(module, unsafe_skip_copy=True)


def _repaired(source: str, tree: ast.Module) -> cst.Module:
    """The libcst tree of code CPython accepts and libcst's parser does not, made readable
    for libcst: annotated targets in parentheses, indentation mixing tabs and spaces (each
    repair on the text of the one before); else libcst's error for the original text."""
    text = source
    for repair in (_unparenthesized_targets, _tabs_expanded):
        text = repair(text, tree) or text
        if text is not source:
            try:
                return cst.parse_module(text)
            except cst.ParserSyntaxError:
                pass
    return cst.parse_module(source)


def _tabs_expanded(source: str, tree: ast.Module) -> str | None:
    """``source`` with the tabs in the indentation of each statement's first line expanded
    as CPython reads them (to the next multiple of 8 columns), or None if it has none."""
    starts = {node.lineno for node in ast.walk(tree) if isinstance(node, ast.stmt)}
    lines = source.splitlines(keepends=True)
    changed = False
    for number in starts:
        line = lines[number - 1]
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            lines[number - 1] = indent.expandtabs(8) + line[len(indent):]
            changed = True
    return "".join(lines) if changed else None


def _unparenthesized_targets(source: str, tree: ast.Module) -> str | None:
    """``source`` with the parentheses around annotated assignment targets taken out
    (``(x): int`` is read as ``x  : int``), or None if it has none."""
    lines = [bytearray(line.encode("utf-8")) for line in source.splitlines(keepends=True)]
    found = sorted((node for node in ast.walk(tree) if isinstance(node, ast.AnnAssign)
                    and not node.simple and node.lineno == node.target.lineno
                    and node.target.end_lineno == node.annotation.lineno),
                   key=lambda node: (node.lineno, node.col_offset), reverse=True)
    for node in found:  # the last first, so that the offsets of the others stay right
        target, annotation = node.target, node.annotation
        tail = lines[target.end_lineno - 1]
        closing = tail[target.end_col_offset:annotation.col_offset]
        tail[target.end_col_offset:annotation.col_offset] = closing.replace(b")", b" ")
        head = lines[node.lineno - 1]
        shift = head[node.col_offset:target.col_offset].count(b"(")
        head[node.col_offset:target.col_offset] = \
            head[node.col_offset:target.col_offset].replace(b"(", b"")
        end = target.end_col_offset - shift  # the target moved left: pad after it
        tail[end:end] = b" " * shift
    return b"".join(lines).decode("utf-8") if found else None
