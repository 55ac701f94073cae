"""Write ``shapecheck/library/keras_api.json.gz``: the public names of each module of the
installed Keras, as ``keras.*`` and as ``tensorflow.keras.*`` (TensorFlow's Keras 3 keeps
some Keras 2 names), so that the static path knows which ``from keras.x import y`` raise
ImportError under Keras 3 without importing Keras.

Run by hand after an upgrade: ``python tools/keras_api_table.py``.
"""

from __future__ import annotations

import gzip
import json
import pkgutil
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "shapecheck" / "library" / "keras_api.json.gz"


def modules(module: types.ModuleType, name: str, found: dict) -> dict:
    """``found`` with ``name`` -> the public names of ``module`` and of its public modules."""
    if name in found:
        return found
    names = {n for n in dir(module) if not n.startswith("_")}
    names |= {m.name for m in pkgutil.iter_modules(getattr(module, "__path__", []))
              if not m.name.startswith("_")}
    found[name] = sorted(names - {"src"})
    for attribute in found[name]:
        value = getattr(module, attribute, None)
        if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] == "keras" \
                and ".src." not in value.__name__ + ".":
            modules(value, f"{name}.{attribute}", found)
    return found


def table() -> dict:
    import importlib

    import keras

    # tf.keras is this module; read it directly (TensorFlow's lazy loader may stand for it).
    tf_keras = importlib.import_module("keras._tf_keras.keras")
    return {**modules(keras, "keras", {}), **modules(tf_keras, "tensorflow.keras", {})}


def main() -> int:
    import keras

    doc = {"keras": keras.__version__, "modules": table()}
    TABLE.write_bytes(gzip.compress(json.dumps(doc, sort_keys=True).encode(), mtime=0))
    print(f"{TABLE.relative_to(ROOT)}: {len(doc['modules'])} modules", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
