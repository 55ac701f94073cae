"""``tf.distribute``: a model made in a strategy's scope (``with strategy.scope():``) is
trained and run by that strategy, which gives it each batch of a data set as it comes:
``fit``, ``evaluate`` and ``predict`` trace it first on the first batch, of its own size
(``shapecheck.library.training``). How many replicas a strategy has depends on the
machine's devices: unknown, but one for ``OneDeviceStrategy``."""

from __future__ import annotations

from dataclasses import dataclass

from shapecheck.library.registry import attribute, function, method
from shapecheck.values import UNKNOWN


@dataclass(eq=False)
class Strategy:
    """A ``tf.distribute`` strategy; ``replicas``: its ``num_replicas_in_sync``."""

    replicas: object = UNKNOWN


@dataclass(eq=False)
class StrategyScope:
    """What ``strategy.scope()`` gives: entered by a ``with``, the models made in it are
    the strategy's."""


function("tensorflow.distribute.MirroredStrategy", "tensorflow.distribute.MultiWorkerMirroredStrategy",
         "tensorflow.distribute.TPUStrategy", "tensorflow.distribute.experimental.CentralStorageStrategy",
         "tensorflow.distribute.experimental.MultiWorkerMirroredStrategy",
         "tensorflow.distribute.experimental.TPUStrategy")(lambda site: Strategy())
function("tensorflow.distribute.OneDeviceStrategy")(lambda site: Strategy(1))
method("strategy", "scope")(lambda site: StrategyScope())
attribute("strategy", "num_replicas_in_sync")(lambda site: site.obj.replicas)
