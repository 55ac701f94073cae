"""Expressions: constants, names and attributes, containers, subscripts, operators."""

from __future__ import annotations

import operator

import libcst as cst

from shapecheck import library
from shapecheck.interpret.control import Raised, Yielded
from shapecheck.layers import ShapeError, legacy
from shapecheck.library import tensors
from shapecheck.library.command_line import Namespace
from shapecheck.library.layers import base_attribute
from shapecheck.library.pandas import Frame, frame_binary
from shapecheck.library.python import BUILTINS, any_item
from shapecheck.names import canonical
from shapecheck.objects import (
    MISSING,
    BoundMethod,
    Instance,
    Operation,
    Super,
    UserClass,
)
from shapecheck.project import ModuleValue
from shapecheck.values import MAX_ITEMS, UNKNOWN, ApiRef, Items, Tensor, origins, plain, tensor_leaves, truth

_PLAIN = frozenset({tuple, list, dict, int, float, str, bool, type(None)})  # attributes as Python's
_BINARY = {
    cst.Add: operator.add, cst.Subtract: operator.sub, cst.Multiply: operator.mul,
    cst.Divide: operator.truediv, cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod, cst.Power: operator.pow, cst.BitAnd: operator.and_,
    cst.BitOr: operator.or_, cst.BitXor: operator.xor, cst.LeftShift: operator.lshift,
    cst.RightShift: operator.rshift,
}


def _bounded(function, left, right) -> bool:
    """Whether ``function(left, right)`` is cheap to compute."""
    if function is operator.pow:
        return not (isinstance(right, int) and abs(right) > 4096 and left not in (0, 1, -1))
    if function is operator.lshift:
        return not (isinstance(right, int) and right > 4096 and left != 0)
    if function is operator.mul and (isinstance(left, (str, list, tuple))
                                     or isinstance(right, (str, list, tuple))):
        count = right if isinstance(right, int) else left
        return not (isinstance(count, int) and count > MAX_ITEMS)
    if function is operator.mod and isinstance(left, str):  # "%r" % (layer,) formats objects
        return plain(right)
    return True
_COMPARE = {
    cst.Equal: operator.eq, cst.NotEqual: operator.ne, cst.LessThan: operator.lt,
    cst.LessThanEqual: operator.le, cst.GreaterThan: operator.gt,
    cst.GreaterThanEqual: operator.ge, cst.Is: operator.is_, cst.IsNot: operator.is_not,
    cst.In: lambda a, b: a in b, cst.NotIn: lambda a, b: a not in b,
}
_ELEMENTWISE_COMPARE = (operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge)
_CONSTANT_TYPES = (int, float, str, bool, type(None), tuple, list, dict, range, set, frozenset)


_TF1_SHAPE_API = frozenset({"value", "get_shape", "as_list"})
_BY_NAME = {operator.eq: operator.eq, operator.is_: operator.eq,
            operator.ne: operator.ne, operator.is_not: operator.ne}


