"""Calls: of library names, of the file's own functions and classes, of layers."""

from __future__ import annotations

import re
from collections import ChainMap
from typing import Any

import libcst as cst

from shapecheck import library
from shapecheck.interpret.control import (
    MAX_DEPTH,
    MAX_STEPS,
    Break,
    Continue,
    MaybeJumped,
    Return,
    Yielded,
)
from shapecheck.library import tensors
from shapecheck.library.losses import apply_loss
from shapecheck.objects import (
    LAYER_LIKE,
    BoundMethod,
    FunctionalModel,
    Generator,
    Instance,
    Loss,
    OpaqueLayer,
    Operation,
    Partial,
    Super,
    UserClass,
    UserFunction,
)
from shapecheck.values import UNKNOWN, ApiRef, Tensor, tensor_leaves
from shapecheck.walk import walk


def snake_case(name: str) -> str:
    """Keras's automatic layer-name stem (``MaxPooling2D`` -> ``max_pooling2d``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()



class Calls:
    """Function calls, user functions' frames, and class instantiation."""

    # -------------------------------------------------------------------- calls
    def here(self, node):
        """``node`` if it is in this file, else the call in this file that led to it (code
        of another file of the project, run from here)."""
        if node in self.positions or not self.sites:
            return node
        return self.sites[-1]

    def eval_Call(self, node, frame):
        own = node in self.positions
        if own:
            self.sites.append(node)
        try:
            return self._eval_call(node, frame)
        finally:
            if own:
                self.sites.pop()

    def _eval_call(self, node, frame):
        function = self.eval(node.func, frame)
        if function == ApiRef("builtins.super"):
            owner = frame.get("__class__")
            return Super(frame.get("self"), owner)
        args, kwargs = [], {}
        for arg in node.args:
            value = self.eval(arg.value, frame)
            if arg.star == "*":
                if not isinstance(value, (list, tuple)):
                    return UNKNOWN
                args.extend(value)
            elif arg.star == "**":
                if not isinstance(value, dict):
                    return UNKNOWN
                kwargs.update(value)
            elif arg.keyword is not None:
                kwargs[arg.keyword.value] = value
            else:
                args.append(value)
        return self.call(function, args, kwargs, node)

    def call(self, function, args, kwargs, node):
        if isinstance(function, ApiRef):
            return library.call(self, function.name, args, kwargs, node)
        if isinstance(function, UserClass):
            return self.instantiate(function, args, kwargs, node)
        if isinstance(function, UserFunction):
            return self.call_function(function, args, kwargs)
        if isinstance(function, LAYER_LIKE):
            if isinstance(function, Instance) and function.cls.kind is None:
                method = function.cls.method("__call__")
                if method is None:
                    return UNKNOWN
                return self.call_function(method.bound(function), args, kwargs)
            return self.apply(function, args, kwargs, node)
        if isinstance(function, BoundMethod):
            return library.call_method(self, function.obj, function.name, args, kwargs, node)
        if isinstance(function, Partial):
            return self.call(function.func, [*function.args, *args], {**function.kwargs, **kwargs}, node)
        if isinstance(function, Loss):
            return apply_loss(self, function, args, kwargs, node)
        return self.unmodelled(None, args, kwargs, node)

    def unmodelled(self, name: str | None, args, kwargs, node):
        """A call shapecheck does not model (of the library function or class ``name``, or
        of an unknown value): an object of an unknown class is an ``OpaqueLayer`` (it may
        be used as a layer); a function given tensors makes a tensor of unknown shape,
        still linked to them in a graph; anything else is UNKNOWN."""
        self.gap(name or "a call of an unknown value", node)
        rejected = name and tensors.unmodelled_tf_rejects(self, name, args, kwargs)
        if rejected:
            self.fact("keras-tensor-in-tf-function", node, rejected)
            return UNKNOWN
        last = (name or "").rsplit(".", 1)[-1]
        if last[:1].isupper():
            layer = OpaqueLayer(last, self.here(node), self.auto_name(last, kwargs),
                                keras=(name or "").startswith("keras."))
            if isinstance(kwargs.get("name"), str):
                layer.given_name = kwargs["name"]
            return layer
        inputs = tensor_leaves(args, kwargs)
        if not inputs:
            return UNKNOWN
        return self.operation(Operation(name or "?", node), inputs, Tensor(None))

    def gap(self, construct: str, node) -> None:
        """Note a construct that left something unknown (``-v`` and the benchmarks list them)."""
        self.gaps.append((construct, node))

    def eval_Lambda(self, node, frame):
        return self._function(node, frame)

    def _function(self, node, frame) -> UserFunction:
        defaults = {}
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.default is not None:
                defaults[param.name.value] = self.eval(param.default, frame)
        kind = "function"
        for decorator in getattr(node, "decorators", ()):
            if isinstance(decorator.decorator, cst.Name) and decorator.decorator.value in (
                    "property", "staticmethod", "classmethod"):
                kind = decorator.decorator.value
        return UserFunction(node, defaults, closure=None if frame is self.globals else frame,
                            module_globals=self.globals, kind=kind)

    def call_function(self, function: UserFunction, args, kwargs, generating=False):
        """The result of a function of the file on these arguments: what it returns, or a
        ``Generator`` for a generator function (``generating``: run its body to the first
        ``yield`` instead, which is then the result)."""
        if self._depth >= MAX_DEPTH or self._steps > MAX_STEPS:
            return UNKNOWN
        node = function.node
        if not generating and self.is_generator(node):
            return Generator(function, list(args), dict(kwargs))
        params = node.params
        positional = [p.name.value for p in (*params.posonly_params, *params.params)]
        if function.self_value is not None:
            args = [function.self_value, *args]
        # Free names are read in the enclosing function, or in the module that defines it.
        outer = function.closure
        module = function.module_globals
        if outer is None and module is not None and module is not self.globals:
            outer = module
        scope: dict[str, Any] = {} if outer is None else ChainMap({}, outer)
        if function.owner is not None:
            scope["__class__"] = function.owner  # what super() needs
        for name, value in zip(positional, args):
            scope[name] = value
        extra = args[len(positional):]
        if isinstance(params.star_arg, cst.Param):
            scope[params.star_arg.name.value] = tuple(extra)
        rest = {}
        known_names = set(positional) | {p.name.value for p in params.kwonly_params}
        for name, value in kwargs.items():
            if name in known_names:
                scope[name] = value
            else:
                rest[name] = value
        if isinstance(params.star_kwarg, cst.Param):
            scope[params.star_kwarg.name.value] = rest
        for name in known_names:
            if name not in scope:
                scope[name] = function.defaults.get(name, UNKNOWN)
        self._depth += 1
        self.yielding += generating
        self.frames.append(scope)
        try:
            if isinstance(node, cst.Lambda):
                return self.eval(node.body, scope)
            self.exec_block(node.body.body, scope)
        except Yielded as item:
            return item.value
        except Return as result:
            return UNKNOWN if generating else result.value
        except (Break, Continue, MaybeJumped):
            pass
        except RecursionError:  # Python's stack ends before MAX_DEPTH: the call is unknown
            self.gap("calls nested too deep to follow", node)
            return UNKNOWN
        finally:
            self._depth -= 1
            self.yielding -= generating
            self.frames.pop()
        return UNKNOWN if generating else None

    def is_generator(self, node) -> bool:
        """Whether the ``def`` is a generator function (known once per function)."""
        if node not in self.generator_functions:
            self.generator_functions[node] = _yields(node)
        return self.generator_functions[node]

    def first_yield(self, generator: Generator):
        """The first item of a generator of the file (its body run to the first ``yield``)."""
        return self.call_function(generator.function, generator.args, generator.kwargs,
                                  generating=True)

    def instantiate(self, cls: UserClass, args, kwargs, node, name=None):
        """A new object of a class of the file (``name``: the one it is given instead of an
        auto name, as Keras names a layer it loads)."""
        if cls.kind == "model" and cls.method("__init__") is None and cls.method("call") is None:
            functional = self._functional_subclass(cls, args, kwargs, node)
            if functional is not None:
                return functional
        instance = self.created(Instance(cls, self.here(node), name or self.auto_name(cls.name, kwargs),
                                         arguments=(tuple(args), dict(kwargs))))
        if isinstance(kwargs.get("name"), str):
            instance.given_name = kwargs["name"]
        if cls.kind is not None:
            self.objects.append(instance)
        init = cls.method("__init__")
        if init is not None:
            self.call_function(init.bound(instance), args, kwargs)
        elif cls.keras_base is not None:  # Keras's own __init__ takes the arguments
            self.init_keras_base(instance, args, kwargs, node)
        functional = instance.base_layer
        if isinstance(functional, FunctionalModel):  # super().__init__(inputs, outputs) made it
            self.objects[self.objects.index(instance)] = functional
            functional.attrs = instance.attrs
            return self._of_class(functional, cls)
        return instance

    def _functional_subclass(self, cls: UserClass, args, kwargs, node):
        """``CustomModel(inputs, outputs)`` of a ``keras.Model`` subclass that keeps Keras's
        ``__init__`` and ``call`` (it overrides ``train_step``, say): a functional model of
        that class, as Keras makes it."""
        if not (len(args) >= 2 or "outputs" in kwargs):
            return None
        model = library.call(self, "keras.Model", args, kwargs, node)
        return self._of_class(model, cls) if isinstance(model, FunctionalModel) else UNKNOWN

    def _of_class(self, model: FunctionalModel, cls: UserClass) -> FunctionalModel:
        model.cls_name, model.user_class = cls.name, cls
        if cls.node in self.positions:  # reported at the class, as Keras's summary names it
            model.node = cls.node
        return model

    def init_keras_base(self, instance, args, kwargs, node) -> None:
        """The Keras layer a class of the file extends, made by its ``__init__``."""
        from shapecheck.library.layers import make_layer

        named = {**kwargs, "name": instance.given_name or instance.name}  # the instance's name
        instance.base_layer = make_layer(self, instance.cls.keras_base, list(args), named, node,
                                         listed=False)

    def auto_name(self, cls_name: str, kwargs) -> str:
        """The name Keras gives a new layer: ``name=`` or ``dense``, ``dense_1``, ..."""
        explicit = kwargs.get("name")
        if isinstance(explicit, str):
            return explicit
        stem = snake_case(cls_name)
        self._names[stem] += 1
        count = self._names[stem]
        return stem if count == 1 else f"{stem}_{count - 1}"

    def restart_names(self) -> None:
        """Keras's ``clear_session()``: every automatic name is free again."""
        self._names.clear()


def _yields(node) -> bool:
    """Whether a ``def`` is a generator function: ``yield`` in its own body (not in a
    function, lambda or class defined inside it)."""
    found = []

    def visit(inner) -> bool:
        if isinstance(inner, cst.Yield):
            found.append(inner)
        return not isinstance(inner, (cst.Yield, cst.FunctionDef, cst.Lambda, cst.ClassDef))

    if isinstance(node, cst.FunctionDef):
        walk(node.body, visit)
    return bool(found)
