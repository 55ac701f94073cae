"""A small abstract interpreter for model code.

It runs the module top to bottom on abstract values (``shapecheck.values``,
``shapecheck.objects``): constants fold, ``for`` loops over known lists
unroll, the file's own functions and classes are called with their arguments
bound, and every layer application is recorded as a ``LayerCall`` with the
shapes the layer rules (``shapecheck.layers``) compute.  What it cannot know
becomes ``UNKNOWN``.  Findings are collected as ``Fact`` records that the
rules turn into diagnostics.
"""

from __future__ import annotations

import operator
import os
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import libcst as cst

from shapecheck import api
from shapecheck.dims import Sym, format_shape
from shapecheck.layers import ShapeError
from shapecheck.names import canonical
from shapecheck.objects import (
    LAYER_LIKE,
    BoundMethod,
    BuiltinLayer,
    Dataset,
    FunctionalModel,
    Instance,
    Loss,
    Sequential,
    Super,
    UserClass,
    UserFunction,
    is_model,
)
from shapecheck.values import UNKNOWN, ApiRef, LayerCall, Tensor

MAX_UNROLL = 1000
MAX_DEPTH = 40
# Statements one file may execute; past it loops stop unrolling and calls of
# the file's functions give UNKNOWN, so any program is analysed in bounded time.
MAX_STEPS = 200_000
_DEBUG = bool(os.environ.get("SHAPECHECK_DEBUG"))


@dataclass(frozen=True)
class Fact:
    """Something the evaluator saw that a rule may report."""

    kind: str  # "incompatible-input" | "non-positive-dimension" | "call-without-input"
    node: Any
    message: str


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_BINARY = {
    cst.Add: operator.add, cst.Subtract: operator.sub, cst.Multiply: operator.mul,
    cst.Divide: operator.truediv, cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod, cst.Power: operator.pow,
}
_COMPARE = {
    cst.Equal: operator.eq, cst.NotEqual: operator.ne, cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le, cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge, cst.Is: operator.is_, cst.IsNot: operator.is_not,
    cst.In: lambda a, b: a in b, cst.NotIn: lambda a, b: a not in b,
}
_CONSTANT_TYPES = (int, float, str, bool, type(None), tuple, list, dict, range)

_SYMBOLS = {2: ("N", "D"), 3: ("N", "L", "C"), 4: ("N", "H", "W", "C"), 5: ("N", "D", "H", "W", "C")}


