"""Training and inference methods of models: ``compile``, ``fit``, ``predict``."""

from __future__ import annotations

import math

import libcst as cst

from shapecheck.dims import format_shape
from shapecheck.library.data import batches_of, traced_element, with_batch_axis
from shapecheck.library.losses import (
    aligned,
    apply_loss,
    check_label_range,
    check_logits,
    loss_of,
    wants_equal_shapes,
)
from shapecheck.library.pandas import as_data
from shapecheck.library.registry import method
from shapecheck.library.saving import checkpoints
from shapecheck.objects import Dataset, FunctionalModel, Instance, Loss, Sequential, UserFunction
from shapecheck.values import UNKNOWN, Tensor, origins, tensor_leaves


@method("model", "compile")
def _compile(site):
    """``model.compile(loss=...)``: remember the loss; check it against the model's output
    if the model already ran."""
    ev, model = site.ev, site.obj
    ev.run_eagerly[id(model)] = site.kwargs.get("run_eagerly", False)
    given = site.arg(1, "loss", None)
    if isinstance(given, (list, tuple)) and given:  # one loss per output, in order (None: none)
        ev.compiled[id(model)] = tuple(loss_of(each) for each in given)
        return None
    loss = loss_of(given)
    if loss is None:
        if isinstance(given, UserFunction) or isinstance(given, Instance) and given.cls.method("call"):
            ev.compiled[id(model)] = given  # a loss of the file: fit runs it on each batch
        return None
    ev.compiled[id(model)] = loss
    records = [r for r in ev.calls if r.layer is model]
    if records:
        check_logits(ev, loss.name, loss.config.get("from_logits", False), records[-1].output, site.node)
    return None


def first_batch(x, y, batch_size, validation_split=0.0, eager=False, distributed=False):
    """The (inputs, labels) of the batch that fit / evaluate trace the model with: a data
    set's first element, or ``batch_size`` rows of arrays (also in lists and dicts); the
    batch axis is None unless every batch has the same size (arrays that split evenly, a
    data set batched with ``drop_remainder=True``; fit's ``validation_split`` keeps the
    first ``floor(rows * (1 - split))`` rows). None when the inputs are not known.
    ``eager``: the model was compiled with ``run_eagerly=True`` (UNKNOWN: maybe), so it
    runs on the first batch itself, of its own size; so does a model a distribution
    strategy runs (``distributed``) on a data set."""
    if isinstance(x, Dataset):
        concrete = eager is True or distributed or x.fixed_batch and x.spec is None
        fixed = x.fixed_batch or eager is True or distributed
        element = x.element if concrete else traced_element(x)
        x, y = element[:2] if isinstance(element, tuple) and len(element) in (2, 3) else (element, None)
        batch = None if eager is False else UNKNOWN  # (maybe eager: maybe the first batch's size)
        return (x, y) if fixed else (with_batch_axis(x, batch), with_batch_axis(y, batch))
    tensors = tensor_leaves(x)
    if not tensors or not all(t.shape for t in tensors) or not all(
            isinstance(t, Tensor) for t in (x.values() if isinstance(x, dict) else
                                            x if isinstance(x, (list, tuple)) else [x])):
        return None
    if batch_size is None:  # train_on_batch: the arrays as given
        return x, y
    count = tensors[0].shape[0]
    if isinstance(count, int) and isinstance(validation_split, (int, float)) and validation_split:
        count = math.floor(count * (1.0 - validation_split))
    elif validation_split:
        count = UNKNOWN
    size = UNKNOWN
    if isinstance(count, int) and isinstance(batch_size, int):
        traced, first = batch_size if count % batch_size == 0 else None, min(batch_size, count)
        size = first if eager is True else traced if eager is False or traced == first else UNKNOWN
    return with_batch_axis(x, size), with_batch_axis(y, size)


def _unknown_like(x):
    """Data shapecheck cannot follow, as the model gets it: each array of a list or dict of
    them (one input each) of unknown shape, else one input of unknown shape."""
    if isinstance(x, (list, tuple)) and x and all(isinstance(v, Tensor) for v in x):
        return type(x)(Tensor(None) for _ in x)
    if isinstance(x, dict) and x and all(isinstance(v, Tensor) for v in x.values()):
        return {key: Tensor(None) for key in x}
    return Tensor(None)


