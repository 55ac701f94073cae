"""The canonical form of symbolic dimensions, as a person writes them.

Keras's length formulas nest: a LeNet's ``floor((floor((H - 5) / 1) - 1) / 2) + 1`` is
``(H - 4) // 2``. A dimension is read as a polynomial with integer coefficients over
*atoms* (a symbol, or a floor division ``P // k`` of such a polynomial by a positive
integer); every dimension is integer-valued, so these identities are exact:

- ``P // 1 = P``; ``(g * P) // (g * k) = P // k``; ``P // k = P / k`` when ``k`` divides
  every coefficient;
- ``(Q // m + R) // k = (Q + m * R) // (m * k)`` for an integer polynomial ``R``;
- ``Q // k + c = (Q + k * c) // k`` (a constant joins the one floor division of a sum).

Equal values then have equal forms more often (two branches of a U-Net compare equal),
and ``16 * ((H - 12) // 4) * ((W - 12) // 4)`` prints as Python would compute it. An
expression outside this algebra (a true division) stays as it is, an opaque atom.
"""

from __future__ import annotations

import math
from collections import defaultdict

# A polynomial: {monomial: coefficient}, a monomial a sorted tuple of atoms (Sym, FloorDiv
# or an opaque Expr), the constant under ().
Poly = dict


def canonical(d):
    """``d`` (an ``Expr``) in canonical form: an int when it is constant."""
    return to_expr(to_poly(d))


def to_poly(d) -> Poly:
    from shapecheck.dims import BinOp, Floor, FloorDiv, Sym

    if isinstance(d, int):
        return {(): d} if d else {}
    if isinstance(d, Sym):
        return {(d,): 1}
    if isinstance(d, BinOp) and d.op in "+-*":
        left, right = to_poly(d.left), to_poly(d.right)
        if d.op == "*":
            return _times(left, right)
        return _plus(left, right, 1 if d.op == "+" else -1)
    if isinstance(d, FloorDiv):
        return floor_div(to_poly(d.numerator), d.divisor)
    if isinstance(d, Floor) and isinstance(d.arg, BinOp) and d.arg.op == "/" \
            and isinstance(d.arg.right, int) and d.arg.right > 0:
        numerator = to_poly(d.arg.left)
        if all(_integral(m) for m in numerator):
            return floor_div(numerator, d.arg.right)
    return {(d,): 1}  # opaque


def _integral(monomial) -> bool:
    from shapecheck.dims import FloorDiv, Sym

    return all(isinstance(atom, (Sym, FloorDiv)) for atom in monomial)


def _plus(a: Poly, b: Poly, sign: int = 1) -> Poly:
    total = defaultdict(int, a)
    for monomial, c in b.items():
        total[monomial] += sign * c
    return _absorb({m: c for m, c in total.items() if c})


def _times(a: Poly, b: Poly) -> Poly:
    total = defaultdict(int)
    for m1, c1 in a.items():
        for m2, c2 in b.items():
            total[tuple(sorted(m1 + m2, key=str))] += c1 * c2
    return _absorb({m: c for m, c in total.items() if c})


def _absorb(p: Poly) -> Poly:
    """``Q // k + c`` as ``(Q + k * c) // k`` when the sum has one floor division."""
    from shapecheck.dims import FloorDiv

    floors = [m for m, c in p.items() if c == 1 and len(m) == 1 and isinstance(m[0], FloorDiv)]
    if () not in p or len(floors) != 1:
        return p
    (atom,) = floors[0]
    rest = {m: c for m, c in p.items() if m not in ((), floors[0])}
    inner = _plus(to_poly(atom.numerator), {(): atom.divisor * p[()]})
    return _plus(rest, floor_div(inner, atom.divisor))


def floor_div(p: Poly, k: int) -> Poly:
    """``p // k`` for a positive integer ``k``, in canonical form (an opaque floor when
    ``p`` has an atom that may not be an integer)."""
    from shapecheck.dims import BinOp, Floor, FloorDiv

    if not all(_integral(m) for m in p):
        return {(Floor(BinOp("/", to_expr(p), k)),): 1}
    g = math.gcd(k, *p.values())
    p, k = {m: c // g for m, c in p.items()}, k // g
    if k == 1:
        return p
    nested = [m for m, c in p.items() if c == 1 and len(m) == 1 and isinstance(m[0], FloorDiv)]
    if len(nested) == 1:  # (Q // m + R) // k = (Q + m * R) // (m * k)
        (atom,) = nested[0]
        rest = {m: c * atom.divisor for m, c in p.items() if m != nested[0]}
        return floor_div(_plus(to_poly(atom.numerator), rest), atom.divisor * k)
    return {(FloorDiv(to_expr(p), k),): 1}


def to_expr(p: Poly):
    """The polynomial as an ``Expr`` tree (an int when constant): terms of higher degree
    first, the constant last, a coefficient before its factors."""
    from shapecheck.dims import BinOp

    terms = sorted(((m, c) for m, c in p.items() if m), key=lambda t: (-len(t[0]), str(t[0])))
    result = None
    for monomial, c in terms:
        factors = list(monomial)
        term = factors[0]
        for factor in factors[1:]:
            term = BinOp("*", term, factor)
        if abs(c) != 1:
            term = BinOp("*", abs(c), term)
        if result is None:
            result = term if c > 0 else BinOp("-", 0, term)
        else:
            result = BinOp("+" if c > 0 else "-", result, term)
    constant = p.get((), 0)
    if result is None:
        return constant
    if constant:
        result = BinOp("+" if constant > 0 else "-", result, abs(constant))
    return result
