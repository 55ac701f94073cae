"""Knowing less never reports more: a fixture or generated program with one known value
replaced by one shapecheck cannot know (an environment read, ``np.load``) gets no new
error finding (``unknown_mutants`` has the mutations and the rule)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from fixture_paths import FIXTURES
from program_strategies import random_programs
from unknown_mutants import new_errors

from shapecheck.engine import check_source
from shapecheck.values import UNKNOWN

ROOT = Path(__file__).resolve().parent.parent
SITES_PER_FIXTURE = 8
PROGRAMS = random_programs("knowing-less", 40)


@pytest.mark.parametrize("path", FIXTURES)
def test_a_fixture_that_knows_less_reports_no_more(path):
    source = (ROOT / path).read_text()
    found = list(new_errors(source, limit=SITES_PER_FIXTURE, seed=zlib.crc32(path.encode()),
                            path=str(ROOT / path)))
    assert found == []


@pytest.mark.parametrize("index", range(len(PROGRAMS)))
def test_a_generated_program_that_knows_less_reports_no_more(index):
    assert list(new_errors(PROGRAMS[index], limit=4, seed=index)) == []


def test_the_mutations_reach_what_the_analysis_uses():
    """A mutant really knows less: the seed's LeNet loses its exact parameter count."""
    from unknown_mutants import mutants

    from shapecheck.engine import check_source

    source = (ROOT / "fixtures/seed/10_lenet_subclass.py").read_text()
    counts = {model.params for _, mutant in mutants(source) for model in check_source(mutant, "m.py").models}
    assert None in counts and len(counts) > 1


@pytest.mark.parametrize("loop", [
    "if np.random.rand() > 0.5:\n    items.append(1)\n",
    "for i in range(4):\n    if np.random.rand() > 0.5:\n        continue\n    items.append(i)\n",
    "for i in range(4):\n    items.append(i)\n    if np.random.rand() > 0.5:\n        break\n",
    "while len(items) < 4:\n    if np.random.rand() > 0.5:\n        continue\n    items.append(0)\n"
    "    items.append(1)\n",
])
def test_a_write_that_may_not_have_happened_leaves_the_size_unknown(loop):
    # (the while loop always ends with 4 or 5 items: which one, is not known)
    source = f"import numpy as np\nitems = []\n{loop}x = np.zeros((len(items), 3))\n"
    shapes = [t.shape for t in check_source(source, "m.py").tensors if t.name == "x"]
    assert len(shapes) == 1 and shapes[0][0] is UNKNOWN and shapes[0][1:] == (3,)


def test_a_loop_that_may_break_after_a_pass_that_may_continue_is_of_unknown_length():
    source = ("import numpy as np\nitems = []\nfor i in range(6):\n    if np.random.rand() > 0.5:\n"
              "        break\n    items.append(i)\n    if np.random.rand() > 0.5:\n        continue\n"
              "    items.append(i)\nx = np.zeros((len(items), 3))\n")
    shapes = [t.shape for t in check_source(source, "m.py").tensors if t.name == "x"]
    assert len(shapes) == 1 and shapes[0][0] is UNKNOWN


def test_a_model_that_raised_on_data_of_unknown_shape_has_no_output():
    """Its graph's own output is no stand-in for the call: Keras raised in it (the Lambda's
    function uses a Keras 2 backend function, run only when data comes)."""
    source = ("import numpy as np\nimport keras\nfrom keras import backend as K\n"
              "a, b = keras.Input((8,)), keras.Input((8,))\n"
              "d = keras.layers.Lambda(lambda t: K.sum(t[0] - t[1], axis=1, keepdims=True),"
              " output_shape=(1,))([a, b])\n"
              "model = keras.Model([a, b], d)\n"
              "x = np.array(np.load('pairs.npy'))\nmodel.predict([x[:, 0], x[:, 1]])\n")
    report = check_source(source, "m.py")
    assert [d.code for d in report.diagnostics] == ["SHP206"]
    assert [m.output_shape for m in report.models] == [None]


