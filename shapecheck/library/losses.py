"""Keras losses: loss objects and functions applied to labels and predictions."""

from __future__ import annotations

from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError
from shapecheck.library.ops._common import _differ
from shapecheck.library.registry import family
from shapecheck.library.tensors import broadcast_shapes
from shapecheck.objects import BuiltinLayer, Loss
from shapecheck.values import UNKNOWN, ApiRef, Tensor, origins


@family("keras.losses.")
def _loss(site):
    """``CategoricalCrossentropy(...)`` makes a loss object; a loss function computes the loss."""
    loss = Loss(site.name.rsplit(".", 1)[-1], dict(site.kwargs))
    return loss if loss.name[:1].isupper() else apply_loss(site.ev, loss, site.args, {}, site.node)


# How each loss relates labels to predictions (Keras 3's checks): the crossentropies want
# the same shape ("same") or integer labels of the predictions' shape without its class axis
# ("sparse"); the others compute elementwise and broadcast ("elementwise").
_LOSS_LABELS = {
    **dict.fromkeys(("CategoricalCrossentropy", "CategoricalFocalCrossentropy",
                     "BinaryCrossentropy", "BinaryFocalCrossentropy"), "same"),
    "SparseCategoricalCrossentropy": "sparse",
    **dict.fromkeys(("MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
                     "MeanSquaredLogarithmicError", "Huber", "LogCosh", "Hinge", "SquaredHinge",
                     "CategoricalHinge", "CosineSimilarity", "KLDivergence", "Poisson"),
                    "elementwise"),
}
# Short names that keras.losses.get accepts, by the class whose computation they name.
_ALIASES = {"mse": "MeanSquaredError", "mae": "MeanAbsoluteError",
            "mape": "MeanAbsolutePercentageError", "msle": "MeanSquaredLogarithmicError",
            "kld": "KLDivergence", "kl_divergence": "KLDivergence", "logcosh": "LogCosh",
            "log_cosh": "LogCosh"}


def canonical_loss(name: str) -> str:
    """The loss class a loss's name (class, function or string) stands for."""
    if name in _ALIASES:
        return _ALIASES[name]
    return name if name[:1].isupper() else "".join(part.capitalize() for part in name.split("_"))


def _same_rank(labels, predictions):
    """Keras's ``squeeze_or_expand_to_same_rank``: ranks one apart meet at a trailing 1."""
    if len(labels) == len(predictions) + 1 and labels[-1] == 1:
        return (labels, (*predictions, 1)) if len(predictions) == 1 else (labels[:-1], predictions)
    if len(predictions) == len(labels) + 1 and predictions[-1] == 1:
        return ((*labels, 1), predictions) if len(labels) == 1 else (labels, predictions[:-1])
    return labels, predictions


def _decidable(kind, labels, predictions) -> bool:
    """Whether the shapes are known where Keras's checks look: it aligns ranks one apart at
    a trailing 1, and a sparse loss drops a trailing 1 of labels of the predictions' rank."""
    if not labels or not predictions:
        return False
    if len(labels) == len(predictions) + 1 or kind == "sparse" and len(labels) == len(predictions):
        return labels[-1] is not UNKNOWN
    if len(predictions) == len(labels) + 1:
        return predictions[-1] is not UNKNOWN
    return True


def aligned(y_true: Tensor, y_pred: Tensor):
    """Labels and predictions as Keras's loss wrapper hands them to a loss function."""
    if y_true.shape is None or y_pred.shape is None or not _decidable(None, y_true.shape, y_pred.shape):
        return y_true, y_pred
    labels, predictions = _same_rank(tuple(y_true.shape), tuple(y_pred.shape))
    return (Tensor(labels, y_true.dtype) if labels != tuple(y_true.shape) else y_true,
            Tensor(predictions, y_pred.dtype) if predictions != tuple(y_pred.shape) else y_pred)


def _label_problem(kind: str, labels, predictions):
    """Why Keras rejects these label/prediction shapes, or None."""
    if kind == "sparse":
        if len(labels) == len(predictions) and labels and labels[-1] == 1:
            labels = labels[:-1]
        if len(labels) != len(predictions) - 1 or any(map(_differ, labels, predictions[:-1])):
            return (f"integer labels of shape {format_shape(labels)} need predictions of shape "
                    f"(*labels, classes), but the predictions are {format_shape(predictions)}")
    elif kind == "elementwise":
        try:
            broadcast_shapes(labels, predictions)
        except ShapeError:
            return (f"labels of shape {format_shape(labels)} and predictions of shape "
                    f"{format_shape(predictions)} do not broadcast")
    elif len(labels) != len(predictions) or any(map(_differ, labels, predictions)):
        return (f"labels of shape {format_shape(labels)} must have the predictions' shape "
                f"{format_shape(predictions)}")
    return None


