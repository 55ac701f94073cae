"""Tensor operations of TensorFlow, Keras and NumPy: creation, reshaping, slicing,
element-wise functions, reductions, ``matmul``, broadcasting."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError
from shapecheck.library.registry import function, method
from shapecheck.values import UNKNOWN, ApiRef, Tensor


def _dim(value):
    """One element of a shape argument as a dim: an int, None, a symbolic size, else UNKNOWN."""
    if value is None or isinstance(value, dims.Expr):
        return value
    return value if isinstance(value, int) and not isinstance(value, bool) else UNKNOWN


def shape_arg(value):
    """A shape argument (``(32, 28, 28, 3)``, ``[None, 10]``, ``5``) as a tuple of dims,
    or None when not even its length is known."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, (tuple, list)):
        return tuple(_dim(d) for d in value)
    return None


def tensor(shape, dtype=None):
    return Tensor(shape, dtype) if shape is not None else Tensor(None, dtype)


def dtype_of(value):
    if isinstance(value, str):
        return value
    if hasattr(value, "name") and isinstance(value.name, str):
        return value.name.rsplit(".", 1)[-1]
    return None


def _creation(site, shape_index=0, shape_name="shape", dtype_name="dtype"):
    return tensor(shape_arg(site.arg(shape_index, shape_name)), dtype_of(site.kwargs.get(dtype_name)))


function("tensorflow.random.normal", "tensorflow.random.uniform", "tensorflow.random.truncated_normal",
         "tensorflow.zeros", "tensorflow.ones", "keras.random.normal", "keras.random.uniform",
         "keras.ops.zeros", "keras.ops.ones", "numpy.zeros", "numpy.ones", "numpy.empty")(_creation)
function("numpy.random.random")(lambda site: _creation(site, 0, "size"))
function("numpy.random.normal", "numpy.random.uniform", "numpy.random.randint")(
    lambda site: _creation(site, 2, "size"))
function("numpy.random.rand", "numpy.random.randn")(lambda site: tensor(shape_arg(list(site.args))))


@function("numpy.expand_dims", "tensorflow.expand_dims")
def expand_dims(site):
    x, axis = site.arg(0, "x", site.arg(0, "input")), site.arg(1, "axis")
    if not isinstance(x, Tensor) or x.shape is None or not isinstance(axis, int):
        return Tensor(None)
    shape = list(x.shape)
    position = axis if axis >= 0 else len(shape) + 1 + axis
    shape.insert(position, 1)
    return Tensor(tuple(shape), x.dtype)


def reshape(x, target):
    """``tf.reshape`` / ``np.reshape``: the new shape, or a ShapeError when sizes differ."""
    target = shape_arg(target)
    if not isinstance(x, Tensor) or target is None:
        return Tensor(None)
    if x.shape is None:
        return Tensor(tuple(UNKNOWN if d == -1 else d for d in target), x.dtype)
    known = dims.product(d for d in target if d != -1)
    total = dims.product(x.shape)
    sizes_known = isinstance(known, int) and isinstance(total, int)
    if sizes_known and (total % known if -1 in target and known else total != known):
        raise ShapeError("reshape-size-mismatch",
                         f"cannot reshape {format_shape(x.shape)} ({total} values) into "
                         f"{format_shape(target)}: the sizes must match")
    if -1 in target:
        fill = total // known if sizes_known and known else UNKNOWN
        target = tuple(fill if d == -1 else d for d in target)
    return Tensor(target, x.dtype)


function("tensorflow.reshape")(lambda site: reshape(site.arg(0, "tensor"), site.arg(1, "shape")))
function("numpy.reshape")(
    lambda site: reshape(site.arg(0, "a"), site.arg(1, "newshape", site.kwargs.get("shape"))))


@function("tensorflow.matmul", "tensorflow.linalg.matmul", "keras.ops.matmul", "numpy.matmul")
def matmul(site):
    """``tf.matmul(a, b)``: (..., n, k) @ (..., k, m) -> (..., n, m)."""
    a, b = site.arg(0, "a"), site.arg(1, "b")
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)) or a.shape is None or b.shape is None:
        return Tensor(None)
    left, right = list(a.shape), list(b.shape)
    if len(left) < 2 or len(right) < 2:
        return Tensor(None)
    if site.kwargs.get("transpose_a") is True:
        left[-2:] = left[-1], left[-2]
    if site.kwargs.get("transpose_b") is True:
        right[-2:] = right[-1], right[-2]
    inner = (left[-1], right[-2])
    if all(isinstance(d, int) for d in inner) and inner[0] != inner[1]:
        raise ShapeError("incompatible-input",
                         f"matmul of {format_shape(a.shape)} and {format_shape(b.shape)}: the "
                         f"inner dimensions {inner[0]} and {inner[1]} must be equal")
    batch = left[:-2] if len(left) >= len(right) else right[:-2]
    return Tensor((*batch, left[-2], right[-1]), a.dtype)


