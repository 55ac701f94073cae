"""Keras 1 and 2 spellings (``shapecheck.layers.legacy``) as TensorFlow 2.21's Keras 3
treats them: each table entry checked against the installed Keras, and SHP206's findings
(an error where Keras raises, a warning where it runs with another meaning)."""

from __future__ import annotations

import importlib
import inspect
import warnings

import pytest

from shapecheck.engine import check_source
from shapecheck.layers import BASE_KWARGS, INHERITED_KWARGS, REGISTRY, REQUIRED, legacy

SPECS = {spec.name: spec for spec in REGISTRY.values()}

# For each old keyword: a Keras 3 layer it is (wrongly) given to and an old value.
SAMPLES = {
    "border_mode": ("Conv2D", "same"), "subsample": ("Conv2D", (2, 2)),
    "subsample_length": ("Conv1D", 2), "nb_filter": ("Conv2D", 8), "nb_row": ("Conv2D", 3),
    "nb_col": ("Conv2D", 3), "kernel_dim1": ("Conv3D", 3), "kernel_dim2": ("Conv3D", 3),
    "kernel_dim3": ("Conv3D", 3), "filter_length": ("Conv1D", 3),
    "atrous_rate": ("Conv2D", (2, 2)), "pool_length": ("MaxPooling1D", 2),
    "stride": ("MaxPooling1D", 2), "output_shape": ("Conv2DTranspose", (None, 8, 8, 4)),
    "dim_ordering": ("MaxPooling2D", "th"), "init": ("Dense", "uniform"),
    "inner_init": ("LSTM", "orthogonal"), "beta_init": ("BatchNormalization", "zero"),
    "gamma_init": ("BatchNormalization", "one"), "W_regularizer": ("Dense", None),
    "b_regularizer": ("Dense", None), "U_regularizer": ("LSTM", None),
    "W_constraint": ("Embedding", None), "b_constraint": ("Dense", None),
    "U_constraint": ("GRU", None), "bias": ("Dense", False), "output_dim": ("Dense", 10),
    "inner_activation": ("LSTM", "hard_sigmoid"), "dropout_W": ("LSTM", 0.2),
    "dropout_U": ("GRU", 0.2), "consume_less": ("LSTM", "gpu"), "input_length": ("LSTM", 5),
    "implementation": ("SimpleRNN", 1), "time_major": ("LSTM", False), "p": ("Dropout", 0.5),
    "sigma": ("GaussianNoise", 0.1), "mode": ("BatchNormalization", 0),
    "dropout": ("Embedding", 0.1), "batch_input_shape": ("Dense", (None, 5)),
    "batch_size": ("Dense", 32), "weights": ("Dense", None), "input_dtype": ("Dense", "float32"),
    "dynamic": ("Dense", True),
}

# Values for the arguments a layer needs (a Keras layer object for the wrappers).
NEEDED = {"filters": 4, "kernel_size": 3, "units": 4, "rate": 0.5, "input_dim": 10,
          "output_dim": 4, "num_heads": 2, "key_dim": 4, "function": abs,
          "activation": "relu", "stddev": 0.1, "scale": 1.0, "axes": 1, "pool_size": 2,
          "factor": 0.1, "height_factor": 0.1, "width_factor": 0.1, "height": 4, "width": 4,
          "target_shape": (4,), "n": 2, "dims": (1,)}


def needed(spec, keras) -> dict:
    """The arguments without a default, for making the layer."""
    values = {}
    for name, default in spec.signature:
        if default is REQUIRED:
            values[name] = keras.layers.LSTM(2) if name == "layer" else NEEDED[name]
    return values


def problems(spec, kwargs):
    return list(spec.argument_problems([], kwargs))


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")  # installed with the test extra (TensorFlow)


def test_every_old_keyword_has_a_sample():
    assert set(SAMPLES) == set(legacy.KEYWORDS)


# ------------------------------------------------------------------ Keras 3 raises


@pytest.mark.parametrize("old", sorted(SAMPLES))
def test_keras_rejects_each_old_keyword(old, keras):
    layer, value = SAMPLES[old]
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        getattr(keras.layers, layer)(**needed(SPECS[layer], keras), **{old: value})


@pytest.mark.parametrize("old", sorted(SAMPLES))
def test_each_old_keyword_is_an_error_naming_what_to_write(old, keras):
    layer, value = SAMPLES[old]
    spec = SPECS[layer]
    found = [(keyword, kind, message) for keyword, kind, message, _
             in problems(spec, {**needed(spec, keras), old: value}) if keyword == old]
    assert [kind for _, kind, _ in found] == ["unknown-argument"]
    message = found[0][2]
    entry = legacy.spelling(layer, old, (*[n for n, _ in spec.signature], *BASE_KWARGS))
    assert message.startswith(old) and entry.era in message
    target = entry.target((*[n for n, _ in spec.signature], *BASE_KWARGS))
    assert (target in message) if target else ("remove it" in message or "keras.Input" in message)


