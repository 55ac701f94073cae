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

from dataclasses import dataclass
from typing import Callable, Optional

REQUIRED = object()  # marks a constructor parameter without a default

# Keyword arguments every Keras layer takes.
BASE_KWARGS = ("name", "dtype", "trainable", "input_shape", "batch_input_shape",
               "input_dim", "batch_size", "autocast", "seed", "input_length")


class ShapeError(Exception):
    """Keras would reject this input; ``kind`` names the rule family."""

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
    input_rank: Optional[int] = None
    # What the layer's weights are built from (Dense: the input width); a
    # later call with a different value is an error, as in Keras.
    build_key: Callable = lambda config, shape: None
    # Takes a list of tensors (Add, Concatenate): ``output`` gets a list of shapes.
    multi_input: bool = False

    def bind(self, args: list, kwargs: dict) -> dict:
        """The constructor's arguments by name, defaults filled in."""
        config = {name: default for name, default in self.signature}
        for (name, _), value in zip(self.signature, args):
            config[name] = value
        config.update(kwargs)
        return config

    def missing(self, config: dict) -> list:
        return [name for name, value in config.items() if value is REQUIRED]

    def params(self, config: dict, shape) -> Optional[int]:
        """The parameter count, or None when a weight's size is not known."""
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


def lookup(canonical_name: str) -> Optional[LayerSpec]:
    return REGISTRY.get(canonical_name)


from shapecheck.layers import conv, core, merge, normalization, pooling, reshape  # noqa: E402,F401,I001
