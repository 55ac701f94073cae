"""Images: tf.image.resize, keras.ops.image.resize, crops and pads, K.resize_images, patches."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError
from shapecheck.layers.conv import conv_length
from shapecheck.library.ops._common import (
    _SHAPE_ERROR,
    _get,
    _input,
)
from shapecheck.library.tensors import (
    Unknowable,
    _dim,
    dtype_of,
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


def size_pair(size):
    """A ``(first, second)`` size argument as two dims (UNKNOWN where not known)."""
    if isinstance(size, (list, tuple)) and len(size) == 2:
        return [_dim(s) for s in size]
    return [UNKNOWN, UNKNOWN]


@op("tensorflow.image.resize")
def _tf_resize(site):
    x = _input(_get(site, 0, "images"))
    axes = _image_axes(x, "tf.image.resize")
    sizes = size_pair(_get(site, 1, "size"))
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
    return _sized(x, axes, size_pair(_get(site, 1, "size")))


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


def _pair(value):
    if isinstance(value, int):
        return value, value
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return tuple(value)
    raise Unknowable


def _patches(x: Tensor, what: str, size, strides, dilation, padding) -> Tensor:
    """Image patches of ``size`` (channels last): a convolution of that kernel whose every
    output position holds one flattened patch."""
    axes = _image_axes(x, what)
    lengths = [conv_length(x.shape[axis], size[i], strides[i], dilation[i], padding)
               for i, axis in enumerate(axes)]
    shape = list(x.shape)
    for axis, length in zip(axes, lengths):
        shape[axis] = length
    shape[-1] = dims.mul(size[0] * size[1], shape[-1])
    return Tensor(tuple(shape), x.dtype)


@op("keras.ops.image.extract_patches")
def _keras_patches(site):
    """``keras.ops.image.extract_patches(images, size, strides=None, dilation_rate=1,
    padding="valid")``: strides default to the size."""
    x = _input(_get(site, 0, "images"))
    if site.kwargs.get("data_format") not in (None, "channels_last"):
        raise Unknowable
    size = _pair(_get(site, 1, "size"))
    strides = _get(site, 2, "strides", default=None)
    padding = _get(site, 4, "padding", default="valid")
    if not isinstance(padding, str):
        raise Unknowable
    strides = size if not strides else _pair(strides)
    dilation = _pair(_get(site, 3, "dilation_rate", default=1))
    if max(strides) > 1 and max(dilation) > 1:
        raise Unknowable  # TensorFlow's convolution rejects both together
    return _patches(x, "keras.ops.image.extract_patches", size, strides, dilation, padding.lower())


@op("tensorflow.image.extract_patches")
def _tf_patches(site):
    """``tf.image.extract_patches(images, sizes=[1, h, w, 1], strides=[1, ...], rates=[1,
    ...], padding="VALID")``."""
    x = _input(_get(site, 0, "images"))
    quads = [_get(site, index, name) for index, name in ((1, "sizes"), (2, "strides"), (3, "rates"))]
    if not all(isinstance(q, (list, tuple)) and len(q) == 4 for q in quads):
        raise Unknowable
    padding = _get(site, 4, "padding")
    if not isinstance(padding, str) or len(x.shape) != 4:
        raise Unknowable
    sizes, strides, rates = (_pair(list(q[1:3])) for q in quads)
    return _patches(x, "tf.image.extract_patches", sizes, strides, rates, padding.lower())


# tf.image functions that keep the image's shape: flips, colour changes, standardization.
_SAME_SHAPE = ("flip_left_right", "flip_up_down", "random_flip_left_right", "random_flip_up_down",
               "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue",
               "adjust_gamma", "random_brightness", "random_contrast", "random_saturation",
               "random_hue", "per_image_standardization")


@op(*(f"tensorflow.image.{name}" for name in _SAME_SHAPE))
def _same_image(site):
    x = _input(_get(site, 0, "image", "images"))
    _image_axes(x, site.name.rsplit(".", 1)[-1])
    return Tensor(x.shape, x.dtype)


@op("tensorflow.image.random_crop")
def _random_crop(site):
    """``tf.image.random_crop(value, size)``: a crop of shape ``size`` (of the same rank)."""
    x, size = _input(_get(site, 0, "value")), _get(site, 1, "size")
    if not isinstance(size, (list, tuple)) or len(size) != len(x.shape):
        raise Unknowable
    return Tensor(tuple(_dim(s) for s in size), x.dtype)


@op("tensorflow.image.convert_image_dtype")
def _convert_image_dtype(site):
    x = _input(_get(site, 0, "image"))
    return Tensor(x.shape, dtype_of(_get(site, 1, "dtype", default=None)))