def one_hot(indices, depth):
    if not isinstance(indices, Tensor) or indices.shape is None:
        return Tensor(None)
    return Tensor((*indices.shape, _dim(depth) if depth is not None else UNKNOWN), "float32")


function("tensorflow.one_hot")(lambda site: one_hot(site.arg(0, "indices"), site.arg(1, "depth")))
function("keras.utils.to_categorical")(lambda site: one_hot(site.arg(0, "x"), site.arg(1, "num_classes")))


def _nested_shape(value):
    """The shape of nested lists of numbers or arrays, or None when unknown or ragged."""
    if isinstance(value, Tensor):
        return value.shape
    if isinstance(value, (bool, int, float, complex, str)):
        return ()
    if not isinstance(value, (list, tuple)):
        return None
    shapes = [_nested_shape(item) for item in value]
    if any(s is None for s in shapes) or len({len(s) for s in shapes}) > 1:
        return None
    inner = shapes[0] if shapes else ()
    if any(not same_dims(s, inner) for s in shapes):
        return None
    return (len(value), *inner)


def same_dims(a, b) -> bool:
    """Two shapes that are known to be equal."""
    return len(a) == len(b) and all(isinstance(x, int) and x == y for x, y in zip(a, b))


def array(value):
    """``np.array`` / ``tf.constant`` of a value: nested lists of numbers or arrays."""
    shape = _nested_shape(value)
    dtype = value.dtype if isinstance(value, Tensor) else None
    return Tensor(shape, dtype)


function("numpy.array")(lambda site: array(site.arg(0, "object")))
function("numpy.asarray")(lambda site: array(site.arg(0, "a")))
function("tensorflow.constant", "tensorflow.convert_to_tensor")(lambda site: array(site.arg(0, "value")))
function("tensorflow.cast")(lambda site: array(site.arg(0, "x")))
function("tensorflow.Variable")(lambda site: array(site.arg(0, "initial_value")))


def slice_tensor(tensor: Tensor, index):
    """``tensor[index]`` with ints, slices, ``None`` / ``np.newaxis`` and ``...``."""
    if tensor.shape is None or index is UNKNOWN:
        return Tensor(None, tensor.dtype)
    parts = list(index) if isinstance(index, tuple) else [index]
    parts = [None if p == ApiRef("numpy.newaxis") else p for p in parts]
    if sum(p is Ellipsis for p in parts) > 1:
        return Tensor(None, tensor.dtype)
    consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
    if consumed > len(tensor.shape):
        return Tensor(None, tensor.dtype)
    if Ellipsis in parts:
        at = parts.index(Ellipsis)
        parts[at:at + 1] = [slice(None)] * (len(tensor.shape) - consumed)
    dims_left, shape = list(tensor.shape), []
    for part in parts:
        if part is None:
            shape.append(1)
            continue
        dim = dims_left.pop(0)
        if isinstance(part, slice):
            if part == slice(None):
                shape.append(dim)
            elif isinstance(dim, int) and all(
                    b is None or isinstance(b, int) for b in (part.start, part.stop, part.step)):
                shape.append(len(range(dim)[part]))
            else:  # as in Keras, slicing a None dim gives None
                shape.append(None if dim is None else UNKNOWN)
        elif not isinstance(part, int):
            return Tensor(None, tensor.dtype)
    return Tensor((*shape, *dims_left), tensor.dtype, numpy=tensor.numpy)


def _broadcast_dim(a, b):
    """One axis of two broadcast shapes, as Keras's ``broadcast_shapes`` (None meets k: k)."""
    if a == 1 or a is UNKNOWN and isinstance(b, int) and b != 1:
        return b
    if a is None:
        return None if b == 1 else b
    if b == 1 or b is None or b is UNKNOWN or a == b:
        return a
    if isinstance(a, int) and isinstance(b, int):
        raise ValueError
    return UNKNOWN


def broadcast_shapes(left: tuple, right: tuple) -> tuple:
    """The shape ``left`` and ``right`` broadcast to, or a ShapeError when they cannot."""
    rank = max(len(left), len(right))
    a, b = (1,) * (rank - len(left)) + tuple(left), (1,) * (rank - len(right)) + tuple(right)
    try:
        return tuple(_broadcast_dim(x, y) for x, y in zip(a, b))
    except ValueError:
        raise ShapeError("incompatible-input",
                         f"shapes {format_shape(left)} and {format_shape(right)} cannot be "
                         f"broadcast: each axis needs equal sizes or a 1 (reshape or expand one "
                         f"operand, e.g. x[:, None])") from None


