"""scikit-learn's bundled data sets (``shapecheck.library.sklearn_datasets``): the table's
shapes, dtypes and classes are the ones scikit-learn loads (the downloaded sets need the
network and are left to their documented shapes)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import datasets

from shapecheck.engine import check_source
from shapecheck.library.sklearn_datasets import PHOTO, SETS

BUNDLED = [name for name in SETS if name.startswith("load_")]


@pytest.mark.parametrize("name", BUNDLED)
def test_the_table_is_what_sklearn_loads(name):
    bunch = getattr(datasets, name)()
    data, target, dtype, classes, images = SETS[name]
    assert (bunch.data.shape, bunch.data.dtype) == (data, np.float64)
    assert (bunch.target.shape, str(bunch.target.dtype)) == (target, dtype)
    if classes is not None:
        assert list(np.unique(bunch.target)) == list(range(classes))
    assert (bunch.images.shape if "images" in bunch else None) == images


def test_the_sample_photos_are_what_sklearn_loads():
    assert [(i.shape, str(i.dtype)) for i in datasets.load_sample_images().images] == [(PHOTO, "uint8")] * 2


def _data_of(call):
    source = (f"import os\nfrom sklearn.datasets import load_iris, load_digits\n"
              f"flag = os.environ.get('X') == '1'\nx = {call}.data\n")
    return [t.shape for t in check_source(source, "f.py").tensors if t.name == "x"]


def test_a_whole_set_is_known():
    assert _data_of("load_digits(n_class=10, return_X_y=False)") == [(1797, 64)]


@pytest.mark.parametrize("call", ["load_iris(as_frame=True)", "load_digits(n_class=4)",
                                  "load_iris(False)", "load_iris(return_X_y=flag)"])
def test_part_of_a_set_or_a_table_is_unknown(call):
    assert _data_of(call) in ([], [None])
