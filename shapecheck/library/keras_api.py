"""Keras's configuration and utilities that model code consults: the image data format,
floatx and epsilon, seeds and sessions, ``imagenet_utils``' input-shape helpers."""

from __future__ import annotations

from shapecheck.library.registry import function
from shapecheck.values import UNKNOWN, ApiRef, Tensor


@function("keras.backend.image_data_format", "keras.config.image_data_format")
def _image_data_format(site):
    return site.ev.data_format


@function("keras.backend.set_image_data_format", "keras.config.set_image_data_format")
def _set_image_data_format(site):
    value = site.arg(0, "data_format")
    site.ev.data_format = value if value in ("channels_last", "channels_first") else UNKNOWN
    return None


function("keras.backend.floatx", "keras.config.floatx")(lambda site: "float32")
function("keras.backend.epsilon", "keras.config.epsilon")(lambda site: 1e-07)
@function("keras.backend.clear_session", "keras.utils.clear_session")
def _clear_session(site):
    """``clear_session()``: Keras's automatic names start again (``dense``, ``sequential``)."""
    site.ev.restart_names()


function("keras.utils.set_random_seed", "tensorflow.random.set_seed",
         "numpy.random.seed", "random.seed", "keras.config.disable_traceback_filtering",
         "tensorflow.config.run_functions_eagerly",
         "keras.utils.plot_model")(lambda site: None)  # (a picture of the model: no shape)


@function("keras.activations.get")
def _activation(site):
    """``keras.activations.get("relu")`` is ``keras.activations.relu``; None is linear; a
    function stays itself."""
    given = site.arg(0, "identifier", None)
    if given is None:
        return ApiRef("keras.activations.linear")
    return ApiRef(f"keras.activations.{given}") if isinstance(given, str) else given


@function("keras.applications.imagenet_utils.obtain_input_shape")
def _obtain_input_shape(site):
    """The input shape an application builds on (Keras's own rule; its checks are left to
    the application itself)."""
    given, size = site.arg(0, "input_shape"), site.arg(1, "default_size")
    data_format, flatten = site.arg(3, "data_format"), site.arg(4, "require_flatten")
    weights = site.arg(5, "weights", None)
    if data_format not in ("channels_last", "channels_first") or flatten not in (True, False) \
            or UNKNOWN in (given, size, weights):
        return UNKNOWN
    first = data_format == "channels_first"
    channels = 3
    if weights != "imagenet" and isinstance(given, tuple) and len(given) == 3:
        channels = given[0] if first else given[-1]
    default = (channels, size, size) if first else (size, size, channels)
    if weights == "imagenet" and flatten:
        return default
    if given:
        return given
    if flatten:
        return default
    return (3, None, None) if first else (None, None, 3)


@function("keras.applications.imagenet_utils.correct_pad")
def _correct_pad(site):
    """The ZeroPadding2D padding that makes a strided 'valid' conv act like 'same'."""
    inputs, kernel = site.arg(0, "inputs"), site.arg(1, "kernel_size")
    kernel = (kernel, kernel) if isinstance(kernel, int) else kernel
    axis = 2 if site.ev.data_format == "channels_first" else 1
    if not (isinstance(inputs, Tensor) and inputs.shape and isinstance(kernel, tuple)
            and all(isinstance(k, int) for k in kernel)):
        return UNKNOWN
    size = inputs.shape[axis:axis + 2]
    if size[0] is None:
        adjust = (1, 1)
    elif all(isinstance(d, int) for d in size):
        adjust = (1 - size[0] % 2, 1 - size[1] % 2)
    else:
        return UNKNOWN
    correct = (kernel[0] // 2, kernel[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))