def test_a_model_of_two_inputs_run_on_data_of_unknown_shape_is_listed_with_its_graph():
    source = ("import numpy as np\nimport keras\n"
              "a, b = keras.Input((8,)), keras.Input((8,))\n"
              "model = keras.Model([a, b], keras.layers.Dense(2)(keras.layers.subtract([a, b])))\n"
              "x = np.array(np.load('pairs.npy'))\nmodel.predict([x[:, 0], x[:, 1]])\n")
    report = check_source(source, "m.py")
    assert not report.diagnostics
    assert [(m.input_shape, m.output_shape, m.params) for m in report.models] == [
        ([(None, 8), (None, 8)], (None, 2), 18)]


@pytest.mark.parametrize("call", ["model.predict(np.load('x.npy'))", "model(loader.batches())"])
def test_a_built_sequential_run_on_data_not_known_is_listed_as_built(call):
    """Data of unknown shape, or a value not known at all (a module's function), tells less
    than the declared input the data fits if the program runs."""
    source = ("import numpy as np\nimport keras\nimport loader\n"
              "model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(2)])\n"
              f"{call}\n")
    report = check_source(source, "m.py")
    assert not report.diagnostics
    assert [(m.input_shape, m.output_shape, m.params) for m in report.models] == [((None, 20), (None, 2), 42)]


def test_a_loop_past_its_share_of_the_budget_keeps_its_arrays_and_what_follows():
    source = ("import numpy as np\nimport keras\nx = np.zeros((3000, 100))\n"
              "for i in range(3000):\n    for j in range(100):\n        x[i, j] = i * j\n"
              "model = keras.Sequential([keras.Input((100,)), keras.layers.Dense(2)])\n"
              "y = model.predict(x)\n")
    report = check_source(source, "m.py")
    assert {t.name: t.shape for t in report.tensors}["y"] == (3000, 2)


def test_a_list_held_in_a_dict_and_appended_to_in_an_uncertain_loop_is_of_unknown_length():
    source = ("import numpy as np\ncolumns = {'a': [], 'b': []}\nfor row in open('rows.txt'):\n"
              "    if row.strip():\n        for key in columns:\n            columns[key].append(len(row))\n"
              "x = np.array(columns['a'])\n")
    assert "x" not in {t.name for t in check_source(source, "m.py").tensors}


@pytest.mark.parametrize("body, rows", [
    ("    items.append(np.zeros(3))\n    items += [np.ones(3)]\n", 4000),  # two each pass, surely
    ("    if np.random.rand() > 0.5:\n        continue\n    items.append(np.zeros(3))\n", UNKNOWN),
    ("    items.append(np.zeros(3))\n    if np.random.rand() > 0.5:\n        items.append(np.zeros(3))\n",
     UNKNOWN),
    ("    items.append(np.zeros(3))\n    if np.random.rand() > 0.5:\n        break\n", UNKNOWN),
    ("    items.append(keras.layers.Dense(3))\n", UNKNOWN),  # each pass makes its own layer
])
def test_a_long_loop_repeats_only_the_appends_every_pass_surely_makes(body, rows):
    source = f"import numpy as np\nimport keras\nitems = []\nfor i in range(2000):\n{body}" \
             "x = np.array(items)\n"
    shapes = {t.name: t.shape for t in check_source(source, "m.py").tensors}
    assert shapes.get("x", (UNKNOWN,))[0] == rows


def test_an_object_of_an_unknown_class_called_without_arguments_is_no_finding():
    # unittest.mock's Mock, or any class shapecheck does not know: maybe no layer at all
    source = ("from unittest import mock\nfrom thirdparty import Block\n"
              "m = mock.Mock(return_value=5)\nm()\nBlock(16)()\n")
    assert check_source(source, "m.py").diagnostics == []
