"""The layers inside ``keras.applications`` models, for feature extractors cut out of them
(``keras.Model(base.input, base.get_layer("conv4_block6_out").output)``): each layer's
output shape as a function of the input's height and width, and the parameters of the
model cut there. From ``application_layers.json.gz`` (made from the installed Keras by
``tools/application_layers_table.py``), read on first use; it describes each application
in its default architecture, with ImageNet's 1000 classes in the top."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from shapecheck.values import UNKNOWN

_PATH = Path(__file__).with_name("application_layers.json.gz")
_TABLE: dict | None = None


@dataclass(frozen=True)
class Cut:
    """One layer of an application: where it stands (``index``, in Keras's order), its
    output without the batch axis, the parameters of the model cut there, whether every
    path from the input to the output goes through it, and whether it is part of the top."""

    app: str
    index: int
    name: str
    cls: str
    shape: tuple
    params: int
    through_all: bool
    top: bool

    def output_shape(self, h, w, hnone: bool) -> tuple:
        """Its output without the batch axis for an input of height ``h`` and width ``w``
        (``hnone``: the height is None, as Keras pads under it)."""
        ops = _apps()[self.app]["ops"]
        return tuple(_run(ops[int(d[1:])], h if d[0] == "h" else w, hnone) if isinstance(d, str) else d
                     for d in self.shape)


def _apps() -> dict:
    global _TABLE
    if _TABLE is None:
        _TABLE = json.loads(gzip.decompress(_PATH.read_bytes()))["apps"]
    return _TABLE


def layer(app: str, name=None, index=None) -> Cut | None:
    """The layer of ``app`` named ``name`` (or at ``index``), else None."""
    rows = _apps().get(app, {}).get("layers", [])
    if name is not None:
        found = [i for i, row in enumerate(rows) if row[0] == name]
        index = found[0] if found else None
    if not isinstance(index, int) or not -len(rows) <= index < len(rows):
        return None
    index %= len(rows)
    return Cut(app, index, *rows[index][:2], tuple(rows[index][2]), *rows[index][3:])


def count(app: str, top: bool = True) -> int:
    """How many layers ``app.layers`` lists (its InputLayer first), with its top or not."""
    return sum(1 for row in _apps().get(app, {}).get("layers", []) if top or not row[-1])


def last(app: str) -> Cut | None:
    return layer(app, index=-1)


def _run(ops, n, hnone):
    """Keras's size after ``ops`` for an input size ``n`` (None stays None, unknown unknown)."""
    from shapecheck.library.applications import run_ops

    if n is None or not isinstance(n, int) or isinstance(n, bool):
        return n if n is None else UNKNOWN
    return run_ops(ops, n, hnone)
