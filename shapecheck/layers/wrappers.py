"""Wrappers: Bidirectional and TimeDistributed, around a layer shapecheck models."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import REQUIRED, LayerSpec, ShapeError, register
from shapecheck.values import UNKNOWN


def _inner(config):
    """The wrapped layer's (spec, config), or None when it is not a modelled layer or its
    layout is unknown."""
    layer = config["layer"]
    spec = getattr(layer, "spec", None)
    return None if spec is None or spec.undecided(layer.config) else (spec, layer.config)


def _bidirectional_output(config, shape):
    inner = _inner(config)
    if inner is None:
        return None
    out = inner[0].output(inner[1], shape)
    states = []
    if isinstance(out, list):  # return_state: the merged output, then each direction's states
        out, states = out[0], out[1:] * 2
    mode = config["merge_mode"]
    if mode == "concat":
        out = (*out[:-1], dims.mul(out[-1], 2))
    elif mode not in ("sum", "mul", "ave"):
        return None  # merge_mode=None gives two outputs
    return [out, *states] if states else out


def _bidirectional_weights(config, shape):
    inner = _inner(config)
    if inner is None:
        return [(UNKNOWN,)]
    return inner[0].weights(inner[1], shape) * 2  # a forward and a backward copy


def _time_distributed_output(config, shape):
    if len(shape) < 3:
        raise ShapeError("incompatible-input",
                         f"TimeDistributed applies its layer to each step of a (batch, steps, "
                         f"...) input, at least 3-D, but gets shape {format_shape(shape)}: give "
                         f"it sequences, or apply the layer without TimeDistributed")
    inner = _inner(config)
    if inner is None:
        return None
    out = inner[0].output(inner[1], (shape[0], *shape[2:]))
    return None if isinstance(out, list) else (shape[0], shape[1], *out[1:])


def _time_distributed_weights(config, shape):
    inner = _inner(config)
    return [(UNKNOWN,)] if inner is None else inner[0].weights(inner[1], (shape[0], *shape[2:]))


register(
    LayerSpec("Bidirectional", (("layer", REQUIRED), ("merge_mode", "concat"), ("weights", None),
                                ("backward_layer", None)),
              _bidirectional_output, _bidirectional_weights, input_rank=3),
    LayerSpec("TimeDistributed", (("layer", REQUIRED),), _time_distributed_output,
              _time_distributed_weights),
)
