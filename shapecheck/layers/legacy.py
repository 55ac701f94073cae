"""Keras 1 and Keras 2 spellings, as TensorFlow 2.21 (Keras 3) reads them.

Old code runs under Keras 3 semantics, so an old spelling either raises when the
layer is created (an argument Keras 3 does not take, a layer or module it no
longer has) or is read another way (``Conv2D(64, 3, 3)``: Keras 1's kernel rows
and columns become Keras 3's ``kernel_size=3, strides=3``).  This module holds
that knowledge as data, each entry checked against the installed Keras by
``tests/test_legacy_spellings.py``:

- ``KEYWORDS``: old keyword -> the Keras 3 argument and value to write.  Keras 3's
  ``Layer.__init__`` raises ``ValueError: Unrecognized keyword arguments`` for each
  (a missing required argument, ``Dense(output_dim=10)``, raises ``TypeError``
  first); ``LayerSpec.argument_problems`` turns them into SHP206 errors.
- ``ACCEPTED``: old keywords some Keras 3 layers still take from ``**kwargs``
  (LSTM's ``implementation``, Embedding's ``input_length``, LeakyReLU's ``alpha``):
  never an error; a warning where Keras 3 ignores or renames it.
- ``REMOVED_LAYERS`` / ``REMOVED_MODULES``: names Keras 3's ``keras.layers`` lacks
  (``Merge``, ``keras.layers.core``): importing or naming one raises.
- ``positional_reading``: how Keras 3 binds Keras 1's positional conv arguments.

Everything here is pure data and string building: no TensorFlow import.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from shapecheck.values import UNKNOWN

KERAS1 = "Keras 1"
KERAS2 = "Keras 2"
TF_KERAS2 = "tf.keras 2"


def render(value) -> str | None:
    """Python source for a literal value, or None when it is not one (unknown, a tensor)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        items = [render(v) for v in value]
        if any(item is None for item in items):
            return None
        if isinstance(value, list):
            return "[" + ", ".join(items) + "]"
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    return None


@dataclass(frozen=True)
class Spelling:
    """An old keyword and what Keras 3 calls it.

    ``new`` lists Keras 3 arguments; the first one the layer takes is the one to
    write (``init`` is ``kernel_initializer`` on Dense, ``embeddings_initializer``
    on Embedding).  ``layers`` limits the entry to some Keras 3 layers.  ``values``
    translates old values (``dim_ordering='tf'`` -> ``'channels_last'``); an old
    value listed in ``drop`` (or any value, when ``new`` is empty) has no Keras 3
    argument, and ``advice`` says what to do.  ``write`` builds the replacement
    text itself from the value and the layer's other arguments.
    """

    old: str
    new: tuple = ()
    era: str = KERAS1
    layers: tuple = ()
    values: tuple = ()  # ((old value, Keras 3 value), ...)
    drop: tuple = ()  # old values with no Keras 3 counterpart
    advice: str = ""
    write: Callable | None = None  # (value, config) -> "kernel_size=(3, 3)" or None

    def target(self, takes) -> str | None:
        """The Keras 3 argument to write for a layer taking the names ``takes``."""
        return next((name for name in self.new if name in takes), None)

    def applies(self, layer: str, takes) -> bool:
        if self.layers and layer not in self.layers:
            return False
        return not self.new or self.target(takes) is not None


def _kernel_from(parts: tuple) -> Callable:
    """Keras 1's per-axis kernel sizes (``nb_row``, ``nb_col``) as one ``kernel_size``."""
    def write(value, config):
        shown = [render(config[p]) if p in config and config[p] is not UNKNOWN else None
                 for p in parts]
        if any(s is None for s in shown):
            return "kernel_size=(" + ", ".join(parts) + ")"
        return "kernel_size=(" + ", ".join(shown) + ")"
    return write


def _input_shape_from_length(value, config):
    """Keras 1's ``input_length`` (with ``input_dim``) as one ``input_shape``."""
    length = render(value)
    dim = config.get("input_dim")
    features = render(dim) if dim is not None and dim is not UNKNOWN else None
    if length is None:
        return None
    if features is None:
        return (f"input_shape=({length}, <features>), or start the model with "
                f"keras.Input(shape=({length}, <features>))")
    return (f"input_shape=({length}, {features}) in place of input_length and input_dim, "
            f"or start the model with keras.Input(shape=({length}, {features}))")


