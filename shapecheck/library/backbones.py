"""``keras.applications`` backbones as functional models, from the table of
``applications`` (exact output shapes and parameter counts, Keras's own checks), and
their ``preprocess_input`` / ``decode_predictions``."""

from __future__ import annotations

from shapecheck.layers import LayerSpec
from shapecheck.library import applications
from shapecheck.library.registry import family
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
                            cls_name="Functional", given_name=name, leaf=True)
    ev.objects.append(model)
    return model
