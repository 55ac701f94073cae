"""Training and inference methods of models: ``compile``, ``fit``, ``predict``."""

from __future__ import annotations

from shapecheck.library.losses import apply_loss, check_logits, loss_of
from shapecheck.library.registry import method
from shapecheck.objects import Dataset
from shapecheck.values import UNKNOWN, Tensor


@method("model", "compile")
def _compile(site):
    """``model.compile(loss=...)``: remember the loss; check it against the model's output
    if the model already ran."""
    ev, model = site.ev, site.obj
    loss = loss_of(site.arg(1, "loss", None))
    if loss is None:
        return None
    ev.compiled[id(model)] = loss
    records = [r for r in ev.calls if r.layer is model]
    if records:
        check_logits(ev, loss.name, loss.config.get("from_logits", False), records[-1].output, site.node)
    return None


@method("model", "fit")
def _fit(site):
    """``model.fit(x, y)``: Keras runs the model on the first batch of x in a traced graph,
    then applies the compiled loss to that batch of y."""
    ev, model, node = site.ev, site.obj, site.node
    x, y, batch_size = site.arg(0, "x"), site.arg(1, "y"), site.arg(2, "batch_size", 32)
    tensors = list(x) if isinstance(x, (list, tuple)) else [x]
    if not tensors or not all(isinstance(t, Tensor) and t.shape for t in tensors):
        return None
    count = tensors[0].shape[0]
    size = min(count, batch_size) if isinstance(count, int) and isinstance(batch_size, int) \
        else UNKNOWN
    batch = [Tensor((size, *t.shape[1:]), t.dtype) for t in tensors]
    ev.graph_mode += 1
    try:
        output = ev.apply(model, [batch if isinstance(x, (list, tuple)) else batch[0]], {}, node)
    finally:
        ev.graph_mode -= 1
    loss = ev.compiled.get(id(model))
    if loss is not None and isinstance(y, Tensor) and y.shape and isinstance(output, Tensor):
        apply_loss(ev, loss, [Tensor((size, *y.shape[1:]), y.dtype), output], {}, node)
    return None


@method("model", "predict", "predict_on_batch")
def _predict(site):
    """``model.predict(x)``: the data as tensors, batch by batch; the first call sees one batch."""
    ev, model = site.ev, site.obj
    x = site.arg(0, "x")
    batch_size = site.kwargs.get("batch_size", 32) if site.name == "predict" else None
    if isinstance(x, Dataset):
        x = x.element[0] if isinstance(x.element, tuple) else x.element
    tensors = list(x) if isinstance(x, (list, tuple)) else [x]
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        return UNKNOWN
    count = tensors[0].shape[0] if tensors[0].shape else UNKNOWN
    batched = isinstance(batch_size, int) and isinstance(count, int) and count > batch_size
    tensors = [Tensor((batch_size, *t.shape[1:]) if batched and t.shape else t.shape, t.dtype)
               for t in tensors]
    ev.graph_mode += 1  # predict runs a traced graph
    try:
        output = ev.apply(model, [tensors if isinstance(x, (list, tuple)) else tensors[0]], {},
                          site.node)
    finally:
        ev.graph_mode -= 1
    if batched and isinstance(output, Tensor) and output.shape:
        return Tensor((count, *output.shape[1:]), output.dtype)
    return output
