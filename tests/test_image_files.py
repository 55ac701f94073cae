"""Images read from files (``shapecheck.library.image_files``): each snippet runs for real
with Keras and PIL on images it writes itself, and the array it names must have the
shape shapecheck gives it; a size that comes from the file is unknown statically (``?``),
never a guess, and never a finding."""

from __future__ import annotations

import os

import keras  # noqa: F401  (the snippets import it; the test extra installs TensorFlow)
import numpy as np
import pytest
from PIL import Image

from shapecheck.engine import check_source
from shapecheck.values import UNKNOWN

PREAMBLE = ("import numpy as np\nimport keras\nfrom PIL import Image\n"
            "Image.new('RGB', (30, 20)).save('wide.png')\n"
            "Image.fromarray(np.zeros((12, 9), dtype='uint8')).save('gray.png')\n")

CASES = [
    ("y = keras.utils.img_to_array(keras.utils.load_img('wide.png'))", (UNKNOWN, UNKNOWN, 3)),
    ("y = keras.utils.img_to_array(keras.utils.load_img('wide.png', target_size=(8, 6)))", (8, 6, 3)),
    ("y = keras.utils.img_to_array(keras.utils.load_img('wide.png', 'grayscale', (8, 6)))", (8, 6, 1)),
    ("y = keras.utils.img_to_array(keras.utils.load_img('gray.png', color_mode='rgba'))",
     (UNKNOWN, UNKNOWN, 4)),
    ("y = keras.preprocessing.image.img_to_array(keras.preprocessing.image.load_img('gray.png'),"
     " data_format='channels_first')", (3, UNKNOWN, UNKNOWN)),
    ("y = np.asarray(keras.utils.load_img('gray.png', color_mode='grayscale', target_size=(5, 7)))",
     (5, 7)),
    ("y = np.asarray(Image.open('gray.png'))", None),  # the file's mode: unknown rank
    ("y = np.asarray(Image.open('gray.png').convert('L'))", (UNKNOWN, UNKNOWN)),
    ("y = np.array(Image.open('wide.png').convert('RGB').resize((10, 4)))", (4, 10, 3)),
    ("y = np.array(Image.open('wide.png').convert('RGBA').crop((2, 1, 12, 5)))", (4, 10, 4)),
    ("y = np.array(Image.new('CMYK', (3, 2)))", (2, 3, 4)),
    ("y = np.array(Image.new('F', (3, 2)))", (2, 3)),
    ("y = np.array(Image.fromarray(np.zeros((4, 5, 3), dtype='uint8')).resize((2, 2)))", (2, 2, 3)),
    ("y = keras.utils.img_to_array(keras.utils.array_to_img(np.zeros((4, 5, 1))))", (4, 5, 1)),
    ("im = keras.utils.load_img('wide.png', target_size=(8, 6))\nim.thumbnail((3, 3))\n"
     "y = np.asarray(im)", (UNKNOWN, UNKNOWN, 3)),
    ("im = keras.utils.load_img('wide.png', target_size=(8, 6))\nw, h = im.size\n"
     "y = np.zeros((h, w, im.height, im.width))", (8, 6, 8, 6)),
]


@pytest.mark.parametrize("body, shape", CASES)
def test_shapes_of_images_read_from_files(body, shape, tmp_path, monkeypatch):
    source = PREAMBLE + body + "\n"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(source, "image_case.py", "exec"), namespace)  # noqa: S102 - our own snippet
    real = np.asarray(namespace["y"]).shape
    report = check_source(source, os.fspath(tmp_path / "image_case.py"))
    assert [d.code for d in report.diagnostics] == []
    found = {t.name: t.shape for t in report.tensors}.get("y")
    assert found == shape
    if shape is not None:
        assert len(real) == len(shape)
        assert all(d is UNKNOWN or d == r for d, r in zip(shape, real))


def test_an_image_of_unknown_size_given_to_a_model_is_no_finding():
    source = PREAMBLE + (
        "model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),"
        " keras.layers.Dense(2)])\n"
        "x = np.expand_dims(keras.utils.img_to_array(keras.utils.load_img('wide.png')), 0)\n"
        "p = model.predict(x)\n")
    report = check_source(source, "image_case.py")
    assert [d.code for d in report.diagnostics] == []
    assert {t.name: t.shape for t in report.tensors}["x"] == (1, UNKNOWN, UNKNOWN, 3)


def test_pil_mode_table_matches_pil():
    from shapecheck.objects import Picture

    for mode in ("1", "L", "P", "I", "F", "LA", "RGB", "YCbCr", "LAB", "HSV", "RGBA", "CMYK"):
        real = np.asarray(Image.new(mode, (4, 3)))
        assert Picture(3, 4, mode).array() == (real.shape, str(real.dtype))
