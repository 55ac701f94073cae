"""Real-world benchmark: shapecheck against TensorFlow on a corpus of real Keras files.

    python bench/realworld.py DIR [--timeout 120] [--jobs 1] [-v] [--json OUT] [--site SITE] [--only TEXT]

For every entry of DIR/INDEX.tsv (tab-separated, first the path relative to DIR; # starts
a comment), or every *.py under DIR without one: TensorFlow runs the file under the
project's recorder (``shapecheck.verify.runner --stream``) in a child process (this module
with ``--child``; one child per job, renewed after 20 files, a hang or a crash). The
file's folder is on sys.path, then DIR/<first path part> (its project); the cwd is a
scratch folder linking every entry of the file's folder, so what a program writes stays
out of the corpus. The child makes training cheap without changing shapes (``fit``: one
epoch of one step; ``evaluate``: one step; ``predict``: one batch, repeated to the input's
rows; repeated ``predict`` / ``train_on_batch`` / ``test_on_batch`` calls return the
earlier result; ``tf.data`` iteration stops after two elements; ``plot_model`` draws
nothing) and raises ``BenchTimeout`` into a program after --timeout s. ``--site`` (or
$SHAPECHECK_BENCH_SITE) appends a folder of the packages programs import (matplotlib,
pandas, ...) to the child's sys.path. shapecheck checks the same file in this process
(``shapecheck.files.check_path``); then models (matched by line and name), error findings,
internal errors and what left models unknown are compared and reported.
"""

from __future__ import annotations

import argparse
import ast
import collections
import contextlib
import functools
import inspect
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.abspath(__file__)
GRACE, STATIC_TIMEOUT, FILES_PER_CHILD, MEMORY_CAP = 30, 60, 20, 16 * 1024 ** 3
# Exceptions that stop a program for a reason that is not its shapes (a bug set's pair that
# raises one of these is not a shape bug).
NON_SHAPE = {"ModuleNotFoundError", "ImportError", "FileNotFoundError", "OSError", "URLError",
             "ConnectionError", "NotFoundError", "BenchTimeout", "BenchFailed", "SystemExit",
             "EOFError", "NameError", "AttributeError", "UnrecognizedFlagError", "KeyError"}


# ---------------------------------------------------------------- the child (TensorFlow)


class BenchTimeout(Exception):
    """Raised into a program whose time is up."""


def cheap_training(keras, tf):
    """Patch Keras (and tf.data iteration) so that programs train one step at a time."""
    import numpy as np

    def rebound(method, change):  # call ``method`` with its bound arguments changed
        signature = inspect.signature(method)

        @functools.wraps(method)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            change(bound.arguments)
            return method(*bound.args, **bound.kwargs)
        return wrapper

    def arrays(x):
        return hasattr(x, "shape") or isinstance(x, (list, tuple, dict)) and all(
            arrays(v) for v in (x.values() if isinstance(x, dict) else x))

    def steps(a, **change):  # given steps and no batch_size, Keras makes one batch of everything
        if a.get("batch_size") is None and arrays(a.get("x")):
            a["batch_size"] = 32
        a.update(change)

    def one_step_fit(a):
        steps(a, epochs=(a.get("initial_epoch") or 0) + 1, steps_per_epoch=1)
        if a.get("validation_data") is not None or a.get("validation_split"):
            a["validation_steps"] = 1

    def all_rows(predict):  # one batch predicted, repeated to as many rows as the input has
        @functools.wraps(predict)
        def wrapper(self, *args, **kwargs):
            x = args[0] if args else kwargs.get("x")
            out = predict(self, *args, **kwargs)
            leaves = [v for v in keras.tree.flatten(x) if getattr(v, "shape", None)] if arrays(x) else []
            return keras.tree.map_structure(
                lambda o: np.resize(o, (leaves[0].shape[0], *o.shape[1:])) if getattr(o, "ndim", 0) else o,
                out) if leaves else out
        return wrapper

    def twice(method, key):  # run twice per model and key, then answer the last result
        seen = {}

        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            k = (id(self), key(args, kwargs))
            count, last = seen.get(k, (0, None))
            if count < 2:
                seen[k] = (count + 1, method(self, *args, **kwargs))
            return seen[k][1]
        return wrapper

    def input_shapes(args, kwargs):
        return repr(keras.tree.map_structure(
            lambda v: getattr(v, "element_spec", getattr(v, "shape", type(v))), args[:1] or kwargs.get("x")))

    model = keras.Model
    model.fit = rebound(model.fit, one_step_fit)
    model.evaluate = rebound(model.evaluate, lambda a: steps(a, steps=1))
    model.predict = twice(all_rows(rebound(model.predict, lambda a: steps(a, steps=1))), input_shapes)
    model.train_on_batch = twice(model.train_on_batch, lambda args, kwargs: None)
    model.test_on_batch = twice(model.test_on_batch, lambda args, kwargs: None)
    iterate = tf.data.Dataset.__iter__
    tf.data.Dataset.__iter__ = lambda self: iterate(self.take(2))
    # A picture of the model needs pydot and Graphviz, and changes no shape.
    from keras.src.utils import model_visualization
    for utils in (model_visualization, keras.utils, tf.keras.utils):
        utils.plot_model = lambda *args, **kwargs: None