def _shape_fix(labels, predictions) -> str | None:
    """The change where labels and predictions differ in their middle axes: the model keeps
    axes the labels do not have, or its output is of another size than the labels."""
    if len(predictions) > len(labels) >= 2 and not _differ(labels[-1], predictions[-1]):
        extra = format_shape(tuple(predictions[1:-1]))
        return (f"the model's output keeps the axes {extra} the labels do not have: add Flatten "
                f"or global pooling before the last layer")
    if len(labels) == len(predictions) > 2 and not _differ(labels[-1], predictions[-1]):
        return (f"the labels are {format_shape(tuple(labels[1:]))} per sample and the predictions "
                f"{format_shape(tuple(predictions[1:]))}: make the model output the labels' size "
                f"(padding='same', or a matching crop or resize of the labels)")
    return None


def _fix(name: str, kind: str, labels, predictions) -> str:
    """What to change so that labels and predictions fit, in the terms of the loss."""
    width, classes = labels[-1] if labels else None, predictions[-1] if predictions else None
    shape_fix = _shape_fix(labels, predictions) if kind != "sparse" else None
    if shape_fix:
        return shape_fix
    if kind == "sparse":
        if len(labels) == len(predictions) and isinstance(width, int) and width == classes:
            return ("the labels look one-hot: use categorical_crossentropy, or pass the class "
                    "indices (np.argmax(y, axis=-1))")
        return ("make the model end in one score per class (e.g. Flatten before the "
                "classifier) or use CategoricalCrossentropy with one-hot labels")
    if name.startswith("Binary") and len(labels) < len(predictions):
        return (f"binary crossentropy takes one 0/1 label per output unit: end the model in "
                f"Dense(1, activation='sigmoid'), or keep the {classes} outputs and use "
                f"sparse_categorical_crossentropy")
    if kind == "elementwise" or name.startswith("Binary"):
        if isinstance(width, int) and len(labels) == len(predictions):
            return (f"the labels have {width} value{'s' * (width != 1)} per sample, the model "
                    f"{classes}: make the last layer output {width}, or give labels of the "
                    f"model's width")
        return "give labels of the predictions' shape, or change the model's last layer"
    if len(labels) < len(predictions) or width == 1:
        return ("one-hot encode the labels (keras.utils.to_categorical(y, num_classes)) or "
                "use sparse_categorical_crossentropy with the class indices")
    if len(labels) == len(predictions) and isinstance(width, int):
        return (f"the labels have {width} classes, the model {classes}: make the last layer "
                f"Dense({width}), or one-hot encode with num_classes={classes}")
    return "give one-hot labels of the predictions' shape, or change the model's last layer"


def apply_loss(ev, loss: Loss, args, kwargs, node):
    """A loss object or function applied to (labels, predictions)."""
    y_true = args[0] if args else kwargs.get("y_true", UNKNOWN)
    y_pred = args[1] if len(args) > 1 else kwargs.get("y_pred", UNKNOWN)
    if not (isinstance(y_true, Tensor) and isinstance(y_pred, Tensor)):
        return Tensor(None)
    name = canonical_loss(loss.name)
    kind = _LOSS_LABELS.get(name)
    decidable = _decidable(kind, y_true.shape, y_pred.shape)
    if kind and decidable:
        labels, predictions = tuple(y_true.shape), tuple(y_pred.shape)
        # a Loss object first aligns the ranks, as Keras does; so do the elementwise functions
        if loss.name[:1].isupper() or kind == "elementwise":
            labels, predictions = _same_rank(labels, predictions)
        problem = _label_problem(kind, labels, predictions)
        if problem:
            ev.fact("output-label-mismatch", node,
                    f"{loss.name}: {problem}: {_fix(name, kind, labels, predictions)}",
                    related=origins(y_true) + _made_by(y_pred))
            return UNKNOWN
    check_logits(ev, loss.name, loss.config.get("from_logits", False), y_pred, node)
    per_sample = None if y_pred.shape is None else tuple(y_pred.shape[:-1])
    if loss.name[:1].islower() or loss.config.get("reduction", "sum_over_batch_size") in (None, "none"):
        return Tensor(per_sample, "float32")
    return Tensor((), "float32")


