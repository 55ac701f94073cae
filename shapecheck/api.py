"""What the library calls a model program makes return, on abstract values.

``call`` handles a canonical API name (``keras.layers.Conv2D``,
``tensorflow.random.normal``, ``numpy.expand_dims``, ...); ``call_method``
handles methods of the objects the evaluator tracks (``model.add``,
``ds.batch``, ``arr.astype``).  Each handler is small; anything not handled
returns ``UNKNOWN``.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import BASE_KWARGS, ShapeError, lookup
from shapecheck.objects import (
    BuiltinLayer,
    Dataset,
    FunctionalModel,
    Instance,
    Loss,
    Sequential,
    Super,
    UserFunction,
    is_model,
)
from shapecheck.values import UNKNOWN, ApiRef, Tensor

BUILTINS = frozenset({
    "print", "len", "range", "list", "tuple", "int", "float", "str", "bool", "super",
    "isinstance", "zip", "enumerate", "min", "max", "sum", "abs", "round", "dict",
    "reversed", "sorted", "iter", "next", "set", "frozenset",
})

# Keras's data sets: the shapes of (x_train, y_train), (x_test, y_test); all uint8.
DATASETS = {
    "mnist": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "fashion_mnist": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "cifar10": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
    "cifar100": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
}


@dataclass
class Iterated:
    """The known items of ``zip(...)`` / ``enumerate(...)``."""

    items: list


def _shape_arg(value):
    """A shape argument (``(32, 28, 28, 3)``, ``[None, 10]``, ``5``) as a tuple of dims."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, (tuple, list)):
        if all(d is None or (isinstance(d, int) and not isinstance(d, bool)) or isinstance(d, dims.Expr)
               for d in value):
            return tuple(value)
        return tuple(d if isinstance(d, int) else None for d in value)
    return None


def _arg(args, kwargs, index, name, default=UNKNOWN):
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def _tensor(shape, dtype=None):
    return Tensor(shape, dtype) if shape is not None else Tensor(None, dtype)


def _dtype(value):
    if isinstance(value, str):
        return value
    if hasattr(value, "name") and isinstance(value.name, str):
        return value.name.rsplit(".", 1)[-1]
    return None


def _creation(args, kwargs, shape_index=0, shape_name="shape", dtype_name="dtype"):
    return _tensor(_shape_arg(_arg(args, kwargs, shape_index, shape_name)),
                   _dtype(kwargs.get(dtype_name)))


def _expand_dims(args, kwargs):
    x, axis = _arg(args, kwargs, 0, "x", _arg(args, kwargs, 0, "input")), _arg(args, kwargs, 1, "axis")
    if not isinstance(x, Tensor) or x.shape is None or not isinstance(axis, int):
        return Tensor(None)
    shape = list(x.shape)
    position = axis if axis >= 0 else len(shape) + 1 + axis
    shape.insert(position, 1)
    return Tensor(tuple(shape), x.dtype)


def _reshape(x, target):
    """``tf.reshape`` / ``np.reshape``: the new shape, or a ShapeError when sizes differ."""
    target = _shape_arg(target)
    if not isinstance(x, Tensor) or target is None:
        return Tensor(None)
    if x.shape is None:
        return Tensor(tuple(None if d == -1 else d for d in target), x.dtype)
    known = dims.product(d for d in target if d != -1)
    total = dims.product(x.shape)
    sizes_known = isinstance(known, int) and isinstance(total, int)
    if sizes_known and (total % known if -1 in target and known else total != known):
        raise ShapeError("reshape-size-mismatch",
                         f"cannot reshape {format_shape(x.shape)} ({total} values) into "
                         f"{format_shape(target)}: the sizes must match")
    if -1 in target:
        fill = total // known if sizes_known and known else None
        target = tuple(fill if d == -1 else d for d in target)
    return Tensor(target, x.dtype)


def _matmul(args, kwargs):
    """``tf.matmul(a, b)``: (..., n, k) @ (..., k, m) -> (..., n, m)."""
    a, b = _arg(args, kwargs, 0, "a"), _arg(args, kwargs, 1, "b")
    if not (isinstance(a, Tensor) and isinstance(b, Tensor)) or a.shape is None or b.shape is None:
        return Tensor(None)
    left, right = list(a.shape), list(b.shape)
    if len(left) < 2 or len(right) < 2:
        return Tensor(None)
    if kwargs.get("transpose_a") is True:
        left[-2:] = left[-1], left[-2]
    if kwargs.get("transpose_b") is True:
        right[-2:] = right[-1], right[-2]
    inner = (left[-1], right[-2])
    if all(isinstance(d, int) for d in inner) and inner[0] != inner[1]:
        raise ShapeError("incompatible-input",
                         f"matmul of {format_shape(a.shape)} and {format_shape(b.shape)}: the "
                         f"inner dimensions {inner[0]} and {inner[1]} must be equal")
    batch = left[:-2] if len(left) >= len(right) else right[:-2]
    return Tensor((*batch, left[-2], right[-1]), a.dtype)


