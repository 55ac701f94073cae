"""Symbolic dimensions in canonical form: equal in value to the formulas Keras computes,
and printed as Python computes them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shapecheck import dims
from shapecheck.dims import Sym

# Steps as the layers take them: (name, argument); each maps a (dim, reference function).
STEPS = st.lists(st.tuples(st.sampled_from(["conv", "pool", "add", "mul", "div", "times", "same"]),
                           st.integers(1, 5), st.integers(1, 4)), max_size=8)


def apply(step, dim, reference, other):
    """One step on the symbolic dim and on its reference (a function of the symbols)."""
    kind, k, s = step
    if kind == "conv":  # a valid convolution or pooling: floor((n - k) / s) + 1
        return (dims.floor_div_plus_one(dims.sub(dim, k), s),
                lambda env: (reference(env) - k) // s + 1)
    if kind == "pool":  # Keras's 'same': floor((n - 1) / s) + 1
        return dims.floor_div_plus_one(dims.sub(dim, 1), s), lambda env: (reference(env) - 1) // s + 1
    if kind == "add":
        return dims.add(dim, k - 3), lambda env: reference(env) + k - 3
    if kind == "mul":
        return dims.mul(dim, k), lambda env: reference(env) * k
    if kind == "div":
        return dims.exact_div(dim, s), lambda env: reference(env) // s
    if kind == "times":  # a Flatten of this dim and the other symbol's
        return dims.product([dim, other, k]), lambda env: reference(env) * env["W"] * k
    return dims.sub(dim, dims.sub(dim, Sym("W"))), lambda env: env["W"]


@settings(max_examples=300, deadline=None)
@given(STEPS, st.lists(st.integers(-40, 200), min_size=1, max_size=6))
def test_canonical_dims_equal_the_formulas_and_read_as_python(steps, values):
    dim, reference = Sym("H"), (lambda env: env["H"])
    for step in steps:
        dim, reference = apply(step, dim, reference, Sym("W"))
    text = dims.dim_to_json(dim) if not isinstance(dim, int) else str(dim)
    for value in values:
        env = {"H": value, "W": value // 2 + 3}
        assert dims.evaluate(dim, env) == reference(env)
        assert eval(text, {}, dict(env)) == reference(env), text  # noqa: S307 (our own text)


def test_a_lenet_reads_as_a_person_writes_it():
    h = Sym("H")
    for kernel, stride in ((5, 1), (2, 2), (5, 1), (2, 2)):  # conv 5, pool 2, conv 5, pool 2
        h = dims.floor_div_plus_one(dims.sub(h, kernel), stride)
    assert str(h) == "(H - 12) // 4"
    assert str(dims.product([16, h, h])) == "16 * ((H - 12) // 4) * ((H - 12) // 4)"
    assert dims.sub(dims.add(Sym("H"), 3), 3) == Sym("H")
    assert str(dims.floor_div_plus_one(dims.sub(Sym("H"), 1), 2)) == "(H + 1) // 2"
