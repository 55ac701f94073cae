"""Products: matmul, dot, einsum."""

from __future__ import annotations

from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError
from shapecheck.library.ops._common import (
    _SHAPE_ERROR,
    _differ,
    _get,
    _input,
    _shapes,
)
from shapecheck.library.tensors import (
    Unknowable,
    _broadcast_dim,
    broadcast_shapes,
    keras_symbolic,
    matmul_shape,
    op,
)
from shapecheck.values import UNKNOWN, Tensor


@op("tensorflow.matmul", "tensorflow.linalg.matmul")
def _tf_matmul(site):
    a, b = _input(_get(site, 0, "a")), _input(_get(site, 1, "b"))
    left, right = list(a.shape), list(b.shape)
    flags = [_get(site, i, name, default=False) for i, name in
             ((2, "transpose_a"), (3, "transpose_b"), (4, "adjoint_a"), (5, "adjoint_b"))]
    if any(flag not in (True, False) for flag in flags):
        raise Unknowable
    for shape, swap in ((left, flags[0] or flags[2]), (right, flags[1] or flags[3])):
        if swap and len(shape) >= 2:
            shape[-2:] = shape[-1], shape[-2]
    return Tensor(matmul_shape(left, right, numpy_rules=False), a.dtype)


@op("keras.ops.matmul", "keras.ops.numpy.matmul", "numpy.matmul")
def _matmul(site):
    a, b = _input(_get(site, 0, "x1")), _input(_get(site, 1, "x2"))
    return Tensor(matmul_shape(a.shape, b.shape), a.dtype)


@op("keras.backend.dot", "numpy.dot")
def _dot(site):
    """``np.dot`` / ``K.dot``: the last axis of ``a`` with the second-to-last of ``b``."""
    a, b = _input(_get(site, 0, "a", "x")), _input(_get(site, 1, "b", "y"))
    left, right = a.shape, b.shape
    if not left or not right:
        raise Unknowable
    inner = right[0] if len(right) == 1 else right[-2]
    if _differ(left[-1], inner):
        raise ShapeError(_SHAPE_ERROR, f"dot of {format_shape(left)} and {format_shape(right)}: "
                                       f"the last axis of the first ({left[-1]}) must equal the "
                                       f"{'only' if len(right) == 1 else 'second-to-last'} axis of "
                                       f"the second ({inner})")
    return Tensor((*left[:-1], *right[:-2], *right[-1:]) if len(right) > 1 else left[:-1], a.dtype)


def einsum_shape(subscripts: str, shapes: list, rule: str) -> tuple:
    """``einsum``'s output shape. ``rule`` says which sizes must agree: ``"tensorflow"``
    (every label's sizes equal), ``"numpy"`` (equal or 1), ``"keras"`` (Keras's own
    inference on KerasTensors: only labels of the output, broadcast)."""
    equation = subscripts.replace(" ", "")
    if equation.count("->") > 1 or any(not (c.isalpha() or c in ",.->") for c in equation):
        raise Unknowable
    inputs, output = equation.split("->") if "->" in equation else (equation, None)
    specs = inputs.split(",")
    if len(specs) != len(shapes):
        raise ShapeError(_SHAPE_ERROR, f"einsum '{subscripts}' names {len(specs)} operands but gets "
                                       f"{len(shapes)}")
    if any(s is None for s in shapes):
        raise Unknowable
    labels: dict[str, list] = {}
    ellipsis_shapes = []
    for spec, shape in zip(specs, shapes):
        if spec.count("...") > 1 or spec.replace("...", "").count(".") or (output or "").count("...") > 1:
            raise Unknowable
        before, _, after = spec.partition("...")
        named = len(before) + len(after)
        if ("..." in spec and named > len(shape)) or ("..." not in spec and named != len(shape)):
            raise ShapeError(_SHAPE_ERROR, f"einsum '{subscripts}': the subscript '{spec}' names "
                                           f"{named} axes but the operand has shape "
                                           f"{format_shape(shape)}")
        tail = len(shape) - len(after)
        ellipsis_shapes.append(tuple(shape[len(before):tail]))
        for label, size in [*zip(before, shape), *zip(after, shape[tail:])]:
            labels.setdefault(label, []).append(size)
    if output is None:  # implicit: the labels used once, in alphabetical order
        output = "..." + "".join(sorted(c for c in labels if inputs.count(c) == 1))
    if any(c not in labels for c in output.replace("...", "")):
        raise Unknowable
    sizes = {}
    for label, found in labels.items():
        checked = rule != "keras" or label in output
        size = found[0]
        for other in found[1:]:
            if checked and _differ(size, other) and (rule == "tensorflow" or 1 not in (size, other)):
                raise ShapeError(_SHAPE_ERROR, f"einsum '{subscripts}' of "
                                               f"{_shapes([Tensor(s) for s in shapes])}: label "
                                               f"'{label}' has sizes {size} and {other}, which "
                                               f"must be equal: fix the subscripts or "
                                               f"the operand that has the other size")
            try:
                size = _broadcast_dim(size, other)
            except ValueError:
                size = UNKNOWN
        sizes[label] = size
    batch = ()
    for shape in ellipsis_shapes:
        batch = broadcast_shapes(batch, shape)
    if batch and "..." not in output:
        raise Unknowable
    before, _, after = output.partition("...")
    return (*(sizes[c] for c in before), *(batch if "..." in output else ()),
            *(sizes[c] for c in after))


@op("keras.ops.einsum", "keras.ops.numpy.einsum", "tensorflow.einsum", "tensorflow.linalg.einsum",
    "numpy.einsum")
def _einsum(site):
    subscripts = site.args[0] if site.args else site.kwargs.get("equation", site.kwargs.get("subscripts"))
    operands = [_input(v) for v in site.args[1:]]
    if not isinstance(subscripts, str) or not operands:
        raise Unknowable
    rule = "numpy" if site.name.startswith("numpy.") else \
        "keras" if site.name.startswith("keras.") and keras_symbolic(site) else "tensorflow"
    return Tensor(einsum_shape(subscripts, [t.shape for t in operands], rule), operands[0].dtype)


@op("keras.ops.tensordot", "keras.ops.numpy.tensordot", "tensorflow.tensordot",
    "tensorflow.linalg.tensordot", "numpy.tensordot")
def _tensordot(site):
    """``tensordot(a, b, axes)``: the last ``axes`` axes of ``a`` summed with the first of
    ``b`` (or the listed axes of each), the others kept in order."""
    a, b = _input(_get(site, 0, "x1", "a")), _input(_get(site, 1, "x2", "b"))
    axes = _get(site, 2, "axes", default=2)
    left, right = list(a.shape), list(b.shape)
    if isinstance(axes, int) and not isinstance(axes, bool):
        if not 0 <= axes <= min(len(left), len(right)):
            raise Unknowable
        shape = left[:len(left) - axes] + right[axes:]
    elif isinstance(axes, (list, tuple)) and len(axes) == 2:
        picked = [list(p) if isinstance(p, (list, tuple)) else [p] for p in axes]
        if not all(isinstance(i, int) and not isinstance(i, bool) and -n <= i < n
                   for part, n in zip(picked, (len(left), len(right))) for i in part):
            raise Unknowable
        gone = [{i % n for i in part} for part, n in zip(picked, (len(left), len(right)))]
        shape = [d for i, d in enumerate(left) if i not in gone[0]] + \
                [d for i, d in enumerate(right) if i not in gone[1]]
    else:
        raise Unknowable
    return Tensor(tuple(shape), a.dtype)
