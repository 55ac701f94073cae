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
    try:
        ast.parse(source)
    except SyntaxError as exc:
        if any(exc.msg.startswith(message) for message in _TOO_DEEP):
            raise
    except (RecursionError, MemoryError):
        raise SyntaxError("too deeply nested for Python's parser") from None
    # A freshly parsed module needs no defensive copy.
    return MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
