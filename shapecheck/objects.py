"""The Keras and Python objects a program builds, as the evaluator tracks them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shapecheck.layers import LayerSpec, no_weights

_MISSING = object()


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

    @property
    def params(self) -> int | None:
        weights = self.weight_shapes()
        if weights is None:
            return None
        return self.spec.params(self.config, self.build_shape) if weights else 0

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


@dataclass(eq=False)
class Operation:
    """A tensor operation in a graph (``keras.ops.concatenate``, ``x + y``, ``x[:, 0]``, an
    unmodelled function given tensors): a link of the graph, not a layer.
    ``rerun(inputs)`` computes the output for new inputs; None when it is unknown."""

    name: str
    node: Any
    rerun: Callable | None = None


@dataclass(eq=False)
class Sequential:
    node: Any
    name: str
    layers: list = field(default_factory=list)
    input_shape: tuple | None = None  # declared by Input / input_shape=
    attr: str | None = None
    cls_name: str = "Sequential"
    given_name: str | None = None  # the name= argument, if any
    broken: bool = False  # building it failed: Keras would have raised
    uncertain: bool = False  # its layers depend on a run that may not have happened


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


@dataclass(eq=False)
class UserClass:
    """A class defined in the checked file."""

    node: Any
    name: str
    bases: list
    methods: dict
    kind: str | None  # "layer" | "model" | None (a plain class)
    # Makes weights of its own (add_weight, tf.Variable): its parameter count is unknown.
    own_weights: bool = False

    def method(self, name: str):
        if name in self.methods:
            return self.methods[name]
        for base in self.bases:
            if isinstance(base, UserClass):
                found = base.method(name)
                if found is not None:
                    return found
        return None


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

    @property
    def cls_name(self) -> str:
        return self.cls.name


@dataclass(eq=False)
class UserFunction:
    node: Any
    defaults: dict  # parameter name -> default value, evaluated at definition
    self_value: Any = None  # bound instance for methods


@dataclass(eq=False)
class BoundMethod:
    """A method of a library object (``model.add``, ``ds.batch``, ``arr.astype``)."""

    obj: Any
    name: str


@dataclass(eq=False)
class Dataset:
    """A ``tf.data.Dataset``: one element's value and the number of elements."""

    element: Any
    count: int | None


@dataclass(eq=False)
class Loss:
    """A Keras loss object (``CategoricalCrossentropy()``); calling it gives a scalar."""

    name: str
    config: dict


@dataclass(eq=False)
class Super:
    """``super()`` in a method of ``instance``; Keras's own methods are skipped."""

    instance: Any


LAYER_LIKE = (BuiltinLayer, Sequential, FunctionalModel, Instance, OpaqueLayer)


def is_model(obj) -> bool:
    if isinstance(obj, (Sequential, FunctionalModel)):
        return True
    return isinstance(obj, Instance) and obj.cls.kind == "model"
