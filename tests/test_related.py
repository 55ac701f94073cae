"""The second place a finding names: where the shape it is about is written, when that is
another line than the one TensorFlow raises at (``Diagnostic.related``)."""

import pytest

from shapecheck import check_source

HEAD = "import numpy as np\nimport tensorflow as tf\nimport keras\nfrom keras import layers\n"
CASES = {
    "a first layer's input_shape=": (
        "model = keras.Sequential([\n    layers.Conv2D(8, 3, input_shape=(28, 28)),\n])\n",
        5, [(6, "input_shape= makes the model's input (None, 28, 28)")]),
    "an Input's shape": (
        "inputs = keras.Input(shape=(28, 28))\nx = layers.Conv2D(8, 3)(inputs)\n",
        6, [(5, "Input(shape=...) makes the model's input (None, 28, 28)")]),
    "build()": (
        "model = keras.Sequential([layers.Conv2D(8, 3)])\nmodel.build(\n    (None, 28, 28))\n",
        6, [(7, "build() makes the model's input (None, 28, 28)")]),
    "the data and the model's input in fit": (
        "x = np.zeros((60, 28, 28))\ny = np.zeros((60,))\n"
        "model = keras.Sequential([keras.Input((784,)), layers.Dense(10)])\n"
        "model.compile('adam', 'mse')\nmodel.fit(x, y)\n",
        9, [(5, "x gets its shape (60, 28, 28) here"),
            (7, "Input(shape=...) makes the model's input (None, 784)")]),
    "the labels and the output layer of a loss": (
        "x = np.zeros((60, 8))\ny = np.random.randint(0, 3, size=(60,))\n"
        "model = keras.Sequential([keras.Input((8,)),\n    layers.Dense(3, activation='softmax')])\n"
        "model.compile('adam', 'categorical_crossentropy')\nmodel.fit(x, y)\n",
        10, [(6, "y gets its shape (60,) here"), (8, "Dense makes the model's output (None, 3)")]),
    "the two arrays of x and y": (
        "x = np.zeros((60, 8))\ny = np.zeros((50,))\n"
        "model = keras.Sequential([keras.Input((8,)), layers.Dense(1)])\n"
        "model.compile('adam', 'mse')\nmodel.fit(x, y)\n",
        9, [(5, "x gets its shape (60, 8) here"), (6, "y gets its shape (50,) here")]),
    "a weight add_weight makes": (
        "class Linear(layers.Layer):\n    def build(self, input_shape):\n"
        "        self.w = self.add_weight(shape=(32, 8))\n\n"
        "    def call(self, inputs):\n        return tf.matmul(inputs, self.w)\n\n\n"
        "out = Linear()(np.ones((4, 16), dtype='float32'))\n",
        10, [(7, "add_weight makes this weight (32, 8)")]),
    "arrays an operation joins": (
        "a = np.zeros((10, 3))\nb = np.zeros((12, 4))\nc = np.concatenate([a, b], axis=0)\n",
        7, [(5, "a gets its shape (10, 3) here"), (6, "b gets its shape (12, 4) here")]),
}


@pytest.mark.parametrize("case", CASES)
def test_a_finding_names_where_its_shapes_are_written(case):
    body, line, notes = CASES[case]
    report = check_source(HEAD + body, "m.py")
    (finding,) = [d for d in report.diagnostics if d.severity == "error"]
    assert finding.line == line
    assert [(note.line, note.message) for note in finding.related] == notes


def test_a_place_on_the_findings_line_or_inside_a_layer_call_is_not_named():
    """The Input on the finding's own line, and what ``call()`` assigns while it runs (each
    line of a block would name the one before), are no second place."""
    body = ("class Block(layers.Layer):\n    def call(self, x):\n        x = x[:, 0, 0]\n"
            "        return layers.Conv2D(4, 3)(x)\n\n\n"
            "out = layers.Conv2D(8, 3)(keras.Input((28, 28)))\n"
            "y = Block()(np.zeros((2, 5, 28, 28, 1), dtype='float32'))\n")
    report = check_source(HEAD + body, "m.py")
    findings = sorted((d.line, d.related) for d in report.diagnostics if d.severity == "error")
    assert findings == [(8, ()), (11, ())]