def _one_hot(args, kwargs):
    indices, depth = _arg(args, kwargs, 0, "indices"), _arg(args, kwargs, 1, "depth")
    if not isinstance(indices, Tensor) or indices.shape is None:
        return Tensor(None)
    return Tensor((*indices.shape, depth if isinstance(depth, int) else None), "float32")


def _array(value):
    """The shape of a nested list literal, as ``np.array`` / ``tf.constant`` see it."""
    if isinstance(value, Tensor):
        return Tensor(value.shape, value.dtype)
    shape = []
    while isinstance(value, (list, tuple)):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    if value is UNKNOWN:
        return Tensor(None)
    return Tensor(tuple(shape))


def _load_data(name):
    train, test = DATASETS[name]
    return tuple((Tensor(x, "uint8", numpy=True), Tensor(y, "uint8", numpy=True))
                 for x, y in (train, test))


def _from_tensor_slices(value):
    def first(v):
        if isinstance(v, Tensor) and v.shape:
            return Tensor(tuple(v.shape[1:]), v.dtype), v.shape[0]
        if isinstance(v, (tuple, list)):
            parts = [first(p) for p in v]
            counts = {c for _, c in parts}
            return type(v)(e for e, _ in parts), counts.pop() if len(counts) == 1 else None
        if isinstance(v, dict):
            parts = {k: first(p) for k, p in v.items()}
            counts = {c for _, c in parts.values()}
            return {k: e for k, (e, _) in parts.items()}, counts.pop() if len(counts) == 1 else None
        return UNKNOWN, None
    element, count = first(value)
    return Dataset(element, count if isinstance(count, int) else None)


def _batch_element(element, size):
    if isinstance(element, Tensor):
        return Tensor(None if element.shape is None else (size, *element.shape), element.dtype)
    if isinstance(element, (tuple, list)):
        return type(element)(_batch_element(e, size) for e in element)
    if isinstance(element, dict):
        return {k: _batch_element(e, size) for k, e in element.items()}
    return UNKNOWN


