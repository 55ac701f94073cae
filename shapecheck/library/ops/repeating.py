"""Padding and repetition: pad, the K.*_padding functions, tile, repeat."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError
from shapecheck.library.ops._common import (
    _SHAPE_ERROR,
    _axis,
    _differ,
    _get,
    _input,
    _is_int,
    _unknown_dims,
)
from shapecheck.library.tensors import (
    Unknowable,
    _dim,
    keras_symbolic,
    op,
)
from shapecheck.values import UNKNOWN, Tensor


def _pad_pairs(pads, rank: int, rule: str, what: str) -> list:
    """Padding widths as one (before, after) pair per axis. ``tf.pad`` needs a pair per
    axis; NumPy broadcasts one number or pair; ``keras.ops.pad`` broadcasts only in Keras's
    own inference (its TensorFlow kernel needs a pair per axis, as ``tf.pad``)."""
    if _is_int(pads):
        pads = [[pads, pads]] if rule != "tensorflow" else pads
    if not isinstance(pads, (list, tuple)) or not pads:
        raise Unknowable(_unknown_dims(rank))
    if all(_is_int(p) for p in pads) and rule != "tensorflow":
        pads = [pads]
    pairs = []
    for pair in pads:
        if not isinstance(pair, (list, tuple)) or not all(_is_int(p) for p in pair) \
                or len(pair) not in (1, 2) or (len(pair) == 1 and rule == "tensorflow"):
            raise Unknowable(_unknown_dims(rank))
        pairs.append((pair[0], pair[-1]))
    if len(pairs) == 1 and rule in ("numpy", "keras"):
        pairs = pairs * rank
    if len(pairs) != rank:
        raise ShapeError(_SHAPE_ERROR, f"{what}: {len(pairs)} (before, after) pairs for a tensor of "
                                       f"rank {rank}; give one pair per axis")
    return pairs


def _pad(x_names, pad_names, rule):
    def handler(site):
        x = _input(_get(site, 0, *x_names))
        how = "keras" if rule == "keras" and keras_symbolic(site) else \
            "tensorflow" if rule == "keras" else rule
        pairs = _pad_pairs(_get(site, 1, *pad_names), len(x.shape), how, "pad")
        return Tensor(tuple(dims.add(d, a + b) for d, (a, b) in zip(x.shape, pairs)), x.dtype)
    return handler


op("tensorflow.pad")(_pad(("tensor",), ("paddings",), "tensorflow"))
op("keras.ops.pad", "keras.ops.numpy.pad")(_pad(("x",), ("pad_width",), "keras"))
op("numpy.pad")(_pad(("array",), ("pad_width",), "numpy"))


@op("keras.backend.temporal_padding", "keras.backend.spatial_2d_padding",
    "keras.backend.spatial_3d_padding")
def _spatial_padding(site):
    x = _input(_get(site, 0, "x"))
    spatial = {"temporal_padding": 1, "spatial_2d_padding": 2, "spatial_3d_padding": 3}[
        site.name.rsplit(".", 1)[-1]]
    padding = _get(site, 1, "padding", default=(1, 1) if spatial == 1 else ((1, 1),) * spatial)
    layout = _get(site, 2, "data_format", default=None)
    pairs = [padding] if spatial == 1 else padding
    if layout not in (None, "channels_last", "channels_first") or len(x.shape) != spatial + 2 or \
            not isinstance(pairs, (list, tuple)) or len(pairs) != spatial or \
            not all(isinstance(p, (list, tuple)) and len(p) == 2 and all(map(_is_int, p)) for p in pairs):
        raise Unknowable
    first = 2 if layout == "channels_first" else 1
    shape = list(x.shape)
    for i, (a, b) in enumerate(pairs):
        shape[first + i] = dims.add(shape[first + i], a + b)
    return Tensor(tuple(shape), x.dtype)


def tile_shape(shape, multiples, numpy_rules: bool, what="tile"):
    """``tf.tile`` needs one multiple per axis; ``keras.ops`` / NumPy align them on the right."""
    if _is_int(multiples):
        multiples = [multiples]
    if not isinstance(multiples, (list, tuple)):
        raise Unknowable(None if numpy_rules else _unknown_dims(len(shape)))
    multiples = [_dim(m) for m in multiples]
    if not numpy_rules and len(multiples) != len(shape):
        raise ShapeError(_SHAPE_ERROR, f"{what} of {format_shape(shape)} by {list(multiples)}: "
                                       f"tf.tile needs one multiple per axis ({len(shape)})")
    rank = max(len(shape), len(multiples))
    shape = (1,) * (rank - len(shape)) + tuple(shape)
    multiples = [1] * (rank - len(multiples)) + multiples
    return tuple(dims.mul(d, m) for d, m in zip(shape, multiples))


@op("tensorflow.tile", "keras.backend.tile", "keras.ops.tile", "keras.ops.numpy.tile", "numpy.tile")
def _tile(site):
    x = _input(_get(site, 0, "input", "x", "A"))
    multiples = _get(site, 1, "multiples", "n", "repeats", "reps")
    numpy_rules = site.name.startswith(("keras.ops.", "numpy."))
    return Tensor(tile_shape(x.shape, multiples, numpy_rules), x.dtype)


def repeat_shape(shape, repeats, axis, what="repeat"):
    """Each element repeated along ``axis`` (None: of the flattened tensor)."""
    if axis is None:
        shape, axis = (dims.product(shape),), 0
    rank = len(shape)
    at = _axis(axis, rank, what, result=_unknown_dims(rank))
    size = shape[at]
    if isinstance(repeats, (list, tuple)) and len(repeats) == 1:
        repeats = repeats[0]
    if _is_int(repeats):
        new = dims.mul(size, repeats)
    elif isinstance(repeats, (list, tuple)) and all(_is_int(r) for r in repeats):
        if _differ(size, len(repeats)):
            raise ShapeError(_SHAPE_ERROR, f"{what}: {len(repeats)} repeats for an axis of size {size}; "
                                           f"give one per element, or a single number")
        new = sum(repeats) if size is not None else None
    elif isinstance(repeats, Tensor) and repeats.contents == (None,):
        new = None  # a count that varies (tf.shape(x)[0] while traced): unknown to the graph
    else:
        new = None if size is None else UNKNOWN
    return tuple(new if i == at else d for i, d in enumerate(shape))


@op("tensorflow.repeat", "keras.ops.repeat", "keras.ops.numpy.repeat", "numpy.repeat")
def _repeat(site):
    x = _input(_get(site, 0, "input", "x", "a"))
    repeats = _get(site, 1, "repeats")
    if isinstance(repeats, Tensor) and repeats.contents and isinstance(repeats.contents[0], int) \
            and site.ev.eager():
        repeats = repeats.contents[0]  # tf.shape(x)[0] run eagerly: x's rows
    axis = _get(site, 2, "axis", default=None)
    return Tensor(repeat_shape(x.shape, repeats, axis), x.dtype)


@op("keras.backend.repeat_elements")
def _repeat_elements(site):
    x = _input(_get(site, 0, "x"))
    return Tensor(repeat_shape(x.shape, _get(site, 1, "rep"), _get(site, 2, "axis")), x.dtype)


@op("keras.backend.repeat")
def _repeat_vector(site):
    """``K.repeat(x, n)``: (batch, features) -> (batch, n, features), as RepeatVector."""
    x = _input(_get(site, 0, "x"))
    if len(x.shape) != 2:
        raise Unknowable
    return Tensor((x.shape[0], _dim(_get(site, 1, "n")), x.shape[1]), x.dtype)
