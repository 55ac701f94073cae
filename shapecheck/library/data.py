"""Data: Keras's data sets and ``tf.data`` pipelines."""

from __future__ import annotations

from dataclasses import dataclass, replace

from shapecheck.library.registry import attribute, function, method
from shapecheck.library.tensors import dtype_of, shape_arg
from shapecheck.objects import Dataset, Generator, Instance
from shapecheck.values import UNKNOWN, ApiRef, Tensor, substitute, tensor_leaves

# Keras's data sets: rows of (train, test) as load_data() gives them, the shape and dtype of
# one x and one y, and how many classes y has (the verify runner's stand-in labels cycle
# through them; boston_housing's prices too).
DATASETS = {
    "mnist": (60000, 10000, (28, 28), "uint8", (), "uint8", 10),
    "fashion_mnist": (60000, 10000, (28, 28), "uint8", (), "uint8", 10),
    "cifar10": (50000, 10000, (32, 32, 3), "uint8", (1,), "uint8", 10),
    "cifar100": (50000, 10000, (32, 32, 3), "uint8", (1,), "uint8", 100),
    # Reviews and newswires: each x a list of word indices (an array of objects).
    "imdb": (25000, 25000, (), "object", (), "int64", 2),
    "reuters": (8982, 2246, (), "object", (), "int64", 46),
    "boston_housing": (404, 102, (13,), "float64", (), "float64", 10),
}
# Labels (not prices) in which every class occurs in train and test (reuters' test split
# may lack the rarest newswire topics).
LABELS_IN_BOTH = ("mnist", "fashion_mnist", "cifar10", "cifar100", "imdb")


def dataset_rows(name, kwargs, positional=False):
    """(train rows, test rows) of ``load_data(**kwargs)``, UNKNOWN where the arguments make
    them depend on the data (``maxlen=`` drops the longer texts) or are not known (given by
    position: ``positional``)."""
    train, test, *_ = DATASETS[name]
    if positional and name in ("imdb", "reuters", "boston_housing"):
        return UNKNOWN, UNKNOWN
    if name in ("imdb", "reuters") and kwargs.get("maxlen") is not None:
        return UNKNOWN, UNKNOWN
    split = kwargs.get("test_split", 0.2)
    if name in ("reuters", "boston_housing") and split != 0.2:
        if not isinstance(split, (int, float)) or isinstance(split, bool):
            return UNKNOWN, UNKNOWN
        total = train + test
        train = int(total * (1 - split))
        return train, total - train
    return train, test


def _load_data(site, name):
    _, _, x_shape, x_dtype, y_shape, y_dtype, classes = DATASETS[name]
    splits = dataset_rows(name, site.kwargs, bool(site.args))
    labelled = (name != "boston_housing", name in LABELS_IN_BOTH)
    return tuple((Tensor((rows, *x_shape), x_dtype, numpy=True),
                  Tensor((rows, *y_shape), y_dtype, numpy=True, classes=classes if known else None))
                 for rows, known in zip(splits, labelled))


for _name in DATASETS:
    function(f"keras.datasets.{_name}.load_data")(lambda site, name=_name: _load_data(site, name))


@function("keras.utils.pad_sequences", "keras.preprocessing.sequence.pad_sequences")
def _pad_sequences(site):
    """``pad_sequences(sequences, maxlen)``: one row per sequence, ``maxlen`` long (without
    it, as long as the longest sequence: unknown)."""
    sequences, maxlen = site.arg(0, "sequences"), site.arg(1, "maxlen", None)
    if isinstance(sequences, Tensor):
        rows = sequences.shape[0] if sequences.shape else UNKNOWN
    else:
        rows = len(sequences) if isinstance(sequences, (list, tuple)) else UNKNOWN
    width = maxlen if isinstance(maxlen, int) and not isinstance(maxlen, bool) else UNKNOWN
    dtype = site.arg(2, "dtype", "int32")
    return Tensor((rows, width), dtype if isinstance(dtype, str) else None, numpy=True)


@function("tensorflow.data.Dataset.from_tensor_slices")
def from_tensor_slices(site):
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
    element, count = first(site.arg(0, "tensors"))
    return Dataset(element, count if isinstance(count, int) else None)


