"""The command line, file handling and reporters, against a stand-in engine.

The stand-in parses with libcst (so syntax errors are real) and reports a
diagnostic wherever a line contains ERROR / WARN, a model wherever it contains
MODEL, and crashes on CRASH.
"""

import copy
import json
import re
import subprocess
import sys
import types
from pathlib import Path

import libcst
import pytest
from click.testing import CliRunner
from contract import assert_valid_contract

import shapecheck.files
from shapecheck.cli import main
from shapecheck.dims import BinOp, Floor, Sym
from shapecheck.files import collect_files
from shapecheck.results import (
    Diagnostic,
    FileReport,
    LayerReport,
    ModelReport,
    TensorReport,
)

REPO = Path(__file__).resolve().parents[1]
H_OUT = BinOp("+", Floor(BinOp("/", BinOp("-", Sym("H"), 5), 2)), 1)


def lenet(line: int) -> ModelReport:
    conv = LayerReport("conv", "Conv2D", 17, (32, 28, 28, 1), (32, 28, 28, 6), 156)
    return ModelReport("LeNet", "subclass", line, (32, 28, 28, 1), (32, 10), 27598, [
        LayerReport("conv1", "ConvLayer", 32, (32, 28, 28, 1), (32, 14, 14, 6), 156, [conv],
                    connected_to=("input",)),
        LayerReport("add", "Add", 33, [(None, 14, 14, 6), (None, 14, 14, 6)],
                    (None, H_OUT, 14, 6), 0, connected_to=("conv1", "input")),
        LayerReport("head", "Dense", 34, (32, 120), (32, 10), None, connected_to=("add",)),
    ], input_names=("input",))


def fake_check_source(source: str, path: str, project=None) -> FileReport:
    libcst.parse_module(source)
    if "CRASH" in source:
        raise RuntimeError("boom")
    report = FileReport(path)
    for lineno, text in enumerate(source.splitlines(), 1):
        for marker, code, name, severity in [
                ("ERROR", "SHP101", "incompatible-input", "error"),
                ("WARN", "SHP203", "unused-layer", "warning")]:
            if marker in text:
                column = text.index(marker) + 1
                report.diagnostics.append(Diagnostic(
                    code, name, severity, lineno, column, lineno, column + len(marker),
                    f"{name} here"))
        if "MODEL" in text:
            report.models.append(lenet(lineno))
            report.tensors.append(TensorReport(lineno, 1, "y", (32, 10)))
    return report


@pytest.fixture(autouse=True)
def fake_engine(monkeypatch, tmp_path):
    """Run in an empty folder with the stand-in engine."""
    monkeypatch.setattr(shapecheck.files, "check_source", fake_check_source)
    monkeypatch.chdir(tmp_path)


def write(path: str, text) -> str:
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(text)
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_clean_file_exits_0():
    write("ok.py", "x = 1\n")
    result = run("ok.py")
    assert result.exit_code == 0
    assert result.stdout == "All checks passed (1 file checked, 0 models).\n"


def test_error_diagnostic_exits_1_with_ruff_like_lines_sorted():
    write("b.py", "y = 2  # ERROR\n")
    write("a.py", "x = 1\nz = 3  # ERROR\nw = 1  # WARN\n")
    result = run("b.py", "a.py")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "a.py:2:10: SHP101 [error] incompatible-input here",
        "a.py:3:10: SHP203 [warning] unused-layer here",
        "b.py:1:10: SHP101 [error] incompatible-input here",
        "Found 3 diagnostics in 2 files (2 files checked).",
    ]


def test_warnings_fail_by_default_but_not_with_fail_on_error():
    write("w.py", "x = 1  # WARN\n")
    assert run("w.py").exit_code == 1
    assert run("--fail-on", "error", "w.py").exit_code == 0


