"""Assignment: ``=``, annotated and augmented assignment, and what binding a value to a
name, an unpacked tuple, an attribute or an item does."""

from __future__ import annotations

import libcst as cst

from shapecheck.dims import format_shape
from shapecheck.library.command_line import Namespace
from shapecheck.library.pandas import Frame, with_column, without_column
from shapecheck.objects import LAYER_LIKE, Instance
from shapecheck.values import UNKNOWN, Tensor


class Assignments:
    """The assignment statements of the evaluator and ``assign``."""

    def exec_Assign(self, node, frame):
        value = self.eval(node.value, frame)
        for target in node.targets:
            self.assign(target.target, value, frame, record=True)
        if isinstance(node.value, cst.Call) and self.imported.get(node.value.func) == "keras.Variable":
            self._track_variable(node.targets, value, frame)

    def _track_variable(self, targets, value, frame) -> None:
        """``self.w = keras.Variable(...)`` in a layer: Keras tracks it as a weight."""
        for target in targets:
            target = target.target
            if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
                owner = frame.get(target.value.value)
                if isinstance(owner, Instance) and owner.cls.kind is not None:
                    self.touch(owner)
                    owner.weights.append(value if isinstance(value, Tensor) else Tensor(None))

    def exec_AnnAssign(self, node, frame):
        if node.value is not None:
            self.assign(node.target, self.eval(node.value, frame), frame, record=True)

    def exec_AugAssign(self, node, frame):
        current = self.eval(node.target, frame)
        operand = self.eval(node.value, frame)
        if isinstance(current, list) and isinstance(node.operator, cst.AddAssign) \
                and isinstance(operand, (list, tuple)):
            self.touch(current)  # ``items += [...]`` extends the list itself
            current.extend(operand)
            return
        value = self._binary(type(node.operator).__name__.replace("Assign", ""), current, operand, node)
        if isinstance(current, Tensor) and current.numpy:  # in place: what else holds it changes too
            current.forget_values()
        self.assign(node.target, value, frame, record=True)

    def assign(self, target, value, frame, record=False):
        """Bind ``value`` to ``target``; ``record`` notes tensors assigned by a statement."""
        if isinstance(target, cst.Name):
            frame[target.value] = value
            shaped = isinstance(value, Tensor) and value.shape is not None and not value.python \
                or isinstance(value, Frame)  # (a table has a shape too)
            if record and shaped and not (self.traced or self.building):
                self.tensors.append((target, value.shape))
                if isinstance(value, Tensor) and not (value.symbolic or self.stack) and value.origin is None:
                    value.origin = (target, f"{target.value} gets its shape "
                                            f"{format_shape(value.shape)} here")
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            values = value if isinstance(value, (tuple, list)) and len(value) == len(elements) else None
            if values is None and not any(isinstance(e, cst.StarredElement) for e in elements):
                self._check_unpacked_outputs(target, value)
            for index, element in enumerate(elements):
                if isinstance(element, cst.StarredElement):
                    self.assign(element.value, UNKNOWN, frame)
                else:
                    item = UNKNOWN if values is None else values[index]
                    self.assign(element.value, item, frame, record)
        elif isinstance(target, cst.Attribute):
            self.set_attribute(self.eval(target.value, frame), target.attr.value, value)
        elif isinstance(target, cst.Subscript):
            owner = self.eval(target.value, frame)
            index = self._index(target, frame)
            if isinstance(owner, Tensor):  # a write into the array
                owner.forget_values()
            elif isinstance(owner, Frame):
                self.touch(owner)
                with_column(owner, index)
            elif isinstance(owner, (list, dict)) and index is not UNKNOWN:
                self.touch(owner)
                try:
                    owner[index] = value
                except (IndexError, TypeError):
                    pass

    def exec_Del(self, node, frame):
        """``del name``, ``del items[i]``, ``del df["a"]``, ``del obj.attr``."""
        whole = node.target
        many = isinstance(whole, (cst.Tuple, cst.List))
        for target in [e.value for e in whole.elements] if many else [whole]:
            if isinstance(target, cst.Name):
                frame.pop(target.value, None)
            elif isinstance(target, cst.Attribute):
                owner = self.eval(target.value, frame)
                if isinstance(owner, Instance):
                    self.touch(owner)
                    owner.attrs.pop(target.attr.value, None)
            elif isinstance(target, cst.Subscript):
                self._delete_item(self.eval(target.value, frame), self._index(target, frame), frame)

    def _delete_item(self, owner, index, frame) -> None:
        if isinstance(owner, Frame):
            self.touch(owner)
            without_column(owner, index)
        elif isinstance(owner, (list, dict)):
            self.touch(owner)
            try:
                del owner[index]
            except (IndexError, KeyError, TypeError):  # an index not known: contents not known
                self.forgotten.append(owner)
                self._forget(owner, frame)

    def set_attribute(self, owner, name: str, value) -> None:
        """``owner.name = value`` (also ``setattr(owner, name, value)``): an object of a class
        of the file holds it (a layer learns the attribute it is held under), as does an
        argparse namespace; on anything else it is not followed."""
        if isinstance(owner, Instance):
            self.touch(owner)
            owner.attrs[name] = value
            if isinstance(value, LAYER_LIKE) and value.attr is None:
                value.attr = name
        elif isinstance(owner, Namespace):
            self.touch(owner)
            owner[name] = value

    def _check_unpacked_outputs(self, target, value) -> None:
        """The outputs of one layer call unpacked into another number of names."""
        if not isinstance(value, (tuple, list)) or not value or not all(
                isinstance(t, Tensor) and t.source is not None and t.source is value[0].source
                for t in value):
            return
        what = getattr(value[0].source.layer, "cls_name", "the operation")
        n, names = len(value), len(target.elements)
        states = {"LSTM": " (the output, h and c)", "GRU": " (the output and its state)",
                  "SimpleRNN": " (the output and its state)"}.get(what, "")
        self.fact("unpacked-output-count", target,
                  f"{what} returns {n} tensors here{states}, but {names} names take "
                  f"them (Python raises \"{'too many' if n > names else 'not enough'} values to "
                  f"unpack\"): unpack all {n}, or write *states for the rest")