def snake_case(name: str) -> str:
    """Keras's automatic layer-name stem (``MaxPooling2D`` -> ``max_pooling2d``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def shape_of(value):
    """The shape of a tensor value, a list of shapes for a list of tensors, else None."""
    if isinstance(value, Tensor):
        return value.shape
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, Tensor) for v in value):
        return [v.shape for v in value]
    return None


def _truth(value):
    if isinstance(value, (int, float, str, bool, type(None), tuple, list, dict)):
        return bool(value)
    if isinstance(value, LAYER_LIKE + (UserClass, UserFunction, ApiRef)):
        return True
    return UNKNOWN


class Evaluator:
    """Runs one module; the results are in ``calls``, ``facts``, ``tensors``, ``objects``."""

    def __init__(self, module: cst.Module, names):
        self.module = module
        self.imported = names.imported
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
        self._names = Counter()
        self._depth = 0
        self._steps = 0
        self._assigned: dict[int, list] = {}  # statement id -> names it may bind (cache)
        self._raised = 0  # findings so far (a call that raised leaves its layer unbuilt)
        self._stopped = False  # a finding stopped the current top-level run
        self._quiet = 0  # > 0 while running a branch that may not be taken
        self.traced = 0  # > 0 while running a function TensorFlow traces (Dataset.map)
        # > 0 while shapes go through Keras's symbolic inference or a traced graph
        # (a Sequential's build, predict()), which rejects what eager kernels accept.
        self.graph_mode = 0
        self.compiled: dict[int, Any] = {}  # model id -> the Loss given to compile()

    # ----------------------------------------------------------------- running
    def run(self) -> None:
        self.exec_block(self.module.body, self.globals)
        self._analyse_uncalled_models()

    def exec_block(self, statements, frame: dict) -> None:
        for statement in statements:
            try:
                self.exec_statement(statement, frame)
            except (_Return, _Break, _Continue):
                raise
            except RecursionError:
                raise
            except Exception:
                if _DEBUG:
                    raise
                # An evaluator gap must never stop the analysis: forget what
                # the statement assigned and go on.
                self._havoc([statement], frame)

    def exec_statement(self, node, frame: dict) -> None:
        self._steps += 1
        method = getattr(self, f"exec_{type(node).__name__}", None)
        if method is not None:
            method(node, frame)

    def exec_SimpleStatementLine(self, node, frame):
        self.exec_block(node.body, frame)

    exec_SimpleStatementSuite = exec_SimpleStatementLine

    def exec_Expr(self, node, frame):
        self.eval(node.value, frame)

    def exec_Assign(self, node, frame):
        value = self.eval(node.value, frame)
        for target in node.targets:
            self.assign(target.target, value, frame, record=True)

    def exec_AnnAssign(self, node, frame):
        if node.value is not None:
            self.assign(node.target, self.eval(node.value, frame), frame, record=True)

    def exec_AugAssign(self, node, frame):
        current = self.eval(node.target, frame)
        value = self._binary(type(node.operator).__name__.replace("Assign", ""),
                             current, self.eval(node.value, frame))
        self.assign(node.target, value, frame, record=True)

    def exec_Return(self, node, frame):
        raise _Return(None if node.value is None else self.eval(node.value, frame))

    def exec_Break(self, node, frame):
        raise _Break()

    def exec_Continue(self, node, frame):
        raise _Continue()

    def exec_FunctionDef(self, node, frame):
        frame[node.name.value] = self._function(node, frame)

    def exec_ClassDef(self, node, frame):
        bases = [self.eval(arg.value, frame) for arg in node.bases if not arg.keyword]
        methods = {}
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                methods[statement.name.value] = self._function(statement, frame)
        cls = UserClass(node, node.name.value, bases, methods, _class_kind(bases),
                        own_weights=_makes_weights(node))
        self.classes.append(cls)
        frame[node.name.value] = cls

    def exec_If(self, node, frame):
        test = _truth(self.eval(node.test, frame))
        orelse = node.orelse
        other = [] if orelse is None else (
            [orelse] if isinstance(orelse, cst.If) else orelse.body.body)
        if test is UNKNOWN:
            self._both_branches(node.body.body, other, frame)
        elif test:
            self.exec_block(node.body.body, frame)
        else:
            self.exec_block(other, frame)

    def exec_For(self, node, frame):
        items = self._iterate(self.eval(node.iter, frame))
        unknown = items is None or self._steps > MAX_STEPS
        if unknown:  # run the body once, on an unknown element, reporting nothing
            items = [UNKNOWN]
            self._quiet += 1
        try:
            for item in items:
                self.assign(node.target, item, frame)
                try:
                    self.exec_block(node.body.body, frame)
                except _Continue:
                    continue
                except _Break:
                    break
            else:
                if node.orelse is not None:
                    self.exec_block(node.orelse.body.body, frame)
        finally:
            if unknown:
                self._quiet -= 1
                # One pass stands for any number: what it assigned is not known.
                self._havoc([node], frame)

    def exec_While(self, node, frame):
        for _ in range(MAX_UNROLL):
            test = _truth(self.eval(node.test, frame))
            if test is UNKNOWN:
                self._havoc(node.body.body, frame)
                return
            if not test:
                return
            try:
                self.exec_block(node.body.body, frame)
            except _Continue:
                continue
            except _Break:
                return
        self._havoc(node.body.body, frame)

    def exec_With(self, node, frame):
        for item in node.items:
            self.eval(item.item, frame)
            if item.asname is not None:
                self.assign(item.asname.name, UNKNOWN, frame)
        self.exec_block(node.body.body, frame)

    def exec_Try(self, node, frame):
        self.exec_block(node.body.body, frame)
        if node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)
        if node.finalbody is not None:
            self.exec_block(node.finalbody.body.body, frame)

    def _both_branches(self, body, other, frame):
        """An ``if`` on an unknown test: run both sides, keep what they agree on."""
        self._quiet += 1
        try:
            first, second = dict(frame), dict(frame)
            for branch, scope in ((body, first), (other, second)):
                try:
                    self.exec_block(branch, scope)
                except (_Break, _Continue, _Return):
                    pass
        finally:
            self._quiet -= 1
        for name in set(first) | set(second):
            a, b = first.get(name, UNKNOWN), second.get(name, UNKNOWN)
            frame[name] = a if _same(a, b) else UNKNOWN

    def _havoc(self, statements, frame):
        """Forget every name the statements may assign."""
        for statement in statements:
            names = self._assigned.get(id(statement))
            if names is None:
                names = self._assigned[id(statement)] = _assigned_names(statement)
            for target in names:
                frame[target] = UNKNOWN

    # -------------------------------------------------------------- assignment
    def assign(self, target, value, frame, record=False):
        """Bind ``value`` to ``target``; ``record`` notes tensors assigned by a statement."""
        if isinstance(target, cst.Name):
            frame[target.value] = value
            if record and not self.traced and isinstance(value, Tensor) and value.shape is not None:
                self.tensors.append((target, value.shape))
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            values = value if isinstance(value, (tuple, list)) and len(value) == len(elements) else None
            for index, element in enumerate(elements):
                if isinstance(element, cst.StarredElement):
                    self.assign(element.value, UNKNOWN, frame)
                else:
                    item = UNKNOWN if values is None else values[index]
                    self.assign(element.value, item, frame, record)
        elif isinstance(target, cst.Attribute):
            owner = self.eval(target.value, frame)
            if isinstance(owner, Instance):
                name = target.attr.value
                owner.attrs[name] = value
                if isinstance(value, LAYER_LIKE) and value.attr is None:
                    value.attr = name
        elif isinstance(target, cst.Subscript):
            owner = self.eval(target.value, frame)
            index = self._index(target, frame)
            if isinstance(owner, (list, dict)) and index is not UNKNOWN:
                try:
                    owner[index] = value
                except (IndexError, TypeError):
                    pass

    # -------------------------------------------------------------- expressions
    def eval(self, node, frame: dict):
        method = getattr(self, f"eval_{type(node).__name__}", None)
        if method is None:
            return UNKNOWN
        return method(node, frame)

    def eval_Integer(self, node, frame):
        return node.evaluated_value

    eval_Float = eval_Integer
    eval_SimpleString = eval_Integer

    def eval_ConcatenatedString(self, node, frame):
        left, right = self.eval(node.left, frame), self.eval(node.right, frame)
        return left + right if isinstance(left, str) and isinstance(right, str) else UNKNOWN

    def eval_Name(self, node, frame):
        name = node.value
        if name in frame:
            return frame[name]
        if name in self.globals:
            return self.globals[name]
        if node in self.imported:
            return ApiRef(self.imported[node])
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        if name in api.BUILTINS:
            return ApiRef("builtins." + name)
        for module in self.star_imports:
            candidate = canonical(f"{module}.{name}")
            if api.is_known(candidate):
                return ApiRef(candidate)
        return UNKNOWN

    def eval_Attribute(self, node, frame):
        if node in self.imported and not _is_local(node, frame, self.globals):
            return ApiRef(self.imported[node])
        owner = self.eval(node.value, frame)
        return self.getattr(owner, node.attr.value)

    def getattr(self, owner, name: str):
        if isinstance(owner, ApiRef):
            return ApiRef(f"{owner.name}.{name}")
        if isinstance(owner, Instance):
            if name in owner.attrs:
                return owner.attrs[name]
            method = owner.cls.method(name)
            if method is not None:
                return UserFunction(method.node, method.defaults, owner)
            return BoundMethod(owner, name)
        if isinstance(owner, UserClass):
            method = owner.method(name)
            return method if method is not None else UNKNOWN
        if isinstance(owner, Tensor):
            if name == "shape":
                return UNKNOWN if owner.shape is None else tuple(owner.shape)
            if name == "ndim":
                return UNKNOWN if owner.shape is None else len(owner.shape)
            return BoundMethod(owner, name)
        if isinstance(owner, (BuiltinLayer, Sequential, FunctionalModel, Dataset, list, dict, Super)):
            if isinstance(owner, Sequential) and name == "layers":
                return list(owner.layers)
            return BoundMethod(owner, name)
        return UNKNOWN

    def eval_Tuple(self, node, frame):
        values = self._elements(node.elements, frame)
        return UNKNOWN if values is UNKNOWN else tuple(values)

    def eval_List(self, node, frame):
        values = self._elements(node.elements, frame)
        return UNKNOWN if values is UNKNOWN else values

    def _elements(self, elements, frame):
        values = []
        for element in elements:
            value = self.eval(element.value, frame)
            if isinstance(element, cst.StarredElement):
                if not isinstance(value, (list, tuple)):
                    return UNKNOWN
                values.extend(value)
            else:
                values.append(value)
        return values

    def eval_Dict(self, node, frame):
        result = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return UNKNOWN
            key = self.eval(element.key, frame)
            if not isinstance(key, (int, str, float, bool, tuple)):
                return UNKNOWN
            result[key] = self.eval(element.value, frame)
        return result

    def eval_ListComp(self, node, frame):
        return self._comprehension(node, frame)

    def _comprehension(self, node, frame):
        results = []
        scope = dict(frame)

        def run(clause):
            if clause is None:
                results.append(self.eval(node.elt, scope))
                return True
            items = self._iterate(self.eval(clause.iter, scope))
            if items is None:
                return False
            for item in items:
                self.assign(clause.target, item, scope)
                tests = [_truth(self.eval(cond.test, scope)) for cond in clause.ifs]
                if any(test is UNKNOWN for test in tests):
                    return False
                if all(tests) and not run(clause.inner_for_in):
                    return False
            return True

        return results if run(node.for_in) else UNKNOWN

    def eval_Ellipsis(self, node, frame):
        return Ellipsis

    def eval_Subscript(self, node, frame):
        owner = self.eval(node.value, frame)
        index = self._index(node, frame)
        if isinstance(owner, Tensor):
            return api.slice_tensor(owner, index)
        if index is UNKNOWN or not isinstance(owner, (list, tuple, dict, str, range)):
            return UNKNOWN
        try:
            return owner[index]
        except (IndexError, KeyError, TypeError):
            return UNKNOWN

    def _index(self, node, frame):
        if len(node.slice) != 1:
            values = [self._slice(element.slice, frame) for element in node.slice]
            return UNKNOWN if UNKNOWN in values else tuple(values)
        return self._slice(node.slice[0].slice, frame)

    def _slice(self, part, frame):
        if isinstance(part, cst.Index):
            return self.eval(part.value, frame)
        bounds = [None if b is None else self.eval(b, frame) for b in (part.lower, part.upper, part.step)]
        if any(b is UNKNOWN or not (b is None or isinstance(b, int)) for b in bounds):
            return UNKNOWN
        return slice(*bounds)

    def eval_BinaryOperation(self, node, frame):
        return self._binary(type(node.operator).__name__, self.eval(node.left, frame),
                            self.eval(node.right, frame))

    def _binary(self, op_name: str, left, right):
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            return api.broadcast(left, right)
        if isinstance(left, _CONSTANT_TYPES) and isinstance(right, _CONSTANT_TYPES):
            function = _BINARY.get(getattr(cst, op_name, None))
            if function is not None:
                try:
                    return function(left, right)
                except Exception:
                    return UNKNOWN
        return UNKNOWN

    def eval_UnaryOperation(self, node, frame):
        value = self.eval(node.expression, frame)
        if isinstance(node.operator, cst.Not):
            truth = _truth(value)
            return UNKNOWN if truth is UNKNOWN else not truth
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(node.operator, cst.Minus) else value
        if isinstance(value, Tensor):
            return value
        return UNKNOWN

    def eval_BooleanOperation(self, node, frame):
        left = self.eval(node.left, frame)
        truth = _truth(left)
        if truth is UNKNOWN:
            return UNKNOWN
        is_and = isinstance(node.operator, cst.And)
        if truth == is_and:
            return self.eval(node.right, frame)
        return left

    def eval_Comparison(self, node, frame):
        left = self.eval(node.left, frame)
        for target in node.comparisons:
            right = self.eval(target.comparator, frame)
            function = _COMPARE[type(target.operator)]
            if function in (operator.is_, operator.is_not):
                if left is UNKNOWN or right is UNKNOWN:
                    return UNKNOWN
            elif not (isinstance(left, _CONSTANT_TYPES) and isinstance(right, _CONSTANT_TYPES)):
                return UNKNOWN
            try:
                if not function(left, right):
                    return False
            except TypeError:
                return UNKNOWN
            left = right
        return True

    def eval_IfExp(self, node, frame):
        test = _truth(self.eval(node.test, frame))
        if test is UNKNOWN:
            a, b = self.eval(node.body, frame), self.eval(node.orelse, frame)
            return a if _same(a, b) else UNKNOWN
        return self.eval(node.body if test else node.orelse, frame)

    # -------------------------------------------------------------------- calls
    def eval_Call(self, node, frame):
        function = self.eval(node.func, frame)
        if function == ApiRef("builtins.super"):
            return Super(frame.get("self"))
        args, kwargs = [], {}
        for arg in node.args:
            value = self.eval(arg.value, frame)
            if arg.star == "*":
                if not isinstance(value, (list, tuple)):
                    return UNKNOWN
                args.extend(value)
            elif arg.star == "**":
                if not isinstance(value, dict):
                    return UNKNOWN
                kwargs.update(value)
            elif arg.keyword is not None:
                kwargs[arg.keyword.value] = value
            else:
                args.append(value)
        return self.call(function, args, kwargs, node)

    def call(self, function, args, kwargs, node):
        if isinstance(function, ApiRef):
            return api.call(self, function.name, args, kwargs, node)
        if isinstance(function, UserClass):
            return self.instantiate(function, args, kwargs, node)
        if isinstance(function, UserFunction):
            return self.call_function(function, args, kwargs)
        if isinstance(function, LAYER_LIKE):
            if isinstance(function, Instance) and function.cls.kind is None:
                method = function.cls.method("__call__")
                if method is None:
                    return UNKNOWN
                return self.call_function(UserFunction(method.node, method.defaults, function),
                                          args, kwargs)
            return self.apply(function, args, kwargs, node)
        if isinstance(function, BoundMethod):
            return api.call_method(self, function.obj, function.name, args, kwargs, node)
        if isinstance(function, Loss):
            return api.apply_loss(self, function, args, kwargs, node)
        return UNKNOWN

    def eval_Lambda(self, node, frame):
        return self._function(node, frame)

    def _function(self, node, frame) -> UserFunction:
        defaults = {}
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.default is not None:
                defaults[param.name.value] = self.eval(param.default, frame)
        return UserFunction(node, defaults)

    def call_function(self, function: UserFunction, args, kwargs):
        if self._depth >= MAX_DEPTH or self._steps > MAX_STEPS:
            return UNKNOWN
        node = function.node
        params = node.params
        positional = [p.name.value for p in (*params.posonly_params, *params.params)]
        if function.self_value is not None:
            args = [function.self_value, *args]
        scope: dict[str, Any] = {}
        for name, value in zip(positional, args):
            scope[name] = value
        extra = args[len(positional):]
        if isinstance(params.star_arg, cst.Param):
            scope[params.star_arg.name.value] = tuple(extra)
        rest = {}
        known_names = set(positional) | {p.name.value for p in params.kwonly_params}
        for name, value in kwargs.items():
            if name in known_names:
                scope[name] = value
            else:
                rest[name] = value
        if isinstance(params.star_kwarg, cst.Param):
            scope[params.star_kwarg.name.value] = rest
        for name in known_names:
            if name not in scope:
                scope[name] = function.defaults.get(name, UNKNOWN)
        self._depth += 1
        try:
            if isinstance(node, cst.Lambda):
                return self.eval(node.body, scope)
            self.exec_block(node.body.body, scope)
        except _Return as result:
            return result.value
        except (_Break, _Continue):
            pass
        finally:
            self._depth -= 1
        return None

    def instantiate(self, cls: UserClass, args, kwargs, node):
        instance = Instance(cls, node, self.auto_name(cls.name, kwargs))
        if isinstance(kwargs.get("name"), str):
            instance.given_name = kwargs["name"]
        if cls.kind is not None:
            self.objects.append(instance)
        init = cls.method("__init__")
        if init is not None:
            self.call_function(UserFunction(init.node, init.defaults, instance), args, kwargs)
        return instance

    def auto_name(self, cls_name: str, kwargs) -> str:
        """The name Keras gives a new layer: ``name=`` or ``dense``, ``dense_1``, ..."""
        explicit = kwargs.get("name")
        if isinstance(explicit, str):
            return explicit
        stem = snake_case(cls_name)
        self._names[stem] += 1
        count = self._names[stem]
        return stem if count == 1 else f"{stem}_{count - 1}"

    # ------------------------------------------------------ layer applications
    def apply(self, layer, args, kwargs, node):
        """Apply a layer or model to its input, recording the call."""
        if getattr(layer, "broken", False):  # Keras raised while building it
            return UNKNOWN
        names = layer.spec.call_inputs if isinstance(layer, BuiltinLayer) and layer.spec else ()
        if names and not (len(args) == 1 and isinstance(args[0], list)):
            args, kwargs = _named_inputs(names, args, kwargs), {}
        inputs = _call_input(args, kwargs)
        if inputs is _NO_INPUT:
            self._record(LayerCall(layer, node, None, None))
            self.fact("call-without-input", node,
                      f"{_describe(layer)} is called without an input tensor: pass the "
                      f"tensor it should transform, e.g. `x = {_call_text(node)}(x)`")
            return UNKNOWN
        # The input shape shown is the first argument's (the query, for attention).
        shown = shape_of(inputs[0]) if names and isinstance(inputs, list) else shape_of(inputs)
        record = LayerCall(layer, node, shown, None,
                           inputs=[inputs] if isinstance(inputs, Tensor) else list(inputs)
                           if isinstance(inputs, (list, tuple)) else [])
        self._record(record)
        self.stack.append(record)
        try:
            output = self._apply(layer, inputs, args, kwargs, record)
        finally:
            self.stack.pop()
            self._stopped = self._stopped and bool(self.stack)
        if isinstance(output, Tensor):  # a new tensor, made by this call
            output = Tensor(output.shape, output.dtype, source=record, exact=output.exact)
        record.output, record.output_shape = output, shape_of(output)
        return output

    def _record(self, record: LayerCall) -> None:
        if self._stopped:
            return
        parent = self.stack[-1] if self.stack else None
        (parent.children if parent is not None else self.calls).append(record)
        self.applied.add(id(record.layer))

    def _apply(self, layer, inputs, args, kwargs, record):
        if isinstance(layer, BuiltinLayer):
            return self._apply_builtin(layer, inputs, record)
        if isinstance(layer, Sequential):
            x = inputs
            if layer.input_shape is not None:
                x = self._conform(layer, layer.input_shape, x, record.node)
            self.graph_mode += 1  # Keras builds a Sequential by symbolic inference first
            try:
                for sub in layer.layers:  # errors surface where the Sequential runs
                    x = self.apply(sub, [x], {}, record.node)
            finally:
                self.graph_mode -= 1
            return x
        if isinstance(layer, FunctionalModel):
            return api.replay(self, layer, inputs, record.node)
        method = layer.cls.method("call")
        if method is None:
            return UNKNOWN
        raised = self._raised
        output = self.call_function(UserFunction(method.node, method.defaults, layer), args, kwargs)
        # Keras marks a layer built once a call succeeds.
        layer.built = layer.built or (isinstance(inputs, Tensor) and self._raised == raised)
        return output

    def _conform(self, model, expected, x, node):
        """A built model's input as Keras 3 checks and adjusts it, or UNKNOWN with a finding.

        A functional model first compares sizes (a trailing 1 dropped on both
        sides, positions both have); then any built model adds or drops a
        trailing axis of size 1 to reach its ``Input``'s rank.
        """
        if not isinstance(x, Tensor) or x.shape is None:
            return x
        shape = tuple(x.shape)
        problem = None
        if isinstance(model, FunctionalModel):
            ours = shape[:-1] if shape and shape[-1] == 1 else shape
            theirs = expected[:-1] if expected and expected[-1] == 1 else expected
            if any(isinstance(a, int) and isinstance(b, int) and a != b
                   for a, b in zip(ours, theirs)):
                problem = "sizes differ"
        if len(shape) == len(expected) - 1 and expected[-1] == 1:
            shape = (*shape, 1)
        elif len(shape) == len(expected) + 1 and shape[-1] == 1:
            shape = shape[:-1]
        elif len(shape) != len(expected):
            problem = "ranks differ"
        if problem is None:
            return Tensor(shape, x.dtype, exact=x.exact)
        self.fact("incompatible-input", node,
                  f"{model.cls_name} model expects input of shape {format_shape(expected)} "
                  f"but gets {format_shape(x.shape)} ({problem}): reshape the data or change "
                  f"the model's Input")
        return UNKNOWN

    def _apply_builtin(self, layer: BuiltinLayer, inputs, record):
        if inputs is UNKNOWN:  # e.g. after an error upstream: nothing here is known
            return UNKNOWN
        if layer.spec is None:  # a layer shapecheck does not model: built, shape unknown
            layer.built = True
            return Tensor(None)
        spec = layer.spec
        if spec.multi_input:
            shapes = shape_of(inputs)
            if not isinstance(shapes, list) or any(s is None for s in shapes):
                return Tensor(None)
            shape = [tuple(s) for s in shapes]
        elif not isinstance(inputs, Tensor) or inputs.shape is None:
            return Tensor(None)
        else:
            shape = tuple(inputs.shape)
        dtype = inputs.dtype if isinstance(inputs, Tensor) else None
        tensors = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        exact = all(isinstance(t, Tensor) and t.exact for t in tensors) and \
            UNKNOWN not in layer.config.values()
        try:
            output = spec.output(layer.config, shape)
        except ShapeError as error:
            # On concrete data (not a symbolic Input) some kernels return an empty axis.
            if error.eager_output is None or exact or self.graph_mode:
                self.fact(error.kind, record.node, self._in_layer(layer, record) + error.message)
                return UNKNOWN
            output = error.eager_output
        key = spec.build_key(layer.config, shape) if spec.build_key else None
        if spec.build_key and key is None and exact and not layer.built:
            self.fact("incompatible-input", record.node, self._in_layer(layer, record) +
                      f"{layer.cls_name} creates its weights from the input's feature axis, but the "
                      f"input {format_shape(shape)} leaves it undefined: give the Input a "
                      f"fixed size, or pool (e.g. GlobalAveragePooling) instead of Flatten")
            return UNKNOWN
        if layer.built and spec.build_key:
            old = spec.build_key(layer.config, layer.build_shape)
            if isinstance(key, int) and isinstance(old, int) and key != old:
                self.fact("incompatible-input", record.node,
                          self._in_layer(layer, record) +
                          f"{layer.cls_name} '{layer.name}' was built for inputs with "
                          f"{old} features but now gets shape {format_shape(shape)}: "
                          f"a layer object keeps its weights, so use a new layer here")
                return UNKNOWN
        if not layer.built:
            layer.built, layer.build_shape = True, shape
        if isinstance(output, list):  # several outputs (an RNN's return_state)
            return [Tensor(s, dtype, source=record, exact=exact) for s in output]
        return Tensor(output, dtype, exact=exact)

    def _in_layer(self, layer, record) -> str:
        """Where a finding comes from when it is reported at a model's call, not the layer."""
        line = self.positions[layer.node].start.line
        if line == self.positions[record.node].start.line:
            return ""
        return f"layer '{layer.name}' ({layer.cls_name}, line {line}): "

    def fact(self, kind: str, node, message: str) -> None:
        if self._quiet:
            return
        self._raised += 1
        # TensorFlow would stop here: later layer calls of this run are not recorded.
        self._stopped = bool(self.stack)
        fact = Fact(kind, node, message)
        if fact not in self.facts:
            self.facts.append(fact)

    # ------------------------------------------------------------ iteration
    def _iterate(self, value):
        """The items a ``for`` loop over ``value`` would see, or None if unknown."""
        if isinstance(value, (list, tuple, str, range)):
            return list(value)[:MAX_UNROLL]
        if isinstance(value, dict):
            return list(value)[:MAX_UNROLL]
        if isinstance(value, Dataset):
            # The first element stands for all of them.
            return [value.element]
        if isinstance(value, Tensor) and value.shape:
            return [Tensor(tuple(value.shape[1:]), value.dtype)]
        if isinstance(value, api.Iterated):
            return value.items
        return None

    # ------------------------------------------------- models without an input
    def _analyse_uncalled_models(self) -> None:
        """Give every model that never ran an input: declared, or symbolic."""
        for cls in list(self.classes):
            if cls.kind == "model" and not any(
                isinstance(o, Instance) and o.cls is cls for o in self.objects
            ):
                self._quiet += 1
                try:
                    self.instantiate(cls, [], {}, cls.node)
                finally:
                    self._quiet -= 1
        for obj in list(self.objects):
            if not is_model(obj) or isinstance(obj, FunctionalModel) or id(obj) in self.applied:
                continue
            if self._held_by_other(obj):
                continue
            shape = obj.input_shape if isinstance(obj, Sequential) else None
            if shape is None:
                rank = self.input_rank(obj)
                if rank is None:
                    continue
                shape = tuple(Sym(s) for s in _SYMBOLS.get(rank, ()))
                if len(shape) != rank:
                    continue
            self.apply(obj, [Tensor(shape)], {}, obj.node)

    def _held_by_other(self, obj) -> bool:
        """True when a model or layer of the file holds ``obj`` (it runs as part of that)."""
        for other in self.objects:
            if other is obj:
                continue
            if isinstance(other, Instance) and any(v is obj for v in other.attrs.values()):
                return True
            if isinstance(other, Sequential) and any(v is obj for v in other.layers):
                return True
        return False

    def input_rank(self, obj):
        """The input rank a model's first layer needs, if it can be told."""
        if isinstance(obj, BuiltinLayer):
            return obj.spec.input_rank if obj.spec is not None else None
        if isinstance(obj, Sequential):
            return self.input_rank(obj.layers[0]) if obj.layers else None
        if isinstance(obj, Instance):
            method = obj.cls.method("call")
            if method is None:
                return None
            first = _first_self_call(method.node)
            if first is not None and isinstance(obj.attrs.get(first), LAYER_LIKE):
                return self.input_rank(obj.attrs[first])
        return None