@pytest.mark.parametrize("name, content, error", [
    ("syntax.py", "x = (1,\ny = 2\n",
     "syntax error at line 1, column 5: '(' was never closed"),
    ("nul.py", "x = 1\0\n", "syntax error: source code string cannot contain null bytes"),
    ("latin1.py", b"x = '\xe9'\n", "not valid UTF-8: invalid continuation byte at byte 5"),
    ("missing.py", None, "cannot read: No such file or directory"),
    ("crash.py", "CRASH = 1\n", "internal error: RuntimeError: boom"),
])
def test_file_error_exits_2_and_other_files_are_still_checked(name, content, error):
    if content is not None:
        write(name, content)
    write("good.py", "x = 1  # ERROR\n")
    result = run(name, "good.py")
    assert result.exit_code == 2
    assert f"{name}: error: {error}\n" in result.stdout
    assert "good.py:1:10: SHP101 [error] incompatible-input here\n" in result.stdout
    assert result.stdout.endswith(
        "Found 1 diagnostic in 1 file; 1 file could not be checked (2 files checked).\n")


def test_syntax_error_only_libcst_rejects_uses_libcst_position(monkeypatch):
    def reject(source, path, project=None):
        raise libcst.ParserSyntaxError("unsupported", lines=["x = 1\n"], raw_line=1,
                                       raw_column=4)
    monkeypatch.setattr(shapecheck.files, "check_source", reject)
    write("new.py", "x = 1\n")
    result = run("new.py")
    assert result.exit_code == 2
    assert "new.py: error: syntax error at line 1, column 5: unsupported\n" in result.stdout


def test_json_output_follows_the_contract():
    write("model.py", "m = 1  # MODEL ERROR\n")
    write("broken.py", "def f(:\n")
    result = run("--format", "json", "model.py", "broken.py")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert_valid_contract(doc)
    assert [f["path"] for f in doc["files"]] == ["model.py", "broken.py"]
    model_file, broken = doc["files"]
    assert list(model_file) == ["path", "error", "models", "tensors", "diagnostics"]
    assert model_file["models"][0]["layers"][1]["input_shape"] == [[None, 14, 14, 6]] * 2
    assert model_file["models"][0]["layers"][1]["output_shape"][1] == "floor((H - 5) / 2) + 1"
    assert model_file["diagnostics"][0]["code"] == "SHP101"
    assert broken["error"].startswith("syntax error at line 1, column 7")


def contract_document() -> dict:
    report = fake_check_source("m = 1  # MODEL ERROR\n", "m.py")
    return {"version": 1, "files": [report.to_json()]}


@pytest.mark.parametrize("path, value", [
    (("version",), 2),
    (("files", 0, "models", 0, "kind"), "graph"),
    (("files", 0, "models", 0, "layers", 0, "layers", 0, "params"), -1),
    (("files", 0, "models", 0, "layers", 0, "layers", 0, "output_shape"), [1.5]),
    (("files", 0, "diagnostics", 0, "code"), "SHP1"),
    (("files", 0, "diagnostics", 0, "name"), "Incompatible_Input"),
    (("files", 0, "diagnostics", 0, "column"), 0),
    (("files", 0, "tensors", 0, "shape"), None),
    (("files", 0, "models", 0, "extra"), 1),
])
def test_contract_schema_rejects_broken_documents(path, value):
    doc = contract_document()
    assert_valid_contract(doc)
    broken = copy.deepcopy(doc)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(AssertionError, match="breaks the contract"):
        assert_valid_contract(broken)


def test_contract_schema_requires_every_key():
    doc = contract_document()
    del doc["files"][0]["error"]
    with pytest.raises(AssertionError, match="'error' is a required property"):
        assert_valid_contract(doc)


def test_summary_prints_a_table_per_model():
    write("model.py", "x = 1\nm = 2  # MODEL\n")
    result = run("summary", "model.py")
    assert result.exit_code == 0
    assert result.stdout == """\
Model "LeNet" (subclass) at model.py:2
Layer (name) | Class     | Output Shape                          | Param # | Connected to | Line
-------------+-----------+---------------------------------------+---------+--------------+-----
conv1        | ConvLayer | (32, 14, 14, 6)                       |     156 | input        |   32
  conv1.conv | Conv2D    | (32, 28, 28, 6)                       |     156 | ?            |   17
add          | Add       | (None, floor((H - 5) / 2) + 1, 14, 6) |       0 | conv1, input |   33
head         | Dense     | (32, 10)                              |       ? | add          |   34
-------------+-----------+---------------------------------------+---------+--------------+-----
Total params: 27,598 (107.80 KB)
Input shape: (32, 28, 28, 1)
Output shape: (32, 10)

Tensors in model.py
  2:1  y  (32, 10)
"""


