"""``--fix`` and ``--diff``: the fixes findings carry, applied where they are, the rest of
the file untouched; and what the fixed code does under TensorFlow."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecheck.cli import main
from shapecheck.fixes import apply_fixes
from shapecheck.results import Edit, Fix

OLD = """# -*- coding: latin-1 -*-
import tensorflow as tf
from tensorflow.keras import layers


class ConvLayer(layers.Layer):  # caf\xe9
    def __init__(self, filters):
        super().__init__()
        self.conv = layers.Conv2D(filters=6,   kernel_size=3)  # six, for now

    def call(self, x):
        return self.conv(x)


a = layers.Conv2D(16, kernal_size=3)
b = layers.Conv2D(16, 3, padding="samee", activation='rleu')
c = layers.Conv2D(64, 3, border_mode='same')
d = layers.Dense(output_dim=10,
                 init='uniform')
"""
NEW = OLD.replace("filters=6,", "filters=filters,").replace("kernal_size", "kernel_size") \
    .replace('"samee"', '"same"').replace("'rleu'", "'relu'").replace("border_mode=", "padding=") \
    .replace("output_dim=", "units=").replace("init=", "kernel_initializer=")


def test_fix_applies_every_fix_and_keeps_the_rest_of_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_bytes(OLD.encode("latin-1"))
    result = CliRunner().invoke(main, ["m.py", "--fix"])
    assert (tmp_path / "m.py").read_bytes().decode("latin-1") == NEW
    assert result.exit_code == 0 and result.stderr == "Fixed 7 findings.\n"
    assert "All checks passed" in result.stdout  # checked again after the fixes


def test_fixed_code_runs_under_tensorflow(tmp_path):
    (tmp_path / "m.py").write_text(NEW.split("\n", 1)[1] + (
        "layer = ConvLayer(4)\nlayer(tf.zeros((1, 8, 8, 1)))\n"
        "print(layer.conv.filters, a.kernel_size, b.padding, b.activation.__name__, c.padding,"
        " d.units)\n"), encoding="utf-8")
    ran = subprocess.run([sys.executable, str(tmp_path / "m.py")], capture_output=True, text=True,
                         env={"TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", "PATH": ""})
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["4", "(3,", "3)", "same", "relu", "same", "10"]


def test_diff_shows_the_fixes_and_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_bytes(OLD.encode("latin-1"))
    result = CliRunner().invoke(main, ["m.py", "--diff"])
    assert result.exit_code == 1 and result.stderr == "Would fix 7 findings.\n"
    assert result.stdout.startswith("--- a/m.py\n+++ b/m.py\n")
    assert "\n-a = layers.Conv2D(16, kernal_size=3)\n" in result.stdout
    assert "\n+a = layers.Conv2D(16, kernel_size=3)\n" in result.stdout
    assert (tmp_path / "m.py").read_bytes() == OLD.encode("latin-1")
    (tmp_path / "m.py").write_text(NEW.split("\n", 1)[1], encoding="utf-8")
    result = CliRunner().invoke(main, ["m.py", "--diff"])
    assert result.exit_code == 0 and result.stdout == ""


def test_fix_of_stdin_prints_the_fixed_code():
    result = CliRunner().invoke(main, ["-", "--fix"], input=OLD.split("\n", 1)[1])
    assert result.exit_code == 0 and result.stdout == NEW.split("\n", 1)[1]


def test_json_gives_each_fix_its_edits(tmp_path):
    (tmp_path / "m.py").write_text("import keras\nc = keras.layers.Conv2D(8, 3, kernal_size=3)\n")
    (diagnostic,) = [d for f in json.loads(CliRunner().invoke(
        main, ["--format", "json", str(tmp_path / "m.py")]).stdout)["files"] for d in f["diagnostics"]
        if d["code"] == "SHP206"]
    assert diagnostic["fix"] == {"title": "Rename kernal_size= to kernel_size=", "edits": [
        {"line": 2, "column": 31, "end_line": 2, "end_column": 42, "text": "kernel_size"}]}


def test_overlapping_fixes_are_applied_once_and_line_ends_are_kept():
    source = "a = 1\r\nb = 2\r\n"
    first, second = Fix("one", (Edit(2, 5, 2, 6, "20"),)), Fix("two", (Edit(2, 1, 2, 6, "c = 3"),))
    assert apply_fixes(source, [first, second]) == ("a = 1\r\nb = 20\r\n", 1)


SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"
TWINS = sorted(path.name.replace("_fixed", "") for path in SEED.glob("*_fixed.py"))


@pytest.mark.parametrize("name", TWINS)
def test_fix_turns_each_buggy_seed_program_into_its_fixed_twin(name, tmp_path):
    """The twins are confirmed by TensorFlow in the agreement tests; the fixed program is
    the twin, less its "# fixed: ..." comments."""
    shutil.copy(SEED / name, tmp_path / name)
    result = CliRunner().invoke(main, [str(tmp_path / name), "--fix", "--format", "json"])
    twin = (SEED / name.replace(".py", "_fixed.py")).read_text(encoding="utf-8")
    assert (tmp_path / name).read_text(encoding="utf-8") == re.sub(r"  # fixed: .*", "", twin)
    (report,) = json.loads(result.stdout)["files"]
    assert result.exit_code == 0 and report["diagnostics"] == []
    if name == "12_lenet_mnist.py":
        assert [model["params"] for model in report["models"]] == [61706]
