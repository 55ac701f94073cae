"""scikit-learn's bundled and downloaded data sets: ``load_iris()`` and its kin give a
``Bunch`` (a dict read by attribute too) of arrays whose shapes are fixed by the data set,
or ``(data, target)`` with ``return_X_y=True``; ``load_sample_images()`` gives two photos.
``as_frame=True`` (pandas tables) and arguments that select part of a set are unknown."""

from __future__ import annotations

from shapecheck.library.command_line import Namespace
from shapecheck.library.registry import function
from shapecheck.values import UNKNOWN, Tensor

# name: (data shape, target shape, target dtype, classes (every label 0 .. classes - 1
# occurs), images shape or None); every array of data and images is float64.
SETS = {
    "load_iris": ((150, 4), (150,), "int64", 3, None),
    "load_digits": ((1797, 64), (1797,), "int64", 10, (1797, 8, 8)),
    "load_breast_cancer": ((569, 30), (569,), "int64", 2, None),
    "load_wine": ((178, 13), (178,), "int64", 3, None),
    "load_diabetes": ((442, 10), (442,), "float64", None, None),
    "load_linnerud": ((20, 3), (20, 3), "float64", None, None),
    "fetch_california_housing": ((20640, 8), (20640,), "float64", None, None),
    "fetch_olivetti_faces": ((400, 4096), (400,), "int64", 40, (400, 64, 64)),
}
# What keeps the set whole: the arguments (and their defaults) each loader takes.
_WHOLE = {"as_frame": False, "n_class": 10, "scaled": True, "shuffle": False}
PHOTO = (427, 640, 3)  # china.jpg and flower.jpg, as uint8 RGB


def _array(shape, dtype="float64", classes=None):
    return Tensor(shape, dtype, numpy=True, classes=classes)


def _load(site, name):
    """``load_iris()``: the Bunch (``.data``, ``.target``, ``.images`` for the picture
    sets); ``(data, target)`` with ``return_X_y=True``."""
    if site.args or any(site.kwargs.get(key, value) != value for key, value in _WHOLE.items()):
        return UNKNOWN  # a table, part of the set, or arguments by position
    data, target, dtype, classes, images = SETS[name]
    x, y, pair = _array(data), _array(target, dtype, classes), site.kwargs.get("return_X_y", False)
    if pair is True:
        return x, y
    if pair is not False:
        return UNKNOWN
    bunch = Namespace(data=x, target=y, DESCR=UNKNOWN, feature_names=UNKNOWN)
    if images is not None:
        bunch["images"] = _array(images)
    return bunch


for _name in SETS:
    function(f"sklearn.datasets.{_name}")(lambda site, name=_name: _load(site, name))


@function("sklearn.datasets.load_sample_images")
def _sample_images(site):
    """The Bunch of the two bundled photos: ``images`` is a list of two arrays."""
    return Namespace(images=[_array(PHOTO, "uint8") for _ in range(2)], filenames=UNKNOWN,
                     DESCR=UNKNOWN)


@function("sklearn.datasets.load_sample_image")
def _sample_image(site):
    """One bundled photo by file name."""
    name = site.arg(0, "image_name", None)
    return _array(PHOTO, "uint8") if name in ("china.jpg", "flower.jpg") else UNKNOWN
