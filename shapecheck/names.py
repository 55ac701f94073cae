"""Canonical names for the Keras / TensorFlow / NumPy API.

libcst's ``QualifiedNameProvider`` tells which module a name was imported
from; this module folds the many spellings of one object onto one name:
``tensorflow.keras.layers.Conv2D``, ``keras.src.layers.convolutional.conv2d.Conv2D``
and ``tf.keras.layers.Convolution2D`` all become ``keras.layers.Conv2D``.
"""

from __future__ import annotations

import functools

# Longest prefixes first: each maps an import family onto ``keras.`` etc.
_PREFIXES = (
    ("tensorflow.python.keras.", "keras."),
    ("tensorflow.keras.", "keras."),
    ("tensorflow.compat.v2.keras.", "keras."),
    ("tensorflow.compat.v1.keras.", "keras."),  # TensorFlow 2's tf.keras, under compat.v1 too
    ("keras.api._v2.keras.", "keras."),
    ("keras.src.", "keras."),
    ("keras.api.", "keras."),
    ("tf_keras.", "keras."),
    ("np.", "numpy."),
    ("tensorflow.experimental.numpy.", "numpy."),  # TensorFlow's NumPy API (tnp)
    ("tensorflow.compat.v1.app.flags.", "absl.flags."),
    ("tensorflow.compat.v1.flags.", "absl.flags."),
    ("tensorflow.app.flags.", "absl.flags."),
    ("tensorflow.flags.", "absl.flags."),
)

# Sub-packages whose members are known by their last component.
_FLAT_PACKAGES = ("keras.layers.", "keras.losses.", "keras.datasets.")

_TOP_LEVEL = {
    "Sequential": "keras.Sequential",
    "Model": "keras.Model",
    "Functional": "keras.Model",  # keras.src.models.functional.Functional(inputs, outputs)
    "Input": "keras.Input",
}

_ALIASES = {"keras.engine.base_layer.Layer": "keras.layers.Layer",
            # Python 2 compatibility names (six) for Python's own functions.
            **{f"six.moves.{name}": f"builtins.{name}" for name in ("range", "zip", "map", "filter",
                                                                    "input")},
            "six.moves.xrange": "builtins.range", "six.moves.reduce": "functools.reduce"}


@functools.cache
def canonical(name: str) -> str:
    """The one name shapecheck uses for the object ``name`` refers to."""
    for prefix, replacement in _PREFIXES:
        if name == prefix[:-1]:  # the module itself (keras = tf.keras)
            name = replacement[:-1]
            break
        if name.startswith(prefix):
            name = replacement + name[len(prefix):]
            break
    if name in _ALIASES:
        return _ALIASES[name]
    parts = name.split(".")
    if parts[0] == "keras" and parts[-1] in _TOP_LEVEL:
        return _TOP_LEVEL[parts[-1]]
    if parts[0] == "keras" and len(parts) > 2 and parts[-2] in _TOP_LEVEL:  # keras.Model.from_config
        return f"{_TOP_LEVEL[parts[-2]]}.{parts[-1]}"
    for package in _FLAT_PACKAGES:
        if name.startswith(package):
            rest = name[len(package):].split(".")
            if package == "keras.datasets.":
                # keras.datasets.mnist.load_data keeps its data set name.
                return package + ".".join(rest[-2:])
            return package + rest[-1]
    return name