_NO_INPUT = object()


def _named_inputs(names, args, kwargs) -> list:
    """Several named inputs (attention's query, value, key) as ``[[q, v, k]]``, given ones only."""
    values = [args[i] if i < len(args) else kwargs.get(name) for i, name in enumerate(names)]
    while values and values[-1] is None:
        values.pop()
    return [values] if values and None not in values else []


def _call_input(args, kwargs):
    """What a layer call takes as its input: the first argument, ``inputs=``, a single other
    keyword (``query=``); UNKNOWN for several keywords; ``_NO_INPUT`` for none."""
    passed = [v for k, v in kwargs.items() if k not in ("training", "mask")]
    if args:
        return args[0]
    if "inputs" in kwargs:
        return kwargs["inputs"]
    if len(passed) == 1:
        return passed[0]
    return UNKNOWN if passed else _NO_INPUT


def _class_kind(bases) -> Any:
    for base in bases:
        if isinstance(base, UserClass) and base.kind is not None:
            return base.kind
        if isinstance(base, ApiRef):
            if base.name in ("keras.Model", "keras.Sequential"):
                return "model"
            if base.name == "keras.layers.Layer":
                return "layer"
    return None


def _same(a, b) -> bool:
    if a is b:
        return True
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a.shape == b.shape
    try:
        return isinstance(a, _CONSTANT_TYPES) and type(a) is type(b) and bool(a == b)
    except Exception:
        return False


