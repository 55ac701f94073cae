"""Preprocessing: image augmentation (shape kept), Resizing / crops, Normalization."""

from __future__ import annotations

from shapecheck.layers import REQUIRED, LayerSpec, register
from shapecheck.layers._util import channels_axis, size
from shapecheck.values import UNKNOWN


def _same(config, shape):
    return shape


def _resized(config, shape):
    hw = (size(config["height"]), size(config["width"]))
    if len(shape) == 3:  # a single image
        return (*hw, shape[-1]) if channels_axis(config) == -1 else (shape[0], *hw)
    return (shape[0], *hw, shape[-1]) if channels_axis(config) == -1 else (*shape[:2], *hw)


def _normalization_weights(config, shape):
    if config["mean"] is not None:  # given (or unknown): no weights to adapt
        return [] if config["mean"] is not UNKNOWN else [(UNKNOWN,)]
    axis = config["axis"]
    axes = axis if isinstance(axis, (tuple, list)) else [axis]
    if not all(isinstance(a, int) for a in axes):
        return [(UNKNOWN,)]
    size = tuple(shape[a] for a in axes)
    return [size, size, ()]  # mean, variance, count


_FILL = (("fill_mode", "reflect"), ("interpolation", "bilinear"), ("seed", None),
         ("fill_value", 0.0), ("data_format", None))

register(
    LayerSpec("RandomFlip", (("mode", "horizontal_and_vertical"), ("seed", None),
                             ("data_format", None)), _same),
    LayerSpec("RandomRotation", (("factor", REQUIRED), *_FILL), _same),
    LayerSpec("RandomZoom", (("height_factor", REQUIRED), ("width_factor", None), *_FILL), _same),
    LayerSpec("RandomTranslation", (("height_factor", REQUIRED), ("width_factor", REQUIRED), *_FILL),
              _same),
    LayerSpec("RandomContrast", (("factor", REQUIRED), ("value_range", (0, 255)), ("seed", None)),
              _same),
    LayerSpec("RandomBrightness", (("factor", REQUIRED), ("value_range", (0, 255)), ("seed", None)),
              _same),
    LayerSpec("RandomCrop", (("height", REQUIRED), ("width", REQUIRED), ("seed", None),
                             ("data_format", None)), _resized),
    LayerSpec("Resizing", (("height", REQUIRED), ("width", REQUIRED), ("interpolation", "bilinear"),
                           ("crop_to_aspect_ratio", False), ("pad_to_aspect_ratio", False),
                           ("fill_mode", "constant"), ("fill_value", 0.0), ("antialias", False),
                           ("data_format", None)), _resized),
    LayerSpec("CenterCrop", (("height", REQUIRED), ("width", REQUIRED), ("data_format", None)),
              _resized),
    LayerSpec("Normalization", (("axis", -1), ("mean", None), ("variance", None), ("invert", False)),
              _same, _normalization_weights),
)
