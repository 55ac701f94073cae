"""shapecheck's findings through flake8 (the ``flake8.extension`` entry point ``SHP``)."""

from __future__ import annotations

import subprocess
import sys

BUGGY = """import tensorflow as tf
x = tf.zeros((8, 784))
y = tf.keras.layers.Conv2D(4, 3)(x)
z = tf.keras.layers.Conv2D(4, 3)(x)  # noqa: SHP101
"""


def flake8(*args, cwd):
    done = subprocess.run([sys.executable, "-m", "flake8", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    return done.returncode, done.stdout.splitlines()


def test_flake8_reports_shapecheck_findings_with_their_codes(tmp_path):
    (tmp_path / "model.py").write_text(BUGGY, encoding="utf-8")
    status, lines = flake8("--select", "SHP", "model.py", cwd=tmp_path)
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith("model.py:3:5: SHP101 Conv2D expects a 4-D input")


def test_flake8_honours_the_configuration(tmp_path):
    (tmp_path / "model.py").write_text(BUGGY, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.shapecheck]\nignore = ["SHP101"]\n', encoding="utf-8")
    assert flake8("--select", "SHP", "model.py", cwd=tmp_path) == (0, [])
