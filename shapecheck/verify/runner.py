"""Run Keras programs under TensorFlow and record the shapes that really occur.

Usage: ``python -m shapecheck.verify.runner FILE [FILE...]``, or
``python -m shapecheck.verify.runner --stream`` (file paths on stdin, one per
line; one JSON FileRecord line back per file, each run in a fresh temporary
working folder: what ``shapecheck --verify`` drives).

A FILE ending in ``.ipynb`` runs as the program of its code cells that the static
analysis reads (``shapecheck.notebooks``), so lines mean the same on both sides.

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
the record, like a built-in layer (``offline``). The recorder (``recorder``) and the
source probes (``source``) are its parts; these modules are the only ones of shapecheck
that import TensorFlow, and only in this child, when ``main`` runs.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import sys
import tempfile
import traceback
import types

from shapecheck.project import Project
from shapecheck.verify.offline import patch_applications, patch_datasets
from shapecheck.verify.recorder import Recorder
from shapecheck.verify.source import TENSOR_HOOK, instrumented, read_source

# ---------------------------------------------------------------- running


@contextlib.contextmanager
def as_main(filename):
    """A fresh ``__main__`` module for the program, its folder on sys.path, then the other
    folders its project's imports are looked up in (``Project.roots``: the folders above it
    up to the project's, and its ``src/``, as an installed package is importable)."""
    module = types.ModuleType("__main__")
    module.__file__ = filename
    module.__builtins__ = builtins
    saved = sys.modules.get("__main__"), sys.path[:], sys.argv[:]
    sys.modules["__main__"] = module
    sys.path[:0] = Project.roots(filename)
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
    """Execute one program and return its FileRecord. Keras's global settings a program
    changes (the image data format, the float type) are put back after it, so that the
    next program starts as it would alone."""
    keras.backend.clear_session()  # Keras's automatic names restart
    keras.config.disable_traceback_filtering()  # plain errors (reset by clear_session)
    settings = keras.config.image_data_format(), keras.config.floatx(), keras.config.epsilon()
    try:
        return _run(recorder, path)
    finally:
        keras.config.set_image_data_format(settings[0])
        keras.config.set_floatx(settings[1])
        keras.config.set_epsilon(settings[2])


def _run(recorder, path):
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
