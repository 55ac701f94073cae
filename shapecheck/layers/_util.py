"""Small helpers shared by the layer families."""

from __future__ import annotations

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
            f"{format_shape(shape)} (rank {len(shape)})",
        )


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
