"""Notebooks: the code cells as one program, IPython syntax left out, and every position
reported as the notebook's cell and line, in every format."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from contract import assert_valid_contract
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from shapecheck.cli import main
from shapecheck.files import check_path, collect_files
from shapecheck.notebooks import cell_code, read_notebook

ROOT = Path(__file__).resolve().parent.parent
BUGGY = "fixtures/notebooks/02_residual_add.ipynb"
FIXED = "fixtures/notebooks/02_residual_add_fixed.ipynb"
ADD_FINDING = ("SHP101 [error] Add gets inputs of incompatible shapes (None, 64), (None, 32): "
               "elementwise merges need equal sizes (or 1) on every axis: bring one input to the "
               "other's shape first (a Dense or 1x1 convolution of that width)")
IMPORTS = "import keras\nfrom keras import layers"


def notebook(path: Path, *cells, language="python") -> str:
    """Write a notebook of these cells (a str is a code cell) and return its path."""
    made = new_notebook(cells=[new_code_cell(c) if isinstance(c, str) else c for c in cells],
                        metadata={"kernelspec": {"name": "k", "display_name": "k", "language": language}})
    nbformat.write(made, path)
    return str(path)


def run(*args: str, cwd=ROOT):
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(previous)


# ----------------------------------------------------------------- the program of a notebook

@pytest.mark.parametrize("cell, program", [
    ("%matplotlib inline\n!pip install keras \\\n    numpy\nimport keras\nkeras?\n??keras.ops\nfiles = !ls",
     ["pass", "pass", "", "import keras", "pass", "pass", "pass"]),
    ("for i in range(2):\n    !echo $i\n    %time y = i",
     ["for i in range(2):", "    pass", "    pass; y = i"]),
    ("%%time\nx = 1\n%time for i in []: pass", ["", "x = 1", "pass"]),
    ("%%bash\necho 1\n  ls", ["", "", ""]),
    ("%%timeit\nx = 1", ["", ""]),
    ('msg = (\n    "%s"\n    % 3\n)\ns = """\n!not shell\n"""', ['msg = (', '    "%s"', '    % 3', ')',
                                                           's = """', '!not shell', '"""']),
    ("x = 1  # is it?\ny = x != 2", ["x = 1  # is it?", "y = x != 2"]),
    ("", []),
])
def test_ipython_syntax_becomes_python_line_for_line(cell, program):
    assert cell_code(cell) == program


def test_positions_count_every_cell_and_point_into_the_file(tmp_path):
    path = notebook(tmp_path / "nb.ipynb", new_markdown_cell("# Title"), "%pip install x\nx = 1",
                    new_markdown_cell("text"), "y = [\n    x,\n]")
    text = Path(path).read_text()
    program = read_notebook(text)
    assert program.source == "pass\nx = 1\ny = [\n    x,\n]\n"
    assert [(p.cell, p.line) for p in program.places] == [(2, 1), (2, 2), (4, 1), (4, 2), (4, 3)]
    file_lines = text.splitlines()
    for place, source_line in zip(program.places, ["%pip install x", "x = 1", "y = [", "    x,", "]"]):
        assert json.dumps(source_line)[:-1] in file_lines[place.file_line - 1]


def test_a_source_written_as_one_string_is_on_one_line_of_the_file(tmp_path):
    data = json.loads(Path(notebook(tmp_path / "nb.ipynb", "a = 1\nb = 2")).read_text())
    data["cells"][0]["source"] = "a = 1\nb = 2"
    text = json.dumps(data, indent=1)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"a = 1\\nb = 2"' in row)
    assert [p.file_line for p in read_notebook(text).places] == [line, line]


def test_a_cell_whose_source_is_a_list_of_one_empty_string_is_read(tmp_path):
    data = json.loads(Path(notebook(tmp_path / "nb.ipynb", "a = 1", "b = 2")).read_text())
    data["cells"][0]["source"] = [""]  # as some editors save an emptied cell
    text = json.dumps(data, indent=1)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"b = 2"' in row)
    program = read_notebook(text)
    assert program.source.endswith("b = 2\n")
    assert (program.places[-1].cell, program.places[-1].file_line) == (2, line)


def test_a_notebook_of_another_language_has_nothing_to_check(tmp_path):
    path = notebook(tmp_path / "r.ipynb", "library(keras)\nx <- 1", language="R")
    report = check_path(path)
    assert (report.error, report.diagnostics) == (None, [])


# ----------------------------------------------------------------- the command line

def test_text_reports_the_cell_and_the_line_in_it():
    result = run(BUGGY, FIXED)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{BUGGY}:cell 5:2:7: {ADD_FINDING}",
        f"{BUGGY}:cell 3:1:22: note: Input(shape=...) makes the model's input (None, 64)",
        "Found 1 diagnostic in 1 file (2 files checked).",
    ]


def test_every_fixture_notebook_but_the_buggy_one_passes():
    result = run("fixtures/notebooks")
    assert result.stdout.endswith("Found 1 diagnostic in 1 file (4 files checked).\n")
    assert result.stdout.count(":cell ") == 2 and result.stdout.count(": note: ") == 1


def test_json_gives_each_position_its_cell(tmp_path):
    result = run("--format", "json", BUGGY, "fixtures/notebooks/03_redefined_block.ipynb")
    document = json.loads(result.stdout)
    assert_valid_contract(document)
    buggy, redefined = document["files"]
    (finding,) = buggy["diagnostics"]
    assert {k: finding[k] for k in ("code", "cell", "line", "column", "end_line")} == {
        "code": "SHP101", "cell": 5, "line": 2, "column": 7, "end_line": 2}
    assert [(t["cell"], t["line"], t["name"]) for t in buggy["tensors"]] == [
        (3, 1, "inputs"), (3, 2, "h"), (5, 1, "h")]
    first, second = redefined["models"]
    assert (first["cell"], first["line"], first["params"]) == (4, 1, 172)
    assert (second["cell"], second["line"], second["params"]) == (7, 1, 676)
    # the second model's blocks are the class of cell 6, not the first one of cell 3
    assert [(layer["cell"], layer["line"]) for layer in second["layers"][0]["layers"]] == [(6, 4), (6, 5)]


def test_a_python_files_json_has_no_cell(tmp_path):
    (tmp_path / "m.py").write_text(f"{IMPORTS}\nx = keras.Input(shape=(3,))\n")
    document = json.loads(run("--format", "json", "m.py", cwd=tmp_path).stdout)
    assert "cell" not in document["files"][0]["tensors"][0]


def test_sarif_points_to_the_line_of_the_ipynb_file_that_holds_the_code():
    document = json.loads(run("--format", "sarif", BUGGY).stdout)
    (result,) = document["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == region["endLine"]
    held = (ROOT / BUGGY).read_text().splitlines()[region["startLine"] - 1]
    assert held.strip() == '"out = layers.Add()([inputs, h])\\n",'
    assert result["properties"] == {"cell": 5, "line": 2, "column": 7}


def test_github_annotations_point_to_the_file_line_and_name_the_cell():
    (line, note, summary) = run("--format", "github", BUGGY).stdout.splitlines()
    text = (ROOT / BUGGY).read_text().splitlines()
    number = next(i for i, row in enumerate(text, 1) if "layers.Add()" in row)
    assert line.startswith(f"::error file={BUGGY},line={number},endLine={number},"
                           "title=SHP101 incompatible-input (cell 5%3A2%3A7)::Add gets inputs")
    number = next(i for i, row in enumerate(text, 1) if "keras.Input(shape=(64,))" in row)
    assert note == (f"::notice file={BUGGY},line={number},endLine={number},title=SHP101 note "
                    "(cell 3%3A1%3A22)::Input(shape=...) makes the model's input (None, 64)")


def test_noqa_in_a_cell_silences_its_line(tmp_path):
    bad = "h = layers.Dense(32)(keras.Input(shape=(64,)))\nout = layers.Add()([keras.Input(shape=(64,)), h])"
    notebook(tmp_path / "nb.ipynb", "%load_ext autoreload\n" + IMPORTS, bad + "  # noqa: SHP101")
    assert run("nb.ipynb", cwd=tmp_path).exit_code == 0
    notebook(tmp_path / "nb.ipynb", "%load_ext autoreload\n" + IMPORTS, bad + "  # noqa: SHP204")
    assert run("nb.ipynb", cwd=tmp_path).stdout.startswith("nb.ipynb:cell 2:2:7: SHP101")


def test_lines_named_in_a_message_are_cells_and_lines_too(tmp_path):
    notebook(tmp_path / "nb.ipynb", IMPORTS, "model = keras.Sequential([\n    keras.Input(shape=(8,)),\n"
             "    layers.Dense(10),\n    layers.Dense(10, activation='softmax'),\n])")
    (finding, _) = run("nb.ipynb", cwd=tmp_path).stdout.splitlines()
    assert finding.startswith("nb.ipynb:cell 2:4:5: SHP204 [warning] the final Dense(10) directly "
                              "follows another Dense(10) (cell 2, line 3): ")


def test_summary_tables_give_cells_and_lines():
    result = run("summary", "fixtures/notebooks/03_redefined_block.ipynb")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == ('Model "Sequential" (sequential) at '
                        "fixtures/notebooks/03_redefined_block.ipynb:cell 4:1")
    assert lines[4] == "  block.dense | Dense | (2, 8)       |     136 | cell 3:4"
    assert lines[-2:] == ["  cell 4:2:1  y  (2, 4)", "  cell 7:2:1  y  (2, 4)"]


@pytest.mark.parametrize("content, error", [
    ("{not json", "not a notebook: invalid JSON: Expecting property name enclosed in double quotes: "
                  "line 1 column 2 (char 1)"),
    ("[1, 2]", "not a notebook: no known 'nbformat' version in its JSON"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": {}}',
     "not a notebook: no list of 'cells'"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}',
     "not a notebook: AttributeError: metadata"),
])
def test_a_file_that_is_not_a_notebook_is_an_error_of_that_file(tmp_path, content, error):
    (tmp_path / "bad.ipynb").write_text(content)
    (tmp_path / "ok.py").write_text("x = 1\n")
    result = run("bad.ipynb", "ok.py", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stdout == (f"bad.ipynb: error: {error}\n"
                             "1 file could not be checked (2 files checked).\n")
    assert run("summary", "bad.ipynb", cwd=tmp_path).stdout == f"bad.ipynb: error: {error}\n"


def test_a_syntax_error_is_placed_in_its_cell(tmp_path):
    notebook(tmp_path / "nb.ipynb", "x = 1", new_markdown_cell("m"), "y = 2\nz = (1,\n")
    result = run("nb.ipynb", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stdout.startswith("nb.ipynb: error: syntax error at cell 3, line 2, column 5: "
                                    "'(' was never closed\n")


def test_folders_give_notebooks_too_but_not_jupyters_checkpoints(tmp_path):
    for name in ["b.ipynb", "a.py", "sub/c.ipynb", ".ipynb_checkpoints/b-checkpoint.ipynb", "notes.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert collect_files([str(tmp_path)]) == [str(tmp_path / p) for p in ("a.py", "b.ipynb", "sub/c.ipynb")]


def test_checking_python_files_does_not_import_nbformat(tmp_path):
    (tmp_path / "m.py").write_text("x = 1\n")
    probe = ("import sys\nfrom shapecheck.files import check_paths\n"
             f"check_paths([{str(tmp_path / 'm.py')!r}])\nprint('nbformat' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.stdout == "False\n", done.stderr


# ----------------------------------------------------------------- TensorFlow and pre-commit

def test_verify_runs_the_notebook_and_places_tensorflows_error_in_its_cell():
    done = subprocess.run([sys.executable, "-m", "shapecheck", "--verify", BUGGY], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[:2] == [
        f"{BUGGY}: verify: agrees with TensorFlow; no model confirmed; 0 tensors confirmed; "
        "TensorFlow raised ValueError at cell 5, line 2",
        f"{BUGGY}:cell 5:2:7: {ADD_FINDING} (confirmed: TensorFlow raises ValueError: "
        "Inputs have incompatible shapes. Received shapes (64,) and (32,))",
    ]


PACKAGE = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "shapecheck")


def git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                   check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="needs git and a git checkout")
def test_pre_commit_hook_fails_on_the_buggy_notebook_and_passes_on_the_fixed_one(tmp_path):
    """``pre-commit try-repo`` on a commit of this working tree's package (so that the
    hook's own environment is installed once for both runs)."""
    hook_repo, project = tmp_path / "hook", tmp_path / "project"
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", *PACKAGE],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    for name in listed:
        (hook_repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, hook_repo / name)
    project.mkdir()
    for path in (BUGGY, FIXED):
        shutil.copy2(ROOT / path, project)
    for repo in (hook_repo, project):
        git("init", "-q", cwd=repo)
        git("add", ".", cwd=repo)
        git("commit", "-q", "-m", "c", cwd=repo)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def try_repo(name):
        return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "shapecheck",
                               "--files", name], cwd=project, env=env, capture_output=True, text=True,
                              timeout=600)

    failed = try_repo(Path(BUGGY).name)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert f"{Path(BUGGY).name}:cell 5:2:7: {ADD_FINDING}" in failed.stdout
    passed = try_repo(Path(FIXED).name)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "shapecheck" in passed.stdout and "Passed" in passed.stdout
