"""Building models: ``keras.Input``, ``Sequential`` (and ``add``), functional ``Model``s and
their graphs, ``model.build``."""

from __future__ import annotations

from shapecheck.dims import format_shape
from shapecheck.library import backbones
from shapecheck.library.registry import Site, argument_node, attribute, function, method
from shapecheck.library.tensors import dtype_of, shape_arg
from shapecheck.objects import (
    LAYER_LIKE,
    BuiltinLayer,
    FunctionalModel,
    Instance,
    OpaqueLayer,
    Operation,
    Sequential,
    params_of,
)
from shapecheck.values import UNKNOWN, Tensor, substitute, tensor_leaves


def given_name(kwargs):
    name = kwargs.get("name")
    return name if isinstance(name, str) else None


@function("keras.Sequential")
def _sequential(site):
    ev, kwargs = site.ev, site.kwargs
    model = ev.created(Sequential(ev.here(site.node), ev.auto_name("Sequential", kwargs),
                                  given_name=given_name(kwargs)))
    ev.objects.append(model)
    layers = site.arg(0, "layers", None)
    if isinstance(layers, (list, tuple)):
        for layer in layers:
            if _name_taken(ev, model.layers, layer, site.node):
                model.broken = True
                return model
            _add(ev, model, layer, ev.here(site.node))
        _build_if_declared(ev, model, site.node)
    elif layers is not None:  # a list shapecheck could not follow
        model.uncertain = True
    return model


def _build_if_declared(ev, model: Sequential, node) -> None:
    """Keras builds a Sequential whose input is declared as soon as it has layers, and one
    whose first layer is a model of one input (``add(backbone)``) on that input from its
    second layer on."""
    if model.broken or not model.layers:
        return
    if model.input_shape is not None:
        build(ev, model, model.input_shape, node, model.input_origin)
    elif len(model.layers) > 1 and (shape := _input_of(model.layers[0])) is not None:
        build(ev, model, shape, node)


def _input_of(layer) -> tuple | None:
    """The input shape Keras reads off a model used as a Sequential's first layer, if known:
    a functional model's one input, a Sequential's declared one."""
    if isinstance(layer, FunctionalModel) and len(layer.inputs) == 1:
        return layer.inputs[0].shape
    return layer.input_shape if isinstance(layer, Sequential) else None


def build(ev, model, shape, node, origin=None) -> None:
    """``model.build(shape)``: apply the model to a symbolic input of that shape (for a
    Sequential, each build is a new one: see ``built``); ``origin``: where the shape is
    written."""
    before, facts = len(ev.calls), len(ev.facts)
    if isinstance(model, Sequential):
        model.built = False
    ev.apply(model, [Tensor(shape, symbolic=True, origin=origin)], {}, node)
    ev.build_calls.update(id(record) for record in ev.calls[before:])
    if len(ev.facts) > facts and isinstance(model, Sequential):
        ev.touch(model)
        model.broken = True  # Keras raised here; the program would stop


def built(ev, model: Sequential, record) -> None:
    """Each build of a Sequential (the call ``record``) makes a Functional model of its
    layers, which takes the next auto name of Keras's "functional" models."""
    ev.auto_name("Functional", {})
    model.built, model.build_call = True, record


def _add(ev, model: Sequential, layer, node) -> None:
    if isinstance(layer, Tensor):  # keras.Input(...) as the first element
        model.input_shape, model.input_origin = layer.shape, layer.origin
        if id(layer) in ev.shape_sources:
            ev.declared_from[id(model)] = ev.shape_sources[id(layer)][1], layer.origin
        return
    if not isinstance(layer, LAYER_LIKE):  # something shapecheck could not follow
        layer = OpaqueLayer("?", node, "?")
    if not model.layers and isinstance(layer, BuiltinLayer):
        own = layer.spec is not None and "input_dim" in dict(layer.spec.signature)
        declared = _declared_input(layer.config, own)
        if declared is not None:
            keyword = "input_shape" if "input_shape" in layer.config else "input_dim"
            model.input_shape = declared
            model.input_origin = _makes_input(argument_node(layer.node, keyword), f"{keyword}=", declared)
            source = ev.shape_sources.get(id(layer.config.get("input_shape")))
            if source is not None:
                ev.declared_from[id(model)] = source[1], model.input_origin
    elif not model.layers and isinstance(layer, Instance) and layer.declared_input is not None:
        model.input_shape = layer.declared_input
    model.layers.append(layer)


