"""SHP206, SHP207, SHP210: what a Keras layer is given: arguments it does not take (typos,
Keras 1/2 spellings, modules and backend functions Keras 3 dropped), lacks, or a name
another layer of its model has."""

from __future__ import annotations

import libcst as cst

from shapecheck.objects import BuiltinLayer, Instance
from shapecheck.rules.base import LAYER_IMPORTS, FactRule


class UnknownLayerArgument(FactRule):
    """A Keras layer gets a keyword or a value it does not take, or a Keras 1/2 spelling.

    Why: ``Conv2D(16, kernal_size=3)`` or ``padding='samee'`` raises only when
    the layer is built, and an activation name Keras does not know fails the
    same way; a typo costs a whole run.  Old Keras code runs under Keras 3:
    ``border_mode=``, ``nb_filter=``, ``output_dim=``, ``init=``, ``subsample=``, ...
    raise when the layer is created, and so does importing a layer, a name or a module
    Keras 3 dropped (``Merge``, ``keras.layers.core``, ``from keras.models import Input``,
    ``keras.utils.np_utils``: checked against Keras 3's public API) or calling a function that
    Keras 3's ``keras.backend`` dropped (``K.mean``; ``tf.keras.backend`` keeps them);
    a ``keras.ops``, ``tf`` or NumPy function given a keyword it does not take (an
    older Keras's ``extract_patches(image=...)``) raises TypeError, an optimizer given one
    (Keras 2's ``Adam(lr=1e-3)``) raises ValueError, as a Keras 2 ``keras.optimizers.legacy``
    optimizer and a file path Keras 3 does not save to do (``save_weights("w.h5")``, a
    ``ModelCheckpoint`` or ``save`` path without ``.keras``), and a model's Keras 2
    methods (``fit_generator``) are gone, ``add_weight`` takes no name first
    (``add_weight("w", shape)``), and TensorFlow 1's shape API fails on what Keras 3
    gives (``x.shape[-1].value``, a KerasTensor's ``shape.as_list()`` or ``get_shape()``).
    Other old spellings run with another meaning, a warning: ``Conv2D(64, 3, 3)`` is Keras 1's 3x3 kernel
    but Keras 3's ``kernel_size=3, strides=3``; ``Embedding(input_length=...)`` is
    ignored.

    Instead: use the argument names and values of the Keras 3 layer or function
    (the message suggests the closest one, or the Keras 3 spelling of an old one),
    and ``keras.ops`` for the backend functions.
    """

    code = "SHP206"
    claims_raise = True  # the errors; the warnings describe code that TensorFlow runs
    name = "unknown-layer-argument"
    fix = ("Write the Keras 3 spelling: a mistyped keyword or value that has one close match "
           "(`kernal_size=` becomes `kernel_size=`, `'samee'` becomes `'same'`), and a Keras 1/2 "
           "keyword with one Keras 3 equivalent (`border_mode='same'` becomes `padding='same'`, "
           "an optimizer's `lr=` becomes `learning_rate=`, a weights file `w.h5` becomes "
           "`w.weights.h5`).")
    fact_kind = "unknown-argument"
    VALID = [
        LAYER_IMPORTS + "c = Conv2D(16, kernel_size=3, padding='same', activation='relu')\n",
        LAYER_IMPORTS + "c = Conv2D(64, (3, 3), 2)\n"
                 "d = tf.keras.layers.Dense(10, input_dim=4)\n"
                 "r = tf.keras.layers.LSTM(8, implementation=2)\n"
                 "from tensorflow.keras.layers import Convolution2D, ThresholdedReLU\n",
        "import numpy as np\nfrom tensorflow.keras import backend as K\nfrom keras import backend as B\n"
        "m = K.mean(np.ones((2, 2)), axis=1) * B.epsilon()\n"
        "from keras.preprocessing.image import load_img, img_to_array\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n",
        "import os, sys\nimport tensorflow as tf\nif os.environ.get('TF_KERAS'):\n"
        "    sys.modules['keras'] = tf.keras\nimport keras.backend as K\nm = K.mean(tf.ones((2, 2)))\n",
        "import keras\np = keras.ops.image.extract_patches(images=keras.ops.zeros((1, 8, 8, 3)), size=2)\n",
        "import tensorflow as tf\nz = tf.zeros((2, 3))\nsizes = z.shape.as_list()\n",
        "import keras\nopt = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, decay=1e-6)\n",
        "from keras import Input, __version__\nfrom keras.constraints import MaxNorm\n"
        "from tensorflow.keras.losses import mse\nfrom keras.applications.resnet50 import ResNet50\n",
        "import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "m.save('model.keras')\nm.save_weights('model.weights.h5')\n"
        "c = keras.callbacks.ModelCheckpoint('w-{epoch}.weights.h5', save_weights_only=True)\n",
    ]
    INVALID = [
        LAYER_IMPORTS + "c = Conv2D(16, kernal_size=3)\n",
        LAYER_IMPORTS + "c = Conv2D(16, 3, padding='samee')\n",
        LAYER_IMPORTS + "c = Conv2D(16, 3, activation='rleu')\n",
        LAYER_IMPORTS + "c = Conv2D(64, 3, border_mode='same')\n",
        LAYER_IMPORTS + "d = tf.keras.layers.Dense(output_dim=10, init='uniform')\n",
        LAYER_IMPORTS + "c = Conv2D(64, 3, 3)\n",  # a warning: Keras 3 reads strides=3
        LAYER_IMPORTS + "c = tf.keras.layers.Conv3D(16, 3, 3, 3)\n",
        LAYER_IMPORTS + "from tensorflow.keras.layers import Merge\n",
        "from keras.layers.core import Dense\n",
        "from keras.preprocessing.image import ImageDataGenerator, load_img\n",
        "from keras.preprocessing.text import Tokenizer\n",
        LAYER_IMPORTS + "e = tf.keras.layers.Embedding(100, 8, input_length=10)\n",
        "import numpy as np\nfrom keras import backend as K\nm = K.mean(np.ones((2, 2)), axis=1)\n",
        "import keras\np = keras.ops.image.extract_patches(image=keras.ops.zeros((1, 8, 8, 3)), size=2)\n",
        "import keras\nimport numpy as np\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "m.compile(loss='mse')\nbatches = iter([(np.zeros((2, 4)), np.zeros((2, 1)))])\n"
        "m.fit_generator(batches, steps_per_epoch=1)\n",
        "import keras\nclass Scale(keras.layers.Layer):\n    def build(self, input_shape):\n"
        "        self.g = self.add_weight('g', shape=(input_shape[-1],))\n"
        "    def call(self, x):\n        return x * self.g\ny = Scale()(keras.Input((4,)))\n",
        "import keras\nx = keras.Input((8, 4))\nchannels = x.shape[-1].value\n",
        "import keras\nx = keras.Input((8, 4))\nsizes = x.shape.as_list()\n",
        "from tensorflow.keras.optimizers import Adam\nopt = Adam(lr=0.0002, beta_1=0.5)\n",
        "import tensorflow as tf\nopt = tf.keras.optimizers.legacy.Adam(learning_rate=1e-4)\n",
        "from keras.models import Input, Model\n",
        "from keras.utils.np_utils import to_categorical\n",
        "import keras\nm = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "m.save_weights('model.h5')\n",
        "import keras\nc = keras.callbacks.ModelCheckpoint('ckpt/model-{epoch}')\n",
    ]

    def check(self, analysis):
        yield from super().check(analysis)  # the errors the evaluator saw (TensorFlow raises)
        seen = set()
        for node, message, severity in [*self._old_imports(analysis), *self._old_layers(analysis)]:
            key = (analysis.position(node), message)
            if key not in seen:
                seen.add(key)
                yield self.diagnostic(analysis, node, message, severity=severity)

    @staticmethod
    def _old_imports(analysis):
        """Module-level imports of what Keras 3 dropped: (node, message, "error") each."""
        for found in analysis.evaluator.failing_imports.values():
            for statement, small, alias, message in found:
                # TensorFlow's traceback points to the statement's first line.
                here = alias is not None and analysis.line(alias) == analysis.line(statement)
                yield (alias if here else small), message, "error"

    @staticmethod
    def _old_layers(analysis):
        """Each Keras layer created from an old spelling: a removed class or module named
        through its module (``layers.Merge(...)``, ``layers.experimental.preprocessing``;
        an error, where that code runs) and what Keras 3 runs with another meaning
        (``Conv2D(64, 3, 3)``, ``Embedding(input_length=...)``; warnings)."""
        from shapecheck.layers import legacy
        from shapecheck.library.layers import keyword_node

        objects = analysis.evaluator.objects
        # Model classes the program never instantiates run speculatively, after the rest.
        speculative = next((i for i, obj in enumerate(objects)
                            if isinstance(obj, Instance) and isinstance(obj.node, cst.ClassDef)),
                           len(objects))
        imported = analysis.names.imported
        for index, layer in enumerate(objects):
            if not isinstance(layer, BuiltinLayer) or not isinstance(layer.node, cst.Call):
                continue
            call, func = layer.node, layer.node.func
            if isinstance(func, cst.Attribute) and func in imported and index < speculative:
                parts = cst.Module(body=[]).code_for_node(func).split(".")
                message = None
                if layer.spec is None:
                    message = legacy.removed_layer_message(parts[-1], ".".join(parts[:-1]))
                for at in range(len(parts) - 2):
                    if message is None and parts[at] == "layers":
                        message = legacy.removed_module_path(".".join(parts[:at + 2]), parts[-1])
                if message is not None:
                    yield call, message, "error"
            if layer.spec is None or any(arg.star for arg in call.args):
                continue
            positional = sum(1 for arg in call.args if arg.keyword is None)
            args = [layer.config.get(name) for name, _ in layer.spec.signature[:positional]]
            spelled = imported.get(func, layer.spec.name).rsplit(".", 1)[-1]
            for keyword, message in layer.spec.legacy_warnings(args, layer.config, spelled):
                yield (keyword_node(call, keyword) if keyword else call), message, "warning"


