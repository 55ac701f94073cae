"""Normalization: BatchNormalization and LayerNormalization (shape kept, per-axis weights)."""

from __future__ import annotations

from shapecheck.layers import LayerSpec, register
from shapecheck.values import UNKNOWN


def _same(config, shape):
    return shape


def _axes(config, shape):
    axis = config["axis"]
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    if not all(isinstance(a, int) for a in axes) or not shape:
        return None
    return [a % len(shape) for a in axes]


def _batch_norm_weights(config, shape):
    axes = _axes(config, shape)
    size = (UNKNOWN,) if axes is None else tuple(shape[a] for a in axes)
    flags = [config["scale"], config["center"], True, True]  # gamma, beta, moving mean, variance
    return [size if flag is not UNKNOWN else (UNKNOWN,) for flag in flags if flag is not False]


def _layer_norm_weights(config, shape):
    axes = _axes(config, shape)
    size = (UNKNOWN,) if axes is None else tuple(shape[a] for a in axes)
    rms = config.get("rms_scaling")
    if UNKNOWN in (rms, config["scale"], config["center"]):
        return [(UNKNOWN,)]
    flags = [config["scale"] is not False or rms is True, config["center"] is not False and rms is not True]
    return [size for flag in flags if flag]


_INIT = (("beta_initializer", "zeros"), ("gamma_initializer", "ones"),
         ("beta_regularizer", None), ("gamma_regularizer", None),
         ("beta_constraint", None), ("gamma_constraint", None))

register(
    LayerSpec("BatchNormalization",
              (("axis", -1), ("momentum", 0.99), ("epsilon", 0.001), ("center", True),
               ("scale", True), *_INIT[:2], ("moving_mean_initializer", "zeros"),
               ("moving_variance_initializer", "ones"), *_INIT[2:], ("renorm", False),
               ("renorm_clipping", None), ("renorm_momentum", 0.99), ("synchronized", False)),
              _same, _batch_norm_weights),
    LayerSpec("LayerNormalization",
              (("axis", -1), ("epsilon", 0.001), ("center", True), ("scale", True), *_INIT),
              _same, _layer_norm_weights, accepts=("rms_scaling",)),
)
