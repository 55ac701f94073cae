"""Indexing: one_hot / to_categorical, gather, take, take_along_axis, slice."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError
from shapecheck.library.ops._common import (
    _SHAPE_ERROR,
    _axis,
    _get,
    _input,
    _is_int,
    _unknown_dims,
)
from shapecheck.library.tensors import (
    Unknowable,
    _dim,
    broadcast_shapes,
    keras_symbolic,
    op,
    shape_arg,
)
from shapecheck.values import UNKNOWN, Tensor


def one_hot(indices, depth, axis=-1, keras_rule=False):
    """The indices' shape with the classes axis inserted at ``axis`` (-1: last)."""
    x = _input(indices)
    rank = len(x.shape)
    classes = _dim(depth) if depth is not None else UNKNOWN
    if axis is None:
        axis = -1
    if not _is_int(axis):
        raise Unknowable(_unknown_dims(rank + 1))
    if axis != -1 and not 0 <= axis < rank + (0 if keras_rule else 1):
        raise ShapeError(_SHAPE_ERROR, f"one_hot of indices {format_shape(x.shape)}: axis {axis} "
                                       f"must be -1 or from 0 to {rank - (1 if keras_rule else 0)}")
    shape = list(x.shape)
    shape.insert(rank if axis == -1 else axis, classes)
    return Tensor(tuple(shape), "float32")


op("tensorflow.one_hot")(lambda site: one_hot(
    _get(site, 0, "indices"), _get(site, 1, "depth"), _get(site, 4, "axis", default=-1)))
op("keras.ops.one_hot", "keras.ops.nn.one_hot")(lambda site: one_hot(
    _get(site, 0, "x"), _get(site, 1, "num_classes"), _get(site, 2, "axis", default=-1),
    keras_symbolic(site)))
op("keras.backend.one_hot")(lambda site: one_hot(
    _get(site, 0, "indices"), _get(site, 1, "num_classes")))


@op("keras.utils.to_categorical")
def _to_categorical(site):
    """``to_categorical`` first drops a trailing axis of size 1 ((N, 1) labels -> (N, classes));
    without ``num_classes`` it has a column per value up to the largest."""
    x = _input(_get(site, 0, "x"))
    shape = x.shape[:-1] if len(x.shape) > 1 and x.shape[-1] == 1 else x.shape
    classes = _get(site, 1, "num_classes", default=None)
    if classes is None:
        classes = x.classes or x.top  # (its largest value, plus one)
    return one_hot(Tensor(shape), classes)


def gather_shape(params, indices, axis, batch_dims=0, what="gather"):
    rank = len(params)
    at = _axis(axis, rank, what, result=Tensor(None))
    if not _is_int(batch_dims) or not 0 <= batch_dims <= min(at, len(indices)):
        raise Unknowable
    return (*params[:at], *indices[batch_dims:], *params[at + 1:])


@op("tensorflow.gather", "keras.backend.gather", "tensorflow.nn.embedding_lookup")
def _gather(site):
    params = _input(_get(site, 0, "params", "reference"))
    indices = _input(_get(site, 1, "indices", "ids"))
    batch_dims = site.kwargs.get("batch_dims", _get(site, 4, "batch_dims", default=0))
    axis = site.kwargs.get("axis", _get(site, 3, "axis", default=None))
    if axis is None:
        axis = batch_dims
    return Tensor(gather_shape(params.shape, indices.shape, axis, batch_dims), params.dtype)


@op("keras.ops.take", "keras.ops.numpy.take", "numpy.take")
def _take(site):
    x = _input(_get(site, 0, "x", "a"))
    indices = _input(_get(site, 1, "indices"))
    axis = _get(site, 2, "axis", default=None)
    if axis is None:  # from the flattened tensor
        return Tensor(indices.shape, x.dtype)
    return Tensor(gather_shape(x.shape, indices.shape, axis, what="take"), x.dtype)


@op("keras.ops.take_along_axis", "keras.ops.numpy.take_along_axis", "numpy.take_along_axis")
def _take_along_axis(site):
    x = _input(_get(site, 0, "x", "arr"))
    indices = _input(_get(site, 1, "indices"))
    axis = _get(site, 2, "axis", default=None)
    shape = list(x.shape) if axis is not None else [dims.product(x.shape)]
    if len(shape) != len(indices.shape):
        raise ShapeError(_SHAPE_ERROR, f"take_along_axis of {format_shape(x.shape)} with indices "
                                       f"{format_shape(indices.shape)}: the ranks must be equal "
                                       f"(keepdims=True keeps an argmax's axis)")
    at = 0 if axis is None else _axis(axis, len(shape), "take_along_axis")
    shape[at] = indices.shape[at]
    return Tensor(broadcast_shapes(tuple(shape), indices.shape), x.dtype)


@op("keras.ops.slice", "tensorflow.slice")
def _slice(site):
    """``slice(x, start, shape)``: the block of ``shape`` at ``start`` (-1: the rest of the axis)."""
    x = _input(_get(site, 0, "inputs", "input_", "x"))
    start = shape_arg(_get(site, 1, "start_indices", "begin"))
    size = shape_arg(_get(site, 2, "shape", "size"))
    if size is None or start is None or not len(size) == len(start) == len(x.shape):
        raise Unknowable
    block = []
    for whole, first, length in zip(x.shape, start, size):
        if length != -1:
            block.append(length)
        elif _is_int(whole) and _is_int(first):
            block.append(whole - first)
        else:
            block.append(None if whole is None else UNKNOWN)
    return Tensor(tuple(block), x.dtype)