def _makes_input(node, what: str, shape) -> tuple:
    """The ``Tensor.origin`` of a model's input that ``what`` (written at ``node``) declares."""
    return node, f"{what} makes the model's input {format_shape(shape)}"


def _name_taken(ev, layers, layer, node) -> bool:
    """Whether ``layer`` is given the ``name=`` a layer of ``layers`` was given (Keras
    raises); automatic names, which Keras keeps unique, are not compared."""
    name = _given(layer)
    if name is None or not any(_given(other) == name and other is not layer for other in layers):
        return False
    ev.fact("duplicate-layer-name", node,
            f"two layers of this model are named '{name}' (Keras raises \"All layers added to a "
            f"Sequential model should have unique names\"): give each layer its own name=, or "
            f"leave name= out")
    return True


def _given(layer) -> str | None:
    """The ``name=`` a Keras layer was created with, else None."""
    name = layer.config.get("name") if isinstance(layer, BuiltinLayer) else None
    return name if isinstance(name, str) else None


@method("sequential", "add")
def _sequential_add(site):
    ev = site.ev
    if site.args and _name_taken(ev, site.obj.layers, site.args[0], site.node):
        return None
    # Where making the layer raised, Python never calls add: the model is as it was (its
    # build here is not the model's), though the analysis goes on with the layer in it.
    unmade = ev.halting and not ev.halted
    ev.halted = ev.halted or unmade
    try:
        if site.args:
            _add(ev, site.obj, site.args[0], ev.here(site.node))
            _build_if_declared(ev, site.obj, site.node)
    finally:
        if unmade:
            ev.halted = False
    return None


def _declared_input(config: dict, own_input_dim=False):
    """The input a first layer declares with ``input_shape=`` / ``input_dim=`` (unless
    ``input_dim`` is an argument of its own, as Embedding's)."""
    shape = shape_arg(config.get("input_shape"))
    if shape is not None:
        return (None, *shape)
    if isinstance(config.get("input_dim"), int) and not own_input_dim:
        return (None, config["input_dim"])
    return None


def keras_input(args, kwargs):
    """``keras.Input(shape, batch_size, ...)``: a symbolic tensor with a batch axis."""
    dtype = dtype_of(kwargs.get("dtype"))
    batch_shape = shape_arg(kwargs.get("batch_shape"))
    if batch_shape is not None:
        return Tensor(batch_shape, dtype, symbolic=True)
    shape = shape_arg(args[0] if args else kwargs.get("shape", UNKNOWN))
    batch = args[1] if len(args) > 1 else kwargs.get("batch_size", None)
    if shape is None:
        return Tensor(None, dtype, symbolic=True)
    batch = batch if batch is None or isinstance(batch, int) else UNKNOWN
    return Tensor((batch, *shape), dtype, symbolic=True)


@function("keras.Input")
def _keras_input(site):
    raw = site.arg(0, "shape")
    if isinstance(raw, int) and not isinstance(raw, bool):  # Keras 3 wants a tuple
        site.ev.fact("unknown-argument", site.argument_node(0, "shape"),
                     f"keras.Input(shape={raw}) is not a shape: Keras 3 raises \"Cannot convert "
                     f"'{raw}' to a shape\"; write shape=({raw},)")
        return UNKNOWN
    tensor = keras_input(site.args, site.kwargs)
    if tensor.shape is not None:
        keyword = "batch_shape" if "batch_shape" in site.kwargs else "shape"
        tensor.origin = _makes_input(site.argument_node(0 if keyword == "shape" else None, keyword),
                                     f"Input({keyword}=...)", tensor.shape)
        if keyword == "shape" and id(raw) in site.ev.shape_sources:  # Input(shape=x.shape)
            site.ev.shape_sources[id(tensor)] = (tensor, site.ev.shape_sources[id(raw)][1])
    site.ev.input_layer(tensor, site.kwargs)  # named now, in creation order, as Keras does
    return tensor


