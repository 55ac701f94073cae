"""Attention: MultiHeadAttention, called as ``layer(query, value, key=None)``, and the
dot-product and additive ``Attention`` / ``AdditiveAttention``, called on ``[query, value,
key]``; with ``return_attention_scores=True`` each also returns its scores."""

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
        output = (*query[:-1], *out)
    else:
        output = (*query[:-1], out if isinstance(out, int) or out is None else UNKNOWN)
    if config["return_attention_scores"] is not True:
        return output
    if len(query) != 3 or config["attention_axes"] is not None:
        return [output, None]
    # Keras's symbolic scores are (batch, heads, Tq, Tq), its eager ones (batch, heads, Tq,
    # Tk): they agree where the lengths do.
    length = query[1] if query[1] == key[1] and (query[1] is None or isinstance(query[1], int)) else UNKNOWN
    return [output, (query[0], config["num_heads"], query[1], length)]


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
    call_options=(("return_attention_scores", False),),
))


def _scored(name: str, signature: tuple, weights, choices=()):
    """A layer scoring ``query`` against ``key`` (``value`` when not given) to average
    ``value`` over its steps: (batch, Tq, value's features), and its (batch, Tq, Tv) scores
    with ``return_attention_scores``; ``weights(config, query)`` are its own."""
    def output(config, shapes):
        if len(shapes) not in (2, 3) or any(s is None or len(s) != 3 for s in shapes):
            return None
        query, value = shapes[0], shapes[1]
        out = (*query[:-1], value[-1])
        return [out, (*query[:-1], value[1])] if config["return_attention_scores"] is True else out

    return LayerSpec(name, signature, output, lambda config, shapes: weights(config, shapes[0]),
                     multi_input=True, call_options=(("return_attention_scores", False),),
                     choices=choices)


def _dot_weights(config, query):
    """A learned scale, and the weight of the concatenated scores: one number each."""
    return [()] * ((config["use_scale"] is True) + (config["score_mode"] == "concat"))


def _additive_weights(config, query):
    """The learned scale: one number per feature of the query."""
    return [(query[-1],)] if config["use_scale"] is True else []


register(
    _scored("Attention", (("use_scale", False), ("score_mode", "dot"), ("dropout", 0.0), ("seed", None)),
            _dot_weights, choices=(("score_mode", ("dot", "concat")),)),
    _scored("AdditiveAttention", (("use_scale", True), ("dropout", 0.0)), _additive_weights),
)
