"""Data: Keras's data sets and ``tf.data`` pipelines."""

from __future__ import annotations

from shapecheck.library.registry import function, method
from shapecheck.objects import Dataset
from shapecheck.values import UNKNOWN, Tensor

# Keras's data sets: the shapes of (x_train, y_train), (x_test, y_test); all uint8.
DATASETS = {
    "mnist": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "fashion_mnist": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "cifar10": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
    "cifar100": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
}


def _load_data(name):
    train, test = DATASETS[name]
    return tuple((Tensor(x, "uint8", numpy=True), Tensor(y, "uint8", numpy=True))
                 for x, y in (train, test))


for _name in DATASETS:
    function(f"keras.datasets.{_name}.load_data")(lambda site, name=_name: _load_data(name))


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
        return Dataset(_batch_element(dataset.element, UNKNOWN), None)
    # The loop body sees the first batch: full unless the data set is smaller.
    first = UNKNOWN if count is None else min(count, size)
    batches = None if count is None else -(-count // size)
    drop = site.arg(1, "drop_remainder", False) is True
    if drop and count is not None:
        batches = count // size
    return Dataset(_batch_element(dataset.element, first), batches, fixed_batch=drop)


@method("dataset", "shuffle", "prefetch", "cache", "repeat", "take", "skip")
def _same_elements(site):
    return site.obj


@method("dataset", "map")
def _map(site):
    if not site.args:
        return Dataset(UNKNOWN, None)
    element = site.obj.element
    values = list(element) if isinstance(element, tuple) else [element]
    ev = site.ev
    ev.traced += 1
    try:
        return Dataset(ev.call(site.args[0], values, {}, site.node), site.obj.count,
                       site.obj.fixed_batch)
    finally:
        ev.traced -= 1
