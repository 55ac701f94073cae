"""The TensorFlow recorder (shapecheck.verify.runner), run as a child process.

Slow-ish (~10 s): the child imports TensorFlow once for all the programs here.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

GOOD = '''\
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

seq = keras.Sequential([
    layers.Conv2D(4, 3),
    layers.Flatten(),
    layers.Dense(10),
])
x = tf.random.normal(shape=(2, 8, 8, 1))
y = seq(x)
print("output of the program itself")


class Block(layers.Layer):
    def __init__(self, units):
        super().__init__()
        self.dense = layers.Dense(units)

    def call(self, inputs):
        h = self.dense(inputs)
        return h


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.block = Block(5)
        self.head = layers.Dense(3)

    def call(self, inputs):
        h = self.block(inputs)
        h = self.head(h)
        return h


net = Net()
for _ in range(2):
    z = net(y)
(a, b), n = (tf.zeros((4, 1)), tf.ones(())), 7
'''

RAISING = '''\
import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([keras.layers.Dense(4)])
a = tf.zeros((3, 5))
b = model(a)
c = model()
d = tf.zeros((1,))
'''

GRAPHS = '''\
from tensorflow import keras
from tensorflow.keras import layers


class Twice(layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, inputs):
        return self.dense(inputs) * 2.0


img = keras.Input(shape=(8, 8, 3))
f = layers.Conv2D(4, 3)(img)
f = layers.GlobalAveragePooling2D()(f)
backbone = keras.Model(img, f, name="backbone")

aug = keras.Sequential([layers.Rescaling(0.5)], name="aug")
inputs = keras.Input(shape=(8, 8, 3))
x = aug(inputs)
x = backbone(x)
outputs = Twice()(x)
head = keras.Model(inputs, outputs, name="head")

mlp = keras.Sequential([layers.Dense(5, input_shape=(7,)), layers.Dense(3)], name="mlp")
built = keras.Sequential([layers.Dense(3)], name="built")
built.build((None, 9))
unbuilt = keras.Sequential([layers.Dense(3)], name="unbuilt")
'''

NESTED = '''\
from tensorflow import keras

a = keras.Input((3,))
inner = keras.Model(a, keras.layers.Dense(2)(a), name="inner")
outer = keras.Sequential([inner, keras.layers.Dense(1)], name="outer")
'''


def layer(name, cls, line, input_shape, output_shape, params, layers=()):
    return {"name": name, "class": cls, "line": line, "input_shape": input_shape,
            "output_shape": output_shape, "params": params, "layers": list(layers)}


def tensor(line, column, name, shape):
    return {"line": line, "column": column, "name": name, "shape": shape}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programs")
    paths = []
    for name, source in (("good.py", GOOD), ("raising.py", RAISING),
                         ("graphs.py", GRAPHS), ("nested.py", NESTED)):
        path = folder / name
        path.write_text(source, encoding="utf-8")
        paths.append(str(path))
    proc = subprocess.run(
        [sys.executable, "-m", "shapecheck.verify.runner", *paths],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def files(run):
    return json.loads(run.stdout)["files"]


def test_stdout_is_only_json_and_programs_print_to_stderr(run, files):
    assert [Path(f["path"]).name for f in files] == [
        "good.py", "raising.py", "graphs.py", "nested.py"]
    assert "output of the program itself" not in run.stdout
    assert "output of the program itself" in run.stderr


def test_sequential(files):
    seq = files[0]["models"][0]
    assert header(seq) == {
        "name": "Sequential", "kind": "sequential", "class": "Sequential",
        "line": 5, "input_shape": [2, 8, 8, 1], "output_shape": [2, 10],
        "params": 40 + 1450, "called": True}
    assert seq["layers"] == [
        layer("conv2d", "Conv2D", 6, [2, 8, 8, 1], [2, 6, 6, 4], 40),
        layer("flatten", "Flatten", 7, [2, 6, 6, 4], [2, 144], 0),
        layer("dense", "Dense", 8, [2, 144], [2, 10], 1450),
    ]


def test_subclass_model_with_custom_layer(files):
    models = files[0]["models"]
    assert len(models) == 2  # the second call of net is not another model
    net = models[1]
    assert header(net) == {
        "name": "Net", "kind": "subclass", "class": "Net", "line": 25,
        "input_shape": [2, 10], "output_shape": [2, 3], "params": 55 + 18,
        "called": True}
    assert net["layers"] == [
        layer("block", "Block", 28, [2, 10], [2, 5], 55, [
            layer("dense", "Dense", 18, [2, 10], [2, 5], 55)]),
        layer("head", "Dense", 29, [2, 5], [2, 3], 18),
    ]


def test_tensors(files):
    assert files[0]["error"] is None
    assert files[0]["tensors"] == [
        tensor(10, 1, "x", [2, 8, 8, 1]),
        tensor(11, 1, "y", [2, 10]),
        tensor(21, 9, "h", [2, 5]),   # Block.call, inside Net.call
        tensor(32, 9, "h", [2, 5]),
        tensor(33, 9, "h", [2, 3]),
        tensor(39, 5, "z", [2, 3]),   # recorded once for the two iterations
        tensor(40, 2, "a", [4, 1]),
        tensor(40, 5, "b", []),
    ]


def test_error_keeps_what_came_before(files):
    raising = files[1]
    assert raising["error"]["type"] == "TypeError"
    assert raising["error"]["line"] == 7
    assert raising["error"]["message"]
    [model] = raising["models"]
    assert (model["kind"], model["line"], model["input_shape"], model["output_shape"],
            model["params"]) == ("sequential", 4, [3, 5], [3, 4], 24)
    assert [t["name"] for t in raising["tensors"]] == ["a", "b"]


def header(model):
    """A model record without its layers and Keras's own inference (tested below)."""
    return {k: v for k, v in model.items() if k not in ("layers", "symbolic_output_shape")}