def _batch(dataset: Dataset, args, kwargs):
    size = _arg(args, kwargs, 0, "batch_size")
    if not isinstance(size, int):
        return Dataset(_batch_element(dataset.element, None), None)
    count = dataset.count
    # The loop body sees the first batch: full unless the data set is smaller.
    first = size if count is None or count >= size else count
    batches = None if count is None else -(-count // size)
    if _arg(args, kwargs, 1, "drop_remainder", False) is True and count is not None:
        batches = count // size
    return Dataset(_batch_element(dataset.element, first), batches)


def _sequential(ev, args, kwargs, node):
    model = Sequential(node, ev.auto_name("Sequential", kwargs), given_name=_given_name(kwargs))
    ev.objects.append(model)
    layers = _arg(args, kwargs, 0, "layers", None)
    if isinstance(layers, (list, tuple)):
        for layer in layers:
            _add(model, layer)
        _build_if_declared(ev, model, node)
    return model


def _build_if_declared(ev, model: Sequential, node) -> None:
    """Keras builds a Sequential whose input is declared as soon as it has layers."""
    if model.input_shape is not None and model.layers and not model.broken:
        build(ev, model, model.input_shape, node)


def build(ev, model, shape, node) -> None:
    """``model.build(shape)``: apply the model to a symbolic input of that shape."""
    before, facts = len(ev.calls), len(ev.facts)
    ev.apply(model, [Tensor(shape, exact=True)], {}, node)
    ev.build_calls.update(id(record) for record in ev.calls[before:])
    if len(ev.facts) > facts and isinstance(model, Sequential):
        model.broken = True  # Keras raised here; the program would stop


def _given_name(kwargs):
    name = kwargs.get("name")
    return name if isinstance(name, str) else None


def _add(model: Sequential, layer) -> None:
    if isinstance(layer, Tensor):  # keras.Input(...) as the first element
        model.input_shape = layer.shape
        return
    if not model.layers and isinstance(layer, BuiltinLayer):
        declared = _declared_input(layer)
        if declared is not None:
            model.input_shape = declared
    model.layers.append(layer)


def _declared_input(layer: BuiltinLayer):
    """The input a first layer declares with ``input_shape=`` / ``input_dim=``."""
    config = layer.config
    shape = _shape_arg(config.get("input_shape"))
    if shape is not None:
        return (None, *shape)
    own = layer.spec is not None and "input_dim" in dict(layer.spec.signature)  # Embedding's
    if isinstance(config.get("input_dim"), int) and not own:
        return (None, config["input_dim"])
    return None


def _input(args, kwargs):
    dtype = _dtype(kwargs.get("dtype"))
    batch_shape = _shape_arg(kwargs.get("batch_shape"))
    if batch_shape is not None:
        return Tensor(batch_shape, dtype, exact=True)
    raw = _arg(args, kwargs, 0, "shape")
    shape = _shape_arg(raw)
    batch = _arg(args, kwargs, 1, "batch_size", None)
    if shape is None:
        return Tensor(None)
    # Only a shape written out in full says which dims Keras itself leaves undefined.
    literal = isinstance(raw, (tuple, list)) and all(d is None or isinstance(d, int) for d in raw)
    return Tensor((batch if isinstance(batch, int) else None, *shape), dtype, exact=literal)


def _functional(ev, args, kwargs, node):
    inputs = _arg(args, kwargs, 0, "inputs", None)
    outputs = _arg(args, kwargs, 1, "outputs", None)
    if inputs is None or outputs is None:
        return UNKNOWN
    input_list = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    output_list = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    if not all(isinstance(t, Tensor) for t in input_list + output_list):
        return UNKNOWN
    calls = _graph_order(input_list, output_list)
    model = FunctionalModel(node, ev.auto_name("Functional", kwargs), input_list, outputs, calls,
                            given_name=_given_name(kwargs))
    ev.objects.append(model)
    return model


def _graph_order(inputs, outputs) -> list:
    """The layer calls between inputs and outputs, in the order Keras runs a functional
    graph: by decreasing depth, ties in the order Keras's ``map_graph`` meets them."""
    def parents(record):
        return [t.source for t in record.inputs
                if isinstance(t, Tensor) and t.source is not None and not any(t is i for i in inputs)]

    post_order, finished = [], set()

    def visit(tensor):
        record = tensor.source
        if record is None or id(record) in finished or any(tensor is i for i in inputs):
            return
        finished.add(id(record))
        for parent_tensor in record.inputs:
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
    return [records[key] for key in order if key in records]


def replay(ev, model: FunctionalModel, inputs, node):
    """Run a functional model's graph again on new inputs."""
    new_inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if len(new_inputs) != len(model.inputs):
        return UNKNOWN
    arrays = {t.numpy for t in new_inputs if isinstance(t, Tensor)}
    if len(new_inputs) > 1 and arrays == {True, False}:
        ev.fact("incompatible-input", node,
                "a functional model cannot take a list mixing NumPy arrays and tensors in one "
                "call: convert them all (np.asarray / tf.convert_to_tensor), or use predict()")
        return UNKNOWN
    new_inputs = [ev._conform(model, old.shape, new, node) if old.shape is not None else new
                  for old, new in zip(model.inputs, new_inputs)]
    mapping = {id(old): new for old, new in zip(model.inputs, new_inputs)}
    for record in model.calls:
        args = [mapping.get(id(t), UNKNOWN) for t in record.inputs]
        value = args[0] if len(args) == 1 else args
        mapping[id(record.output)] = ev.apply(record.layer, [value], {}, node)
    outputs = model.outputs
    if isinstance(outputs, (list, tuple)):
        return [mapping.get(id(t), UNKNOWN) for t in outputs]
    return mapping.get(id(outputs), UNKNOWN)


def slice_tensor(tensor: Tensor, index):
    """``tensor[index]`` with ints, slices, ``None`` / ``np.newaxis`` and ``...``."""
    if tensor.shape is None or index is UNKNOWN:
        return Tensor(None, tensor.dtype)
    parts = list(index) if isinstance(index, tuple) else [index]
    parts = [None if p == ApiRef("numpy.newaxis") else p for p in parts]
    if sum(p is Ellipsis for p in parts) > 1:
        return Tensor(None, tensor.dtype)
    consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
    if consumed > len(tensor.shape):
        return Tensor(None, tensor.dtype)
    if Ellipsis in parts:
        at = parts.index(Ellipsis)
        parts[at:at + 1] = [slice(None)] * (len(tensor.shape) - consumed)
    dims_left, shape = list(tensor.shape), []
    for part in parts:
        if part is None:
            shape.append(1)
            continue
        dim = dims_left.pop(0)
        if isinstance(part, slice):
            if part == slice(None):
                shape.append(dim)
            elif isinstance(dim, int) and all(
                    b is None or isinstance(b, int) for b in (part.start, part.stop, part.step)):
                shape.append(len(range(dim)[part]))
            else:
                shape.append(None)
        elif not isinstance(part, int):
            return Tensor(None, tensor.dtype)
    return Tensor((*shape, *dims_left), tensor.dtype, numpy=tensor.numpy)


def broadcast(left, right):
    tensors = [v for v in (left, right) if isinstance(v, Tensor)]
    others = [v for v in (left, right) if not isinstance(v, Tensor)]
    if any(not isinstance(o, (int, float)) for o in others):
        return Tensor(None)
    shapes = [t.shape for t in tensors]
    if len(shapes) == 1 or shapes[0] == shapes[1]:
        return Tensor(shapes[0], tensors[0].dtype)
    return Tensor(None)


# How each crossentropy relates labels to predictions (Keras 3's checks).
_LOSS_LABELS = {
    "CategoricalCrossentropy": "same", "categorical_crossentropy": "same",
    "BinaryCrossentropy": "same", "binary_crossentropy": "same",
    "SparseCategoricalCrossentropy": "sparse", "sparse_categorical_crossentropy": "sparse",
}


def _same_rank(labels, predictions):
    """Keras's ``squeeze_or_expand_to_same_rank``: ranks one apart meet at a trailing 1."""
    if len(labels) == len(predictions) + 1 and labels[-1] == 1:
        return (labels, (*predictions, 1)) if len(predictions) == 1 else (labels[:-1], predictions)
    if len(predictions) == len(labels) + 1 and predictions[-1] == 1:
        return ((*labels, 1), predictions) if len(labels) == 1 else (labels, predictions[:-1])
    return labels, predictions


def _label_problem(kind: str, labels, predictions):
    """Why Keras rejects these label/prediction shapes, or None."""
    def differ(a, b):
        return isinstance(a, int) and isinstance(b, int) and a != b

    if kind == "sparse":
        if len(labels) == len(predictions) and labels and labels[-1] == 1:
            labels = labels[:-1]
        if len(labels) != len(predictions) - 1 or any(map(differ, labels, predictions[:-1])):
            return (f"integer labels of shape {format_shape(labels)} need predictions of shape "
                    f"(*labels, classes), but the predictions are {format_shape(predictions)}")
    elif len(labels) != len(predictions) or any(map(differ, labels, predictions)):
        return (f"labels of shape {format_shape(labels)} must have the predictions' shape "
                f"{format_shape(predictions)}")
    return None


def apply_loss(ev, loss: Loss, args, kwargs, node):
    """A loss object or function applied to (labels, predictions)."""
    y_true, y_pred = _arg(args, kwargs, 0, "y_true"), _arg(args, kwargs, 1, "y_pred")
    if not (isinstance(y_true, Tensor) and isinstance(y_pred, Tensor)):
        return Tensor(None)
    kind = _LOSS_LABELS.get(loss.name)
    if kind and y_true.shape is not None and y_pred.shape is not None:
        labels, predictions = tuple(y_true.shape), tuple(y_pred.shape)
        if loss.name[:1].isupper():  # a Loss object first aligns the ranks, as Keras does
            labels, predictions = _same_rank(labels, predictions)
        problem = _label_problem(kind, labels, predictions)
        if problem:
            hint = ("one-hot encode the labels or use SparseCategoricalCrossentropy" if kind == "same"
                    else "make the model end in one score per class (e.g. Flatten before the "
                         "classifier) or use CategoricalCrossentropy with one-hot labels")
            ev.fact("output-label-mismatch", node, f"{loss.name}: {problem}: {hint}")
            return UNKNOWN
    _check_logits(ev, loss.name, loss.config.get("from_logits", False), y_pred, node)
    per_sample = None if y_pred.shape is None else tuple(y_pred.shape[:-1])
    if loss.name[:1].islower() or loss.config.get("reduction", "sum_over_batch_size") in (None, "none"):
        return Tensor(per_sample, "float32")
    return Tensor((), "float32")


def _final_activation(tensor):
    """The activation of the known layer that made ``tensor`` (None: linear), else UNKNOWN."""
    record = tensor.source if isinstance(tensor, Tensor) else None
    while record is not None and record.children:  # a model's output: its last layer's
        record = record.children[-1]
    layer = getattr(record, "layer", None)
    if not isinstance(layer, BuiltinLayer) or layer.spec is None:
        return UNKNOWN
    if layer.cls_name == "Softmax":
        return "softmax"
    activation = layer.config.get("activation", UNKNOWN)
    if isinstance(activation, ApiRef):
        activation = activation.name.rsplit(".", 1)[-1]
    return activation if activation is None or isinstance(activation, str) else UNKNOWN


def _check_logits(ev, loss_name, from_logits, predictions, node) -> None:
    """A crossentropy's ``from_logits`` against the activation the predictions come from."""
    if loss_name not in _LOSS_LABELS or from_logits not in (True, False):
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


_PURE_BUILTINS = {
    "int": int, "float": float, "str": str, "bool": bool, "abs": abs, "round": round,
    "min": min, "max": max, "sum": sum, "sorted": sorted, "reversed": lambda v: list(reversed(v)),
    "set": set, "frozenset": frozenset,
}


def _builtin(ev, name, args, kwargs, node):
    if name == "iter":
        return args[0] if args else UNKNOWN
    if name == "next":
        items = ev._iterate(args[0]) if args else None
        return items[0] if items else UNKNOWN
    if name == "len":
        value = args[0] if args else UNKNOWN
        if isinstance(value, Tensor):
            return value.shape[0] if value.shape else UNKNOWN
        return len(value) if isinstance(value, (list, tuple, dict, str, range)) else UNKNOWN
    if name == "range":
        if args and all(isinstance(a, int) for a in args):
            return range(*args)
        return UNKNOWN
    if name in ("list", "tuple"):
        items = ev._iterate(args[0]) if args else []
        if items is None:
            return UNKNOWN
        return list(items) if name == "list" else tuple(items)
    if name in ("zip", "enumerate"):
        lists = [ev._iterate(a) for a in args]
        if any(items is None for items in lists):
            return UNKNOWN
        if name == "zip":
            return Iterated([tuple(group) for group in zip(*lists)])
        start = kwargs.get("start", 0)
        return Iterated(list(enumerate(lists[0], start))) if isinstance(start, int) else UNKNOWN
    function = _PURE_BUILTINS.get(name)
    if function is not None and all(isinstance(v, (int, float, str, bool, list, tuple, range,
                                                   set, frozenset)) for v in args):
        try:
            return function(*args)
        except Exception:
            return UNKNOWN
    return None if name == "print" else UNKNOWN


def _range(args, kwargs):
    """``tf.range`` / ``np.arange``: a 1-D tensor of the range's length."""
    start, limit = _arg(args, kwargs, 0, "start"), _arg(args, kwargs, 1, "limit", None)
    bounds = (0, start) if limit is None else (start, limit)  # arange(n) counts from 0
    bounds += (_arg(args, kwargs, 2, "delta", 1),)
    if not all(isinstance(b, int) for b in bounds) or bounds[2] == 0:
        return Tensor((None,))
    return Tensor((len(range(*bounds)),))


_MERGE_FUNCTIONS = {f"keras.layers.{name.lower()}": name for name in (
    "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot")}


def _keyword_node(call, keyword):
    """The ``keyword=value`` argument of a call, or the call itself."""
    for arg in getattr(call, "args", ()):
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    return call


def call(ev, name: str, args, kwargs, node):
    """The result of calling the library function or class ``name``."""
    if name.startswith("builtins."):
        return _builtin(ev, name[len("builtins."):], args, kwargs, node)
    if name == "keras.layers.InputLayer":  # in a Sequential list, as keras.Input
        shape = kwargs.get("shape", kwargs.get("input_shape", args[0] if args else None))
        options = {k: v for k, v in kwargs.items() if k in ("batch_size", "batch_shape", "dtype")}
        return _input([shape], options)
    if name in _MERGE_FUNCTIONS:  # layers.concatenate([a, b]) == Concatenate()([a, b])
        layer = call(ev, f"keras.layers.{_MERGE_FUNCTIONS[name]}", args[1:], kwargs, node)
        return ev.apply(layer, args[:1], {}, node) if args else UNKNOWN
    if name.startswith("keras.layers.") and name.rsplit(".", 1)[-1][:1].isupper():
        cls_name = name.rsplit(".", 1)[-1]
        if cls_name == "Layer":
            return UNKNOWN
        spec = lookup(name)
        if spec is not None:
            for keyword, kind, message in spec.argument_problems(args, kwargs):
                ev.fact(kind, _keyword_node(node, keyword), message)
        config = spec.bind(args, kwargs) if spec is not None else dict(kwargs)
        for key in BASE_KWARGS:
            config.setdefault(key, None)
        layer = BuiltinLayer(spec.name if spec else cls_name, spec, config, node,
                             ev.auto_name(spec.name if spec else cls_name, kwargs))
        ev.objects.append(layer)
        return layer
    if name == "keras.Sequential":
        return _sequential(ev, args, kwargs, node)
    if name == "keras.Model":
        return _functional(ev, args, kwargs, node)
    if name == "keras.Input":
        return _input(args, kwargs)
    if name.startswith("keras.losses."):
        loss = Loss(name.rsplit(".", 1)[-1], dict(kwargs))
        return loss if loss.name[:1].isupper() else apply_loss(ev, loss, args, {}, node)
    if name.startswith("keras.datasets.") and name.endswith(".load_data"):
        dataset = name.split(".")[2]
        return _load_data(dataset) if dataset in DATASETS else UNKNOWN
    handler = _FUNCTIONS.get(name)
    if handler is None:
        return UNKNOWN
    try:
        result = handler(args, kwargs)
    except ShapeError as error:
        ev.fact(error.kind, node, error.message)
        return UNKNOWN
    if isinstance(result, Tensor) and name.startswith("numpy."):
        result.numpy = True
    return result


def _same_shape(args, kwargs):
    x = args[0] if args else next(iter(kwargs.values()), UNKNOWN)
    return Tensor(x.shape, x.dtype) if isinstance(x, Tensor) else UNKNOWN


def _reduction(default_axis):
    """``np.argmax`` / ``tf.reduce_mean`` and friends: drop (or keep) the reduced axes."""
    def reduce(args, kwargs):
        x = _arg(args, kwargs, 0, "input_tensor", kwargs.get("x", kwargs.get("a", kwargs.get("input"))))
        axis = _arg(args, kwargs, 1, "axis", default_axis)
        keep = kwargs.get("keepdims", kwargs.get("keep_dims", False))
        if not isinstance(x, Tensor) or x.shape is None or keep not in (True, False):
            return Tensor(None)
        rank = len(x.shape)
        if axis is None:
            axes = set(range(rank))
        elif isinstance(axis, int):
            axes = {axis % rank} if rank else set()
        elif isinstance(axis, (list, tuple)) and all(isinstance(a, int) for a in axis):
            axes = {a % rank for a in axis}
        else:
            return Tensor(None)
        shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape) if keep or i not in axes)
        return Tensor(shape)
    return reduce


