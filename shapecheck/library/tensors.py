"""Tensors of TensorFlow, Keras and NumPy: shape arguments, conversion, slicing, broadcasting,
the ``matmul`` rule, and how a handler is registered (``op``), which also rejects a
KerasTensor given to a TensorFlow, legacy backend or NumPy function as Keras 3 does.
The operations themselves are in ``ops``, the functions that make tensors in ``creation``."""

from __future__ import annotations

import libcst as cst

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError
from shapecheck.library.pandas import Frame, to_array
from shapecheck.library.registry import function, method
from shapecheck.objects import Instance, Picture
from shapecheck.values import UNKNOWN, ApiRef, Items, Tensor, tensor_leaves


def _dim(value):
    """One element of a shape argument as a dim: an int, None, a symbolic size, else UNKNOWN."""
    if value is None or isinstance(value, dims.Expr):
        return value
    if isinstance(value, Tensor) and value.shape == () and value.contents is not None:
        return value.contents[0]  # tf.shape(x)[0]: x's size (None where it varies)
    return value if isinstance(value, int) and not isinstance(value, bool) else UNKNOWN


def shape_arg(value):
    """A shape argument (``(32, 28, 28, 3)``, ``[None, 10]``, ``5``, ``tf.shape(x)``) as a
    tuple of dims, or None when not even its length is known."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, Tensor) and value.contents is not None and value.shape is not None \
            and len(value.shape) == 1:
        return tuple(_dim(d) for d in value.contents)
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


# ------------------------------------------------------------------ registering


class Unknowable(Exception):
    """Raised by a handler that meets an argument it cannot know: the result is ``result``."""

    def __init__(self, result=None):
        super().__init__()
        self.result = Tensor(None) if result is None else result


# Functions of those libraries that do take a KerasTensor (they only read its shape).
_TAKE_KERAS_TENSORS = frozenset({"keras.backend.int_shape", "keras.backend.is_keras_tensor",
                                 "numpy.shape", "numpy.ndim"})


def in_layer_call(ev) -> bool:
    """True while a custom layer's or model's ``call()`` runs: Keras gives it TensorFlow
    tensors (placeholders in a traced graph), never KerasTensors."""
    return any(isinstance(record.layer, Instance) for record in ev.stack)


def keras_symbolic(site, *values) -> bool:
    """True when a tensor among ``values`` (all arguments when none given) is a KerasTensor
    here: ``keras.ops`` then follow Keras's own shape inference (``compute_output_spec``)
    rather than the backend's."""
    found = tensor_leaves(*values) if values else tensor_leaves(site.args, site.kwargs)
    return any(t.symbolic for t in found) and not in_layer_call(site.ev)


def _written(site) -> str:
    """The function as the call spells it (``tf.concat``, ``K.mean``)."""
    func = getattr(site.node, "func", None)
    if isinstance(func, cst.CSTNode):
        return cst.Module(body=[]).code_for_node(func)
    return site.name


# NumPy's scalar types, called as functions (np.float32(255)).
_NUMPY_SCALARS = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
                  "uint32", "uint64", "bool_", "complex64", "complex128")
# The keras.ops function to use instead of a TensorFlow, legacy backend or NumPy one, where
# its name differs (else the same name; a "keras." prefix is a whole name).
_KERAS_NAMES = {
    "concat": "concatenate", "truediv": "true_divide", "floordiv": "floor_divide", "pow": "power",
    "floormod": "mod", "atan2": "arctan2", "is_nan": "isnan", "is_finite": "isfinite",
    "clip_by_value": "clip", "reverse": "flip", "l2_normalize": "normalize",
    "squared_difference": "square", "xdivy": "divide", "permute_dimensions": "transpose",
    "batch_flatten": "reshape", "flatten": "ravel", "gather": "take", "embedding_lookup": "take",
    "repeat_elements": "repeat", "resize_images": "image.resize", "resize": "image.resize",
    "resize_with_pad": "image.resize", "resize_with_crop_or_pad": "image.crop_images",
    "temporal_padding": "pad", "spatial_2d_padding": "pad", "spatial_3d_padding": "pad",
    "matrix_transpose": "swapaxes", "adjoint": "swapaxes", "rank": "ndim", "constant": "convert_to_tensor",
    "array": "convert_to_tensor", "asarray": "convert_to_tensor", "Variable": "keras.Variable",
    "repeat": "repeat", "dropout": "keras.random.dropout", "mish": "keras.activations.mish",
    "variance": "var", "euclidean_norm": "norm", "extract_patches": "image.extract_patches",
    "as_string": "keras.layers.Lambda", "to_number": "keras.layers.Lambda",  # no keras.ops one
    # tf.image: a keras.ops function or a preprocessing layer
    "flip_left_right": "flip", "flip_up_down": "flip", "convert_image_dtype": "cast",
    "random_flip_left_right": "keras.layers.RandomFlip", "random_flip_up_down": "keras.layers.RandomFlip",
    "random_crop": "keras.layers.RandomCrop", "random_brightness": "keras.layers.RandomBrightness",
    "adjust_brightness": "keras.layers.RandomBrightness", "random_contrast": "keras.layers.RandomContrast",
    "adjust_contrast": "keras.layers.RandomContrast", "random_saturation": "keras.layers.RandomSaturation",
    "adjust_saturation": "keras.layers.RandomSaturation", "random_hue": "keras.layers.RandomHue",
    "adjust_hue": "keras.layers.RandomHue", "adjust_gamma": "keras.layers.Lambda",
    "per_image_standardization": "keras.layers.Lambda", "column_stack": "concatenate",
    **{name: "cast" for name in _NUMPY_SCALARS},
}