def child(timeout, corpus, site):
    """Serve ``runner --stream`` (absolute paths on stdin), each file in its own folder."""
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(HERE)]
    if site:
        sys.path.append(site)  # after the virtualenv: never shadows its packages
    os.environ.update(TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow", MPLBACKEND="Agg",
                      CUDA_VISIBLE_DEVICES="")
    import keras
    import tensorflow as tf
    from absl import flags

    from shapecheck.verify import runner

    cheap_training(keras, tf)
    run_file, as_main, own_flags = runner.run_file, runner.as_main, set(flags.FLAGS)

    def in_own_folder(recorder, keras_, path):
        if not tf.executing_eagerly():  # a TF1 program left this process graph-mode: exit
            os._exit(3)
        for name, module in list(sys.modules.items()):  # the previous program's own modules
            if (getattr(module, "__file__", None) or "").startswith(corpus + os.sep):
                del sys.modules[name]
        for name in set(flags.FLAGS) - own_flags:  # and its absl flags
            delattr(flags.FLAGS, name)
        parts, saved = os.path.relpath(path, corpus).split(os.sep), sys.path[:]
        if len(parts) > 1:
            sys.path.insert(0, os.path.join(corpus, parts[0]))
        # cwd: a scratch folder linking every entry of the file's own folder, so that what the
        # program writes stays out of the corpus and away from programs run at the same time
        work, own = tempfile.mkdtemp(prefix="realworld-"), os.path.dirname(path)
        for name in os.listdir(own):
            os.symlink(os.path.join(own, name), os.path.join(work, name))
        os.chdir(work)
        try:
            return run_file(recorder, keras_, path)
        finally:
            os.chdir(own)
            shutil.rmtree(work, ignore_errors=True)  # the links, not what they point to
            sys.path[:] = saved
            keras.config.set_dtype_policy("float32")
            keras.config.set_image_data_format("channels_last")

    def time_up(signum, frame):
        signal.setitimer(signal.ITIMER_REAL, 5)  # again, should the program swallow it
        raise BenchTimeout(f"stopped by the bench after {timeout:g} s")

    @contextlib.contextmanager
    def timed_main(filename):
        with as_main(filename) as module:
            signal.signal(signal.SIGALRM, time_up)
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                yield module
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)

    runner.run_file, runner.as_main = in_own_folder, timed_main
    return runner.main(["--stream"])


# ---------------------------------------------------------------- running


def entries(folder):
    """(absolute path, INDEX fields) of every entry file."""
    index = os.path.join(folder, "INDEX.tsv")
    if not os.path.exists(index):
        return [(os.path.join(top, f), {}) for top, dirs, files in sorted(os.walk(folder))
                for f in sorted(files) if f.endswith(".py") and "/." not in top]
    with open(index, encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if line.strip() and line[0] != "#"]
    return [(os.path.join(folder, r[0]), dict(zip(("path", "repo", "commit", "what", "tags"), r)))
            for r in rows]


def _limit_memory():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


