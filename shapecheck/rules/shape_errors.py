"""SHP1xx: inputs that Keras would reject when the model runs; SHP208: a KerasTensor given to
a TensorFlow function, which Keras 3 rejects as the graph is built; SHP209: a layer's
outputs unpacked into another number of names, which Python rejects."""

from shapecheck.rules.base import FactRule

_PRELUDE = "import tensorflow as tf\nfrom tensorflow.keras import layers\n"


class IncompatibleInput(FactRule):
    """A layer gets a tensor of a rank or size it cannot take.

    Why: Keras raises only when the model first runs, often after minutes of
    data loading; a ``Conv2D`` after a ``Flatten``, or one ``Dense`` object
    reused on inputs of another width, fails there, and so does a model whose
    ``input_shape=x.shape`` counts the samples of the very array it is fitted on.

    Instead: give the layer the input it expects (reshape, or a new layer object);
    declare the shape of one sample (``x.shape[1:]``).
    """

    code = "SHP101"
    claims_raise = True
    name = "incompatible-input"
    fact_kind = "incompatible-input"
    VALID = [_PRELUDE + "x = tf.zeros((8, 28, 28, 1))\ny = layers.Conv2D(4, 3)(x)\n",
             _PRELUDE + "import numpy as np\nx = np.random.rand(10, 8)\n"
             "m = tf.keras.Sequential([layers.Dense(2, input_shape=x.shape[1:])])\nm.predict(x)\n"]
    INVALID = [
        _PRELUDE + "x = tf.zeros((8, 784))\ny = layers.Conv2D(4, 3)(x)\n",
        _PRELUDE + "d = layers.Dense(4)\na = d(tf.zeros((2, 8)))\nb = d(tf.zeros((2, 9)))\n",
        _PRELUDE + "import numpy as np\nx = np.random.rand(10, 8)\n"
        "m = tf.keras.Sequential([layers.Dense(2, input_shape=x.shape)])\nm.predict(x)\n",
    ]


class NonPositiveDimension(FactRule):
    """A convolution or pooling shrinks a spatial dimension to 0 or below.

    Why: with ``padding='valid'`` every conv or pool takes ``kernel - 1``
    (or more, with strides) off each side; stacked deep enough, the feature
    map vanishes and Keras raises "Computed output size would be zero or negative".
    On concrete data (a tensor, not an ``Input``) pooling to an empty axis raises
    only where max pooling runs on oneDNN (TensorFlow's default on CPUs with
    AVX512_VNNI, AVX512_BF16 or AMX, or with ``TF_ENABLE_ONEDNN_OPTS=1``); elsewhere
    it gives an empty tensor, and shapecheck says what this machine's TensorFlow does.

    Instead: use ``padding='same'``, smaller kernels or strides, fewer poolings,
    or a larger input.
    """

    code = "SHP102"
    claims_raise = True
    name = "non-positive-dimension"
    fact_kind = "non-positive-dimension"
    VALID = [_PRELUDE + "x = tf.zeros((8, 5, 5, 1))\ny = layers.Conv2D(4, 5)(x)\n",
             _PRELUDE + "x = tf.zeros((8, 1, 1, 1))\ny = layers.AveragePooling2D(2)(x)\n"]
    INVALID = [
        _PRELUDE + "x = tf.zeros((8, 4, 4, 1))\ny = layers.Conv2D(4, 5)(x)\n",
        # Keras raises at 0 (on concrete data, pooling returns an empty axis instead and
        # raises only below 0).
        _PRELUDE + "x = tf.keras.Input((3, 3, 1))\ny = layers.MaxPooling2D(2)(x)\n"
        "z = layers.MaxPooling2D(2)(y)\n",
        _PRELUDE + "x = tf.zeros((8, 1, 1, 1))\ny = layers.MaxPooling2D(3, strides=1)(x)\n",
        _PRELUDE + "x = tf.zeros((8, 1, 1, 1))\ny = layers.AveragePooling2D(3, strides=1)(x)\n",
    ]


