"""NumPy array methods on tensors: reshape, flatten, transpose, squeeze, the reductions."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.library.ops._common import _get, _is_int
from shapecheck.library.ops.reductions import label_extreme, reduce_shape
from shapecheck.library.ops.reshaping import reshape_shape, squeeze_shape, transpose_shape
from shapecheck.library.registry import attribute, method
from shapecheck.library.tensors import (
    Unknowable,
)
from shapecheck.values import UNKNOWN, Tensor


def _numpy_method(compute, same_values=True):
    """A method of NumPy arrays; ``same_values``: the result holds the array's values (the
    class labels stay)."""
    def handler(site):
        if not site.obj.numpy or site.obj.shape is None:
            return UNKNOWN  # a TensorFlow tensor has no such method
        classes = site.obj.classes if same_values else None
        try:
            return Tensor(compute(site.obj.shape, site), site.obj.dtype, numpy=True, classes=classes)
        except Unknowable:
            return Tensor(None, numpy=True, classes=classes)
    return handler


def _method_axes(site):
    return _get(site, 0, "axis", default=None)


method("tensor", "reshape")(_numpy_method(lambda shape, site: reshape_shape(
    shape, site.args[0] if len(site.args) == 1 else list(site.args) if site.args
    else site.kwargs.get("shape", UNKNOWN))))
method("tensor", "flatten", "ravel")(_numpy_method(lambda shape, site: (dims.product(shape),)))
method("tensor", "transpose")(_numpy_method(lambda shape, site: transpose_shape(
    shape, (site.args[0] if len(site.args) == 1 and not _is_int(site.args[0]) else list(site.args))
    if site.args else None)))
method("tensor", "squeeze")(_numpy_method(lambda shape, site: squeeze_shape(
    shape, _method_axes(site), False)))
_reduced = _numpy_method(lambda shape, site: reduce_shape(
    shape, _method_axes(site), site.kwargs.get("keepdims", False)), same_values=False)
method("tensor", "sum", "mean", "prod", "any", "all", "std", "var", "argmax", "argmin")(_reduced)


@method("tensor", "max", "min")
def _extreme(site):
    """``y.max()`` of class labels is the last class, ``y.min()`` 0."""
    known = label_extreme(site.obj, site.name, _method_axes(site), site.kwargs.get("keepdims", False))
    return known if known is not None else _reduced(site)


# ``x.T`` of a NumPy array: its axes reversed (a TensorFlow tensor has no ``T``).
attribute("tensor", "T")(_numpy_method(lambda shape, site: tuple(reversed(shape))))


@attribute("tensor", "size")
def _size(site):
    """``x.size`` of a NumPy array: how many values it holds."""
    x = site.obj
    return dims.product(x.shape) if x.numpy and x.shape is not None else UNKNOWN
