"""Run Keras programs under TensorFlow and record the shapes that really occur.

Usage: ``python -m shapecheck.verify.runner FILE [FILE...]``, or
``python -m shapecheck.verify.runner --stream`` (file paths on stdin, one per
line; one JSON FileRecord line back per file, each run in a fresh temporary
working folder: what ``shapecheck --verify`` drives).

Meant to run as a child process. It executes every FILE in this one process
(clearing the Keras session before each) and prints one JSON document to
stdout, ``{"files": [FileRecord, ...]}``, where a FileRecord is::

    {"path": str,
     "error": null | {"type": str, "message": str, "line": int | null},
     "models": [Model, ...],
     "tensors": [{"line": int, "column": int, "name": str, "shape": [...]}, ...]}

- ``models``: every ``keras.Model`` called at top level, in the order of its
  first call, with that call's shapes, its parameter count and the layer calls
  made directly inside it (``layers``, nested the same way for custom layers and
  inner models; built-in layers are leaves), and ``"called": true``. Then every
  functional or built Sequential model that is never called at top level and is
  not a layer of another listed model, in creation order, with its symbolic
  input/output shapes (batch ``null``) and ``"called": false``.
  Keras applies a functional or Sequential model to symbolic tensors (a
  ``keras.Input``) by shape inference only, without calling its layers; such a
  call, and an uncalled model, are replayed through the model's graph
  (``compute_output_spec`` of each layer, in graph order) to list its layers.
- ``tensors``: the shape of each name bound by an assignment, recorded by
  probes inserted after every assignment of the program's AST (first
  occurrence of each distinct line/column/name/shape, in execution order).
- ``error``: the exception the program raised, with the innermost line of the
  program in its traceback; whatever was recorded before it is kept.

The programs' own output goes to stderr; Keras datasets are replaced by zero
arrays of their real shapes and keras.applications build without ImageNet
weights files, so no download happens; an application's model is a leaf of
the record, like a built-in layer. This is the only module of
shapecheck that imports TensorFlow, and only when ``main`` runs.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import importlib
import inspect
import json
import operator
import os
import sys
import tempfile
import tokenize
import traceback
import types
from dataclasses import dataclass, field

TENSOR_HOOK = "__shapecheck_tensor__"

# Layers whose class lives in these packages are leaves: their inner layers
# are an implementation detail.
BUILTIN_PACKAGES = {"keras", "tf_keras", "tensorflow"}
# Set on the models keras.applications functions return (see patch_applications):
# leaves too.
APPLICATION_MARK = "_shapecheck_application"


# ---------------------------------------------------------------- shapes


def shape_of(value):
    """``value.shape`` as a list of ints and ``None``, or None if it has none."""
    try:
        shape = getattr(value, "shape", None)
        if shape is None or isinstance(shape, (str, bytes)):
            return None
        return [None if dim is None else operator.index(dim) for dim in shape]
    except Exception:  # no usable shape: unknown rank, odd objects, ...
        return None


def shapes_of(value):
    """The shape of a tensor, or the list of shapes of a list/tuple of them."""
    if isinstance(value, (list, tuple)):
        return [shape_of(item) for item in value]
    return shape_of(value)


def single(shapes):
    """A list of one shape as that shape."""
    return shapes[0] if isinstance(shapes, list) and len(shapes) == 1 else shapes


def first_input(args, kwargs):
    """The input of a layer call: the first positional argument, else ``inputs=``, else
    the first keyword argument that is an input (attention's ``query=``)."""
    if args:
        return args[0]
    if "inputs" in kwargs:
        return kwargs["inputs"]
    named = [v for k, v in kwargs.items() if k not in ("training", "mask")]
    return named[0] if named else None


# ---------------------------------------------------------------- source


class TensorProbes(ast.NodeTransformer):
    """Adds, after each assignment, a probe call reporting each assigned name.

    The probe is ``__shapecheck_tensor__(line, column, "name", name)``, placed on
    the assignment's line; columns are 1-based and count characters.
    """

    def __init__(self, source_lines):
        self._lines = source_lines

    def visit_Assign(self, node):
        return self._probed(node, node.targets)

    def visit_AnnAssign(self, node):
        return node if node.value is None else self._probed(node, [node.target])

    def visit_AugAssign(self, node):
        return self._probed(node, [node.target])

    def _probed(self, node, targets):
        probes = [self._probe(name) for target in targets
                  for name in assigned_names(target)]
        for probe in probes:
            ast.copy_location(probe, node)
            ast.fix_missing_locations(probe)
        return [node, *probes]

    def _probe(self, name):
        args = [ast.Constant(name.lineno), ast.Constant(self._column(name)),
                ast.Constant(name.id), ast.Name(name.id, ast.Load())]
        return ast.Expr(ast.Call(ast.Name(TENSOR_HOOK, ast.Load()), args, []))

    def _column(self, node):
        """1-based character column (the AST counts UTF-8 bytes)."""
        line = self._lines[node.lineno - 1].encode("utf-8")
        return len(line[:node.col_offset].decode("utf-8", "replace")) + 1


def assigned_names(target):
    """The plain names an assignment target binds, unpacking tuples/lists."""
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, ast.Starred):
        return assigned_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for item in target.elts for name in assigned_names(item)]
    return []  # attributes and subscripts


