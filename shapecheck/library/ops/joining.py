"""Joining and splitting: concatenate / concat, stack, split, unstack."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.layers import ShapeError
from shapecheck.library.ops._common import (
    _SHAPE_ERROR,
    _axis,
    _differ,
    _get,
    _input,
    _is_int,
    _linked,
    _merge,
    _shapes,
    _unknown_dims,
)
from shapecheck.library.tensors import (
    Unknowable,
    as_tensor,
    op,
)
from shapecheck.values import UNKNOWN, Items, Tensor


def concat_shape(shapes: list, axis, what: str):
    """``tf.concat`` / ``keras.ops.concatenate``: equal ranks, equal sizes off ``axis``."""
    known = [s for s in shapes if s is not None]
    if not known:
        raise Unknowable
    rank = len(known[0])
    for shape in known[1:]:
        if len(shape) != rank:
            raise ShapeError(_SHAPE_ERROR, f"{what} of shapes {_shapes([Tensor(s) for s in known])}: "
                                           f"every input needs the same rank")
    at = _axis(axis, rank, what, result=_unknown_dims(rank) if len(shapes) > 1 else None)
    out = []
    for i in range(rank):
        column = [s[i] for s in known]
        if i == at:
            out.append(sum_dims(UNKNOWN if s is None else s[i] for s in shapes))
            continue
        for other in column[1:]:
            if _differ(column[0], other):
                raise ShapeError(_SHAPE_ERROR, f"{what} of shapes {_shapes([Tensor(s) for s in known])} "
                                               f"along axis {axis}: sizes on axis {i} differ "
                                               f"({column[0]} and {other}); only axis {at} may differ: "
                                               f"make them equal, or join along axis {i}")
        out.append(_merge(column))
    return tuple(out)


def sum_dims(values):
    total = 0
    for value in values:
        total = dims.add(total, value)
    return total


def _concat(tensors_index_names, axis_names, default_axis, flatten_none=False):
    def handler(site):
        values = _get(site, 0, *tensors_index_names)
        axis = _get(site, 1, *axis_names, default=default_axis)
        if isinstance(values, Items):  # alike items, as many as the list holds: one of them,
            values = [values.item, UNKNOWN]  # and more of a size not known along the axis
        if not isinstance(values, (list, tuple)) or not values:
            raise Unknowable
        tensors = [as_tensor(v) for v in values]
        shapes = [None if t is None else t.shape for t in tensors]
        dtype = next((t.dtype for t in tensors if t is not None), None)
        if axis is None and flatten_none:  # np.concatenate(..., axis=None) flattens
            return Tensor((sum_dims(UNKNOWN if s is None else dims.product(s) for s in shapes),), dtype)
        return Tensor(concat_shape(shapes, axis, site.name.rsplit(".", 1)[-1]), dtype)
    return handler


op("keras.ops.concatenate", "keras.ops.numpy.concatenate")(_concat(("xs",), ("axis",), 0))
op("tensorflow.concat")(_concat(("values",), ("axis",), UNKNOWN))
op("keras.backend.concatenate")(_concat(("tensors",), ("axis",), -1))
op("numpy.concatenate")(_concat(("arrays", "a"), ("axis",), 0, flatten_none=True))


def _stack_along(rows: bool):
    """``vstack`` (1-D arrays become rows, then joined on axis 0) / ``hstack`` (1-D arrays
    joined end to end, others on axis 1)."""
    def handler(site):
        values = _get(site, 0, "tup", "xs")
        if not isinstance(values, (list, tuple)) or not values:
            raise Unknowable
        tensors = [_input(v) for v in values]
        shapes = [t.shape for t in tensors]
        if rows:
            shapes, axis = [(1, *s) if len(s) == 1 else (1, 1) if not s else s for s in shapes], 0
        else:
            axis = 0 if all(len(s) == 1 for s in shapes) else 1
            shapes = [(1,) if not s else s for s in shapes]
        return Tensor(concat_shape(shapes, axis, site.name.rsplit(".", 1)[-1]), tensors[0].dtype)
    return handler


op("numpy.vstack", "keras.ops.vstack", "keras.ops.numpy.vstack")(_stack_along(True))
op("numpy.hstack", "keras.ops.hstack", "keras.ops.numpy.hstack")(_stack_along(False))


@op("numpy.column_stack")
def _column_stack(site):
    """``np.column_stack``: 1-D arrays become columns, then all are joined on axis 1."""
    values = _get(site, 0, "tup")
    if not isinstance(values, (list, tuple)) or not values:
        raise Unknowable
    tensors = [_input(v) for v in values]
    shapes = [(*t.shape, 1) if len(t.shape) == 1 else t.shape for t in tensors]
    return Tensor(concat_shape(shapes, 1, "column_stack"), tensors[0].dtype)


@op("keras.ops.stack", "keras.ops.numpy.stack", "tensorflow.stack", "keras.backend.stack",
    "numpy.stack")
def _stack(site):
    values = _get(site, 0, "x", "values", "arrays")
    axis = _get(site, 1, "axis", default=0)
    many = isinstance(values, Items)  # alike items, as many as the list holds
    if many:
        values = [values.item]
    if not isinstance(values, (list, tuple)) or not values:
        raise Unknowable
    tensors = [_input(v) for v in values]
    rank = len(tensors[0].shape)
    for t in tensors[1:]:
        if len(t.shape) != rank or any(_differ(a, b) for a, b in zip(t.shape, tensors[0].shape)):
            raise ShapeError(_SHAPE_ERROR, f"stack of shapes {_shapes(tensors)}: every input needs "
                                           f"the same shape")
    at = _axis(axis, rank, "stack", extra=1, result=_unknown_dims(rank + 1))
    shape = [_merge(column) for column in zip(*(t.shape for t in tensors))]
    shape.insert(at, UNKNOWN if many else len(tensors))
    return Tensor(tuple(shape), tensors[0].dtype)


def _split_sizes(size, spec, sizes_given: bool, what: str) -> list:
    """The pieces' sizes along the split axis: ``spec`` a number of equal pieces, a list of
    sizes (``tf.split``, one may be -1) or of indices (``keras.ops.split``, NumPy)."""
    if _is_int(spec):
        if spec <= 0:
            raise Unknowable(UNKNOWN)
        if _is_int(size) and size % spec:
            raise ShapeError(_SHAPE_ERROR, f"{what} of an axis of size {size} into {spec} equal "
                                           f"pieces: {spec} does not divide {size}: split into a "
                                           f"number of pieces that divides it, or pass the sizes")
        return [dims.exact_div(size, spec)] * spec
    spec = list(spec)
    if sizes_given:
        if spec.count(-1) > 1 or any(s < -1 for s in spec):
            raise ShapeError(_SHAPE_ERROR, f"{what} sizes {spec}: at most one may be -1")
        rest = sum(s for s in spec if s != -1)
        if -1 in spec:
            fill = dims.sub(size, rest)
            if _is_int(fill) and fill < 0:
                raise ShapeError(_SHAPE_ERROR, f"{what} sizes {spec} add up to more than the axis "
                                               f"size {size}")
            return [fill if s == -1 else s for s in spec]
        if _is_int(size) and rest != size:
            raise ShapeError(_SHAPE_ERROR, f"{what} sizes {spec} add up to {rest}, not to the axis "
                                           f"size {size}")
        return spec
    if _is_int(size):  # indices, as Python slices: clipped to the axis
        bounds = [0, *spec, size]
        return [len(range(size)[a:b]) for a, b in zip(bounds, bounds[1:])]
    if size is UNKNOWN:  # the indices may lie beyond the axis
        return [UNKNOWN] * (len(spec) + 1)
    bounds = [0, *spec]  # Keras's inference on a None axis: end - start
    last = dims.sub(size, spec[-1]) if spec else size
    return [b - a for a, b in zip(bounds, bounds[1:])] + [last]


def _split(x_names, spec_names, sizes_given):
    def handler(site):
        x = _input(_get(site, 0, *x_names))
        spec = _get(site, 1, *spec_names)
        axis = _get(site, 2, "axis", default=0)
        what = site.name.rsplit(".", 1)[-1]
        numpy = site.name.startswith("numpy.")
        rank = len(x.shape)
        if _is_int(spec):
            count = spec
        elif isinstance(spec, (list, tuple)) and all(_is_int(s) for s in spec):
            count = len(spec) + (0 if sizes_given else 1)
        else:
            raise Unknowable(UNKNOWN)  # not even the number of pieces is known
        if rank == 0 or count <= 0:
            raise Unknowable(UNKNOWN)
        if not _is_int(axis):
            return _linked(site, [_unknown_dims(rank) for _ in range(count)], numpy)
        at = _axis(axis, rank, what)
        pieces = []
        for size in _split_sizes(x.shape[at], spec, sizes_given, what):
            shape = list(x.shape)
            shape[at] = size
            pieces.append(Tensor(tuple(shape), x.dtype))
        return _linked(site, pieces, numpy)
    return handler


op("tensorflow.split")(_split(("value",), ("num_or_size_splits",), True))
op("keras.ops.split", "keras.ops.numpy.split")(_split(("x",), ("indices_or_sections",), False))
op("numpy.split")(_split(("ary",), ("indices_or_sections",), False))


@op("tensorflow.unstack", "keras.ops.unstack")
def _unstack(site):
    x = _input(_get(site, 0, "value", "x"))
    number = _get(site, 1, "num", default=None)
    at = _axis(_get(site, 2, "axis", default=0), len(x.shape), "unstack", result=UNKNOWN)
    count = x.shape[at] if _is_int(x.shape[at]) else number
    if not _is_int(count):
        raise Unknowable(UNKNOWN)
    piece = x.shape[:at] + x.shape[at + 1:]
    return _linked(site, [Tensor(piece, x.dtype) for _ in range(count)])