_ELEMENTWISE = (
    [f"tensorflow.nn.{f}" for f in ("relu", "relu6", "softmax", "log_softmax", "sigmoid", "tanh",
                                    "elu", "selu", "gelu", "leaky_relu", "silu", "swish",
                                    "dropout", "l2_normalize", "softplus")]
    + [f"tensorflow.math.{f}" for f in ("abs", "exp", "log", "sqrt", "square", "sigmoid", "tanh",
                                        "negative", "round", "floor", "ceil", "sign", "softplus",
                                        "l2_normalize")]
    + [f"tensorflow.{f}" for f in ("abs", "exp", "sqrt", "square", "sigmoid", "tanh", "round",
                                   "identity", "stop_gradient", "clip_by_value")]
    + [f"keras.activations.{f}" for f in ("relu", "softmax", "sigmoid", "tanh", "elu", "selu",
                                          "gelu", "swish", "silu", "softplus", "linear")]
    + [f"keras.ops.{f}" for f in ("relu", "softmax", "sigmoid", "tanh", "abs", "exp", "sqrt")]
    + [f"numpy.{f}" for f in ("abs", "exp", "log", "sqrt", "square", "tanh", "clip", "round")]
)

_FUNCTIONS = {
    **{name: _same_shape for name in _ELEMENTWISE},
    **{f"tensorflow.{r}": _reduction(None) for r in ("reduce_mean", "reduce_sum", "reduce_max",
                                                     "reduce_min", "reduce_prod")},
    **{f"tensorflow.math.{r}": _reduction(None) for r in ("reduce_mean", "reduce_sum",
                                                          "reduce_max", "reduce_min")},
    **{f"numpy.{r}": _reduction(None) for r in ("argmax", "argmin", "mean", "sum", "max", "min")},
    "tensorflow.argmax": _reduction(0),
    "tensorflow.math.argmax": _reduction(0),
    "tensorflow.argmin": _reduction(0),
    "tensorflow.random.normal": _creation,
    "tensorflow.random.uniform": _creation,
    "tensorflow.random.truncated_normal": _creation,
    "tensorflow.zeros": _creation,
    "tensorflow.ones": _creation,
    "keras.random.normal": _creation,
    "keras.random.uniform": _creation,
    "keras.ops.zeros": _creation,
    "keras.ops.ones": _creation,
    "numpy.zeros": _creation,
    "numpy.ones": _creation,
    "numpy.empty": _creation,
    "numpy.random.random": lambda a, k: _creation(a, k, 0, "size"),
    "numpy.random.normal": lambda a, k: _creation(a, k, 2, "size"),
    "numpy.random.uniform": lambda a, k: _creation(a, k, 2, "size"),
    "numpy.random.randint": lambda a, k: _creation(a, k, 2, "size"),
    "numpy.random.rand": lambda a, k: _tensor(_shape_arg(list(a))),
    "numpy.random.randn": lambda a, k: _tensor(_shape_arg(list(a))),
    "tensorflow.one_hot": _one_hot,
    "tensorflow.range": _range,
    "numpy.arange": _range,
    "keras.utils.to_categorical":
        lambda a, k: _one_hot([_arg(a, k, 0, "x"), _arg(a, k, 1, "num_classes")], {}),
    "numpy.expand_dims": _expand_dims,
    "tensorflow.matmul": _matmul,
    "tensorflow.linalg.matmul": _matmul,
    "keras.ops.matmul": _matmul,
    "numpy.matmul": _matmul,
    "tensorflow.Variable": lambda a, k: _array(_arg(a, k, 0, "initial_value")),
    "tensorflow.expand_dims": _expand_dims,
    "tensorflow.reshape": lambda a, k: _reshape(_arg(a, k, 0, "tensor"), _arg(a, k, 1, "shape")),
    "numpy.reshape": lambda a, k: _reshape(_arg(a, k, 0, "a"), _arg(a, k, 1, "newshape", k.get("shape"))),
    "numpy.array": lambda a, k: _array(_arg(a, k, 0, "object")),
    "numpy.asarray": lambda a, k: _array(_arg(a, k, 0, "a")),
    "tensorflow.constant": lambda a, k: _array(_arg(a, k, 0, "value")),
    "tensorflow.convert_to_tensor": lambda a, k: _array(_arg(a, k, 0, "value")),
    "tensorflow.cast": lambda a, k: _array(_arg(a, k, 0, "x")),
    "tensorflow.data.Dataset.from_tensor_slices": lambda a, k: _from_tensor_slices(_arg(a, k, 0, "tensors")),
}


