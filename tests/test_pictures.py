"""What each layer is connected to (the summary's column, the pictures' arrows), confirmed
against the graph Keras builds, and the Mermaid and SVG pictures drawn from it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecheck.cli import main
from shapecheck.engine import check_source
from shapecheck.picture import render_mermaid, render_svg

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seed"

BRANCHES = """import keras
from keras import layers

inputs = keras.Input((16, 16, 3))
a = layers.Conv2D(4, 1)(inputs)
b = layers.Conv2D(4, 3, padding="same")(inputs)
x = layers.Concatenate()([a, b])
x = layers.BatchNormalization()(x)
y = layers.Add()([x, layers.Conv2D(8, 1)(inputs)])
model = keras.Model(inputs, layers.GlobalAveragePooling2D()(y))
"""
SHARED = """import keras
from keras import layers

left, right = keras.Input((8,), name="left"), keras.Input((8,), name="right")
encode = layers.Dense(4)
distance = keras.ops.abs(encode(left) - encode(right))
model = keras.Model([left, right], layers.Dense(1)(distance))
"""
NESTED_AND_STATES = """import keras
from keras import layers

tokens = keras.Input((5, 3))
block = keras.Sequential([layers.Dense(6), layers.ReLU()])
h = layers.Dense(7)(layers.Flatten()(tokens))
c = layers.Dense(7)(layers.Flatten()(tokens))
seq = layers.LSTM(7)(block(tokens), initial_state=[h, c])
model = keras.Model(tokens, layers.Dense(2)(seq))
"""
PROGRAMS = {"branches": BRANCHES, "shared": SHARED, "nested_and_states": NESTED_AND_STATES}


def _keras_connections(model) -> list[tuple[str, tuple[str, ...]]]:
    """(layer, what it takes) for each call of each of the model's layers, the layers an
    operation (``a - b``) joins looked through, a layer's second call named ``name[1]``."""
    import keras

    nodes = {id(node) for op in model.operations for node in op._inbound_nodes}

    def takes(tensor, found):
        history = tensor._keras_history
        op, index = history.operation, history.node_index
        if isinstance(op, keras.layers.Layer):
            found.append(op.name if index == 0 else f"{op.name}[{index}]")
        else:  # an operation: the layers it joins
            for parent in op._inbound_nodes[index].input_tensors:
                takes(parent, found)
        return found

    calls = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        for node in layer._inbound_nodes:
            if id(node) in nodes:
                found = [name for t in node.input_tensors for name in takes(t, [])]
                calls.append((layer.name, tuple(dict.fromkeys(found))))
    return calls


@pytest.mark.parametrize("name", PROGRAMS)
def test_connections_are_the_graph_keras_builds(name):
    source = PROGRAMS[name]
    (model,) = [m for m in check_source(source, "m.py").models if m.kind == "functional"]
    ours = [(layer.name, layer.connected_to) for layer in model.layers]
    keras = pytest.importorskip("keras")  # installed with the test extra (TensorFlow)
    keras.backend.clear_session()  # (layer names count from 0 again)
    namespace: dict = {}
    exec(compile(source, "m.py", "exec"), namespace)  # noqa: S102 (the test's own program)
    theirs = _keras_connections(namespace["model"])
    # Keras lists a layer once with all its calls; shapecheck lists the calls in order.
    assert sorted(ours) == sorted(theirs)
    assert all(taken for _, taken in ours)


def test_the_summary_shows_connections_only_for_a_graph_that_branches(tmp_path):
    chain = tmp_path / "chain.py"
    chain.write_text("import keras\nfrom keras import layers\n"
                     "m = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.Dense(2)])\n")
    branches = tmp_path / "branches.py"
    branches.write_text(BRANCHES)
    result = CliRunner().invoke(main, ["summary", str(chain), str(branches)])
    chain_table, branch_table = result.stdout.split('Model "Functional"')
    assert "Connected to" not in chain_table and "Total params: 23 (92.00 B)" in chain_table
    assert "| Connected to " in branch_table.splitlines()[1]
    assert "| conv2d, conv2d_1 " in branch_table and "| batch_normalization, conv2d_2 " in branch_table


def test_mermaid_draws_every_connection():
    report = check_source(BRANCHES, "m.py")
    (model,) = [m for m in report.models if m.kind == "functional"]
    text = render_mermaid([report])
    assert text.count("```mermaid\nflowchart TD") == len(report.models)
    edges = sum(len(layer.connected_to) for layer in model.layers)
    chart = text.split("```mermaid")[-1]
    assert chart.count(" --> ") == edges == 9
    assert '["conv2d: Conv2D<br/>(None, 16, 16, 4) · 16 params"]' in chart


def test_the_seed_lenet_as_svg():
    report = check_source((SEED / "11_lenet_hybrid.py").read_text(encoding="utf-8"), "lenet.py")
    svg = render_svg([report])
    root = ET.fromstring(svg)  # well-formed XML
    namespace = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{namespace}text")]
    assert 'Model "LeNet" (subclass) at lenet.py:27' in texts
    assert "dense1: Dense" in texts and "(32, 84) · 24,780 params" in texts
    # the input and the five layers of the model, each one a row below the one before it
    rects = list(root.iter(f"{namespace}rect"))
    assert len(rects) == 1 + len(report.models[0].layers)
    rows = [float(r.get("y")) for r in rects]
    assert rows == sorted(rows) and len(set(rows)) == len(rows)
    assert len(list(root.iter(f"{namespace}path"))) - 1 == len(report.models[0].layers)  # (+ the arrowhead)


def test_pictures_of_files_without_models():
    report = check_source("x = 1\n", "plain.py")
    assert render_mermaid([report]) == "plain.py: no models found"
    assert "plain.py: no models found" in render_svg([report])


def test_the_readme_shows_the_pictures_the_tool_draws(monkeypatch):
    root = SEED.parents[1]
    monkeypatch.chdir(root)
    lenet = "fixtures/seed/12_lenet_mnist_fixed.py"
    mermaid = CliRunner().invoke(main, ["summary", "--format", "mermaid", lenet]).stdout
    chart = mermaid[mermaid.index("```mermaid"):].rstrip()
    assert chart in (root / "README.md").read_text(encoding="utf-8")
    svg = CliRunner().invoke(main, ["summary", "--format", "svg", lenet]).stdout
    assert (root / "docs" / "pictures" / "lenet.svg").read_text(encoding="utf-8") == svg
