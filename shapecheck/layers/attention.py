"""Attention: MultiHeadAttention, called as ``layer(query, value, key=None)``."""

from __future__ import annotations

from shapecheck.dims import format_shape
from shapecheck.layers import REQUIRED, LayerSpec, ShapeError, register
from shapecheck.layers._util import size, with_bias
from shapecheck.values import UNKNOWN


def _sizes(config, shapes):
    query, value = shapes[0], shapes[1] if len(shapes) > 1 and shapes[1] else shapes[0]
    key = shapes[2] if len(shapes) > 2 and shapes[2] else value
    heads, key_dim = size(config["num_heads"]), size(config["key_dim"])
    value_dim = key_dim if config["value_dim"] is None else size(config["value_dim"])
    out = config["output_shape"]
    out = query[-1] if out is None else out
    return query, key, value, heads, key_dim, value_dim, out


def _output(config, shapes):
    query, key, value, _, _, _, out = _sizes(config, shapes)
    if key[:-1] != value[:-1] and all(isinstance(d, int) for d in (*key[1:-1], *value[1:-1])):
        raise ShapeError("incompatible-input",
                         f"MultiHeadAttention needs key {format_shape(key)} and value "
                         f"{format_shape(value)} to have the same length")
    if isinstance(out, (tuple, list)):
        return (*query[:-1], *out)
    return (*query[:-1], out if isinstance(out, int) or out is None else UNKNOWN)


def _weights(config, shapes):
    query, key, value, heads, key_dim, value_dim, out = _sizes(config, shapes)
    found = []
    for width, inner in ((query[-1], key_dim), (key[-1], key_dim), (value[-1], value_dim)):
        found = with_bias(config, [*found, (width, heads, inner)], (heads, inner))
    out = out if isinstance(out, int) else UNKNOWN
    return with_bias(config, [*found, (heads, value_dim, out)], (out,))


register(LayerSpec(
    "MultiHeadAttention",
    (("num_heads", REQUIRED), ("key_dim", REQUIRED), ("value_dim", None), ("dropout", 0.0),
     ("use_bias", True), ("output_shape", None), ("attention_axes", None),
     ("sliding_window", None), ("flash_attention", None),
     ("kernel_initializer", "glorot_uniform"), ("bias_initializer", "zeros"),
     ("kernel_regularizer", None), ("bias_regularizer", None), ("activity_regularizer", None),
     ("kernel_constraint", None), ("bias_constraint", None), ("use_gate", False), ("seed", None)),
    _output, _weights, multi_input=True, call_inputs=("query", "value", "key"),
))
