"""Images: tf.image.resize, keras.ops.image.resize, crops and pads, K.resize_images."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError
from shapecheck.library.ops._common import (
    _SHAPE_ERROR,
    _get,
    _input,
)
from shapecheck.library.tensors import (
    Unknowable,
    _dim,
    op,
)
from shapecheck.values import UNKNOWN, Tensor


def _image_axes(x: Tensor, what: str, channels_first=False) -> tuple:
    rank = len(x.shape)
    if rank not in (3, 4):
        raise ShapeError(_SHAPE_ERROR, f"{what} of {format_shape(x.shape)}: images must have rank "
                                       f"3 (one image) or 4 (a batch)")
    return (rank - 2, rank - 1) if channels_first else (rank - 3, rank - 2)


def _sized(x: Tensor, axes, sizes, dtype=None) -> Tensor:
    shape = list(x.shape)
    for axis, size in zip(axes, sizes):
        shape[axis] = size
    return Tensor(tuple(shape), dtype or x.dtype)


def _size_pair(size):
    if isinstance(size, (list, tuple)) and len(size) == 2:
        return [_dim(s) for s in size]
    return [UNKNOWN, UNKNOWN]


@op("tensorflow.image.resize")
def _tf_resize(site):
    x = _input(_get(site, 0, "images"))
    axes = _image_axes(x, "tf.image.resize")
    sizes = _size_pair(_get(site, 1, "size"))
    if _get(site, 3, "preserve_aspect_ratio", default=False) is not False:
        sizes = [UNKNOWN, UNKNOWN]  # fits inside size, keeping the aspect ratio
    return _sized(x, axes, sizes, "float32")


@op("keras.ops.image.resize")
def _keras_resize(site):
    x = _input(_get(site, 0, "images"))
    layout = site.kwargs.get("data_format")
    if layout not in (None, "channels_last", "channels_first"):
        raise Unknowable
    axes = _image_axes(x, "keras.ops.image.resize", layout == "channels_first")
    return _sized(x, axes, _size_pair(_get(site, 1, "size")))


@op("tensorflow.image.resize_with_crop_or_pad", "tensorflow.image.resize_with_pad")
def _crop_or_pad(site):
    x = _input(_get(site, 0, "image"))
    axes = _image_axes(x, site.name.rsplit(".", 1)[-1])
    sizes = [_dim(_get(site, 1, "target_height")), _dim(_get(site, 2, "target_width"))]
    return _sized(x, axes, sizes, "float32" if site.name.endswith("with_pad") else None)


@op("keras.backend.resize_images")
def _resize_images(site):
    x = _input(_get(site, 0, "x"))
    layout = _get(site, 3, "data_format")
    if layout not in ("channels_last", "channels_first") or len(x.shape) != 4:
        raise Unknowable
    axes = (2, 3) if layout == "channels_first" else (1, 2)
    factors = [_get(site, 1, "height_factor"), _get(site, 2, "width_factor")]
    return _sized(x, axes, [dims.mul(x.shape[a], _dim(f)) for a, f in zip(axes, factors)])