class Stream:
    """One streaming TensorFlow child."""

    def __init__(self, folder, args):
        self.err, self.lines, self.served = tempfile.TemporaryFile(), queue.Queue(), 0
        command = [sys.executable, HERE, "--child", folder, "--timeout", str(args.timeout),
                   "--site", args.site or ""]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.err, text=True, preexec_fn=_limit_memory)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def ask(self, path, limit):
        """(FileRecord, None), or (None, why) when the child died or hung."""
        try:
            self.process.stdin.write(path + "\n")
            self.process.stdin.flush()
            line = self.lines.get(timeout=limit)
        except queue.Empty:
            return None, f"no answer after {limit:g} s: killed"
        except OSError:
            line = None
        if line is None:
            return None, f"TensorFlow process died (exit status {self.process.wait()})"
        self.served += 1
        return json.loads(line), None

    def close(self):
        """Stop the child; the last lines of its stderr."""
        self.process.kill()
        self.process.wait()
        self.err.seek(0, 2)
        self.err.seek(max(0, self.err.tell() - 600))
        return self.err.read().decode("utf-8", "replace").strip().splitlines()[-3:]


def tensorflow_worker(todo, records, folder, args):
    """Run the files of ``todo`` until none is left, renewing the child as needed."""
    stream = None
    while True:
        try:
            path = todo.get_nowait()
        except queue.Empty:
            break
        began = time.time()
        for attempt in (1, 2):
            stream = stream or Stream(folder, args)
            fresh = stream.served == 0
            record, why = stream.ask(path, args.timeout + GRACE)
            if record is None:
                tail, stream = stream.close(), None
                if fresh or attempt == 2 or "killed" in why:
                    record = {"path": path, "failed": True, "models": [], "tensors": [], "stderr": tail,
                              "error": {"type": "BenchFailed", "message": why, "line": None}}
                    break
                continue  # the child had served other files: try once in a fresh one
            if stream.served >= FILES_PER_CHILD:
                stream.close()
                stream = None
            break
        records[path] = dict(record, seconds=round(time.time() - began, 1))
        print(f"  [{len(records)}] {os.path.relpath(path, folder)}: {len(record['models'])} models, "
              f"{(record['error'] or {}).get('type', 'ok')} ({records[path]['seconds']} s)",
              file=sys.stderr, flush=True)
    if stream:
        stream.close()


class StaticTimeout(BaseException):
    """shapecheck took longer than STATIC_TIMEOUT s on one file."""


def _static_time_up(signum, frame):
    raise StaticTimeout


def static_check(path):
    """shapecheck's FileReport (None after STATIC_TIMEOUT s) and the seconds it took."""
    from shapecheck.files import check_path

    began, report = time.perf_counter(), None
    signal.signal(signal.SIGALRM, _static_time_up)
    signal.setitimer(signal.ITIMER_REAL, STATIC_TIMEOUT)
    with contextlib.suppress(StaticTimeout):
        report = check_path(path)
    signal.setitimer(signal.ITIMER_REAL, 0)
    return report, time.perf_counter() - began


def run_all(paths, folder, args):
    """TensorFlow records (worker threads) and static reports (this thread) of all paths."""
    todo, records, reports, seconds = queue.Queue(), {}, {}, {}
    for path in paths:
        todo.put(path)
    workers = [threading.Thread(target=tensorflow_worker, args=(todo, records, folder, args))
               for _ in range(max(1, args.jobs))]
    for worker in workers:
        worker.start()
    for path in paths:
        reports[path], seconds[path] = static_check(path)
    for worker in workers:
        worker.join()
    return records, reports, seconds


# ---------------------------------------------------------------- comparing


def verdict(mine, real):
    """None when equal; "unknown" when shapecheck lacks what TensorFlow knows; "batch" when
    only batch dimensions differ; else "wrong"."""
    if mine == real:
        return None
    if mine is None or not isinstance(real, list) or not isinstance(mine, list):
        return "unknown" if mine is None else "wrong"
    pairs = list(zip(mine, real)) if real and isinstance(real[0], list) else [(mine, real)]
    if len(mine) != len(real) or any(a is not None and (not isinstance(a, list) or len(a) != len(b or []))
                                     for a, b in pairs):
        return "wrong"
    dims = [(x, y) for a, b in pairs if a is not None for x, y in zip(a[1:], b[1:])]
    if any(x != y and x is not None and not isinstance(x, str) for x, y in dims):
        return "wrong"
    return "unknown" if any(a is None for a, _ in pairs) or any(x != y for x, y in dims) else "batch"


