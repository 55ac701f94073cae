"""Tensor operations (``shapecheck.library.ops``): what the TensorFlow agreement fixtures
cannot show. Every modelled name exists and takes its arguments where the handler reads
them; unknown arguments give unknown dims and no finding; and the cases where Keras's
own shape inference and TensorFlow's kernels differ."""

from __future__ import annotations

import inspect
import runpy
from pathlib import Path

import keras  # the test extra installs TensorFlow
import pytest

from shapecheck.engine import check_source
from shapecheck.library import creation, ops, tensors
from shapecheck.library.registry import FUNCTIONS
from shapecheck.values import UNKNOWN

OURS = sorted(name for name, handler in FUNCTIONS.items()
              if handler.__module__ in (tensors.__name__, creation.__name__)
              or handler.__module__.startswith(ops.__name__))


# The tool that writes signatures.json; its ``resolve`` finds the library object a
# canonical name stands for (None where there is none).
SIGNATURES_TOOL = runpy.run_path(str(Path(__file__).resolve().parents[1] / "tools" / "signatures_table.py"))
resolve = SIGNATURES_TOOL["resolve"]


@pytest.mark.parametrize("name", OURS)
def test_every_modelled_name_exists(name):
    assert callable(resolve(name))


# The names that reject a KerasTensor (SHP208), whose message names the keras.ops function.
REJECTING = [n for n in OURS if "guarded" in FUNCTIONS[n].__qualname__ and n.startswith(
    ("tensorflow.", "keras.backend.", "numpy.")) and n not in tensors._TAKE_KERAS_TENSORS]


@pytest.mark.parametrize("name", REJECTING)
def test_the_suggested_keras_function_exists(name):
    suggestion = tensors.keras_equivalent(name)
    obj = keras
    for part in suggestion.split(".")[1:]:
        obj = getattr(obj, part)
    assert callable(obj)


# Where each handler reads its positional arguments: the library's own parameter names.
POSITIONAL = {
    "tensorflow.concat": ["values", "axis"], "keras.ops.concatenate": ["xs", "axis"],
    "keras.backend.concatenate": ["tensors", "axis"], "tensorflow.stack": ["values", "axis"],
    "tensorflow.split": ["value", "num_or_size_splits", "axis"],
    "keras.ops.split": ["x", "indices_or_sections", "axis"], "tensorflow.unstack": ["value", "num", "axis"],
    "tensorflow.reshape": ["tensor", "shape"], "keras.ops.reshape": ["x", "newshape"],
    "tensorflow.transpose": ["a", "perm"], "keras.backend.permute_dimensions": ["x", "pattern"],
    "keras.ops.swapaxes": ["x", "axis1", "axis2"], "keras.ops.moveaxis": ["x", "source", "destination"],
    "tensorflow.expand_dims": ["input", "axis"], "keras.backend.expand_dims": ["x", "axis"],
    "tensorflow.squeeze": ["input", "axis"], "keras.backend.squeeze": ["x", "axis"],
    "tensorflow.reduce_mean": ["input_tensor", "axis", "keepdims"],
    "keras.ops.mean": ["x", "axis", "keepdims"], "keras.backend.mean": ["x", "axis", "keepdims"],
    "keras.ops.argmax": ["x", "axis", "keepdims"], "tensorflow.argmax": ["input", "axis"],
    "keras.backend.argmax": ["x", "axis"], "tensorflow.norm": ["tensor", "ord", "axis", "keepdims"],
    "keras.ops.norm": ["x", "ord", "axis", "keepdims"],
    "tensorflow.matmul": ["a", "b", "transpose_a", "transpose_b", "adjoint_a", "adjoint_b"],
    "keras.ops.matmul": ["x1", "x2"], "keras.backend.dot": ["x", "y"],
    "tensorflow.pad": ["tensor", "paddings"], "keras.ops.pad": ["x", "pad_width"],
    "keras.backend.spatial_2d_padding": ["x", "padding", "data_format"],
    "tensorflow.tile": ["input", "multiples"], "keras.ops.tile": ["x", "repeats"],
    "tensorflow.repeat": ["input", "repeats", "axis"], "keras.ops.repeat": ["x", "repeats", "axis"],
    "keras.backend.repeat_elements": ["x", "rep", "axis"], "keras.backend.repeat": ["x", "n"],
    "tensorflow.image.resize": ["images", "size", "method", "preserve_aspect_ratio"],
    "keras.ops.image.resize": ["images", "size"],
    "tensorflow.image.resize_with_crop_or_pad": ["image", "target_height", "target_width"],
    "keras.backend.resize_images": ["x", "height_factor", "width_factor", "data_format"],
    "tensorflow.one_hot": ["indices", "depth", "on_value", "off_value", "axis"],
    "keras.ops.one_hot": ["x", "num_classes", "axis"], "keras.backend.one_hot": ["indices", "num_classes"],
    "tensorflow.gather": ["params", "indices", "validate_indices", "axis", "batch_dims"],
    "keras.ops.take": ["x", "indices", "axis"], "keras.ops.take_along_axis": ["x", "indices", "axis"],
    "tensorflow.where": ["condition", "x", "y"], "keras.ops.where": ["condition", "x1", "x2"],
    "keras.ops.cumsum": ["x", "axis"], "tensorflow.broadcast_to": ["input", "shape"],
    "tensorflow.maximum": ["x", "y"], "keras.ops.maximum": ["x1", "x2"],
    "tensorflow.cast": ["x", "dtype"], "keras.ops.cast": ["x", "dtype"],
    "numpy.pad": ["array", "pad_width"], "numpy.split": ["ary", "indices_or_sections", "axis"],
    "numpy.take": ["a", "indices", "axis"], "numpy.repeat": ["a", "repeats", "axis"],
    "numpy.linalg.norm": ["x", "ord", "axis", "keepdims"],
}