class ReshapeSizeMismatch(FactRule):
    """A ``Reshape`` target does not hold the same number of values as its input.

    Why: Keras raises "total size of the new array must be unchanged" when the
    model first runs; usually the target was computed for another input size
    or another stack of layers before it.

    Instead: make the product of ``target_shape`` equal the input's values per
    sample, or use ``-1`` for one axis.
    """

    code = "SHP103"
    claims_raise = True
    name = "reshape-size-mismatch"
    fact_kind = "reshape-size-mismatch"
    VALID = [_PRELUDE + "x = tf.zeros((8, 784))\ny = layers.Reshape((28, 28, 1))(x)\n"]
    INVALID = [_PRELUDE + "x = tf.zeros((8, 784))\ny = layers.Reshape((28, 28, 3))(x)\n"]


class OutputLabelMismatch(FactRule):
    """The labels do not fit the model's output under the loss used.

    Why: ``SparseCategoricalCrossentropy`` wants integer labels ``(N,)`` against
    scores ``(N, classes)``; ``CategoricalCrossentropy`` wants one-hot labels of
    the predictions' exact shape.  A classifier without ``Flatten`` (scores per
    pixel) or integer labels given to the categorical loss fail when the loss runs;
    so does a sparse label of 10 against 6 scores (labels of more classes than the
    model outputs), on the first batch that holds one.  A model of several outputs
    pairs a list of label arrays with its outputs in order: given in another order,
    each head's loss gets another head's labels.

    Instead: match labels and loss (one-hot with categorical, integers with
    sparse), and end the model in one score per class of the labels; give the label
    arrays in the order of the model's outputs.
    """

    code = "SHP104"
    claims_raise = True
    name = "output-label-mismatch"
    fact_kind = "output-label-mismatch"
    VALID = [_PRELUDE + "y = tf.zeros((8,), 'int32')\np = tf.zeros((8, 10))\n"
             "loss = tf.keras.losses.SparseCategoricalCrossentropy()(y, p)\n"]
    INVALID = [
        _PRELUDE + "y = tf.zeros((8,), 'int32')\np = tf.zeros((8, 26, 26, 10))\n"
        "loss = tf.keras.losses.SparseCategoricalCrossentropy()(y, p)\n",
        _PRELUDE + "y = tf.zeros((8, 1))\np = tf.zeros((8, 10))\n"
        "loss = tf.keras.losses.categorical_crossentropy(y, p)\n",
        _PRELUDE + "import numpy as np\nx = np.zeros((200, 4))\ny = np.random.randint(0, 10, 200)\n"
        "model = tf.keras.Sequential([tf.keras.Input((4,)), layers.Dense(6)])\n"
        "model.compile(loss='sparse_categorical_crossentropy')\nmodel.fit(x, y)\n",
        _PRELUDE + "import numpy as np\ninputs = tf.keras.Input((4,))\n"
        "model = tf.keras.Model(inputs, [layers.Dense(3, activation='softmax')(inputs), "
        "layers.Dense(2, activation='softmax')(inputs)])\n"
        "model.compile(loss='categorical_crossentropy')\n"
        "model.fit(np.zeros((8, 4)), [np.zeros((8, 2)), np.zeros((8, 3))])\n",
    ]


class DataCardinality(FactRule):
    """``fit`` or ``evaluate`` gets inputs and labels with different numbers of samples.

    Why: Keras pairs row ``i`` of x with row ``i`` of y; when the counts differ it raises
    "Data cardinality is ambiguous" before training starts, or only after the first epoch
    when it is ``validation_data`` that differs. The cause is usually a split or a slice
    applied to one array and not the other (``X[:800]`` with the whole ``y``), or labels
    made from another file.

    Instead: make x and y the same length: split them together
    (``train_test_split(X, y)``), or slice both the same way.
    """

    code = "SHP105"
    claims_raise = True
    name = "data-cardinality"
    fact_kind = "data-cardinality"
    VALID = [_PRELUDE + "import numpy as np\nmodel = tf.keras.Sequential([tf.keras.Input((4,)), "
             "layers.Dense(1)])\nmodel.compile(loss='mse')\n"
             "model.fit(np.zeros((10, 4)), np.zeros((10, 1)))\n"]
    INVALID = [
        _PRELUDE + "import numpy as np\nmodel = tf.keras.Sequential([tf.keras.Input((4,)), "
        "layers.Dense(1)])\nmodel.compile(loss='mse')\n"
        "model.fit(np.zeros((10, 4)), np.zeros((8, 1)))\n",
        _PRELUDE + "import numpy as np\nmodel = tf.keras.Sequential([tf.keras.Input((4,)), "
        "layers.Dense(1)])\nmodel.compile(loss='mse')\nx, y = np.zeros((10, 4)), np.zeros((10, 1))\n"
        "model.fit(x, y, validation_data=(x[:5], y[:4]))\n",
    ]