def _last_layer(tensor):
    """The layer that made ``tensor`` (of a model's output, its last layer), else None."""
    record = tensor.source if isinstance(tensor, Tensor) else None
    while record is not None and record.children:
        record = record.children[-1]
    return getattr(record, "layer", None)


def _made_by(predictions) -> tuple:
    """Where the Keras layer that made the model's output is created (a finding's second
    place), as ``Tensor.origin``s."""
    layer = _last_layer(predictions)
    if not isinstance(layer, BuiltinLayer):
        return ()
    return ((layer.node, f"{layer.cls_name} makes the model's output "
                         f"{format_shape(predictions.shape)}"),)


def _final_activation(tensor):
    """The activation of the known layer that made ``tensor`` (None: linear), else UNKNOWN."""
    layer = _last_layer(tensor)
    if not isinstance(layer, BuiltinLayer) or layer.spec is None:
        return UNKNOWN
    if layer.cls_name == "Softmax":
        return "softmax"
    activation = layer.config.get("activation", UNKNOWN)
    if isinstance(activation, ApiRef):
        activation = activation.name.rsplit(".", 1)[-1]
    return activation if activation is None or isinstance(activation, str) else UNKNOWN


def check_label_range(ev, loss: Loss, labels, predictions, node) -> None:
    """Integer labels of a sparse loss that surely hold a value outside 0 .. classes - 1 of
    the model's output (the values of a literal array, or 0 .. k - 1 each occurring):
    TensorFlow raises on the batch that holds one."""
    classes = predictions.shape[-1] if isinstance(predictions, Tensor) and predictions.shape else None
    if _LOSS_LABELS.get(canonical_loss(loss.name)) != "sparse" or not isinstance(labels, Tensor) \
            or not isinstance(classes, int):
        return
    values = _label_values(labels)
    if values is None or 0 <= values[0] and values[1] < classes:
        return
    bad = values[0] if values[0] < 0 else values[1]
    fix = f"make the last layer output {values[1] + 1} classes, or map" if bad >= classes else "map"
    ev.fact("output-label-mismatch", node,
            f"{loss.name}: the labels hold the value {bad}, but the model outputs {classes} "
            f"classes, so a label must be in [0, {classes}) (TensorFlow raises on the first "
            f"batch that holds it): {fix} the labels into 0 .. {classes - 1}",
            related=origins(labels) + _made_by(predictions))


def _label_values(labels: Tensor) -> tuple[int, int] | None:
    """The lowest and the highest value integer labels surely hold, else None."""
    contents = labels.contents
    if contents and all(isinstance(v, int) and not isinstance(v, bool) for v in contents):
        return min(contents), max(contents)
    return None if labels.classes is None else (0, labels.classes - 1)


def check_logits(ev, loss_name, from_logits, predictions, node) -> None:
    """A crossentropy's ``from_logits`` against the activation the predictions come from."""
    if _LOSS_LABELS.get(canonical_loss(loss_name)) not in ("same", "sparse") or \
            from_logits not in (True, False):
        return
    activation = _final_activation(predictions)
    if activation is UNKNOWN:
        return
    if from_logits and activation in ("softmax", "sigmoid"):
        ev.fact("activation-loss-mismatch", node,
                f"{loss_name}(from_logits=True) gets {activation} probabilities from the model's "
                f"last layer: drop the activation there, or use from_logits=False")
    elif not from_logits and activation in (None, "linear"):
        ev.fact("activation-loss-mismatch", node,
                f"{loss_name} (from_logits=False) gets raw scores: the model's last layer has no "
                f"activation; pass from_logits=True, or end the model with softmax/sigmoid")


def wants_equal_shapes(loss: Loss) -> bool:
    """Whether the loss raises unless the labels have the predictions' shape (crossentropies
    of one-hot or binary labels)."""
    return _LOSS_LABELS.get(canonical_loss(loss.name)) == "same"


def loss_of(loss):
    """A compile(loss=...) argument as a Loss, if it is one shapecheck knows."""
    if isinstance(loss, str):  # compile wraps it like the Loss class of that name
        return Loss(canonical_loss(loss), {})
    return loss if isinstance(loss, Loss) else None
