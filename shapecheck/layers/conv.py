"""Convolutions: Conv1D, Conv2D, Conv3D (Keras's ``compute_conv_output_shape``)."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import REQUIRED, LayerSpec, ShapeError, register
from shapecheck.layers._util import as_tuple, channels_axis, known, require_rank

_AXES = {1: "(batch, steps, channels)", 2: "(batch, height, width, channels)",
         3: "(batch, depth, height, width, channels)"}


def conv_length(length, kernel, stride, dilation, padding):
    """One spatial output length, or None when an argument is unknown."""
    if None in (kernel, stride, dilation) or padding not in ("valid", "same", "causal"):
        return None
    if padding != "valid":
        return length if stride == 1 else dims.floor_div_plus_one(dims.sub(length, 1), stride)
    return dims.floor_div_plus_one(dims.sub(length, dilation * (kernel - 1) + 1), stride)


def _padding(config):
    padding = known(config["padding"])
    return padding.lower() if isinstance(padding, str) else None


def _conv(rank: int):
    name = f"Conv{rank}D"

    def output(config, shape):
        require_rank(name, shape, rank + 2, _AXES[rank])
        axis = channels_axis(config)
        spatial = shape[1:-1] if axis == -1 else shape[2:]
        kernel = as_tuple(known(config["kernel_size"]), rank)
        strides = as_tuple(known(config["strides"]), rank)
        dilation = as_tuple(known(config["dilation_rate"]), rank)
        padding = _padding(config)
        out = tuple(conv_length(*args, padding) for args in zip(spatial, kernel, strides, dilation))
        if padding == "valid" and any(dims.is_non_positive(d) for d in out):
            raise ShapeError(
                "non-positive-dimension",
                f"{name}(kernel_size={config['kernel_size']!r}, strides={config['strides']!r}, "
                f"padding='valid') shrinks input {format_shape(shape)} to "
                f"{format_shape(out)}: use padding='same', a smaller kernel or stride, "
                f"or a larger input",
            )
        filters = known(config["filters"])
        filters = filters if isinstance(filters, int) else None
        groups = known(config["groups"])
        channels = shape[axis]
        if isinstance(channels, int) and isinstance(groups, int) and channels % groups:
            raise ShapeError(
                "incompatible-input",
                f"{name} with groups={groups} needs input channels divisible by {groups}, "
                f"but the input has {channels}",
            )
        if axis == -1:
            return (shape[0], *out, filters)
        return (shape[0], filters, *out)

    def weights(config, shape):
        kernel = as_tuple(known(config["kernel_size"]), rank)
        filters, groups = known(config["filters"]), known(config["groups"])
        channels = shape[channels_axis(config)]
        per_group = channels // groups if isinstance(channels, int) and isinstance(groups, int) else None
        kernel_shape = (*kernel, per_group, filters)
        return [kernel_shape, (filters,)] if known(config["use_bias"]) is not False else [kernel_shape]

    ones = (1,) * rank if rank > 1 else 1
    return LayerSpec(
        name=name,
        signature=(("filters", REQUIRED), ("kernel_size", REQUIRED), ("strides", ones),
                   ("padding", "valid"), ("data_format", None), ("dilation_rate", ones),
                   ("groups", 1), ("activation", None), ("use_bias", True),
                   ("kernel_initializer", "glorot_uniform"), ("bias_initializer", "zeros"),
                   ("kernel_regularizer", None), ("bias_regularizer", None),
                   ("activity_regularizer", None), ("kernel_constraint", None),
                   ("bias_constraint", None)),
        output=output,
        weights=weights,
        aliases=(f"Convolution{rank}D",),
        input_rank=rank + 2,
        build_key=lambda config, shape: shape[channels_axis(config)],
        choices=(("padding", ("valid", "same", "causal") if rank == 1 else ("valid", "same")),
                 ("data_format", ("channels_last", "channels_first"))),
    )


register(_conv(1), _conv(2), _conv(3))