@method("model", "compute_loss")
def _compute_loss(site):
    """``self.compute_loss(x, y, y_pred)`` in a train_step: the compiled loss, a scalar."""
    return Tensor((), "float32")


def cardinality_problem(*data) -> str | None:
    """Keras's "Data cardinality is ambiguous": the arrays of x, y (and of a list or dict of
    inputs) that do not all have the same number of rows, in Keras's words; None when they
    do or when a row count is not known."""
    sizes = [[t.shape[0] for t in tensor_leaves(part) if t.shape and isinstance(t.shape[0], int)]
             for part in data]
    if len({n for part in sizes for n in part}) < 2:
        return None
    said = ", ".join(f"'{name}' sizes: {', '.join(map(str, part))}"
                     for name, part in zip("xy", sizes) if part)
    return (f"Keras raises \"Data cardinality is ambiguous\" ({said}): give x and y the same "
            f"number of samples (check the split or the slice that made one of them)")


def _step(site, model, x, y, batch_size, split, training: bool):
    """One traced step of fit / evaluate on the first batch of (x, y): the class's own
    ``train_step`` / ``test_step``, else the model on x and the compiled loss on y."""
    ev, node = site.ev, site.node
    problem = cardinality_problem(x, y)
    if problem:
        ev.fact("data-cardinality", node, problem, related=origins(x, y))
        return
    batch = first_batch(x, y, batch_size, split, ev.run_eagerly.get(id(model), False),
                        id(model) in ev.distributed)
    data, labels = x, y
    x, y = (_unknown_like(x), None) if batch is None else batch  # (still a call)
    cls = model.cls if isinstance(model, Instance) else getattr(model, "user_class", None)
    own = cls.method("train_step" if training else "test_step") if cls is not None else None
    ev.graph_mode += 1
    outer, cause = ev.training, ev.cause
    if isinstance(data, Dataset) and not data.batched:
        ev.cause = ("the data set is not batched, so Keras takes each element's first axis "
                    "for the batch: add .batch(batch_size) to it")
    try:
        if own is not None:  # the class's own train_step / test_step gets the batch
            ev.applied.add(id(model))  # Keras runs no call() of its own
            before = len(ev.calls)
            ev.call_function(own.bound(model), [x if y is None else (x, y)], {})
            if isinstance(model, Instance):  # what it runs is inside it: built, not called
                ev.build_calls.update(id(record) for record in ev.calls[before:])
            # Models it runs other than itself are run from a layer's code: Keras records
            # them as they were built (a Sequential's first build, a functional graph).
            ev.stepped.update(id(record) for record in ev.calls[before:] if record.layer is not model)
            return
        ev.training = training  # what Keras passes the layers
        output = ev.apply(model, [x], {}, node)
    finally:
        ev.graph_mode -= 1
        ev.training, ev.cause = outer, cause
    loss = ev.compiled.get(id(model))
    if isinstance(output, (list, tuple)) and isinstance(y, (list, tuple)):
        _per_output(ev, loss, y, output, node)
        return
    if isinstance(loss, tuple):  # a list of losses for a model of one output: of one loss
        loss = loss[0] if len(loss) == 1 else None
    if loss is None or not (isinstance(y, Tensor) and y.shape and isinstance(output, Tensor)):
        return
    if isinstance(loss, Loss):
        if apply_loss(ev, loss, [y, output], {}, node) is not UNKNOWN \
                and not {"steps_per_epoch", "validation_steps", "steps"} & set(site.kwargs):
            # (with a number of steps, not every batch runs)
            check_label_range(ev, loss, labels, output, node)
        return
    ev.graph_mode += 1  # the file's own loss, traced in the training step
    try:
        if isinstance(loss, UserFunction):  # Keras wraps a function as its own losses:
            y, output = aligned(y, output)  # ranks one apart meet at a trailing 1 first
            ev.call_function(loss, [y, output], {})
        else:
            ev.call_function(loss.cls.method("call").bound(loss), [y, output], {})
    finally:
        ev.graph_mode -= 1


