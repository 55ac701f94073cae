"""Models that the program never gives an input: declared, or symbolic dims."""

from __future__ import annotations

import libcst as cst

from shapecheck.dims import Sym
from shapecheck.objects import LAYER_LIKE, BuiltinLayer, FunctionalModel, Instance, Sequential, is_model
from shapecheck.values import Tensor

_SYMBOLS = {2: ("N", "D"), 3: ("N", "L", "C"), 4: ("N", "H", "W", "C"), 5: ("N", "D", "H", "W", "C")}


class UncalledModels:
    """Runs each model no code called, on the input it declares or on symbols."""

    # ------------------------------------------------- models without an input
    def _analyse_uncalled_models(self) -> None:
        """Give every model that never ran an input: declared, or symbolic."""
        for cls in list(self.classes):
            if cls.kind == "model" and not any(
                isinstance(o, Instance) and o.cls is cls or getattr(o, "user_class", None) is cls
                for o in self.objects
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
            # TensorFlow never runs it: what this finds cannot be an error at its line.
            self._quiet += 1
            self.sites.append(obj.node)  # what another file's code makes meanwhile is made here
            before = len(self.calls)
            try:
                self.guarded(obj.node, self.apply, obj, [Tensor(shape)], {}, obj.node)
            finally:
                self._quiet -= 1
                self.sites.pop()
                self.hypothetical.update(id(record) for record in self.calls[before:])

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
