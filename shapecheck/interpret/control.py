"""The evaluator's budgets and the exceptions that carry Python's control flow."""

from __future__ import annotations

import os

MAX_UNROLL = 1000
MAX_ROWS = 64  # rows of a tensor a loop is unrolled over; more are summarised by the first
MAX_DEPTH = 40
# Statements one file may execute; past it loops stop unrolling and calls of
# the file's functions give UNKNOWN, so any program is analysed in bounded time.
MAX_STEPS = 50_000
# Statements one loop may execute before its other passes run as one standing for any
# number of them: a loop that fills an array element by element leaves budget for the
# model code after it.
LOOP_STEPS = MAX_STEPS // 4
DEBUG = bool(os.environ.get("SHAPECHECK_DEBUG"))


class Return(Exception):
    def __init__(self, value):
        self.value = value


class Yielded(Exception):
    """A generator's body reached its first ``yield``: ``value`` is the first item."""

    def __init__(self, value):
        self.value = value


class Break(Exception):
    pass


class Continue(Exception):
    pass


class MaybeJumped(Exception):
    """An ``if`` of unknown test left the loop's pass (``continue``, ``break``) on one side
    only: the rest of the pass may not run. ``broke``: the loop itself may have ended."""

    def __init__(self, broke: bool):
        self.broke = broke


class Raised(Exception):
    """Python raises ``kind`` (an ``AttributeError`` on a plain value) inside a ``try`` whose
    handler catches it: the handler runs."""

    def __init__(self, kind: str):
        self.kind = kind
