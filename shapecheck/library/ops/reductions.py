"""Shapes and reductions: tf.shape / int_shape, mean / sum / max / argmax ... with axis and keepdims."""

from __future__ import annotations

import math

from shapecheck.library.ops._common import (
    _axes,
    _get,
    _input,
)
from shapecheck.library.tensors import (
    Unknowable,
    as_tensor,
    dtype_of,
    op,
)
from shapecheck.values import UNKNOWN, Tensor


@op("tensorflow.shape", "keras.backend.shape")
def _shape_tensor(site):
    x = as_tensor(_get(site, 0, "input", "x"))
    known = x is not None and x.shape is not None
    return Tensor((len(x.shape) if known else UNKNOWN,), dtype_of(site.kwargs.get("out_type")) or "int32",
                  contents=tuple(x.shape) if known else None)


@op("tensorflow.rank", "tensorflow.size")
def _scalar_int(site):
    return Tensor((), "int32")


@op("keras.ops.shape", "keras.backend.int_shape", "numpy.shape")
def _static_shape(site):
    """The static shape as a Python tuple (Keras's None where a size varies; for a
    TensorFlow tensor, ``keras.ops.shape`` gives a scalar tensor of the size there)."""
    x = as_tensor(_get(site, 0, "x", "a"))
    if x is None or x.shape is None:
        return UNKNOWN
    if site.name == "keras.ops.shape" and not x.symbolic:
        return tuple(Tensor((), "int32", contents=(d,)) if d is None else d for d in x.shape)
    return tuple(x.shape)


@op("keras.backend.ndim", "numpy.ndim")
def _ndim(site):
    x = as_tensor(_get(site, 0, "x", "a"))
    return UNKNOWN if x is None or x.shape is None else len(x.shape)


def reduce_shape(shape, axis, keepdims, what="reduce"):
    """The shape left by reducing ``axis`` (None: all), keeping them as 1s or not."""
    if keepdims not in (True, False):
        raise Unknowable
    unknown_axis = Tensor(tuple(1 if d == 1 else UNKNOWN for d in shape)) if keepdims else None
    axes = _axes(axis, len(shape), what, result=unknown_axis)
    return tuple(1 if i in axes else d for i, d in enumerate(shape) if keepdims or i not in axes)


def _reduction(x_names, default_axis=None, axis_index=1, keep_index=None, dtype=None):
    def handler(site):
        x = _input(_get(site, 0, *x_names))
        axis = _get(site, axis_index, "axis", "axes", default=default_axis)
        keep = _get(site, keep_index if keep_index is not None else 99, "keepdims", "keep_dims",
                    default=False)
        if keep is None:  # tf.norm's default
            keep = False
        what = site.name.rsplit(".", 1)[-1]
        return Tensor(reduce_shape(x.shape, axis, keep, what), dtype or x.dtype)
    return handler


_REDUCTIONS = ("mean", "sum", "max", "min", "prod", "any", "all", "std", "variance",
               "logsumexp", "euclidean_norm")
for _name in _REDUCTIONS:  # tf.math has them all, tf the common ones
    op(f"tensorflow.math.reduce_{_name}",
       *([f"tensorflow.reduce_{_name}"] if _name not in ("std", "variance", "euclidean_norm") else []))(
        _reduction(("input_tensor",), keep_index=2))
for _name in ("mean", "sum", "max", "min", "prod", "any", "all", "std", "var", "logsumexp",
              "amax", "amin"):
    op(f"keras.ops.{_name}", *([f"keras.ops.numpy.{_name}"] if _name != "logsumexp" else []))(
        _reduction(("x",), keep_index=2))
for _name in ("mean", "sum", "max", "min", "prod", "any", "all", "std", "var"):
    op(f"keras.backend.{_name}")(_reduction(("x",), keep_index=2))
_array_reduction = _reduction(("a",))
_OF_NUMBERS = {"sum": sum, "prod": math.prod, "max": max, "amax": max, "min": min, "amin": min,
               "mean": lambda values: sum(values) / len(values)}


def _numpy_reduction(site):
    """A NumPy reduction; of a flat list or tuple of known numbers over all of it
    (``np.prod(x.shape[1:])``), the number itself."""
    values = _get(site, 0, "a")
    if isinstance(values, Tensor) and values.contents is not None and values.shape is not None \
            and len(values.shape) == 1:
        values = values.contents  # (integers whose values it knows: None where a size varies)
    name = site.name.rsplit(".", 1)[-1]
    if name in _OF_NUMBERS and isinstance(values, (list, tuple)) and len(site.args) == 1 \
            and not site.kwargs and all(isinstance(v, (int, float)) for v in values):
        if not values:
            return 1.0 if name == "prod" else 0.0 if name == "sum" else UNKNOWN
        return _OF_NUMBERS[name](values)
    return _array_reduction(site)


for _name in ("mean", "sum", "prod", "any", "all", "std", "var"):
    op(f"numpy.{_name}")(_numpy_reduction)


def label_extreme(x, name, axis, keepdims):
    """The largest (``max``) or smallest class of class labels ``x`` reduced over every
    axis, else None."""
    if isinstance(x, Tensor) and x.classes is not None and axis is None and keepdims is False:
        return x.classes - 1 if name.endswith("max") else 0
    return None


def _numpy_extreme(site):
    """``np.max(y)`` of class labels is the last class, ``np.min(y)`` 0."""
    known = label_extreme(_get(site, 0, "a"), site.name, _get(site, 1, "axis", default=None),
                          site.kwargs.get("keepdims", False))
    return known if known is not None else _numpy_reduction(site)


op("numpy.max", "numpy.amax", "numpy.min", "numpy.amin")(_numpy_extreme)


@op("numpy.unique")
def _unique(site):
    """The classes of class labels (sorted, each once); of other arrays an unknown count."""
    x = _input(_get(site, 0, "ar"))
    extras = [site.kwargs.get(k, False) for k in ("return_index", "return_inverse", "return_counts")]
    if site.kwargs.get("axis") is not None or len(site.args) > 1 or UNKNOWN in extras:
        raise Unknowable(UNKNOWN)
    count = x.classes if x.classes is not None else UNKNOWN
    values = Tensor((count,), x.dtype, contents=None if x.classes is None or x.classes > 64
                    else tuple(range(x.classes)), numpy=True, classes=x.classes)
    parts = [values]
    for kind, wanted in zip(("index", "inverse", "counts"), extras):
        if wanted:  # (the inverse's shape changed between NumPy releases)
            parts.append(Tensor(None if kind == "inverse" else (count,), "int64", numpy=True))
    return values if len(parts) == 1 else tuple(parts)


# tf.argmax's axis defaults to 0; keras.ops and NumPy's to the flattened tensor.
op("tensorflow.argmax", "tensorflow.math.argmax", "tensorflow.argmin", "tensorflow.math.argmin")(
    _reduction(("input",), default_axis=0, dtype="int64"))
op("keras.ops.argmax", "keras.ops.argmin", "keras.ops.numpy.argmax", "keras.ops.numpy.argmin")(
    _reduction(("x",), keep_index=2, dtype="int32"))
op("numpy.argmax", "numpy.argmin")(_reduction(("a",), dtype="int64"))
op("keras.backend.argmax", "keras.backend.argmin")(
    _reduction(("x",), default_axis=-1, dtype="int64"))
op("tensorflow.norm", "tensorflow.linalg.norm", "keras.ops.norm", "keras.ops.linalg.norm",
   "numpy.linalg.norm")(
    _reduction(("tensor", "x"), axis_index=2, keep_index=3))
