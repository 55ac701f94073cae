"""Creating Keras layers (``keras.layers.Conv2D(...)``), the lowercase merge functions,
and the methods of layer objects."""

from __future__ import annotations

import libcst as cst

from shapecheck.dims import format_shape
from shapecheck.layers import BASE_KWARGS, KERAS_BASES, lookup
from shapecheck.library.models import keras_input
from shapecheck.library.registry import argument_node, attribute, family, function, method
from shapecheck.library.tensors import shape_arg, tensor
from shapecheck.objects import MISSING, BuiltinLayer, FunctionalModel, InputLayer, Instance, Sequential
from shapecheck.values import UNKNOWN, Tensor


def keyword_node(call, keyword):
    """The ``keyword=value`` argument of a call, or the call itself."""
    return argument_node(call, keyword)


def argument_fix(arg, fix):
    """The fact's fix (``Fact.fix``) of an argument problem's ``fix`` (``LayerSpec.argument_problems``)
    at the ``keyword=value`` node ``arg``; None without one."""
    if fix is None or not isinstance(arg, cst.Arg) or arg.keyword is None:
        return None
    what, text = fix
    if what == "keyword":
        return f"Rename {arg.keyword.value}= to {text}=", ((arg.keyword, arg.keyword, text),)
    if what == "value":
        quote = getattr(arg.value, "quote", "'")  # a string keeps its quotes
        if quote in ('"', "'") and text[0] == "'" and quote not in text[1:-1]:
            text = quote + text[1:-1] + quote
        return f"Write {arg.keyword.value}={text}", ((arg.value, arg.value, text),)
    return f"Write {text}", ((arg.keyword, arg.value, text),)


def keras_isinstance(obj, name: str):
    """``isinstance(obj, cls)`` for the Keras class of canonical name ``name`` and a Keras
    layer or model shapecheck models; UNKNOWN for any other class or object."""
    if name in ("keras.layers.Layer", "keras.Layer") and isinstance(
            obj, (BuiltinLayer, Sequential, FunctionalModel)):
        return True
    if isinstance(obj, (Sequential, FunctionalModel)):
        if name in ("keras.Model", "keras.Sequential"):
            return name == "keras.Model" or isinstance(obj, Sequential)
        return False if lookup(name) is not None else UNKNOWN
    spec = lookup(name)
    if not isinstance(obj, BuiltinLayer) or obj.spec is None or obj.spec.name != obj.cls_name \
            or spec is None and name not in ("keras.Model", "keras.Sequential"):
        return UNKNOWN  # (a layer cut from an application is of a class not modelled)
    return spec is obj.spec or spec is not None and spec.name in KERAS_BASES.get(obj.spec.name, ())


def make_layer(ev, name: str, args, kwargs, node, listed=True):
    """A new layer of the Keras class ``name``; argument problems become facts. ``listed``:
    one of the program's objects (not the Keras part of a subclass's instance)."""
    cls_name = name.rsplit(".", 1)[-1]
    spec = lookup(name)
    if spec is not None:
        for keyword, kind, message, fix in spec.argument_problems(args, kwargs):
            where = keyword_node(node, keyword)
            ev.fact(kind, where, message, argument_fix(where, fix))
    config = spec.bind(args, kwargs) if spec is not None else dict(kwargs)
    for key in BASE_KWARGS:
        config.setdefault(key, None)
    if "data_format" in config and config["data_format"] is None:  # Keras's global default
        config["data_format"] = None if ev.data_format == "channels_last" else ev.data_format
    if cls_name == "Bidirectional" and config.get("backward_layer") is None:
        wrapped = config.get("layer")
        if isinstance(wrapped, Instance) and not _deserializable(ev, wrapped.cls):
            ev.fact("unknown-argument", argument_node(node, "layer", 0),
                    f"Bidirectional remakes {wrapped.cls.name} from its config for each direction, "
                    f"which Keras can do for a registered class only (TypeError: Could not locate "
                    f"class '{wrapped.cls.name}'): decorate the class with "
                    f"@keras.saving.register_keras_serializable()")
            return UNKNOWN
    layer = ev.created(BuiltinLayer(spec.name if spec else cls_name, spec, config, ev.here(node),
                                    ev.auto_name(spec.name if spec else cls_name, kwargs)))
    if layer.cls_name == "TextVectorization":  # the StringLookup Keras makes inside it takes a name
        ev.auto_name("StringLookup", {})
    if listed:
        ev.objects.append(layer)
    return layer


