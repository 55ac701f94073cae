"""Data: Keras's data sets and ``tf.data`` pipelines."""

from __future__ import annotations

from shapecheck.library.registry import function, method
from shapecheck.objects import Dataset
from shapecheck.values import UNKNOWN, Tensor, substitute, tensor_leaves

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
    dataset, size = site.obj, site.arg(0, "batch_size")
    count = dataset.count
    if not isinstance(size, int):
        return Dataset(_batch_element(dataset.element, UNKNOWN), None, batched=True)
    # The loop body sees the first batch: full unless the data set is smaller.
    first = UNKNOWN if count is None else min(count, size)
    batches = None if count is None else -(-count // size)
    drop = site.arg(1, "drop_remainder", False) is True
    if drop and count is not None:
        batches = count // size
    return Dataset(_batch_element(dataset.element, first), batches, fixed_batch=drop, batched=True)


@method("dataset", "shuffle", "prefetch", "cache", "repeat", "take", "skip")
def _same_elements(site):
    return site.obj


@method("dataset", "map")
def _map(site):
    """TensorFlow traces the function once on the element's spec (a batch of a size that
    varies: None) and what it records is that; the first element it gives is computed
    again, quietly, from the first batch."""
    dataset, ev = site.obj, site.ev
    if not site.args:
        return Dataset(UNKNOWN, None)

    def run(element):
        values = list(element) if isinstance(element, tuple) else [element]
        return ev.call(site.args[0], values, {}, site.node)

    ev.traced += 1
    try:
        if not dataset.batched or dataset.fixed_batch:
            element, spec = run(dataset.element), None
        else:
            spec = run(traced_element(dataset))
            ev.building += 1
            ev._quiet += 1
            try:
                element = run(dataset.element)
            finally:
                ev.building -= 1
                ev._quiet -= 1
    finally:
        ev.traced -= 1
    return Dataset(element, dataset.count, dataset.fixed_batch, dataset.batched, spec)


def traced_element(dataset: Dataset):
    """A batched data set's element as a traced function gets it (the batch axis None)."""
    return dataset.spec if dataset.spec is not None else with_batch_axis(dataset.element, None)


def with_batch_axis(value, size):
    """``value`` with the batch axis of each tensor in it set to ``size``."""
    return substitute(value, {id(t): Tensor((size, *t.shape[1:]), t.dtype)
                              for t in tensor_leaves(value) if t.shape})