def _is_local(node: cst.Attribute, frame, globals_) -> bool:
    """True unless ``node`` is a dotted name whose first part is not a variable."""
    base = node
    while isinstance(base, cst.Attribute):
        base = base.value
    return not isinstance(base, cst.Name) or base.value in frame or base.value in globals_


def _makes_weights(node: cst.ClassDef) -> bool:
    """True when a class body creates weights itself (``add_weight``, ``tf.Variable``)."""
    found = []

    class Visitor(cst.CSTVisitor):
        def visit_Attribute(self, attribute):
            if attribute.attr.value in ("add_weight", "add_variable", "Variable"):
                found.append(attribute)

    node.body.visit(Visitor())
    return bool(found)


def _assigned_names(statement):
    """Names a statement (and its nested blocks) may bind."""
    names = []

    class Visitor(cst.CSTVisitor):
        def visit_AssignTarget(self, node):
            names.extend(_target_names(node.target))

        def visit_AugAssign(self, node):
            names.extend(_target_names(node.target))

        def visit_AnnAssign(self, node):
            names.extend(_target_names(node.target))

        def visit_For(self, node):
            names.extend(_target_names(node.target))

    statement.visit(Visitor())
    return names


def _target_names(target):
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for element in target.elements for n in _target_names(element.value)]
    return []


def _first_self_call(function: cst.FunctionDef):
    """The attribute of the first ``self.<attr>(...)`` call a method body runs."""
    found = []

    class Visitor(cst.CSTVisitor):
        def leave_Call(self, node):  # arguments run first: self.d(self.c(x)) applies c first
            func = node.func
            if (not found and isinstance(func, cst.Attribute)
                    and isinstance(func.value, cst.Name) and func.value.value == "self"):
                found.append(func.attr.value)

    function.body.visit(Visitor())
    return found[0] if found else None


def _describe(layer) -> str:
    kind = "model" if is_model(layer) else "layer"
    where = f"'{layer.attr}'" if getattr(layer, "attr", None) else f"'{layer.name}'"
    return f"{layer.cls_name} {kind} {where}"


def _call_text(node: cst.Call) -> str:
    return cst.Module(body=[]).code_for_node(node.func)