@pytest.mark.parametrize("layer, kwargs, message", [
    ("Conv2D", {"filters": 8, "kernel_size": 3, "border_mode": "same"},
     "border_mode='same' is Keras 1: write padding='same'"),
    ("MaxPooling2D", {"dim_ordering": "th"},
     "dim_ordering='th' is Keras 1: write data_format='channels_first'"),
    ("MaxPooling2D", {"dim_ordering": "tf"},
     "dim_ordering='tf' is Keras 1: write data_format='channels_last'"),
    ("Conv2D", {"nb_filter": 8, "nb_row": 5, "nb_col": 3}, "write kernel_size=(5, 3)"),
    ("Conv2D", {"filters": 8, "kernel_size": 3, "border_mode": "full"}, "no 'full' padding"),
    ("Dense", {"output_dim": 10}, "output_dim=10 is Keras 1: write units=10"),
    ("Embedding", {"input_dim": 9, "output_dim": 4, "init": "uniform"},
     "write embeddings_initializer='uniform'"),
    ("LSTM", {"units": 4, "input_length": 5, "input_dim": 8}, "write input_shape=(5, 8)"),
    ("Dense", {"units": 4, "batch_input_shape": (None, 5)}, "write input_shape=(5,)"),
    ("Dropout", {"p": 0.25}, "p=0.25 is Keras 1: write rate=0.25"),
    ("Conv1D", {"filters": 8, "filter_length": 3, "subsample_length": 2},
     "filter_length=3 is Keras 1: write kernel_size=3"),
])
def test_old_keyword_messages(layer, kwargs, message):
    assert any(message in text for _, _, text, _ in problems(SPECS[layer], kwargs))


def test_a_missing_argument_names_its_old_spelling():
    (_, kind, message, _), = [p for p in problems(SPECS["Dense"], {"output_dim": 10})
                           if p[1] == "missing-argument"]
    assert "'units'" in message and "output_dim is its Keras 1 name" in message


# ------------------------------------------------------------------ Keras 3 accepts


@pytest.mark.parametrize("layer, keyword", sorted(legacy.ACCEPTED))
def test_old_keywords_keras_still_takes(layer, keyword, keras):
    spec, value = SPECS[layer], 2 if keyword == "implementation" else 0.1
    if keyword == "input_length":
        value = 5
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(keras.layers, layer)(**needed(spec, keras), **{keyword: value})
    deprecated = any("deprecated" in str(w.message) for w in caught)
    assert [p for p in problems(spec, {**needed(spec, keras), keyword: value})] == []
    # A warning where Keras 3 warns (and ignores or renames it), none where it just works.
    assert (legacy.accepted_warning(layer, keyword, value) is not None) == deprecated


def test_keyword_arguments_a_base_class_takes_are_accepted(keras):
    """Every keyword a layer's base-class ``__init__`` takes through ``**kwargs`` that
    Keras accepts is accepted (INHERITED_KWARGS or legacy.ACCEPTED); the ones the layer
    passes itself (``rank``, ``pool_mode``) raise and stay errors."""
    for name, spec in sorted(SPECS.items()):
        cls = getattr(keras.layers, name)
        own = {n for n, _ in spec.signature} | set(BASE_KWARGS) | set(spec.accepts)
        candidates = {}
        for klass in cls.__mro__[1:]:
            init = klass.__dict__.get("__init__")
            if init is None:
                continue
            for p in inspect.signature(init).parameters.values():
                if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD:
                    if p.name not in own and p.name != "self":
                        candidates.setdefault(p.name, None if p.default is p.empty else p.default)
        taken = set()
        for keyword, default in candidates.items():
            try:
                cls(**needed(spec, keras), **{keyword: default})
            except (TypeError, ValueError):
                continue
            taken.add(keyword)
        ours = set(INHERITED_KWARGS.get(name, ())) | {k for (n, k) in legacy.ACCEPTED if n == name}
        assert taken == ours & set(candidates), name
        assert all(spec.takes(keyword) for keyword in taken), name
        assert not any(spec.takes(keyword) for keyword in set(candidates) - taken), name


# ------------------------------------------------------------------ positional arguments


def test_keras3_reads_keras1_positional_kernel_as_strides(keras):
    conv = keras.layers.Conv2D(64, 3, 3)
    assert conv.kernel_size == (3, 3) and conv.strides == (3, 3)
    config = SPECS["Conv2D"].bind([64, 3, 3], {})
    assert (config["kernel_size"], config["strides"]) == (3, 3)


@pytest.mark.parametrize("layer, args", [("Conv3D", (16, 3, 3, 3)),
                                         ("Conv2D", (32, 3, 3, "he_normal"))])