def is_known(name: str) -> bool:
    """True for the API names this module models (star imports resolve through it)."""
    last = name.rsplit(".", 1)[-1]
    return (name in _FUNCTIONS or name in ("keras.Sequential", "keras.Model", "keras.Input")
            or (name.startswith(("keras.layers.", "keras.losses.")) and last[:1].isupper()))


def _list_method(items: list, name: str, args):
    """The list methods model code uses, applied to the tracked list."""
    if name == "append" and len(args) == 1:
        items.append(args[0])
    elif name == "extend" and args and isinstance(args[0], (list, tuple)):
        items.extend(args[0])
    elif name == "insert" and len(args) == 2 and isinstance(args[0], int):
        items.insert(args[0], args[1])
    elif name == "reverse" and not args:
        items.reverse()
    elif name == "pop" and all(isinstance(a, int) for a in args) and items:
        return items.pop(*args)
    elif name == "index" and len(args) == 1 and args[0] in items:
        return items.index(args[0])
    elif name == "copy" and not args:
        return list(items)
    elif name == "remove" and len(args) == 1 and args[0] in items:
        items.remove(args[0])
    elif name == "clear":
        items.clear()
    elif name == "sort":  # the new order is not known
        items[:] = [UNKNOWN] * len(items)
    else:
        return UNKNOWN
    return None


