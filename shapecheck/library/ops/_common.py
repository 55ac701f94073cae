"""Helpers shared by the operation families: arguments, axes, linking pieces into a graph."""

from __future__ import annotations

from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError
from shapecheck.library.tensors import (
    Unknowable,
    as_tensor,
)
from shapecheck.objects import Operation
from shapecheck.values import UNKNOWN, Tensor, substitute, tensor_leaves

_SHAPE_ERROR = "incompatible-input"


def _get(site, index, *names, default=UNKNOWN):
    """The argument at ``index`` or the first of the keywords ``names`` given."""
    if len(site.args) > index:
        return site.args[index]
    for name in names:
        if name in site.kwargs:
            return site.kwargs[name]
    return default


def _input(value) -> Tensor:
    """An operand of known shape, else Unknowable."""
    tensor = as_tensor(value)
    if tensor is None or tensor.shape is None:
        raise Unknowable
    return tensor


def _unknown_dims(rank: int) -> Tensor:
    return Tensor((UNKNOWN,) * rank)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _axis(axis, rank: int, what: str, extra: int = 0, result=None) -> int:
    """``axis`` of a rank-``rank`` tensor as 0 .. rank + extra - 1 (``extra`` for an
    operation that adds axes); out of range raises as TensorFlow and Keras do."""
    if not _is_int(axis):
        raise Unknowable(result)
    size = rank + extra
    if not -size <= axis < size:
        raise ShapeError(_SHAPE_ERROR, f"{what}: axis {axis} is out of range for a tensor of rank "
                                       f"{rank} (valid axes are {-size} to {size - 1})")
    return axis % size


def _axes(axis, rank: int, what: str, result=None) -> list:
    """An int, a list of ints or None (every axis) as sorted axes 0 .. rank - 1."""
    if axis is None:
        return list(range(rank))
    if _is_int(axis):
        return [_axis(axis, rank, what)]
    if isinstance(axis, (list, tuple)) and all(_is_int(a) for a in axis):
        return sorted({_axis(a, rank, what) for a in axis})
    raise Unknowable(result)


def _merge(values):
    """Sizes that must be equal: the first one known (UNKNOWN only if none is)."""
    for value in values:
        if value is not UNKNOWN:
            return value
    return UNKNOWN


def _differ(a, b) -> bool:
    return _is_int(a) and _is_int(b) and a != b


def _shapes(tensors) -> str:
    return ", ".join(format_shape(t.shape) for t in tensors)


def _linked(site, pieces: list, numpy: bool = False) -> list:
    """The tensors of an operation with several outputs (``split``), each a link of the
    graph its inputs belong to, recomputed when a functional model replays it."""
    from shapecheck import library  # (the package imports this module)

    inputs = tensor_leaves(site.args, site.kwargs)

    def rerun(index):
        def again(new):
            mapping = {id(old): value for old, value in zip(inputs, new)}
            result = library.call(site.ev, site.name, substitute(site.args, mapping),
                                  substitute(site.kwargs, mapping), site.node)
            return result[index] if isinstance(result, list) and len(result) > index else Tensor(None)
        return again

    linked = []
    for index, piece in enumerate(pieces):
        piece.numpy = numpy
        linked.append(site.ev.operation(Operation(site.name, site.node, rerun(index)), inputs, piece)
                      if inputs else piece)
    return linked
