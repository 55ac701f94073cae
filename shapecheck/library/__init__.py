"""Models of the libraries model code calls: Keras, TensorFlow, NumPy and Python itself.

One module per family (``tensors``, ``data``, ``layers``, ``models``, ``training``,
``losses``, ``python``), each registering small handlers by canonical name in
``registry``; ``call`` and ``call_method`` dispatch to them. Anything without a
handler is ``UNKNOWN``.
"""

from __future__ import annotations

from shapecheck.layers import ShapeError
from shapecheck.library import signatures
from shapecheck.library.backbones import BackboneLayers
from shapecheck.library.command_line import ArgumentParser
from shapecheck.library.creation import RandomGenerator
from shapecheck.library.data import TensorSpec
from shapecheck.library.distribute import Strategy, StrategyScope
from shapecheck.library.image_folders import ImageGenerator
from shapecheck.library.layers import base_attribute
from shapecheck.library.pandas import Frame, Indexer, in_place
from shapecheck.library.registry import (
    ATTRIBUTES,
    FUNCTIONS,
    METHODS,
    VALUES,
    Site,
    argument_node,
    handler_for,
)
from shapecheck.library.sklearn import Estimator
from shapecheck.objects import (
    MISSING,
    BoundMethod,
    BuiltinLayer,
    Dataset,
    InputLayer,
    Instance,
    OpaqueLayer,
    Operation,
    Picture,
    Sequential,
    Super,
    TextFile,
    is_model,
)
from shapecheck.values import UNKNOWN, Items, Tensor, origins, substitute, tensor_leaves

# Functions that write into the array given first, and array methods that write into
# their array: what was known of its values is gone.
_WRITES_FIRST = frozenset({"numpy.random.shuffle", "random.shuffle", "numpy.copyto", "numpy.put",
                           "numpy.place", "numpy.putmask", "numpy.fill_diagonal"})
_WRITING_METHODS = frozenset({"fill", "put", "itemset", "resize", "sort", "partition"})


def call(ev, name: str, args, kwargs, node):
    """The result of calling the library function or class ``name``."""
    for array in (kwargs.get("out"), args[0] if args and name in _WRITES_FIRST else None):
        if isinstance(array, Tensor):
            array.forget_values()
    handler = handler_for(name)
    if handler is None:
        return ev.unmodelled(name, args, kwargs, node)
    unexpected = signatures.unexpected_keyword(name, kwargs)
    if unexpected is not None:  # Python raises TypeError before the function runs
        keyword, message = unexpected
        ev.fact("unknown-argument", argument_node(node, keyword), message)
        return UNKNOWN
    try:
        result = handler(Site(ev, name, args, kwargs, node))
    except ShapeError as error:
        ev.fact(error.kind, node, error.message, related=origins(args, kwargs))
        return UNKNOWN
    if not isinstance(result, Tensor):
        return result
    if name.startswith("numpy."):
        result.numpy = True
    inputs = tensor_leaves(args, kwargs)

    def rerun(new):
        mapping = {id(old): value for old, value in zip(inputs, new)}
        return call(ev, name, substitute(args, mapping), substitute(kwargs, mapping), node)
    return ev.operation(Operation(name, node, rerun), inputs, result) if inputs else result


# Receivers of one kind each, by the type of the object.
_KINDS = ((Tensor, "tensor"), (list, "list"), (dict, "dict"), (set, "set"), (Items, "items"), (str, "str"),
          (Dataset, "dataset"),
          (Picture, "picture"), (TextFile, "textfile"), (ImageGenerator, "imagegen"),
          (ArgumentParser, "argparser"), (Estimator, "estimator"), (Frame, "frame"), (RandomGenerator, "rng"),
          (TensorSpec, "tensorspec"), (Strategy, "strategy"),
          (Indexer, "indexer"), (Super, "super"), (BackboneLayers, "backbonelayers"),
          ((BuiltinLayer, OpaqueLayer, InputLayer), "layer"))


def kinds_of(obj):
    """The receiver kinds whose methods apply to ``obj``, most specific first."""
    for types, kind in _KINDS:
        if isinstance(obj, types):
            return (kind,)
    if isinstance(obj, Sequential):
        return ("sequential", "model", "layer")
    if is_model(obj):
        return ("model", "layer")
    if isinstance(obj, Instance) and obj.cls.kind == "layer":
        return ("layer",)
    return ()


def get_attribute(ev, obj, name: str, node):
    """``obj.name`` for a tracked object: a modelled attribute, else its method (``MISSING``
    when ``obj`` has neither)."""
    kinds = kinds_of(obj)
    for kind in kinds:
        handler = ATTRIBUTES.get((kind, name))
        if handler is not None:
            return handler(Site(ev, name, [], {}, node, obj))
    if isinstance(obj, BuiltinLayer):  # what Keras keeps of its arguments (``dense.units``)
        value = base_attribute(obj, name)
        if value is not MISSING:
            return value
    return BoundMethod(obj, name) if kinds else MISSING


def has_method(obj, name: str) -> bool:
    """Whether a handler models ``obj.name(...)`` (``__getitem__``: ``obj[index]``)."""
    return any((kind, name) in METHODS for kind in kinds_of(obj))


def call_method(ev, obj, name: str, args, kwargs, node):
    """The result of ``obj.name(*args, **kwargs)`` for a tracked object."""
    if isinstance(obj, Frame) and kwargs.get("inplace") is True:  # df.drop(..., inplace=True)
        ev.touch(obj)
        kwargs = {key: value for key, value in kwargs.items() if key != "inplace"}
        return in_place(obj, call_method(ev, obj, name, args, kwargs, node))
    kinds = kinds_of(obj)
    if kinds[:1] in (("list",), ("dict",), ("set",), ("sequential",), ("frame",)):
        ev.touch(obj)  # the method may change it
    elif isinstance(obj, Tensor) and name in _WRITING_METHODS:
        obj.forget_values()
    for kind in kinds:
        handler = METHODS.get((kind, name))
        if handler is not None:
            try:
                return handler(Site(ev, name, args, kwargs, node, obj))
            except ShapeError as error:
                ev.fact(error.kind, node, error.message, related=origins(obj, args, kwargs))
                return UNKNOWN
    if kinds == ("dataset",):
        return Dataset(UNKNOWN, None)
    return None if kinds == ("super",) else UNKNOWN


def entered(value):
    """What ``with value as name`` binds: a file itself, anything else UNKNOWN."""
    return value if isinstance(value, TextFile) else UNKNOWN


def distributes(value) -> bool:
    """Whether ``with value:`` enters a distribution strategy's scope."""
    return isinstance(value, StrategyScope)


def library_value(ev, name: str):
    """The value of the library object ``name`` in this run, else ``MISSING``."""
    handler = VALUES.get(name)
    return MISSING if handler is None else handler(ev)


def is_known(name: str) -> bool:
    """True for the API names a handler models (star imports resolve through it)."""
    if name in FUNCTIONS:
        return True
    last = name.rsplit(".", 1)[-1]
    return name.startswith(("keras.layers.", "keras.losses.")) and last[:1].isupper()


from shapecheck.library import (  # noqa: E402,F401,I001  (each registers its handlers)
    backbones, command_line, creation, data, display, distribute, image_files, image_folders, keras_api,
    layers, losses, models, ops, optimizers, pandas, python, saving, sklearn, sklearn_datasets, tensors,
    testing, training, vocabulary)
