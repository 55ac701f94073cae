"""The runner's stand-ins for what needs the network: Keras's data sets are made-up arrays of
their real shapes, and keras.applications build without ImageNet weight files (their
models marked, so that the recorder lists them as leaves)."""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import sys

# Set on the models keras.applications functions return: leaves of the record.
APPLICATION_MARK = "_shapecheck_application"


def patch_datasets():
    """Make ``load_data`` of Keras's data sets return arrays of their real shapes, offline, as
    the static analysis knows them (one table: ``shapecheck.library.data.DATASETS``): x zeros
    (a text: lists of word indices), y cycling through the classes."""
    from shapecheck.library.data import DATASETS

    for name in DATASETS:
        module = importlib.import_module(f"keras.src.datasets.{name}")
        original = module.load_data

        def load_data(*args, name=name, **kwargs):
            return stand_in_data(name, kwargs)

        for loaded in list(sys.modules.values()):  # every public alias too
            namespace = getattr(loaded, "__dict__", {})
            if namespace.get("load_data") is original:
                namespace["load_data"] = load_data


def stand_in_data(name, kwargs):
    """((x_train, y_train), (x_test, y_test)) of the data set ``name``, made up."""
    import numpy as np

    from shapecheck.library.data import DATASETS, dataset_rows

    default_train, default_test, x_shape, x_dtype, y_shape, y_dtype, classes = DATASETS[name]
    rows = [r if isinstance(r, int) else d
            for r, d in zip(dataset_rows(name, kwargs), (default_train, default_test))]
    words = kwargs.get("num_words") or 1000
    length = min(kwargs.get("maxlen") or 80, 80)

    def x(count):
        if x_dtype != "object":
            return np.zeros((count, *x_shape), x_dtype)
        texts = np.empty(count, object)
        texts[:] = [[1 + (i + j) % (words - 1) for j in range(length)] for i in range(count)]
        return texts

    def y(count):
        return (np.arange(count) % classes).astype(y_dtype).reshape((count, *y_shape))
    return tuple((x(count), y(count)) for count in rows)


# What get_file returns while an application builds with weights="imagenet".
NO_WEIGHTS_FILE = "<shapecheck: no ImageNet weights file>"


def patch_applications():
    """Make every ``keras.applications`` function (under each of its module aliases)
    build offline: with ``weights="imagenet"`` Keras still runs all its checks of the
    arguments and builds the same model as with ``weights=None`` (same shapes and
    counts), but nothing is downloaded and no weights are loaded. The models they
    return are marked leaves of the record."""
    import keras
    from keras.src.utils import file_utils

    applications = keras.applications
    for name in dir(applications):
        original = getattr(applications, name)
        if not (name[:1].isupper() and inspect.isfunction(original)):
            continue
        wrapper = offline_application(original, file_utils, keras.Model)
        for loaded in list(sys.modules.values()):  # every public alias too
            namespace = getattr(loaded, "__dict__", {})
            if namespace.get(name) is original:
                namespace[name] = wrapper


def offline_application(function, file_utils, model_class):
    """``function`` building without ImageNet weights files; its models marked."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def application(*args, **kwargs):
        try:
            weights = signature.bind(*args, **kwargs).arguments.get(
                "weights", signature.parameters["weights"].default)
        except (TypeError, KeyError):  # Keras's own call raises the TypeError
            weights = None
        if isinstance(weights, str) and weights == "imagenet":
            with no_weights_files(file_utils, model_class):
                model = function(*args, **kwargs)
        else:
            model = function(*args, **kwargs)
        object.__setattr__(model, APPLICATION_MARK, True)
        return model

    return application


@contextlib.contextmanager
def no_weights_files(file_utils, model_class):
    """``get_file`` downloads nothing and loading what it returned does nothing."""
    get_file, load_weights = file_utils.get_file, model_class.load_weights

    def load_no_weights(self, filepath, *args, **kwargs):
        if filepath is NO_WEIGHTS_FILE:
            return None
        return load_weights(self, filepath, *args, **kwargs)

    file_utils.get_file = lambda *args, **kwargs: NO_WEIGHTS_FILE
    model_class.load_weights = load_no_weights
    try:
        yield
    finally:
        file_utils.get_file, model_class.load_weights = get_file, load_weights
