"""The Keras and Python objects a program builds, as the evaluator tracks them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from shapecheck.layers import LayerSpec, ShapeError, no_weights

MISSING = object()  # no such attribute


@dataclass(eq=False)
class BuiltinLayer:
    """An instance of a Keras layer class; ``spec`` is None for a layer shapecheck does not model."""

    cls_name: str
    spec: LayerSpec | None
    config: dict
    node: Any
    name: str
    attr: str | None = None  # the attribute a Layer/Model holds it under
    build_shape: Any = None  # the input shape it was built with (None: unknown)
    built: bool = False
    maybe_built: bool = False  # built in a run that may not have happened (count unknown)

    @property
    def params(self) -> int | None:
        weights = self.weight_shapes()
        if weights is None:
            return None
        return self.spec.params(self.config, self.build_shape) if weights else 0

    def output_for(self, shape):
        """What the layer makes of an input of ``shape``; None where its class is not
        modelled or Keras would raise (applying the layer reports that)."""
        if self.spec is None:
            return None
        try:
            return self.spec.output(self.config, tuple(shape))
        except ShapeError:
            return None

    def weight_shapes(self) -> list | None:
        if self.spec is None or not self.built:
            return None
        if self.build_shape is None:  # built on an input of unknown shape
            return [] if self.spec.weights is no_weights else None
        return self.spec.weights(self.config, self.build_shape)


@dataclass(eq=False)
class OpaqueLayer:
    """An object of a class shapecheck does not model (``FancyBlock(16)`` from another
    module, a third-party layer): used as a layer, its output and weights are unknown."""

    cls_name: str
    node: Any
    name: str
    attr: str | None = None
    built: bool = False
    given_name: str | None = None
    keras: bool = False  # a class of Keras itself (one not modelled): surely a layer


@dataclass(eq=False)
class InputLayer:
    """The layer ``keras.Input`` makes (``model.layers[0]`` of a functional model)."""

    tensor: Any
    name: str
    node: Any = None
    cls_name: str = "InputLayer"


@dataclass(eq=False)
class Operation:
    """A tensor operation in a graph (``keras.ops.concatenate``, ``x + y``, ``x[:, 0]``, an
    unmodelled function given tensors): a link of the graph, not a layer.
    ``rerun(inputs)`` computes the output for new inputs; None when it is unknown (then the
    operation may also have made layers: the model's parameter count is unknown)."""

    name: str
    node: Any
    rerun: Callable | None = None


@dataclass(eq=False)
class Sequential:
    node: Any
    name: str
    layers: list = field(default_factory=list)
    input_shape: tuple | None = None  # declared by Input / input_shape=
    input_origin: tuple | None = None  # (node, words): where, for a finding's second place
    attr: str | None = None
    cls_name: str = "Sequential"
    given_name: str | None = None  # the name= argument, if any
    broken: bool = False  # building it failed: Keras would have raised
    uncertain: bool = False  # its layers depend on a run that may not have happened
    built: bool = False  # by a declared input, build() or its first call
    build_call: Any = None  # the LayerCall that built it last, where Keras made its functional model


@dataclass(eq=False)
class FunctionalModel:
    node: Any
    name: str
    inputs: list
    outputs: Any  # a Tensor or a list of Tensors
    calls: list  # the LayerCalls from inputs to outputs, in order
    attr: str | None = None
    cls_name: str = "Functional"
    given_name: str | None = None
    leaf: bool = False  # a library's model (keras.applications): listed without its layers
    user_class: Any = None  # the file's keras.Model subclass made as CustomModel(inputs, outputs)
    attrs: dict = field(default_factory=dict)  # what that class's __init__ set on self
    application: Any = None  # the keras.applications call that made it, for get_layer
    layers: list = field(default_factory=list)  # its layers in the order of ``model.layers``


@dataclass(eq=False)
class UserClass:
    """A class defined in the checked file."""

    node: Any
    name: str
    bases: list
    methods: dict
    kind: str | None  # "layer" | "model" | None (a plain class)
    # Makes weights shapecheck does not follow (a keras.Variable): its count is unknown.
    own_weights: bool = False
    attrs: dict = field(default_factory=dict)  # class attributes (``filters = 32``)
    keras_base: str | None = None  # the Keras layer it extends (``keras.layers.Conv2D``)

    def mro(self):
        """This class, then its bases of the file, depth first."""
        yield self
        for base in self.bases:
            if isinstance(base, UserClass):
                yield from base.mro()

    def method(self, name: str):
        return next((cls.methods[name] for cls in self.mro() if name in cls.methods), None)

    def attribute(self, name: str):
        """A class attribute, also of a base class; ``MISSING`` if there is none."""
        return next((cls.attrs[name] for cls in self.mro() if name in cls.attrs), MISSING)


@dataclass(eq=False)
class Instance:
    """An instance of a class defined in the file (often a Layer or Model subclass)."""

    cls: UserClass
    node: Any
    name: str
    attrs: dict = field(default_factory=dict)
    attr: str | None = None
    given_name: str | None = None  # name= given to the constructor or super().__init__
    built: bool = False  # applied to an input at least once
    weights: list = field(default_factory=list)  # what add_weight made (Tensors)
    declared_input: tuple | None = None  # input_shape= passed on to Keras's Layer
    base_layer: Any = None  # the Keras layer it extends, as its __init__ made it (a BuiltinLayer)
    arguments: tuple = ((), {})  # what its constructor was given: (args, kwargs)

    @property
    def cls_name(self) -> str:
        return self.cls.name


@dataclass(eq=False)
class UserFunction:
    """A function or method of the file; ``closure`` is the frame of the function it was
    defined in (its free names are read there), ``kind`` a method's decorator."""

    node: Any
    defaults: dict  # parameter name -> default value, evaluated at definition
    self_value: Any = None  # bound instance for methods
    closure: dict | None = None
    module_globals: dict | None = None  # the globals of the file that defines it
    kind: str = "function"  # "function" | "property" | "staticmethod" | "classmethod"
    owner: Any = None  # the class of the file that defines it as a method

    def bound(self, obj) -> UserFunction:
        """The method bound to ``obj`` (an instance, or its class for a classmethod)."""
        if self.kind == "staticmethod":
            return self
        owner = obj.cls if self.kind == "classmethod" and isinstance(obj, Instance) else obj
        return replace(self, self_value=owner)


@dataclass(eq=False)
class Partial:
    """``functools.partial(func, *args, **kwargs)``: calling it calls ``func`` with these
    arguments first (``RegularizedDense = partial(Dense, activation="elu")``)."""

    func: Any
    args: list
    kwargs: dict


@dataclass(eq=False)
class BoundMethod:
    """A method of a library object (``model.add``, ``ds.batch``, ``arr.astype``)."""

    obj: Any
    name: str


@dataclass(eq=False)
class Generator:
    """What calling a generator function of the file gives: its body runs (to the first
    ``yield``) when the generator is iterated, with these arguments."""

    function: Any
    args: list
    kwargs: dict


@dataclass(eq=False)
class Dataset:
    """A ``tf.data.Dataset``: its first element's value and the number of elements.
    ``batched``: its elements are batches; ``fixed_batch``: batched with
    ``drop_remainder=True``, so a traced function (fit, map) sees the batch size; otherwise
    it sees None."""

    element: Any
    count: int | None
    fixed_batch: bool = False
    batched: bool = False
    spec: Any = None  # the element as a traced function sees it, where it differs (after map)


@dataclass(eq=False)
class Picture:
    """A PIL image (``keras.utils.load_img``, ``PIL.Image.open``): its ``height`` and
    ``width`` (dims) and PIL ``mode`` (UNKNOWN where not known)."""

    height: Any
    width: Any
    mode: Any

    def array(self) -> tuple[tuple | None, str | None]:
        """(shape, dtype) of ``np.asarray(image)``: (height, width) for a one-band mode,
        with a channel axis for the others; a shape of None for a mode not known."""
        if self.mode in _ONE_BAND:
            return (self.height, self.width), _ONE_BAND[self.mode]
        if self.mode in _BANDS:
            return (self.height, self.width, _BANDS[self.mode]), "uint8"
        return None, None


# PIL modes and what their arrays hold: one band (and its dtype), or several 8-bit bands.
_ONE_BAND = {"1": "bool", "L": "uint8", "P": "uint8", "I": "int32", "F": "float32"}
_BANDS = {"LA": 2, "RGB": 3, "YCbCr": 3, "LAB": 3, "HSV": 3, "RGBA": 4, "CMYK": 4}


@dataclass(eq=False)
class Loss:
    """A Keras loss object (``CategoricalCrossentropy()``); calling it gives a scalar."""

    name: str
    config: dict


@dataclass(eq=False)
class Saved:
    """A model's description (``to_json()``, ``get_config()``): what it rebuilds."""

    model: Any


@dataclass(eq=False)
class TextFile:
    """A file the program opened with ``open(path, mode)``; ``path`` None: not known."""

    path: str | None
    mode: str


@dataclass(eq=False)
class Checkpoint:
    """``keras.callbacks.ModelCheckpoint(path)``: fit() saves the whole model to ``path``
    (None: it saves something else, or to a path shapecheck does not know)."""

    path: str | None


@dataclass(eq=False)
class Super:
    """``super()`` in a method that ``cls`` defines, run on ``instance``: the methods of the
    file's classes after ``cls`` in the instance's class hierarchy; Keras's own (the end of
    the chain) are modelled only for what they record (``name=``, ``input_shape=``)."""

    instance: Any
    cls: Any = None

    def method(self, name: str):
        """The next method ``name`` of the file's classes, bound to the instance, or None."""
        if not isinstance(self.instance, Instance):
            return None
        chain = list(self.instance.cls.mro())
        after = chain[chain.index(self.cls) + 1:] if self.cls in chain else []
        found = next((cls.methods[name] for cls in after if name in cls.methods), None)
        return None if found is None else found.bound(self.instance)


LAYER_LIKE = (BuiltinLayer, Sequential, FunctionalModel, Instance, OpaqueLayer)


def is_model(obj) -> bool:
    if isinstance(obj, (Sequential, FunctionalModel)):
        return True
    return isinstance(obj, Instance) and obj.cls.kind == "model"


def params_of(obj):
    """Trainable + non-trainable parameters as Keras counts them; None if unbuilt or unknown."""
    built, count = _count(obj, set())
    return count if built else None


def _union_of_cuts(parts):
    """``parts`` with the cuts of one application (``get_layer(name)`` of a backbone, the
    backbone itself) that hold each other's layers counted once: the deepest one holds
    every layer before it when every path goes through it; else None (not known)."""
    cuts: dict[int, list] = {}
    for part in parts:
        if isinstance(part, BuiltinLayer) and "cut" in part.config:
            group = cuts.setdefault(id(part.config["cut"][0]), [])
            if all(part is not other for other in group):
                group.append(part)
    for group in cuts.values():
        if len(group) > 1:
            deepest = max(group, key=lambda layer: layer.config["cut"][1].index)
            if not deepest.config["cut"][1].through_all:
                return None
            parts = [part for part in parts if part is deepest or all(part is not g for g in group)]
    return parts


def _count(obj, seen):
    """(built, parameter count) over distinct layers; an unbuilt sublayer adds nothing."""
    if id(obj) in seen:
        return True, 0
    seen.add(id(obj))
    if isinstance(obj, BuiltinLayer):
        if obj.maybe_built and not obj.built:
            return True, None
        inner = obj.config.get("layer")
        if isinstance(inner, LAYER_LIKE) and not isinstance(inner, BuiltinLayer):  # a wrapped model
            built, count = _count(inner, seen)
            copies = 2 if obj.cls_name == "Bidirectional" else 1
            return obj.built, None if count is None else count * copies
        return obj.built, obj.params if obj.built else 0
    if isinstance(obj, OpaqueLayer):
        return obj.built, None
    if isinstance(obj, Sequential):
        if obj.uncertain:
            return True, None
        parts = obj.layers
    elif isinstance(obj, FunctionalModel):
        parts = _union_of_cuts([record.layer for record in obj.calls])
        if parts is None or any(isinstance(part, Operation) and part.rerun is None for part in parts):
            return True, None  # an unmodelled function in the graph may have made layers
    elif isinstance(obj, Instance):
        parts = list(_tracked(obj.attrs.values()))
    else:
        return False, None
    built = isinstance(obj, Instance) and obj.built
    total = 0
    if isinstance(obj, Instance):
        total = None if obj.cls.own_weights else _size(obj.weights)
        if obj.cls.keras_base is not None:  # the weights of the Keras layer it extends
            base = obj.base_layer.params if obj.base_layer is not None else None
            total = None if total is None or base is None else total + base
    for part in parts:
        part_built, count = _count(part, seen)
        if part_built:
            built = True
            total = None if total is None or count is None else total + count
    return built, total


def _size(weights) -> int | None:
    """The number of values in tensors of known shape, else None."""
    total = 0
    for weight in weights:
        if weight.shape is None or not all(isinstance(d, int) for d in weight.shape):
            return None
        size = 1
        for d in weight.shape:
            size *= d
        total += size
    return total


def _tracked(values):
    """The layers an object's attributes hold (directly or in lists and dicts)."""
    for value in values:
        if isinstance(value, (BuiltinLayer, Sequential, FunctionalModel, Instance)):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from _tracked(value)
        elif isinstance(value, dict):
            yield from _tracked(value.values())
