"""scikit-learn as model code uses it on data: ``train_test_split`` (rows split, other axes
kept), the scalers (same shape), ``LabelEncoder`` (one integer per label), the one-hot
encoders (one column per category: how many the data holds is unknown) and ``PCA``; the
cross-validation splitters ``KFold`` (fold sizes as sklearn counts them) and
``StratifiedKFold`` (sizes that depend on the labels: unknown); the generated data sets
(``make_blobs``, ``make_classification``, ``make_moons``, ``make_circles``,
``make_regression``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from shapecheck.library.pandas import Frame, as_data
from shapecheck.library.registry import function, method
from shapecheck.values import UNKNOWN, Tensor

_SAME_SHAPE = ("StandardScaler", "MinMaxScaler", "MaxAbsScaler", "RobustScaler", "Normalizer",
               "PowerTransformer", "QuantileTransformer", "SimpleImputer")
_ENCODERS = {"LabelEncoder": "labels", "OneHotEncoder": "one-hot", "LabelBinarizer": "binarized",
             "PCA": "components"}


@dataclass(eq=False)
class Estimator:
    """A scikit-learn transformer: ``kind`` says what its ``transform`` makes of an array."""

    kind: str
    config: dict = field(default_factory=dict)


def _rows(count, test_size, train_size):
    """(train rows, test rows) as sklearn's ``_validate_shuffle_split`` counts them."""
    if test_size is None and train_size is None:
        test_size = 0.25
    if not isinstance(count, int) or any(
            v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)))
            for v in (test_size, train_size)):
        return UNKNOWN, UNKNOWN
    test = math.ceil(test_size * count) if isinstance(test_size, float) else test_size
    train = math.floor(train_size * count) if isinstance(train_size, float) else train_size
    if train is None:
        train = count - test
    elif test is None:
        test = count - train
    return train, test


@function("sklearn.model_selection.train_test_split")
def _train_test_split(site):
    """``a_train, a_test, b_train, b_test, ... = train_test_split(a, b, ...)``."""
    arrays = site.args
    if not arrays:
        return UNKNOWN
    split = []
    for a in arrays:
        if isinstance(a, Frame):  # tables stay tables
            split += [replace(a, rows=rows) for rows in _rows(
                a.rows, site.kwargs.get("test_size"), site.kwargs.get("train_size"))]
            continue
        if not isinstance(a, Tensor) or a.shape is None or not a.shape:
            dtype = a.dtype if isinstance(a, Tensor) else None
            split += [Tensor(None, dtype, numpy=True), Tensor(None, dtype, numpy=True)]
            continue
        parts = _rows(a.shape[0], site.kwargs.get("test_size"), site.kwargs.get("train_size"))
        split += [Tensor((rows, *a.shape[1:]), a.dtype, numpy=True, classes=a.classes)
                  for rows in parts]
    return split


def _samples(n):
    """A data set's row count: ``n_samples``, or the sum of its per-class counts."""
    if isinstance(n, (list, tuple)) and n and all(isinstance(v, int) and not isinstance(v, bool) for v in n):
        return sum(n)
    return n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else UNKNOWN


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else UNKNOWN


@function("sklearn.datasets.make_blobs", "sklearn.datasets.make_classification",
          "sklearn.datasets.make_moons", "sklearn.datasets.make_circles",
          "sklearn.datasets.make_regression")
def _make_dataset(site):
    """``X, y = make_blobs(n_samples, n_features, centers=...)`` and its kin: X of
    (samples, features) floats, y of one label (or target) per sample; every class of a
    classification set occurs in y (sklearn spreads the samples over them)."""
    kind = site.name.rsplit(".", 1)[-1]
    n = site.arg(0, "n_samples", 100)
    rows = _samples(n)
    features = 2 if kind in ("make_moons", "make_circles") else _count(
        site.arg(1, "n_features", {"make_blobs": 2, "make_classification": 20}.get(kind, 100)))
    classes = {"make_moons": 2, "make_circles": 2,
               "make_classification": _count(site.kwargs.get("n_classes", 2))}.get(kind)
    if kind == "make_blobs":
        centers = site.kwargs.get("centers")
        classes = (len(n) if isinstance(n, (list, tuple)) else 3) if centers is None else \
            _count(centers) if not isinstance(centers, (list, tuple)) else len(centers)
    if not isinstance(rows, int) or not isinstance(classes, int) or rows < classes:
        classes = None
    targets = _count(site.kwargs.get("n_targets", 1))
    y = Tensor((rows,), "float64", numpy=True) if kind == "make_regression" and targets == 1 else \
        Tensor((rows, targets), "float64", numpy=True) if kind == "make_regression" else \
        Tensor((rows,), "int64", numpy=True, classes=classes)
    found = [Tensor((rows, features), "float64", numpy=True), y]
    if site.kwargs.get("return_centers") is True or site.kwargs.get("coef") is True:
        found.append(UNKNOWN)
    return tuple(found)