def compare_models(real_models, report):
    """Per TensorFlow model: the static model of the same (name, line), and how they differ.
    An equal static model is taken first; a model TensorFlow built again alike at one line
    (a loop retrying until training succeeds) after its equal was taken counts once."""
    keys = ("input_shape", "output_shape", "params")
    ours = collections.defaultdict(list)
    for model in report.models if report else []:
        ours[(model.name, model.line)].append(model.to_json())
    taken = collections.defaultdict(list)
    for real in real_models:
        place, same = (real["name"], real["line"]), [real.get(k) for k in keys]
        free = ours.get(place, [])
        equal = next((m for m in free if [m.get(k) for k in keys] == same), None)
        if equal is None and any([m.get(k) for k in keys] == same for m in taken[place]):
            continue
        mine = equal if equal is not None else (free or [None])[0]
        if mine is not None:
            free.remove(mine)
            taken[place].append(mine)
        diffs = {} if mine is None else {k: v for k in keys if (v := verdict(mine.get(k), real.get(k)))}
        yield {"tf": real, "static": mine, "diffs": diffs,
               "status": "missing" if mine is None else "differs" if diffs else "exact"}


def judge_errors(source, record, report):
    """The file's error findings as confirmed / false / unjudged (at a line TensorFlow never
    ran, as it stopped before, or it gave no record)."""
    verdicts = {"confirmed": [], "false": [], "unjudged": []}
    findings = [d for d in (report.diagnostics if report else []) if d.severity == "error"]
    error = record["error"]
    if not findings:
        return verdicts
    try:
        nodes = list(ast.walk(ast.parse(source)))
    except (SyntaxError, ValueError):
        nodes = []
    defs = [(n.lineno, n.end_lineno) for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    ends = {}  # first line of a statement -> its last line (TensorFlow names a call's first line)
    for n in nodes:
        if isinstance(n, ast.stmt) and not isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.If, ast.For,
                                                          ast.While, ast.With, ast.Try)):
            ends[n.lineno] = max(ends.get(n.lineno, n.lineno), n.end_lineno)
    ran = {t["line"] for t in record["tensors"]} | {m["line"] for m in record["models"]} | {
        error and error.get("line")}
    ran.discard(None)

    def scope(line):  # the innermost function around a line
        return min((d for d in defs if d[0] <= line <= d[1]), key=lambda d: d[1] - d[0], default=None)

    progress = max((line for line in ran if scope(line) is None), default=0)

    def reached(line):  # roughly: did TensorFlow run this line before it stopped?
        where = scope(line)
        return line <= progress if where is None else any(where[0] <= r <= where[1] for r in ran)

    def after_the_stop(line, here):  # below TensorFlow's raise in its function, never run
        return scope(here) == scope(line) and here > ends.get(line, line) and not any(
            line < r <= here for r in ran)

    for d in findings:
        line = error and error.get("line")
        here = d.via[1] if d.via else d.line  # a finding in an imported file: the call reaching it
        at_error = bool(line) and line <= here <= ends.get(line, line)
        if record.get("failed") or (error and not at_error and not reached(here)) or (
                bool(line) and not at_error and after_the_stop(line, here)):
            kind = "unjudged"
        else:
            kind = "confirmed" if at_error else "false"
        verdicts[kind].append({"line": here, "code": d.code, "message": d.message, "tf_error": error and (
            f"{error['type']} at line {error.get('line')}: {_first(error['message'])}")})
    return verdicts


def _first(message):
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    return lines[0][:200] if lines else ""


def _layers(record):
    for layer in record.get("layers", []):
        yield layer
        yield from _layers(layer)


