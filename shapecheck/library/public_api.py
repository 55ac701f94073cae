"""The public names of Keras 3's modules (``keras.*`` and TensorFlow's ``tensorflow.keras.*``),
from ``keras_api.json.gz`` (written from the installed Keras by
``tools/keras_api_table.py``): what ``from keras.x import y`` finds, and why it raises
ImportError when it finds nothing (a Keras 2 name or module that Keras 3 dropped)."""

from __future__ import annotations

import difflib
import gzip
import json
from pathlib import Path

_PATH = Path(__file__).with_name("keras_api.json.gz")
_MODULES: dict[str, frozenset] | None = None
# A module Keras 3 names but that raises ImportError when used.
LEGACY_OPTIMIZERS = (
    "keras.optimizers.legacy is a Keras 2 module that Keras 3 does not have (ImportError): use the "
    "optimizers of keras.optimizers itself, e.g. keras.optimizers.Adam")
# Where to look for a name a module lacks, first to last.
_HOMES = ("keras", "keras.layers", "keras.models", "keras.ops", "keras.utils", "keras.losses",
          "keras.metrics", "keras.callbacks", "keras.optimizers", "keras.saving")


def _modules() -> dict[str, frozenset]:
    global _MODULES
    if _MODULES is None:
        table = json.loads(gzip.decompress(_PATH.read_bytes()))["modules"]
        _MODULES = {module: frozenset(names) for module, names in table.items()}
    return _MODULES


def _judged(module: str) -> bool:
    """Whether ``module`` is one of the public API's (not ``keras.src`` nor another private
    module, not another package)."""
    return ".src." not in f"{module}." and "._" not in module and (
        module in ("keras", "tensorflow.keras") or module.startswith(("keras.", "tensorflow.keras.")))


def missing_module(module: str) -> str | None:
    """Why importing ``module`` raises (Keras 3 has no such module), else None."""
    if module.removeprefix("tensorflow.").split(".")[:3] == ["keras", "optimizers", "legacy"]:
        return LEGACY_OPTIMIZERS
    if not _judged(module) or module in _modules():
        return None
    parent, _, last = module.rpartition(".")
    while parent and parent not in _modules():  # (the first missing part is the one named)
        parent, _, last = parent.rpartition(".")
        module = f"{parent}.{last}" if parent else last
    if not parent or last in _modules()[parent]:
        return None
    return (f"Keras 3 has no module {module} (a Keras 2 module; Python raises "
            f"ModuleNotFoundError): import from the public modules, e.g. keras.layers, keras.models")


def missing_name(module: str, name: str) -> str | None:
    """Why ``from module import name`` raises ImportError under Keras 3, else None."""
    names = _modules().get(module) if _judged(module) else None
    if names is None or name in names or name.startswith("_"):  # (private names: not listed)
        return None
    public = "keras" + module[len("tensorflow.keras"):] if module.startswith("tensorflow.") else module
    homes = [home for home in _HOMES if home != public and name in _modules().get(home, ())]
    close = [n for n in names if n.lower() == name.lower()] or difflib.get_close_matches(name, names, n=1)
    twin = "tensorflow." + module if not module.startswith("tensorflow.") else None
    if homes:
        advice = f"import it from {homes[0]}"
    elif close:
        advice = f"import {close[0]}, its Keras 3 name"
    elif twin and name in _modules().get(twin, ()):
        advice = f"import it from {twin}, which keeps it"
    else:
        advice = "remove the import, or import what replaces it in Keras 3"
    return f"Keras 3's {module} has no {name} (Python raises ImportError): {advice}"


def failing_imports(module):
    """The imports of a module's own statements (``module``: a libcst Module) that raise under
    Keras 3, a Keras 2 module or name it dropped: (its SimpleStatementLine, the import, the
    alias or None, the message) each. One inside a function runs when called, one in a ``try`` may be caught:
    neither is listed."""
    import libcst as cst

    from shapecheck.layers import legacy

    def code(node):
        return cst.Module(body=[]).code_for_node(node)

    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    dotted = code(alias.name)
                    message = legacy.removed_module(dotted) or missing_module(dotted)
                    if message is not None:
                        yield statement, small, None, message
            if not isinstance(small, cst.ImportFrom) or small.module is None or small.relative:
                continue
            dotted = code(small.module)
            message = legacy.removed_module(dotted) or missing_module(dotted)
            if message is not None:
                yield statement, small, None, message
                continue
            for alias in [] if isinstance(small.names, cst.ImportStar) else small.names:
                name = code(alias.name)
                if dotted in legacy.PREPROCESSING_NAMES:
                    message = legacy.removed_preprocessing_name(name, dotted)
                elif dotted in legacy.LAYER_MODULES:
                    message = legacy.removed_layer_message(name, dotted, plain_keras=dotted == "keras.layers")
                else:
                    message = None
                message = message or missing_name(dotted, name)
                if message is not None:
                    yield statement, small, alias, message
