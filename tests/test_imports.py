"""Every import spelling of the Keras API resolves to the same layers."""

from __future__ import annotations

import pytest

from shapecheck.engine import check_source
from shapecheck.names import canonical

BODY = """
x = {zeros}((8, 28, 28, 3))
y = {conv}(4, 3)(x)
"""

SPELLINGS = [
    ("import tensorflow as tf", "tf.zeros", "tf.keras.layers.Conv2D"),
    ("import tensorflow as tf\nfrom tensorflow.keras.layers import Conv2D", "tf.zeros", "Conv2D"),
    ("import tensorflow as tf\nfrom tensorflow.keras import layers", "tf.zeros", "layers.Conv2D"),
    ("import tensorflow as tf\nfrom tensorflow import keras", "tf.zeros", "keras.layers.Conv2D"),
    ("import numpy as np\nfrom keras import layers", "np.zeros", "layers.Conv2D"),
    ("import numpy as np\nimport keras", "np.zeros", "keras.layers.Conv2D"),
    ("import numpy\nfrom keras import layers as L", "numpy.zeros", "L.Convolution2D"),
    ("import numpy as np\nfrom tensorflow.keras.layers import Conv2D as C", "np.zeros", "C"),
    ("import numpy as np\nimport tensorflow.keras.layers as KL", "np.zeros", "KL.Conv2D"),
]


@pytest.mark.parametrize("imports, zeros, conv", SPELLINGS)
def test_import_spellings_give_the_same_shapes(imports, zeros, conv):
    report = check_source(imports + BODY.format(zeros=zeros, conv=conv), "m.py")
    assert [(t.name, t.shape) for t in report.tensors] == [
        ("x", (8, 28, 28, 3)), ("y", (8, 26, 26, 4))]


@pytest.mark.parametrize("name, expected", [
    ("tensorflow.keras.layers.Conv2D", "keras.layers.Conv2D"),
    ("keras.src.layers.convolutional.conv2d.Conv2D", "keras.layers.Conv2D"),
    ("tensorflow.keras.models.Sequential", "keras.Sequential"),
    ("keras.models.Model", "keras.Model"),
    ("tensorflow.keras.layers.Input", "keras.Input"),
    ("tensorflow.keras.datasets.mnist.load_data", "keras.datasets.mnist.load_data"),
    ("tensorflow.random.normal", "tensorflow.random.normal"),
])
def test_canonical_names(name, expected):
    assert canonical(name) == expected
