"""Rule selection, ``[tool.shapecheck]`` configuration, exclusions and the output options."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner

from shapecheck.cli import main

# SHP101 (error) on line 3, SHP204 (warning) on line 6.
BUGGY = """import tensorflow as tf
x = tf.zeros((8, 784))
y = tf.keras.layers.Conv2D(4, 3)(x)
model = tf.keras.Sequential([tf.keras.Input((4,)),
                             tf.keras.layers.Dense(10),
                             tf.keras.layers.Dense(10)])
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder with one buggy file, the working folder of the test."""
    (tmp_path / "model.py").write_text(BUGGY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def codes(*args):
    status, output = run("--format", "json", *args)
    return status, sorted(d["code"] for f in json.loads(output)["files"] for d in f["diagnostics"])


def test_select_ignore_and_extend_select_on_the_command_line(project):
    assert codes("model.py") == (1, ["SHP101", "SHP204"])
    assert codes("model.py", "--select", "SHP1") == (1, ["SHP101"])
    assert codes("model.py", "--ignore", "SHP101,SHP204") == (0, [])
    assert codes("model.py", "--select", "SHP1", "--extend-select", "SHP204") == (1, ["SHP101", "SHP204"])


def test_an_unknown_selector_is_a_usage_error(project):
    status, output = run("model.py", "--select", "SHP777")
    assert status == 2 and "'SHP777' selects no rule" in output


def test_pyproject_configures_the_files_below_it(project):
    (project / "pyproject.toml").write_text(
        '[tool.shapecheck]\nignore = ["SHP204"]\nseverity = { SHP101 = "warning" }\n'
        'fail-on = "error"\n', encoding="utf-8")
    status, output = run("--format", "json", "model.py")
    found = [d for f in json.loads(output)["files"] for d in f["diagnostics"]]
    assert [(d["code"], d["severity"]) for d in found] == [("SHP101", "warning")]
    assert status == 0  # fail-on = "error" and the one finding is a warning now
    assert codes("model.py", "--fail-on", "warning")[0] == 1  # the command line wins


def test_per_file_ignores(project):
    (project / "pyproject.toml").write_text(
        '[tool.shapecheck.per-file-ignores]\n"model.py" = ["SHP1"]\n', encoding="utf-8")
    assert codes("model.py") == (1, ["SHP204"])


def test_the_nearest_configuration_wins(project):
    (project / "pyproject.toml").write_text('[tool.shapecheck]\nselect = ["SHP1"]\n', encoding="utf-8")
    inner = project / "inner"
    inner.mkdir()
    (inner / "model.py").write_text(BUGGY, encoding="utf-8")
    (inner / "pyproject.toml").write_text('[tool.shapecheck]\nselect = ["SHP2"]\n', encoding="utf-8")
    status, output = run("--format", "json", ".")
    by_file = {f["path"]: [d["code"] for d in f["diagnostics"]] for f in json.loads(output)["files"]}
    assert by_file == {"model.py": ["SHP101"], "inner/model.py": ["SHP204"]}


@pytest.mark.parametrize("table, said", [
    ('selct = ["SHP1"]', "unknown key 'selct'"),
    ('select = "SHP1"', "select: must be a list of strings"),
    ('select = ["SHP5"]', "'SHP5' selects no rule"),
    ('fail-on = "fatal"', "fail-on: must be one of info, warning, error"),
    ('respect-gitignore = "yes"', "respect-gitignore: must be true or false"),
])
def test_a_bad_configuration_names_the_key_and_the_file(project, table, said):
    (project / "pyproject.toml").write_text(f"[tool.shapecheck]\n{table}\n", encoding="utf-8")
    status, output = run("model.py")
    assert status == 2
    assert said in output and "pyproject.toml" in output


def test_config_option_names_the_file(project):
    (project / "lint.toml").write_text('[tool.shapecheck]\nselect = ["SHP2"]\n', encoding="utf-8")
    assert codes("model.py", "--config", "lint.toml") == (1, ["SHP204"])
    (project / "empty.toml").write_text("[tool.other]\n", encoding="utf-8")
    status, output = run("model.py", "--config", "empty.toml")
    assert status == 2 and "has no [tool.shapecheck] table" in output


def test_exclude_and_gitignore_leave_files_of_a_folder_out(project):
    for folder in ("generated", "env", "kept"):
        (project / folder).mkdir()
        (project / folder / "m.py").write_text(BUGGY, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    (project / ".gitignore").write_text("env/\n", encoding="utf-8")
    (project / "pyproject.toml").write_text('[tool.shapecheck]\nexclude = ["generated/"]\n',
                                            encoding="utf-8")
    status, output = run("--format", "json", ".")
    assert sorted(f["path"] for f in json.loads(output)["files"]) == ["kept/m.py", "model.py"]
    (project / "pyproject.toml").write_text('[tool.shapecheck]\nrespect-gitignore = false\n',
                                            encoding="utf-8")
    status, output = run("--format", "json", ".")
    assert "env/m.py" in [f["path"] for f in json.loads(output)["files"]]
    status, output = run("--format", "json", "generated/m.py")  # named: always checked
    assert [f["path"] for f in json.loads(output)["files"]] == ["generated/m.py"]


def test_output_options(project):
    status, output = run("model.py", "--exit-zero")
    assert status == 0 and "SHP101" in output
    status, output = run("model.py", "-q")
    assert "Found" not in output and output.count(": SHP") == 2 and output.count(": note: ") == 1
    status, output = run("model.py", "--statistics", "-q")
    assert output.splitlines()[-2:] == ["    1  SHP101  incompatible-input",
                                        "    1  SHP204  duplicated-output-layer"]
    status, output = run("model.py", "-o", "report.txt")
    assert status == 1 and output == ""
    assert "SHP101" in (project / "report.txt").read_text(encoding="utf-8")


def test_explain_prints_a_rule(project):
    status, output = run("explain", "shp105")
    assert status == 0
    assert output.startswith("SHP105 data-cardinality [error]")
    assert "Why:" in output and "Instead:" in output and "Flagged:" in output
    status, output = run("explain", "SHP999")
    assert status == 2 and "no rule 'SHP999'" in output


def test_a_mistyped_command_is_not_read_as_a_file(project):
    status, output = run("sumary", "model.py")
    assert status == 2 and "did you mean `shapecheck summary`" in output


def test_a_file_comment_turns_findings_off_for_the_whole_file(project):
    (project / "model.py").write_text("# shapecheck: noqa: SHP101\n" + BUGGY, encoding="utf-8")
    assert codes("model.py") == (1, ["SHP204"])
    (project / "model.py").write_text("# shapecheck: noqa\n" + BUGGY, encoding="utf-8")
    assert codes("model.py") == (0, [])


def test_stdin_is_checked_under_its_given_name(project):
    (project / "pyproject.toml").write_text('[tool.shapecheck]\nignore = ["SHP204"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["-", "--stdin-filename", "model.py"], input=BUGGY)
    assert result.exit_code == 1
    assert result.output.startswith("model.py:3:5: SHP101") and "SHP204" not in result.output


def test_sarif_names_the_version_the_rules_help_and_relative_files(project):
    status, output = run("--format", "sarif", "model.py")
    sarif = json.loads(output)["runs"][0]
    driver = sarif["tool"]["driver"]
    assert driver["version"] and all(rule["help"]["markdown"] for rule in driver["rules"])
    location = sarif["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "model.py", "uriBaseId": "%SRCROOT%"}
    assert sarif["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"


def test_show_source_puts_a_caret_under_the_finding(project):
    status, output = run("model.py", "--show-source", "--select", "SHP101")
    assert output.splitlines()[1:3] == ["    | y = tf.keras.layers.Conv2D(4, 3)(x)",
                                        "    |     " + "^" * 31]
    status, output = run("model.py", "--select", "SHP101")  # not a terminal: off by default
    assert "    |" not in output


def test_verify_without_tensorflow_says_what_to_install(project, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "tensorflow" else real(name, *args))
    status, output = run("--verify", "model.py")
    assert status == 2 and "pip install 'keras-shapecheck[verify]'" in output


def test_unused_noqa_is_reported_only_when_asked(project):
    (project / "model.py").write_text(BUGGY.replace("(x)\n", "(x)  # noqa: SHP101\n", 1)
                                      .replace("(10)])", "(10)])  # noqa: SHP101, E501"), encoding="utf-8")
    assert codes("model.py") == (1, ["SHP204"])
    status, found = codes("model.py", "--report-unused-noqa")
    assert found == ["SHP001", "SHP204"]
    status, output = run("model.py", "--report-unused-noqa", "--select", "SHP001")
    assert output.startswith("model.py:6:59: SHP001 [warning] unused noqa: nothing of SHP101")
    assert codes("model.py", "--select", "ALL")[1] == ["SHP001", "SHP204"]


def _baseline_run(*args):
    result = CliRunner().invoke(main, ["--format", "json", "--baseline", "base.json", *args])
    found = sorted((f["path"], d["code"], d["line"]) for f in json.loads(result.stdout)["files"]
                   for d in f["diagnostics"]) if result.stdout.startswith("{") else None
    return result.exit_code, found, result.stderr


def test_a_baseline_hides_the_findings_it_recorded_wherever_their_line_moves(project):
    status, found, said = _baseline_run("model.py", "--write-baseline")
    assert status == 0 and said == "Recorded 2 findings in base.json.\n"
    assert _baseline_run("model.py") == (0, [], "2 findings of the baseline base.json not shown.\n")
    # Two lines above move the old findings; a new copy of the bad line is a new finding.
    lines = BUGGY.splitlines(keepends=True)
    (project / "model.py").write_text("import os\n\n" + "".join(lines[:3] + lines[2:]), encoding="utf-8")
    status, found, said = _baseline_run("model.py")
    assert status == 1 and found == [("model.py", "SHP101", 6)]


@pytest.mark.parametrize("content, said", [
    (None, "cannot read the baseline"), ("[1, 2]", "not a baseline shapecheck wrote")])
def test_a_bad_baseline_is_an_error_naming_it(project, content, said):
    if content is not None:
        (project / "base.json").write_text(content, encoding="utf-8")
    status, found, error = _baseline_run("model.py")
    assert status == 2 and "base.json" in error and said in error
    result = CliRunner().invoke(main, ["model.py", "--write-baseline"])
    assert result.exit_code == 2 and "--write-baseline needs --baseline FILE" in result.stderr


def test_colours_follow_force_color_and_no_color(project, monkeypatch):
    assert "\x1b[" not in run("model.py")[1]  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    output = CliRunner().invoke(main, ["model.py"]).stdout
    assert "\x1b[1mmodel.py\x1b[0m:3:5: \x1b[31m\x1b[1mSHP101\x1b[0m" in output
    assert "\x1b[" not in CliRunner().invoke(main, ["model.py", "--format", "json"]).stdout


def test_a_folder_without_python_says_so_on_stderr(project):
    (project / "empty").mkdir()
    result = CliRunner().invoke(main, ["empty"])
    assert result.exit_code == 0 and "All checks passed (0 files checked" in result.stdout
    assert result.stderr == "warning: no Python files or notebooks found under empty\n"


def test_the_rules_off_by_default_are_those_the_configuration_leaves_out():
    from shapecheck.config import DEFAULT_OFF
    from shapecheck.rules import ALL_RULES

    assert DEFAULT_OFF == {rule.code for rule in ALL_RULES if not rule.default_enabled}