def test_keras1_fourth_positional_argument_raises(layer, args, keras):
    with pytest.raises((AttributeError, ValueError)):
        getattr(keras.layers, layer)(*args)
    (keyword, kind, message, fix), = problems_of(layer, args)
    assert kind == "unknown-argument" and message.startswith("Keras 3 reads")


def problems_of(layer, args):
    return list(SPECS[layer].argument_problems(list(args), {}))


PROGRAM = """import tensorflow as tf
from tensorflow.keras import layers
a = layers.Conv2D(64, 3, 3)
b = layers.Convolution2D(64, 5, 2)
c = layers.Conv2D(64, 5, 2)
d = layers.Conv2D(64, (3, 3), 2)
e = layers.Conv2D(64, 1, 1)
f = layers.Conv2D(64, 3, border_mode='same')
g = layers.Embedding(100, 8, input_length=10)
h = layers.LeakyReLU(alpha=0.2)
i = layers.LSTM(8, implementation=1)
j = layers.SeparableConvolution2D(8, 3, 3)
"""


def test_findings_on_old_spellings():
    found = {(d.line, d.severity) for d in check_source(PROGRAM, "old.py").diagnostics
             if d.code == "SHP206"}
    assert found == {(3, "warning"), (4, "warning"), (8, "error"), (9, "warning"),
                     (10, "warning"), (12, "warning")}
    message = next(d.message for d in check_source(PROGRAM, "old.py").diagnostics if d.line == 3)
    assert message.startswith("Keras 3 reads Conv2D(64, 3, 3) as kernel_size=3, strides=3; "
                              "Keras 1's (nb_row, nb_col) is kernel_size=(3, 3)")


def test_shapes_follow_keras3_reading():
    source = ("import tensorflow as tf\nx = tf.zeros((1, 28, 28, 1))\n"
              "y = tf.keras.layers.Conv2D(8, 3, 3)(x)\n"
              "z = tf.keras.layers.SeparableConvolution2D(8, 3, 3, 'same')(x)\n")
    shapes = {t.name: tuple(t.shape) for t in check_source(source, "s.py").tensors}
    assert shapes["y"] == (1, 9, 9, 8) and shapes["z"] == (1, 10, 10, 8)


# ------------------------------------------------------------------ removed names


@pytest.mark.parametrize("name", sorted(legacy.REMOVED_LAYERS))
def test_removed_layers_are_gone(name, keras):
    import tensorflow as tf

    assert not hasattr(keras.layers, name) and not hasattr(tf.keras.layers, name)


@pytest.mark.parametrize("name", sorted(legacy.TF_KERAS_ONLY))
def test_names_only_tf_keras_keeps(name, keras):
    import tensorflow as tf

    assert not hasattr(keras.layers, name) and hasattr(tf.keras.layers, name)


@pytest.mark.parametrize("module", sorted(legacy.REMOVED_MODULES))
def test_removed_modules_are_gone(module, keras):
    for base in legacy.LAYER_MODULES:
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"{base}.{module}")


@pytest.mark.parametrize("alias, name", sorted(legacy.ALIASES.items()))
def test_aliases_keras3_kept(alias, name, keras):
    assert getattr(keras.layers, alias) is getattr(keras.layers, name)
    assert REGISTRY[f"keras.layers.{alias}"] is REGISTRY[f"keras.layers.{name}"]


@pytest.mark.parametrize("source, line", [
    ("from keras.layers import Dense, Merge\n", 1),
    ("from keras.layers import (\n    Dense,\n    Merge,\n)\n", 1),
    ("import keras\nfrom keras.layers.core import Dense\n", 2),
    ("import keras.layers.convolutional\n", 1),
    ("from tensorflow.keras.layers.experimental import preprocessing\n", 1),
    ("from keras.layers import ThresholdedReLU\n", 1),
    ("import keras\nm = keras.layers.Merge(mode='concat')\n", 2),
    ("import tensorflow as tf\nr = tf.keras.layers.experimental.preprocessing.Rescaling(0.5)\n", 2),
])
def test_removed_names_are_errors_where_tensorflow_raises(source, line):
    found = [(d.line, d.severity) for d in check_source(source, "m.py").diagnostics
             if d.code == "SHP206"]
    assert found == [(line, "error")]


@pytest.mark.parametrize("source", [
    "from tensorflow.keras.layers import ThresholdedReLU, Convolution2D, MaxPool2D\n",
    "try:\n    from keras.layers import Merge\nexcept ImportError:\n    Merge = None\n",
    "def old():\n    from keras.layers.core import Dense\n    return Dense\n",
    "import keras\n\n\nclass Old(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
    "        self.m = keras.layers.Merge(mode='sum')\n",
])
def test_removed_names_that_do_not_run_are_not_errors(source):
    assert [d for d in check_source(source, "m.py").diagnostics if d.code == "SHP206"] == []