def test_summary_reports_files_without_models_and_errors():
    write("plain.py", "x = 1\n")
    result = run("summary", "plain.py", "gone.py")
    assert result.exit_code == 2
    assert result.stdout == (
        "plain.py: no models found\n\n"
        "gone.py: error: cannot read: No such file or directory\n")


def test_folders_give_their_python_files_sorted_skipping_tool_folders():
    for path in ["a.py", "notes.txt", "pkg/z.py", "pkg/sub/y.py", "pkg/build/x.py",
                 ".hidden/h.py", ".venv/v.py", "venv/v.py", "__pycache__/c.py",
                 "build/b.py", "dist/d.py", "node_modules/n.py"]:
        write(path, "x = 1\n")
    assert collect_files(["."]) == ["a.py", "pkg/sub/y.py", "pkg/z.py"]
    assert collect_files(["pkg", "./a.py", "a.py", ".hidden/h.py"]) == [
        "pkg/sub/y.py", "pkg/z.py", "a.py", ".hidden/h.py"]
    result = run()
    assert result.exit_code == 0
    assert result.stdout == "All checks passed (3 files checked, 0 models).\n"


def test_a_file_named_like_a_subcommand_is_checked_with_check():
    write("summary", "x = 1  # ERROR\n")
    result = run("check", "summary")
    assert result.exit_code == 1
    assert result.stdout.startswith("summary:1:10: SHP101 [error]")


def test_options_written_before_a_subcommand_go_to_it():
    write("a.py", "x = 1\n")
    result = run("--no-cache", "summary", "a.py")
    assert result.exit_code == 2
    assert "summary [OPTIONS] PATH" in result.output and "--no-cache" in result.output


@pytest.mark.parametrize("args", [
    ["--format", "xml", "a.py"],
    ["--no-such-option"],
    ["summary"],
])
def test_usage_errors_exit_2(args):
    write("a.py", "x = 1\n")
    result = run(*args)
    assert result.exit_code == 2
    assert "Usage:" in result.output


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("shapecheck, version ")


def test_rules_lists_the_registry(monkeypatch):
    class UnusedLayer:
        """Flags a layer that call() never applies.

        Longer explanation.
        """
        code, name, severity = "SHP203", "unused-layer", "warning"

    class IncompatibleInput:
        """Flags a layer given a tensor it cannot take."""
        code, name, severity = "SHP101", "incompatible-input", "error"

    monkeypatch.setitem(sys.modules, "shapecheck.rules",
                        types.SimpleNamespace(ALL_RULES=[UnusedLayer, IncompatibleInput]))
    result = run("rules")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "SHP101  incompatible-input  error    Flags a layer given a tensor it cannot take.",
        "SHP203  unused-layer        warning  Flags a layer that call() never applies.",
    ]


def test_rules_without_a_registry(monkeypatch):
    monkeypatch.setitem(sys.modules, "shapecheck.rules", None)
    result = run("rules")
    assert result.exit_code == 0
    assert result.stdout == "No rules registered.\n"


def test_checking_never_imports_tensorflow_keras_or_numpy(tmp_path):
    """With the real engine (if present), as ``python -m shapecheck`` runs it."""
    source = write(str(tmp_path / "model.py"), (
        "import numpy as np\nimport tensorflow as tf\nfrom tensorflow import keras\n"
        "model = keras.Sequential([keras.layers.Dense(10)])\n"
        "y = model(tf.random.normal((32, 5)))\n"))
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['shapecheck', {source!r}]\n"
        "try:\n    runpy.run_module('shapecheck', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'numpy'}))\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert "1 file checked" in result.stdout, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_the_readmes_pre_commit_snippet_names_this_versions_release_tag():
    """Releases are tagged ``v`` + the version in pyproject.toml; the snippet users copy
    names that tag, and ``--version`` prints that version."""
    root = Path(__file__).resolve().parent.parent
    version = re.search(r'^version = "(.+)"', (root / "pyproject.toml").read_text(), re.M).group(1)
    revs = re.findall(r"^\s*rev: (\S+)", (root / "README.md").read_text(), re.M)
    assert revs == [f"v{version}"]
    assert version in CliRunner().invoke(main, ["--version"]).output
