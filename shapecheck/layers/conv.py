"""Convolutions: Conv1D, Conv2D, Conv3D (Keras's ``compute_conv_output_shape``)."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import REQUIRED, LayerSpec, ShapeError, register
from shapecheck.layers._util import as_tuple, channels_axis, require_spatial_rank, size, with_bias
from shapecheck.values import UNKNOWN


def conv_length(length, kernel, stride, dilation, padding):
    """One spatial output length: None for a None input length (as in Keras), UNKNOWN
    when an argument is unknown."""
    if length is None:
        return None
    if UNKNOWN in (kernel, stride, dilation) or padding not in ("valid", "same", "causal"):
        return UNKNOWN
    if padding != "valid":
        return length if stride == 1 else dims.floor_div_plus_one(dims.sub(length, 1), stride)
    return dims.floor_div_plus_one(dims.sub(length, dilation * (kernel - 1) + 1), stride)


def _padding(config):
    padding = config["padding"]
    return padding.lower() if isinstance(padding, str) else None


def _conv(rank: int):
    name = f"Conv{rank}D"

    def output(config, shape):
        require_spatial_rank(name, shape, rank)
        axis = channels_axis(config)
        spatial = shape[1:-1] if axis == -1 else shape[2:]
        kernel = as_tuple(config["kernel_size"], rank)
        strides = as_tuple(config["strides"], rank)
        dilation = as_tuple(config["dilation_rate"], rank)
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
        filters = size(config["filters"])
        groups = config["groups"]
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
        kernel = as_tuple(config["kernel_size"], rank)
        filters, groups = size(config["filters"]), config["groups"]
        channels = shape[channels_axis(config)]
        per_group = channels // groups if isinstance(channels, int) and isinstance(groups, int) \
            else UNKNOWN
        kernel_shape = (*kernel, per_group, filters)
        return with_bias(config, [kernel_shape], (filters,))

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


def transpose_length(length, kernel, stride, dilation, padding, output_padding):
    """Keras's transposed-convolution output length (its ``compute_conv_transpose_output_shape``)."""
    if length is None:
        return None
    if UNKNOWN in (kernel, stride, dilation, output_padding) or padding not in ("valid", "same"):
        return UNKNOWN
    extent = (kernel - 1) * dilation + 1
    if output_padding is None:
        if padding == "same":
            return dims.mul(length, stride)
        output_padding = max(extent, stride) - extent
    elif padding == "same":
        extent %= 2
    return dims.add(dims.mul(dims.sub(length, 1), stride), extent + output_padding)


def _conv_transpose(rank: int):
    name = f"Conv{rank}DTranspose"
    base = _conv(rank)

    def output(config, shape):
        require_spatial_rank(name, shape, rank)
        axis = channels_axis(config)
        spatial = shape[1:-1] if axis == -1 else shape[2:]
        output_padding = config["output_padding"]
        output_padding = (None,) * rank if output_padding is None else as_tuple(output_padding, rank)
        out = tuple(transpose_length(*args, _padding(config), extra) for *args, extra in zip(
            spatial, as_tuple(config["kernel_size"], rank), as_tuple(config["strides"], rank),
            as_tuple(config["dilation_rate"], rank), output_padding))
        filters = size(config["filters"])
        return (shape[0], *out, filters) if axis == -1 else (shape[0], filters, *out)

    def weights(config, shape):
        kernel = as_tuple(config["kernel_size"], rank)
        filters = size(config["filters"])
        kernel_shape = (*kernel, filters, shape[channels_axis(config)])
        return with_bias(config, [kernel_shape], (filters,))

    names = [n for n, _ in base.signature]
    # Keras puts output_padding before data_format, except in Conv3DTranspose.
    at = names.index("padding") + (2 if rank == 3 else 1)
    signature = tuple(base.signature[:at]) + (("output_padding", None),) + \
        tuple(p for p in base.signature[at:] if p[0] != "groups")
    return LayerSpec(name, signature, output, weights, aliases=(f"Convolution{rank}DTranspose",),
                     input_rank=rank + 2, build_key=base.build_key,
                     choices=(("padding", ("valid", "same")),
                              ("data_format", ("channels_last", "channels_first"))))


def _depthwise(rank: int, separable: bool):
    """DepthwiseConv1D/2D (channels x depth_multiplier) and SeparableConv1D/2D (then 1x1 to filters)."""
    name = f"{'Separable' if separable else 'Depthwise'}Conv{rank}D"
    base = _conv(rank)

    def output(config, shape):
        spatial_config = {**config, "filters": 1, "groups": 1}
        out = base.output(spatial_config, shape)
        multiplier, channels = size(config["depth_multiplier"]), shape[channels_axis(config)]
        width = size(config["filters"]) if separable else dims.mul(channels, multiplier)
        return (*out[:-1], width) if channels_axis(config) == -1 else (out[0], width, *out[2:])

    def weights(config, shape):
        kernel = as_tuple(config["kernel_size"], rank)
        multiplier, channels = size(config["depth_multiplier"]), shape[channels_axis(config)]
        found = [(*kernel, channels, multiplier)]
        width = dims.mul(channels, multiplier)
        if separable:
            filters = size(config["filters"])
            found.append((1,) * rank + (width, filters))
            width = filters
        return with_bias(config, found, (width,))

    ones = (1,) * rank if rank > 1 else 1
    head = (("filters", REQUIRED), ("kernel_size", REQUIRED)) if separable else (("kernel_size", REQUIRED),)
    order = (("strides", ones), ("padding", "valid"), ("data_format", None), ("dilation_rate", ones),
             ("depth_multiplier", 1)) if separable else (
        ("strides", ones), ("padding", "valid"), ("depth_multiplier", 1), ("data_format", None),
        ("dilation_rate", ones))
    kinds = ("depthwise", "pointwise") if separable else ("depthwise",)
    tail = (("activation", None), ("use_bias", True),
            *((f"{k}_initializer", "glorot_uniform") for k in kinds), ("bias_initializer", "zeros"),
            *((f"{k}_regularizer", None) for k in kinds), ("bias_regularizer", None),
            ("activity_regularizer", None), *((f"{k}_constraint", None) for k in kinds),
            ("bias_constraint", None))
    return LayerSpec(name, head + order + tail, output, weights, input_rank=rank + 2,
                     build_key=base.build_key, choices=base.choices)


register(_conv(1), _conv(2), _conv(3))
register(_conv_transpose(1), _conv_transpose(2), _conv_transpose(3))
register(*(_depthwise(rank, separable) for rank in (1, 2) for separable in (False, True)))
