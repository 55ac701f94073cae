"""Input that must neither crash nor hang the checker (the real engine, through the CLI):
encodings, files that are not regular files, code nested deeper than the default stack,
and arithmetic or ranges too large to compute."""

import os
import subprocess
import sys

import pytest


def check(tmp_path, *names, timeout=120):
    """Run ``shapecheck`` on ``names`` in ``tmp_path`` in a child (a hang or a crash of the
    process fails the test instead of the suite)."""
    return subprocess.run([sys.executable, "-m", "shapecheck", *names], cwd=tmp_path,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("encoding, text", [("latin-1", "é"), ("koi8-r", "дом")])
def test_a_pep_263_coding_line_is_honoured(tmp_path, encoding, text):
    source = f"# -*- coding: {encoding} -*-\nimport keras\nname = '{text}'\n" \
             "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name=name)])\n"
    (tmp_path / "m.py").write_bytes(source.encode(encoding))
    done = check(tmp_path, "m.py")
    assert (done.returncode, done.stdout) == (0, "All checks passed (1 file checked, 1 model).\n")


def test_an_unknown_coding_line_is_a_file_error(tmp_path):
    (tmp_path / "m.py").write_text("# coding: no-such-codec\nx = 1\n")
    done = check(tmp_path, "m.py")
    assert done.returncode == 2
    assert "m.py: error: bad coding line: unknown encoding: no-such-codec" in done.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")
def test_a_fifo_is_skipped_in_a_folder_and_an_error_when_named(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "ok.py").write_text("x = 1\n")
    walked = check(tmp_path, ".", timeout=60)
    assert (walked.returncode, walked.stdout) == (0, "All checks passed (1 file checked, 0 models).\n")
    named = check(tmp_path, "pipe.py", "ok.py", timeout=60)
    assert named.returncode == 2
    assert "pipe.py: error: not a regular file" in named.stdout


def test_parentheses_nested_past_what_python_accepts_are_a_syntax_error(tmp_path):
    (tmp_path / "deep.py").write_text("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    (tmp_path / "ok.py").write_text("x = 1\n")
    done = check(tmp_path, "deep.py", "ok.py")
    assert done.returncode == 2  # not a crash of the process (-11)
    assert "deep.py: error: syntax error at line 1, column 205: too many nested parentheses" in done.stdout


def test_an_annotated_parenthesized_target_is_valid_python_and_positions_stay(tmp_path):
    # libcst's grammar rejects ``(x): int = 1``; CPython accepts it
    (tmp_path / "m.py").write_text(
        "import keras\n(a): int = 1; ((b)) :int = 2\nif a:\n    (self_x): int = 3\n"
        "(m): keras.Model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)()])\n")
    done = check(tmp_path, "m.py")
    assert done.returncode == 1
    assert done.stdout.startswith("m.py:5:57: SHP202 [error] Dense layer 'dense' is called "
                                  "without an input tensor")


def test_indentation_mixing_tabs_and_spaces_that_python_accepts_is_checked(tmp_path):
    # libcst's tokenizer rejects a block indented " \t" around one indented by 9 spaces
    (tmp_path / "m.py").write_text(
        "import keras\ndef build(width):\n \tmodel = keras.Sequential([keras.Input((4,))])\n"
        " \tfor _ in range(2):\n         model.add(keras.layers.Dense(width))\n"
        " \treturn model\nmodel = build(3)\nmodel.add(keras.layers.Dense())\n")
    done = check(tmp_path, "m.py")
    assert done.returncode == 1
    assert done.stdout.startswith("m.py:8:11: SHP")


@pytest.mark.parametrize("expression", [
    " + ".join(["'a'"] * 3000),  # a left-deep chain of 3,000 operations
    "-" * 3000 + "1",
    "[" * 199 + "1" + "]" * 199,
])
def test_code_nested_deeper_than_the_default_stack_is_checked(tmp_path, expression):
    (tmp_path / "deep.py").write_text(f"x = {expression}\n")
    done = check(tmp_path, "deep.py")
    assert (done.returncode, done.stdout) == (0, "All checks passed (1 file checked, 0 models).\n")


def test_a_functional_chain_of_950_layers_is_one_model(tmp_path):
    lines = ["import keras", "inputs = x = keras.Input((4,))"]
    lines += ["x = keras.layers.Dense(4)(x)"] * 950 + ["model = keras.Model(inputs, x)"]
    (tmp_path / "chain.py").write_text("\n".join(lines) + "\n")
    done = check(tmp_path, "chain.py")
    assert (done.returncode, done.stdout) == (0, "All checks passed (1 file checked, 1 model).\n")


@pytest.mark.parametrize("expression", [
    "2 ** 2 ** 40", "10 ** 10 ** 10", "1 << 10 ** 10", "sum(range(10 ** 12))",
    "len(range(10 ** 30))", "max(range(10 ** 9))", "[0] * 10 ** 10", "'a' * 10 ** 10",
])
def test_values_too_large_to_compute_stay_unknown(tmp_path, expression):
    (tmp_path / "big.py").write_text(f"import keras\nn = {expression}\nlayer = keras.layers.Dense(4)\n")
    done = check(tmp_path, "big.py", timeout=60)
    assert (done.returncode, done.stdout) == (0, "All checks passed (1 file checked, 0 models).\n")


def test_nested_endless_loops_end_and_the_code_after_them_is_checked(tmp_path):
    (tmp_path / "loops.py").write_text(
        "import keras\nn = 0\nwhile True:\n    while True:\n        while n >= 0:\n"
        "            n += 1\n"
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n")
    done = check(tmp_path, "loops.py", timeout=300)
    assert (done.returncode, done.stdout) == (0, "All checks passed (1 file checked, 1 model).\n")


METHODS = "".join(f"    def m{i}(self, a, b=[1, 2, 3]):\n        return a + b * {i}\n" for i in range(150))


@pytest.mark.parametrize("program", [
    "import foo\nx = []\nfor _ in range(64):\n    x = [x, x]\nfoo.bar(x)\n",  # shared 2**64 times
    "import foo\nx = []\nx.append(x)\nfoo.bar(x, {'self': x})\ntext = '%s' % (x,) + str(sum(x))\n",
    f"class Big:\n{METHODS}\nfor i in range(500):\n    text = '%r %s' % (Big(), [Big])\n",
], ids=["shared", "self-holding", "formatting"])
def test_values_that_share_hold_themselves_or_format_objects_end(tmp_path, program):
    (tmp_path / "shared.py").write_text(program + "import keras\nlayer = keras.layers.Dense(4)\n")
    done = check(tmp_path, "shared.py", timeout=120)
    assert (done.returncode, done.stdout) == (0, "All checks passed (1 file checked, 0 models).\n")
