"""Reshaping: reshape, numpy's resize, transpose, swapaxes, moveaxis, expand_dims, squeeze, flatten."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError
from shapecheck.library.ops._common import (
    _SHAPE_ERROR,
    _axes,
    _axis,
    _differ,
    _get,
    _input,
    _is_int,
    _unknown_dims,
)
from shapecheck.library.tensors import (
    Unknowable,
    as_tensor,
    keras_symbolic,
    op,
    shape_arg,
)
from shapecheck.values import UNKNOWN, Tensor


def reshape_shape(shape, target, what="reshape"):
    """``tf.reshape`` / ``keras.ops.reshape``: the new shape; one -1 takes the rest."""
    if isinstance(target, Tensor):  # e.g. tf.shape(y): its length is the rank
        length = target.shape[0] if target.shape is not None and len(target.shape) == 1 else None
        if _is_int(length):
            return (UNKNOWN,) * length
        raise Unknowable
    target = shape_arg(target)
    if target is None:
        raise Unknowable
    if target.count(-1) > 1 or any(_is_int(d) and d < -1 for d in target):
        raise ShapeError("reshape-size-mismatch", f"cannot reshape into {format_shape(target)}: "
                                                  f"at most one size may be -1, the others 0 or more: "
                                                  f"write the other sizes out")
    if shape is None:
        return tuple(UNKNOWN if d == -1 else d for d in target)
    known = dims.product(d for d in target if d != -1)
    total = dims.product(shape)
    if _is_int(known) and _is_int(total):
        if (total % known if known else total) if -1 in target else total != known:
            raise ShapeError("reshape-size-mismatch",
                             f"cannot {what} {format_shape(tuple(shape))} ({total} values) into "
                             f"{format_shape(target)}: the sizes must match: "
                             + (f"make the sizes beside -1 (their product {known}) divide {total}"
                                if -1 in target else f"make the target hold {total} values"))
        fill = total // known if known else 0
    elif total is None:
        fill = None
    elif _is_int(known) and known and isinstance(total, dims.Expr):
        fill = dims.exact_div(total, known)
    else:
        fill = UNKNOWN
    return tuple(fill if d == -1 else d for d in target)


def _reshape(x_names, shape_names):
    def handler(site):
        x = as_tensor(_get(site, 0, *x_names))
        target = _get(site, 1, *shape_names)
        if x is None:
            x = Tensor(None)
        return Tensor(reshape_shape(x.shape, target), x.dtype, classes=x.classes)
    return handler


op("tensorflow.reshape")(_reshape(("tensor",), ("shape",)))
op("keras.ops.reshape", "keras.ops.numpy.reshape")(_reshape(("x",), ("newshape",)))
op("keras.backend.reshape")(_reshape(("x",), ("shape",)))
op("numpy.reshape")(_reshape(("a",), ("newshape", "shape")))


@op("numpy.resize")
def _resize(site):
    """``np.resize(a, new_shape)``: any shape, its values ``a``'s repeated or cut."""
    x = as_tensor(_get(site, 0, "a"))
    target = shape_arg(_get(site, 1, "new_shape"))
    if target is None or any(not _is_int(d) or d < 0 for d in target):
        raise Unknowable  # (NumPy raises on a negative size)
    return Tensor(target, x.dtype if x is not None else None)


def transpose_shape(shape, perm, what="transpose"):
    rank = len(shape)
    if perm is None:
        return tuple(reversed(shape))
    if not isinstance(perm, (list, tuple)) or not all(_is_int(p) for p in perm):
        raise Unknowable(_unknown_dims(rank))
    if len(perm) != rank or sorted(p % rank for p in perm if -rank <= p < rank) != list(range(rank)):
        raise ShapeError(_SHAPE_ERROR, f"{what} of {format_shape(shape)} by {list(perm)}: the "
                                       f"permutation must list each of the {rank} axes once")
    return tuple(shape[p] for p in perm)


def _transpose(x_names, perm_names, default=None):
    def handler(site):
        x = _input(_get(site, 0, *x_names))
        return Tensor(transpose_shape(x.shape, _get(site, 1, *perm_names, default=default)), x.dtype)
    return handler


op("tensorflow.transpose")(
    _transpose(("a",), ("perm",)))
op("keras.ops.transpose", "keras.ops.numpy.transpose", "numpy.transpose")(
    _transpose(("x", "a"), ("axes",)))
op("keras.backend.permute_dimensions")(
    _transpose(("x",), ("pattern",)))
op("keras.backend.transpose")(_transpose(("x",), (), None))


@op("tensorflow.linalg.matrix_transpose", "tensorflow.linalg.adjoint",
    "numpy.linalg.pinv", "tensorflow.linalg.pinv")  # (a pseudo-inverse: the transpose's shape)
def _matrix_transpose(site):
    x = _input(_get(site, 0, "a", "matrix"))
    if len(x.shape) < 2:
        raise Unknowable
    return Tensor((*x.shape[:-2], x.shape[-1], x.shape[-2]), x.dtype)