@pytest.mark.parametrize("name", sorted(POSITIONAL))
def test_handlers_read_the_arguments_where_the_library_takes_them(name):
    assert name in OURS
    parameters = list(inspect.signature(resolve(name)).parameters)
    assert parameters[:len(POSITIONAL[name])] == POSITIONAL[name]


# ------------------------------------------------------------------ static edge cases


def analyse(body: str):
    """The tensors' shapes by name (the last assignment) and the findings' codes."""
    source = ("import os\nimport numpy as np\nimport tensorflow as tf\nimport keras\n"
              "from keras import ops\nfrom tensorflow.keras import backend as K\n"
              "N = int(os.environ['N'])\nB = bool(os.environ.get('B'))\n" + body)
    report = check_source(source, "ops_case.py")
    return {t.name: t.shape for t in report.tensors}, [d.code for d in report.diagnostics]


@pytest.mark.parametrize("body, name, shape", [
    # An unknown axis leaves the rank but no size (never None, never a guess).
    ("x = tf.zeros((2, 3, 4))\ny = tf.concat([x, x], axis=N)\n", "y", (UNKNOWN,) * 3),
    ("x = tf.zeros((2, 3, 4))\ny = tf.stack([x, x], axis=N)\n", "y", (UNKNOWN,) * 4),
    ("x = tf.zeros((2, 3, 4))\ny = tf.expand_dims(x, N)\n", "y", (UNKNOWN,) * 4),
    ("x = tf.zeros((2, 3, 4))\ny = tf.tile(x, [1, N, 2])\n", "y", (2, UNKNOWN, 8)),
    ("x = tf.zeros((2, 1, 4))\ny = tf.reduce_sum(x, axis=N, keepdims=True)\n", "y", (UNKNOWN, 1, UNKNOWN)),
    ("x = tf.zeros((2, 3, 4))\ny = tf.reshape(x, (N, -1))\n", "y", (UNKNOWN, UNKNOWN)),
    ("x = tf.zeros((2, 3, 4))\ny = tf.repeat(x, N, axis=1)\n", "y", (2, UNKNOWN, 4)),
    ("x = tf.zeros((2, 3, 4))\ny = tf.transpose(x, [0, N, 1])\n", "y", (UNKNOWN,) * 3),
    ("x = tf.zeros((2, 3, 4))\na, b = tf.split(x, 2, axis=N)\n", "a", (UNKNOWN,) * 3),
    # An unknown size stays unknown; a size the others must equal is kept.
    ("x = tf.zeros((N, 4))\ny = tf.concat([x, tf.zeros((3, 4))], axis=0)\n", "y", (UNKNOWN, 4)),
    ("x = tf.zeros((N, 4))\ny = tf.concat([x, tf.zeros((3, 4))], axis=1)\n", "y", (3, 8)),
    ("x = tf.zeros((N, 4))\ny = tf.reshape(x, (-1, 2))\n", "y", (UNKNOWN, 2)),
    # Keras's None stays None (it is a fact), in keras.ops on KerasTensors.
    ("x = keras.Input((4, 6))\ny = ops.reshape(x, (-1, 12))\n", "y", (None, 12)),
    ("x = keras.Input((4, 6))\ny = ops.concatenate([x, x], axis=0)\n", "y", (None, 4, 6)),
    ("x = keras.Input((4, 6))\na, b = ops.split(x, [1], axis=0)\n", "b", (None, 4, 6)),
    ("x = keras.Input((1, 6))\ny = ops.squeeze(x)\n", "y", (None, 6)),
    # Negative axes, lists of axes, keepdims.
    ("x = tf.zeros((2, 3, 4, 5))\ny = tf.reduce_max(x, axis=[-1, 1], keepdims=True)\n", "y", (2, 1, 4, 1)),
    ("x = tf.zeros((2, 3, 4, 5))\ny = ops.mean(x, axis=(-3, -2))\n", "y", (2, 5)),
    ("x = tf.zeros((2, 3, 4, 5))\ny = ops.argmax(x)\n", "y", ()),
    ("x = tf.zeros((2, 3, 4, 5))\ny = tf.argmax(x)\n", "y", (3, 4, 5)),
    ("x = tf.zeros((2, 3))\ny = K.argmax(x)\n", "y", (2,)),
    ("x = tf.zeros((2, 3))\ny = ops.expand_dims(x, (0, -1))\n", "y", (1, 2, 3, 1)),
    ("x = tf.zeros((2, 3))\ny = tf.expand_dims(x, -3)\n", "y", (1, 2, 3)),
    ("x = tf.zeros((5, 1))\ny = keras.utils.to_categorical(x, 3)\n", "y", (5, 3)),
    ("x = tf.zeros((2, 3))\ny = tf.one_hot(tf.zeros((2, 3), 'int32'), 4, axis=1)\n", "y", (2, 4, 3)),
    ("x = tf.zeros((2, 3, 4))\ny = tf.shape(x)\n", "y", (3,)),
    ("x = tf.zeros((2, 3, 4))\ny = tf.where(tf.greater(x, 0.0))\n", "y", (UNKNOWN, 3)),
])
def test_shapes(body, name, shape):
    shapes, codes = analyse(body)
    assert shapes[name] == shape
    assert codes == []


