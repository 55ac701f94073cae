"""Reshaping: Flatten, Reshape, ZeroPadding, Cropping, UpSampling, RepeatVector, Permute."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import REQUIRED, LayerSpec, ShapeError, register
from shapecheck.layers._util import (
    as_tuple,
    channels_axis,
    require_min_rank,
    require_rank,
    require_spatial_rank,
    size,
)
from shapecheck.values import UNKNOWN


def _flatten_output(config, shape):
    require_min_rank("Flatten", shape, 1)
    return (shape[0], dims.product(shape[1:]))


def _reshape_output(config, shape):
    target = config["target_shape"]
    if not isinstance(target, (tuple, list)):
        return None
    if not all(isinstance(d, int) for d in target):
        return (shape[0], *(d if isinstance(d, int) and d != -1 else UNKNOWN for d in target))
    total = dims.product(shape[1:])
    fixed = dims.product(d for d in target if d != -1)
    if -1 in target:
        if isinstance(total, int) and fixed and total % fixed == 0:
            return (shape[0], *(total // fixed if d == -1 else d for d in target))
        if isinstance(total, int):
            raise ShapeError("reshape-size-mismatch",
                             f"Reshape{tuple(target)} cannot split an input of {total} values "
                             f"(shape {format_shape(shape)}) into whole blocks of {fixed}")
        return (shape[0], *(dims.exact_div(total, fixed) if d == -1 else d for d in target))
    if isinstance(total, int) and total != fixed:
        raise ShapeError("reshape-size-mismatch",
                         f"Reshape{tuple(target)} needs {fixed} values per sample but the input "
                         f"{format_shape(shape)} has {total}: make the target's product equal {total}")
    return (shape[0], *target)


def _pairs(value, rank):
    """A padding/cropping argument as ((before, after), ...) per spatial axis."""
    if isinstance(value, int):
        return ((value, value),) * rank
    if isinstance(value, (tuple, list)) and len(value) == rank:
        if all(isinstance(v, int) for v in value):
            return tuple((v, v) for v in value)
        if all(isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(x, int) for x in v)
               for v in value):
            return tuple(tuple(v) for v in value)
    if rank == 1 and isinstance(value, (tuple, list)) and len(value) == 2 \
            and all(isinstance(v, int) for v in value):
        return (tuple(value),)
    return None


def _spatial(shape, config):
    return shape[1:-1] if channels_axis(config) == -1 else shape[2:]


def _rebuild(shape, config, spatial):
    if channels_axis(config) == -1:
        return (shape[0], *spatial, shape[-1])
    return (shape[0], shape[1], *spatial)


def _padding(rank):
    name = f"ZeroPadding{rank}D"

    def output(config, shape):
        require_spatial_rank(name, shape, rank)
        pairs = _pairs(config["padding"], rank)
        spatial = _spatial(shape, config)
        if pairs is None:
            return _rebuild(shape, config, (UNKNOWN,) * rank)
        return _rebuild(shape, config, tuple(dims.add(d, a + b) for d, (a, b) in zip(spatial, pairs)))

    default = 1 if rank == 1 else (1,) * rank
    return LayerSpec(name, (("padding", default), ("data_format", None)), output,
                     input_rank=rank + 2)


def _cropping(rank):
    name = f"Cropping{rank}D"

    def output(config, shape):
        require_spatial_rank(name, shape, rank)
        pairs = _pairs(config["cropping"], rank)
        spatial = _spatial(shape, config)
        if pairs is None:
            return _rebuild(shape, config, (UNKNOWN,) * rank)
        out = tuple(dims.sub(d, a + b) for d, (a, b) in zip(spatial, pairs))
        if any(dims.is_non_positive(d) for d in out):
            raise ShapeError("non-positive-dimension",
                             f"{name}(cropping={config['cropping']!r}) crops input "
                             f"{format_shape(shape)} to {format_shape(out)}: crop less")
        return _rebuild(shape, config, out)

    default = (1, 1) if rank == 1 else ((0, 0),) * rank
    signature = (("cropping", default),) + ((("data_format", None),) if rank > 1 else ())
    return LayerSpec(name, signature, output, input_rank=rank + 2)


def _upsampling(rank):
    name = f"UpSampling{rank}D"

    def output(config, shape):
        require_spatial_rank(name, shape, rank)
        factors = as_tuple(config["size"], rank)
        if rank == 1:
            return (shape[0], dims.mul(shape[1], factors[0]), shape[2])
        spatial = _spatial(shape, config)
        return _rebuild(shape, config, tuple(dims.mul(d, s) for d, s in zip(spatial, factors)))

    signature = ((("size", 2),) if rank == 1 else
                 (("size", (2,) * rank), ("data_format", None))
                 + ((("interpolation", "nearest"),) if rank == 2 else ()))
    return LayerSpec(name, signature, output, input_rank=rank + 2)


def _repeat_output(config, shape):
    require_rank("RepeatVector", shape, 2, "(batch, features)")
    return (shape[0], size(config["n"]), shape[1])


def _permute_output(config, shape):
    order = config["dims"]
    if not isinstance(order, (tuple, list)) or sorted(order) != list(range(1, len(shape))):
        return None
    return (shape[0], *(shape[i] for i in order))


register(
    LayerSpec("Flatten", (("data_format", None),), _flatten_output),
    LayerSpec("Reshape", (("target_shape", REQUIRED),), _reshape_output),
    LayerSpec("RepeatVector", (("n", REQUIRED),), _repeat_output, input_rank=2),
    LayerSpec("Permute", (("dims", REQUIRED),), _permute_output),
    *(_padding(rank) for rank in (1, 2, 3)),
    *(_cropping(rank) for rank in (1, 2, 3)),
    *(_upsampling(rank) for rank in (1, 2, 3)),
)
