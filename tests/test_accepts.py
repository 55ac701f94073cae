"""What a model with symbolic input dimensions accepts: derived statically, and confirmed
with TensorFlow (a size just inside runs, one just outside raises)."""

from __future__ import annotations

import pytest

from shapecheck.engine import check_source

LENET = """import keras
from keras import layers


class LeNet(keras.Model):
    def __init__(self):
        super().__init__()
        self.c1, self.p1 = layers.Conv2D(6, 5), layers.MaxPooling2D(2)
        self.c2, self.p2 = layers.Conv2D(16, 5), layers.MaxPooling2D(2)
        self.flat, self.out = layers.Flatten(), layers.Dense(10)

    def call(self, x):
        return self.out(self.flat(self.p2(self.c2(self.p1(self.c1(x))))))
"""
UNET = """import keras
from keras import layers


class UNet(keras.Model):
    def __init__(self):
        super().__init__()
        self.down, self.pool = layers.Conv2D(4, 3, padding="same"), layers.MaxPooling2D(2)
        self.inner, self.up = layers.Conv2D(8, 3, padding="same"), layers.UpSampling2D(2)
        self.join, self.out = layers.Concatenate(), layers.Conv2D(1, 1)

    def call(self, x):
        skip = self.down(x)
        return self.out(self.join([self.up(self.inner(self.pool(skip))), skip]))
"""
RESIDUAL = """import keras
from keras import layers


class Residual(keras.Model):
    def __init__(self):
        super().__init__()
        self.conv, self.add = layers.Conv1D(4, 3, strides=2, padding="same"), layers.Add()
        self.skip = layers.MaxPooling1D(2)

    def call(self, x):
        return self.add([self.conv(x), self.skip(x)])
"""
# source, model, what shapecheck says, (sizes that run, sizes that raise) as input shapes
CASES = [
    (LENET, "LeNet", ["H >= 16", "W >= 16"], [(16, 16, 1), (17, 40, 3)], [(15, 16, 1), (16, 15, 1)]),
    (UNET, "UNet", ["H >= 2", "H % 2 == 0", "W >= 2", "W % 2 == 0"], [(6, 8, 1), (2, 2, 3)],
     [(7, 8, 1), (6, 5, 1), (1, 2, 1)]),
    # (L + 1) // 2 against L // 2: equal for even lengths only; the channels added to 4
    (RESIDUAL, "Residual", ["L >= 2", "L % 2 == 0", "C == 4"], [(2, 4), (8, 4)],
     [(1, 4), (9, 4), (8, 3)]),
]


@pytest.mark.parametrize("source, name, conditions, runs, raises", CASES, ids=[c[1] for c in CASES])
def test_accepts_is_what_tensorflow_runs(source, name, conditions, runs, raises):
    (model,) = [m for m in check_source(source, "m.py").models if m.name == name]
    assert model.accepts == conditions
    keras = pytest.importorskip("keras")  # installed with the test extra (TensorFlow)
    namespace: dict = {}
    exec(compile(source, "m.py", "exec"), namespace)  # noqa: S102 (the test's own program)
    # Called on Keras's symbolic inputs, as a functional model is built (eager pooling to
    # an empty axis does not raise on every CPU).
    for shape in runs:
        namespace[name]()(keras.Input(shape))
    for shape in raises:
        with pytest.raises(ValueError):
            namespace[name]()(keras.Input(shape))


def test_no_claim_where_a_layer_is_not_modelled():
    source = LENET.replace("layers.Flatten()", "layers.Reshape((-1,))")
    (model,) = check_source(source, "m.py").models
    assert model.accepts is None
    (concrete,) = check_source(LENET + "y = LeNet()(keras.ops.zeros((1, 32, 32, 1)))\n", "m.py").models
    assert concrete.accepts is None