@pytest.mark.parametrize("body", [
    "x = tf.zeros((2, 3))\ny = tf.reduce_sum(x, axis=1, keepdims=B)\n",  # unknown keepdims
    "x = tf.zeros((2, 1, 3))\ny = tf.squeeze(x, axis=N)\n",
    "x = tf.zeros((N, 1, 3))\ny = tf.squeeze(x)\n",  # which axes are 1 decides the rank
    "x = tf.zeros((2, 3))\ny = tf.einsum(os.environ['E'], x, x)\n",
    "x = tf.zeros((2, 3))\ny = ops.where(tf.greater(x, 0.0))\n",  # a tuple of index tensors
])
def test_unknown_arguments_give_an_unknown_shape(body):
    shapes, codes = analyse(body)
    assert "y" not in shapes and codes == []


def test_split_into_an_unknown_number_of_pieces_is_unknown():
    shapes, codes = analyse("x = tf.zeros((6, 4))\na, b = tf.split(x, N)\n")
    assert "a" not in shapes and codes == []


def test_k_int_shape_reads_a_keras_tensor_without_a_finding():
    source = ("import keras\nfrom tensorflow.keras import backend as K\nx = keras.Input((4, 6))\n"
              "batch, steps, width = K.int_shape(x)\ny = keras.layers.Reshape((steps * width,))(x)\n")
    report = check_source(source, "int_shape.py")
    assert report.diagnostics == []
    assert {t.name: t.shape for t in report.tensors}["y"] == (None, 24)


