"""Small helpers shared by the layer families."""

from __future__ import annotations

import math

from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError
from shapecheck.values import UNKNOWN


def size(value):
    """A size argument (``units``, ``filters``) as a dim: the int, else UNKNOWN."""
    return value if isinstance(value, int) and not isinstance(value, bool) else UNKNOWN


def as_tuple(value, n: int) -> tuple:
    """An int-or-tuple argument (``kernel_size=3``) as an n-tuple; unknown parts are UNKNOWN."""
    if isinstance(value, (tuple, list)) and len(value) == n:
        return tuple(size(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    return (UNKNOWN,) * n


# The axes of a spatial layer's input, by number of spatial dimensions (channels last).
SPATIAL_AXES = {1: "(batch, steps, channels)", 2: "(batch, height, width, channels)",
                3: "(batch, depth, height, width, channels)"}


def require_spatial_rank(layer: str, shape, spatial: int) -> None:
    """A conv / pooling / padding layer over ``spatial`` dimensions needs rank ``spatial + 2``."""
    require_rank(layer, shape, spatial + 2, SPATIAL_AXES[spatial])


def require_rank(layer: str, shape, rank: int, what: str) -> None:
    if len(shape) != rank:
        raise ShapeError(
            "incompatible-input",
            f"{layer} expects a {rank}-D input {what}, but gets shape "
            f"{format_shape(shape)} (rank {len(shape)}): {rank_fix(layer, tuple(shape), rank)}",
        )


def _known(dims) -> bool:
    return all(isinstance(d, int) and not isinstance(d, bool) for d in dims)


def rank_fix(layer: str, shape: tuple, rank: int) -> str:
    """The likely cause of an input of the wrong rank, and the change, in the user's terms."""
    got, sample = len(shape), shape[1:]
    if got == rank + 1 and got > 2 and shape[0] is None and _known(shape[1:2]):
        return (f"one axis too many: if {shape[1]} is the batch size, leave it out of "
                f"input_shape / Input(shape=...), which give one sample: shape="
                f"{format_shape(shape[2:])}; else flatten or pool the extra axis first")
    if got == rank - 1 and rank >= 4 and _known(sample):
        return (f"the images have no channel axis: add one to the data (x[..., np.newaxis]) "
                f"and to the input shape ({format_shape((*sample, 1))[1:-1]})")
    if got == 2 and rank == 3:
        n = sample[0] if _known(sample) else "n"
        return (f"{layer} takes (steps, features) per sample: reshape the data to "
                f"(samples, {n}, 1) and use input_shape=({n}, 1), or put Reshape(({n}, 1)) "
                f"before it")
    if got == 2 and rank == 4 and _known(sample):
        side = math.isqrt(sample[0])
        square = f" (Reshape(({side}, {side}, 1)) for {sample[0]} = {side}x{side})" \
            if side * side == sample[0] else ""
        return (f"each sample is a flat vector: reshape it to (height, width, channels) "
                f"with a Reshape layer{square}, or use Dense layers")
    if got > rank:
        return ("flatten or pool the extra axes first (Flatten, GlobalAveragePooling, "
                "Reshape), or use the layer for inputs of this rank")
    return f"give it inputs of rank {rank} (reshape the data, or add the missing axes)"


def require_min_rank(layer: str, shape, rank: int) -> None:
    if len(shape) < rank:
        raise ShapeError(
            "incompatible-input",
            f"{layer} expects an input of rank {rank} or more, but gets shape "
            f"{format_shape(shape)} (rank {len(shape)})",
        )


def with_bias(config, weights: list, bias: tuple) -> list:
    """``weights`` plus the ``bias`` weight unless ``use_bias`` is off (a placeholder of
    unknown size when ``use_bias`` is unknown)."""
    use_bias = config["use_bias"]
    if use_bias is UNKNOWN:
        return [*weights, (UNKNOWN,)]
    return [*weights, bias] if use_bias is not False else list(weights)


def channels_axis(config) -> int:
    return 1 if config.get("data_format") == "channels_first" else -1
