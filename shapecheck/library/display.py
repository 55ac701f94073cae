"""What programs call to show their progress and results: a ``tqdm`` progress bar is the
iterable it wraps, ``matplotlib.pyplot.subplots`` gives an array of axes; so a loop over
either (``for model in tqdm(models)``, ``for ax, image in zip(axes, images)``) runs the
model code inside it."""

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


@function("tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "tqdm.std.tqdm", "tqdm.autonotebook.tqdm",
          "tqdm.rich.tqdm")
def _tqdm(site):
    """``tqdm(iterable)`` iterates over the iterable's items."""
    return site.arg(0, "iterable", UNKNOWN)


@function("tqdm.trange", "tqdm.auto.trange", "tqdm.notebook.trange", "tqdm.autonotebook.trange",
          "tqdm.rich.trange")
def _trange(site):
    """``trange(*args)``: ``tqdm(range(*args))``."""
    if site.kwargs or not site.args or not all(isinstance(a, int) and not isinstance(a, bool)
                                               for a in site.args):
        return UNKNOWN
    return range(*site.args)