@pytest.mark.parametrize("body, code", [
    # TensorFlow's einsum wants equal sizes of a label; NumPy also takes a 1.
    ("y = tf.einsum('ij,jk->ik', tf.zeros((2, 1)), tf.zeros((3, 4)))\n", "SHP101"),
    ("y = np.einsum('ij,jk->ik', np.zeros((2, 1)), np.zeros((3, 4)))\n", None),
    # Keras's own inference checks only the labels of the output (broadcast).
    ("x = keras.Input((3,))\ny = ops.einsum('bi,bj->bj', x, keras.Input((4,)))\n", None),
    ("x = keras.Input((3, 5))\ny = ops.einsum('bij,bkj->bik', x, keras.Input((2, 4)))\n", None),
    ("x = keras.Input((3, 5))\ny = ops.einsum('bij,bij->bij', x, keras.Input((3, 4)))\n", "SHP101"),
    ("x = tf.zeros((2, 3, 5))\ny = ops.einsum('bij,bkj->bik', x, tf.zeros((2, 2, 4)))\n", "SHP101"),
    # tf.matmul needs rank 2; keras.ops.matmul follows NumPy (a vector is fine).
    ("y = tf.matmul(tf.zeros((3,)), tf.zeros((3, 4)))\n", "SHP101"),
    ("y = ops.matmul(tf.zeros((3,)), tf.zeros((2, 3, 4)))\n", None),
    ("y = tf.matmul(tf.zeros((2, 3, 4)), tf.zeros((3, 4, 5)))\n", "SHP101"),  # batch 2 vs 3
    # Keras's inference refuses to squeeze a None axis; TensorFlow in a graph assumes 1.
    ("y = ops.squeeze(keras.Input((4,)), axis=0)\n", "SHP101"),
    ("y = tf.squeeze(tf.zeros((2, 3)), axis=1)\n", "SHP101"),
    # A split into sizes (tf) or at indices (keras.ops, NumPy).
    ("a, b = tf.split(tf.zeros((2, 10)), [3, 8], axis=1)\n", "SHP101"),
    ("a, b, c = ops.split(tf.zeros((2, 10)), [3, 8], axis=1)\n", None),
    ("y = tf.reshape(tf.zeros((2, 3)), (4, -1))\n", "SHP103"),
    ("y = tf.reshape(tf.zeros((2, 3)), (-1, -1))\n", "SHP103"),
    ("y = ops.reshape(keras.Input((5,)), (-1, 3))\n", None),  # None batch: Keras checks nothing
    ("y = tf.tile(tf.zeros((2, 3)), [2])\n", "SHP101"),
    ("y = ops.tile(tf.zeros((2, 3)), [2])\n", None),
    ("y = tf.pad(tf.zeros((2, 3)), [[1, 1]])\n", "SHP101"),
    ("y = tf.reduce_sum(tf.zeros((2, 3)), axis=2)\n", "SHP101"),
    ("y = tf.image.resize(tf.zeros((8, 8)), (4, 4))\n", "SHP101"),
    ("y = tf.gather(tf.zeros((5, 6)), [0, 1], axis=-3)\n", "SHP101"),
    ("y = tf.repeat(tf.zeros((2, 3)), [1, 2, 3], axis=0)\n", "SHP101"),
])
def test_where_the_library_raises(body, code):
    _, codes = analyse(body)
    assert codes == ([code] if code else [])