@function("keras.Model")
def _functional(site):
    ev = site.ev
    inputs = site.arg(0, "inputs", None)
    outputs = site.arg(1, "outputs", None)
    if inputs is None or outputs is None:
        return UNKNOWN
    input_list = list(inputs.values()) if isinstance(inputs, dict) else \
        list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    output_list = _by_name(outputs) if isinstance(outputs, dict) else \
        list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    leaves = _tensors_in(output_list)  # (outputs nested in lists keep their structure)
    if leaves is None or not all(isinstance(t, Tensor) for t in input_list):
        return UNKNOWN
    calls, layers = _graph_order(input_list, leaves)
    named = [name for name in map(_given, layers) if name is not None]
    twice = next((name for name in named if named.count(name) > 1), None)
    if twice is not None:
        ev.fact("duplicate-layer-name", site.node,
                f"the name \"{twice}\" is given to {named.count(twice)} layers of this model "
                f"(Keras raises \"All operation names should be unique\"): give each layer its "
                f"own name=, or leave name= out")
        return UNKNOWN
    if len(output_list) == 1:  # Keras 3 gives the one output itself, not a list of it
        outputs = output_list[0]
    model = ev.created(FunctionalModel(ev.here(site.node), ev.auto_name("Functional", site.kwargs),
                                       input_list, outputs, calls, given_name=given_name(site.kwargs),
                                       layers=layers))
    ev.objects.append(model)
    return model


def _tensors_in(value) -> list | None:
    """The tensors of a list nesting lists and tuples of them, in order; None if it holds
    anything else."""
    found = []
    for item in value:
        inner = _tensors_in(item) if isinstance(item, (list, tuple)) else \
            [item] if isinstance(item, Tensor) else None
        if inner is None:
            return None
        found += inner
    return found


def _by_name(tensors: dict) -> list:
    """Tensors given by name, in the order Keras flattens a dict: by sorted name."""
    return [tensors[name] for name in sorted(tensors)] if all(
        isinstance(name, str) for name in tensors) else list(tensors.values())


def _graph_order(inputs, outputs) -> tuple[list, list]:
    """The layer calls between inputs and outputs, in the order Keras runs a functional
    graph: by decreasing depth, ties in the order Keras's ``map_graph`` meets them; and its
    layers in the order of ``model.layers``: by decreasing depth, ties in the order the
    search from the outputs first meets them."""
    def parents(record):
        return [t.source for t in (*record.inputs, *record.given)
                if isinstance(t, Tensor) and t.source is not None and not any(t is i for i in inputs)]

    post_order, finished, met = [], set(), {}

    def visit(tensor):
        record = tensor.source
        if record is None or id(record) in finished or any(tensor is i for i in inputs):
            return
        finished.add(id(record))
        met.setdefault(id(record.layer), len(met))
        for parent_tensor in (*record.inputs, *record.given):
            if isinstance(parent_tensor, Tensor):
                visit(parent_tensor)
        post_order.append(record)

    for tensor in outputs:
        visit(tensor)
    depths, layer_depths, records = {}, {}, {}
    for record in reversed(post_order):
        depth = max(depths.setdefault(id(record), 0), layer_depths.get(id(record.layer), 0))
        layer_depths[id(record.layer)] = depths[id(record)] = depth
        records[id(record)] = record
        for parent in parents(record):
            depths[id(parent)] = max(depth + 1, depths.get(id(parent), 0))
    order = sorted(depths, key=lambda key: -depths[key])  # stable: ties keep insertion order
    layers = {id(r.layer): r.layer for r in post_order}
    ranked = sorted(layers, key=lambda key: (-layer_depths[key], met[key]))
    return [records[key] for key in order if key in records], [layers[key] for key in ranked]