class ClassLines(ast.NodeVisitor):
    """Lines of the ``class`` statements, keyed by the class's ``__qualname__`` (a
    notebook-style file may define one name several times)."""

    def __init__(self):
        self.lines = {}
        self._scope = []

    def visit_ClassDef(self, node):
        self.lines.setdefault(".".join([*self._scope, node.name]), []).append(node.lineno)
        self._inside(node, node.name)

    def visit_FunctionDef(self, node):
        self._inside(node, f"{node.name}.<locals>")

    visit_AsyncFunctionDef = visit_FunctionDef

    def _inside(self, node, scope):
        self._scope.append(scope)
        self.generic_visit(node)
        self._scope.pop()


def class_line(cls, candidates):
    """The line of the ``class`` statement that made ``cls``: the last one before its
    first method (for a name defined several times in one file)."""
    methods = [f.__code__.co_firstlineno for f in vars(cls).values()
               if isinstance(f, types.FunctionType)]
    if not methods:
        return candidates[-1]
    before = [line for line in candidates if line <= min(methods)]
    return before[-1] if before else candidates[0]


def read_source(filename):
    """The program's text, decoded as Python decodes source files."""
    with tokenize.open(filename) as handle:  # honours coding cookies
        return handle.read()


def instrumented(source, filename):
    """The program compiled with tensor probes, and its class lines."""
    tree = ast.parse(source, filename)
    classes = ClassLines()
    classes.visit(tree)
    tree = TensorProbes(source.splitlines()).visit(tree)
    return compile(tree, filename, "exec"), classes.lines


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


# ---------------------------------------------------------------- running


def patch_datasets():
    """Make ``load_data`` of the image datasets return zero arrays, offline, of the
    shapes the static analysis knows them by (one table: ``shapecheck.library.data.DATASETS``)."""
    import numpy as np

    from shapecheck.library.data import DATASETS

    for name, splits in DATASETS.items():
        module = importlib.import_module(f"keras.src.datasets.{name}")
        original = module.load_data

        def load_data(*args, splits=splits, **kwargs):
            return tuple(tuple(np.zeros(s, np.uint8) for s in split) for split in splits)

        for loaded in list(sys.modules.values()):  # every public alias too
            namespace = getattr(loaded, "__dict__", {})
            if namespace.get("load_data") is original:
                namespace["load_data"] = load_data


# What get_file returns while an application builds with weights="imagenet".
NO_WEIGHTS_FILE = "<shapecheck: no ImageNet weights file>"


def patch_applications():
    """Make every ``keras.applications`` function (under each of its module aliases)
    build offline: with ``weights="imagenet"`` Keras still runs all its checks of the
    arguments and builds the same model as with ``weights=None`` (same shapes and
    counts), but nothing is downloaded and no weights are loaded. The models they
    return are marked leaves of the record."""
    import keras
    from keras.src.utils import file_utils

    applications = keras.applications
    for name in dir(applications):
        original = getattr(applications, name)
        if not (name[:1].isupper() and inspect.isfunction(original)):
            continue
        wrapper = offline_application(original, file_utils, keras.Model)
        for loaded in list(sys.modules.values()):  # every public alias too
            namespace = getattr(loaded, "__dict__", {})
            if namespace.get(name) is original:
                namespace[name] = wrapper


