"""Where every node of a module is: the ranges libcst's ``PositionProvider`` gives (its
syntactic positions, most leading and trailing whitespace left out), computed by the same
code generation with lean bookkeeping. libcst's provider splits every token with a regular
expression, builds frozen dataclasses and enters a generator-based context manager for most
nodes, which costs eight times the code generation itself; a test checks that both agree on
every fixture."""

from __future__ import annotations

from typing import NamedTuple

import libcst as cst
from libcst._nodes.internal import CodegenState


class Position(NamedTuple):
    line: int  # from 1
    column: int  # from 0


class Range(NamedTuple):
    start: Position
    end: Position


class Positions(dict):
    """Node -> its range, kept as ((line, column), (line, column)) until asked for."""

    def __getitem__(self, node) -> Range:
        start, end = dict.__getitem__(self, node)
        return Range(Position(*start), Position(*end))

    def get(self, node, default=None):
        return self[node] if node in self else default


class _State(CodegenState):
    """Code generation that tracks the line and column and records each node's range; it is
    also the context manager of ``record_syntactic_position`` (a stack of open records)."""

    def __init__(self, module: cst.Module):
        super().__init__(default_indent=module.default_indent,
                         default_newline=module.default_newline)
        self.line, self.column = 1, 0
        self.computed = Positions()
        self._starts: list[tuple[int, int]] = []
        self._records: list[tuple] = []

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            self.line += len(lines) - 1
            self.column = len(lines[-1])
        else:
            self.column += len(value)

    def before_codegen(self, node) -> None:
        self._starts.append((self.line, self.column))

    def after_codegen(self, node) -> None:
        start = self._starts.pop()
        if node not in self.computed:  # (a syntactic position recorded inside stands)
            dict.__setitem__(self.computed, node, (start, (self.line, self.column)))

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        self._records.append((node, start_node, end_node, (self.line, self.column)))
        return self

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        node, start_node, end_node, start = self._records.pop()
        computed = self.computed
        if start_node is not None:
            start = dict.__getitem__(computed, start_node)[0]
        end = dict.__getitem__(computed, end_node)[1] if end_node is not None \
            else (self.line, self.column)
        dict.__setitem__(computed, node, (start, end))


def positions(module: cst.Module) -> Positions:
    """Every node of ``module`` -> its range."""
    state = _State(module)
    module._codegen(state)
    return state.computed
