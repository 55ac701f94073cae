"""The recorder: hooks into Keras's Layer and collects the layer calls, models and tensors
one program makes (see ``runner`` for the record's format)."""

from __future__ import annotations

import functools
import inspect
import os
import sys
from dataclasses import dataclass, field

from shapecheck.verify.offline import APPLICATION_MARK
from shapecheck.verify.source import (
    class_line,
    first_input,
    shape_of,
    shapes_of,
    single,
)

# Layers whose class lives in these packages are leaves: their inner layers
# are an implementation detail.
BUILTIN_PACKAGES = {"keras", "tf_keras", "tensorflow"}


# ---------------------------------------------------------------- recording

# On the call stack: a plain layer called at top level (not recorded itself).
TOP_LAYER = object()


@dataclass
class Call:
    """One recorded layer call and the calls made directly inside it."""

    layer: object
    holder: object  # the layer whose call made this one, None at top level
    input_shape: object
    output_shape: object = None
    params: object = None
    calls: list = field(default_factory=list)
    leaf: bool = False  # a built-in layer: calls inside it are not recorded
    called: bool = True  # False: a built model listed without being called


def frame_self(frame):
    """The ``self`` of the method running in ``frame``, or None."""
    code = frame.f_code
    if code.co_argcount == 0 or code.co_varnames[0] != "self":
        return None
    return frame.f_locals.get("self")


def in_package(filename, folders):
    """Whether ``filename`` lies inside one of ``folders``."""
    return any(filename.startswith(folder) for folder in folders)


def count_params(layer):
    """``layer.count_params()``, or None if the layer is not built."""
    try:
        return int(layer.count_params())
    except Exception:
        return None


def attribute_name(holder, layer):
    """The public attribute of ``holder`` holding ``layer`` (``blocks[0]``
    inside a list or tuple, ``blocks['a']`` inside a dict), or None."""
    for key, value in vars(holder).items():
        if key.startswith("_"):
            continue
        if value is layer:
            return key
        if isinstance(value, (list, tuple)):
            items = enumerate(value)
        elif isinstance(value, dict):
            items = value.items()
        else:
            continue
        for index, item in items:
            if item is layer:
                return f"{key}[{index!r}]"
    return None


