"""Which keywords the modelled library functions take: ``signatures.json``, written from the
installed libraries by ``tools/signatures_table.py`` and read on first use. A call with a
keyword its function does not take raises TypeError (an old spelling, as
``keras.ops.image.extract_patches(image=...)`` of an earlier Keras)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

_PATH = Path(__file__).with_name("signatures.json")
_TABLE: dict | None = None


def _functions() -> dict:
    global _TABLE
    if _TABLE is None:
        _TABLE = json.loads(_PATH.read_text(encoding="utf-8"))["functions"]
    return _TABLE


def unexpected_keyword(name: str, kwargs) -> tuple[str, str] | None:
    """(keyword, message) for the first keyword of ``kwargs`` that the function ``name``
    does not take, else None (also for a function not in the table)."""
    if not kwargs:
        return None
    names = _functions().get(name)
    if names is None:
        return None
    for keyword in kwargs:
        if keyword not in names:
            close = difflib.get_close_matches(keyword, names, n=1)
            hint = f"; write {close[0]}=" if close else ""
            return keyword, (f"{name.replace('tensorflow.', 'tf.').replace('numpy.', 'np.')}() "
                             f"takes no argument {keyword!r} (it takes {', '.join(names)}): "
                             f"Python raises TypeError{hint}")
    return None