def _input_shape_from_batch(value, config):
    """Keras 2's ``batch_input_shape`` as ``input_shape`` (a batch of None) or ``keras.Input``."""
    if not isinstance(value, (tuple, list)) or not value or render(value) is None:
        return None
    if value[0] is None:
        return f"input_shape={render(tuple(value[1:]))}"
    return f"keras.Input(batch_shape={render(tuple(value))}) as the model's first layer"


def _batch_size(value, config):
    shown = render(value)
    return None if shown is None else f"keras.Input(shape=..., batch_size={shown}) as the model's first layer"


_RECURRENT = ("LSTM", "GRU", "SimpleRNN")

# Old keyword -> its entries (the first that applies to the layer is used).
KEYWORDS: dict[str, tuple[Spelling, ...]] = {}


def _add(*spellings: Spelling) -> None:
    for spelling in spellings:
        KEYWORDS[spelling.old] = (*KEYWORDS.get(spelling.old, ()), spelling)


_add(
    # Convolutions and pooling (Keras 1).
    Spelling("border_mode", ("padding",), values=(("valid", "valid"), ("same", "same")),
             drop=("full",), advice="Keras 3 has no 'full' padding; pad with a ZeroPadding "
                                    "layer (kernel size - 1 on each side), then use padding='valid'"),
    Spelling("subsample", ("strides",)),
    Spelling("subsample_length", ("strides",)),
    Spelling("nb_filter", ("filters",)),
    Spelling("nb_row", ("kernel_size",), write=_kernel_from(("nb_row", "nb_col"))),
    Spelling("nb_col", ("kernel_size",), write=_kernel_from(("nb_row", "nb_col"))),
    Spelling("kernel_dim1", ("kernel_size",),
             write=_kernel_from(("kernel_dim1", "kernel_dim2", "kernel_dim3"))),
    Spelling("kernel_dim2", ("kernel_size",),
             write=_kernel_from(("kernel_dim1", "kernel_dim2", "kernel_dim3"))),
    Spelling("kernel_dim3", ("kernel_size",),
             write=_kernel_from(("kernel_dim1", "kernel_dim2", "kernel_dim3"))),
    Spelling("filter_length", ("kernel_size",)),
    Spelling("atrous_rate", ("dilation_rate",)),
    Spelling("pool_length", ("pool_size",)),
    Spelling("stride", ("strides",)),
    Spelling("output_shape", layers=("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"),
             advice="remove it (Keras 3 works out the output size; output_padding picks "
                    "among the sizes a stride allows)"),
    Spelling("dim_ordering", ("data_format",),
             values=(("tf", "channels_last"), ("th", "channels_first")), drop=("default",),
             advice="remove it (Keras 3 takes data_format from keras.json, "
                    "'channels_last' unless set there)"),
    # Weights (Keras 1).
    Spelling("init", ("kernel_initializer", "embeddings_initializer", "alpha_initializer",
                      "depthwise_initializer")),
    Spelling("inner_init", ("recurrent_initializer",)),
    Spelling("beta_init", ("beta_initializer",)),
    Spelling("gamma_init", ("gamma_initializer",)),
    Spelling("W_regularizer", ("kernel_regularizer", "embeddings_regularizer",
                               "depthwise_regularizer")),
    Spelling("b_regularizer", ("bias_regularizer",)),
    Spelling("U_regularizer", ("recurrent_regularizer",)),
    Spelling("W_constraint", ("kernel_constraint", "embeddings_constraint",
                              "depthwise_constraint")),
    Spelling("b_constraint", ("bias_constraint",)),
    Spelling("U_constraint", ("recurrent_constraint",)),
    Spelling("bias", ("use_bias",)),
    Spelling("output_dim", ("units",)),
    # Recurrent layers (Keras 1).
    Spelling("inner_activation", ("recurrent_activation",)),
    Spelling("dropout_W", ("dropout",)),
    Spelling("dropout_U", ("recurrent_dropout",)),
    Spelling("consume_less", advice="remove it (Keras 3 picks how the layer computes)"),
    Spelling("input_length", ("input_shape",), write=_input_shape_from_length),
    Spelling("implementation", layers=("SimpleRNN",), era=KERAS2,
             advice="remove it (Keras 3's SimpleRNN does not take it)"),
    Spelling("time_major", layers=_RECURRENT, era=TF_KERAS2,
             advice="remove it (Keras 3's recurrent layers take (batch, time, features)) "
                    "and transpose a time-major input with keras.ops.transpose"),
    # Dropout, noise, normalization, embeddings (Keras 1).
    Spelling("p", ("rate",)),
    Spelling("sigma", ("stddev",)),
    Spelling("mode", layers=("BatchNormalization",),
             advice="remove it (Keras 3 normalizes each feature over the batch, Keras 1's "
                    "mode=0); for mode=1 use LayerNormalization"),
    Spelling("dropout", layers=("Embedding",),
             advice="remove it and put a Dropout (or SpatialDropout1D) layer after the Embedding"),
    # Any layer (Keras 1 and 2's base Layer).
    Spelling("batch_input_shape", ("input_shape",), era=KERAS2, write=_input_shape_from_batch),
    Spelling("batch_size", era=KERAS2, write=_batch_size,
             advice="remove it and give the batch size to keras.Input(shape=..., batch_size=...)"),
    Spelling("weights", era=KERAS2,
             advice="remove it and call set_weights(...) on the layer once it is built"),
    Spelling("input_dtype", advice="remove it and give the dtype to keras.Input(shape=..., dtype=...)"),
    Spelling("dynamic", era=TF_KERAS2, advice="remove it (Keras 3 layers take no dynamic flag)"),
)