def test_called_models_carry_keras_shape_inference_for_the_same_input(files):
    models = [m for f in files for m in f["models"]]
    called = [m for m in models if m["called"] and m["output_shape"] is not None]
    assert called and all(m["symbolic_output_shape"] == m["output_shape"] for m in called)
    assert all(m["symbolic_output_shape"] is None for m in models if not m["called"])


BACKBONE_LAYERS = [
    layer("conv2d", "Conv2D", 15, [None, 8, 8, 3], [None, 6, 6, 4], 112),
    layer("global_average_pooling2d", "GlobalAveragePooling2D", 16,
          [None, 6, 6, 4], [None, 4], 0),
]


def test_models_called_on_symbolic_tensors_list_their_layers(files):
    """Keras only infers shapes when a functional model or a Sequential is
    applied to a keras.Input: the runner replays the graph to list the layers."""
    graphs = files[2]
    assert graphs["error"] is None
    aug, backbone = graphs["models"][:2]
    assert header(aug) == {
        "name": "aug", "kind": "sequential", "class": "Sequential", "line": 19,
        "input_shape": [None, 8, 8, 3], "output_shape": [None, 8, 8, 3],
        "params": 0, "called": True}
    assert aug["layers"] == [
        layer("rescaling", "Rescaling", 19, [None, 8, 8, 3], [None, 8, 8, 3], 0)]
    assert header(backbone) == {
        "name": "backbone", "kind": "functional", "class": "Functional", "line": 17,
        "input_shape": [None, 8, 8, 3], "output_shape": [None, 4],
        "params": 112, "called": True}
    assert backbone["layers"] == BACKBONE_LAYERS


def test_built_but_uncalled_models_follow_in_creation_order(files):
    # aug and backbone: called, listed first; unbuilt: neither built nor called
    assert [m["name"] for m in files[2]["models"]] == [
        "aug", "backbone", "head", "mlp", "built"]
    head, mlp, built = files[2]["models"][2:]
    assert header(head) == {
        "name": "head", "kind": "functional", "class": "Functional", "line": 24,
        "input_shape": [None, 8, 8, 3], "output_shape": [None, 2],
        "params": 112 + 10, "called": False}
    assert head["layers"] == [
        layer("aug", "Sequential", 19, [None, 8, 8, 3], [None, 8, 8, 3], 0, [
            layer("rescaling", "Rescaling", 19, [None, 8, 8, 3], [None, 8, 8, 3], 0)]),
        layer("backbone", "Functional", 17, [None, 8, 8, 3], [None, 4], 112,
              BACKBONE_LAYERS),
        layer("twice", "Twice", 23, [None, 4], [None, 2], 10, [
            layer("dense", "Dense", 8, [None, 4], [None, 2], 10)]),
    ]
    assert header(mlp) == {
        "name": "mlp", "kind": "sequential", "class": "Sequential", "line": 26,
        "input_shape": [None, 7], "output_shape": [None, 3], "params": 40 + 18,
        "called": False}
    assert mlp["layers"] == [
        layer("dense_1", "Dense", 26, [None, 7], [None, 5], 40),
        layer("dense_2", "Dense", 26, [None, 5], [None, 3], 18),
    ]
    assert header(built) == {
        "name": "built", "kind": "sequential", "class": "Sequential", "line": 27,
        "input_shape": [None, 9], "output_shape": [None, 3], "params": 30,
        "called": False}
    assert built["layers"] == [layer("dense_3", "Dense", 27, [None, 9], [None, 3], 30)]


def test_replaying_a_graph_probes_no_tensors(files):
    assert [(t["line"], t["name"]) for t in files[2]["tensors"]] == [
        (14, "img"), (15, "f"), (16, "f"), (20, "inputs"), (21, "x"), (22, "x"),
        (23, "outputs")]


def test_an_uncalled_model_inside_another_is_not_listed_twice(files):
    [outer] = files[3]["models"]
    assert header(outer) == {
        "name": "outer", "kind": "sequential", "class": "Sequential", "line": 5,
        "input_shape": [None, 3], "output_shape": [None, 1], "params": 8 + 3,
        "called": False}
    assert outer["layers"] == [
        layer("inner", "Functional", 4, [None, 3], [None, 2], 8, [
            layer("dense", "Dense", 4, [None, 3], [None, 2], 8)]),
        layer("dense_1", "Dense", 5, [None, 2], [None, 1], 3),
    ]
