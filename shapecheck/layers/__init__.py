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

from shapecheck.values import UNKNOWN

REQUIRED = object()  # marks a constructor parameter without a default

# Keyword arguments every Keras 3 layer takes (``keras.layers.Layer.__init__``).
BASE_KWARGS = ("name", "dtype", "trainable", "autocast", "activity_regularizer",
               "input_shape", "input_dim")

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
LAYOUT_ARGUMENTS = ("data_format", "return_sequences", "return_state", "keepdims", "merge_mode")


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
    # Keyword-only extras the constructor also accepts (LeakyReLU's old ``alpha``).
    accepts: tuple = ()
    # Accepted values of string arguments, e.g. {"padding": ("valid", "same")}.
    choices: tuple = ()

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

    def argument_problems(self, args: list, kwargs: dict):
        """(keyword or None, kind, message) for each argument Keras would reject."""
        names = [name for name, _ in self.signature]
        if len(args) > len(names):
            yield None, "unknown-argument", (
                f"{self.name} takes at most {len(names)} positional arguments "
                f"({', '.join(names)}) but gets {len(args)}")
        for keyword in kwargs:
            if keyword not in names and keyword not in BASE_KWARGS and keyword not in self.accepts:
                close = difflib.get_close_matches(keyword, [*names, *BASE_KWARGS], n=1)
                hint = f": did you mean '{close[0]}'?" if close else ""
                yield keyword, "unknown-argument", (
                    f"{self.name} has no argument '{keyword}'{hint}")
        config = self.bind(args, kwargs)
        for keyword, allowed in self.choices:
            value = config.get(keyword)
            if isinstance(value, str) and value.lower() not in allowed:
                yield keyword, "unknown-argument", (
                    f"{self.name}({keyword}={value!r}) is not accepted: use one of "
                    + ", ".join(repr(a) for a in allowed))
        activation = config.get("activation")
        if isinstance(activation, str) and activation not in ACTIVATIONS:
            close = difflib.get_close_matches(activation, sorted(ACTIVATIONS), n=1)
            hint = f": did you mean '{close[0]}'?" if close else ""
            yield "activation", "unknown-argument", (
                f"'{activation}' is not a Keras activation{hint}")
        for name in [name for name, value in config.items() if value is REQUIRED]:
            yield None, "missing-argument", (
                f"{self.name} needs the argument '{name}', which has no default")

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
    attention, conv, core, merge, normalization, pooling, preprocessing, recurrent, reshape,
    wrappers)