# (layer, old keyword) -> a warning, for old keywords Keras 3 still takes from **kwargs
# (None: taken and used as before, nothing to say).
ACCEPTED: dict[tuple[str, str], str | None] = {
    ("LSTM", "implementation"): None,
    ("GRU", "implementation"): None,
    ("Embedding", "input_length"): (
        "input_length={value} is Keras 2: Keras 3 ignores it (with a deprecation warning): "
        "remove it, and give the sequence length with keras.Input(shape=({value},))"),
    ("LeakyReLU", "alpha"): (
        "alpha={value} is Keras 2: Keras 3 still reads it as negative_slope, with a "
        "deprecation warning: write negative_slope={value}"),
}


def accepted(layer: str, keyword: str) -> bool:
    return (layer, keyword) in ACCEPTED


def accepted_warning(layer: str, keyword: str, value) -> str | None:
    """The warning for an old keyword Keras 3 still takes, or None."""
    template = ACCEPTED.get((layer, keyword))
    if template is None:
        return None
    return template.format(value=render(value) or "...")


def spelling(layer: str, keyword: str, takes) -> Spelling | None:
    """The entry for an old ``keyword`` given to ``layer`` (which takes ``takes``)."""
    return next((s for s in KEYWORDS.get(keyword, ()) if s.applies(layer, takes)), None)


def keyword_message(layer: str, keyword: str, config: dict, takes):
    """(What to write instead of the old ``keyword``, its fix), or None when it is not an old
    spelling. The fix is ``("keyword", name)`` (the same value under the new name),
    ``("argument", "name=value")``, or None (a message that involves other arguments)."""
    entry = spelling(layer, keyword, takes)
    if entry is None:
        return None
    value = config.get(keyword, UNKNOWN)
    shown = render(value) if value is not UNKNOWN else None
    head = f"{keyword}={shown}" if shown is not None else keyword
    target = entry.target(takes)
    if entry.write is not None:
        text = entry.write(value, config)
        if text is not None:
            return f"{head} is {entry.era}: write {text}", None
    if target is None or (isinstance(value, str) and value in entry.drop):
        return f"{head} is {entry.era}: {entry.advice}", None
    if entry.write is None and shown is not None:
        new_value = dict(entry.values).get(value, value) if isinstance(value, str) else value
        written = f"{target}={render(new_value)}"
        return f"{head} is {entry.era}: write {written}", ("argument", written)
    return f"{keyword}=... is {entry.era}: write {target}=... (the same value)", ("keyword", target)


def standing_for(layer: str, parameter: str, kwargs: dict, takes) -> str | None:
    """A note naming the old keywords in ``kwargs`` that stand for the Keras 3
    ``parameter`` ("nb_row, nb_col are its Keras 1 names"), or None."""
    found = [(keyword, entry.era) for keyword in kwargs
             for entry in [spelling(layer, keyword, takes)]
             if entry is not None and entry.target(takes) == parameter]
    if not found:
        return None
    names = ", ".join(keyword for keyword, _ in found)
    if len(found) == 1:
        return f"{names} is its {found[0][1]} name"
    return f"{names} are its {found[0][1]} names"


