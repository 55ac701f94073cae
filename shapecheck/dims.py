"""Dimensions: a known ``int``, ``None``, a symbolic ``Expr``, or ``UNKNOWN``.

``None`` is Keras's own ``None``: a dimension that varies at run time (the batch
of ``keras.Input``), a fact that can make an error. ``UNKNOWN`` is what
shapecheck does not know (a size read from a file), which never makes one.
Symbolic expressions are kept in a canonical form (``shapecheck.symbolic``: a LeNet's
``(H - 12) // 4``) and can be evaluated once the symbols are bound, which is how tests
compare them with TensorFlow. Arithmetic on plain ints folds to ints; as in Keras, anything with
``None`` is ``None``; otherwise anything with ``UNKNOWN`` is ``UNKNOWN``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Union

from shapecheck.symbolic import canonical
from shapecheck.values import UNKNOWN, Unknown

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


class Expr:
    """A symbolic dimension; subclasses are tiny frozen dataclasses."""

    precedence = 3

    def evaluate(self, env: dict) -> int | float:
        raise NotImplementedError


@dataclass(frozen=True)
class Sym(Expr):
    name: str

    def __str__(self) -> str:
        return self.name

    def evaluate(self, env):
        return env[self.name]


@dataclass(frozen=True)
class BinOp(Expr):
    op: str
    left: Dim
    right: Dim

    @property
    def precedence(self):
        return _PRECEDENCE[self.op]

    def __str__(self) -> str:
        left, right = _text(self.left), _text(self.right)
        # A floor division is bracketed as a factor (``16 * ((H - 12) // 4)``).
        if _precedence(self.left) < self.precedence or isinstance(self.left, FloorDiv):
            left = f"({left})"
        # Right operands of - and / need brackets at equal precedence too.
        strict = self.op in "-/"
        if _precedence(self.right) < self.precedence or isinstance(self.right, FloorDiv) or (
            strict and _precedence(self.right) == self.precedence
        ):
            right = f"({right})"
        return f"{left} {self.op} {right}"

    def evaluate(self, env):
        a, b = evaluate(self.left, env), evaluate(self.right, env)
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else math.nan}[self.op]


@dataclass(frozen=True)
class Floor(Expr):
    arg: Dim

    def __str__(self) -> str:
        return f"floor({_text(self.arg)})"

    def evaluate(self, env):
        return math.floor(evaluate(self.arg, env))


@dataclass(frozen=True)
class FloorDiv(Expr):
    """``numerator // divisor``, a positive integer divisor (the canonical floor)."""

    numerator: Dim
    divisor: int
    precedence = 2

    def __str__(self) -> str:
        numerator = _text(self.numerator)
        if _precedence(self.numerator) < 3:
            numerator = f"({numerator})"
        return f"{numerator} // {self.divisor}"

    def evaluate(self, env):
        return math.floor(evaluate(self.numerator, env) / self.divisor)


Dim = Union[int, None, Expr, Unknown]  # noqa: UP007 (a runtime alias, Python 3.10 compatible)


def _text(d: Dim) -> str:
    if d is UNKNOWN:
        return "?"
    return "None" if d is None else str(d)


def _precedence(d: Dim) -> int:
    if isinstance(d, int) and d < 0:
        return 0
    return d.precedence if isinstance(d, Expr) else 3


def evaluate(d: Dim, env: dict) -> int | float | None:
    """The value of ``d`` with the symbols in ``env`` bound (None for an unknown one)."""
    if d is None or d is UNKNOWN or isinstance(d, (int, float)):
        return None if d is UNKNOWN else d
    return d.evaluate(env)


def format_json_shape(shape) -> str:
    """``format_shape`` of a shape as JSON gives it (lists, or a list of them)."""
    if shape and isinstance(shape[0], list):
        return format_shape([tuple(s) for s in shape])
    return format_shape(None if shape is None else tuple(shape))


def dim_to_json(d: Dim) -> int | str | None:
    """A dimension as the output contract spells it: int, null (Keras's None), or a string:
    a symbolic expression, or ``"?"`` for one shapecheck does not know."""
    if d is None or isinstance(d, int):
        return d
    return _text(d)


def format_shape(shape) -> str:
    """A shape as Python prints a tuple (``(32, 14, 14, 6)``, ``(10,)``); symbolic dims
    as their expression, Keras's None as ``None``, unknown ones as ``?``; a list of shapes
    as ``[(..), (..)]``; an unknown shape as ``?``."""
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    text = ", ".join(_text(d) for d in shape)
    return f"({text},)" if len(shape) == 1 else f"({text})"


def _binop(op: str, a: Dim, b: Dim) -> Dim:
    if a is None or b is None:
        return None
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if isinstance(a, int) and isinstance(b, int):
        return {"+": a + b, "-": a - b, "*": a * b}[op]
    return canonical(BinOp(op, a, b))


def add(a: Dim, b: Dim) -> Dim:
    return _binop("+", a, b)


def sub(a: Dim, b: Dim) -> Dim:
    return _binop("-", a, b)


def mul(a: Dim, b: Dim) -> Dim:
    return _binop("*", a, b)


def product(dims) -> Dim:
    """The product of dims, known factors folded first (for Flatten)."""
    known, symbolic, unknown = 1, [], False
    for d in dims:
        if d is None:
            return None
        unknown = unknown or d is UNKNOWN
        if isinstance(d, int):
            known *= d
        else:
            symbolic.append(d)
    if unknown:
        return UNKNOWN
    result: Dim = known
    for d in symbolic:
        result = mul(result, d)
    return result


def floor_div_plus_one(numerator: Dim, stride: int) -> Dim:
    """``floor(numerator / stride) + 1``: Keras's conv and pooling length."""
    if numerator is None or numerator is UNKNOWN:
        return numerator
    if isinstance(numerator, int):
        return numerator // stride + 1
    return canonical(BinOp("+", Floor(BinOp("/", numerator, stride)), 1))


def exact_div(numerator: Dim, divisor: int) -> Dim:
    """``numerator // divisor`` where the division is known to be exact (Reshape's -1)."""
    if numerator is None or numerator is UNKNOWN or divisor == 1:
        return numerator
    if isinstance(numerator, int):
        return numerator // divisor
    return canonical(Floor(BinOp("/", numerator, divisor)))


def is_non_positive(d: Dim) -> bool:
    """True only when ``d`` is known to be 0 or less."""
    return isinstance(d, int) and d <= 0
