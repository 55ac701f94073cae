"""``keras.applications`` backbones as functional models, from the table of
``applications`` (exact output shapes and parameter counts, Keras's own checks), and
their ``preprocess_input`` / ``decode_predictions``."""

from __future__ import annotations

from dataclasses import dataclass

from shapecheck.layers import LayerSpec
from shapecheck.library import application_layers, applications
from shapecheck.library.registry import family, method
from shapecheck.objects import BuiltinLayer, FunctionalModel
from shapecheck.values import UNKNOWN, Tensor


@family("keras.applications.")
def _application_name(site):
    app = applications.canonical_application(site.name)
    if app is not None:
        return _backbone(site, app)
    helper = applications.HELPERS.get(site.name)
    if helper is not None and helper[0] == "preprocess_input":
        x = site.arg(0, "x")
        return Tensor(x.shape, "float32" if helper[1] == "same" else helper[1]) \
            if isinstance(x, Tensor) else UNKNOWN
    return site.ev.unmodelled(site.name, site.args, site.kwargs, site.node)


def _backbone(site, app: str):
    """The application's model: one input, and one body whose output and weights the table
    gives (on a new input, the body's output is what the application gives for that size)."""
    ev, args, kwargs = site.ev, site.args, site.kwargs
    try:
        made = applications.application(app, args, kwargs)
    except applications.ApplicationError as error:
        ev.fact("unknown-argument", site.argument_node(None, error.keyword), error.message)
        return UNKNOWN

    def output(config, shape):
        out = made.output_shape
        if tuple(shape[1:]) != tuple(made.input_shape[1:]):
            again = {**kwargs, "input_shape": tuple(shape[1:]), "input_tensor": None}
            try:
                out = applications.application(app, args, again).output_shape
            except applications.ApplicationError:
                return None
        return None if out is None else (shape[0], *out[1:])

    def weights(config, shape):
        return [(made.params,)]

    short = app.rsplit(".", 1)[-1]
    spec = LayerSpec(short, (), output, weights)
    name = made.name if isinstance(made.name, str) else short.lower()
    body = BuiltinLayer(short, spec, {"activation": made.final_activation}, ev.here(site.node), name)
    bound = applications.default_layers(app, args, kwargs)
    source = None if bound is None or application_layers.last(short) is None else \
        _Source(short, bound, {})
    if source is not None:  # the whole body is its last layer's cut
        body.config["cut"] = (source, application_layers.last(short))
    given = kwargs.get("input_tensor")
    inputs = given if isinstance(given, Tensor) else Tensor(made.input_shape, "float32", symbolic=True)
    ev.input_layer(inputs)
    ev.building += 1  # making the model applies nothing the program would record
    try:
        out = ev.apply(body, [inputs], {}, site.node)
    finally:
        ev.building -= 1
    if not isinstance(out, Tensor):
        return UNKNOWN
    record = out.source
    model = FunctionalModel(ev.here(site.node), name, [inputs], out, [record] if record else [],
                            cls_name="Functional", given_name=name, leaf=True, application=source)
    ev.objects.append(model)
    return model


@dataclass(eq=False)
class _Source:
    """The application call a backbone comes from: its arguments, the layers cut so far."""

    app: str
    arguments: dict
    cuts: dict  # layer index -> the layer get_layer gave


def cut_layer(ev, model: FunctionalModel, node, name=None, index=None):
    """``backbone.get_layer(name)`` (or ``index=``): the backbone up to that layer, applied to
    its input, so that ``layer.output`` ends a feature extractor; UNKNOWN where the layer
    table does not say (another architecture, a top the call does not build, channels first)."""
    source = model.application
    cut = application_layers.layer(source.app, name, index)
    if cut is None or ev.data_format != "channels_last" or len(model.inputs) != 1:
        return UNKNOWN
    if cut.top and not (source.arguments["include_top"] is True and source.arguments["classes"] == 1000):
        return UNKNOWN
    if cut.index in source.cuts:  # Keras gives the same layer each time
        return source.cuts[cut.index]

    def output(config, shape):
        if len(shape) != 4:
            return None
        return (shape[0], *cut.output_shape(shape[1], shape[2], shape[1] is None))

    def weights(config, shape):  # (the first convolution's weights follow the channels)
        return [(cut.params,)] if shape[-1] == 3 else None

    layer = BuiltinLayer(source.app, LayerSpec(source.app, (), output, weights), {"cut": (source, cut)},
                         ev.here(node), cut.name)
    ev.building += 1
    try:
        ev.apply(layer, [model.inputs[0]], {}, node)
    finally:
        ev.building -= 1
    source.cuts[cut.index] = layer
    return layer


@dataclass(frozen=True)
class BackboneLayers:
    """``backbone.layers`` (or a slice of it by known bounds): each layer, as ``get_layer``
    gives it, made when the program takes it (an EfficientNet has hundreds)."""

    model: FunctionalModel
    indices: range


def layers_of(model: FunctionalModel):
    """``model.layers`` of a backbone the layer table describes, else UNKNOWN."""
    source = model.application
    arguments = source.arguments if source is not None else {}
    if arguments.get("include_top") is True and arguments["classes"] == 1000:
        count = application_layers.count(source.app)
    elif arguments.get("include_top") is False and arguments.get("pooling") is None:  # (a pooling adds one)
        count = application_layers.count(source.app, top=False)
    else:
        return UNKNOWN
    return BackboneLayers(model, range(count)) if count else UNKNOWN


@method("backbonelayers", "__len__")
def _len(site):
    return len(site.obj.indices)


@method("backbonelayers", "__getitem__")
def _getitem(site):
    """``layers[i]``: that layer; ``layers[a:b]``: those layers."""
    view, index = site.obj, site.args[0]
    indices = view.indices
    if isinstance(index, slice) and all(b is None or isinstance(b, int)
                                        for b in (index.start, index.stop, index.step)):
        return BackboneLayers(view.model, indices[index])
    if isinstance(index, int) and not isinstance(index, bool) and -len(indices) <= index < len(indices):
        return cut_layer(site.ev, view.model, site.node, index=indices[index])
    return UNKNOWN
