"""The inputs a model with symbolic input dimensions accepts, as Python conditions on its
symbols (``["H >= 16", "W >= 16"]``, a U-Net's ``["H % 16 == 0", ...]``).

Read off the model's report: every size a layer computes from a symbol must be at least
1 (a valid convolution or pooling shrinks it), and the inputs of a merge must agree on every
axis they do not join (a skip connection of ``H // 2`` against an upsampled ``H // 4 * 2``
holds for multiples of 4 only). Sizes grow with the input, so each lower bound is found by
bisection; floor divisions make each equality periodic, so it is checked on one period of
residues. A model holding a layer whose constraints are not modelled here, or whose
conditions tie two symbols together, gets None: no claim.
"""

from __future__ import annotations

import math

from shapecheck import dims
from shapecheck.dims import BinOp, Expr, Floor, FloorDiv, Sym

# Layers whose only conditions on a symbolic size are the two above (or none).
_SHAPE_POLYMORPHIC = {
    "Conv1D", "Conv2D", "Conv3D", "SeparableConv1D", "SeparableConv2D", "DepthwiseConv1D",
    "DepthwiseConv2D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
    "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
    "AveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
    "UpSampling1D", "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D",
    "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D", "Dropout", "SpatialDropout1D",
    "SpatialDropout2D", "SpatialDropout3D", "Activation", "ReLU", "LeakyReLU", "PReLU", "ELU",
    "Softmax", "BatchNormalization", "Flatten", "Dense", "InputLayer", "GaussianNoise",
    "GaussianDropout", "Identity",
}
_ELEMENTWISE = {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"}
_LIMIT = 1 << 20  # sizes looked at: 1 .. _LIMIT


class _Unclaimed(Exception):
    """Conditions this module does not derive: the model gets no ``accepts``."""


def accepts(model) -> list[str] | None:
    """The conditions on the symbols of ``model.input_shape`` (a ``ModelReport``), or None."""
    shape = model.input_shape
    if not isinstance(shape, tuple) or not any(isinstance(d, Sym) for d in shape[1:]):
        return None
    symbols = [d.name for d in shape[1:] if isinstance(d, Sym)]
    try:
        at_least, equal = [], []
        for layer in _layers(model.layers):
            _collect(layer, at_least, equal)
        return [condition for name in symbols for condition in _solve(name, at_least, equal)]
    except _Unclaimed:
        return None


def _layers(layers):
    for layer in layers:
        if layer.layers:  # a nested model or custom layer: its own layers say it
            yield from _layers(layer.layers)
        else:
            yield layer


def _symbolic(d) -> bool:
    return isinstance(d, Expr)


def _shapes(shape) -> list:
    return shape if isinstance(shape, list) else [] if shape is None else [shape]


def _collect(layer, at_least: list, equal: list) -> None:
    inputs, outputs = _shapes(layer.input_shape), _shapes(layer.output_shape)
    if not any(_symbolic(d) for s in inputs for d in s[1:]):
        return
    if layer.cls in _ELEMENTWISE or layer.cls == "Concatenate":
        _merge(layer.cls, inputs, outputs, equal)
    elif layer.cls not in _SHAPE_POLYMORPHIC:
        raise _Unclaimed(layer.cls)
    at_least.extend(d for s in outputs for d in s[1:] if _symbolic(d))


def _merge(cls: str, inputs: list, outputs: list, equal: list) -> None:
    if len({len(s) for s in inputs}) != 1 or len(outputs) != 1:
        raise _Unclaimed(cls)
    joined = None
    if cls == "Concatenate":  # the axis where the output is the sum of the inputs
        axes = [i for i in range(1, len(outputs[0])) if outputs[0][i] != inputs[0][i]]
        if len(axes) != 1:
            raise _Unclaimed(cls)
        joined = axes[0]
    for i in range(1, len(inputs[0])):
        sizes = {s[i] for s in inputs}
        if i == joined or len(sizes) == 1:
            continue
        if cls != "Concatenate":
            sizes.discard(1)  # broadcast
        if not all(_symbolic(d) or isinstance(d, int) for d in sizes):
            raise _Unclaimed(cls)
        first, *rest = sizes
        equal.extend((first, other) for other in rest)


def _names(d) -> set:
    if isinstance(d, Sym):
        return {d.name}
    if isinstance(d, BinOp):
        return _names(d.left) | _names(d.right)
    if isinstance(d, FloorDiv):
        return _names(d.numerator)
    if isinstance(d, Floor):
        raise _Unclaimed("a floor outside the canonical form")
    return set()


def _divisors(d) -> int:
    """The least common multiple of the floor divisions' divisors in ``d``."""
    if isinstance(d, BinOp):
        return math.lcm(_divisors(d.left), _divisors(d.right))
    if isinstance(d, FloorDiv):
        return math.lcm(d.divisor, _divisors(d.numerator))
    return 1


def _value(d, name: str, size: int):
    return d if isinstance(d, int) else dims.evaluate(d, {name: size})


def _solve(name: str, at_least: list, equal: list) -> list[str]:
    """The conditions on one symbol: bounds, then a congruence."""
    low, high = 1, None
    for d in at_least:
        involved = _names(d)
        if involved == {name}:
            low = max(low, _least(d, name, 1))
        elif name in involved and not isinstance(d, BinOp):  # (a product: its factors say it)
            raise _Unclaimed("a size of two symbols")
    periodic = []
    for a, b in equal:
        involved = _names(a) | _names(b)
        if name not in involved:
            continue
        if involved != {name}:
            raise _Unclaimed("an equality of two symbols")
        if isinstance(a, int) or isinstance(b, int):  # a size that must be one number
            size, d = (a, b) if isinstance(a, int) else (b, a)
            upper = _least(d, name, size + 1) - 1
            low, high = max(low, _least(d, name, size)), upper if high is None else min(high, upper)
        else:
            periodic.append((a, b))
    if high is not None and low > high:
        raise _Unclaimed("no size meets the conditions")
    period, residues = _congruence(name, periodic, low)
    if high is not None and high == low:
        if low % period not in residues:
            raise _Unclaimed("no size meets the conditions")
        return [f"{name} == {low}"]
    found = [f"{name} >= {low}"] if low > 1 else []
    found += [f"{name} <= {high}"] if high is not None else []
    if len(residues) == 1 and period > 1:
        found.append(f"{name} % {period} == {next(iter(residues))}")
    elif len(residues) < period:
        found.append(f"{name} % {period} in {tuple(sorted(residues))}")
    return found


def _congruence(name: str, periodic: list, low: int) -> tuple[int, set]:
    """(period, residues) of the sizes from ``low`` on where each pair of sizes is equal;
    a pair whose sizes grow apart gets no claim."""
    period, residues = 1, {0}
    for a, b in periodic:
        step = math.lcm(_divisors(a), _divisors(b))
        base = -(-low // step) * step
        if _value(a, name, base + step) - _value(a, name, base) != \
                _value(b, name, base + step) - _value(b, name, base):
            raise _Unclaimed("sizes that grow apart")
        holds = {r for r in range(step) if _value(a, name, base + r) == _value(b, name, base + r)}
        joint = math.lcm(period, step)
        residues = {r for r in range(joint) if r % period in residues and r % step in holds}
        period = joint
    if not residues:
        raise _Unclaimed("no size meets the equalities")
    return period, residues


def _least(d, name: str, size: int) -> int:
    """The least size of ``name`` at which ``d`` is at least ``size`` (``d`` grows with it)."""
    if _value(d, name, _LIMIT) < size:
        raise _Unclaimed("no size is large enough")
    low, high = 1, _LIMIT
    while low < high:
        middle = (low + high) // 2
        if _value(d, name, middle) >= size:
            high = middle
        else:
            low = middle + 1
    return low