class Recorder:
    """Hooks into Keras and collects what one program does.

    ``start`` begins a new program; the hooks installed by ``install`` then
    record layer creations (line in the program), layer calls (nesting and
    shapes) and the tensor probes' reports.
    """

    def __init__(self, keras):
        self._keras = keras
        try:
            from keras.src.models.functional import Functional
        except ImportError:  # a Keras without that module: no such kind
            Functional = ()
        try:
            from keras.src.backend import any_symbolic_tensors
        except ImportError:
            def any_symbolic_tensors(args, kwargs):
                return False
        self._functional = Functional
        self._any_symbolic = any_symbolic_tensors
        # Models whose symbolic call is shape inference only: replayed.
        self._graph_models = tuple(
            cls for cls in (Functional, keras.Sequential) if isinstance(cls, type))
        self._keras_folders = tuple(
            os.path.dirname(module.__file__) + os.sep
            for module in (keras, sys.modules.get("keras.src"))
            if module is not None and getattr(module, "__file__", None))
        self.start(None)

    def start(self, filename):
        """Forget the previous program; ``class_lines`` is set once parsed."""
        self.filename = filename
        self.class_lines = {}
        self.models = []
        self.tensors = []
        self._tensor_keys = set()
        self._created = {}  # id(layer) -> (layer, line, explicit name, internal)
        self._stack = []  # Call, or None for a call not recorded
        self._building = 0
        self._replaying = 0

    # ------------------------------------------------------------ hooks

    def install(self):
        """Wrap ``Layer.__init__``, ``Layer.__call__`` and ``Layer._maybe_build``."""
        layer_class = self._keras.layers.Layer
        self._wrap(layer_class, "__init__", self._on_init)
        self._wrap(layer_class, "__call__", self._on_call)
        if hasattr(layer_class, "_maybe_build"):
            self._wrap(layer_class, "_maybe_build", self._on_build)

    @staticmethod
    def _wrap(cls, name, hook):
        original = getattr(cls, name)

        @functools.wraps(original)
        def wrapper(self, *args, **kwargs):
            return hook(original, self, args, kwargs)

        # Keras reads the constructor's signature two ways (signature and
        # getfullargspec): both must see the original one.
        wrapper.__signature__ = inspect.signature(original)

        setattr(cls, name, wrapper)

    def _on_init(self, init, layer, args, kwargs):
        if id(layer) not in self._created:
            line = self._creation_line(layer)
            self._created[id(layer)] = (layer, line, kwargs.get("name"),
                                        self._created_by_keras(layer))
        return init(layer, *args, **kwargs)

    def _on_build(self, build, layer, args, kwargs):
        """Building may trace ``call`` symbolically: record nothing inside."""
        self._stack.append(None)
        self._building += 1
        try:
            return build(layer, *args, **kwargs)
        finally:
            self._building -= 1
            self._stack.pop()

    def _on_call(self, call, layer, args, kwargs):
        record = self._open(layer, args, kwargs)
        # A functional/Sequential model applied to symbolic tensors only infers
        # shapes (or, on its "long road", calls compute_output_spec of custom
        # layers, whose inner calls would land on the model): record nothing
        # inside it, then replay its graph.
        replay = (record is not None and not record.leaf
                  and isinstance(layer, self._graph_models)
                  and self._any_symbolic(args, kwargs))
        if record is None and not self._stack and not isinstance(layer, self._keras.Model):
            # A plain layer called at top level: a model it calls is outermost.
            self._stack.append(TOP_LAYER)
        else:
            self._stack.append(None if replay else record)
        try:
            outputs = call(layer, *args, **kwargs)
            if record is not None:
                record.output_shape = shapes_of(outputs)
            if replay:
                self._replay(record, first_input(args, kwargs))
            return outputs
        finally:
            self._stack.pop()
            if record is not None and record.holder is None:
                self._count_params(record)

    def on_tensor(self, line, column, name, value):
        """The tensor probe: keep the first report of each name/shape."""
        if self._building or self._replaying:
            return
        shape = shape_of(value)
        if shape is None:
            return
        key = (line, column, name, tuple(shape))
        if key in self._tensor_keys:
            return
        self._tensor_keys.add(key)
        self.tensors.append({"line": line, "column": column, "name": name,
                             "shape": shape})

    # ------------------------------------------------------------ calls

    def _open(self, layer, args, kwargs):
        """The record of this call, attached to its holder, or None."""
        if self._stack and self._stack[-1] is TOP_LAYER:
            if not isinstance(layer, self._keras.Model) or any(
                    record.layer is layer for record in self.models):
                return None
            holder = None
        elif self._stack:
            holder = self._stack[-1]
            if holder is None or holder.leaf:
                return None
        elif self._is_new_model(layer):
            holder = None
        else:
            return None
        record = Call(layer, holder.layer if holder else None,
                      shapes_of(first_input(args, kwargs)),
                      leaf=self._is_builtin(layer))
        (holder.calls if holder else self.models).append(record)
        return record

    def _is_new_model(self, layer):
        """A model called for the first time, and not from another layer's code
        (e.g. a container's explicit ``build``)."""
        if not isinstance(layer, self._keras.Model):
            return False
        if any(record.layer is layer for record in self.models):
            return False
        frame = sys._getframe(1)
        while frame is not None:
            owner = frame_self(frame)
            if owner is not layer and isinstance(owner, self._keras.layers.Layer):
                return False
            frame = frame.f_back
        return True

    def _is_builtin(self, layer):
        """A layer of Keras itself (models excepted, but for those of
        keras.applications): a leaf of the record."""
        if getattr(layer, APPLICATION_MARK, False):
            return True
        package = type(layer).__module__.split(".")[0]
        return package in BUILTIN_PACKAGES and not isinstance(layer, self._keras.Model)

    def _count_params(self, record):
        """Fill in ``params`` of a finished top-level call and its inner calls."""
        record.params = count_params(record.layer)
        for inner in record.calls:
            self._count_params(inner)

    # ------------------------------------------------------------ replay

    def _replay(self, record, inputs):
        """Record the layer calls of the functional/Sequential model of
        ``record`` applied to the symbolic ``inputs``, as Keras's shape
        inference does it; programs' tensors are not probed meanwhile. A
        failure keeps what was recorded before it."""
        self._replaying += 1
        try:
            self._run_graph(record, inputs)
        except Exception:
            pass
        finally:
            self._replaying -= 1

    def _graph_of(self, model):
        """The Functional graph a functional or built Sequential model runs."""
        if isinstance(model, self._functional):
            return model
        return getattr(model, "_functional", None)

    def _run_graph(self, record, inputs):
        graph = self._graph_of(record.layer)
        if graph is None:  # an unbuilt Sequential applies its layers in turn
            outputs = inputs
            for layer in record.layer.layers:
                outputs = self._replayed(record, layer)(outputs)
            return outputs
        return graph._run_through_graph(
            inputs, operation_fn=lambda op: self._replayed(record, op))

    def _replayed(self, record, op):
        """``op``'s shape inference, recording the call as a child of record."""
        if not isinstance(op, self._keras.layers.Layer):
            return op.compute_output_spec  # a keras.ops operation: no layer

        def run(*args, **kwargs):
            inputs = first_input(args, kwargs)
            child = Call(op, record.layer, shapes_of(inputs), leaf=self._is_builtin(op))
            record.calls.append(child)
            if isinstance(op, self._graph_models) and not child.leaf:
                outputs = self._run_graph(child, inputs)
            else:  # a custom layer's call() runs, and records its inner calls
                self._stack.append(child)
                try:
                    outputs = op.compute_output_spec(*args, **kwargs)
                finally:
                    self._stack.pop()
            child.output_shape = shapes_of(outputs)
            return outputs

        return run

    # ------------------------------------------------------------ uncalled

    def _uncalled(self):
        """Records of the functional and built Sequential models never called
        at top level, in creation order, leaving out those that are layers of
        another listed model."""
        called = {id(record.layer) for record in self.models}
        records = []
        for layer, _, _, by_keras in list(self._created.values()):
            if (by_keras or id(layer) in called
                    or not isinstance(layer, self._graph_models)):
                continue
            graph = self._graph_of(layer)
            if graph is None:  # a Sequential never built
                continue
            record = Call(layer, None, single(shapes_of(list(graph.inputs))),
                          single(shapes_of(list(graph.outputs))), called=False,
                          leaf=self._is_builtin(layer))
            if not record.leaf:
                self._replay(record, list(graph.inputs))
            self._count_params(record)
            records.append(record)
        inner = set()
        for record in [*self.models, *records]:
            inner.update(self._inner_layers(record))
        return [record for record in records if id(record.layer) not in inner]

    def _inner_layers(self, record):
        """Ids of the layers inside the model of ``record``: those it was seen
        calling and those it tracks."""
        found = set()
        try:
            found.update(id(layer) for layer in
                         record.layer._flatten_layers(include_self=False))
        except Exception:
            pass

        def walk(calls):
            for inner in calls:
                found.add(id(inner.layer))
                walk(inner.calls)

        walk(record.calls)
        return found

    def _created_by_keras(self, layer):
        """Whether Keras's own code created ``layer`` inside a method of
        another layer (e.g. the graph a Sequential builds for itself)."""
        frame = sys._getframe(2)
        while frame is not None:
            owner = frame_self(frame)
            if (owner is not None and owner is not layer
                    and isinstance(owner, self._keras.layers.Layer)):
                return in_package(frame.f_code.co_filename, self._keras_folders)
            frame = frame.f_back
        return False

    def _creation_line(self, layer):
        """Innermost line of the program on the stack, outside the layer's own
        ``__init__`` chain (so a subclass's ``super().__init__()`` is skipped)."""
        frame = sys._getframe()
        while frame is not None:
            if frame.f_code.co_filename == self.filename and frame_self(frame) is not layer:
                return frame.f_lineno
            frame = frame.f_back
        return None

    # ------------------------------------------------------------ output

    def results(self):
        """The ``models`` and ``tensors`` of the FileRecord."""
        records = [*self.models, *self._uncalled()]
        return {"models": [self._model_json(record) for record in records],
                "tensors": list(self.tensors)}

    def _model_json(self, record):
        """A Model record; named by its explicit ``name=``, else its class."""
        model = record.layer
        created_line, explicit_name = self._creation(model)
        cls = type(model)
        own_class = cls.__module__ == "__main__" and cls.__qualname__ in self.class_lines
        return {
            "name": explicit_name or cls.__name__,
            "kind": self._kind(model),
            "class": cls.__name__,
            "line": class_line(cls, self.class_lines[cls.__qualname__]) if own_class else created_line,
            "input_shape": record.input_shape,
            "output_shape": record.output_shape,
            "params": record.params,
            "layers": self._layers_json(record),
            "called": record.called,
            "symbolic_output_shape": self._symbolic_output(record) if record.called else None,
        }

    def _symbolic_output(self, record):
        """What Keras's own shape inference (``compute_output_spec``) says the call gives,
        or ``{"error": ...}``: eager runs and symbolic inference can differ."""
        shapes = record.input_shape
        if shapes is None:
            return None
        keras = self._keras
        many = bool(shapes) and isinstance(shapes[0], list)
        inputs = [keras.KerasTensor(s) for s in shapes] if many else keras.KerasTensor(shapes)
        self._stack.append(None)  # record nothing inside
        self._building += 1
        try:
            return shapes_of(record.layer.compute_output_spec(inputs))
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            return {"error": f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:300]}"}
        finally:
            self._building -= 1
            self._stack.pop()

    def _creation(self, layer):
        """(line, name given explicitly) of the layer's creation, or Nones."""
        return self._created.get(id(layer), (None, None, None, None))[1:3]

    def _kind(self, model):
        if isinstance(model, self._keras.Sequential):
            return "sequential"
        if isinstance(model, self._functional):
            return "functional"
        return "subclass"

    def _layers_json(self, record):
        return [self._layer_json(inner) for inner in record.calls
                if not isinstance(inner.layer, self._keras.layers.InputLayer)]

    def _layer_json(self, record):
        layer = record.layer
        return {
            "name": attribute_name(record.holder, layer) or layer.name,
            "class": type(layer).__name__,
            "line": self._creation(layer)[0],
            "input_shape": record.input_shape,
            "output_shape": record.output_shape,
            "params": record.params,
            "layers": self._layers_json(record),
        }
