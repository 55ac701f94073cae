"""Images read from files: ``keras.utils.load_img`` / ``img_to_array`` / ``array_to_img``,
PIL's ``Image`` (``open``, ``new``, ``fromarray``, ``resize``, ``convert``, ``crop``) and
OpenCV's arrays (``cv2.imread``, ``resize``, ``cvtColor``, the filters). A loaded image's
size is the file's (unknown) unless the code resizes it; its mode is what the code asks
for (``color_mode=``, ``convert("RGB")``, ``cv2.IMREAD_GRAYSCALE``), so its array's rank
and channels are known where the code says them."""

from __future__ import annotations

from shapecheck.library.ops.images import size_pair
from shapecheck.library.registry import Site, attribute, function, method, value
from shapecheck.library.tensors import dtype_of
from shapecheck.objects import Picture
from shapecheck.values import UNKNOWN, Tensor

_COLOR_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
# The mode ``Image.fromarray`` (and ``array_to_img``) gives an array of this many channels.
_CHANNEL_MODES = {1: "L", 3: "RGB", 4: "RGBA"}


def _mode(value):
    return value if isinstance(value, str) else UNKNOWN


@function("keras.utils.load_img", "keras.preprocessing.image.load_img")
def _load_img(site):
    """``load_img(path, color_mode="rgb", target_size=None)``: an image of the file's size,
    or ``target_size`` (height, width); in the mode ``color_mode`` names."""
    color = site.arg(1, "color_mode", "rgb")
    target = site.arg(2, "target_size", None)
    height, width = size_pair(target) if target is not None else (UNKNOWN, UNKNOWN)
    return Picture(height, width, _COLOR_MODES.get(color, UNKNOWN) if isinstance(color, str) else UNKNOWN)


def _array_of(value):
    """The (shape, dtype) of ``np.asarray(value)`` for an image or an array, else Nones."""
    if isinstance(value, Picture):
        return value.array()
    if isinstance(value, Tensor):
        return value.shape, value.dtype
    return None, None


@function("keras.utils.img_to_array", "keras.preprocessing.image.img_to_array")
def _img_to_array(site):
    """``img_to_array(img, data_format=None, dtype=None)``: the image's array as float32,
    a channel axis added to a one-band image; channels first if ``data_format`` says so."""
    shape, _ = _array_of(site.arg(0, "img"))
    layout = site.arg(1, "data_format", None)
    dtype = site.arg(2, "dtype", None)
    dtype = "float32" if dtype is None else dtype_of(dtype)
    if shape is None or len(shape) not in (2, 3) or layout not in (None, "channels_last", "channels_first"):
        return Tensor(None, dtype, numpy=True)
    if len(shape) == 2:
        shape = (*shape, 1)
    if layout == "channels_first":
        shape = (shape[2], shape[0], shape[1])
    return Tensor(shape, dtype, numpy=True)


@function("keras.utils.array_to_img", "keras.preprocessing.image.array_to_img")
def _array_to_img(site):
    """``array_to_img(x, data_format=None)``: a 3-D array as an image of its height and
    width, in the mode of its channel count."""
    shape, _ = _array_of(site.arg(0, "x"))
    layout = site.arg(1, "data_format", None)
    if shape is None or len(shape) != 3 or layout not in (None, "channels_last", "channels_first"):
        return Picture(UNKNOWN, UNKNOWN, UNKNOWN)
    height, width, channels = (shape[1], shape[2], shape[0]) if layout == "channels_first" else shape
    return Picture(height, width, _CHANNEL_MODES.get(channels, UNKNOWN))


@function("PIL.Image.open")
def _open(site):
    """An image file: its size and mode are the file's."""
    return Picture(UNKNOWN, UNKNOWN, UNKNOWN)


@function("PIL.Image.new")
def _new(site):
    """``Image.new(mode, (width, height))``."""
    width, height = size_pair(site.arg(1, "size"))
    return Picture(height, width, _mode(site.arg(0, "mode")))


@function("PIL.Image.fromarray")
def _fromarray(site):
    """``Image.fromarray(array)``: a uint8 array of one or 3-4 channels is an L, RGB or RGBA
    image of its height and width."""
    shape, dtype = _array_of(site.arg(0, "obj"))
    if shape is None or len(shape) not in (2, 3):
        return Picture(UNKNOWN, UNKNOWN, UNKNOWN)
    mode = site.arg(1, "mode", None)
    if mode is None:
        mode = UNKNOWN if dtype != "uint8" else "L" if len(shape) == 2 else \
            _CHANNEL_MODES.get(shape[2], UNKNOWN) if shape[2] != 1 else UNKNOWN
    return Picture(shape[0], shape[1], _mode(mode))


