"""Models made from other models: ``clone_model``, ``to_json`` / ``model_from_json``,
``get_config`` / ``from_config``, ``save`` (or a ``ModelCheckpoint`` in ``fit``) /
``load_model``, within one run; a description written to a text file (``open(path,
"w").write(model.to_json())``) is read back from it. Keras 3 saves a model to a ``.keras``
(or legacy ``.h5``) file and weights to a ``.weights.h5`` one only, and raises on any other
path (Keras 2's ``save_weights("w.h5")``, a SavedModel folder); ``tf.saved_model.save`` and
the TFLite converter trace the model (a Sequential: the functional model Keras made of it).

Each copy has the architecture and the names of the model it copies (Keras passes the
model's name on). shapecheck copies Sequential models of Keras layers and of the file's
own layers (remade from their constructor's arguments, as Keras remakes them from the
config those give, when the arguments are plain data), and functional models of Keras
layers; anything else (a subclassed model) gives UNKNOWN.
"""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from shapecheck.library.models import build
from shapecheck.library.registry import Site, function, method
from shapecheck.objects import (
    BuiltinLayer,
    Checkpoint,
    FunctionalModel,
    Instance,
    Operation,
    Saved,
    Sequential,
    TextFile,
)
from shapecheck.values import UNKNOWN, ApiRef, LayerCall, Tensor

_FORMATS = (".keras", ".h5", ".hdf5")  # what model.save() writes a whole model to


def copy_of(ev, model, node):
    """A new model with ``model``'s architecture and names, made at ``node``, else UNKNOWN."""
    if isinstance(model, Saved):
        model = model.model
    where = ev.here(node)
    if isinstance(model, Sequential) and not model.uncertain and not model.broken and all(
            isinstance(layer, BuiltinLayer) and layer.spec is not None or _remakeable(layer)
            for layer in model.layers):
        first = ev.first_calls.get(id(model))
        shape = model.input_shape or (first.input_shape if first is not None else None)
        twin = Sequential(where, model.name, given_name=model.name, input_shape=shape,
                          layers=[_copy_layer(ev, layer, node) for layer in model.layers])
        ev.objects.append(twin)
        if shape is not None and twin.layers:  # a built model's copy has its InputLayer
            build(ev, twin, shape, node)
        return twin
    if isinstance(model, FunctionalModel) and model.user_class is None and not model.leaf and all(
            isinstance(record.layer, (BuiltinLayer, Operation)) for record in model.calls):
        copies = {id(record.layer): replace(record.layer, node=where)
                  for record in model.calls if isinstance(record.layer, BuiltinLayer)}
        calls = [replace(record, layer=copies.get(id(record.layer), record.layer))
                 for record in model.calls]
        twin = replace(model, node=where, given_name=model.name, attr=None, calls=calls,
                       layers=[copies.get(id(layer), layer) for layer in model.layers])
        ev.objects.append(twin)
        return twin
    return UNKNOWN


def _remakeable(layer) -> bool:
    """A layer of the file's own class whose constructor was given plain data only."""
    args, kwargs = layer.arguments if isinstance(layer, Instance) else (None, None)
    return args is not None and layer.cls.kind == "layer" and _plain([*args, *kwargs.values()])


def _plain(value) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return value is None or isinstance(value, (bool, int, float, str, ApiRef))


def _copy_layer(ev, layer, node):
    """A new, unbuilt layer like ``layer``, with its name."""
    if isinstance(layer, Instance):
        args, kwargs = layer.arguments
        return ev.instantiate(layer.cls, list(args), dict(kwargs), node, name=layer.name)
    return replace(layer, node=ev.here(node), built=False, build_shape=None, maybe_built=False)


@function("keras.models.clone_model")
def _clone_model(site):
    return copy_of(site.ev, site.arg(0, "model"), site.node)


@method("model", "to_json", "get_config")
def _describe(site):
    return Saved(site.obj)


@function("keras.models.model_from_json", "keras.models.model_from_config",
          "keras.saving.deserialize_keras_object", "keras.Sequential.from_config",
          "keras.Model.from_config")
def _from_description(site):
    return copy_of(site.ev, site.arg(0, "config"), site.node)


@method("model", "save")
def _save(site):
    if _keras3_path(site, 0, weights=False):
        _remember(site.ev, site.obj, site.arg(0, "filepath", None))


@function("keras.models.save_model", "keras.saving.save_model")
def _save_model(site):
    if _keras3_path(site, 1, weights=False):
        _remember(site.ev, site.arg(0, "model"), site.arg(1, "filepath", None))


@method("model", "save_weights")
def _save_weights(site):
    if "max_shard_size" not in site.kwargs:
        _keras3_path(site, 0, weights=True)


_WEIGHTS = ".weights.h5"