def keras_equivalent(name: str) -> str:
    """The ``keras.ops`` function that does what the library function ``name`` does."""
    if name.startswith("keras.backend.") and name.endswith(".repeat"):
        return "keras.layers.RepeatVector"  # K.repeat repeats a vector, not elements
    last = name.rsplit(".", 1)[-1]
    last = last[len("reduce_"):] if last.startswith("reduce_") else last
    found = _KERAS_NAMES.get(last, last)
    return found if found.startswith("keras.") else f"keras.ops.{found}"


def _reject_keras_tensors(site) -> None:
    """Raise where Keras 3 does: a KerasTensor of known rank given to a TensorFlow, legacy
    backend or NumPy function (one of unknown rank may be what an unmodelled call gave,
    which need not be a tensor at all: ``K.int_shape`` of a Keras without it)."""
    if site.name in _TAKE_KERAS_TENSORS or not site.name.startswith(
            ("tensorflow.", "keras.backend.", "numpy.")) or in_layer_call(site.ev) or not any(
            t.symbolic and t.shape is not None for t in tensor_leaves(site.args, site.kwargs)):
        return
    library = "NumPy" if site.name.startswith("numpy.") else "TensorFlow"
    raise ShapeError("keras-tensor-in-tf-function",
                     f"{_written(site)} gets a KerasTensor (from keras.Input or a layer applied to "
                     f"it), which Keras 3 does not let a {library} function take: use "
                     f"{keras_equivalent(site.name)}, or do this inside a Layer's call() / a "
                     f"Lambda layer")


# TensorFlow functions that take any Python object (a KerasTensor too) without converting it.
_TAKE_ANYTHING = ("tensorflow.nest.", "tensorflow.print", "tensorflow.function", "tensorflow.autograph.",
                  "tensorflow.is_tensor", "tensorflow.py_function", "tensorflow.numpy_function",
                  "tensorflow.debugging.", "tensorflow.summary.", "tensorflow.config.",
                  "tensorflow.saved_model.", "tensorflow.keras.", "tensorflow.Module")


def unmodelled_tf_rejects(ev, name: str, args, kwargs) -> str | None:
    """The message of the ValueError a TensorFlow function that shapecheck does not model
    raises on a KerasTensor (every function that converts its arguments does), else None."""
    if not name.startswith("tensorflow.") or name.startswith(_TAKE_ANYTHING) or in_layer_call(ev) \
            or not any(t.symbolic and t.shape is not None for t in tensor_leaves(args, kwargs)):
        return None
    return (f"tf.{name.removeprefix('tensorflow.')} gets a KerasTensor (from keras.Input or a layer "
            f"applied to it), which Keras 3 does not let a TensorFlow function take: use the "
            f"keras.ops function that does this, or do it inside a Layer's call() / a Lambda layer")


def op(*names: str):
    """Register a handler under ``names``. A TensorFlow, ``keras.backend`` or NumPy name
    given a KerasTensor raises as Keras 3 does; a handler's ``Unknowable`` gives its
    result. A handler never returns one of its inputs itself (the result is marked as a
    TensorFlow tensor or a NumPy array here)."""
    def register(handler):
        def guarded(site):
            _reject_keras_tensors(site)
            try:
                result = handler(site)
            except Unknowable as unknown:
                result = unknown.result
            if isinstance(result, Tensor) and not site.name.startswith("numpy."):
                result.numpy = False
            return result
        function(*names)(guarded)
        return handler
    return register


