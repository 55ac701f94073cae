"""``shapecheck --verify``: TensorFlow runs the files in a child process and the
static result is confirmed or contradicted by what really happens."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from contract import assert_valid_contract

from shapecheck.engine import check_source
from shapecheck.verify.compare import verify

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "shapecheck", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def seed_verified():
    done = run("--verify", "--format", "json", "fixtures/seed")
    document = json.loads(done.stdout)
    assert_valid_contract(document)
    return done.returncode, {f["path"]: f for f in document["files"]}


def test_verify_confirms_every_model_of_the_seed_that_runs(seed_verified):
    status, files = seed_verified
    assert status == 1  # the seed's bugs
    for path, report in files.items():
        assert report["verify"]["status"] == "confirmed", path
        assert not [d for d in report["diagnostics"] if d["code"] == "SHP901"], path
        raised = report["verify"]["error"] is not None
        for model in report["models"]:
            assert model["verified"] is not raised, (path, model["name"])


def test_verify_gives_tensorflows_evidence_for_the_seed_bugs(seed_verified):
    _, files = seed_verified
    lenet = files[str(Path("fixtures/seed/11_lenet_hybrid.py"))]["models"][0]
    assert (lenet["params"], lenet["verified"]) == (27598, True)
    fixed = files[str(Path("fixtures/seed/11_lenet_hybrid_fixed.py"))]["models"][0]
    assert (fixed["params"], fixed["verified"]) == (61706, True)
    nine = files[str(Path("fixtures/seed/09_model_with_sequentials.py"))]
    assert nine["verify"]["error"]["type"] == "TypeError"
    first = nine["diagnostics"][0]
    assert first["code"] == "SHP202" and "confirmed: TensorFlow raises TypeError" in first["message"]


def test_an_exception_static_analysis_missed_is_shp901_at_its_line(tmp_path):
    (tmp_path / "boom.py").write_text("import numpy as np\nx = np.zeros((2, 3))\n"
                                      "raise RuntimeError('data missing')\n")
    done = run("--verify", "boom.py", cwd=tmp_path)
    assert done.returncode == 1
    assert "boom.py:3:1: SHP901 [error] TensorFlow raises RuntimeError: data missing" in done.stdout


def test_a_hanging_file_is_reported_and_the_others_still_run(tmp_path):
    (tmp_path / "a_hang.py").write_text("import time\ntime.sleep(600)\n")
    (tmp_path / "b_ok.py").write_text("import numpy as np\nx = np.ones((4, 2))\n")
    done = run("--verify", "--verify-timeout", "20", "a_hang.py", "b_ok.py", cwd=tmp_path)
    assert "a_hang.py: verify: could not run under TensorFlow: timed out after 20 s" in done.stdout
    assert "b_ok.py: verify: agrees with TensorFlow; no model confirmed; 1 tensor confirmed" \
        in done.stdout


SOURCE = """import numpy as np
from tensorflow import keras
model = keras.Sequential([keras.layers.Dense(4)])
y = model(np.zeros((2, 3)))
"""


def record(output_shape, params=16, error=None):
    layer = {"name": "dense", "class": "Dense", "line": 3, "input_shape": [2, 3],
             "output_shape": output_shape, "params": params, "layers": []}
    model = {"name": "Sequential", "kind": "sequential", "line": 3, "input_shape": [2, 3],
             "output_shape": output_shape, "params": params, "layers": [layer]}
    return {"path": "m.py", "error": error, "models": [model],
            "tensors": [{"line": 4, "column": 1, "name": "y", "shape": output_shape}]}


def test_agreement_marks_models_and_layers_verified():
    report = verify(check_source(SOURCE, "m.py"), record([2, 4]))
    assert report.verify["status"] == "confirmed" and report.verify["tensors"] == 1
    assert report.models[0].verified and report.models[0].layers[0].verified
    assert report.diagnostics == []


def test_a_different_shape_or_count_is_shp901_showing_both():
    report = verify(check_source(SOURCE, "m.py"), record([2, 5], params=20))
    messages = [d.message for d in report.diagnostics if d.code == "SHP901"]
    assert "layer 'dense' (Dense): TensorFlow gives output (2, 5) where static analysis " \
           "says (2, 4)" in messages
    assert "model 'Sequential': TensorFlow counts 20 parameters where static analysis counts 16" \
        in messages
    assert "'y': TensorFlow gives shape (2, 5) where static analysis says (2, 4)" in messages
    assert report.verify["status"] == "mismatch" and report.models[0].verified is False


def test_a_static_error_tensorflow_does_not_raise_is_marked_not_confirmed():
    source = "import tensorflow as tf\nx = tf.zeros((8, 784))\ny = tf.keras.layers.Conv2D(4, 3)(x)\n"
    report = verify(check_source(source, "f.py"), {"path": "f.py", "error": None,
                                                     "models": [], "tensors": []})
    (finding,) = report.diagnostics
    assert finding.code == "SHP101" and finding.message.endswith(
        "(not confirmed: TensorFlow ran the file without raising)")


def test_keras_shape_inference_that_differs_from_the_run_is_noted():
    real = record([2, 4])
    real["models"][0]["symbolic_output_shape"] = [2, 5]
    report = verify(check_source(SOURCE, "m.py"), real)
    assert report.verify["symbolic"] == [
        {"model": "Sequential", "line": 3, "eager": [2, 4], "symbolic": [2, 5]}]
    assert report.models[0].verified  # the static result matches the run
