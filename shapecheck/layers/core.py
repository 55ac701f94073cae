"""Core layers: Dense, Flatten, and the layers that keep their input's shape."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.layers import REQUIRED, LayerSpec, register
from shapecheck.layers._util import known, require_min_rank


def _dense_output(config, shape):
    require_min_rank("Dense", shape, 2)
    units = known(config["units"])
    return (*shape[:-1], units if isinstance(units, int) else None)


def _dense_weights(config, shape):
    units = known(config["units"])
    kernel = (shape[-1], units)
    return [kernel, (units,)] if known(config["use_bias"]) is not False else [kernel]


def _flatten_output(config, shape):
    require_min_rank("Flatten", shape, 1)
    return (shape[0], dims.product(shape[1:]))


def _same_shape(config, shape):
    return shape


_DENSE_ARGS = (("units", REQUIRED), ("activation", None), ("use_bias", True),
               ("kernel_initializer", "glorot_uniform"), ("bias_initializer", "zeros"),
               ("kernel_regularizer", None), ("bias_regularizer", None),
               ("activity_regularizer", None), ("kernel_constraint", None),
               ("bias_constraint", None), ("lora_rank", None), ("lora_alpha", None))

register(
    LayerSpec("Dense", _DENSE_ARGS, _dense_output, _dense_weights, input_rank=2,
              build_key=lambda config, shape: shape[-1]),
    LayerSpec("Flatten", (("data_format", None),), _flatten_output),
    LayerSpec("Dropout", (("rate", REQUIRED), ("noise_shape", None), ("seed", None)), _same_shape),
    LayerSpec("Activation", (("activation", REQUIRED),), _same_shape),
    LayerSpec("ReLU", (("max_value", None), ("negative_slope", 0.0), ("threshold", 0.0)),
              _same_shape),
    LayerSpec("Softmax", (("axis", -1),), _same_shape),
)