def broadcast(left, right):
    """An element-wise operation of two tensors, or of a tensor and a number."""
    tensors = [v for v in (left, right) if isinstance(v, Tensor)]
    others = [v for v in (left, right) if not isinstance(v, Tensor)]
    if any(not isinstance(o, (int, float)) for o in others):
        return Tensor(None)
    if any(t.shape is None for t in tensors):
        return Tensor(None, tensors[0].dtype)
    shape = tensors[0].shape if len(tensors) == 1 else broadcast_shapes(*(t.shape for t in tensors))
    return Tensor(shape, tensors[0].dtype, numpy=all(t.numpy for t in tensors))


_ELEMENTWISE = (
    [f"tensorflow.nn.{f}" for f in ("relu", "relu6", "softmax", "log_softmax", "sigmoid", "tanh",
                                    "elu", "selu", "gelu", "leaky_relu", "silu", "swish",
                                    "dropout", "l2_normalize", "softplus")]
    + [f"tensorflow.math.{f}" for f in ("abs", "exp", "log", "sqrt", "square", "sigmoid", "tanh",
                                        "negative", "round", "floor", "ceil", "sign", "softplus",
                                        "l2_normalize")]
    + [f"tensorflow.{f}" for f in ("abs", "exp", "sqrt", "square", "sigmoid", "tanh", "round",
                                   "identity", "stop_gradient", "clip_by_value")]
    + [f"keras.activations.{f}" for f in ("relu", "softmax", "sigmoid", "tanh", "elu", "selu",
                                          "gelu", "swish", "silu", "softplus", "linear")]
    + [f"keras.ops.{f}" for f in ("relu", "softmax", "sigmoid", "tanh", "abs", "exp", "sqrt")]
    + [f"numpy.{f}" for f in ("abs", "exp", "log", "sqrt", "square", "tanh", "clip", "round")]
)


@function(*_ELEMENTWISE)
def same_shape(site):
    x = site.args[0] if site.args else next(iter(site.kwargs.values()), UNKNOWN)
    return Tensor(x.shape, x.dtype) if isinstance(x, Tensor) else UNKNOWN


def _reduction(default_axis):
    """``np.argmax`` / ``tf.reduce_mean`` and friends: drop (or keep) the reduced axes."""
    def reduce(site):
        kwargs = site.kwargs
        x = site.arg(0, "input_tensor", kwargs.get("x", kwargs.get("a", kwargs.get("input"))))
        axis = site.arg(1, "axis", default_axis)
        keep = kwargs.get("keepdims", kwargs.get("keep_dims", False))
        if not isinstance(x, Tensor) or x.shape is None or keep not in (True, False):
            return Tensor(None)
        rank = len(x.shape)
        if axis is None:
            axes = set(range(rank))
        elif isinstance(axis, int):
            axes = {axis % rank} if rank else set()
        elif isinstance(axis, (list, tuple)) and all(isinstance(a, int) for a in axis):
            axes = {a % rank for a in axis}
        else:
            return Tensor(None)
        shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape) if keep or i not in axes)
        return Tensor(shape)
    return reduce


function(*(f"tensorflow.{r}" for r in ("reduce_mean", "reduce_sum", "reduce_max", "reduce_min",
                                      "reduce_prod")),
         *(f"tensorflow.math.{r}" for r in ("reduce_mean", "reduce_sum", "reduce_max", "reduce_min")),
         *(f"numpy.{r}" for r in ("argmax", "argmin", "mean", "sum", "max", "min")))(_reduction(None))
function("tensorflow.argmax", "tensorflow.math.argmax", "tensorflow.argmin")(_reduction(0))


@function("tensorflow.range", "numpy.arange")
def arange(site):
    """``tf.range`` / ``np.arange``: a 1-D tensor of the range's length."""
    start, limit = site.arg(0, "start"), site.arg(1, "limit", None)
    bounds = (0, start) if limit is None else (start, limit)  # arange(n) counts from 0
    bounds += (site.arg(2, "delta", 1),)
    if not all(isinstance(b, int) for b in bounds) or bounds[2] == 0:
        return Tensor((UNKNOWN,))
    return Tensor((len(range(*bounds)),))


@method("tensor", "astype", "numpy", "copy")
def _convert(site):
    x = site.obj
    return Tensor(x.shape, dtype_of(site.args[0]) if site.args else x.dtype,
                  numpy=x.numpy or site.name == "numpy")


@method("tensor", "reshape")
def _reshape_method(site):
    return reshape(site.obj, site.args[0] if len(site.args) == 1 else list(site.args))
