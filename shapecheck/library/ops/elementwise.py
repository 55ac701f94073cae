"""Element-wise functions, where, broadcast_to, Fourier transforms, and NumPy array methods."""

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
)
from shapecheck.library.tensors import (
    Unknowable,
    array,
    as_tensor,
    broadcast,
    broadcast_shapes,
    dtype_of,
    op,
    shape_arg,
)
from shapecheck.values import UNKNOWN, Tensor


def _same(x_names, dtype=None, dtype_arg=None):
    def handler(site):
        x = site.args[0] if site.args else next((site.kwargs[n] for n in x_names if n in site.kwargs),
                                                UNKNOWN)
        if not isinstance(x, Tensor):
            x = array(x) if isinstance(x, (list, tuple, int, float)) else Tensor(None)
        new = dtype_of(_get(site, 1, dtype_arg, default=None)) if dtype_arg else None
        return Tensor(x.shape, new or dtype or x.dtype)
    return handler


_ACTIVATIONS = ("relu", "relu6", "softmax", "log_softmax", "sigmoid", "tanh", "elu", "selu", "gelu",
                "leaky_relu", "silu", "swish", "softplus", "softsign", "hard_sigmoid", "mish")
_MATH = ("abs", "exp", "log", "log1p", "sqrt", "rsqrt", "square", "negative", "round", "floor",
         "ceil", "sign", "sin", "cos", "tan", "reciprocal", "erf", "sigmoid", "tanh", "softplus",
         "logical_not", "is_nan", "is_finite", "cumsum", "cumprod", "l2_normalize", "expm1")
_KERAS_UNARY = ("relu", "relu6", "softmax", "log_softmax", "sigmoid", "tanh", "elu", "selu", "gelu",
                "leaky_relu", "silu", "swish", "softplus", "softsign", "hard_sigmoid", "abs", "exp",
                "log", "log1p", "sqrt", "rsqrt", "square", "negative", "round", "floor", "ceil", "sign",
                "sin", "cos", "tan", "reciprocal", "erf", "logical_not", "isnan", "isfinite",
                "stop_gradient", "normalize", "sort", "argsort", "flip", "roll", "tril", "triu",
                "nan_to_num", "clip", "absolute", "expm1")
_KERAS_NN = {"relu", "relu6", "softmax", "log_softmax", "sigmoid", "elu", "selu", "gelu",
             "leaky_relu", "silu", "swish", "softplus", "softsign", "hard_sigmoid", "normalize"}
_KERAS_NOT_NUMPY = _KERAS_NN | {"erf", "rsqrt", "stop_gradient"}  # in keras.ops.math / core
_BACKEND_UNARY = ("abs", "exp", "log", "sqrt", "square", "sigmoid", "tanh", "relu", "softmax",
                  "softplus", "softsign", "sign", "round", "elu", "hard_sigmoid", "sin", "cos",
                  "stop_gradient", "dropout", "l2_normalize", "cumsum", "cumprod", "reverse", "clip")
_NUMPY_UNARY = ("abs", "absolute", "exp", "log", "log1p", "sqrt", "square", "tanh", "sin", "cos",
                "negative", "sign", "round", "floor", "ceil", "clip", "sort", "argsort", "flip",
                "fliplr", "flipud", "roll", "tril", "triu", "nan_to_num", "isnan", "isfinite", "expm1")

op(*(f"tensorflow.nn.{f}" for f in _ACTIVATIONS if f not in ("hard_sigmoid", "mish")),
   "tensorflow.nn.dropout", "tensorflow.nn.l2_normalize",
   *(f"tensorflow.math.{f}" for f in _MATH),
   *(f"tensorflow.{f}" for f in ("abs", "exp", "sqrt", "square", "sigmoid", "tanh", "round",
                                 "identity", "stop_gradient", "clip_by_value", "sign", "negative",
                                 "floor", "cumsum", "reverse", "sort", "argsort", "roll",
                                 "zeros_like", "ones_like")),
   "tensorflow.linalg.l2_normalize", "tensorflow.math.softmax", "tensorflow.math.log_softmax",
   "tensorflow.strings.as_string", "tensorflow.strings.to_number",
   *(f"keras.backend.{f}" for f in (*_BACKEND_UNARY, "zeros_like", "ones_like")))(
    _same(("x", "features", "logits", "input", "tensor", "t")))
op(*(f"keras.activations.{f}" for f in (*_ACTIVATIONS, "exponential", "linear")), "keras.random.dropout",
   *(f"keras.ops.{f}" for f in _KERAS_UNARY),
   *(f"keras.ops.nn.{f}" for f in _KERAS_NN),
   *(f"keras.ops.numpy.{f}" for f in _KERAS_UNARY if f not in _KERAS_NOT_NUMPY),
   *(f"numpy.{f}" for f in _NUMPY_UNARY))(_same(("x", "a")))
op("tensorflow.cast", "tensorflow.dtypes.cast", "keras.backend.cast")(
    _same(("x",), dtype_arg="dtype"))