def offline_application(function, file_utils, model_class):
    """``function`` building without ImageNet weights files; its models marked."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def application(*args, **kwargs):
        try:
            weights = signature.bind(*args, **kwargs).arguments.get(
                "weights", signature.parameters["weights"].default)
        except (TypeError, KeyError):  # Keras's own call raises the TypeError
            weights = None
        if isinstance(weights, str) and weights == "imagenet":
            with no_weights_files(file_utils, model_class):
                model = function(*args, **kwargs)
        else:
            model = function(*args, **kwargs)
        object.__setattr__(model, APPLICATION_MARK, True)
        return model

    return application


@contextlib.contextmanager
def no_weights_files(file_utils, model_class):
    """``get_file`` downloads nothing and loading what it returned does nothing."""
    get_file, load_weights = file_utils.get_file, model_class.load_weights

    def load_no_weights(self, filepath, *args, **kwargs):
        if filepath is NO_WEIGHTS_FILE:
            return None
        return load_weights(self, filepath, *args, **kwargs)

    file_utils.get_file = lambda *args, **kwargs: NO_WEIGHTS_FILE
    model_class.load_weights = load_no_weights
    try:
        yield
    finally:
        file_utils.get_file, model_class.load_weights = get_file, load_weights


@contextlib.contextmanager
def as_main(filename):
    """A fresh ``__main__`` module for the program, its folder on sys.path."""
    module = types.ModuleType("__main__")
    module.__file__ = filename
    module.__builtins__ = builtins
    saved = sys.modules.get("__main__"), sys.path[:], sys.argv[:]
    sys.modules["__main__"] = module
    sys.path.insert(0, os.path.dirname(filename))
    sys.argv = [filename]
    try:
        yield module
    finally:
        sys.modules["__main__"], sys.path[:], sys.argv[:] = saved


def error_json(exc, filename):
    """The exception as ``{"type", "message", "line"}``; line is the innermost
    traceback line inside the program."""
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__)
             if frame.filename == filename]
    if not lines and isinstance(exc, SyntaxError) and exc.filename == filename:
        lines = [exc.lineno]
    return {"type": type(exc).__name__, "message": str(exc),
            "line": lines[-1] if lines else None}


def run_file(recorder, keras, path):
    """Execute one program and return its FileRecord."""
    keras.backend.clear_session()  # Keras's automatic names restart
    keras.config.disable_traceback_filtering()  # plain errors (reset by clear_session)
    filename = os.path.abspath(path)
    recorder.start(filename)
    error = None
    try:
        code, class_lines = instrumented(read_source(filename), filename)
        recorder.class_lines = class_lines
        with as_main(filename) as module:
            module.__dict__[TENSOR_HOOK] = recorder.on_tensor
            exec(code, module.__dict__)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            error = error_json(exc, filename)
    except Exception as exc:
        error = error_json(exc, filename)
    return {"path": path, "error": error, **recorder.results()}


def claim_stdout():
    """Keep the real stdout for the JSON; anything else written there (the
    programs' prints, native libraries) goes to stderr."""
    sys.stdout.flush()
    json_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    return json_out


def main(argv=None):
    paths = sys.argv[1:] if argv is None else argv
    json_out = claim_stdout()
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    recorder = Recorder(keras)
    recorder.install()
    patch_datasets()
    patch_applications()
    if paths == ["--stream"]:
        stream(recorder, keras, json_out)
        return 0
    files = [run_file(recorder, keras, path) for path in paths]
    json.dump({"files": files}, json_out)
    json_out.write("\n")
    json_out.close()
    return 0


def stream(recorder, keras, json_out):
    """Run each path read from stdin in a fresh temporary folder; answer one JSON line each."""
    home = os.getcwd()
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        with tempfile.TemporaryDirectory(prefix="shapecheck-verify-") as folder:
            os.chdir(folder)
            try:
                record = run_file(recorder, keras, os.path.join(home, path))
            finally:
                os.chdir(home)
        record["path"] = path
        json_out.write(json.dumps(record) + "\n")
        json_out.flush()


if __name__ == "__main__":
    sys.exit(main())
