"""The tables of library handlers: functions by canonical name, methods by receiver kind.

A handler is a small function of one ``Site`` (the call's evaluator, arguments and
node) that returns the abstract result, or raises ``ShapeError`` where the library
would raise (the caller turns it into a finding at the call).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shapecheck.values import UNKNOWN

FUNCTIONS: dict[str, Callable] = {}
# Families known by a prefix (``keras.layers.``), for names no exact entry has.
PREFIXES: dict[str, Callable] = {}
METHODS: dict[tuple[str, str], Callable] = {}
ATTRIBUTES: dict[tuple[str, str], Callable] = {}
# Library objects whose value depends on the run (``sys.argv``, absl's ``FLAGS``): name ->
# a function of the evaluator.
VALUES: dict[str, Callable] = {}


@dataclass
class Site:
    """One call: ``ev`` is the evaluator, ``obj`` the receiver of a method call."""

    ev: Any
    name: str
    args: list
    kwargs: dict
    node: Any
    obj: Any = None

    def arg(self, index: int, name: str, default=UNKNOWN):
        """The argument at ``index`` or keyword ``name``, else ``default``."""
        if len(self.args) > index:
            return self.args[index]
        return self.kwargs.get(name, default)

    def argument_node(self, index: int | None, name: str):
        """Where the argument at ``index`` or keyword ``name`` is written, else the call."""
        return argument_node(self.node, name, index)


def argument_node(call, keyword: str | None, index: int | None = None):
    """The ``keyword=value`` argument (or the positional one at ``index``) of a call node,
    else the call itself."""
    args = list(getattr(call, "args", ()))
    for arg in args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    positional = [arg for arg in args if arg.keyword is None and not arg.star]
    if index is not None and index < len(positional):
        return positional[index]
    return call


def _register(table: dict, keys):
    """A decorator that enters its handler into ``table`` under each of ``keys``."""
    def register(handler):
        for key in keys:
            table[key] = handler
        return handler
    return register


def function(*names: str):
    """Register the decorated handler under each canonical name."""
    return _register(FUNCTIONS, names)


def family(prefix: str):
    """Register the decorated handler for every name that starts with ``prefix``."""
    return _register(PREFIXES, [prefix])


def handler_for(name: str):
    """The handler of a canonical name, or None."""
    found = FUNCTIONS.get(name)
    if found is None:
        for prefix, handler in PREFIXES.items():
            if name.startswith(prefix):
                return handler
    return found


def method(kind: str, *names: str):
    """Register the decorated handler for ``obj.name(...)`` on receivers of ``kind``."""
    return _register(METHODS, [(kind, name) for name in names])


def attribute(kind: str, *names: str):
    """Register the decorated handler for reading ``obj.name`` on objects of ``kind``."""
    return _register(ATTRIBUTES, [(kind, name) for name in names])


def value(*names: str):
    """Register the decorated function of the evaluator as the value of each name."""
    return _register(VALUES, names)