_FOLDS = {"sklearn.model_selection.KFold": "folds",
          "sklearn.model_selection.StratifiedKFold": "stratified folds"}


@function(*_FOLDS)
def _folds(site):
    return Estimator(_FOLDS[site.name], {"n_splits": site.arg(0, "n_splits", 5)})


@method("estimator", "split")
def _split(site):
    """``for train, test in folds.split(X, y)``: a (train, test) pair of index arrays per fold
    (sklearn's first ``n % k`` test folds hold one row more)."""
    x, k = as_data(site.arg(0, "X")), site.obj.config.get("n_splits")
    if site.obj.kind not in _FOLDS.values() or not isinstance(k, int) \
            or isinstance(k, bool) or k < 2:
        return UNKNOWN
    rows = x.shape[0] if isinstance(x, Tensor) and x.shape else \
        x.rows if isinstance(x, Frame) else UNKNOWN
    if isinstance(rows, int) and k > rows:  # sklearn raises
        return UNKNOWN
    if not isinstance(rows, int) or site.obj.kind == "stratified folds":
        return [(Tensor((UNKNOWN,), "int64", numpy=True),) * 2 for _ in range(k)]
    sizes = [rows // k + (fold < rows % k) for fold in range(k)]
    return [(Tensor((rows - size,), "int64", numpy=True), Tensor((size,), "int64", numpy=True))
            for size in sizes]


@method("estimator", "get_n_splits")
def _n_splits(site):
    return site.obj.config.get("n_splits", UNKNOWN) if site.obj.kind in _FOLDS.values() else UNKNOWN


@function(*(f"sklearn.preprocessing.{name}" for name in _SAME_SHAPE),
          "sklearn.impute.SimpleImputer")
def _scaler(site):
    return Estimator("same")


@function("sklearn.preprocessing.LabelEncoder", "sklearn.preprocessing.OneHotEncoder",
          "sklearn.preprocessing.LabelBinarizer", "sklearn.decomposition.PCA")
def _encoder(site):
    return Estimator(_ENCODERS[site.name.rsplit(".", 1)[-1]], dict(site.kwargs, _args=site.args))


def transformed(estimator: Estimator, x):
    """What ``estimator.transform(x)`` gives."""
    x = as_data(x)
    if not isinstance(x, Tensor) or x.shape is None:
        return Tensor(None, numpy=True) if estimator.kind != "labels" else Tensor(None, "int64", numpy=True)
    rows = x.shape[0] if x.shape else UNKNOWN
    if estimator.kind == "same":
        return Tensor(x.shape, "float64", numpy=True)
    if estimator.kind == "labels":  # a class index per label
        return Tensor((rows,), "int64", numpy=True) if len(x.shape) == 1 else Tensor(None, numpy=True)
    if estimator.kind == "components":
        count = estimator.config.get("n_components", (estimator.config["_args"] or [None])[0])
        return Tensor((rows, count if isinstance(count, int) and not isinstance(count, bool)
                       else UNKNOWN), "float64", numpy=True)
    return Tensor((rows, UNKNOWN), "float64", numpy=True)  # one column per category seen


@method("estimator", "fit_transform", "transform")
def _transform(site):
    return transformed(site.obj, site.arg(0, "X"))


@method("estimator", "fit")
def _fit(site):
    return site.obj


@method("estimator", "inverse_transform")
def _inverse(site):
    x = as_data(site.arg(0, "X"))
    if site.obj.kind == "same" and isinstance(x, Tensor):
        return Tensor(x.shape, "float64", numpy=True)
    return UNKNOWN