def _keras3_path(site: Site, index: int, weights: bool, what: str | None = None) -> bool:
    """Whether the file path argument at ``index`` (``filepath=``) is one Keras 3 saves to, or
    is not known; a finding at it where Keras raises ValueError. ``weights``: the weights
    only; ``what``: who raises (the method called, by default)."""
    path = site.arg(index, "filepath", None)
    if not isinstance(path, str) or path.startswith("hf://") or "zipped" in site.kwargs or (
            path.endswith(_WEIGHTS) if weights else path.endswith(_FORMATS)):
        return True
    where = site.argument_node(index, "filepath")
    stem, dot, suffix = path.rpartition(".")
    plain = not dot or "/" in suffix  # (no extension)
    if weights:
        new = (path if plain else stem) + _WEIGHTS
        said = f"it must end in `{_WEIGHTS}`"
    else:
        new = path.rstrip("/") + ".keras" if plain else None
        said = "it must end in `.keras` (or the legacy `.h5`); a TensorFlow SavedModel is model.export(path)"
    site.ev.fact("unknown-argument", where,
                 f"Keras 3's {what or site.name} raises ValueError for the file path {path!r}: {said}"
                 + (f"; write {new!r}" if new else ""), _literal_fix(where, path, new))
    return False


def _literal_fix(arg, path: str, new: str | None):
    """The fix that writes ``new`` for the plain string literal ``path`` of the argument
    ``arg``, else None."""
    value = getattr(arg, "value", None)
    if new is None or not isinstance(value, cst.SimpleString) or value.prefix or \
            value.evaluated_value != path or value.quote not in ('"', "'") or value.quote in new:
        return None
    text = value.quote + new + value.quote
    return f"Write {text}", ((value, value, text),)


def _remember(ev, model, path) -> None:
    if isinstance(path, str) and path.endswith(_FORMATS):
        ev.saved[path] = model


@function("keras.callbacks.ModelCheckpoint")
def _model_checkpoint(site):
    path, only = site.arg(0, "filepath", None), site.arg(4, "save_weights_only", False)
    if isinstance(only, bool) and not _keras3_path(site, 0, weights=only, what="ModelCheckpoint"):
        return UNKNOWN
    whole = only is False
    return Checkpoint(path if whole and isinstance(path, str) and "{" not in path else None)


def checkpoints(ev, model, callbacks) -> None:
    """``fit(callbacks=[...])``: each ModelCheckpoint saves the model (at least once, as
    ``save_best_only`` does on the first epoch)."""
    for callback in callbacks if isinstance(callbacks, (list, tuple)) else ():
        if isinstance(callback, Checkpoint):
            _remember(ev, model, callback.path)


@function("keras.models.load_model", "keras.saving.load_model")
def _load_model(site):
    path = site.arg(0, "filepath", None)
    model = site.ev.saved.get(path) if isinstance(path, str) else None
    return UNKNOWN if model is None or isinstance(model, Saved) else copy_of(site.ev, model, site.node)


@function("builtins.open")
def _open(site):
    path, mode = site.arg(0, "file", None), site.arg(1, "mode", "r")
    return TextFile(path if isinstance(path, str) else None, mode if isinstance(mode, str) else "")


@method("textfile", "write")
def _write(site):
    """Writing a model's description (``to_json()``) keeps it as the file's text."""
    file, text = site.obj, site.arg(0, "s", None)
    if file.path is not None and ("w" in file.mode or "a" in file.mode):
        if isinstance(text, Saved) and "w" in file.mode and "b" not in file.mode:
            site.ev.saved[file.path] = text
        else:  # anything else written there: the file no longer holds a description
            site.ev.saved.pop(file.path, None)
    return UNKNOWN


@method("textfile", "read")
def _read(site):
    """A file's text: the model description the program wrote there, else UNKNOWN."""
    file = site.obj
    text = site.ev.saved.get(file.path) if file.path is not None and set(file.mode) <= set("rt") else None
    return text if isinstance(text, Saved) else UNKNOWN


@method("textfile", "close")
def _close(site):
    return None


@function("tensorflow.saved_model.save", "tensorflow.lite.TFLiteConverter.from_keras_model")
def _traced(site):
    """A SavedModel export or a TFLite conversion traces the model: a Sequential runs the
    functional model Keras made of its layers where it last built it, on that input."""
    model = site.arg(0, "obj" if site.name.endswith(".save") else "model")
    built = model.build_call if isinstance(model, Sequential) and not model.broken else None
    if built is not None and isinstance(built.output, Tensor):
        inner = FunctionalModel(built.node, "functional", list(built.inputs), built.output,
                                list(built.children))
        site.ev.record_call(LayerCall(inner, built.node, built.input_shape, built.output_shape,
                                      inputs=list(built.inputs), output=built.output,
                                      children=list(built.children)))
    return None if site.name.endswith(".save") else UNKNOWN
