"""Write ``shapecheck/library/signatures.json``: the parameter names of the library
functions shapecheck models (``keras.ops``, ``keras.backend``, ``keras.utils``, TensorFlow,
NumPy) and of Keras's optimizers, read with ``inspect.signature`` from the installed
libraries, so that the static path knows which keywords each takes without importing them.

Run by hand after an upgrade: ``python tools/signatures_table.py``. A name whose object
has no signature Python can read (NumPy's ufuncs and C functions) is left out, and so
is one that takes ``**kwargs`` (any keyword goes).
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "shapecheck" / "library" / "signatures.json"
PREFIXES = ("keras.ops.", "keras.backend.", "keras.utils.", "keras.preprocessing.",
            "tensorflow.", "numpy.")


def resolve(name: str):
    """The library object a canonical name stands for, else None."""
    import keras
    import numpy as np
    import tensorflow as tf

    parts = name.split(".")
    if name.startswith("keras.backend."):  # the legacy functions live in tf.keras.backend
        obj, parts = tf.keras.backend, parts[2:]
    else:
        obj, parts = {"tensorflow": tf, "numpy": np, "keras": keras}[parts[0]], parts[1:]
    for part in parts:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def parameters(obj):
    """The keyword names ``obj`` takes, or None (no readable signature, or ``**kwargs``)."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    kinds = {p.kind for p in signature.parameters.values()}
    if inspect.Parameter.VAR_KEYWORD in kinds:
        return None
    return [p.name for p in signature.parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def table() -> dict:
    from shapecheck.library.registry import FUNCTIONS

    found = {}
    for name in sorted(FUNCTIONS):
        if not name.startswith(PREFIXES):
            continue
        obj = resolve(name)
        if obj is None or inspect.isclass(obj) or not callable(obj):
            continue
        names = parameters(obj)
        if names is not None:
            found[name] = names
    return found


def optimizers() -> dict:
    """``keras.optimizers.<Class>`` -> the keywords it takes, for each optimizer that raises
    ValueError on any other (its ``**kwargs`` go to the base class, which drops ``decay``
    with a warning and rejects the rest)."""
    import keras

    found = {}
    for name in sorted(dir(keras.optimizers)):
        cls = getattr(keras.optimizers, name)
        if not inspect.isclass(cls) or not issubclass(cls, keras.optimizers.Optimizer):
            continue
        signature = inspect.signature(cls)
        if any(p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
               for p in signature.parameters.values()):
            continue  # (takes another optimizer first: not tried here)
        try:
            cls(shapecheck_probe=1)
        except (TypeError, ValueError) as error:
            if "not recognized" not in str(error):
                continue
        else:
            continue
        names = [p.name for p in signature.parameters.values()
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        found[f"keras.optimizers.{name}"] = sorted({*names, "decay"})
    return found


def main() -> int:
    import keras
    import tensorflow as tf

    doc = {"tensorflow": tf.__version__, "keras": keras.__version__, "functions": table(),
           "optimizers": optimizers()}
    TABLE.write_text(json.dumps(doc, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{TABLE.relative_to(ROOT)}: {len(doc['functions'])} functions, "
          f"{len(doc['optimizers'])} optimizers", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