@dataclass(eq=False)
class TensorSpec:
    """``tf.TensorSpec(shape, dtype)``: a declared shape (None where it varies; None as a
    whole when even the rank is open) and dtype."""

    shape: tuple | None
    dtype: str | None


@function("tensorflow.TensorSpec")
def _tensor_spec(site):
    shape = site.arg(0, "shape", None)
    return TensorSpec(None if shape is None else shape_arg(shape),
                      dtype_of(site.arg(1, "dtype", "float32")))


@attribute("tensorspec", "shape")
def _spec_shape(site):
    return UNKNOWN if site.obj.shape is None else site.obj.shape


@attribute("tensorspec", "dtype")
def _spec_dtype(site):
    return UNKNOWN if site.obj.dtype is None else site.obj.dtype


@function("tensorflow.TensorShape")
def _tensor_shape(site):
    """``tf.TensorShape(dims)``, as the tuple of its dims (None: an open rank, unknown)."""
    dims = shape_arg(site.arg(0, "dims"))
    return UNKNOWN if dims is None else dims


@function("tensorflow.data.Dataset.from_generator")
def _from_generator(site):
    """A data set of what a generator yields, as ``output_signature`` (TensorSpecs) or
    ``output_types`` with ``output_shapes`` declare it: a traced function (``fit``, ``map``)
    sees the declared shapes; the elements' own sizes where those say None, and how many
    there are, stay unknown."""
    signature = site.arg(4, "output_signature", None)
    if signature is None:
        types, shapes = site.arg(1, "output_types", None), site.arg(2, "output_shapes", None)
        signature = _declared(types, shapes)
    spec = _specified(signature)
    element = substitute(spec, {id(t): Tensor(tuple(UNKNOWN if d is None else d for d in t.shape),
                                              t.dtype) for t in tensor_leaves(spec) if t.shape})
    return Dataset(element, None, spec=spec)


def _declared(types, shapes):
    """``output_types`` and ``output_shapes`` as the TensorSpecs they declare (no shapes:
    an open one for each type)."""
    if isinstance(types, (tuple, list, dict)):
        keys = types if isinstance(types, dict) else range(len(types))
        fitting = isinstance(shapes, type(types)) and len(shapes) == len(types)
        parts = {k: _declared(types[k], shapes[k] if fitting else None) for k in keys}
        return parts if isinstance(types, dict) else type(types)(parts.values())
    return TensorSpec(shape_arg(shapes) if isinstance(shapes, (tuple, list)) else None, dtype_of(types))


def _specified(signature):
    """The tensors a nested structure of TensorSpecs describes (anything else unknown)."""
    if isinstance(signature, TensorSpec):
        return Tensor(signature.shape, signature.dtype)
    if isinstance(signature, (tuple, list)):
        return type(signature)(_specified(s) for s in signature)
    if isinstance(signature, dict):
        return {k: _specified(s) for k, s in signature.items()}
    return UNKNOWN


def _batch_element(element, size):
    if isinstance(element, Tensor):
        return Tensor(None if element.shape is None else (size, *element.shape), element.dtype)
    if isinstance(element, (tuple, list)):
        return type(element)(_batch_element(e, size) for e in element)
    if isinstance(element, dict):
        return {k: _batch_element(e, size) for k, e in element.items()}
    return UNKNOWN


@method("dataset", "batch")
def _batch(site):
    return batched(site.obj, site.arg(0, "batch_size"), site.arg(1, "drop_remainder", False) is True)


@method("dataset", "padded_batch")
def _padded_batch(site):
    """``padded_batch(n)``: batches whose sizes that vary are padded to the longest
    element's (as unknown as they were); with ``padded_shapes=``, unknown."""
    if site.arg(1, "padded_shapes", None) is not None:
        return Dataset(UNKNOWN, None, batched=True)
    return batched(site.obj, site.arg(0, "batch_size"), site.arg(3, "drop_remainder", False) is True)


