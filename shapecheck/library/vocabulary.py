"""What ``adapt()`` learns from literal texts (``layer.adapt(["a b", "c"])``, or an array that
keeps its strings): the vocabulary of a TextVectorization (Keras's standardizing, splitting
and n-grams) or a StringLookup, so that ``vocabulary_size()`` and the depth of its encodings
are known. Data it cannot read leaves them unknown, as before."""

from __future__ import annotations

import re

from shapecheck.library.registry import method
from shapecheck.library.tensors import literal_texts
from shapecheck.objects import BuiltinLayer
from shapecheck.values import UNKNOWN

# Keras's DEFAULT_STRIP_REGEX: what "strip_punctuation" removes.
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_STANDARDIZE = {
    None: lambda text: text,
    "lower": str.lower,
    "strip_punctuation": lambda text: _PUNCTUATION.sub("", text),
    "lower_and_strip_punctuation": lambda text: _PUNCTUATION.sub("", text.lower()),
}
_SPLIT = {None: lambda text: [text], "whitespace": str.split, "character": list}


def _tokens(config, texts) -> set | None:
    """The distinct tokens a TextVectorization indexes from ``texts``, or None when its
    standardizing, splitting or n-grams are not ones this reads."""
    standardize, split = _STANDARDIZE.get(_key(config["standardize"])), _SPLIT.get(_key(config["split"]))
    ngrams = config["ngrams"]
    sizes = range(1, ngrams + 1) if isinstance(ngrams, int) and not isinstance(ngrams, bool) and ngrams > 0 \
        else tuple(ngrams) if isinstance(ngrams, (tuple, list)) and all(isinstance(n, int) for n in ngrams) \
        else (1,) if ngrams is None else None
    if standardize is None or split is None or sizes is None:
        return None
    found = set()
    for text in texts:
        words = split(standardize(text))
        for n in sizes:
            found.update(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
    found.discard("")
    return found


def _key(option):
    return option if option is None or isinstance(option, str) else object()  # (a callable: not read)


def _reserved(layer: BuiltinLayer) -> int | None:
    """The indices a lookup keeps before its vocabulary: the mask (padding) token and the
    out-of-vocabulary ones."""
    config = layer.config
    if layer.cls_name == "TextVectorization":
        return 2 if config["output_mode"] == "int" else 1 if isinstance(config["output_mode"], str) else None
    oov, mask = config["num_oov_indices"], config["mask_token"]
    return oov + (mask is not None) if isinstance(oov, int) else None


@method("layer", "adapt")
def _adapt(site):
    """``layer.adapt(data)``: a text layer's vocabulary, from data whose strings are known
    (capped by ``max_tokens``, which counts the reserved indices)."""
    layer = site.obj
    if not isinstance(layer, BuiltinLayer) or layer.cls_name not in ("TextVectorization", "StringLookup"):
        if isinstance(layer, BuiltinLayer) and layer.cls_name == "IntegerLookup":
            layer.config["vocabulary"] = UNKNOWN  # (learnt anew, from integers this does not read)
        return None
    texts = literal_texts(site.arg(0, "data"))
    text_layer = layer.cls_name == "TextVectorization"
    tokens = None if texts is None else _tokens(layer.config, texts) if text_layer else set(texts)
    reserved, cap = _reserved(layer), layer.config["max_tokens"]
    if tokens is None or reserved is None or not (cap is None or isinstance(cap, int)):
        layer.config["vocabulary"] = UNKNOWN
        return None
    kept = len(tokens) if cap is None else min(len(tokens), max(cap - reserved, 0))
    layer.config["vocabulary"] = sorted(tokens)[:kept]
    return None


@method("layer", "vocabulary_size")
def _vocabulary_size(site):
    """A text layer's ``vocabulary_size()``: its vocabulary and its reserved indices."""
    layer = site.obj
    if not isinstance(layer, BuiltinLayer) or layer.cls_name not in ("TextVectorization", "StringLookup"):
        return UNKNOWN
    vocabulary, reserved = layer.config["vocabulary"], _reserved(layer)
    if not isinstance(vocabulary, (list, tuple)) or reserved is None:
        return UNKNOWN
    return len(vocabulary) + reserved
