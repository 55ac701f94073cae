"""The cache of results and ``--jobs``: the same reports, fewer analyses."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import shapecheck.engine
import shapecheck.files
from shapecheck.cli import main

BLOCK = "from keras import layers\n\ndef block(x):\n    return layers.Conv2D(8, 3)(x)\n"
MAIN = ("import keras\nfrom blocks import block\n"
        "x = block(keras.Input((28, 28)))\n")  # rank 3: SHP101 in blocks.py, via main.py
OTHER = "import tensorflow as tf\ny = tf.keras.layers.Conv2D(4, 3)(tf.zeros((8, 784)))\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.delenv("SHAPECHECK_NO_CACHE")
    monkeypatch.chdir(tmp_path)
    for name, text in (("blocks.py", BLOCK), ("main.py", MAIN), ("other.py", OTHER)):
        (tmp_path / name).write_text(text)
    analysed = []
    real = shapecheck.files.check_source

    def counting(source, path, project=None):
        analysed.append(path)
        return real(source, path, project)

    monkeypatch.setattr(shapecheck.files, "check_source", counting)
    return tmp_path, analysed


def run(*args):
    result = CliRunner().invoke(main, ["--format", "json", "--jobs", "1", *args])
    return json.loads(result.stdout)


def test_a_rerun_reads_the_cache_and_a_changed_module_is_checked_again(project):
    folder, analysed = project
    first = run(".")
    assert sorted(analysed) == ["blocks.py", "main.py", "other.py"]
    assert (folder / ".shapecheck_cache" / ".gitignore").read_text().endswith("*\n")
    analysed.clear()
    assert run(".") == first and analysed == []
    assert run(".", "--select", "SHP2")["files"][1]["diagnostics"] == []  # configured after
    assert analysed == []
    # main.py imports blocks.py: a change there is a change of main.py's results too.
    (folder / "blocks.py").write_text(BLOCK.replace("keras.Input", "x").replace("(x)", "(x)  # edited"))
    run(".")
    assert sorted(analysed) == ["blocks.py", "main.py"]
    analysed.clear()
    run(".", "--no-cache")
    assert len(analysed) == 3


def test_a_stale_or_broken_entry_is_not_used(project):
    folder, analysed = project
    run("other.py")
    for entry in (folder / ".shapecheck_cache").glob("*/*"):
        entry.write_bytes(b"not a pickle")
    analysed.clear()
    assert run("other.py")["files"][0]["diagnostics"][0]["code"] == "SHP101"
    assert analysed == ["other.py"]


def test_jobs_give_the_reports_one_process_gives(project, monkeypatch):
    monkeypatch.setenv("SHAPECHECK_NO_CACHE", "1")
    one = CliRunner().invoke(main, ["--format", "json", "--jobs", "1", "."]).stdout
    two = CliRunner().invoke(main, ["--format", "json", "--jobs", "2", "."]).stdout
    assert one == two
    found = {(f["path"], d["code"]) for f in json.loads(two)["files"] for d in f["diagnostics"]}
    assert found == {("blocks.py", "SHP101"), ("other.py", "SHP101")}