def replay(ev, model: FunctionalModel, inputs, node):
    """Run a functional model's graph again on new inputs (a dict maps them by name)."""
    if isinstance(inputs, dict):
        names = [ev.input_layer(t).name for t in model.inputs]
        if not all(name in inputs for name in names):
            return UNKNOWN
        inputs = [inputs[name] for name in names]
    new_inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if len(new_inputs) != len(model.inputs):
        # (arrays, not nested lists; one array of unknown shape may stand for unknown data)
        if all(isinstance(t, Tensor) for t in new_inputs) and (
                isinstance(inputs, (list, tuple)) or inputs.shape is not None):
            n, names = len(model.inputs), ", ".join(f"'{ev.input_layer(t).name}'" for t in model.inputs)
            ev.fact("incompatible-input", node,
                    f"the model takes {n} input{'s' if n > 1 else ''} ({names}), but gets "
                    f"{len(new_inputs)}: " + (f"pass a list of {n} arrays or tensors, one per "
                                              f"Input, in the order keras.Model(inputs=...) lists them"
                                              if n > 1 else "pass it one array or tensor"))
        return UNKNOWN
    arrays = {t.numpy for t in new_inputs if isinstance(t, Tensor)}
    if len(new_inputs) > 1 and arrays == {True, False}:
        ev.fact("incompatible-input", node,
                "a functional model cannot take a list mixing NumPy arrays and tensors in one "
                "call: convert them all (np.asarray / tf.convert_to_tensor), or use predict()")
        return UNKNOWN
    new_inputs = [ev._conform(model, old.shape, new, node, old.origin) if old.shape is not None else new
                  for old, new in zip(model.inputs, new_inputs)]
    mapping = {id(old): new for old, new in zip(model.inputs, new_inputs)}
    for record in model.calls:
        args = [mapping.get(id(t), t) for t in record.inputs]  # a constant stays itself
        if isinstance(record.layer, Operation):
            rerun = record.layer.rerun
            output = rerun(args) if rerun is not None and UNKNOWN not in args else Tensor(None)
        else:
            output = ev.apply(record.layer, [args[0] if len(args) == 1 else args], dict(record.options), node)
        if isinstance(record.output, (list, tuple)):  # several outputs (an RNN's states)
            many = output if isinstance(output, (list, tuple)) else [UNKNOWN] * len(record.output)
            mapping.update((id(old), new) for old, new in zip(record.output, many))
        mapping[id(record.output)] = output
    return substitute(model.outputs, {key: mapping.get(key, UNKNOWN) for key in
                                      map(id, tensor_leaves(model.outputs))})


@method("layer", "build")
def _build(site):
    ev, model = site.ev, site.obj
    if isinstance(model, Instance):
        # Keras 3 runs a subclass's own build(); the default one does not call call().
        raw = site.arg(0, "input_shape")
        shape = shape_arg(raw)
        ev.build_instance(model, raw if shape is None else shape, explicit=True)
        return None
    shape = shape_arg(site.arg(0, "input_shape"))
    if shape is None:
        return None
    origin = _makes_input(site.argument_node(0, "input_shape"), "build()", shape)
    if isinstance(model, Sequential):
        model.input_shape, model.input_origin = shape, origin
    build(ev, model, shape, site.node, origin)
    return None


@method("super", "__init__")
def _super_init(site):
    """``super().__init__(name=...)`` names the instance; Keras's own work is not modelled."""
    instance = site.obj.instance
    if isinstance(instance, Instance) and isinstance(site.kwargs.get("name"), str):
        instance.given_name = site.kwargs["name"]
    if isinstance(instance, Instance):  # a first layer's declared input, as Keras's Layer keeps it
        declared = _declared_input(site.kwargs)
        if declared is not None:
            instance.declared_input = declared
        if instance.cls.keras_base is not None and instance.base_layer is None:
            site.ev.init_keras_base(instance, site.args, site.kwargs, site.node)
        elif instance.cls.kind == "model" and instance.cls.method("call") is None and (
                len(site.args) >= 2 or "outputs" in site.kwargs):
            functional = _functional(Site(site.ev, "keras.Model", site.args, site.kwargs, site.node))
            if isinstance(functional, FunctionalModel):  # a functional model of this class
                site.ev.objects.remove(functional)
                instance.base_layer = functional
    return None


