"""Normalization: BatchNormalization and LayerNormalization (shape kept, per-axis weights)."""

from __future__ import annotations

from shapecheck.layers import LayerSpec, register
from shapecheck.layers._util import known


def _same(config, shape):
    return shape


def _axes(config, shape):
    axis = known(config["axis"])
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    if not all(isinstance(a, int) for a in axes) or not shape:
        return None
    return [a % len(shape) for a in axes]


def _batch_norm_weights(config, shape):
    axes = _axes(config, shape)
    size = (None,) if axes is None else tuple(shape[a] for a in axes)
    flags = [known(config["scale"]) is not False, known(config["center"]) is not False, True, True]
    return [size for flag in flags if flag]  # gamma, beta, moving mean, moving variance


def _layer_norm_weights(config, shape):
    axes = _axes(config, shape)
    size = (None,) if axes is None else tuple(shape[a] for a in axes)
    rms = known(config.get("rms_scaling")) is True
    flags = [known(config["scale"]) is not False or rms, known(config["center"]) is not False and not rms]
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
