"""Findings in the code of another file of the project: reported where the faulty code is,
saying which call of the checked file reached it (the real engine, on a project in a
temporary folder)."""

import json
import textwrap

import pytest
from click.testing import CliRunner

from shapecheck.cli import main

LAYERS = """\
from keras import layers


def head(x, classes):
    x = layers.Flatten()(x)
    return layers.Dense(classes, activaton="softmax")(x){noqa}
"""
TRAIN = """\
import keras

from blocks import head

inputs = keras.Input((4, 4, 3))
model = keras.Model(inputs, head(inputs, 10))
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    def make(noqa=""):
        (tmp_path / "blocks.py").write_text(LAYERS.format(noqa=noqa))
        (tmp_path / "train.py").write_text(TRAIN)
        (tmp_path / "evaluate.py").write_text(TRAIN)
        (tmp_path / "pyproject.toml").write_text("")
        monkeypatch.chdir(tmp_path)
    return make


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_a_finding_in_an_imported_file_is_reported_there_via_the_call(project):
    project()
    result = run("train.py")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "blocks.py:6:34: SHP206 [error] Dense has no argument 'activaton': did you mean "
        "'activation'? (via train.py:6)")


def test_the_json_file_entry_of_the_imported_file_holds_it(project):
    project()
    doc = json.loads(run("--format", "json", "train.py").stdout)
    by_path = {f["path"]: f for f in doc["files"]}
    assert by_path["train.py"]["diagnostics"] == []
    [finding] = by_path["blocks.py"]["diagnostics"]
    assert (finding["code"], finding["line"]) == ("SHP206", 6)


def test_a_finding_reached_from_two_files_is_reported_once(project):
    project()
    result = run(".")
    assert result.stdout.count("SHP206") == 1
    assert "(via evaluate.py:6)" in result.stdout


def test_noqa_on_the_faulty_line_suppresses_it(project):
    project(noqa="  # noqa: SHP206")
    result = run("train.py")
    assert result.exit_code == 0, result.stdout


def test_summary_of_the_entry_still_lists_its_model(project):
    project()
    result = run("summary", "train.py")
    assert 'Model "Functional" (functional) at train.py:6' in result.stdout, textwrap.shorten(
        result.stdout, 300)


def test_a_library_module_a_project_file_imports_is_followed_through_its_attributes(tmp_path, monkeypatch):
    # backend.py re-exports keras; the model file patches and uses keras.layers through it
    (tmp_path / "backend.py").write_text("from tensorflow import keras\n")
    (tmp_path / "model.py").write_text(
        "from backend import keras\n\n\nclass Pool(keras.layers.GlobalAveragePooling1D):\n    pass\n\n\n"
        "keras.layers.GlobalAveragePooling1D = Pool\n"
        "model = keras.Sequential([keras.Input((5, 3)), keras.layers.Dense(4, activaton='relu')])\n")
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(main, ["model.py"])
    assert "internal error" not in done.output
    assert "model.py:9:70: SHP206 [error] Dense has no argument 'activaton'" in done.output



@pytest.mark.parametrize("files", [
    {  # a name neither of two modules that star-import each other defines
        "pkg/__init__.py": "", "pkg/a.py": "from .b import *\nX = 3\n",
        "pkg/b.py": "from .a import *\nY = 4\n",
        "main.py": "import keras\nfrom pkg.a import *\n\nmodel = keras.Sequential(["
                   "keras.Input((Y,)), keras.layers.Dense(X), keras.layers.Dense(Z)])\n"},
    {  # a name two modules import from each other
        "a.py": "from b import WIDTH\n", "b.py": "from a import WIDTH\n",
        "main.py": "import keras\nfrom a import WIDTH\n\nmodel = keras.Sequential(["
                   "keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(WIDTH)])\n"},
], ids=["star-imports", "named-imports"])
def test_a_name_modules_import_from_each_other_is_unknown(files, tmp_path, monkeypatch):
    for name, text in {**files, "pyproject.toml": ""}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    done = run("summary", "main.py")
    assert done.exit_code == 0, done.output
    assert "| (None, 3)    |      15 |" in done.stdout and "Total params: ?" in done.stdout