def call_method(ev, obj, name: str, args, kwargs, node):
    """The result of ``obj.name(*args, **kwargs)`` for a tracked object."""
    if isinstance(obj, Super):
        if name == "__init__" and isinstance(obj.instance, Instance) and isinstance(kwargs.get("name"), str):
            obj.instance.given_name = kwargs["name"]
        return None
    if isinstance(obj, Tensor):
        if name in ("astype", "numpy", "copy"):
            return Tensor(obj.shape, _dtype(args[0]) if args else obj.dtype,
                          numpy=obj.numpy or name == "numpy")
        if name == "reshape":
            try:
                return _reshape(obj, args[0] if len(args) == 1 else list(args))
            except ShapeError as error:
                ev.fact(error.kind, node, error.message)
                return UNKNOWN
        return UNKNOWN
    if isinstance(obj, list):
        return _list_method(obj, name, args)
    if isinstance(obj, dict):
        if name == "get":
            return obj.get(args[0], args[1] if len(args) > 1 else None) if args else UNKNOWN
        if name in ("items", "keys", "values"):
            return list(getattr(obj, name)())
        return UNKNOWN
    if isinstance(obj, Dataset):
        if name == "batch":
            return _batch(obj, args, kwargs)
        if name in ("shuffle", "prefetch", "cache", "repeat", "take", "skip"):
            return obj
        if name == "map" and args:
            element = obj.element
            values = list(element) if isinstance(element, tuple) else [element]
            ev.traced += 1
            try:
                return Dataset(ev.call(args[0], values, {}, node), obj.count)
            finally:
                ev.traced -= 1
        return Dataset(UNKNOWN, None)
    if isinstance(obj, BuiltinLayer):
        if name == "get_weights":
            weights = obj.weight_shapes()
            return UNKNOWN if weights is None else [Tensor(w, "float32") for w in weights]
        return UNKNOWN
    if isinstance(obj, Sequential) and name == "add":
        if args:
            _add(obj, args[0])
            _build_if_declared(ev, obj, node)
        return None
    if is_model(obj) or isinstance(obj, Instance):
        return _model_method(ev, obj, name, args, kwargs, node)
    return UNKNOWN


