"""The machine's TensorFlow kernels: eager max pooling to an empty axis raises on oneDNN
only, and shapecheck says what TensorFlow does under each setting (confirmed by running
it under both)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from shapecheck import machine
from shapecheck.engine import check_source

PROGRAM = """import tensorflow as tf
from tensorflow.keras import layers
x = tf.random.uniform((6, 1, 1, 3))
y = layers.MaxPooling2D()(x)
z = layers.AveragePooling2D(2)(x)
"""


@pytest.mark.parametrize("cpuinfo, neural", [
    ("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n", True),
    ("flags\t\t: fpu sse2 avx2 amx_tile\n", True),
    ("flags\t\t: fpu sse2 avx2 avx512f avx512bw\n", False),
    ("Features\t: fp asimd\nCPU part\t: 0xd40\n", True),
    ("Features\t: fp asimd\nCPU part\t: 0xd0c\n", False),
    ("", False),
])
def test_neural_cpus_are_those_tensorflow_names(cpuinfo, neural):
    assert machine._neural_cpu(cpuinfo) is neural


@pytest.mark.parametrize("setting", ["0", "1"])
def test_eager_max_pooling_to_an_empty_axis_is_what_tensorflow_does(setting, monkeypatch):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", setting)
    machine.uses_onednn.cache_clear()
    try:
        codes = {(d.line, d.code) for d in check_source(PROGRAM, "m.py").diagnostics}
    finally:
        monkeypatch.undo()
        machine.uses_onednn.cache_clear()
    run = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                         env={**os.environ, "TF_ENABLE_ONEDNN_OPTS": setting,
                              "TF_CPP_MIN_LOG_LEVEL": "3"})
    raised = run.returncode != 0  # (at line 4: average pooling never raises)
    assert codes == ({(4, "SHP102")} if raised else set()), run.stderr[-500:]