_REGISTERING = ("register_keras_serializable", "custom_object_scope", "CustomObjectScope",
                "get_custom_objects")


def _deserializable(ev, cls) -> bool:
    """Whether Keras may find the class by its name: it has a decorator (registered, or one
    shapecheck does not know), or the program registers custom objects some other way."""
    if getattr(cls.node, "decorators", ()):
        return True
    return any(name.rsplit(".", 1)[-1] in _REGISTERING for name in ev.imported.values())


@family("keras.layers.")
def _layer_class(site):
    cls_name = site.name.rsplit(".", 1)[-1]
    if not cls_name[:1].isupper() or cls_name == "Layer":
        return UNKNOWN
    return make_layer(site.ev, site.name, site.args, site.kwargs, site.node)


@function("keras.layers.InputLayer")
def _input_layer(site):
    """An ``InputLayer`` in a Sequential list stands for its ``keras.Input``."""
    kwargs, args = site.kwargs, site.args
    shape = kwargs.get("shape", kwargs.get("input_shape", args[0] if args else None))
    options = {k: v for k, v in kwargs.items() if k in ("batch_size", "batch_shape", "dtype")}
    return keras_input([shape], options)


_MERGE_FUNCTIONS = {f"keras.layers.{name.lower()}": name for name in (
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot")}


@function(*_MERGE_FUNCTIONS)
def _merge_function(site):
    """``layers.concatenate([a, b])`` is ``Concatenate()([a, b])``."""
    layer = make_layer(site.ev, f"keras.layers.{_MERGE_FUNCTIONS[site.name]}", site.args[1:],
                       site.kwargs, site.node)
    return site.ev.apply(layer, site.args[:1], {}, site.node) if site.args else UNKNOWN


@method("layer", "get_weights")
def _get_weights(site):
    if isinstance(site.obj, InputLayer):
        return []
    weights = site.obj.weight_shapes() if isinstance(site.obj, BuiltinLayer) else None
    return UNKNOWN if weights is None else [Tensor(w, "float32") for w in weights]


@method("layer", "compute_output_shape")
def _compute_output_shape(site):
    """``layer.compute_output_shape(shape)`` of a Keras layer: its shape rule, as a tuple
    (unknown where Keras would raise: the layer's call reports that)."""
    layer, shape = site.obj, shape_arg(site.arg(0, "input_shape"))
    if not isinstance(layer, BuiltinLayer) or layer.spec is None or shape is None:
        return UNKNOWN
    if layer.cls_name == "Lambda":
        return _lambda_output_shape(site.ev, layer, tuple(shape), site.node)
    output = layer.output_for(shape)
    return tuple(output) if isinstance(output, (tuple, list)) else UNKNOWN


def _lambda_output_shape(ev, layer, shape, node):
    """A Lambda's ``compute_output_shape``: its ``output_shape``, else its function run on
    a symbolic input of that shape (nothing recorded), as Keras 3 does."""
    declared = layer.config.get("output_shape")
    if isinstance(declared, (tuple, list)):
        return (shape[0], *declared) if shape else UNKNOWN
    arguments = layer.config.get("arguments")
    ev.building += 1
    try:
        output = ev.call(layer.config.get("function"), [Tensor(shape, symbolic=True)],
                         arguments if isinstance(arguments, dict) else {}, node)
    finally:
        ev.building -= 1
    return tuple(output.shape) if isinstance(output, Tensor) and output.shape is not None else UNKNOWN


@method("layer", "add_weight", "add_variable")
def _add_weight(site):
    """A weight of a custom layer: counted in its parameters."""
    args, kwargs = site.args, site.kwargs
    if args and isinstance(args[0], str):  # Keras 2's add_weight(name, shape, ...)
        site.ev.fact("unknown-argument", site.argument_node(0, None),
                     f"add_weight('{args[0]}', ...) gives the weight's name as its first argument "
                     f"(Keras 2): Keras 3 takes the shape there and raises \"`name` must be passed "
                     f"as a keyword argument\"; write add_weight(name='{args[0]}', shape=...)")
        args = args[1:]
    shape = kwargs.get("shape", args[0] if args and isinstance(args[0], (tuple, list)) else None)
    weight = tensor(shape_arg(shape), "float32")
    if weight.shape is not None:
        where = site.argument_node(0 if "shape" not in kwargs else None, "shape")
        weight.origin = (where, f"add_weight makes this weight {format_shape(weight.shape)}")
    if isinstance(site.obj, Instance):
        site.ev.touch(site.obj)
        site.obj.weights.append(weight)
    return weight


def _first_call(site):
    return site.ev.first_calls.get(id(site.obj))


@attribute("layer", "output")
def _output(site):
    """The output of the layer's first call (Keras: its first inbound node)."""
    if isinstance(site.obj, InputLayer):
        return site.obj.tensor
    record = _first_call(site)
    return UNKNOWN if record is None else record.output


@attribute("layer", "input")
def _input(site):
    if isinstance(site.obj, InputLayer):
        return site.obj.tensor
    record = _first_call(site)
    if record is None or not record.inputs:
        return UNKNOWN
    return record.inputs[0] if len(record.inputs) == 1 else list(record.inputs)


@attribute("layer", "built")
def _built(site):
    """``layer.built``: whether it was built (unknown where a run that may not have happened
    built it)."""
    layer = site.obj
    if isinstance(layer, Instance) or isinstance(layer, BuiltinLayer) and not layer.maybe_built:
        return layer.built
    return UNKNOWN


@attribute("layer", "name")
def _name(site):
    layer = site.obj
    return getattr(layer, "given_name", None) or layer.name


# What a Keras layer keeps of an argument as an attribute: as given, or as a tuple.
_AS_GIVEN = ("filters", "units", "use_bias", "rate", "axis", "groups", "depth_multiplier",
             "num_heads", "key_dim", "return_sequences", "return_state", "n")
_AS_TUPLE = ("kernel_size", "strides", "dilation_rate", "pool_size")


def base_attribute(layer: BuiltinLayer, name: str):
    """An attribute of the Keras layer a class of the file extends (``self.filters``,
    ``self.kernel`` once built), or ``MISSING`` where Keras's own value is not known."""
    config, spec = layer.config, layer.spec
    if spec is None:
        return MISSING
    if name in _AS_GIVEN and name in config:
        return config[name]
    if name == "padding" and isinstance(config.get("padding"), str):
        return config["padding"].lower()
    if name in _AS_TUPLE and name in config:
        rank = next((int(c) for c in spec.name if c.isdigit()), None)
        value = config[name]
        if rank is None or value is UNKNOWN:
            return UNKNOWN
        return tuple(value) if isinstance(value, (tuple, list)) else (value,) * rank
    if name in ("kernel", "bias") and layer.built:
        weights = layer.weight_shapes() or []
        index = 0 if name == "kernel" else 1
        return Tensor(weights[index], "float32") if index < len(weights) else UNKNOWN
    return MISSING


@method("layer", "convolution_op")
def _convolution_op(site):
    """``self.convolution_op(inputs, kernel)`` of a Conv subclass: the convolution alone."""
    base = getattr(site.obj, "base_layer", None)
    inputs = site.arg(0, "inputs")
    if base is None or base.spec is None or not isinstance(inputs, Tensor) or inputs.shape is None:
        return UNKNOWN
    return Tensor(base.spec.output(base.config, tuple(inputs.shape)), inputs.dtype)
