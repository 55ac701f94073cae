"""Recurrent layers: SimpleRNN, LSTM, GRU on (batch, steps, features)."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.layers import REQUIRED, LayerSpec, register
from shapecheck.layers._util import require_rank, size, with_bias
from shapecheck.values import UNKNOWN

# (name, gates, extra constructor arguments after `activation`)
_CELLS = (
    ("SimpleRNN", 1, ()),
    ("LSTM", 4, (("recurrent_activation", "sigmoid"),)),
    ("GRU", 3, (("recurrent_activation", "sigmoid"),)),
)


def _recurrent(name: str, gates: int, extra: tuple):
    def output(config, shape):
        require_rank(name, shape, 3, "(batch, steps, features)")
        out = (shape[0], shape[1], size(config["units"])) if config["return_sequences"] is True \
            else (shape[0], size(config["units"]))
        if config["return_state"] is True:
            states = 2 if name == "LSTM" else 1
            return [out] + [(shape[0], size(config["units"]))] * states
        return out

    def weights(config, shape):
        u = size(config["units"])
        width = dims.mul(u, gates)
        reset_after = config["reset_after"] if name == "GRU" else False
        bias = (UNKNOWN,) if reset_after is UNKNOWN else (2, width) if reset_after is not False else (width,)
        return with_bias(config, [(shape[-1], width), (u, width)], bias)

    signature = (
        ("units", REQUIRED), ("activation", "tanh"), *extra, ("use_bias", True),
        ("kernel_initializer", "glorot_uniform"), ("recurrent_initializer", "orthogonal"),
        ("bias_initializer", "zeros"),
        *((("unit_forget_bias", True),) if name == "LSTM" else ()),
        ("kernel_regularizer", None), ("recurrent_regularizer", None),
        ("bias_regularizer", None), ("activity_regularizer", None), ("kernel_constraint", None),
        ("recurrent_constraint", None), ("bias_constraint", None), ("dropout", 0.0),
        ("recurrent_dropout", 0.0), *((("seed", None),) if name != "SimpleRNN" else ()),
        ("return_sequences", False), ("return_state", False), ("go_backwards", False),
        ("stateful", False),
        *((("unroll", False), ("reset_after", True)) if name == "GRU" else (("unroll", False),)),
        *((("use_cudnn", "auto"),) if name != "SimpleRNN" else (("seed", None),)),
    )
    return LayerSpec(name, signature, output, weights, input_rank=3,
                     build_key=lambda config, shape: shape[-1])


register(*(_recurrent(*cell) for cell in _CELLS))