def blamed(miss, lines, known):
    """What a heuristic blames for one missed model (used while FileReport.gaps is missing)."""
    real, mine = miss["tf"], miss["static"]
    found = {f"layer {layer['class']} (not in shapecheck's layer table)" for layer in _layers(real)
             if known is not None and layer["class"] not in known}
    if mine is None:
        line = lines[real["line"] - 1] if 0 < (real.get("line") or 0) <= len(lines) else ""
        call = re.search(r"([A-Za-z_][\w.]*)\s*\(", line.split("=", 1)[-1])
        name = call.group(1).split(".")[-1] if call else "?"
        if real["kind"] == "subclass":
            name = "a Model subclass"
        elif re.match(r"ResNet|VGG|MobileNet|Inception|Xception|DenseNet|EfficientNet|NASNet|ConvNeXt", name):
            name = f"keras.applications.{name}"
        elif name not in ("Model", "Sequential"):
            name = "a user function"
        return found | {f"model not found: {real['kind']} model made by {name}"}
    theirs, ours = real.get("layers", []), mine.get("layers", [])
    for a, b in zip(ours, theirs):
        if (a["name"], a["class"]) != (b["name"], b["class"]):
            return found | {f"layers differ from {b['class']} on (name or order)"}
        if v := verdict(a.get("output_shape"), b.get("output_shape")):
            return found | {f"first {v} layer output: {b['class']}"}
    if len(ours) != len(theirs):
        return found | {"no layers listed" if not ours else "layer count differs"}
    return found | {f"{'/'.join(k.replace('_shape', '') for k in miss['diffs'])} "
                    f"{'/'.join(sorted(set(miss['diffs'].values())))} with every layer output equal"}


def analyse(paths, folder, records, reports):
    """Everything the bench reports, JSON-ready."""
    try:
        from shapecheck.layers import REGISTRY
        known = {name.rsplit(".", 1)[-1] for name in REGISTRY}
    except Exception:  # noqa: BLE001 - the package is being restructured
        known = None
    files, models, ranking, where = [], [], collections.Counter(), collections.defaultdict(list)
    uses_gaps = False
    for path in paths:
        record, report, rel = records[path], reports[path], os.path.relpath(path, folder)
        gaps = getattr(report, "gaps", None)
        uses_gaps |= gaps is not None
        with open(path, encoding="utf-8", errors="replace") as handle:
            source = handle.read()
        for m in compare_models(record["models"], report):
            if m["status"] != "exact":
                span = [x["line"] for x in [m["tf"], *_layers(m["tf"])] if x.get("line")] or [0]
                constructs = blamed(m, source.splitlines(), known) if gaps is None else {
                    c for c, line in gaps if m["static"] is None or min(span) <= line <= max(span)}
                for construct in constructs:
                    ranking[construct] += 1
                    where[construct].append(f"{rel}:{m['tf']['line']}")
            models.append({"file": rel, "name": m["tf"]["name"], "line": m["tf"]["line"],
                           "status": m["status"], "diffs": m["diffs"], "tf": _short(m["tf"]),
                           "static": _short(m["static"])})
        files.append({"file": rel, "tf_models": len(record["models"]), "tf_error": record["error"],
                      "tf_seconds": record.get("seconds"), "failed": bool(record.get("failed")),
                      "static_error": "static timeout" if report is None else report.error,
                      "static_models": len(report.models) if report else 0,
                      "errors": judge_errors(source, record, report)})
    return {"files": files, "models": models, "uses_gaps": uses_gaps,
            "constructs": [{"construct": c, "models": n, "where": where[c][:10]}
                           for c, n in ranking.most_common()]}


def _short(model):
    keys = ("name", "kind", "line", "input_shape", "output_shape", "params")
    return model and {k: model.get(k) for k in keys}


# ---------------------------------------------------------------- output