@method("picture", "resize")
def _resize(site):
    """``image.resize((width, height))``."""
    width, height = size_pair(site.arg(0, "size"))
    return Picture(height, width, site.obj.mode)


@method("picture", "convert")
def _convert(site):
    image = site.obj
    return Picture(image.height, image.width, _mode(site.arg(0, "mode", UNKNOWN)))


@method("picture", "crop")
def _crop(site):
    """``image.crop((left, upper, right, lower))``."""
    box = site.arg(0, "box", None)
    if isinstance(box, (list, tuple)) and len(box) == 4 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in box) \
            and box[2] >= box[0] and box[3] >= box[1]:
        return Picture(box[3] - box[1], box[2] - box[0], site.obj.mode)
    return Picture(UNKNOWN, UNKNOWN, site.obj.mode)


@method("picture", "copy", "filter")
def _same(site):
    image = site.obj
    return Picture(image.height, image.width, image.mode)


@method("picture", "thumbnail")
def _thumbnail(site):
    """``image.thumbnail(size)`` shrinks the image in place, keeping its aspect ratio."""
    site.obj.height = site.obj.width = UNKNOWN


@attribute("picture", "size")
def _size_attribute(site: Site):
    return site.obj.width, site.obj.height


attribute("picture", "width")(lambda site: site.obj.width)
attribute("picture", "height")(lambda site: site.obj.height)
attribute("picture", "mode")(lambda site: site.obj.mode)


# ---------------------------------------------------------------------------- OpenCV

value("cv2.IMREAD_COLOR")(lambda ev: 1)
value("cv2.IMREAD_GRAYSCALE")(lambda ev: 0)
value("cv2.IMREAD_UNCHANGED")(lambda ev: -1)
# The channels a cv2.COLOR_<FROM>2<TO> conversion gives, by <TO> (2 axes for GRAY).
_CV_CHANNELS = {"GRAY": None, "BGR": 3, "RGB": 3, "HSV": 3, "HLS": 3, "LAB": 3, "Lab": 3, "LUV": 3,
                "Luv": 3, "XYZ": 3, "YCrCb": 3, "YUV": 3, "BGRA": 4, "RGBA": 4}


@function("cv2.imread")
def _imread(site):
    """``cv2.imread(path, flags=cv2.IMREAD_COLOR)``: the file's pixels, (height, width, 3)
    in BGR, or (height, width) for ``IMREAD_GRAYSCALE``; other flags keep the file's bands."""
    flags = site.arg(1, "flags", 1)
    shape = (UNKNOWN, UNKNOWN, 3) if flags == 1 else (UNKNOWN, UNKNOWN) if flags == 0 else None
    return Tensor(shape, "uint8", numpy=True)


@function("cv2.resize")
def _cv_resize(site):
    """``cv2.resize(src, dsize)``: ``dsize`` is (width, height); (0, 0) with ``fx`` / ``fy``
    scales (sizes unknown)."""
    src, size = site.arg(0, "src"), site.arg(1, "dsize", None)
    if not isinstance(src, Tensor) or src.shape is None or len(src.shape) < 2:
        return Tensor(None, getattr(src, "dtype", None), numpy=True)
    width, height = size_pair(size)
    if width == 0 or height == 0:
        width = height = UNKNOWN
    return Tensor((height, width, *src.shape[2:]), src.dtype, numpy=True)


@function("cv2.cvtColor")
def _cvt_color(site):
    """``cv2.cvtColor(src, cv2.COLOR_BGR2GRAY)``: the image in the colour space the code
    names (a known one), of its height and width."""
    src, code = site.arg(0, "src"), site.arg(1, "code", None)
    name = getattr(code, "name", "")
    target = name.rsplit("2", 1)[-1] if name.startswith("cv2.COLOR_") and "2" in name else None
    if not isinstance(src, Tensor) or src.shape is None or len(src.shape) < 2 or target not in _CV_CHANNELS:
        return Tensor(None, getattr(src, "dtype", None), numpy=True)
    channels = _CV_CHANNELS[target]
    return Tensor(tuple(src.shape[:2]) + (() if channels is None else (channels,)), src.dtype, numpy=True)


@function("cv2.GaussianBlur", "cv2.medianBlur", "cv2.blur", "cv2.bilateralFilter", "cv2.filter2D",
          "cv2.equalizeHist", "cv2.flip", "cv2.normalize", "cv2.bitwise_not")
def _cv_same(site):
    """Filters, flips and normalizing: an image of the shape of their source."""
    src = site.arg(0, "src")
    return Tensor(src.shape if isinstance(src, Tensor) else None, getattr(src, "dtype", None), numpy=True)