class MissingLayerArgument(FactRule):
    """A Keras layer is created without an argument that has no default.

    Why: Keras raises a TypeError when the layer is created; Keras 3 also
    dropped some defaults Keras 2 had (``AveragePooling2D()`` needs ``pool_size``).

    Instead: pass the argument.
    """

    code = "SHP207"
    claims_raise = True
    name = "missing-layer-argument"
    fact_kind = "missing-argument"
    VALID = [LAYER_IMPORTS + "from tensorflow.keras.layers import AveragePooling2D\n"
             "p = AveragePooling2D(pool_size=2)\n"]
    INVALID = [LAYER_IMPORTS + "from tensorflow.keras.layers import AveragePooling2D\n"
               "p = AveragePooling2D()\n",
               LAYER_IMPORTS + "c = Conv2D(kernel_size=3)\n"]


class DuplicateLayerName(FactRule):
    """Two layers of one model are given the same ``name=``.

    Why: Keras names each layer of a model uniquely so that ``get_layer``, saving and
    loading weights can find it: a ``Sequential`` raises "All layers added to a Sequential
    model should have unique names" when the second one is added, a functional model
    "The name ... is used 2 times in the model" when it is made. Copied blocks that keep
    ``name="conv"`` are the usual cause.

    Instead: give each layer its own name (``name=f"conv_{i}"`` in a loop), or leave
    ``name=`` out and let Keras number them.
    """

    code = "SHP210"
    claims_raise = True
    name = "duplicate-layer-name"
    fact_kind = "duplicate-layer-name"
    VALID = [LAYER_IMPORTS + "model = tf.keras.Sequential([tf.keras.layers.Dense(4, name='hidden'), "
             "tf.keras.layers.Dense(2, name='out')])\n"]
    INVALID = [LAYER_IMPORTS + "model = tf.keras.Sequential([tf.keras.layers.Dense(4, name='hidden'), "
               "tf.keras.layers.Dense(2, name='hidden')])\n",
               LAYER_IMPORTS + "x = tf.keras.Input((3,))\nh = tf.keras.layers.Dense(4, name='h')(x)\n"
               "model = tf.keras.Model(x, tf.keras.layers.Dense(2, name='h')(h))\n"]
