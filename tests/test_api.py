"""The Python API: ``shapecheck.check_file`` and ``shapecheck.check_source``."""

from __future__ import annotations

import json

from click.testing import CliRunner
from contract import assert_valid_contract

import shapecheck
from shapecheck.cli import main

BUGGY = """import keras
from keras import layers
model = keras.Sequential([keras.Input((28, 28)), layers.Conv2D(8, 3)])
fixed = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3)])
"""


def test_check_file_gives_what_the_json_output_describes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(BUGGY)
    report = shapecheck.check_file(tmp_path / "m.py")
    assert [(d.code, d.line) for d in report.diagnostics] == [("SHP101", 3)]
    assert (report.models[0].output_shape, report.models[0].params) == ((None, 26, 26, 8), 80)
    document = json.loads(CliRunner().invoke(main, ["--format", "json", str(tmp_path / "m.py")]).stdout)
    assert report.to_json() == document["files"][0]
    assert_valid_contract({"version": 1, "files": [report.to_json()]})


def test_check_source_follows_the_configuration_and_never_raises(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.shapecheck]\nignore = ["SHP101"]\n')
    assert shapecheck.check_source(BUGGY, "m.py").diagnostics == []
    assert [d.code for d in shapecheck.check_source(BUGGY, "m.py", configure=False).diagnostics] == ["SHP101"]
    broken = shapecheck.check_source("def (:\n", "broken.py")
    assert broken.error.startswith("syntax error") and broken.models == []


AFTER_A_RAISE = """import numpy as np
import keras
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4), keras.layers.Dense(1)])
opt = keras.optimizers.Adam(lr=0.01)
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((64, 8)), np.zeros((64, 1)), batch_size=32)
bad = keras.layers.Dense(4, activaton="relu")
"""


def test_the_program_stops_at_the_first_error_and_the_findings_go_on():
    """TensorFlow stops at ``Adam(lr=...)``: the model is listed as built (batch None), not
    as fit() would run it (batch 32); the finding below that line is still reported."""
    report = shapecheck.check_source(AFTER_A_RAISE, "m.py")
    assert [(d.code, d.line) for d in report.diagnostics] == [("SHP206", 4), ("SHP206", 7)]
    assert [m.input_shape for m in report.models] == [(None, 8)]
    without = shapecheck.check_source(AFTER_A_RAISE.replace("lr=", "learning_rate="), "m.py")
    assert [m.input_shape for m in without.models] == [(32, 8)]


MADE_AFTER_A_RAISE = """import keras
from keras import layers
opt = keras.optimizers.Adam(lr=0.01)
critic = keras.Sequential()
critic.add(layers.Dense(8, input_shape=(4,)))
critic.add(layers.Dense(1))
pair = keras.Sequential()
pair.add(critic)
pair.add(layers.Activation("sigmoid"))
"""


def test_a_model_made_after_the_stop_is_listed_as_the_code_builds_it():
    """Below the line TensorFlow stops at, a model is as its last build makes it (both of
    the critic's layers), and a model holding it there does not hide it."""
    report = shapecheck.check_source(MADE_AFTER_A_RAISE, "m.py")
    assert [(m.line, m.input_shape, m.output_shape, m.params) for m in report.models] == [
        (4, (None, 4), (None, 1), 49), (7, (None, 4), (None, 1), 49)]


def test_a_model_traced_for_export_that_gives_nothing_known_is_listed_without_a_crash():
    """``tf.saved_model.save`` of a Sequential whose run gave nothing known (a layer of another
    package) lists it, and the functional model it is traced as, with their outputs unknown."""
    source = ("import numpy as np\nimport tensorflow as tf\nimport keras\nimport tensorflow_hub as hub\n"
              "model = keras.Sequential([hub.KerasLayer('url')])\n"
              "model.predict(np.zeros((2, 3)))\ntf.saved_model.save(model, 'exported')\n")
    report = shapecheck.check_source(source, "m.py")
    assert report.error is None
    assert [(m.name, m.output_shape) for m in report.models] == [("Sequential", None), ("Functional", None)]
