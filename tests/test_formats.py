"""SARIF 2.1.0 and GitHub-annotation output."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from shapecheck.cli import main
from shapecheck.rules import ALL_RULES

BUGGY = "import tensorflow as tf\nx = tf.zeros((8, 784))\ny = tf.keras.layers.Conv2D(4, 3)(x)\n"


def run(tmp_path, output_format, source=BUGGY, name="m,odel%.py"):
    (tmp_path / name).write_text(source)
    return CliRunner().invoke(main, ["--format", output_format, str(tmp_path / name)])


def test_sarif_has_the_rule_table_and_one_located_result_per_finding(tmp_path):
    result = run(tmp_path, "sarif")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["version"] == "2.1.0"
    (sarif_run,) = document["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in ALL_RULES]
    (finding,) = sarif_run["results"]
    assert finding["ruleId"] == "SHP101" and rules[finding["ruleIndex"]]["id"] == "SHP101"
    assert finding["level"] == "error"
    region = finding["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (3, 5)
    assert sarif_run["invocations"][0]["executionSuccessful"] is True


# The OASIS SARIF 2.1.0 schema (the rtm.5 text of the standard, as schemastore and
# Microsoft's SARIF SDK publish it).
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text())


def test_sarif_is_valid_against_the_official_schema(tmp_path):
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                           "source": BUGGY}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    (tmp_path / "broken.py").write_text("def (:\n")
    (tmp_path / "m.py").write_text(BUGGY)
    result = CliRunner().invoke(main, ["--format", "sarif", str(tmp_path)])
    document = json.loads(result.stdout)
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA)
    assert [error.message for error in validator.iter_errors(document)] == []
    # ... and the schema is no formality: a result without its message is rejected.
    del document["runs"][0]["results"][0]["message"]
    assert not validator.is_valid(document)
    assert len(document["runs"][0]["results"]) == 2
    assert document["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_github_annotations_escape_paths_and_messages(tmp_path):
    result = run(tmp_path, "github")
    lines = result.stdout.splitlines()
    path = str(tmp_path / "m%2Codel%25.py").replace(":", "%3A")
    assert lines[0].startswith(f"::error file={path},line=3,col=5,endLine=3,")
    assert ",title=SHP101 incompatible-input::Conv2D expects a 4-D input" in lines[0]
    assert lines[-1] == "Found 1 diagnostic in 1 file (1 file checked)."


NOTED = """import keras
from keras import layers
model = keras.Sequential([
    layers.Conv2D(8, 3, input_shape=(28, 28)),
    layers.Flatten(),
])
"""


def test_a_finding_names_where_the_shape_it_is_about_is_set_in_every_format(tmp_path):
    """TensorFlow raises at the Sequential; the input_shape= that causes it is the second place."""
    text = run(tmp_path, "text", NOTED, "m.py").stdout.splitlines()
    path = str(tmp_path / "m.py")
    assert text[0].startswith(f"{path}:3:9: SHP101 [error] ")
    assert text[1] == f"{path}:4:25: note: input_shape= makes the model's input (None, 28, 28)"
    (finding,) = json.loads(run(tmp_path, "json", NOTED, "m.py").stdout)["files"][0]["diagnostics"]
    assert finding["related"] == [{"line": 4, "column": 25, "end_line": 4, "end_column": 45,
                                   "message": "input_shape= makes the model's input (None, 28, 28)"}]
    (result,) = json.loads(run(tmp_path, "sarif", NOTED, "m.py").stdout)["runs"][0]["results"]
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 25,
                                                     "endLine": 4, "endColumn": 45}
    assert related["message"]["text"].startswith("input_shape= makes")
    github = run(tmp_path, "github", NOTED, "m.py").stdout.splitlines()
    assert github[1].startswith("::notice file=")
    assert ",line=4,col=25,endLine=4,endColumn=45,title=SHP101 note::input_shape= makes" in github[1]


def test_a_place_on_the_findings_own_line_is_not_named_again(tmp_path):
    source = ("import keras\nfrom keras import layers\n"
              "model = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28))])\n")
    (finding,) = json.loads(run(tmp_path, "json", source, "m.py").stdout)["files"][0]["diagnostics"]
    assert finding["code"] == "SHP101" and "related" not in finding