def summary(result, elapsed, static_seconds, verbose):
    files, models, out = result["files"], result["models"], []
    say = out.append
    exact = sum(m["status"] == "exact" for m in models)
    say(f"files run: {len(files)}; TensorFlow built models in {sum(f['tf_models'] > 0 for f in files)} "
        f"and ran {sum(f['tf_error'] is None for f in files)} to the end")
    say(f"models exact / total: {exact} / {len(models)} ({100 * exact / max(len(models), 1):.1f}%)")
    misses = collections.Counter("model not found by shapecheck" for m in models if m["status"] == "missing")
    misses.update(f"{k.replace('_shape', '')} differs ({v})" for m in models for k, v in m["diffs"].items())
    say("  misses (a model can differ in several ways; batch: only the batch dimension differs):")
    out.extend(f"    {n:5d}  {what}" for what, n in misses.most_common())
    for m in (m for m in models if m["status"] != "exact" and verbose):
        t, s = m["tf"], m["static"] or {}
        say(f"    {m['file']}:{m['line']} {m['name']} ({t['kind']}) {m['status']} {m['diffs'] or ''}\n"
            f"      TF: {_text(t['input_shape'])} -> {_text(t['output_shape'])}, {t['params']} params\n"
            f"      SC: {_text(s.get('input_shape'))} -> {_text(s.get('output_shape'))}, "
            f"{s.get('params')} params")
    false = [(f, e) for f in files for e in f["errors"]["false"]]
    unjudged = [(f, e) for f in files for e in f["errors"]["unjudged"]]
    say(f"files with a false error finding: {len({f['file'] for f, _ in false})} ({len(false)} findings; "
        f"{sum(len(f['errors']['confirmed']) for f in files)} confirmed by TensorFlow, "
        f"{len(unjudged)} not judged)")
    out.extend(f"    {f['file']}:{e['line']} {e['code']} {e['message'][:160]}"
               + (f"\n      TF raised {e['tf_error']}" if e["tf_error"] else "") for f, e in false)
    if unjudged:
        say("  not judged (TensorFlow stopped before them for a non-shape reason, or gave no record):")
        out.extend(f"    {f['file']}:{e['line']} {e['code']} {e['message'][:120]}\n      TF: {e['tf_error']}"
                   for f, e in unjudged)
    internal = [f for f in files
                if (f["static_error"] or "").startswith(("internal error", "static timeout"))]
    say(f"internal errors: {len(internal)}")
    out.extend(f"    {f['file']}: {f['static_error'][:200]}" for f in internal)
    how = "from FileReport.gaps" if result["uses_gaps"] else (
        "FileReport.gaps does not exist yet, so by heuristic: layer classes TF recorded that "
        "shapecheck's layer table lacks, what made a model shapecheck did not find, else the first "
        "layer whose output differs")
    say(f"what left models unknown, by missed models touched ({how}):")
    out.extend(f"    {r['models']:5d}  {r['construct']}   e.g. {', '.join(r['where'][:2])}"
               for r in result["constructs"][:25])
    failed = collections.Counter(f["tf_error"]["type"] for f in files if f["tf_error"])
    say(f"files TensorFlow failed on: {sum(failed.values())} ("
        + ", ".join(f"{t} {n}" for t, n in failed.most_common()) + ")")
    say(f"time: {elapsed:.0f} s wall; static checks {static_seconds:.1f} s")
    return "\n".join(out)


def _text(shape):
    return "?" if shape is None else json.dumps(shape).replace(" ", "").replace("null", "None")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", help="corpus folder (with INDEX.tsv, or any folder of *.py)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per file under TensorFlow")
    parser.add_argument("--jobs", type=int, default=1, help="TensorFlow processes at a time")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each miss, both sides")
    parser.add_argument("--json", metavar="OUT", help="write the full results as JSON")
    parser.add_argument("--site", default=os.environ.get("SHAPECHECK_BENCH_SITE"),
                        help="folder of packages the programs import, appended to their sys.path")
    parser.add_argument("--only", metavar="TEXT", help="only the entries whose path contains TEXT")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.timeout, args.child, args.site)
    if not args.dir:
        parser.error("DIR is required")
    began, folder = time.time(), os.path.abspath(args.dir)
    rows = [(path, fields) for path, fields in entries(folder) if args.only is None or args.only in path]
    paths = [path for path, _ in rows]
    records, reports, seconds = run_all(paths, folder, args)
    result = analyse(paths, folder, records, reports)
    elapsed = time.time() - began
    print(summary(result, elapsed, sum(seconds.values()), args.verbose))
    if args.json:
        index = {os.path.relpath(path, folder): fields for path, fields in rows}
        for f in result["files"]:
            f["index"] = index.get(f["file"], {})
        result.update(seconds=round(elapsed, 1), static_seconds=round(sum(seconds.values()), 2))
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
