"""Which keywords the modelled library functions and Keras's optimizers take:
``signatures.json``, written from the installed libraries by ``tools/signatures_table.py``
and read on first use. A call with a keyword its function does not take raises TypeError
(an old spelling, as ``keras.ops.image.extract_patches(image=...)`` of an earlier Keras);
an optimizer raises ValueError (Keras 2's ``Adam(lr=...)``)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

_PATH = Path(__file__).with_name("signatures.json")
_TABLE: dict | None = None
# Keras 2's optimizer keywords that Keras 3 spells otherwise.
_OPTIMIZER_RENAMES = {"lr": "learning_rate"}


def _table() -> dict:
    global _TABLE
    if _TABLE is None:
        _TABLE = json.loads(_PATH.read_text(encoding="utf-8"))
    return _TABLE


def _functions() -> dict:
    return _table()["functions"]


def optimizers() -> dict:
    """``keras.optimizers.<Class>`` -> the keywords it takes."""
    return _table()["optimizers"]


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


def unrecognized_optimizer_argument(name: str, kwargs) -> tuple[str, str, str | None] | None:
    """(first keyword, message, the keyword to write instead or None) when the optimizer
    ``name`` is given keywords it does not take (Keras raises ValueError "Argument(s) not
    recognized"), else None."""
    names = optimizers().get(name)
    wrong = [keyword for keyword in kwargs if keyword not in names] if names is not None else []
    if not wrong:
        return None
    advice, renames = [], []
    for keyword in wrong:
        instead = _OPTIMIZER_RENAMES.get(keyword) or next(
            iter(difflib.get_close_matches(keyword, names, n=1)), None)
        renames.append(instead if instead not in kwargs else None)
        old = " (Keras 2's name)" if keyword in _OPTIMIZER_RENAMES else ""
        advice.append(f"write {instead}= for {keyword}={old}" if instead else f"drop {keyword}=")
    shown = ", ".join(f"{keyword!r}: ..." for keyword in wrong)
    return wrong[0], (f"Keras 3's {name.rsplit('.', 1)[-1]} raises ValueError \"Argument(s) not "
                      f"recognized: {{{shown}}}\": {'; '.join(advice)}"), renames[0]