def _nested_shape(value):
    """The shape of nested lists of numbers or arrays, or None when unknown or ragged."""
    if isinstance(value, Tensor):
        return value.shape
    if isinstance(value, (bool, int, float, complex, str)):
        return ()
    if isinstance(value, Items):
        inner = _nested_shape(value.item)
        return None if inner is None else (UNKNOWN, *inner)
    if not isinstance(value, (list, tuple)):
        return None
    shapes = [_nested_shape(item) for item in value]
    if any(s is None for s in shapes) or len({len(s) for s in shapes}) > 1:
        return None
    inner = shapes[0] if shapes else ()
    if any(not _stackable(s, inner) for s in shapes):
        return None
    return (len(value), *inner)


def _stackable(a, b) -> bool:
    """Shapes known to be equal, but where both sizes vary at run time (None, as the batch
    of tensors in one traced graph): stacking keeps that None."""
    return len(a) == len(b) and all(x is None and y is None or isinstance(x, int) and x == y
                                    for x, y in zip(a, b))


_KEPT_VALUES = 64  # an array of at most this many integers keeps their values


def array(value):
    """``np.array`` / ``tf.constant`` of a value: nested lists of numbers or arrays, or an
    image."""
    if isinstance(value, Picture):
        return Tensor(*value.array())
    if isinstance(value, Frame):
        return to_array(value)
    if isinstance(value, (list, tuple)) and 0 < len(value) <= _KEPT_VALUES and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        return Tensor((len(value),), contents=tuple(value))  # a few integers: their values too
    shape = _nested_shape(value)
    if isinstance(value, Tensor):
        dtype = value.dtype
    else:  # a list of arrays of one dtype has it
        items = [value.item] if isinstance(value, Items) else \
            value if isinstance(value, (list, tuple)) and value else [None]
        dtypes = {t.dtype if isinstance(t, Tensor) else None for t in items}
        dtype = dtypes.pop() if len(dtypes) == 1 else None
    return Tensor(shape, dtype, texts=literal_texts(value) if shape is not None else None)


_KEPT_TEXTS = 10_000  # an array of at most this many literal strings keeps them


def literal_texts(value) -> tuple | None:
    """The strings of a (nested) list of them, or of an array that keeps them, else None."""
    if isinstance(value, Tensor):
        return value.texts
    if not isinstance(value, (list, tuple)) or not value:
        return None
    if all(isinstance(v, str) for v in value):
        return tuple(value) if len(value) <= _KEPT_TEXTS else None
    texts: list = []
    for item in value:  # (a list of numbers is given up at its first item)
        row = literal_texts(item)
        if row is None or len(texts) + len(row) > _KEPT_TEXTS:
            return None
        texts.extend(row)
    return tuple(texts)


