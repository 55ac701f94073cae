"""Core layers: Dense, Embedding, and the layers that keep their input's shape."""

from __future__ import annotations

from shapecheck.layers import REQUIRED, LayerSpec, register
from shapecheck.layers._util import require_min_rank, size, with_bias
from shapecheck.values import UNKNOWN


def _dense_output(config, shape):
    require_min_rank("Dense", shape, 2)
    return (*shape[:-1], size(config["units"]))


def _dense_weights(config, shape):
    units = size(config["units"])
    kernel = (shape[-1], units)
    return with_bias(config, [kernel], (units,))


def _embedding_output(config, shape):
    return (*shape, size(config["output_dim"]))


def _embedding_weights(config, shape):
    return [(size(config["input_dim"]), size(config["output_dim"]))]


def _same_shape(config, shape):
    return shape


def _prelu_weights(config, shape):
    """One slope per value of a sample, shared along ``shared_axes`` (1-based)."""
    alpha = list(shape[1:])
    shared = config["shared_axes"]
    for axis in (shared if isinstance(shared, (list, tuple)) else [] if shared is None else [shared]):
        if not (isinstance(axis, int) and 1 <= axis <= len(alpha)):
            return [(UNKNOWN,)]
        alpha[axis - 1] = 1
    return [tuple(alpha)]


_DENSE_ARGS = (("units", REQUIRED), ("activation", None), ("use_bias", True),
               ("kernel_initializer", "glorot_uniform"), ("bias_initializer", "zeros"),
               ("kernel_regularizer", None), ("bias_regularizer", None),
               ("activity_regularizer", None), ("kernel_constraint", None),
               ("bias_constraint", None), ("lora_rank", None), ("lora_alpha", None),
               ("quantization_config", None))

def _lambda_output(config, shape):
    """Only reached when the evaluator cannot run the function (it runs a Lambda itself)."""
    return None


register(
    # The evaluator applies a Lambda by calling its function (``interpret.layer_calls``).
    LayerSpec("Lambda", (("function", REQUIRED), ("output_shape", None), ("mask", None),
                         ("arguments", None)), _lambda_output),
    LayerSpec("Dense", _DENSE_ARGS, _dense_output, _dense_weights, input_rank=2,
              build_key=lambda config, shape: shape[-1]),
    LayerSpec("Embedding", (("input_dim", REQUIRED), ("output_dim", REQUIRED),
                            ("embeddings_initializer", "uniform"), ("embeddings_regularizer", None),
                            ("embeddings_constraint", None), ("mask_zero", False),
                            ("weights", None), ("lora_rank", None), ("lora_alpha", None),
                            ("quantization_config", None)),
              _embedding_output, _embedding_weights, accepts=("input_length",)),
    LayerSpec("Dropout", (("rate", REQUIRED), ("noise_shape", None), ("seed", None)), _same_shape),
    LayerSpec("Activation", (("activation", REQUIRED),), _same_shape),
    LayerSpec("ReLU", (("max_value", None), ("negative_slope", 0.0), ("threshold", 0.0)),
              _same_shape),
    LayerSpec("Softmax", (("axis", -1),), _same_shape),
    LayerSpec("LeakyReLU", (("negative_slope", 0.3),), _same_shape, accepts=("alpha",)),
    LayerSpec("ELU", (("alpha", 1.0),), _same_shape),
    LayerSpec("PReLU", (("alpha_initializer", "Zeros"), ("alpha_regularizer", None),
                        ("alpha_constraint", None), ("shared_axes", None)), _same_shape, _prelu_weights),
    LayerSpec("GaussianNoise", (("stddev", REQUIRED), ("seed", None)), _same_shape),
    LayerSpec("GaussianDropout", (("rate", REQUIRED), ("seed", None)), _same_shape),
    LayerSpec("AlphaDropout", (("rate", REQUIRED), ("noise_shape", None), ("seed", None)),
              _same_shape),
    LayerSpec("ActivityRegularization", (("l1", 0.0), ("l2", 0.0)), _same_shape),
    LayerSpec("Rescaling", (("scale", REQUIRED), ("offset", 0.0)), _same_shape),
    LayerSpec("Identity", (), _same_shape),
    LayerSpec("SpatialDropout1D", (("rate", REQUIRED), ("seed", None)), _same_shape, input_rank=3),
    *(LayerSpec(f"SpatialDropout{rank}D", (("rate", REQUIRED), ("data_format", None), ("seed", None)),
                _same_shape, input_rank=rank + 2) for rank in (2, 3)),
)
