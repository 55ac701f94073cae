"""Attention: MultiHeadAttention, called as ``layer(query, value, key=None)``."""

from __future__ import annotations

from shapecheck.dims import format_shape
from shapecheck.layers import REQUIRED, LayerSpec, ShapeError, register
from shapecheck.layers._util import known


def _sizes(config, shapes):
    query, value = shapes[0], shapes[1] if len(shapes) > 1 and shapes[1] else shapes[0]
    key = shapes[2] if len(shapes) > 2 and shapes[2] else value
    heads, key_dim = known(config["num_heads"]), known(config["key_dim"])
    value_dim = known(config["value_dim"])
    value_dim = key_dim if value_dim is None else value_dim
    out = known(config["output_shape"])
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
    return (*query[:-1], out if isinstance(out, int) else None)


def _weights(config, shapes):
    query, key, value, heads, key_dim, value_dim, out = _sizes(config, shapes)
    bias = known(config["use_bias"]) is not False
    found = []
    for width, size in ((query[-1], key_dim), (key[-1], key_dim), (value[-1], value_dim)):
        found.append((width, heads, size))
        if bias:
            found.append((heads, size))
    out = out if isinstance(out, int) else None
    found.append((heads, value_dim, out))
    if bias:
        found.append((out,))
    return found


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
