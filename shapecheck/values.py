"""The abstract values the evaluator computes with.

Known Python constants are plain Python values (``int``, ``str``, ``list``,
``tuple``, ...).  Everything else is one of the small classes below; what the
evaluator cannot know is ``UNKNOWN``, and ``UNKNOWN`` never yields a finding.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any


class Unknown:
    """A value the evaluator cannot know."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()


@dataclass(eq=False)
class Tensor:
    """A tensor or array; ``shape`` is a tuple of dims (``shapecheck.dims``) or None when
    even its rank is unknown."""

    shape: tuple | None
    dtype: str | None = None
    # The layer call that produced it (for functional models).
    source: LayerCall | None = None
    # A Keras symbolic tensor (``keras.Input`` and what layers make of it), whose shapes
    # go through Keras's shape inference, rather than a concrete (eager) one.
    symbolic: bool = False
    # A NumPy array rather than a TensorFlow tensor.
    numpy: bool = False
    # The values of a small integer tensor made of sizes (``tf.shape(x)``, ``tf.shape(x)[0]``)
    # or of a few integers (``np.array([5, 800])``), one dim per element (a scalar's in a
    # 1-tuple); None when they are not known.
    contents: tuple | None = None
    # Integer class labels in which every value 0 .. classes - 1 occurs (a data set's y, and
    # what keeps its values: reshaping, astype), so that np.unique(y) and y.max() are known.
    classes: int | None = None
    # Integer labels whose largest value, ``top - 1``, occurs (np.random.randint(1, 4, n)
    # draws 1, 2 and 3): what to_categorical counts its columns from.
    top: int | None = None
    # A Python number of unknown value, standing as a 0-d array (np.random.randint(a, b)
    # gives an int): computed with as one, but not a tensor to report.
    python: bool = False
    # (node, words): where the program sets this shape (an ``Input(shape=...)``, a first
    # layer's ``input_shape=``, the assignment of a data array), the second place a
    # finding about the tensor names.
    origin: tuple | None = None
    # The strings of a small array of literal texts (``tf.constant(["a b", "c"])``), row by
    # row, so that a text layer adapted on it knows its vocabulary.
    texts: tuple | None = None

    def forget_values(self) -> None:
        """What a write into the array in place (``y[i] = v``, ``y.fill(0)``, ``out=y``)
        leaves of what was known of its values: nothing."""
        self.contents = self.classes = self.top = self.texts = None


@dataclass(frozen=True)
class ApiRef:
    """A name from an imported library, e.g. ``keras.layers.Conv2D``."""

    name: str


_ids = itertools.count()


@dataclass(eq=False)
class LayerCall:
    """One application of a layer or model to its input, as it ran."""

    layer: Any  # BuiltinLayer | Sequential | FunctionalModel | Instance
    node: Any  # the libcst Call node
    input_shape: Any
    output_shape: Any
    inputs: list = field(default_factory=list)  # input Tensors
    # Tensors given by keyword (``initial_state=``, ``mask=``): a functional graph reaches
    # the layers that made them too.
    given: list = field(default_factory=list)
    # The call's arguments that shape a layer's output (``return_attention_scores=True``).
    options: dict = field(default_factory=dict)
    output: Any = None  # the value the call returned
    children: list = field(default_factory=list)  # LayerCalls made inside
    order: int = field(default_factory=lambda: next(_ids))
    raised: bool = False  # a finding was made during it: Keras raised, the call gave nothing


def plain(value, depth: int = 0) -> bool:
    """A plain Python value, all the way down: what is safe to format, sum or sort
    (``"%r" % (layer,)`` would format an evaluator object, ``sum([UNKNOWN])`` is unknown);
    not one nested past 32 levels (a list that holds itself)."""
    if depth > 32:
        return False
    if isinstance(value, (list, tuple, set, frozenset)):
        return all(plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(plain(k, depth + 1) and plain(v, depth + 1) for k, v in value.items())
    return isinstance(value, (int, float, str, bool, type(None), range))


def truth(value):
    """Python's truth of a value: known for constants and objects, UNKNOWN for an unknown
    value or a tensor."""
    if value is UNKNOWN or isinstance(value, (Tensor, Items)):  # (a list that may be empty)
        return UNKNOWN
    if isinstance(value, (int, float, str, bool, type(None), tuple, list, dict, set, frozenset, range)):
        return bool(value)
    return True


def tensor_leaves(*values) -> list:
    """The tensors in ``values``, also inside lists, tuples and dicts, in order. A container
    met again is not gone through again (``x = [x, x]`` twenty times is one walk, not 2**20),
    and a list that holds itself holds no more tensors than it has."""
    known: dict[int, list] = {}

    def walk(items) -> list:
        found = []
        for value in items:
            if isinstance(value, Tensor):
                found.append(value)
            elif isinstance(value, (list, tuple, dict)):
                if id(value) not in known:
                    known[id(value)] = []  # while it is walked: a cycle back to it adds nothing
                    known[id(value)] = walk(value.values() if isinstance(value, dict) else value)
                found.extend(known[id(value)])
        return found
    return walk(values)


def origins(*values) -> tuple:
    """The ``origin`` of each tensor in ``values`` that has one, once each."""
    found = []
    for tensor in tensor_leaves(*values):
        if tensor.origin is not None and tensor.origin not in found:
            found.append(tensor.origin)
    return tuple(found)


def substitute(value, mapping: dict):
    """``value`` with each tensor ``t`` in it replaced by ``mapping.get(id(t), t)``."""
    if isinstance(value, Tensor):
        return mapping.get(id(value), value)
    if isinstance(value, (list, tuple)):
        return type(value)(substitute(item, mapping) for item in value)
    if isinstance(value, dict):
        return {key: substitute(item, mapping) for key, item in value.items()}
    return value


def shape_of(value):
    """The shape of a tensor value, a list of shapes for a list of tensors, else None."""
    if isinstance(value, Tensor):
        return value.shape
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Tensor) for v in value):
        return [v.shape for v in value]
    return None


def output_shape_of(value):
    """The shape a call's output is reported with: ``shape_of``, but a dict or a list among
    a tuple of outputs (attention scores by name, a layer's outputs) stands there as None,
    as Keras records it."""
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value) and all(
            isinstance(v, (Tensor, dict, list, tuple)) for v in value):
        return [v.shape if isinstance(v, Tensor) else None for v in value]
    return shape_of(value)


@dataclass(eq=False)
class Items:
    """A list of unknown length (maybe empty) whose items are all alike ``item``: what a
    loop of unknown count appends (``images.append(img)`` for each file), or a
    comprehension over such a list. ``np.array`` of it has unknown rows."""

    item: object


# Past this many items a repetition (``[0] * n``) or a range is not computed: it could be huge.
MAX_ITEMS = 10 ** 6


def range_length(numbers: range) -> int:
    """``len(numbers)``, also past what ``len`` takes (``range(10**30)``)."""
    start, stop, step = numbers.start, numbers.stop, numbers.step
    if step < 0:
        start, stop, step = -start, -stop, -step
    return max(0, (stop - start + step - 1) // step)