def batched(dataset: Dataset, size, drop: bool) -> Dataset:
    """``dataset.batch(size, drop_remainder=drop)``."""
    count = dataset.count
    spec = None if dataset.spec is None else \
        _batch_element(dataset.spec, size if drop and isinstance(size, int) else None)
    if not isinstance(size, int):
        return Dataset(_batch_element(dataset.element, UNKNOWN), None, batched=True, spec=spec)
    # The loop body sees the first batch: full unless the data set is smaller.
    first = UNKNOWN if count is None else min(count, size)
    batches = None if count is None else -(-count // size)
    if drop and count is not None:
        batches = count // size
    return Dataset(_batch_element(dataset.element, first), batches, fixed_batch=drop, batched=True,
                   spec=spec)


@method("dataset", "shuffle", "prefetch", "cache", "repeat")
def _same_elements(site):
    return site.obj


@method("dataset", "take", "skip")
def _take_or_skip(site):
    """``take(n)`` / ``skip(n)``: the first n elements, or the ones after them."""
    dataset, n = site.obj, site.arg(0, "count")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0 or dataset.count is None:
        return replace(dataset, count=None)
    count = min(dataset.count, n) if site.name == "take" else max(dataset.count - n, 0)
    return replace(dataset, count=count)


@method("dataset", "unbatch")
def _unbatch(site):
    """``unbatch()``: the samples of the batches, one by one."""
    dataset = site.obj
    if not dataset.batched:
        return Dataset(UNKNOWN, None)
    element = substitute(dataset.element, {id(t): Tensor(tuple(t.shape[1:]), t.dtype)
                                           for t in tensor_leaves(dataset.element) if t.shape})
    return Dataset(element, None)


@method("dataset", "apply")
def _apply(site):
    """``apply(f)``: what ``f`` makes of the data set (a pipeline written as a function)."""
    if len(site.args) != 1:
        return Dataset(UNKNOWN, None)
    return site.ev.call(site.args[0], [site.obj], {}, site.node)


@method("dataset", "window")
def _window(site):
    """``window(size, shift, stride, drop_remainder)``: a data set of windows, each a data
    set of up to ``size`` consecutive elements (exactly ``size`` when the short ones are
    dropped), to be made tensors by ``flat_map(lambda w: w.batch(size))``."""
    dataset, size = site.obj, site.arg(0, "size")
    shift, stride = site.arg(1, "shift", None), site.arg(2, "stride", 1)
    drop = site.arg(3, "drop_remainder", False)
    shift = size if shift is None else shift
    count, windows, first = dataset.count, None, None
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in (size, shift, stride)) \
            or drop not in (True, False) or dataset.batched:
        return Dataset(Dataset(UNKNOWN, None), None)
    if count is not None:
        span = (size - 1) * stride + 1  # the elements a full window reaches over
        windows = -(-max(count - span + 1, 0) // shift) if drop else -(-count // shift)
        first = size if drop else min(size, -(-count // stride))
    return Dataset(Dataset(dataset.element, first, spec=dataset.spec), windows)


@method("dataset", "flat_map", "interleave")
def _flat_map(site):
    """``flat_map(f)``: the elements of the data sets ``f`` makes of each element, one after
    another (their number unknown); ``f`` is traced on the first element."""
    dataset, ev = site.obj, site.ev
    if not site.args:
        return Dataset(UNKNOWN, None)
    ev.traced += 1
    try:
        inner = _call_on(site, dataset.element)
    finally:
        ev.traced -= 1
    if not isinstance(inner, Dataset):
        return Dataset(UNKNOWN, None)
    spec = traced_element(inner) if inner.batched and not inner.fixed_batch else inner.spec
    return Dataset(inner.element, None, spec=spec)


@function("tensorflow.data.Dataset.zip")
def _zip(site):
    """``Dataset.zip((a, b))`` (or ``zip(a, b)``): elements paired up, as many as the
    shortest has; of data sets batched alike, or none batched."""
    parts = site.args[0] if len(site.args) == 1 and isinstance(site.args[0], (tuple, list)) else \
        site.kwargs.get("datasets", tuple(site.args))
    if not isinstance(parts, (tuple, list)) or not parts or not all(isinstance(d, Dataset) for d in parts) \
            or len({(d.batched, d.fixed_batch) for d in parts}) > 1:
        return Dataset(UNKNOWN, None)
    counts = [d.count for d in parts]
    spec = tuple(traced_element(d) for d in parts) if any(d.spec is not None for d in parts) else None
    return Dataset(tuple(d.element for d in parts), None if None in counts else min(counts),
                   parts[0].fixed_batch, parts[0].batched, spec)


@function("keras.utils.timeseries_dataset_from_array",
          "keras.preprocessing.timeseries_dataset_from_array")
def _timeseries(site):
    """Windows of ``sequence_length`` steps of ``data`` (every ``sampling_rate``-th row,
    starting every ``sequence_stride`` rows), with the target of each window's first row,
    in batches; Keras traces them as (None, None, features)."""
    data, targets = site.arg(0, "data"), site.arg(1, "targets", None)
    length, stride, rate = site.arg(2, "sequence_length"), site.arg(3, "sequence_stride", 1), \
        site.arg(4, "sampling_rate", 1)
    size, start, end = site.arg(5, "batch_size", 128), site.arg(8, "start_index", None), \
        site.arg(9, "end_index", None)
    if not isinstance(data, Tensor) or not data.shape:
        return Dataset(UNKNOWN, None, batched=True)
    start = 0 if start is None else start
    end = data.shape[0] if end is None else end
    numbers = (length, stride, rate, start, end, size)
    count = None
    if all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        count = len(range(0, max(end - start - (length - 1) * rate, 0), stride))
    first = min(count, size) if count is not None else UNKNOWN
    windows = Tensor((first, length if isinstance(length, int) else UNKNOWN, *data.shape[1:]), data.dtype)
    traced = Tensor((None, None, *data.shape[1:]), data.dtype)
    if targets is not None:
        rest = tuple(targets.shape[1:]) if isinstance(targets, Tensor) and targets.shape else None
        dtype = targets.dtype if isinstance(targets, Tensor) else None
        windows = (windows, Tensor(None if rest is None else (first, *rest), dtype))
        traced = (traced, Tensor(None if rest is None else (None, *rest), dtype))
    batches = -(-count // size) if count is not None else None
    return Dataset(windows, batches, batched=True, spec=traced)


def _call_on(site, element):
    """The function given to a data set's ``map`` / ``flat_map`` called on an element (a
    tuple's items are its arguments)."""
    values = list(element) if isinstance(element, tuple) else [element]
    return site.ev.call(site.args[0], values, {}, site.node)


@method("dataset", "map")
def _map(site):
    """TensorFlow traces the function once on the element's spec (a batch of a size that
    varies: None) and what it records is that; the first element it gives is computed
    again, quietly, from the first batch."""
    dataset, ev = site.obj, site.ev
    if not site.args:
        return Dataset(UNKNOWN, None)
    ev.traced += 1
    try:
        if dataset.spec is None and (not dataset.batched or dataset.fixed_batch):
            element, spec = _call_on(site, dataset.element), None
        else:
            spec = _call_on(site, traced_element(dataset))
            ev.building += 1
            ev._quiet += 1
            try:
                element = _call_on(site, dataset.element)
            finally:
                ev.building -= 1
                ev._quiet -= 1
    finally:
        ev.traced -= 1
    return Dataset(element, dataset.count, dataset.fixed_batch, dataset.batched, spec)


_SEQUENCE_BASES = frozenset({"keras.utils.Sequence", "keras.utils.PyDataset"})


def batches_of(ev, value):
    """A Python generator or a ``keras.utils.Sequence`` (``PyDataset``) of the file given as
    data, as the data set of its batches: the first is what the generator first yields or
    ``__getitem__(0)`` returns (traced by Keras with the batch axis None); any other value
    as it is."""
    if isinstance(value, Generator):
        return Dataset(ev.first_yield(value), None, batched=True)
    if not isinstance(value, Instance) or not any(
            isinstance(base, ApiRef) and base.name in _SEQUENCE_BASES
            for cls in value.cls.mro() for base in cls.bases):
        return value
    getitem = value.cls.method("__getitem__")
    if getitem is None:
        return Dataset(UNKNOWN, None, batched=True)
    ev.building += 1  # (Keras fetches batches to learn their structure: nothing to report)
    try:
        first = ev.call_function(getitem.bound(value), [0], {})
    finally:
        ev.building -= 1
    return Dataset(first, None, batched=True)


def traced_element(dataset: Dataset):
    """A batched data set's element as a traced function gets it (the batch axis None)."""
    return dataset.spec if dataset.spec is not None else with_batch_axis(dataset.element, None)


def with_batch_axis(value, size):
    """``value`` with the batch axis of each tensor in it set to ``size``."""
    return substitute(value, {id(t): Tensor((size, *t.shape[1:]), t.dtype, origin=t.origin)
                              for t in tensor_leaves(value) if t.shape})