@op("keras.ops.swapaxes", "numpy.swapaxes")
def _swapaxes(site):
    x = _input(_get(site, 0, "x", "a"))
    rank = len(x.shape)
    first = _axis(_get(site, 1, "axis1"), rank, "swapaxes", result=_unknown_dims(rank))
    second = _axis(_get(site, 2, "axis2"), rank, "swapaxes", result=_unknown_dims(rank))
    shape = list(x.shape)
    shape[first], shape[second] = shape[second], shape[first]
    return Tensor(tuple(shape), x.dtype)


@op("keras.ops.moveaxis", "numpy.moveaxis")
def _moveaxis(site):
    x = _input(_get(site, 0, "x", "a"))
    rank = len(x.shape)
    source, destination = _get(site, 1, "source"), _get(site, 2, "destination")
    sources = source if isinstance(source, (list, tuple)) else [source]
    destinations = destination if isinstance(destination, (list, tuple)) else [destination]
    unknown = _unknown_dims(rank)
    sources = [_axis(a, rank, "moveaxis", result=unknown) for a in sources]
    destinations = [_axis(a, rank, "moveaxis", result=unknown) for a in destinations]
    if len(sources) != len(destinations) or len(set(sources)) != len(sources):
        raise Unknowable(unknown)
    order = [i for i in range(rank) if i not in sources]
    for dest, src in sorted(zip(destinations, sources)):
        order.insert(dest, src)
    return Tensor(tuple(x.shape[i] for i in order), x.dtype)


def expand_dims_shape(shape, axis, what="expand_dims"):
    """One new axis of size 1 (or several, for ``keras.ops`` / NumPy given a tuple)."""
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    rank = len(shape) + len(axes)
    positions = {_axis(a, rank, what, result=_unknown_dims(rank)) for a in axes}
    if len(positions) != len(axes):
        raise Unknowable(_unknown_dims(rank))
    rest = iter(shape)
    return tuple(1 if i in positions else next(rest) for i in range(rank))


def _expand_dims(x_names, default=UNKNOWN, many=False):
    def handler(site):
        x = _input(_get(site, 0, *x_names))
        axis = _get(site, 1, "axis", default=default)
        if isinstance(axis, (list, tuple)) and not many:
            raise Unknowable
        return Tensor(expand_dims_shape(x.shape, axis), x.dtype)
    return handler


op("tensorflow.expand_dims")(_expand_dims(("input",)))
op("keras.ops.expand_dims", "keras.ops.numpy.expand_dims", "numpy.expand_dims")(
    _expand_dims(("x", "a"), many=True))
op("keras.backend.expand_dims")(_expand_dims(("x",), -1))


def squeeze_shape(shape, axis, symbolic: bool, what="squeeze"):
    """Drop axes of size 1: the given ones (each must be 1), or every one."""
    if axis is None:
        if any(d is UNKNOWN or isinstance(d, dims.Expr) or (d is None and not symbolic)
               for d in shape):
            raise Unknowable  # which axes are 1 decides the rank
        return tuple(d for d in shape if d != 1)
    rank = len(shape)
    axes = _axes(axis, rank, what) if isinstance(axis, (list, tuple)) or _is_int(axis) else None
    if axes is None:
        raise Unknowable
    for a in axes:
        # Keras's own inference rejects a None axis too (it cannot tell it is 1).
        if _differ(shape[a], 1) or (symbolic and shape[a] is None):
            raise ShapeError(_SHAPE_ERROR, f"{what} of axis {a} of {format_shape(tuple(shape))}: "
                                           f"its size is {dims.dim_to_json(shape[a])}, not 1: squeeze "
                                           f"an axis of size 1 only (or reshape)")
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _squeeze(x_names, default=None):
    def handler(site):
        x = _input(_get(site, 0, *x_names))
        axis = _get(site, 1, "axis", default=default)
        symbolic = site.name.startswith("keras.ops.") and keras_symbolic(site)
        return Tensor(squeeze_shape(x.shape, axis, symbolic), x.dtype, classes=x.classes)
    return handler


op("tensorflow.squeeze")(_squeeze(("input",)))
op("keras.ops.squeeze", "keras.ops.numpy.squeeze", "numpy.squeeze")(_squeeze(("x", "a")))
op("keras.backend.squeeze")(_squeeze(("x",), UNKNOWN))


@op("keras.backend.batch_flatten")
def _batch_flatten(site):
    x = _input(_get(site, 0, "x"))
    if not x.shape:
        raise Unknowable
    return Tensor((x.shape[0], dims.product(x.shape[1:])), x.dtype)


@op("keras.backend.flatten", "keras.ops.ravel", "keras.ops.numpy.ravel", "numpy.ravel")
def _ravel(site):
    x = _input(_get(site, 0, "x", "a"))
    return Tensor((dims.product(x.shape),), x.dtype)
