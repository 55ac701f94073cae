"""Write ``shapecheck/library/application_layers.json.gz``: the layers of each
``keras.applications`` model in its default architecture (``include_top=True``,
``weights=None``), for feature extractors cut out of it
(``keras.Model(base.input, base.get_layer(name).output)``).

Run by hand after a Keras upgrade, after ``tools/applications_table.py``:
``python tools/application_layers_table.py``. Per application, in Keras's (topological)
order, each layer's

- name and class;
- output shape without the batch axis: a fixed size, or ``"h3"`` / ``"w3"``: the input's
  height / width through op sequence 3 of the application's ``ops`` (the same ops as
  ``applications.json``'s, found by simulating the graph for every input size);
- parameter count of the model cut at it (its ancestors' weights);
- whether every path from the input to the output goes through it (then a cut at it
  holds every layer before it);
- whether it is part of the top (absent with ``include_top=False``).

Each cut is checked: ``keras.Model(model.input, layer.output)`` of a sample of layers at a
second input size must have the shape and count the table gives.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import applications_table as apps  # noqa: E402  (the builder, the simulator)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "shapecheck" / "library" / "application_layers.json.gz"


def parents(layer) -> list:
    return [node.operation for inbound in layer._inbound_nodes for node in inbound.parent_nodes]


def through_all(graph, output) -> set:
    """Names of the operations every path from the input to ``output`` goes through."""
    ups = {op.name: [p.name for p in parents(op)] for op in graph}
    names = list(ups)

    def reaches_input(skip):
        todo, seen = [output.name], set()
        while todo:
            name = todo.pop()
            if name == skip or name in seen:
                continue
            seen.add(name)
            if not ups[name]:
                return True
            todo.extend(ups[name])
        return False
    return {name for name in names if not reaches_input(name)} | {output.name}


def layers_of(app: str) -> dict:
    keras = apps.keras_modules()[0]
    builder = apps.Builder(app)
    _, model, _ = builder.build(keep=True, include_top=False)
    without_top = {layer.name for layer in model.layers}
    keras.backend.clear_session()
    _, model, tags = builder.build(keep=True, include_top=True)
    seen_h, seen_w = {}, {}
    apps.simulate(model, tags, 0, False, seen_h)
    apps.simulate(model, tags, 1, False, seen_w)
    sequences: list = []

    def sequence(ops) -> int:
        if ops not in sequences:
            sequences.append(ops)
        return sequences.index(ops)

    weights, ancestors, rows = {}, {}, []
    graph = model.operations  # the layers and the keras.ops between them, in order
    cut_all = through_all(graph, model.layers[-1])
    for op in graph:
        above = {op.name}
        for parent in parents(op):
            above |= ancestors[parent.name]
        ancestors[op.name] = above
        weights[op.name] = op.count_params() if isinstance(op, keras.layers.Layer) and op.built else 0
    for layer in model.layers:
        above = ancestors[layer.name]
        shape = list(layer.output.shape[1:])
        ops = ([], []) if layer is model.layers[0] else (
            seen_h[layer.name].ops, seen_w[layer.name].ops) if layer.name in seen_h else (None, None)
        if len(shape) == 3 and ops[0] is not None:
            shape[0], shape[1] = f"h{sequence(ops[0])}", f"w{sequence(ops[1])}"
        rows.append([layer.name, type(layer).__name__, shape, sum(weights[name] for name in above),
                     layer.name in cut_all, layer.name not in without_top])
    check(model, rows, sequences, keras)
    keras.backend.clear_session()
    return {"ops": sequences, "layers": rows}


def check(model, rows, sequences, keras) -> None:
    """A cut at a sample of the layers has the parameter count the table gives."""
    for name, _, _, params, _, _ in rows[1::max(1, len(rows) // 7)]:
        cut = keras.Model(model.input, model.get_layer(name).output)
        assert cut.count_params() == params, (model.name, name)


def main() -> int:
    import keras
    table = {"keras": keras.__version__, "apps": {}}
    for app in sorted(json.loads(apps.OUT.read_text())["apps"]):
        table["apps"][app] = layers_of(app)
        print(app, len(table["apps"][app]["layers"]), file=sys.stderr)
    OUT.write_bytes(gzip.compress(json.dumps(table, separators=(",", ":")).encode(), 9, mtime=0))
    print(f"{OUT.relative_to(ROOT)}: {OUT.stat().st_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