def as_tensor(value):
    """An operand as a Tensor (a number or nested list becomes a constant one), else None."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, Frame):
        return to_array(value)
    shape = _nested_shape(value) if not isinstance(value, str) else None
    return Tensor(shape) if shape is not None else None


op("numpy.array")(lambda site: array(site.arg(0, "object")))
op("numpy.asarray")(lambda site: array(site.arg(0, "a")))
op("keras.ops.array", "keras.ops.convert_to_tensor")(lambda site: array(site.arg(0, "x")))
op("tensorflow.constant", "tensorflow.convert_to_tensor")(
    lambda site: array(site.arg(0, "value")))
op("tensorflow.Variable")(lambda site: array(site.arg(0, "initial_value")))


@op(*(f"numpy.{name}" for name in _NUMPY_SCALARS))
def _numpy_scalar(site):
    """``np.float32(255)``: a NumPy scalar of that type, as a 0-d array (an integer one keeps
    its value); of an array or a list, the array cast to it."""
    value, dtype = site.arg(0, "value", 0), site.name.rsplit(".", 1)[-1].rstrip("_")
    if isinstance(value, (bool, int, float)):
        whole = isinstance(value, int) and not isinstance(value, bool) and "int" in dtype
        return Tensor((), dtype, numpy=True, contents=(value,) if whole else None)
    found = as_tensor(value)
    return Tensor(None if found is None else found.shape, dtype, numpy=True)


@op("keras.backend.constant")
def _backend_constant(site):
    """The legacy ``tf.keras.backend.constant(value, dtype=None, shape=None)``: the value as
    a tensor of ``dtype`` (the float type by default)."""
    if site.arg(2, "shape", None) is not None:
        return Tensor(None)
    found = array(site.arg(0, "value"))
    dtype = site.arg(1, "dtype", None)
    return Tensor(found.shape, "float32" if dtype is None else dtype_of(dtype))


# ------------------------------------------------------------------ slicing


def slice_tensor(tensor: Tensor, index):
    """``tensor[index]`` with ints, slices, ``None`` / ``np.newaxis`` and ``...``."""
    if tensor.shape is None or index is UNKNOWN:
        return Tensor(None, tensor.dtype)
    plain = isinstance(index, int) or isinstance(index, slice) and all(
        b is None or isinstance(b, int) for b in (index.start, index.stop, index.step))
    if tensor.contents is not None and len(tensor.shape) == 1 and plain:
        if isinstance(index, slice):  # some sizes of tf.shape(x)
            picked = tensor.contents[index]
            return Tensor((len(picked),), tensor.dtype, contents=picked)
        if -len(tensor.contents) <= index < len(tensor.contents):  # one of them
            return Tensor((), tensor.dtype, contents=(tensor.contents[index],))
    if isinstance(index, Tensor):  # x[indices] (int arrays: their shape) or x[mask] (rows unknown)
        if index.shape is None or not tensor.shape:
            return Tensor(None, tensor.dtype)
        if index.dtype is not None and index.dtype.startswith(("int", "uint")):
            return Tensor((*index.shape, *tensor.shape[1:]), tensor.dtype, numpy=tensor.numpy)
        if len(index.shape) == 1:  # an int array or a boolean mask: one axis either way
            return Tensor((UNKNOWN, *tensor.shape[1:]), tensor.dtype, numpy=tensor.numpy)
        return Tensor(None, tensor.dtype)
    parts = list(index) if isinstance(index, tuple) else [index]
    parts = [None if p == ApiRef("numpy.newaxis") else p for p in parts]
    if tensor.dtype == "object" and any(isinstance(p, int) for p in parts):
        return Tensor(None)  # an item of an array of objects (a text's list of word indices)
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


# ------------------------------------------------------------------ broadcasting


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
    return Tensor(shape, tensors[0].dtype, numpy=all(t.numpy for t in tensors),
                  python=all(t.python for t in tensors))


# ------------------------------------------------------------------ matmul


def matmul_shape(left, right, numpy_rules=True, what="matmul") -> tuple:
    """``left @ right``: (..., n, k) @ (..., k, m) -> (..., n, m), the leading axes broadcast.
    NumPy's rules (``np.matmul``, ``keras.ops.matmul``, ``@`` on arrays and KerasTensors)
    also take a 1-D operand (a 1 added, then dropped); ``tf.matmul`` needs rank 2 or more."""
    left, right = list(left), list(right)
    if not numpy_rules and min(len(left), len(right)) < 2:
        raise ShapeError("incompatible-input",
                         f"{what} of {format_shape(tuple(left))} and {format_shape(tuple(right))}: "
                         f"tf.matmul needs both operands of rank 2 or more (use "
                         f"keras.ops.matmul or tf.linalg.matvec for a vector)")
    if not left or not right:
        raise Unknowable
    vector_left, vector_right = len(left) == 1, len(right) == 1
    a = [1, *left] if vector_left else left
    b = [*right, 1] if vector_right else right
    if isinstance(a[-1], int) and isinstance(b[-2], int) and a[-1] != b[-2]:
        raise ShapeError("incompatible-input",
                         f"{what} of {format_shape(tuple(left))} and {format_shape(tuple(right))}: "
                         f"the inner dimensions {a[-1]} and {b[-2]} must be equal: transpose an "
                         f"operand, or make the weight's first axis the input's last "
                         f"(shape=(input_shape[-1], units))")
    shape = [*broadcast_shapes(tuple(a[:-2]), tuple(b[:-2])), a[-2], b[-1]]
    if vector_left:
        del shape[-2]
    if vector_right:
        del shape[-1]
    return tuple(shape)


def binary(op_name: str, left, right):
    """A Python operator on tensors: ``@`` multiplies matrices, the others broadcast."""
    if op_name != "MatrixMultiply":
        return broadcast(left, right)
    a, b = as_tensor(left), as_tensor(right)
    if a is None or b is None or a.shape is None or b.shape is None:
        return Tensor(None)
    numpy_rules = a.numpy or b.numpy or a.symbolic or b.symbolic
    try:
        return Tensor(matmul_shape(a.shape, b.shape, numpy_rules, "@"), a.dtype,
                      numpy=a.numpy and b.numpy)
    except Unknowable:
        return Tensor(None)


# ------------------------------------------------------------------ methods


@method("tensor", "astype", "numpy", "copy")
def _convert(site):
    x = site.obj
    return Tensor(x.shape, dtype_of(site.args[0]) if site.args else x.dtype,
                  numpy=x.numpy or site.name == "numpy", classes=x.classes)