def _per_output(ev, loss, labels, outputs, node) -> None:
    """A model of several outputs trained on a list of label arrays: each output's loss (of
    a list given to compile, in order; one loss, the same for each) on its labels."""
    losses = loss if isinstance(loss, tuple) else (loss,) * len(outputs) if isinstance(loss, Loss) else ()
    if not len(losses) == len(outputs) == len(labels):
        return
    equal = all(isinstance(each, Loss) and wants_equal_shapes(each) for each in losses)
    order = _label_order(labels, outputs) if equal else None
    if order is not None:
        ev.fact("output-label-mismatch", node,
                f"the label arrays are not in the order of the model's outputs (their last axes are "
                f"{_widths(labels)}, the outputs' {_widths(outputs)}): pass them in the outputs' order, "
                f"[{', '.join(f'labels[{i}]' for i in order)}]", related=origins(*labels))
        return
    for each, y, output in zip(losses, labels, outputs):
        if isinstance(each, Loss) and isinstance(y, Tensor) and y.shape and isinstance(output, Tensor):
            apply_loss(ev, each, [y, output], {}, node)


def _widths(tensors) -> str:
    return ", ".join(str(t.shape[-1]) if isinstance(t, Tensor) and t.shape else "?" for t in tensors)


def _label_order(labels, outputs) -> list | None:
    """The one order of ``labels`` whose last axes match the outputs' when the given order's
    do not (the label arrays swapped), else None."""
    last = [t.shape[-1] if isinstance(t, Tensor) and t.shape and isinstance(t.shape[-1], int) else None
            for t in (*labels, *outputs)]
    given, wanted = last[:len(labels)], last[len(labels):]
    if None in last or given == wanted or sorted(given) != sorted(wanted) or len(set(wanted)) != len(wanted):
        return None
    return [given.index(width) for width in wanted]


def rows_declared(site, model, x) -> bool:
    """``input_shape=x.shape`` (or ``Input(shape=x.shape)``) and then ``fit(x)``: the model
    takes samples of x's whole shape, its rows included, and gets x's rows (Keras raises
    unless every size is 1). Makes the finding; True when it did."""
    ev = site.ev
    found = ev.declared_from.get(id(model))
    if found is None and isinstance(model, FunctionalModel) and len(model.inputs) == 1:
        source = ev.shape_sources.get(id(model.inputs[0]))
        found = None if source is None else (source[1], model.inputs[0].origin)
    if found is None or found[0] is not x or x.symbolic or not x.shape or all(d == 1 for d in x.shape):
        return False
    written = found[1][0].value if isinstance(found[1][0], cst.Arg) else found[1][0]
    name = cst.Module([]).code_for_node(written.value) if isinstance(written, cst.Attribute) \
        and written.attr.value == "shape" else "the data"
    ev.fact("incompatible-input", site.node,
            f"the model's input is declared as {name}.shape, which holds the number of samples "
            f"too: the model expects batches of {format_shape((None, *x.shape))}, and {site.name} "
            f"gives it rows of {name}, of shape {format_shape(x.shape[1:])}: give the model the "
            f"shape of one sample, {name}.shape[1:]", related=(found[1],))
    return True


@method("model", "fit", "evaluate", "train_on_batch", "test_on_batch")
def _fit(site):
    """``model.fit(x, y)``: Keras runs the model on the first batch of x in a traced graph,
    then applies the compiled loss to that batch of y; a class that overrides
    ``train_step`` (``test_step`` for evaluate) gets the batch there instead. After the
    first epoch, fit evaluates ``validation_data=(x, y)`` the same way."""
    ev, model = site.ev, site.obj
    if site.name == "fit":
        checkpoints(ev, model, site.kwargs.get("callbacks"))
    whole = site.name.endswith("_on_batch")
    split = site.kwargs.get("validation_split", 0.0) if site.name == "fit" else 0.0
    batch_size = None if whole else site.arg(2, "batch_size", 32)
    if rows_declared(site, model, as_data(site.arg(0, "x"))):
        ev._quiet += 1  # (the call still happens, as far as Keras gets)
        try:
            _step(site, model, batches_of(ev, as_data(site.arg(0, "x"))), None, batch_size, split, False)
        finally:
            ev._quiet -= 1
        return None if site.name == "fit" else UNKNOWN
    before = ev.raised
    _step(site, model, batches_of(ev, as_data(site.arg(0, "x"))), as_data(site.arg(1, "y", None)),
          batch_size, split, site.name in ("fit", "train_on_batch"))
    validation = site.kwargs.get("validation_data") if site.name == "fit" else None
    validation = batches_of(ev, validation)
    if ev.raised == before and (isinstance(validation, Dataset) or isinstance(
            validation, (tuple, list)) and len(validation) in (2, 3)):
        size = site.kwargs.get("validation_batch_size") or batch_size
        x, y = (validation, None) if isinstance(validation, Dataset) else validation[:2]
        _step(site, model, as_data(x), as_data(y), size, 0.0, False)
    return None if site.name == "fit" else UNKNOWN


