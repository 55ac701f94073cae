"""Pooling: Max/AveragePooling1D-3D (strides default to pool_size) and the global poolings."""

from __future__ import annotations

from shapecheck import dims, machine
from shapecheck.dims import format_shape
from shapecheck.layers import REQUIRED, LayerSpec, ShapeError, register
from shapecheck.layers._util import as_tuple, channels_axis, require_spatial_rank
from shapecheck.values import UNKNOWN


def pool_length(length, pool, stride, padding):
    """One spatial output length: None for a None input length (as in Keras), UNKNOWN
    when an argument is unknown."""
    if length is None:
        return None
    if UNKNOWN in (pool, stride) or padding not in ("valid", "same"):
        return UNKNOWN
    if padding == "same":
        return length if stride == 1 else dims.floor_div_plus_one(dims.sub(length, 1), stride)
    return dims.floor_div_plus_one(dims.sub(length, pool), stride)


def _pooling(kind: str, rank: int):
    name = f"{kind}Pooling{rank}D"

    def output(config, shape):
        require_spatial_rank(name, shape, rank)
        axis = channels_axis(config)
        spatial = shape[1:-1] if axis == -1 else shape[2:]
        pool = as_tuple(config["pool_size"], rank)
        strides = config["strides"]
        strides = pool if strides is None else as_tuple(strides, rank)
        padding = config["padding"]
        padding = padding.lower() if isinstance(padding, str) else None
        out = tuple(pool_length(*args, padding) for args in zip(spatial, pool, strides))
        result = (shape[0], *out, shape[-1]) if axis == -1 else (shape[0], shape[1], *out)
        if padding == "valid" and any(dims.is_non_positive(d) for d in out):
            error = ShapeError(
                "non-positive-dimension",
                f"{name}(pool_size={config['pool_size']!r}, strides={config['strides']!r}) "
                f"shrinks input {format_shape(shape)} to {format_shape(out)}: "
                f"use padding='same', a smaller pool, or fewer poolings before it",
            )
            if not any(isinstance(d, int) and d < 0 for d in out) and (
                    kind == "Average" or not machine.uses_onednn()):
                # TensorFlow's eager pooling kernels give an empty axis (max pooling aborts
                # on oneDNN); Keras's symbolic shape inference always raises.
                error.eager_output = result
            raise error
        return result

    # Keras 3's AveragePooling layers have no default pool size.
    default_pool = REQUIRED if kind == "Average" else 2 if rank == 1 else (2,) * rank
    return LayerSpec(
        name=name,
        signature=(("pool_size", default_pool), ("strides", None), ("padding", "valid"),
                   ("data_format", None)),
        output=output,
        choices=(("padding", ("valid", "same")),
                 ("data_format", ("channels_last", "channels_first"))),
        aliases=(f"{'Avg' if kind == 'Average' else kind}Pool{rank}D",),
        input_rank=rank + 2,
    )


def _global(kind: str, rank: int):
    name = f"Global{kind}Pooling{rank}D"

    def output(config, shape):
        require_spatial_rank(name, shape, rank)
        axis = channels_axis(config)
        if config["keepdims"] is True:
            ones = (1,) * rank
            return (shape[0], *ones, shape[-1]) if axis == -1 else (shape[0], shape[1], *ones)
        return (shape[0], shape[axis])

    short = "Avg" if kind == "Average" else "Max"
    return LayerSpec(
        name=name,
        signature=(("data_format", None), ("keepdims", False)),
        output=output,
        aliases=(f"Global{short}Pool{rank}D",),
        input_rank=rank + 2,
    )


register(*(_pooling(kind, rank) for kind in ("Max", "Average") for rank in (1, 2, 3)))
register(*(_global(kind, rank) for kind in ("Max", "Average") for rank in (1, 2, 3)))
