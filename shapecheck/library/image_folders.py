"""Images read from folders in batches: ``keras.utils.image_dataset_from_directory`` (a
``tf.data`` data set) and the legacy ``ImageDataGenerator`` (``tf.keras.preprocessing.image``)
with ``flow_from_directory`` and ``flow``. The size, channels and label layout of a batch
are the arguments'; how many images, and so how many classes, the folders hold is unknown."""

from __future__ import annotations

from dataclasses import dataclass

from shapecheck.library.ops.images import size_pair
from shapecheck.library.registry import function, method
from shapecheck.objects import Dataset
from shapecheck.values import UNKNOWN, Tensor

_CHANNELS = {"rgb": 3, "grayscale": 1, "rgba": 4}


@dataclass(eq=False)
class ImageGenerator:
    """An ``ImageDataGenerator``: what it yields keeps the images' shapes."""


def _channels(mode):
    return _CHANNELS.get(mode, UNKNOWN) if isinstance(mode, str) else UNKNOWN


@function("keras.utils.image_dataset_from_directory", "keras.preprocessing.image_dataset_from_directory")
def _image_dataset(site):
    """Batches of (images, labels): float32 images of ``image_size`` and ``color_mode``;
    labels by ``label_mode`` (``int``: int32 (batch,), ``categorical``: float32 (batch,
    classes), ``binary``: float32 (batch, 1), None: no labels); ``batch_size=None``: single
    images; ``subset="both"``: the training and validation data sets."""
    h, w = size_pair(site.arg(6, "image_size", (256, 256)))
    channels = _channels(site.arg(4, "color_mode", "rgb"))
    batch_size, mode = site.arg(5, "batch_size", 32), site.arg(2, "label_mode", "int")
    labels, names = site.arg(1, "labels", "inferred"), site.arg(3, "class_names", None)
    if site.kwargs.get("data_format") not in (None, "channels_last") or mode not in (
            "int", "categorical", "binary", None) or not (batch_size is None or isinstance(batch_size, int)):
        return UNKNOWN
    lead = () if batch_size is None else (UNKNOWN,)
    images = Tensor((*lead, h, w, channels), "float32")
    classes = len(names) if isinstance(names, (list, tuple)) else UNKNOWN
    label = {"int": Tensor(lead, "int32"), "categorical": Tensor((*lead, classes), "float32"),
             "binary": Tensor((*lead, 1), "float32")}.get(mode)
    element = images if label is None or labels is None else (images, label)
    made = Dataset(element, None, batched=batch_size is not None)
    if site.kwargs.get("subset") == "both":
        return made, Dataset(element, None, batched=made.batched)
    return made


@function("keras.preprocessing.image.ImageDataGenerator")
def _image_generator(site):
    if site.kwargs.get("data_format") not in (None, "channels_last"):
        return UNKNOWN
    return ImageGenerator()


@method("imagegen", "flow_from_directory")
def _flow_from_directory(site):
    """Batches of float32 images of ``target_size`` and ``color_mode`` with labels by
    ``class_mode`` (``categorical``: (batch, classes), ``binary`` / ``sparse``: (batch,),
    ``input``: the images again, None: no labels)."""
    h, w = size_pair(site.arg(1, "target_size", (256, 256)))
    channels = _channels(site.arg(2, "color_mode", "rgb"))
    mode, classes = site.arg(4, "class_mode", "categorical"), site.arg(3, "classes", None)
    images = Tensor((UNKNOWN, h, w, channels), "float32")
    count = len(classes) if isinstance(classes, (list, tuple)) else UNKNOWN
    labels = {"categorical": Tensor((UNKNOWN, count), "float32"), "binary": Tensor((UNKNOWN,), "float32"),
              "sparse": Tensor((UNKNOWN,), "float32"), "input": images}
    if mode is not None and mode not in labels:
        return UNKNOWN
    return Dataset(images if mode is None else (images, labels[mode]), None, batched=True)


@method("imagegen", "flow")
def _flow(site):
    """Batches of ``batch_size`` rows of ``x`` (and of ``y``), as float32 images."""
    x, y, size = site.arg(0, "x"), site.arg(1, "y", None), site.arg(2, "batch_size", 32)
    if not isinstance(x, Tensor) or not x.shape or not isinstance(size, int) or isinstance(size, bool):
        return UNKNOWN
    rows = x.shape[0]
    first = min(rows, size) if isinstance(rows, int) else UNKNOWN
    images = Tensor((first, *x.shape[1:]), "float32")
    if y is None:
        return Dataset(images, None, batched=True)
    if not isinstance(y, Tensor) or not y.shape:
        return Dataset((images, UNKNOWN), None, batched=True)
    return Dataset((images, Tensor((first, *y.shape[1:]), y.dtype)), None, batched=True)