class KerasTensorInTfFunction(FactRule):
    """A TensorFlow, NumPy or legacy ``keras.backend`` function gets a KerasTensor.

    Why: ``keras.Input`` and the layers applied to it give KerasTensors, placeholders with
    a shape and a dtype but no values, from which Keras 3 builds a functional model out of
    Keras operations only. ``tf.concat``, ``tf.reduce_mean``, ``tf.nn.relu``, the legacy
    ``tf.keras.backend`` functions (``K.mean``, ``K.expand_dims``) and NumPy cannot take
    one: Keras raises "A KerasTensor cannot be used as input to a TensorFlow function" as
    the graph is built (Keras 2 wrapped such calls in a layer; code written for it breaks).

    Instead: use the ``keras.ops`` function (``keras.ops.concatenate``, ``keras.ops.mean``,
    ``keras.ops.expand_dims``, ...), which works on KerasTensors and on real tensors, or do
    the TensorFlow computation inside a Layer's ``call()`` or a ``Lambda`` layer, where the
    tensors are TensorFlow's own.
    """

    code = "SHP208"
    claims_raise = True
    name = "keras-tensor-in-tf-function"
    fact_kind = "keras-tensor-in-tf-function"
    VALID = [
        "import keras\nfrom keras import layers\nx = keras.Input((8,))\n"
        "y = keras.ops.concatenate([x, layers.Dense(4)(x)], axis=-1)\nmodel = keras.Model(x, y)\n",
        "import tensorflow as tf\nfrom tensorflow import keras\n\n"
        "class Join(keras.layers.Layer):\n    def call(self, a):\n"
        "        return tf.concat([a, tf.nn.relu(a)], axis=-1)\n\n"
        "x = keras.Input((8,))\nmodel = keras.Model(x, Join()(x))\n",
        "import tensorflow as tf\nx = tf.zeros((2, 8))\ny = tf.reduce_mean(x, axis=-1)\n",
        "import tensorflow as tf\nimport keras\nx = keras.Input((8,))\nparts = tf.nest.flatten([x, x])\n",
    ]
    INVALID = [
        "import tensorflow as tf\nfrom tensorflow import keras\nx = keras.Input((8,))\n"
        "y = tf.concat([x, keras.layers.Dense(4)(x)], axis=-1)\n",
        "import tensorflow as tf\nimport keras\nx = keras.Input((8,))\ny = tf.expand_dims(x, 1)\n",
        "import tensorflow as tf\nfrom tensorflow.keras import backend as K\nimport keras\n"
        "x = keras.Input((8,))\ny = K.mean(x, axis=-1)\n",
        "import tensorflow as tf\nimport keras\nx = keras.Input((8,))\n"
        "y = tf.random.categorical(keras.layers.Dense(3)(x), 1)\n",  # a function not modelled
    ]


class UnpackedOutputCount(FactRule):
    """A layer's outputs are unpacked into more or fewer names than it returns.

    Why: a recurrent layer with ``return_state=True`` returns its output and then its final
    states: an ``LSTM`` three tensors (output, h, c), a ``GRU`` or ``SimpleRNN`` two.
    ``output, state = LSTM(64, return_state=True)(x)`` (written for a GRU, or from memory)
    makes Python raise "too many values to unpack" as the model is built.

    Instead: take every tensor the layer returns (``output, h, c = ...`` for an LSTM), or
    ``output, *states = ...`` to keep the states as a list.
    """

    code = "SHP209"
    claims_raise = True
    name = "unpacked-output-count"
    fact_kind = "unpacked-output-count"
    VALID = [_PRELUDE + "x = tf.keras.Input((10, 4))\n"
             "output, h, c = layers.LSTM(8, return_state=True)(x)\n"]
    INVALID = [_PRELUDE + "x = tf.keras.Input((10, 4))\n"
               "output, state = layers.LSTM(8, return_state=True)(x)\n"]
