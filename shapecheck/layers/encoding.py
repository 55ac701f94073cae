"""Preprocessing of text and categories: TextVectorization, the lookups, Hashing,
CategoryEncoding, Discretization (Keras's own ``compute_output_shape`` of each; none has
weights). A vocabulary learnt by ``adapt()`` has a size only the data knows."""

from __future__ import annotations

from shapecheck.layers import REQUIRED, LayerSpec, register
from shapecheck.layers._util import size
from shapecheck.values import UNKNOWN


def _mode(config):
    mode = config["output_mode"]
    return mode if isinstance(mode, str) else UNKNOWN


def _encoded(mode, shape, depth):
    """A lookup's output: ``int`` keeps the shape, ``one_hot`` adds (or replaces a last 1
    with) the depth, ``multi_hot`` / ``count`` / ``tf_idf`` replace the last axis by it."""
    if mode == "int":
        return shape
    if mode is UNKNOWN:
        return UNKNOWN
    if mode == "one_hot":
        return (*shape[:-1], depth) if len(shape) > 1 and shape[-1] == 1 else (*shape, depth)
    return (*shape[:-1], depth)


def _vocabulary_depth(config):
    """The number of values a lookup encodes: ``max_tokens`` when padded to it, else the
    given vocabulary and its out-of-vocabulary indices (an adapted one: unknown)."""
    if config.get("pad_to_max_tokens") is True:
        return size(config["max_tokens"])
    vocabulary, oov = config["vocabulary"], config["num_oov_indices"]
    if isinstance(vocabulary, (list, tuple)) and isinstance(oov, int):
        return len(vocabulary) + oov
    return UNKNOWN


def _lookup(config, shape):
    return _encoded(_mode(config), shape, _vocabulary_depth(config))


def _text_vectorization(config, shape):
    mode = _mode(config)
    if mode == "int":
        length = config["output_sequence_length"]
        return (shape[0] if shape else UNKNOWN, None if length is None else size(length))
    if config["split"] is None:
        shape = (*shape, 1) if len(shape) <= 1 else shape
    else:
        shape = (*shape, None)
    vocabulary = config["vocabulary"]  # (given, or learnt by adapt: then no mask token)
    depth = size(config["max_tokens"]) if config["pad_to_max_tokens"] is True else \
        len(vocabulary) + 1 if isinstance(vocabulary, (list, tuple)) else UNKNOWN
    return _encoded(mode, shape, depth)


def _hashing(config, shape):
    mode = _mode(config)
    if mode in ("int", UNKNOWN):
        return shape if mode == "int" else UNKNOWN
    return (*shape[:-1], size(config["num_bins"])) if shape else (size(config["num_bins"]),)


def _category_encoding(config, shape):
    mode, tokens = _mode(config), size(config["num_tokens"])
    if mode is UNKNOWN:
        return UNKNOWN
    if not shape:
        return (tokens,)
    if mode == "one_hot" and (shape[-1] != 1 or len(shape) == 1):
        return (*shape, tokens)
    return (*shape[:-1], tokens)


def _discretization(config, shape):
    mode, boundaries = _mode(config), config["bin_boundaries"]
    if mode == "int":
        return shape
    depth = len(boundaries) + 1 if isinstance(boundaries, (list, tuple)) else \
        size(config["num_bins"]) if boundaries is None else UNKNOWN
    if mode == "one_hot":
        return _encoded(mode, shape, depth)
    if mode is UNKNOWN:
        return UNKNOWN
    return (shape[0], *shape[2:], depth) if len(shape) >= 2 else (depth,)


_LOOKUP = (("max_tokens", None), ("num_oov_indices", 1), ("mask_token", None))
register(
    LayerSpec("TextVectorization", (
        ("max_tokens", None), ("standardize", "lower_and_strip_punctuation"), ("split", "whitespace"),
        ("ngrams", None), ("output_mode", "int"), ("output_sequence_length", None),
        ("pad_to_max_tokens", False), ("vocabulary", None), ("idf_weights", None), ("sparse", False),
        ("ragged", False), ("encoding", "utf-8")), _text_vectorization),
    LayerSpec("StringLookup", (
        *_LOOKUP, ("oov_token", "[UNK]"), ("vocabulary", None), ("idf_weights", None), ("invert", False),
        ("output_mode", "int"), ("pad_to_max_tokens", False), ("sparse", False), ("encoding", "utf-8"),
        ("salt", None)), _lookup),
    LayerSpec("IntegerLookup", (
        *_LOOKUP, ("oov_token", -1), ("vocabulary", None), ("vocabulary_dtype", "int64"),
        ("idf_weights", None), ("invert", False), ("output_mode", "int"), ("sparse", False),
        ("pad_to_max_tokens", False), ("oov_method", "floormod"), ("salt", None)), _lookup),
    LayerSpec("Hashing", (("num_bins", REQUIRED), ("mask_value", None), ("salt", None),
                          ("output_mode", "int"), ("sparse", False)), _hashing),
    LayerSpec("CategoryEncoding", (("num_tokens", None), ("output_mode", "multi_hot"), ("sparse", False)),
              _category_encoding),
    LayerSpec("Discretization", (("bin_boundaries", None), ("num_bins", None), ("epsilon", 0.01),
                                 ("output_mode", "int"), ("sparse", False)), _discretization),
)