op("keras.ops.cast")(_same(("x",), dtype_arg="dtype"))
op("keras.ops.zeros_like", "keras.ops.ones_like", "keras.ops.empty_like", "keras.ops.full_like",
   "numpy.zeros_like", "numpy.ones_like", "numpy.empty_like", "numpy.full_like")(_same(("x", "a")))


@op("keras.ops.cumsum", "keras.ops.cumprod", "numpy.cumsum", "numpy.cumprod")
def _cumsum(site):
    """``keras.ops`` / NumPy's cumulative sums flatten the tensor unless given an axis."""
    x = _input(_get(site, 0, "x", "a"))
    axis = _get(site, 1, "axis", default=None)
    if axis is None:
        return Tensor((dims.product(x.shape),), x.dtype)
    _axis(axis, len(x.shape), site.name.rsplit(".", 1)[-1], result=Tensor(x.shape, x.dtype))
    return Tensor(x.shape, x.dtype)


_BINARY_MATH = ("add", "subtract", "multiply", "divide", "truediv", "floordiv", "maximum", "minimum",
                "pow", "squared_difference", "equal", "not_equal", "greater", "greater_equal", "less",
                "less_equal", "logical_and", "logical_or", "mod", "floormod", "divide_no_nan",
                "atan2", "xdivy")
_BINARY_KERAS = ("add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "maximum",
                 "minimum", "power", "equal", "not_equal", "greater", "greater_equal", "less",
                 "less_equal", "logical_and", "logical_or", "mod", "divide_no_nan", "arctan2",
                 "hypot", "logaddexp")
_BINARY_NUMPY = ("add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "maximum",
                 "minimum", "power", "equal", "not_equal", "greater", "greater_equal", "less",
                 "less_equal", "logical_and", "logical_or", "mod", "arctan2", "hypot", "logaddexp")
_NOT_TOP_LEVEL = {"xdivy", "divide_no_nan", "floordiv", "floormod", "mod", "squared_difference"}
_COMPARISONS = {"equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
                "logical_and", "logical_or"}


@op(*(f"tensorflow.{f}" for f in _BINARY_MATH if f not in _NOT_TOP_LEVEL),
    *(f"tensorflow.math.{f}" for f in _BINARY_MATH),
    *(f"keras.backend.{f}" for f in ("maximum", "minimum", "pow", "equal", "not_equal", "greater",
                                     "greater_equal", "less", "less_equal")),
    *(f"keras.ops.{f}" for f in _BINARY_KERAS), *(f"keras.ops.numpy.{f}" for f in _BINARY_KERAS),
    *(f"numpy.{f}" for f in _BINARY_NUMPY))
def _elementwise(site):
    left = as_tensor(_get(site, 0, "x", "x1", "a"))
    right = as_tensor(_get(site, 1, "y", "x2", "b"))
    if left is None or right is None:
        raise Unknowable
    result = broadcast(left, right)
    if site.name.rsplit(".", 1)[-1] in _COMPARISONS:
        result.dtype = "bool"
    return result


@op("tensorflow.where", "keras.ops.where", "keras.ops.numpy.where", "numpy.where")
def _where(site):
    condition = _input(_get(site, 0, "condition"))
    x, y = _get(site, 1, "x", "x1", default=None), _get(site, 2, "y", "x2", default=None)
    if x is None and y is None:
        if site.name == "tensorflow.where":  # the coordinates of the true elements
            return Tensor((UNKNOWN, len(condition.shape)), "int64")
        if site.name == "numpy.where":  # their indices along each axis
            return tuple(Tensor((UNKNOWN,), "int64", numpy=True) for _ in condition.shape)
        raise Unknowable(UNKNOWN)
    a, b = _input(x), _input(y)
    return Tensor(broadcast_shapes(broadcast_shapes(condition.shape, a.shape), b.shape),
                  a.dtype or b.dtype)


@op("tensorflow.broadcast_to", "keras.ops.broadcast_to", "keras.ops.numpy.broadcast_to",
    "numpy.broadcast_to")
def _broadcast_to(site):
    x = _input(_get(site, 0, "input", "x", "array"))
    target = shape_arg(_get(site, 1, "shape"))
    if target is None:
        raise Unknowable
    if len(x.shape) > len(target) or any(
            _differ(a, b) and a != 1 for a, b in zip(reversed(x.shape), reversed(target))):
        raise ShapeError(_SHAPE_ERROR, f"cannot broadcast {format_shape(x.shape)} to "
                                       f"{format_shape(target)}")
    return Tensor(target, x.dtype)


@op("keras.ops.fft", "keras.ops.fft2", "keras.ops.ifft2")
def _fourier(site):
    """``fft2((real, imag))``: the (real, imag) pair of the transform, each of the input's shape."""
    pair = _get(site, 0, "x")
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
        raise Unknowable(UNKNOWN)
    real, imag = (_input(part) for part in pair)
    if real.shape != imag.shape:
        raise Unknowable(UNKNOWN)
    return Tensor(real.shape, real.dtype), Tensor(imag.shape, imag.dtype)
