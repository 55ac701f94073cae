"""The evaluator: one module's state, and the run from top to bottom."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import libcst as cst

from shapecheck import dims
from shapecheck.interpret.assignments import Assignments
from shapecheck.interpret.calls import Calls
from shapecheck.interpret.comprehensions import Comprehensions
from shapecheck.interpret.control import MAX_ROWS, MAX_UNROLL
from shapecheck.interpret.expressions import Expressions
from shapecheck.interpret.journal import Regions
from shapecheck.interpret.layer_calls import LayerCalls
from shapecheck.interpret.statements import Statements
from shapecheck.interpret.uncalled import UncalledModels
from shapecheck.library import public_api
from shapecheck.library.python import Iterated, any_item
from shapecheck.objects import Dataset, Generator, UserClass
from shapecheck.values import UNKNOWN, Items, LayerCall, Tensor, range_length, tensor_leaves

# The findings of code TensorFlow runs (a final softmax trained as logits): the program goes on.
_RUNS = frozenset({"activation-loss-mismatch"})


@dataclass(frozen=True)
class Fact:
    """Something the evaluator saw that a rule may report."""

    kind: str  # "incompatible-input" | "non-positive-dimension" | "call-without-input"
    node: Any
    message: str
    via: Any = None  # the call of this file that reached ``node``, code of another file
    fix: Any = None  # (title, ((first node, last node, new text), ...)): what --fix writes
    related: tuple = ()  # ((node, words), ...): other places that make the problem


class Evaluator(Statements, Assignments, Expressions, Comprehensions, Calls, LayerCalls, UncalledModels,
                Regions):
    """Runs one module; the results are in ``calls``, ``facts``, ``tensors``, ``objects``."""

    def __init__(self, module: cst.Module, names, project=None, path: str = "<string>",
                 module_name: str = "__main__"):
        self.module = module
        self.project, self.path, self.module_name = project, path, module_name
        if project is not None:  # one table for all the project's files
            project.add(names, path)
        self.imported = project.imported if project is not None else names.imported
        self.plain_backend = project.plain_backend if project is not None else names.plain_backend
        self.positions = names.positions
        self.star_imports = names.star_imports
        self.globals: dict[str, Any] = {}
        self.calls: list[LayerCall] = []  # top-level layer and model applications
        self.stack: list[LayerCall] = []
        self.facts: list[Fact] = []
        self.tensors: list[tuple] = []  # (name node, shape)
        self.objects: list[Any] = []  # layers and models, in creation order
        self.classes: list[UserClass] = []
        self.applied: set[int] = set()  # ids of layer objects applied at least once
        self.build_calls: set[int] = set()  # ids of LayerCalls made by model.build(...)
        self.stepped: set[int] = set()  # ids of calls of models made in another model's train_step
        self._names = Counter()
        self._depth = 0
        self.yielding = 0  # > 0 while a generator's body runs to its first yield
        self.generator_functions: dict = {}  # a def node -> whether it is a generator function
        self._steps = 0
        self.frames: list = []  # the scopes of the functions running, outermost first
        self._assigned: dict[int, list] = {}  # statement id -> names it may bind (cache)
        self._tested: dict[int, set] = {}  # loop id -> names its tests read that it binds
        self._fillings: dict[int, Any] = {}  # while loop id -> the lists it fills (filled_lists)
        self._widening = 0  # > 0 while a loop's later pass runs
        self._raised = 0  # findings so far (a call that raised leaves its layer unbuilt)
        self._stopped = False  # a finding stopped the current top-level run
        self._quiet = 0  # > 0 while running a branch that may not be taken
        self.catching = 0  # > 0 inside a try whose handler catches an AttributeError
        self.traced = 0  # > 0 while running a function TensorFlow traces (Dataset.map)
        self.building = 0  # > 0 while a layer's build() runs: nothing in it is recorded
        # > 0 while shapes go through Keras's symbolic inference or a traced graph
        # (a Sequential's build, predict()), which rejects what eager kernels accept.
        self.graph_mode = 0
        self.training = None  # the training flag Keras passes down the running layer call
        self.cause: str | None = None  # why the data being run is likely wrong (said in findings)
        self.saved: dict[str, Any] = {}  # file path -> the model save() (or a description) wrote there
        self.compiled: dict[int, Any] = {}  # model id -> compile()'s Loss (a tuple: one per output)
        self.run_eagerly: dict[int, Any] = {}  # model id -> the run_eagerly given to compile()
        # id of an ``x.shape`` tuple of a data array, or of an Input made of one -> (it, x)
        self.shape_sources: dict[int, tuple] = {}
        self.declared_from: dict[int, tuple] = {}  # model id -> (data array, where) it declares
        self.data_format = "channels_last"  # keras.config.image_data_format()
        self.journals: list = []  # the open journals of uncertain regions, innermost last
        self.forgotten: list = []  # the lists uncertain regions left of unknown length
        self.lost: list = []  # containers a call left of unknown contents (forgotten after the statement)
        self.first_calls: dict[int, LayerCall] = {}  # layer id -> its first application
        self.hypothetical: set[int] = set()  # ids of the calls of models the program never ran
        # A finding TensorFlow raises at stops the program at the end of its statement: the
        # ids of the calls made after that (evaluated on, for the findings, but never run).
        self.halting = self.halted = False
        self.after_stop: set[int] = set()
        # id of each of the program's statements whose import raises -> (statement, import,
        # alias or None, message) of each failing import in it (the rule SHP206 reports them)
        self.failing_imports: dict[int, list] = {}
        self.input_layers: dict[int, Any] = {}  # keras.Input tensor id -> its InputLayer
        self.gaps: list[tuple[str, Any]] = []  # (construct, node) that left something unknown
        self.sites: list = []  # the calls of this file being evaluated, innermost last
        self.distributing = 0  # > 0 inside a ``with strategy.scope():`` of tf.distribute
        self.distributed: set[int] = set()  # ids of the models made in one
        self.maybe_made: set[int] = set()  # ids of the layers and models made in an uncertain region

    # ----------------------------------------------------------------- running
    def run(self, entry: bool = True) -> None:
        """Run the module: as the program (``entry``), or as a module another file imports."""
        self.globals["__name__"] = "__main__" if entry else self.module_name
        if entry:
            for failure in public_api.failing_imports(self.module):
                self.failing_imports.setdefault(id(failure[0]), []).append(failure)
        self.exec_block(self.module.body, self.globals)
        if entry:
            self._analyse_uncalled_models()


    def created(self, obj):
        """``obj``, a layer or model just made: in the open uncertain regions, one that
        exists only if they ran (as the run left it), maybe; made in a distribution
        strategy's scope, a model that strategy trains."""
        for journal in self.journals:
            journal.created.add(id(obj))
        if self.journals:
            self.maybe_made.add(id(obj))
        if self.distributing:
            self.distributed.add(id(obj))
        return obj

    @property
    def raised(self) -> int:
        """How many findings this run has made so far (each one a place TensorFlow raises)."""
        return self._raised

    def fact(self, kind: str, node, message: str, fix=None, related=()) -> None:
        if self._quiet:
            return
        via = None
        if node not in self.positions:  # in another file of the project: reached from here
            if self.project is not None and self.project.locate(node) is not None:
                via = self.here(node)
            else:
                node = self.here(node)
        self._raised += 1
        self.halting = self.halting or kind not in _RUNS
        if self.cause:
            message = f"{message} (the likely cause: {self.cause})"
        # TensorFlow would stop here: later layer calls of this run are not recorded.
        self._stopped = bool(self.stack)
        fact = Fact(kind, node, message, via, None if via else fix, tuple(related))
        if fact not in self.facts:
            self.facts.append(fact)

    def eager(self) -> bool:
        """Whether TensorFlow runs what runs now eagerly: not in a traced function (fit,
        predict, Dataset.map) nor inside a layer call Keras traces on symbolic tensors."""
        return not (self.graph_mode or self.traced) and not any(
            t.symbolic for record in self.stack for t in tensor_leaves(record.inputs))

    # ------------------------------------------------------------ iteration
    def iterate(self, value):
        """Every item iterating over ``value`` gives, or None when they are not all known
        (unknown, or more than a loop is unrolled over)."""
        if isinstance(value, range):
            return list(value) if range_length(value) <= MAX_UNROLL else None
        if isinstance(value, (list, tuple, str, dict)):
            return list(value) if len(value) <= MAX_UNROLL else None
        if isinstance(value, Iterated):
            return value.items
        if isinstance(value, Tensor) and value.shape:
            rows = value.shape[0]
            if isinstance(rows, int) and rows <= MAX_ROWS:
                return [_row(value) for _ in range(rows)]
        return None

    def passes(self, value) -> int | None:
        """How many items iterating over ``value`` gives, where that is known."""
        if isinstance(value, range):
            return range_length(value)
        if isinstance(value, (list, tuple, str, dict)):
            return len(value)
        if isinstance(value, Tensor) and value.shape and isinstance(value.shape[0], int):
            return value.shape[0]
        return None

    def first(self, value):
        """The first item of ``value`` (a data set's first element, a tensor's first row),
        which also stands for the others in a loop whose items are not all known."""
        if isinstance(value, Dataset):
            return value.element
        if isinstance(value, Generator):
            return self.first_yield(value)
        if isinstance(value, range) and range_length(value) > MAX_UNROLL \
                or isinstance(value, (list, tuple, str)) and len(value) > MAX_UNROLL:
            return value[0]
        if isinstance(value, Iterated) and value.items is None:
            return value.first
        if isinstance(value, Items):
            return any_item(value)
        if isinstance(value, Tensor) and value.shape and not dims.is_non_positive(value.shape[0]):
            return _row(value)
        items = self.iterate(value)
        return items[0] if items else UNKNOWN


def _row(tensor: Tensor) -> Tensor:
    if tensor.dtype == "object":  # an item of an array of objects: not an array itself
        return Tensor(None)
    return Tensor(tuple(tensor.shape[1:]), tensor.dtype, numpy=tensor.numpy)

