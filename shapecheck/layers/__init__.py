"""Keras layer shape rules, registered by canonical name.

Each family module (``core``, ``conv``, ``pooling``, ...) declares
``LayerSpec`` records: the constructor's signature, a pure function
``output(config, shape) -> shape`` that raises ``ShapeError`` where Keras
would reject the input, and ``weights(config, shape) -> [shape, ...]``, the
shapes of the weights Keras builds (``get_weights()``; their sizes add up to
the parameter count).  Shapes
are tuples of dims (see ``shapecheck.dims``); a config value the evaluator
could not know is ``UNKNOWN``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from shapecheck.layers import legacy
from shapecheck.values import UNKNOWN

REQUIRED = object()  # marks a constructor parameter without a default

# Keyword arguments every Keras 3 layer takes (``keras.layers.Layer.__init__``).
BASE_KWARGS = ("name", "dtype", "trainable", "autocast", "activity_regularizer",
               "input_shape", "input_dim")

# Keyword arguments a Keras 3 layer's base class takes through ``**kwargs`` although the
# layer's own signature does not list them (checked by tests/test_legacy_spellings.py);
# old keywords Keras 3 still takes are in ``legacy.ACCEPTED``.
INHERITED_KWARGS = {
    **{name: ("lora_rank", "lora_alpha") for name in ("Conv1D", "Conv2D", "Conv3D")},
    **{name: ("zero_output_for_mask",) for name in ("LSTM", "GRU", "SimpleRNN")},
    **{name: ("bounding_box_format", "factor") for name in (
        "CenterCrop", "RandomCrop", "RandomFlip", "RandomTranslation", "RandomZoom", "Resizing")},
    "RandomRotation": ("bounding_box_format",),
    "AdditiveAttention": ("score_mode", "seed"),  # (Attention's, its base)
    **{name: ("bounding_box_format", "data_format") for name in ("RandomBrightness", "RandomContrast")},
    "StringLookup": ("oov_method",),  # (IndexLookup's, its base)
}

# Layers of one input that take a list or tuple of tensors as it is: elementwise ones apply
# themselves to each tensor, Lambda passes it to its function, a cell gets its states with
# it. Every other layer of one input raises on a list of several tensors (Keras counts
# them against its input spec); checked by tests/test_layer_inputs.py.
TAKES_A_LIST = frozenset({
    "Activation", "ActivityRegularization", "AlphaDropout", "Dropout", "ELU", "GaussianDropout",
    "GaussianNoise", "Identity", "LeakyReLU", "ReLU", "Rescaling", "Resizing", "Softmax",
    "RandomBrightness", "RandomContrast", "RandomFlip", "RandomRotation", "RandomTranslation",
    "RandomZoom", "Lambda", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells",
})

# The modelled layers among a modelled layer's Keras base classes (``isinstance(lstm,
# keras.layers.RNN)``); checked by tests/test_layer_signatures.py.
KERAS_BASES = {"GRU": ("RNN",), "LSTM": ("RNN",), "SimpleRNN": ("RNN",), "AdditiveAttention": ("Attention",),
               **{f"SpatialDropout{d}D": ("Dropout",) for d in (1, 2, 3)}}

# Activation names ``keras.activations.get`` knows.
ACTIVATIONS = frozenset({
    "relu", "leaky_relu", "relu6", "softmax", "celu", "elu", "selu", "softplus", "softsign",
    "squareplus", "soft_shrink", "sparse_plus", "silu", "gelu", "glu", "tanh", "tanh_shrink",
    "threshold", "sigmoid", "sparse_sigmoid", "exponential", "hard_sigmoid", "hard_silu",
    "hard_tanh", "hard_shrink", "linear", "mish", "log_softmax", "log_sigmoid", "sparsemax",
    "swish", "hard_swish",
})


# Arguments that decide a layer's output rank or layout: when one is unknown, so are the
# layer's output shape and weights.
LAYOUT_ARGUMENTS = ("data_format", "return_sequences", "return_state", "keepdims", "merge_mode",
                    "return_attention_scores")


class ShapeError(Exception):
    """Keras would reject this input; ``kind`` names the rule family."""

    # The shape an eager (non-symbolic) run still produces, if it does not raise.
    eager_output = None

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind  # "incompatible-input" | "non-positive-dimension" | "reshape-size-mismatch"
        self.message = message


def no_weights(config, shape) -> list:
    return []


@dataclass(frozen=True)
class LayerSpec:
    name: str
    signature: tuple  # ((parameter, default), ...) in constructor order
    output: Callable
    weights: Callable = no_weights
    aliases: tuple = ()
    # The input rank the layer needs (for models analysed with symbolic input).
    input_rank: int | None = None
    # What the layer's weights are built from (Dense: the input width); a
    # later call with a different value is an error, as in Keras.
    build_key: Callable | None = None
    # Takes a list of tensors (Add, Concatenate): ``output`` gets a list of shapes.
    multi_input: bool = False
    # Named call arguments that are inputs (attention's query, value, key): the
    # evaluator passes their shapes as the list, None for one not given.
    call_inputs: tuple = ()
    # Call arguments that shape the output (attention's ``return_attention_scores``), with
    # their defaults: ``output`` finds what the call gave in its config.
    call_options: tuple = ()
    # Keyword-only extras the constructor also accepts (LeakyReLU's old ``alpha``).
    accepts: tuple = ()
    # Accepted values of string arguments, e.g. {"padding": ("valid", "same")}.
    choices: tuple = ()

    def takes_one_tensor(self) -> bool:
        """Whether a list of several tensors is an error for this layer."""
        return not (self.multi_input or self.call_inputs or self.name in TAKES_A_LIST)

    def undecided(self, config: dict) -> bool:
        """True when an argument that decides the output's rank or layout is unknown."""
        return any(config.get(name) is UNKNOWN for name in LAYOUT_ARGUMENTS)

    def bind(self, args: list, kwargs: dict) -> dict:
        """The constructor's arguments by name, defaults filled in."""
        config = {name: default for name, default in self.signature}
        for (name, _), value in zip(self.signature, args):
            config[name] = value
        config.update(kwargs)
        return config

    def takes(self, keyword: str) -> bool:
        """True when Keras 3's constructor of this layer accepts ``keyword``."""
        return (keyword in BASE_KWARGS or keyword in self.accepts
                or any(keyword == name for name, _ in self.signature)
                or keyword in INHERITED_KWARGS.get(self.name, ())
                or legacy.accepted(self.name, keyword))

    def argument_problems(self, args: list, kwargs: dict):
        """(keyword or None, kind, message, fix) for each argument Keras would reject; the
        fix is None, ``("keyword", new name)``, ``("value", new value's code)`` or
        ``("argument", "name=value")``.

        A Keras 1 or 2 spelling (``border_mode``, ``nb_filter``, ``output_dim``, ...) gets a
        message naming the Keras 3 argument and value to write (``legacy.KEYWORDS``)."""
        names = [name for name, _ in self.signature]
        known = (*names, *BASE_KWARGS)  # what the old keywords translate to
        if len(args) > len(names):
            yield None, "unknown-argument", (
                f"{self.name} takes at most {len(names)} positional arguments "
                f"({', '.join(names)}) but gets {len(args)}"), None
        config = self.bind(args, kwargs)
        for keyword in kwargs:
            if self.takes(keyword):
                continue
            old = legacy.keyword_message(self.name, keyword, config, known)
            if old is None:
                close = difflib.get_close_matches(keyword, [*names, *BASE_KWARGS], n=1)
                hint = f": did you mean '{close[0]}'?" if close else ""
                old = (f"{self.name} has no argument '{keyword}'{hint}",
                       ("keyword", close[0]) if close and close[0] not in kwargs else None)
            yield keyword, "unknown-argument", *old
        for keyword, allowed in self.choices:
            value = config.get(keyword)
            wrong_type = isinstance(value, (int, float)) and keyword == "padding"
            if wrong_type or isinstance(value, str) and value.lower() not in allowed:
                positional = legacy.positional_problem(self.name, args)
                close = difflib.get_close_matches(value, allowed, n=1) if isinstance(value, str) else []
                message = positional or (
                    f"{self.name}({keyword}={value!r}) is not accepted: use one of "
                    + ", ".join(repr(a) for a in allowed))
                fix = ("value", repr(close[0])) if close and not positional and keyword in kwargs else None
                yield keyword, "unknown-argument", message, fix
        activation = config.get("activation")
        if isinstance(activation, str) and activation not in ACTIVATIONS:
            close = difflib.get_close_matches(activation, sorted(ACTIVATIONS), n=1)
            hint = f": did you mean '{close[0]}'?" if close else ""
            yield "activation", "unknown-argument", (
                f"'{activation}' is not a Keras activation{hint}"), (
                ("value", repr(close[0])) if close and "activation" in kwargs else None)
        for name in [name for name, value in config.items() if value is REQUIRED]:
            old = legacy.standing_for(self.name, name, kwargs, known)
            note = f" ({old})" if old else ""
            yield None, "missing-argument", (
                f"{self.name} needs the argument '{name}', which has no default{note}: pass "
                f"{name}=..."), None

    def legacy_warnings(self, args: list, config: dict, spelled: str | None = None):
        """(keyword or None, message) for each old spelling Keras 3 runs with another
        meaning or with a deprecation warning (not errors: TensorFlow does not raise)."""
        reading = legacy.positional_reading(self.name, spelled or self.name, args)
        if reading is not None:
            yield None, reading
        for keyword, value in config.items():
            message = legacy.accepted_warning(self.name, keyword, value)
            if message is not None:
                yield keyword, message

    def params(self, config: dict, shape) -> int | None:
        """The parameter count, or None when a weight's size is not known."""
        if self.undecided(config):
            return None
        total = 0
        for weight in self.weights(config, shape):
            if not all(isinstance(d, int) for d in weight):
                return None
            size = 1
            for d in weight:
                size *= d
            total += size
        return total


REGISTRY: dict[str, LayerSpec] = {}


def register(*specs: LayerSpec) -> None:
    for spec in specs:
        for name in (spec.name, *spec.aliases):
            REGISTRY[f"keras.layers.{name}"] = spec


def lookup(canonical_name: str) -> LayerSpec | None:
    return REGISTRY.get(canonical_name)


from shapecheck.layers import (  # noqa: E402,F401,I001  (each registers its layers)
    attention, conv, core, encoding, merge, normalization, pooling, preprocessing, recurrent, reshape,
    wrappers)

legacy.register_aliases(REGISTRY)  # Keras 2 class names Keras 3 kept (SeparableConvolution2D)