# ------------------------------------------------------------------ positional arguments

# Keras 3 layers whose constructor starts (filters, kernel_size, strides, padding, ...) and
# whose Keras 1 ancestor took the kernel as one positional argument per axis.
_PER_AXIS = {
    "Conv2D": ("nb_row", "nb_col"),
    "SeparableConv2D": ("nb_row", "nb_col"),
    "Conv3D": ("kernel_dim1", "kernel_dim2", "kernel_dim3"),
}
# Spellings of those classes that only Keras 1 code uses (Keras 2 wrote Conv2D, ...).
KERAS1_CLASS_NAMES = {"Convolution2D": "Conv2D", "SeparableConvolution2D": "SeparableConv2D",
                      "Convolution3D": "Conv3D"}


def _call_text(spelled: str, args) -> str:
    return f"{spelled}(" + ", ".join(render(a) or "..." for a in args) + ")"


def _tuple(values) -> str:
    return "(" + ", ".join(render(v) or "..." for v in values) + ")"


def positional_problem(layer: str, args, spelled: str | None = None) -> str | None:
    """Keras 1's ``Convolution3D(16, 3, 3, 3)`` or ``Convolution2D(32, 3, 3, 'he_normal')``:
    Keras 3 reads the extra positional arguments as ``strides`` and ``padding``, and a
    padding other than 'valid' or 'same' raises.  The message, or None when the call is
    not that pattern."""
    axes = _PER_AXIS.get(layer)
    if axes is None or len(args) < 4:
        return None
    padding = args[3]
    if padding is UNKNOWN or not isinstance(padding, (str, int, float)):
        return None
    if isinstance(padding, str) and difflib.get_close_matches(
            padding.lower(), ("valid", "same", "causal"), n=1):
        return None  # a valid padding, or a misspelt one (not Keras 1's init)
    kernel = _tuple(args[1:1 + len(axes)])
    reading = (f"Keras 3 reads {_call_text(spelled or layer, args[:4])} as kernel_size="
               f"{render(args[1])}, strides={render(args[2])}, padding={render(padding)}, and "
               f"padding must be 'valid' or 'same'; Keras 1's ({', '.join(axes)}) is "
               f"kernel_size={kernel}")
    if len(axes) == 2 and isinstance(padding, str):  # Keras 1's fourth argument was init
        return (f"{reading} and its fourth argument was init: write kernel_size={kernel}, "
                f"kernel_initializer={render(padding)}")
    return f"{reading}: write kernel_size={kernel}"


def positional_reading(layer: str, spelled: str, args) -> str | None:
    """A warning for ``Conv2D(64, 3, 3)``: Keras 3 binds the third positional argument to
    ``strides`` where Keras 1 meant the kernel's columns.  TensorFlow runs it (with that
    stride), so this is not an error.  None when the call is not that pattern: a tuple
    kernel or stride (Keras 2 code), a kernel and stride of 1 (both readings agree), or a
    ``Conv2D`` whose stride differs from its kernel (a stride is then likelier meant than
    a non-square Keras 1 kernel; spelled ``Convolution2D``, Keras 1's name, it is warned
    about all the same)."""
    axes = _PER_AXIS.get(layer)
    if axes is None or len(args) < 3 or positional_problem(layer, args, spelled) is not None:
        return None
    kernel, strides = args[1], args[2]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (kernel, strides)):
        return None
    if kernel == strides == 1:
        return None
    if KERAS1_CLASS_NAMES.get(spelled) != layer and kernel != strides:
        return None
    reading = (f"Keras 3 reads {_call_text(spelled, args[:3])} as kernel_size={kernel}, "
               f"strides={strides}")
    advice = f"or strides={strides} by keyword if the stride is meant"
    if len(axes) == 2:
        return (f"{reading}; Keras 1's (nb_row, nb_col) is kernel_size=({kernel}, {strides}): "
                f"write kernel_size=({kernel}, {strides}) for that kernel, {advice}")
    return (f"{reading}; Keras 1's ({', '.join(axes)}) are one kernel_size tuple: write "
            f"kernel_size=({kernel}, {strides}, ...) for that kernel, {advice}")


# ------------------------------------------------------------------ removed names

