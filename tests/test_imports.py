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
    ("import numpy as np\nimport tensorflow as tf\nkeras = tf.keras", "np.zeros", "keras.layers.Conv2D"),
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
    ("tensorflow.keras", "keras"),  # the module itself, held in a name: keras = tf.keras
    ("np", "numpy"),
])
def test_canonical_names(name, expected):
    assert canonical(name) == expected


# ------------------------------------------------ the quick way and libcst's scopes agree

TRICKY = [
    "import keras\nimport keras.layers\nx = keras.layers.Dense",  # `keras` bound twice
    "import a.b\nq = a.b.c\nr = a.x\ns = (\n  a.b.d\n)",
    "from . import sib\nfrom .pkg import thing as t\nfrom .. import up\ns = sib.f, t.g, up.h",
    "import keras as K\ndef f(K):\n    return K.layers\ny = K.layers.Dense",  # a parameter rebinds it
    "from keras import layers\nfor layers in []:\n    pass\nz = layers.Dense",
    "def f():\n    from keras import layers\n    return layers.Dense\nlayers = 1",
    "import keras\nobj.keras.layers\nf(keras=keras.ops)\nclass A(keras.Model, metaclass=M):\n    keras.x",
    "from keras import backend as K\nm = K.mean\nimport tensorflow.keras.backend as TK\nn = TK.mean",
    "import tensorflow as tf\ntry:\n    import keras\nexcept ImportError:\n"
    "    keras = tf.keras\nk = keras.layers",
    "import keras\n[keras for keras in range(3)]\nwith open(f) as keras:\n    pass\ny = keras.Model",
]


def _agree(source: str) -> None:
    from shapecheck.parse import parse
    from shapecheck.resolve import resolve

    wrapper = parse(source)
    quick, exact = resolve(wrapper), resolve(wrapper, exact=True)
    assert (quick.imported, quick.bindings, quick.plain_backend) == \
        (exact.imported, exact.bindings, exact.plain_backend)


@pytest.mark.parametrize("source", TRICKY)
def test_imports_resolve_as_libcsts_scopes_say(source):
    _agree(source)


def test_every_fixture_resolves_as_libcsts_scopes_say():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fixture_paths import FIXTURES, program_source

    for path in FIXTURES:
        _agree(program_source(path))