def one_sample(shape, expected) -> bool:
    """Whether data of ``shape`` is one sample of a model whose input is ``expected`` (whose
    None sizes take any size)."""
    return bool(shape) and all(isinstance(d, int) for d in shape) and expected is not None \
        and len(shape) == len(expected) - 1 \
        and all(e is None or d == e for d, e in zip(shape, expected[1:]))


def declared_input(model):
    """The input shape a Sequential or one-input functional model was built for, else None."""
    if isinstance(model, Sequential):
        return model.input_shape
    if isinstance(model, FunctionalModel) and len(model.inputs) == 1:
        return getattr(model.inputs[0], "shape", None)
    return None


@method("model", "predict", "predict_on_batch")
def _predict(site):
    """``model.predict(x)``: the data as tensors, batch by batch; the first call sees one batch."""
    ev, model = site.ev, site.obj
    quiet = rows_declared(site, model, as_data(site.arg(0, "x")))
    ev._quiet += quiet  # (the call still happens, as far as Keras gets)
    try:
        output = _predicted(site, ev, model)
    finally:
        ev._quiet -= quiet
    return UNKNOWN if quiet else output


def _predicted(site, ev, model):
    x = batches_of(ev, as_data(site.arg(0, "x")))
    batch_size = site.kwargs.get("batch_size", 32) if site.name == "predict" else None
    # A data set's predictions are of all its batches: as many rows as the first only if
    # it has one.
    several = isinstance(x, Dataset) and x.count != 1 and site.name == "predict"
    if isinstance(x, Dataset):
        x = x.element[0] if isinstance(x.element, tuple) else x.element
    tensors = list(x) if isinstance(x, (list, tuple)) else [x]
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        x, tensors = Tensor(None), [Tensor(None)]  # data it cannot follow: the model still runs
    count = tensors[0].shape[0] if tensors[0].shape else UNKNOWN
    batched = isinstance(batch_size, int) and isinstance(count, int) and count > batch_size
    given = tensors[0].shape
    tensors = [Tensor((batch_size, *t.shape[1:]) if batched and t.shape else t.shape, t.dtype)
               for t in tensors]
    ev.graph_mode += 1  # predict runs a traced graph
    outer, ev.training, cause = ev.training, False, ev.cause
    if len(tensors) == 1 and one_sample(given, declared_input(model)):
        ev.cause = (f"{site.name} takes a batch, and gets one sample of shape "
                    f"{format_shape(given)}: pass x[None] (or x[i:i + 1])")
    try:
        output = ev.apply(model, [tensors if isinstance(x, (list, tuple)) else tensors[0]], {},
                          site.node)
    finally:
        ev.graph_mode -= 1
        ev.training, ev.cause = outer, cause
    if (batched or several) and isinstance(output, Tensor) and output.shape:
        return Tensor((UNKNOWN if several else count, *output.shape[1:]), output.dtype)
    return output


_KERAS_2_METHODS = {"fit_generator": "fit", "evaluate_generator": "evaluate", "predict_generator": "predict"}


@method("model", *_KERAS_2_METHODS)
def _keras_2_method(site):
    """``model.fit_generator(...)`` of Keras 2: Keras 3's models have no such method."""
    site.ev.fact("unknown-argument", site.node,
                 f"Keras 3's models have no {site.name} (a Keras 2 method; Python raises "
                 f"AttributeError): call {_KERAS_2_METHODS[site.name]}, which takes generators "
                 f"and data sets too")
    return UNKNOWN