# Layer classes (and Keras 1's lowercase ``merge``) that neither ``keras.layers`` nor
# ``tf.keras.layers`` has in Keras 3, with what to use instead.
REMOVED_LAYERS: dict[str, str] = {
    "Merge": "use a merge layer: Concatenate(axis=...) for mode='concat', Add() for 'sum', "
             "Multiply() for 'mul', Average() for 'ave', Maximum() for 'max', Dot(axes=...) "
             "for 'dot' and 'cos'",
    "merge": "use the merge functions: concatenate([...]), add([...]), multiply([...]), "
             "average([...]), maximum([...]), dot([...], axes=...)",
    "Deconvolution2D": "use Conv2DTranspose(filters, kernel_size, strides=...), without output_shape",
    "Deconv2D": "use Conv2DTranspose(filters, kernel_size, strides=...), without output_shape",
    "Deconvolution3D": "use Conv3DTranspose(filters, kernel_size, strides=...), without output_shape",
    "Deconv3D": "use Conv3DTranspose(filters, kernel_size, strides=...), without output_shape",
    "AtrousConvolution1D": "use Conv1D(filters, kernel_size, dilation_rate=...)",
    "AtrousConv1D": "use Conv1D(filters, kernel_size, dilation_rate=...)",
    "AtrousConvolution2D": "use Conv2D(filters, kernel_size, dilation_rate=...)",
    "AtrousConv2D": "use Conv2D(filters, kernel_size, dilation_rate=...)",
    "LocallyConnected1D": "Keras 3 has no locally connected layer: write a custom layer, or "
                          "use Conv1D (which shares its weights across positions)",
    "LocallyConnected2D": "Keras 3 has no locally connected layer: write a custom layer, or "
                          "use Conv2D (which shares its weights across positions)",
    "CuDNNLSTM": "use LSTM: Keras 3 runs it with cuDNN on a GPU when it can",
    "CuDNNGRU": "use GRU: Keras 3 runs it with cuDNN on a GPU when it can",
    "TimeDistributedDense": "use Dense (it applies to the last axis), or TimeDistributed(Dense(...))",
    "MaxoutDense": "Keras 3 has no maxout layer: use Dense(units * k) and a max over groups of k",
    "Highway": "Keras 3 has no highway layer: write it as a custom layer",
    "SReLU": "Keras 3 has no SReLU layer: write it as a custom layer",
    "ParametricSoftplus": "Keras 3 has no ParametricSoftplus layer: write it as a custom layer",
    "ThresholdedLinear": "Keras 3 has no ThresholdedLinear layer: write it as a custom layer",
    "Recurrent": "subclass keras.layers.RNN (with a cell) instead",
    "ConvRecurrent2D": "use ConvLSTM2D, or keras.layers.RNN with a cell",
    "DenseFeatures": "feature columns are gone in Keras 3: use keras.utils.FeatureSpace or "
                     "preprocessing layers",
}

# Names only ``tf.keras.layers`` (keras._tf_keras) keeps; plain ``keras.layers`` lacks them.
TF_KERAS_ONLY: dict[str, str] = {
    "ThresholdedReLU": "use ReLU(threshold=...), or import it from tensorflow.keras.layers",
}

# Keras 2's submodules of keras.layers (``from keras.layers.core import Dense``), gone in
# Keras 3 under both ``keras.layers`` and ``tensorflow.keras.layers``.
REMOVED_MODULES = frozenset({
    "core", "convolutional", "pooling", "recurrent", "merge", "normalization", "embeddings",
    "advanced_activations", "wrappers", "noise", "local", "convolutional_recurrent",
    "cudnn_recurrent", "experimental",
})

# The module spellings of keras.layers whose removed names raise on import.
LAYER_MODULES = ("keras.layers", "tensorflow.keras.layers")


def removed_layer_message(name: str, module: str, plain_keras: bool = False) -> str | None:
    """Why importing or naming ``name`` from ``module`` raises in Keras 3, or None;
    ``plain_keras``: the module is certainly ``keras.layers``, not ``tf.keras.layers``."""
    advice = REMOVED_LAYERS.get(name)
    if advice is None and plain_keras:
        advice = TF_KERAS_ONLY.get(name)
    if advice is None:
        return None
    return f"Keras 3's {module} has no {name} (a Keras 1 or 2 name): {advice}"