def _loss_of(loss):
    """A compile(loss=...) argument as a Loss, if it is one shapecheck knows."""
    if isinstance(loss, str):  # compile wraps it like the Loss class of that name
        return Loss("".join(part.capitalize() for part in loss.split("_")), {})
    return loss if isinstance(loss, Loss) else None


def _compile(ev, model, loss, node) -> None:
    """``model.compile(loss=...)``: remember the loss; check it against the model's output
    if the model already ran."""
    loss = _loss_of(loss)
    if loss is None:
        return
    ev.compiled[id(model)] = loss
    records = [r for r in ev.calls if r.layer is model]
    if records:
        _check_logits(ev, loss.name, loss.config.get("from_logits", False), records[-1].output, node)


def _fit(ev, model, x, y, batch_size, node):
    """``model.fit(x, y)``: Keras runs the model on the first batch of x in a traced graph,
    then applies the compiled loss to that batch of y."""
    tensors = list(x) if isinstance(x, (list, tuple)) else [x]
    if not tensors or not all(isinstance(t, Tensor) and t.shape for t in tensors):
        return None
    count = tensors[0].shape[0]
    size = min(count, batch_size) if isinstance(count, int) and isinstance(batch_size, int) else None
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


def _model_method(ev, model, name, args, kwargs, node):
    if name == "compile":
        _compile(ev, model, _arg(args, kwargs, 1, "loss", None), node)
        return None
    if name == "fit":
        _fit(ev, model, _arg(args, kwargs, 0, "x"), _arg(args, kwargs, 1, "y"),
             _arg(args, kwargs, 2, "batch_size", 32), node)
        return None
    if name == "add_weight":
        shape = kwargs.get("shape", args[0] if args and isinstance(args[0], (tuple, list)) else None)
        return _tensor(_shape_arg(shape), "float32")
    if name == "build":
        shape = _shape_arg(_arg(args, kwargs, 0, "input_shape"))
        if shape is None:
            return None
        if isinstance(model, Instance):
            # Keras 3 runs a subclass's own build(); the default one does not call call().
            method = model.cls.method("build")
            if method is not None:
                ev.call_function(UserFunction(method.node, method.defaults, model), [shape], {})
            return None
        if isinstance(model, Sequential):
            model.input_shape = shape
        build(ev, model, shape, node)
        return None
    if name in ("predict", "predict_on_batch"):
        return _predict(ev, model, _arg(args, kwargs, 0, "x"),
                        kwargs.get("batch_size", 32) if name == "predict" else None, node)
    return UNKNOWN


def _predict(ev, model, x, batch_size, node):
    """``model.predict(x)``: the data as tensors, batch by batch; the first call sees one batch."""
    if isinstance(x, Dataset):
        x = x.element[0] if isinstance(x.element, tuple) else x.element
    tensors = list(x) if isinstance(x, (list, tuple)) else [x]
    if not tensors or not all(isinstance(t, Tensor) for t in tensors):
        return UNKNOWN
    count = tensors[0].shape[0] if tensors[0].shape else None
    batched = isinstance(batch_size, int) and isinstance(count, int) and count > batch_size
    tensors = [Tensor((batch_size, *t.shape[1:]) if batched and t.shape else t.shape, t.dtype)
               for t in tensors]
    ev.graph_mode += 1  # predict runs a traced graph
    try:
        output = ev.apply(model, [tensors if isinstance(x, (list, tuple)) else tensors[0]], {}, node)
    finally:
        ev.graph_mode -= 1
    if batched and isinstance(output, Tensor) and output.shape:
        return Tensor((count, *output.shape[1:]), output.dtype)
    return output