@pytest.mark.parametrize("body, raises", [
    ("y = tf.concat([keras.Input((4,)), keras.Input((2,))], axis=-1)\n", True),
    ("y = tf.reduce_mean(keras.Input((4,)), axis=-1)\n", True),
    ("y = K.mean(keras.Input((4,)), axis=-1)\n", True),
    ("y = np.mean(keras.Input((4,)))\n", True),
    ("y = tf.shape(keras.Input((4,)))\n", True),
    ("y = np.shape(keras.Input((4,)))\n", False),
    ("y = ops.concatenate([keras.Input((4,)), keras.Input((2,))], axis=-1)\n", False),
    ("y = tf.concat([tf.zeros((2, 4)), tf.zeros((2, 2))], axis=-1)\n", False),
    # inside a custom layer's call() the tensors are TensorFlow's, also on a keras.Input
    ("class L(keras.layers.Layer):\n    def call(self, x):\n        return helper(x)\n\n\n"
     "def helper(x):\n    return tf.nn.relu(tf.expand_dims(x, 1))\n\n\n"
     "y = L()(keras.Input((4,)))\n", False),
    # a plain function called on a keras.Input is not a call()
    ("def helper(x):\n    return tf.nn.relu(x)\n\n\ny = helper(keras.Input((4,)))\n", True),
])
def test_keras_tensors_in_tensorflow_functions(body, raises):
    _, codes = analyse(body)
    assert codes == (["SHP208"] if raises else [])


def test_matrix_multiply_operator():
    """``tensors.binary`` gives ``@`` its matmul rule (NumPy's for arrays and KerasTensors)."""
    from shapecheck.layers import ShapeError
    from shapecheck.values import Tensor

    assert tensors.binary("MatrixMultiply", Tensor((2, 3)), Tensor((5, 3, 4))).shape == (5, 2, 4)
    assert tensors.binary("MatrixMultiply", Tensor((3,), numpy=True),
                          Tensor((3, 4), numpy=True)).shape == (4,)
    assert tensors.binary("Add", Tensor((2, 3)), Tensor((3,))).shape == (2, 3)
    with pytest.raises(ShapeError):
        tensors.binary("MatrixMultiply", Tensor((3,)), Tensor((3, 4)))  # tf.matmul: rank 2
    with pytest.raises(ShapeError):
        tensors.binary("MatrixMultiply", Tensor((2, 3)), Tensor((4, 5)))


def test_the_signature_table_is_current():
    """``signatures.json`` is what ``tools/signatures_table.py`` reads from the installed
    libraries (run it after an upgrade)."""
    from shapecheck.library import signatures

    assert SIGNATURES_TOOL["table"]() == signatures._functions()


@pytest.mark.parametrize("call, keyword", [
    ("keras.ops.image.extract_patches(image=x, size=2)", "image"),
    ("tf.reduce_sum(x, axis=1, keep_dims=True)", "keep_dims"),
    ("np.concatenate([x, x], axs=0)", "axs"),
])
def test_a_keyword_the_function_does_not_take_raises_there(call, keyword):
    source = ("import numpy as np\nimport tensorflow as tf\nimport keras\n"
              f"x = np.zeros((1, 8, 8, 3))\ny = {call}\n")
    report = check_source(source, "ops_case.py")
    assert [(d.code, d.line) for d in report.diagnostics] == [("SHP206", 5)]
    assert repr(keyword) in report.diagnostics[0].message
    with pytest.raises(TypeError):
        exec(compile(source, "ops_case.py", "exec"), {})  # noqa: S102 - our own snippet


def test_python_max_of_class_labels_is_the_last_class():
    shapes, codes = analyse("(x, y), _ = keras.datasets.mnist.load_data()\nn = max(y) + 1\n"
                            "z = np.zeros((n, 3))\nw = np.zeros((max(y[:100]) + 1, 3))\n")
    assert shapes["z"] == (10, 3) and shapes["w"] == (UNKNOWN, 3) and codes == []


def test_the_keras_api_table_is_current():
    """``keras_api.json.gz`` is what ``tools/keras_api_table.py`` reads from the installed
    Keras (run it after an upgrade)."""
    from shapecheck.library import public_api

    tool = runpy.run_path(str(Path(__file__).resolve().parents[1] / "tools" / "keras_api_table.py"))
    assert {module: frozenset(names) for module, names in tool["table"]().items()} == public_api._modules()
