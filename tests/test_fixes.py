"""``--fix`` and ``--diff``: the fixes findings carry, applied where they are, the rest of
the file untouched (in a notebook, of its cells and its JSON); and what the fixed code does
under TensorFlow."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from shapecheck.cli import main
from shapecheck.fixes import apply_fixes
from shapecheck.notebook_fixes import fix_notebook
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


# ----------------------------------------------------------------- notebooks

BUGGY_CELL = ("a = layers.Conv2D(16, kernal_size=3)\nb = layers.Conv2D(16, 3, padding='samee')\n"
              "%time c = layers.Dense(8, activation='rleu')")
FIXED_CELL = BUGGY_CELL.replace("kernal", "kernel").replace("samee", "same").replace("rleu", "relu")


def buggy_notebook(*cells):
    """A notebook of a title, a cell of imports with an output, ``cells`` (a str is a code cell)."""
    made = new_notebook(cells=[
        new_markdown_cell("# Layers\n\nTwo *typos*."),
        new_code_cell("%matplotlib inline\nimport keras\nfrom keras import layers", execution_count=1,
                      outputs=[new_output("stream", name="stdout", text="ok\n")], metadata={"tags": ["x"]}),
        *[new_code_cell(c) if isinstance(c, str) else c for c in cells],
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    for number, cell in enumerate(made.cells, 1):
        cell.id = f"cell-{number}"
    return made


def test_fix_in_a_notebook_rewrites_the_fixed_cells_and_keeps_the_rest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    nbformat.write(buggy_notebook(BUGGY_CELL, "d = layers.Dense(\n    output_dim=10)", "e = 1"), "nb.ipynb")
    result = CliRunner().invoke(main, ["nb.ipynb", "--fix"])
    assert result.exit_code == 0 and result.stderr == "Fixed 4 findings.\n"
    assert "All checks passed" in result.stdout  # checked again after the fixes
    expected = buggy_notebook(FIXED_CELL, "d = layers.Dense(\n    units=10)", "e = 1")
    assert Path("nb.ipynb").read_text(encoding="utf-8") == nbformat.writes(expected) + "\n"


def test_diff_of_a_notebook_names_the_cells_and_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    nbformat.write(buggy_notebook("e = 1", BUGGY_CELL), "nb.ipynb")
    before = Path("nb.ipynb").read_bytes()
    result = CliRunner().invoke(main, ["nb.ipynb", "--diff"])
    assert result.exit_code == 1 and result.stderr == "Would fix 3 findings.\n"
    assert result.stdout == (
        "--- a/nb.ipynb:cell 4\n+++ b/nb.ipynb:cell 4\n@@ -1,3 +1,3 @@\n"
        + "".join(f"-{line}\n" for line in BUGGY_CELL.splitlines())
        + "".join(f"+{line}\n" for line in FIXED_CELL.splitlines()))
    assert Path("nb.ipynb").read_bytes() == before


def test_a_notebook_keeps_its_own_json_layout(tmp_path, monkeypatch):
    """Indented by two, a source written as one string, non-ASCII text, no final newline:
    only the fixed strings change."""
    monkeypatch.chdir(tmp_path)
    cell = "# Größen\n" + BUGGY_CELL
    document = json.loads(nbformat.writes(buggy_notebook("d = layers.Dense(\n    output_dim=10)", cell)))
    document["cells"][3]["source"] = cell
    text = json.dumps(document, indent=2, ensure_ascii=False)
    Path("nb.ipynb").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["nb.ipynb", "--fix"])
    assert result.stderr == "Fixed 4 findings.\n"
    assert Path("nb.ipynb").read_text(encoding="utf-8") == text.replace(
        json.dumps(cell, ensure_ascii=False), json.dumps("# Größen\n" + FIXED_CELL, ensure_ascii=False)) \
        .replace('"    output_dim=10)"', '"    units=10)"')


def test_a_notebook_with_nothing_to_fix_is_left_byte_for_byte(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = json.dumps(json.loads(nbformat.writes(buggy_notebook("x = layers.Dense(4)"))), indent=3)
    Path("nb.ipynb").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["nb.ipynb", "--fix"])
    assert result.stderr == "Fixed 0 findings.\n" and Path("nb.ipynb").read_text(encoding="utf-8") == text


def test_an_edit_spanning_two_cells_or_on_ipython_syntax_is_not_applied():
    text = nbformat.writes(buggy_notebook("x = 1", "y = 2"))
    # program lines: 1-3 the imports (1 is %matplotlib), 4 "x = 1", 5 "y = 2"
    spanning = Fix("spans", (Edit(4, 5, 5, 6, "10\nz = 3"),))
    on_magic = Fix("magic", (Edit(1, 1, 1, 19, "%matplotlib widget"),))
    in_one_cell = Fix("one", (Edit(5, 5, 5, 6, "20\nz = 3"),))  # (a line more: two strings)
    fixed, applied = fix_notebook(text, [spanning, on_magic, in_one_cell])
    assert applied == 1
    assert fixed == nbformat.writes(buggy_notebook("x = 1", "y = 20\nz = 3"))
    assert fix_notebook(text, [spanning, on_magic]) == (text, 0)
    hidden = text.replace('"source": [\n    "y = 2"', '"sourc\\u0065": [\n    "y = 2"')  # not found
    assert hidden != text and fix_notebook(hidden, [in_one_cell]) == (hidden, 0)


def test_an_nbformat_3_notebook_is_fixed_in_its_cells_inputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("nb.ipynb").write_text(nbformat.writes(buggy_notebook("x = 1", BUGGY_CELL), version=3))
    result = CliRunner().invoke(main, ["nb.ipynb", "--fix"])
    assert result.stderr == "Fixed 3 findings.\n"
    assert Path("nb.ipynb").read_text() == nbformat.writes(buggy_notebook("x = 1", FIXED_CELL), version=3)