# What plain Keras 3's keras.preprocessing modules still have (tf.keras keeps the Keras 2
# ones: ImageDataGenerator, Tokenizer, TimeseriesGenerator, ...), and where the others went.
PREPROCESSING_NAMES = {
    "keras.preprocessing": frozenset({"image", "sequence", "image_dataset_from_directory",
                                      "text_dataset_from_directory", "timeseries_dataset_from_array"}),
    "keras.preprocessing.image": frozenset({"array_to_img", "img_to_array", "load_img", "save_img",
                                            "smart_resize"}),
    "keras.preprocessing.sequence": frozenset({"pad_sequences"}),
}
_PREPROCESSING_INSTEAD = {
    "ImageDataGenerator": "keras.utils.image_dataset_from_directory with preprocessing layers",
    "TimeseriesGenerator": "keras.utils.timeseries_dataset_from_array",
    "text": "keras.layers.TextVectorization",
}


def removed_preprocessing_name(name: str, module: str) -> str | None:
    """Why ``from module import name`` raises ImportError for plain Keras 3's
    ``keras.preprocessing`` modules, else None."""
    if module not in PREPROCESSING_NAMES or name in PREPROCESSING_NAMES[module]:
        return None
    instead = _PREPROCESSING_INSTEAD.get(name)
    return (f"Keras 3's {module} has no {name} (a Keras 2 name): use "
            f"{instead + ', or ' if instead else ''}tf.keras.preprocessing, which keeps it")


def removed_module(dotted: str) -> str | None:
    """``keras.layers.core`` (a removed Keras 2 submodule) -> the message, else None."""
    if dotted == "keras.preprocessing.text" or dotted.startswith("keras.preprocessing.text."):
        return ("keras.preprocessing.text is a Keras 2 module that Keras 3 does not have: use "
                f"{_PREPROCESSING_INSTEAD['text']}, or tf.keras.preprocessing.text")
    for base in LAYER_MODULES:
        if dotted.startswith(base + "."):
            sub = dotted[len(base) + 1:].split(".")[0]
            if sub in REMOVED_MODULES:
                what = ("the preprocessing layers are in keras.layers itself, e.g. "
                        f"{base}.Rescaling" if sub == "experimental"
                        else f"import the layers from {base} itself")
                return f"{base}.{sub} is a Keras 2 module that Keras 3 does not have: {what}"
    return None


def removed_module_path(written: str, name: str) -> str | None:
    """``layers.experimental`` written in ``layers.experimental.preprocessing.Rescaling``
    (``name``): the message when it is a removed Keras 2 submodule, else None."""
    base, _, sub = written.rpartition(".")
    if sub not in REMOVED_MODULES:
        return None
    return (f"{written} is a Keras 2 module that Keras 3 does not have: write "
            f"{base}.{name}")


# What Keras 3's keras.backend still has (every other Keras 2 function raises AttributeError;
# tf.keras.backend keeps them).
KERAS3_BACKEND = frozenset({
    "backend", "clear_session", "epsilon", "floatx", "get_uid", "image_data_format",
    "is_float_dtype", "is_int_dtype", "is_keras_tensor", "result_type", "set_epsilon",
    "set_floatx", "set_image_data_format", "standardize_dtype"})
_OPS_FOR = {"int_shape": "keras.ops.shape", "l2_normalize": "keras.ops.normalize",
            "random_normal": "keras.random.normal", "random_uniform": "keras.random.uniform"}


def removed_backend_message(name: str, known) -> str | None:
    """``keras.backend.mean``, spelled through plain ``keras.backend``: why Keras 3 raises,
    or None; ``known(name)``: whether a ``keras.ops`` name exists (to suggest it)."""
    function = name[len("keras.backend."):] if name.startswith("keras.backend.") else None
    if not function or "." in function or function in KERAS3_BACKEND:
        return None
    instead = _OPS_FOR.get(function) or (f"keras.ops.{function}" if known(f"keras.ops.{function}") else None)
    advice = f"use {instead}" if instead else "use keras.ops (or tf.keras.backend, which keeps it)"
    return f"Keras 3's keras.backend has no {function} (a Keras 2 function): {advice}"


# ------------------------------------------------------------------ Keras 2 class aliases

# Keras 3 still has these Keras 2 names for modelled layers.
ALIASES = {"SeparableConvolution1D": "SeparableConv1D", "SeparableConvolution2D": "SeparableConv2D"}


def register_aliases(registry: dict) -> None:
    for alias, name in ALIASES.items():
        spec = registry.get(f"keras.layers.{name}")
        if spec is not None:
            registry.setdefault(f"keras.layers.{alias}", spec)
