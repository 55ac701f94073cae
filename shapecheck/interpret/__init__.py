"""The abstract interpreter for model code.

It runs a module top to bottom on abstract values (``shapecheck.values``,
``shapecheck.objects``): constants fold, ``for`` loops over known lists unroll,
the file's own functions and classes are called with their arguments bound, and
every layer application is recorded as a ``LayerCall`` with the shapes the layer
rules (``shapecheck.layers``) compute. Library calls go to the handlers of
``shapecheck.library``. What it cannot know becomes ``UNKNOWN``. Findings are
collected as ``Fact`` records that the rules turn into diagnostics.

One concern per module: ``statements``, ``expressions``, ``calls`` (of functions and
classes), ``layer_calls`` (applying layers and models), ``uncalled`` (models never
given an input), joined in ``evaluator``.
"""

from shapecheck.interpret.evaluator import Evaluator, Fact

__all__ = ["Evaluator", "Fact"]
