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


def layer(name, cls, line, input_shape, output_shape, params, layers=()):
    return {"name": name, "class": cls, "line": line, "input_shape": input_shape,
            "output_shape": output_shape, "params": params, "layers": list(layers)}


def tensor(line, column, name, shape):
    return {"line": line, "column": column, "name": name, "shape": shape}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("programs")
    paths = []
    for name, source in (("good.py", GOOD), ("raising.py", RAISING)):
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
    assert [Path(f["path"]).name for f in files] == ["good.py", "raising.py"]
    assert "output of the program itself" not in run.stdout
    assert "output of the program itself" in run.stderr


def test_sequential(files):
    seq = files[0]["models"][0]
    assert {k: v for k, v in seq.items() if k != "layers"} == {
        "name": "Sequential", "kind": "sequential", "class": "Sequential",
        "line": 5, "input_shape": [2, 8, 8, 1], "output_shape": [2, 10],
        "params": 40 + 1450}
    assert seq["layers"] == [
        layer("conv2d", "Conv2D", 6, [2, 8, 8, 1], [2, 6, 6, 4], 40),
        layer("flatten", "Flatten", 7, [2, 6, 6, 4], [2, 144], 0),
        layer("dense", "Dense", 8, [2, 144], [2, 10], 1450),
    ]


def test_subclass_model_with_custom_layer(files):
    models = files[0]["models"]
    assert len(models) == 2  # the second call of net is not another model
    net = models[1]
    assert {k: v for k, v in net.items() if k != "layers"} == {
        "name": "Net", "kind": "subclass", "class": "Net", "line": 25,
        "input_shape": [2, 10], "output_shape": [2, 3], "params": 55 + 18}
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