def _holds_unknown(value, depth: int = 0) -> bool:
    """Whether an unknown value (or a tensor, whose values are not followed) is in a
    container, or is the value: a comparison with it is not known either."""
    if value is UNKNOWN or isinstance(value, Tensor) or depth > 32:
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_holds_unknown(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return any(_holds_unknown(v, depth + 1) for v in value.values())
    return False


def _builtin(value) -> bool:
    return isinstance(value, ApiRef) and value.name.startswith("builtins.")


def same(a, b) -> bool:
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


_EVAL_NAMES: dict[type, str] = {}  # a node type -> the name of its eval_* method
_LITERALS: dict = {}  # (literal node type, its text) -> its value (immutable)


class Expressions:
    """The ``eval_*`` methods of the evaluator, one per expression type."""

    # -------------------------------------------------------------- expressions
    def eval(self, node, frame: dict):
        kind = type(node)
        name = _EVAL_NAMES.get(kind)
        if name is None:
            name = _EVAL_NAMES[kind] = f"eval_{kind.__name__}"
        method = getattr(self, name, None)
        if method is None:
            return UNKNOWN
        return method(node, frame)

    def eval_Integer(self, node, frame):
        key = (type(node), node.value)  # (libcst parses the literal's text at each read)
        value = _LITERALS.get(key, _LITERALS)
        if value is _LITERALS:
            if len(_LITERALS) > 1 << 16:
                _LITERALS.clear()
            value = _LITERALS[key] = node.evaluated_value
        return value

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
            return self.imported_value(self.imported[node], node)
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        if name in BUILTINS:
            return ApiRef("builtins." + name)
        for module in reversed(self.star_imports):  # the last `from M import *` binds it
            candidate = canonical(f"{module}.{name}")
            if not module.startswith(".") and library.is_known(candidate):
                return ApiRef(candidate)
            if self.project is not None:
                value = self.project.star_value(self.path, module, name)
                if value is not MISSING:
                    return value
        return UNKNOWN

    def imported_value(self, name: str, node=None):
        """The value of an imported name: what a file of the project defines, a library
        value (``math.pi``, ``sys.argv``), else a reference to the library's object."""
        if self.project is not None:
            value = self.project.value(self.project.importers.get(node, self.path), name)
            if value is not MISSING:
                return value
        if node in self.plain_backend:
            message = legacy.removed_backend_message(name, library.is_known)
            if message is not None:  # Python raises AttributeError here
                self.fact("unknown-argument", node, message)
                return UNKNOWN
        value = library.library_value(self, name)
        return ApiRef(name) if value is MISSING else value

    def eval_Attribute(self, node, frame):
        if node in self.imported and not _is_local(node, frame, self.globals):
            return self.imported_value(self.imported[node], node)
        name, inner = node.attr.value, node.value
        sized = name == "value" and isinstance(inner, cst.Subscript) \
            and isinstance(inner.value, cst.Attribute) and inner.value.attr.value == "shape"
        if sized:  # x.shape[i].value: the shape it indexes, evaluated once
            shape = self.eval(inner.value, frame)
            owner = self.subscript(shape, inner, frame)
        else:
            owner = self.eval(inner, frame)
        if not self.catching and name in _TF1_SHAPE_API:
            problem = self._tf1_shape_api(name, owner, shape if sized else None)
            if problem:
                self.fact("unknown-argument", node, problem)
                return UNKNOWN
        return self.getattr(owner, name)

    def _tf1_shape_api(self, name: str, owner, indexed) -> str | None:
        """TensorFlow 1's ways to a shape that Python rejects (AttributeError) on what Keras 3
        and TensorFlow 2 give: ``x.shape[i].value`` (``indexed``: the shape; a size is an int
        or None), a KerasTensor's or an array's ``shape.as_list()`` (a tuple), ``get_shape()``."""
        if name == "value":
            if id(indexed) not in self.shape_sources or not (owner is None or type(owner) is int):
                return None
            return ("a size in a shape is an int (or None) in TensorFlow 2 and Keras 3, not "
                    "TensorFlow 1's Dimension: Python raises AttributeError for .value; drop .value")
        # get_shape() of the tensor itself, as_list() of a tensor's shape
        source = owner if name == "get_shape" else self.shape_sources.get(id(owner), (None, None))[1]
        if not (isinstance(source, Tensor) and (source.symbolic or source.numpy)):
            return None
        if name == "get_shape":
            return ("a KerasTensor (or a NumPy array) has no get_shape(), a TensorFlow 1 method "
                    "(AttributeError): use .shape")
        return ("the shape of a KerasTensor (or a NumPy array) is a tuple, which has no "
                "as_list() (AttributeError): use list(x.shape)")

    def getattr(self, owner, name: str):
        if self.catching and type(owner) in _PLAIN and not hasattr(owner, name):
            raise Raised("AttributeError")  # ``shape.as_list()`` of a tuple, in a try
        if isinstance(owner, ApiRef):
            full = canonical(f"{owner.name}.{name}")
            value = library.library_value(self, full)
            return ApiRef(full) if value is MISSING else value
        if isinstance(owner, Namespace):
            return owner.get(name, UNKNOWN)
        if isinstance(owner, ModuleValue):
            value = owner.attribute(name)
            return UNKNOWN if value is MISSING else value
        if isinstance(owner, Instance):
            if name in owner.attrs:
                return owner.attrs[name]
            if name == "__dict__":  # its attributes, as a dict: ``self.__dict__.update(kwargs)``
                self.touch(owner)
                return owner.attrs
            if name == "build" and owner.cls.kind is not None:  # Keras's wrapper runs it
                return BoundMethod(owner, name)
            method = owner.cls.method(name)
            if method is not None:
                if method.kind == "property":
                    return self.call_function(method.bound(owner), [], {})
                return method.bound(owner)
            value = owner.cls.attribute(name)
            if value is MISSING and owner.base_layer is not None:
                value = base_attribute(owner.base_layer, name)
            if value is MISSING:
                value = library.get_attribute(self, owner, name, None)
            return UNKNOWN if value is MISSING else value
        if isinstance(owner, UserClass):
            method = owner.method(name)
            value = owner.attribute(name)
            return method if method is not None else UNKNOWN if value is MISSING else value
        if isinstance(owner, Tensor):
            if name == "shape":
                if owner.shape is None:
                    return UNKNOWN
                shape = tuple(owner.shape)
                if owner.shape:  # (input_shape=x.shape writes its rows in; x.shape[i].value)
                    self.shape_sources[id(shape)] = (shape, owner)
                return shape
            if name == "ndim":
                return UNKNOWN if owner.shape is None else len(owner.shape)
            return library.get_attribute(self, owner, name, None)
        if isinstance(owner, Super):
            method = owner.method(name)
            return method if method is not None else BoundMethod(owner, name)
        user = getattr(owner, "user_class", None)
        if user is not None:  # CustomModel(inputs, outputs): its class's attributes and methods
            if name in owner.attrs:
                return owner.attrs[name]
            if user.method(name) is not None:
                return user.method(name).bound(owner)
        if library.kinds_of(owner):
            value = library.get_attribute(self, owner, name, None)
            return UNKNOWN if value is MISSING else value
        return UNKNOWN

    def eval_Tuple(self, node, frame):
        values = self._elements(node.elements, frame)
        return UNKNOWN if values is UNKNOWN else tuple(values)

    def eval_List(self, node, frame):
        values = self._elements(node.elements, frame)
        return UNKNOWN if values is UNKNOWN else values

    def eval_Set(self, node, frame):
        values = self._elements(node.elements, frame)
        if values is UNKNOWN or not all(isinstance(v, (int, float, str, bool, type(None), tuple))
                                        for v in values):
            return UNKNOWN
        return set(values)

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

    def eval_FormattedString(self, node, frame):
        parts = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
                continue
            value = self.eval(part.expression, frame)
            spec = "" if part.format_spec is None else self.eval_FormattedString(
                cst.FormattedString(parts=part.format_spec), frame)
            if not isinstance(value, (int, float, str, bool, type(None))) or not isinstance(spec, str):
                return UNKNOWN
            value = {"r": repr, "s": str, "a": ascii}.get(part.conversion, lambda v: v)(value)
            try:
                parts.append(format(value, spec))
            except (ValueError, TypeError):
                return UNKNOWN
        return "".join(parts)

    def eval_Ellipsis(self, node, frame):
        return Ellipsis

    def eval_Subscript(self, node, frame):
        return self.subscript(self.eval(node.value, frame), node, frame)

    def subscript(self, owner, node, frame):
        """``owner[...]`` of a Subscript node whose receiver is already evaluated."""
        index = self._index(node, frame)
        if isinstance(owner, Tensor):
            return self.operation(Operation("getitem", node, lambda new: tensors.slice_tensor(new[0], index)),
                                  [owner], tensors.slice_tensor(owner, index))
        one = index is UNKNOWN or isinstance(index, Tensor) and index.shape == ()
        if one and isinstance(owner, (list, tuple, range)) or isinstance(owner, Items) and (
                one or isinstance(index, int)):
            return any_item(owner)  # an integer index of unknown value
        if isinstance(owner, Items) and isinstance(index, slice):
            return Items(owner.item)
        if index is UNKNOWN or not isinstance(owner, (list, tuple, dict, str, range)):
            if index is not UNKNOWN and library.has_method(owner, "__getitem__"):  # df["a"], df.iloc[...]
                return library.call_method(self, owner, "__getitem__", [index], {}, node)
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
        # A bound it cannot know leaves the length of the slice unknown, not the whole index.
        return slice(*(b if b is None or isinstance(b, int) else UNKNOWN for b in bounds))

    def eval_BinaryOperation(self, node, frame):
        return self._binary(type(node.operator).__name__, self.eval(node.left, frame),
                            self.eval(node.right, frame), node)

    def _binary(self, op_name: str, left, right, node):
        if isinstance(left, Frame) or isinstance(right, Frame):
            return frame_binary(left, right)
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            return self._tensor_operator(op_name, left, right, node)
        if isinstance(left, _CONSTANT_TYPES) and isinstance(right, _CONSTANT_TYPES):
            function = _BINARY.get(getattr(cst, op_name, None))
            if function is not None and _bounded(function, left, right):
                try:
                    return function(left, right)
                except Exception:
                    return UNKNOWN
        return UNKNOWN

    def _tensor_operator(self, op_name: str, left, right, node):
        """An operator on tensors (``x + b``, ``a @ b``, ``x > 0``), linked into a graph."""
        try:
            result = tensors.binary(op_name, left, right)
        except ShapeError as error:
            self.fact(error.kind, node, error.message, related=origins(left, right))
            return UNKNOWN

        def rerun(new):
            values = iter(new)
            return tensors.binary(op_name, *(next(values) if isinstance(v, Tensor) else v
                                             for v in (left, right)))
        return self.operation(Operation(op_name, node, rerun), tensor_leaves(left, right), result)

    def eval_UnaryOperation(self, node, frame):
        value = self.eval(node.expression, frame)
        if isinstance(node.operator, cst.Not):
            known = truth(value)
            return UNKNOWN if known is UNKNOWN else not known
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(node.operator, cst.Minus) else value
        if isinstance(value, Tensor):
            return value
        return UNKNOWN

    def eval_BooleanOperation(self, node, frame):
        left = self.eval(node.left, frame)
        known = truth(left)
        if known is UNKNOWN:
            return UNKNOWN
        is_and = isinstance(node.operator, cst.And)
        if known == is_and:
            return self.eval(node.right, frame)
        return left

    def eval_Comparison(self, node, frame):
        left = self.eval(node.left, frame)
        for target in node.comparisons:
            right = self.eval(target.comparator, frame)
            function = _COMPARE[type(target.operator)]
            if (isinstance(left, Tensor) or isinstance(right, Tensor)) and len(node.comparisons) == 1 \
                    and function in _ELEMENTWISE_COMPARE:  # x > 0.5: a tensor of booleans
                result = self._tensor_operator("Compare", left, right, node)
                if isinstance(result, Tensor):
                    result.dtype = "bool"
                return result
            if _builtin(left) and _builtin(right) and function in _BY_NAME:
                function = _BY_NAME[function]  # type(d) == float, type(d) is int: two builtins
            elif function in (operator.is_, operator.is_not):
                if left is UNKNOWN or right is UNKNOWN:
                    return UNKNOWN
            elif not (isinstance(left, _CONSTANT_TYPES) and isinstance(right, _CONSTANT_TYPES)):
                return UNKNOWN
            try:
                result = function(left, right)
            except TypeError:
                return UNKNOWN
            found = result and isinstance(target.operator, cst.In) and plain(left)
            if not found and (_holds_unknown(left) or _holds_unknown(right)):
                return UNKNOWN  # 'a' in [UNKNOWN]: the unknown item may be 'a'
            if not result:
                return False
            left = right
        return True

    def eval_IfExp(self, node, frame):
        test = truth(self.eval(node.test, frame))
        if test is UNKNOWN:
            records = self.records_here()
            start = len(records)
            a = self.eval(node.body, frame)
            middle = len(records)
            b = self.eval(node.orelse, frame)
            # Either arm runs, not both: a layer call the second repeats (the same layer on the
            # same input, as `layer(x, training=t) if flag else layer(x)`) is one call.
            first = [(r.layer, [id(t) for t in r.inputs]) for r in records[start:middle]]
            records[middle:] = [r for r in records[middle:] if not any(
                layer is r.layer and ids == [id(t) for t in r.inputs] for layer, ids in first)]
            return a if same(a, b) else UNKNOWN
        return self.eval(node.body if test else node.orelse, frame)

    def eval_Yield(self, node, frame):
        """``yield v``: in a generator run for its first item, that item; else what the
        code sends back (unknown). ``yield from g``: the first item of ``g``."""
        value = node.value
        if isinstance(value, cst.From):
            item = self.first(self.eval(value.item, frame))
        else:
            item = None if value is None else self.eval(value, frame)
        if self.yielding:
            raise Yielded(item)
        return UNKNOWN
