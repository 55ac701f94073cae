"""Randomized differential test: random Keras programs, shapecheck against TensorFlow.

``program_strategies`` writes a fixed-seed batch of programs in every style, about a
quarter of which TensorFlow rejects. All of them run in ONE TensorFlow process (the
recorder ``shapecheck.verify.runner``) while shapecheck checks them here, and each program
must agree exactly:

- TensorFlow raises: shapecheck reports an error finding that claims TensorFlow raises
  (SHP1xx, SHP202, SHP206, SHP207) at the line TensorFlow's traceback points to;
- TensorFlow runs it: shapecheck reports no such finding, and the same models (name,
  kind, line, input/output shapes, params) with the same nested layers (name, class,
  line, shapes, params).

A disagreement is a bug in the engine, never in the generator: TensorFlow is the judge.
``bench/differential.py`` runs any number of programs the same way.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from contract import assert_valid_contract
from hypothesis import HealthCheck, given, settings
from program_strategies import programs, random_programs
from test_tensorflow_agreement import LAYER_KEYS, assert_layers_agree

from shapecheck.engine import check_source
from shapecheck.rules import claims_raise

SEED = 2024
COUNT = 200
MODEL_KEYS = ("name", "kind", "line", "input_shape", "output_shape", "params")


# ---------------------------------------------------------------- shared with the bench


def write_programs(folder: Path, sources, start: int = 0) -> list[str]:
    """Write the programs as ``prog_00000.py`` ... in ``folder``; their file names."""
    names = []
    for index, source in enumerate(sources, start):
        name = f"prog_{index:05d}.py"
        (folder / name).write_text(source, encoding="utf-8")
        names.append(name)
    return names


def start_tensorflow(names, cwd) -> subprocess.Popen:
    """The recorder over all ``names`` in one TensorFlow process, started (not awaited)."""
    return subprocess.Popen([sys.executable, "-m", "shapecheck.verify.runner", *names],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def tensorflow_records(process: subprocess.Popen, timeout=1800) -> dict:
    """Each file's TensorFlow record, keyed by its path, once the recorder is done."""
    out, _ = process.communicate(timeout=timeout)
    if process.returncode != 0:
        raise RuntimeError(f"the TensorFlow recorder failed (status {process.returncode})")
    return {record["path"]: record for record in json.loads(out)["files"]}


def static_record(source: str, name: str):
    """shapecheck's JSON record of one program, or the text of its crash."""
    try:
        doc = {"version": 1, "files": [check_source(source, name).to_json()]}
        assert_valid_contract(doc)
    except Exception as exc:  # a crash or a contract violation is a disagreement too
        return f"shapecheck failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return doc["files"][0]


def _first_difference(ours, theirs, where):
    """Where two layer lists first differ, for the message (the check itself is
    ``assert_layers_agree``)."""
    names = ([layer["name"] for layer in ours], [layer["name"] for layer in theirs])
    if names[0] != names[1]:
        return f"{where}: layers static {names[0]} vs TF {names[1]}"
    for mine, real in zip(ours, theirs):
        here = f"{where}/{mine['name']}"
        keys = [k for k in LAYER_KEYS if mine[k] != real[k]]
        if keys:
            return f"{here}: " + "; ".join(f"{k} static {mine[k]} vs TF {real[k]}" for k in keys)
        inner = _first_difference(mine["layers"], real["layers"], here)
        if inner:
            return inner
    return None


def disagreement(ours, theirs) -> str | None:
    """None if shapecheck's record agrees with TensorFlow's, else a one-line reason."""
    if isinstance(ours, str):
        return ours
    error = theirs["error"]
    raising = [(d["code"], d["line"]) for d in ours["diagnostics"] if claims_raise(d["code"], d["severity"])]
    if error is not None:
        if error["line"] is None or error["line"] not in [line for _, line in raising]:
            message = error["message"].strip().splitlines()[0][:160] if error["message"] else ""
            found = ", ".join(f"{code}@{line}" for code, line in raising) or "no error finding"
            return (f"TF raises {error['type']} at line {error['line']} ({message}); "
                    f"static: {found}")
        return None
    if raising:
        found = ", ".join(f"{code}@{line}" for code, line in raising)
        return f"TF runs it; static claims it raises: {found}"
    names = ([(m["name"], m["line"]) for m in ours["models"]],
             [(m["name"], m["line"]) for m in theirs["models"]])
    if len(names[0]) != len(names[1]):
        return f"models: static {names[0]} vs TF {names[1]}"
    for mine, real in zip(ours["models"], theirs["models"]):
        keys = [k for k in MODEL_KEYS if mine[k] != real[k]]
        if keys:
            return f"model {real['name']}: " + "; ".join(
                f"{k} static {mine[k]} vs TF {real[k]}" for k in keys)
        try:
            assert_layers_agree(mine["layers"], real["layers"], mine["name"])
        except AssertionError:
            return (_first_difference(mine["layers"], real["layers"], mine["name"])
                    or f"{mine['name']}: layers differ")
    return None


def numbered(source: str) -> str:
    return "\n".join(f"{i:3d}  {line}" for i, line in enumerate(source.splitlines(), 1))


# ---------------------------------------------------------------- the fixed batch

PROGRAMS = random_programs(SEED, COUNT)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """(static records, TensorFlow records), keyed by file name; shapecheck checks the
    programs while TensorFlow runs them."""
    folder = tmp_path_factory.mktemp("differential")
    names = write_programs(folder, PROGRAMS)
    process = start_tensorflow(names, folder)
    try:
        ours = {name: static_record(source, name) for name, source in zip(names, PROGRAMS)}
    except BaseException:
        process.kill()
        raise
    return ours, tensorflow_records(process)


@pytest.mark.parametrize("index", range(COUNT))
def test_program_agrees_with_tensorflow(index, batch):
    ours, theirs = batch
    name = f"prog_{index:05d}.py"
    reason = disagreement(ours[name], theirs[name])
    assert reason is None, f"{reason}\n{numbered(PROGRAMS[index])}"


def test_batch_has_programs_tensorflow_rejects(batch):
    """The generator's calibration: a fair share of the batch is rejected, most is not."""
    _, theirs = batch
    rejected = sum(record["error"] is not None for record in theirs.values())
    assert 0.12 * COUNT <= rejected <= 0.40 * COUNT, rejected


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(programs())
def test_hypothesis_programs_compile_and_check(source):
    """The strategy's programs are Python that shapecheck checks without crashing."""
    compile(source, "program.py", "exec")
    record = static_record(source, "program.py")
    assert not isinstance(record, str), f"{record}\n{numbered(source)}"
