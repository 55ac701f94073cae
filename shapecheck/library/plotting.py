"""Plotting: what ``matplotlib.pyplot.subplots`` gives, so that a notebook's loop over its
axes (``for ax, image in zip(axes, images)``) runs the model code inside it."""

from __future__ import annotations

from shapecheck.library.registry import function
from shapecheck.values import UNKNOWN, Tensor


@function("matplotlib.pyplot.subplots")
def _subplots(site):
    """``(figure, axes)``: an array of Axes objects, (nrows, ncols) with the axes of size 1
    squeezed out (one Axes object itself when both are 1)."""
    rows, columns = site.arg(0, "nrows", 1), site.arg(1, "ncols", 1)
    squeeze = site.kwargs.get("squeeze", True)
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in (rows, columns)) \
            or squeeze not in (True, False):
        return UNKNOWN
    shape = tuple(n for n in (rows, columns) if n != 1) if squeeze else (rows, columns)
    return UNKNOWN, Tensor(shape, "object", numpy=True) if shape else UNKNOWN
