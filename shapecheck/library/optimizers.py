"""Keras optimizers: what they are given. An optimizer's value plays no part in shapes (it
stays unknown); Keras 3 raises on keywords it does not take, as Keras 2's ``lr=``, and has
no ``keras.optimizers.legacy``."""

from __future__ import annotations

from shapecheck.library import signatures
from shapecheck.library.layers import argument_fix
from shapecheck.library.public_api import LEGACY_OPTIMIZERS
from shapecheck.library.registry import family
from shapecheck.values import UNKNOWN


@family("keras.optimizers.")
def _optimizer(site):
    """``Adam(lr=1e-3)``: Keras 3 raises ValueError "Argument(s) not recognized"."""
    if site.name.startswith("keras.optimizers.legacy."):
        site.ev.fact("unknown-argument", site.node, LEGACY_OPTIMIZERS)
        return UNKNOWN
    wrong = signatures.unrecognized_optimizer_argument(site.name, site.kwargs)
    if wrong is not None:
        keyword, message, instead = wrong
        where = site.argument_node(None, keyword)
        site.ev.fact("unknown-argument", where, message,
                     argument_fix(where, ("keyword", instead) if instead else None))
        return UNKNOWN
    return site.ev.unmodelled(site.name, site.args, site.kwargs, site.node)