# ------------------------------------------------------------------ attributes of models
def _io(ev, model, side: str) -> list:
    """A built model's input or output tensors: a functional model's own, or those of a
    Sequential's first application to symbolic tensors (its build: Keras's graph of it)."""
    if isinstance(model, FunctionalModel):
        tensors = model.inputs if side == "inputs" else model.outputs
        if isinstance(tensors, dict):  # outputs by name
            return _by_name(tensors)
        return tensor_leaves(tensors)  # (Keras's list of them is flat)
    record = ev.first_calls.get(id(model)) if isinstance(model, Sequential) else None
    if record is None or model.uncertain or not record.inputs or not all(
            isinstance(t, Tensor) and t.symbolic for t in record.inputs):
        return []  # (built on a concrete batch, Keras's input would have its batch size)
    return list(record.inputs) if side == "inputs" else [record.output]


@attribute("model", "inputs", "outputs")
def _tensors(site):
    found = _io(site.ev, site.obj, site.name)
    return found if found else UNKNOWN


@attribute("model", "input", "output")
def _tensor(site):
    """A model's input or output tensor (a Sequential's only once called, which is not
    modelled: Keras raises before)."""
    if isinstance(site.obj, Sequential):
        return UNKNOWN
    found = _io(site.ev, site.obj, site.name + "s")
    return UNKNOWN if not found else found[0] if len(found) == 1 else found


@attribute("model", "input_shape", "output_shape")
def _shape(site):
    model = site.obj
    if isinstance(model, Sequential):
        record = site.ev.first_calls.get(id(model))
        if model.input_shape is None or record is None:
            return UNKNOWN
        shape = model.input_shape if site.name == "input_shape" else record.output_shape
        return UNKNOWN if shape is None else tuple(shape)
    found = _io(site.ev, model, "inputs" if site.name == "input_shape" else "outputs")
    shapes = [UNKNOWN if t.shape is None else tuple(t.shape) for t in found if isinstance(t, Tensor)]
    return UNKNOWN if not shapes else shapes[0] if len(shapes) == 1 else shapes


@attribute("model", "layers")
def _layers(site):
    model = site.obj
    if isinstance(model, Sequential):
        return UNKNOWN if model.uncertain else list(model.layers)
    if isinstance(model, FunctionalModel) and not model.leaf:
        inputs = [site.ev.input_layer(t) for t in model.inputs]
        return inputs + [layer for layer in model.layers if not isinstance(layer, Operation)]
    if isinstance(model, FunctionalModel) and model.application is not None:
        return backbones.layers_of(model)
    return UNKNOWN


@method("model", "count_params")
def _count_params(site):
    count = params_of(site.obj)
    return UNKNOWN if count is None else count


@method("model", "get_layer")
def _get_layer(site):
    name, index = site.arg(0, "name", None), site.arg(1, "index", None)
    if isinstance(site.obj, FunctionalModel) and site.obj.application is not None:
        return backbones.cut_layer(site.ev, site.obj, site.node, name, index)
    layers = _layers(site)
    if not isinstance(layers, list):
        return UNKNOWN
    if name is None and isinstance(index, int) and not isinstance(index, bool):
        return layers[index] if 0 <= index < len(layers) else UNKNOWN  # (Keras raises past it)
    if not isinstance(name, str):
        return UNKNOWN
    found = [layer for layer in layers if getattr(layer, "given_name", None) == name or layer.name == name]
    return found[0] if found else UNKNOWN


@method("model", "summary")
def _summary(site):
    return None


@method("super", "call")
def _super_call(site):
    """``super().call(x)`` in a class extending a Keras layer: that layer's computation."""
    base = getattr(site.obj.instance, "base_layer", None)
    x = site.arg(0, "inputs")
    if not isinstance(base, BuiltinLayer) or not isinstance(x, Tensor) or x.shape is None:
        return UNKNOWN
    shape = base.output_for(x.shape)
    return UNKNOWN if shape is None else Tensor(shape, x.dtype)


@method("super", "build")
def _super_build(site):
    """``super().build(input_shape)``: the Keras layer the class extends builds its weights."""
    base = getattr(site.obj.instance, "base_layer", None)
    shape = shape_arg(site.arg(0, "input_shape"))
    if base is not None and not base.built:
        site.ev.touch(base)
        base.built, base.build_shape = True, shape
    return None
