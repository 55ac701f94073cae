"""The static result equals what TensorFlow does, on every fixture.

One child process runs all fixtures under TensorFlow (``shapecheck.verify.runner``)
and records each layer call's shapes and each model's parameter count; no
expected shape is written down here.

Each notebook of ``fixtures/notebooks/`` runs as the program of its code cells, IPython's
syntax left out (``shapecheck.notebooks``), and is compared line for line of that program.

A finding claims that TensorFlow raises at its line only when it is an error of a
rule in ``RAISING_CODES`` (``shapecheck.rules.claims_raise``): a warning of such a rule
(SHP206 on ``Conv2D(64, 3, 3)``, Keras 1 code that Keras 3 runs with ``strides=3``)
describes code TensorFlow runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from contract import assert_valid_contract
from fixture_paths import FIXTURES, NOTEBOOKS, program_source

from shapecheck import dims
from shapecheck.engine import check_source
from shapecheck.library.applications import canonical_application
from shapecheck.rules import claims_raise

ROOT = Path(__file__).resolve().parent.parent
ADDED_CALL = "# added: run the model"
UNKNOWN_ROWS = "# (rows unknown statically)"  # a fixture whose data's row counts are random
# A fixture whose loop runs until training succeeds: TensorFlow builds a model there as many
# times as it takes, which shapecheck lists once.
UNKNOWN_PASSES = "# (passes unknown statically)"
PROGRAMS = FIXTURES + NOTEBOOKS


def run_tensorflow(paths) -> dict:
    """Each file's TensorFlow record, keyed by its path under the repository; the programs
    run in a scratch folder, so what they write (a saved model) stays out of the repository."""
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run([sys.executable, "-m", "shapecheck.verify.runner",
                               *(str(ROOT / path) for path in paths)],
                              cwd=scratch, capture_output=True, text=True, timeout=900, check=True)
    return {str(Path(record["path"]).relative_to(ROOT)): record
            for record in json.loads(done.stdout)["files"]}


@pytest.fixture(scope="module")
def tensorflow(request):
    """The records of the programs the selected tests of this module need (all of them,
    unless ``-k`` selects fewer)."""
    selected = {item.callspec.params.get("path") for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")}
    return run_tensorflow([path for path in PROGRAMS if path in selected])


def static(path: str) -> dict:
    doc = {"version": 1, "files": [check_source(program_source(path), path).to_json()]}
    assert_valid_contract(doc)
    return doc["files"][0]


LAYER_KEYS = ("name", "class", "line", "input_shape", "output_shape", "params")


def _backbone_at(layers) -> tuple[int, int] | None:
    """Where a keras.applications body stands in a static layer list, and how many entries
    it takes there: a model built from ``base.output`` (or from layers cut out of it with
    ``get_layer``) holds all the backbone's layers for TensorFlow, for shapecheck one body
    (or one entry per cut)."""
    found = [i for i, layer in enumerate(layers)
             if canonical_application(f"keras.applications.{layer['class']}")]
    if not found or found != list(range(found[0], found[0] + len(found))):
        return None
    return found[0], len(found)


def assert_layers_agree(ours, theirs, where, prefix_only=False):
    if prefix_only:  # TensorFlow stopped at an exception: compare what ran
        ours = ours[:len(theirs)]
    backbone = _backbone_at(ours)
    if backbone is not None and len(theirs) > len(ours):  # compare the layers around it
        at, size = backbone
        after = len(ours) - at - size
        ours, theirs = ours[:at] + ours[at + size:], theirs[:at] + theirs[len(theirs) - after:]
    assert [layer["name"] for layer in ours] == [layer["name"] for layer in theirs], where
    for mine, real in zip(ours, theirs):
        here = f"{where}/{mine['name']}"
        assert {k: mine[k] for k in LAYER_KEYS} == {k: real[k] for k in LAYER_KEYS}, here
        assert_layers_agree(mine["layers"], real["layers"], here, prefix_only)


def _never_run(model) -> bool:
    """A model the program never gives an input, listed on symbolic dims (``N``, ``D``):
    TensorFlow has no record of it."""
    shapes = model["input_shape"] if model["input_shape"] and isinstance(model["input_shape"][0], list) \
        else [model["input_shape"]]
    return any(isinstance(d, str) for shape in shapes for d in shape or ())


def _first_of_alike(models):
    """The models with each built again alike at its line (but for layer names) left out."""
    def alike(model):
        return repr({k: model[k] for k in ("name", "line", "input_shape", "output_shape", "params")})
    keys = [alike(m) for m in models]
    return [m for at, m in enumerate(models) if keys[at] not in keys[:at]]


def _without_batch(model):
    """A model with the batch axis of every shape in it (its layers' too) set to None: for
    data whose row counts are unknown statically, only the batch sizes may differ."""
    def unbatched(shape):
        if shape and isinstance(shape[0], list):
            return [unbatched(s) for s in shape]
        return [None, *shape[1:]] if shape else shape

    return {**model, **{k: unbatched(model[k]) for k in ("input_shape", "output_shape")},
            "layers": [_without_batch(layer) for layer in model["layers"]]}


@pytest.mark.parametrize("path", PROGRAMS)
def test_models_agree_with_tensorflow(path, tensorflow):
    ours, theirs = static(path), tensorflow[path]
    if UNKNOWN_ROWS in (ROOT / path).read_text():  # random data: only its row counts may be unknown
        ours["models"] = [_without_batch(m) for m in ours["models"]]
        theirs = {**theirs, "models": [_without_batch(m) for m in theirs["models"]]}
    ours = {**ours, "models": [m for m in ours["models"] if not _never_run(m)]}
    if UNKNOWN_PASSES in (ROOT / path).read_text():
        theirs = {**theirs, "models": _first_of_alike(theirs["models"])}
    raised = theirs["error"] is not None
    if raised:  # TensorFlow stopped early: each model it recorded must match
        by_place = {(m["name"], m["line"]): m for m in ours["models"]}
        pairs = [(by_place.get((m["name"], m["line"])), m) for m in theirs["models"]]
        assert all(mine is not None for mine, _ in pairs)
    else:
        assert len(ours["models"]) == len(theirs["models"])
        pairs = zip(ours["models"], theirs["models"])
    for mine, real in pairs:
        keys = ("name", "kind", "line", "input_shape") + (() if raised else ("output_shape", "params"))
        assert {k: mine[k] for k in keys} == {k: real[k] for k in keys}
        assert_layers_agree(mine["layers"], real["layers"], mine["name"], prefix_only=raised)


@pytest.mark.parametrize("path", PROGRAMS)
def test_tensors_agree_with_tensorflow(path, tensorflow):
    def key(t):  # a None batch and a known one can meet at one line: compare them as text
        return t["line"], t["column"], t["name"], repr(tuple(t["shape"]))

    ours = [key(t) for t in static(path)["tensors"]]
    theirs = sorted(key(t) for t in tensorflow[path]["tensors"])
    if UNKNOWN_ROWS in (ROOT / path).read_text():  # random data: only its row counts may be unknown
        unknown = {k[:3] for k in ours if k[3].startswith("('?',")}
        theirs = sorted(k if k[:3] not in unknown else (*k[:3], "('?'," + k[3].split(",", 1)[1])
                        for k in theirs)
    if tensorflow[path]["error"] is None:
        assert sorted(ours) == theirs
    else:
        assert set(theirs) <= set(ours)


UNCALLED = [p for p in FIXTURES if ADDED_CALL in (ROOT / p).read_text()]


@pytest.mark.parametrize("path", UNCALLED)
def test_symbolic_shapes_of_an_uncalled_model_match_tensorflow(path, tensorflow, tmp_path):
    """Without the call the fixture adds, the model gets symbolic input dims; bound to
    the values of that call, every symbolic shape equals TensorFlow's."""
    source = "".join(line for line in (ROOT / path).read_text().splitlines(True)
                     if ADDED_CALL not in line)
    model = check_source(source, "uncalled.py").models[0]
    real = tensorflow[path]["models"][0]
    assert all(isinstance(d, dims.Sym) for d in model.input_shape)
    env = {d.name: value for d, value in zip(model.input_shape, real["input_shape"])}

    def bound(shape):
        return [dims.evaluate(d, env) for d in shape]

    def walk(ours, theirs):
        assert len(ours) == len(theirs)
        for mine, layer in zip(ours, theirs):
            assert bound(mine.output_shape) == layer["output_shape"], mine.name
            assert mine.params in (None, layer["params"]), mine.name
            walk(mine.layers, layer["layers"])

    if tensorflow[path]["error"] is not None:  # the seed's bug: neither gets an output
        assert model.output_shape is None and real["output_shape"] is None
        return
    assert bound(model.output_shape) == real["output_shape"]
    walk(model.layers, real["layers"])
    # TensorFlow ran the model on that input: it meets what the model accepts.
    assert model.accepts is None or all(eval(c, {}, dict(env)) for c in model.accepts)  # noqa: S307




@pytest.mark.parametrize("path", PROGRAMS)
def test_error_findings_match_what_tensorflow_raises(path, tensorflow):
    error = tensorflow[path]["error"]
    report = check_source(program_source(path), path)
    # A finding in an imported file's code counts at the call of this file that reached it.
    raising = [(d.code, d.via[1] if d.via else d.line) for d in report.diagnostics
               if claims_raise(d.code, d.severity)]
    if error is None:
        assert raising == [], "TensorFlow runs this file"
    else:
        assert error["line"] in [line for _, line in raising], (
            f"TensorFlow raises {error['type']} at line {error['line']}: {error['message']}")
