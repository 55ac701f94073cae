"""Write ``shapecheck/library/applications.json``: what the static checker knows about
``keras.applications``, derived from the installed Keras and checked against it.

Run by hand after a Keras upgrade: ``python tools/applications_table.py [--jobs N]``.
It builds every application (``weights=None``; ``'imagenet'`` only where Keras raises
before downloading anything, or with the download and the loading of the weights
stubbed out) and records, per application:

- the constructor's parameters with their defaults (``inspect.signature``), its
  module aliases, the default ``name`` (MobileNet/MobileNetV2: a template found by
  building at other alphas and sizes);
- the default / minimum input size Keras's ``obtain_input_shape`` is called with
  (caught by a spy), the sizes that select another default size (MobileNet/V2), the
  alphas and depth multipliers accepted with ImageNet weights;
- the spatial size function: the graph is simulated for every input size 1..NMAX
  (conv / pool / pad / crop, each merge requiring its inputs to agree), the ops of
  one path are kept (``correct_pad`` paddings, tagged by spying on it, as their own
  kind) and the sizes where the graph is valid, also for a ``None`` height (then
  ``correct_pad`` pads every width as if it were even);
- the parameter count (trainable, non-trainable) as base + slope * (channels - 3)
  + (include_top) per_class * classes + constant + per_area * H * W, each coefficient
  from two builds and checked with others;
- the ``ValueError`` messages Keras raises, turned into templates.

Then every build's result is compared with ``shapecheck.library.applications``
reading the new table; the file is written only if all of them agree.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import inspect
import json
import math
import os
import re
import sys
import tempfile
import time
import types
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "shapecheck" / "library" / "applications.json"
NMAX = 1024  # input sizes simulated: 1..NMAX
CONV = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")
POOL = ("MaxPooling2D", "AveragePooling2D")
ELEMWISE = ("Add", "Multiply", "Subtract", "Average", "Maximum", "Minimum")
FAMILIES = ("mobilenet", "mobilenet_v2", "mobilenet_v3", "nasnet", "convnext", "efficientnet_v2")
SENTINEL = "custom_model"
# How to fix each error (appended to Keras's message).
FIXES = {
    "weights": "use None, 'imagenet' or the path of a weights file",
    "classes": "ImageNet weights have 1000 classes: use weights=None, or include_top=False "
               "and a head of your own",
    "units": "use classes of at least 1",
    "activation": "use 'softmax' or None with pretrained weights",
    "fixed": "use input_shape={default_shape} or include_top=False",
    "len": "give input_shape as (height, width, channels)",
    "channels": "ImageNet weights need 3 channels: use weights=None or a 3-channel input",
    "min": "use input_shape of at least ({m}, {m}, {channels})",
    "min_v3": "use an input of at least {m}x{m}",
    "static": "give input_shape a fixed height and width, or use include_top=False",
    "alpha": "ImageNet weights exist for alpha in {alphas}",
    "depth_multiplier": "ImageNet weights exist for depth_multiplier=1 only",
    "nasnet_none": "give a fixed input_shape",
    "name": "ImageNet weights need a name containing '{weights_name}'",
    "name_v2": "the name picks the architecture: use one of {names}",
    "tensor": "pass a Keras tensor (keras.Input) as input_tensor",
    "tensor_and_shape": "pass a Keras tensor (keras.Input) as input_tensor",
    "tensor_width": "make input_shape match input_tensor, or leave it out",
    "tensor_channels": "use a 3-channel input_tensor, or include_preprocessing=False",
    "graph": "{app} needs an input of at least {low}x{low}",
    "graph_hnone": "with a None height Keras pads every width as if even: give the height too",
    "graph_hnone_merge": "with a None height Keras pads every width as if even, and at this "
                         "width the branches disagree: give the height too",
    "none_w": "a None width needs a None height too",
    "top_static": "the Flatten top needs a fixed height and width: give them, or use "
                  "include_top=False",
}

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Abort(Exception):
    """Raised by a spy to stop a constructor once it has shown what it does."""


@contextlib.contextmanager
def patched(obj, attr, value):
    old = getattr(obj, attr)
    setattr(obj, attr, value)
    try:
        yield
    finally:
        setattr(obj, attr, old)


def _abort(*args, **kwargs):
    raise Abort()


def keras_modules():
    import keras
    from keras.src import layers
    from keras.src.applications import imagenet_utils
    from keras.src.utils import file_utils
    return keras, layers, imagenet_utils, file_utils


def cheap():
    """Variables are made but never initialised: building is several times faster."""
    from keras.src.backend import StatelessScope
    return StatelessScope(initialize_variables=False)


def attempt(fn, **kw):
    """``("ok", model)``, ``("abort", None)`` or ``("error", exc)``; never downloads."""
    _, _, _, file_utils = keras_modules()
    with patched(file_utils, "get_file", _abort), cheap():
        try:
            return "ok", fn(**kw)
        except Abort:
            return "abort", None
        except Exception as exc:  # noqa: BLE001 - what Keras raises is the data
            return "error", exc


@contextlib.contextmanager
def offline_imagenet():
    """``weights='imagenet'`` builds completely: no download, loading skipped."""
    keras, _, _, file_utils = keras_modules()
    dummy = "<no weights>"
    load = keras.Model.load_weights

    def load_weights(self, path, *args, **kwargs):
        return None if path == dummy else load(self, path, *args, **kwargs)

    with patched(file_utils, "get_file", lambda *a, **k: dummy), \
            patched(keras.Model, "load_weights", load_weights):
        yield


def ois_args(fn, **kw):
    """The arguments the constructor passes to ``obtain_input_shape`` (then stopped)."""
    _, _, imagenet_utils, _ = keras_modules()
    seen = {}

    def spy(input_shape, default_size, min_size, data_format, require_flatten, weights=None):
        seen.update(input_shape=input_shape, default_size=default_size, min_size=min_size,
                    require_flatten=require_flatten)
        raise Abort()

    with patched(imagenet_utils, "obtain_input_shape", spy):
        attempt(fn, **kw)
    return seen or None


def before_graph(fn, **kw):
    """What the constructor does before it makes its input layer: ``"abort"`` (checks
    passed) or the exception."""
    _, layers, _, _ = keras_modules()
    with patched(layers, "Input", _abort):
        outcome, value = attempt(fn, **kw)
    assert outcome != "ok"
    return value if outcome == "error" else "abort"


# ---------------------------------------------------------------- builds


def counts(model):
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    return [trainable, int(model.count_params()) - trainable]


class Builder:
    """Builds one application and keeps each build's result as an observation."""

    def __init__(self, app):
        import keras
        self.app, self.fn, self.keras = app, getattr(keras.applications, app), keras
        self.observations = []

    def kwargs(self, kw):
        return {"weights": None, **kw}

    def build(self, keep=False, **kw):
        """The built model's record (and the model and correct_pad tags if ``keep``)."""
        _, _, imagenet_utils, _ = keras_modules()
        kw = self.kwargs(kw)
        calls = []
        original = imagenet_utils.correct_pad

        def correct_pad(inputs, kernel_size):
            calls.append((inputs, kernel_size))
            return original(inputs, kernel_size)

        with patched(imagenet_utils, "correct_pad", correct_pad), cheap():
            if kw.get("weights") == "imagenet":
                with offline_imagenet():
                    model = self.fn(**self.tensor(kw))
            else:
                model = self.fn(**self.tensor(kw))
        record = {"name": model.name, "input_shape": list(model.input_shape),
                  "output_shape": list(model.output_shape), "params": counts(model)}
        self.observations.append({"kw": kw, "result": record})
        if not keep:
            self.keras.backend.clear_session()
            return record
        tags = {}
        for layer in model._flatten_layers(include_self=False, recursive=True):
            if type(layer).__name__ == "ZeroPadding2D":
                for tensor, k in calls:
                    if layer.input is tensor:
                        tags[id(layer)] = k if isinstance(k, int) else k[0]
        return record, model, tags

    def tensor(self, kw):
        """``input_tensor`` is recorded as its shape (batch first) and made here."""
        kw = dict(kw)
        if isinstance(kw.get("input_tensor"), tuple):
            kw["input_tensor"] = self.keras.Input(batch_shape=kw["input_tensor"])
        return kw

    def fails(self, keyword, **kw):
        """Build expecting an exception; returns it (and records the expected error)."""
        kw = self.kwargs(kw)
        outcome, value = attempt(self.fn, **self.tensor(kw))
        self.keras.backend.clear_session()
        assert outcome == "error", (self.app, kw, outcome)
        self.observations.append({"kw": kw, "error": keyword})
        return value


# ---------------------------------------------------------------- spatial


class Size:
    """One axis of a tensor in the simulation: its size and validity for every
    input size 1..NMAX, and the ops from the input (None: not a function of it)."""

    def __init__(self, s, ok, ops):
        self.s, self.ok, self.ops = s, ok, ops


def simulate(model, tags, axis, hnone, seen=None):
    """The model output's Size along ``axis``; ``hnone``: the height is None; ``seen``
    (a dict) gets each layer's Size by its name."""
    import numpy as np
    keras = keras_modules()[0]

    def apply(op, *args, **kwargs):
        size = step(op, *args, **kwargs)
        if seen is not None:
            seen[op.name] = size
        return size

    def step(op, *args, **kwargs):
        x = args[0] if args else next(iter(kwargs.values()))
        if isinstance(x, (list, tuple)) and len(x) == 1:
            x = x[0]
        name = type(op).__name__
        if isinstance(op, keras.Model):
            graph = op._functional if isinstance(op, keras.Sequential) else op
            return graph._run_through_graph([x], operation_fn=lambda o: functools.partial(apply, o))
        if isinstance(x, (list, tuple)):  # a merge: the inputs must agree
            s, ok = x[0].s, x[0].ok.copy()
            for part in x[1:]:
                ok &= part.ok
                if name in ELEMWISE:  # broadcasting a size of 1
                    ok &= (s == part.s) | (s == 1) | (part.s == 1)
                    s = np.where(s == 1, part.s, s)
                else:
                    ok &= s == part.s
            return Size(s, ok, next((p.ops for p in x if p.ops is not None), None))
        step = None
        if name in CONV or name in POOL:
            if name in CONV:
                k, stride, d = op.kernel_size[axis], op.strides[axis], op.dilation_rate[axis]
            else:
                k, stride, d = op.pool_size[axis], op.strides[axis], 1
            span = d * (k - 1) + 1
            if op.padding == "valid":
                s = (x.s - span) // stride + 1
                ok = x.ok & (s > 0)
                step = None if span == stride == 1 else ["v", span, stride]
            else:
                s, ok = (x.s - 1) // stride + 1, x.ok
                step = None if stride == 1 else ["s", stride]
        elif name == "ZeroPadding2D" and id(op) in tags:
            k = tags[id(op)]
            s, ok, step = x.s + k // 2 - (1 if hnone else 1 - x.s % 2) + k // 2, x.ok, ["c", k]
        elif name in ("ZeroPadding2D", "Cropping2D"):
            a, b = op.padding[axis] if name == "ZeroPadding2D" else [-c for c in op.cropping[axis]]
            s, step = x.s + a + b, ["p", a + b]
            ok = x.ok & (s > 0)
        elif name.startswith("Global"):
            return Size(np.ones_like(n) if op.keepdims else None, x.ok, None)
        elif name == "Reshape":
            fixed = axis < len(op.target_shape)  # (MobileNet's top reshapes to the classes)
            return Size(np.full_like(n, op.target_shape[axis]) if fixed else None, x.ok, None)
        else:  # shape-preserving (checked by comparing builds with the ops)
            return x
        ops = None if x.ops is None else (x.ops if step is None else x.ops + [step])
        return Size(s, ok, ops)

    n = np.arange(1, NMAX + 1)
    return model._run_through_graph([Size(n, np.ones(NMAX, bool), [])],
                                    operation_fn=lambda o: functools.partial(apply, o))


def run_ops(ops, n, hnone=False):
    """Keras's size after ``ops`` for an input size ``n`` (int or array)."""
    for op in ops:
        if op[0] == "v":
            n = (n - op[1]) // op[2] + 1
        elif op[0] == "s":
            n = (n - 1) // op[1] + 1
        elif op[0] == "p":
            n = n + op[1]
        else:
            n = n + op[1] // 2 - (1 if hnone else 1 - n % 2) + op[1] // 2
    return n


def intervals(ok):
    """Valid sizes as ``[[first, last], ...]``; ``last`` None: open-ended."""
    runs, start = [], None
    for i, good in enumerate(list(ok) + [False]):
        if good and start is None:
            start = i + 1
        elif not good and start is not None:
            runs.append([start, None if i == NMAX else i])
            start = None
    return runs


def spatial(model, tags):
    """Ops per axis and the valid sizes (height, width, width under a None height)."""
    import numpy as np
    ops, valid = [], []
    for axis, hnone in ((0, False), (1, False), (1, True)):
        out = simulate(model, tags, axis, hnone)
        good = out.ok
        assert (run_ops(out.ops, np.arange(1, NMAX + 1), hnone)[good] == out.s[good]).all()
        if not hnone:
            ops.append(out.ops)
        valid.append(intervals(good))
    return ops, valid


def first_valid(runs):
    return runs[0][0]


def is_valid(runs, n):
    return any(a <= n and (b is None or n <= b) for a, b in runs)


# ---------------------------------------------------------------- messages


def text_of(exc):
    text = ANSI.sub("", str(exc))
    return text if isinstance(exc, ValueError) else f"{type(exc).__name__}: {text}"


def core(exc):
    """The reason in a long layer-call error, without the probe's own numbers."""
    text = re.sub(r"\{\{.*?\}\}\s*", "", ANSI.sub("", str(exc)))
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith(
        ("Exception encountered", "Arguments received", "•"))]
    return re.split(r" Received|\. Full shape| \[Op:", lines[0])[0].rstrip(". ") + "."


def template(exc, **values):
    """Keras's message with each probe value replaced by ``{placeholder}``."""
    text = text_of(exc).replace("{", "{{").replace("}", "}}")
    text = re.sub(r"<function \w+ at 0x[0-9a-f]+>", "{classifier_activation}", text)
    for key, value in sorted(values.items(), key=lambda kv: -len(kv[1])):
        text = text.replace(value, "{" + key + "}")
    return text


# ---------------------------------------------------------------- one application


def analyse(app):
    """(app, entry, observations, seconds), or (app, None, the traceback, seconds)."""
    start = time.time()
    try:
        return _analyse(app)
    except Exception:  # noqa: BLE001 - reported with the others
        import traceback
        return app, None, traceback.format_exc(), time.time() - start


def _analyse(app):
    """Everything recorded for ``app``: (app, entry, observations, seconds)."""
    import numpy as np
    keras, layers, _, _ = keras_modules()
    start = time.time()
    b = Builder(app)
    fn = b.fn
    family = fn.__module__.rsplit(".", 1)[1]
    family = family if family in FAMILIES else "std"
    sig = [[p.name, p.default] for p in inspect.signature(fn).parameters.values()]
    names = [p for p, _ in sig]
    entry = {"family": family, "sig": sig, "errors": {}}
    errors = entry["errors"]

    # ---- sizes obtain_input_shape is given
    if family == "mobilenet_v3":
        accepted = [s for s in range(1, 65)
                    if before_graph(fn, weights=None, include_top=False, input_shape=(s, s, 3)) == "abort"]
        entry["min_size"] = accepted[0]
        assert accepted == list(range(accepted[0], 65))
        small = before_graph(fn, weights=None, include_top=False, input_shape=(17, 19, 3))
        errors["min"] = template(small, input_shape="(17, 19, 3)")
    else:
        seen = ois_args(fn, weights=None, include_top=False)
        entry["default_size"], entry["min_size"] = seen["default_size"], seen["min_size"]
        if seen["input_shape"] is not None:  # NASNetMobile: a fixed shape without top
            entry["notop_shape"] = list(seen["input_shape"])
        assert ois_args(fn, weights=None, include_top=True)["require_flatten"] is True
        assert ois_args(fn, weights=None, include_top=False, input_shape=(64, 64, 3))[
            "require_flatten"] is False
    m = entry["min_size"]
    if family in ("mobilenet", "mobilenet_v2"):
        entry["sizes"] = [s for s in range(1, NMAX + 1) if ois_args(
            fn, weights=None, include_top=False, input_shape=(s, s, 3))["default_size"] == s]
        s0 = entry["sizes"][0]
        assert ois_args(fn, weights=None, include_top=False,
                        input_shape=(s0, s0 + 1, 3))["default_size"] == entry["default_size"]
        if family == "mobilenet_v2":  # the default size follows the tensor too
            for s in (s0, s0 + 1):
                got = ois_args(fn, weights=None, include_top=False,
                               input_tensor=keras.Input((s, s, 3)))["default_size"]
                assert got == (s if s in entry["sizes"] else entry["default_size"])

    # ---- what ImageNet weights accept
    grid = sorted({round(0.05 * i, 2) for i in range(1, 41)})
    probe = {"weights": "imagenet", "include_top": False, "input_shape": (224, 224, 3)}
    if family in ("mobilenet", "mobilenet_v2"):
        outcomes = {a: before_graph(fn, alpha=a, **probe) for a in grid}
        entry["alphas"] = [a for a, v in outcomes.items() if v == "abort"]
        errors["alpha"] = template(outcomes[0.05], alpha="0.05")
    if family == "mobilenet":
        outcomes = {d: before_graph(fn, depth_multiplier=d, **probe) for d in (1, 2, 3)}
        entry["depth_multipliers"] = [d for d, v in outcomes.items() if v == "abort"]
        errors["depth_multiplier"] = template(outcomes[3], depth_multiplier="3")
    if family == "mobilenet_v3":
        entry["alphas"] = {}
        for minimal in (False, True):
            outcomes = {a: before_graph(fn, alpha=a, minimalistic=minimal, **probe) for a in grid}
            entry["alphas"][str(int(minimal))] = [a for a, v in outcomes.items() if v == "abort"]
        errors["alpha"] = template(outcomes[0.05], alpha="0.05")

    # ---- the spatial function, from one build
    rec, model, tags = b.build(keep=True, include_top=False, input_shape=(m + 1, m + 6, 3))
    ops, valid = spatial(model, tags)
    del model
    keras.backend.clear_session()
    entry["ops"], entry["valid"] = ops, valid
    corrected = any(op[0] == "c" for op in ops[1])

    def out_size(h, w):
        hh = None if h is None else int(run_ops(ops[0], h))
        ww = None if w is None else int(run_ops(ops[1], w, hnone=h is None))
        return [hh, ww]

    def check_spatial(record, h, w):
        assert record["output_shape"][1:3] == out_size(h, w), (app, h, w, record)

    check_spatial(rec, m + 1, m + 6)
    sized = []
    for h, w, c in ((m, m, 1), (m + 13, 2 * m + 7, 4), (3 * m + 1, m + 32, 3)):
        sized.append(b.build(include_top=False, input_shape=(h, w, c)))
        check_spatial(sized[-1], h, w)

    # ---- graph limits below the minimum Keras enforces (reachable with input_tensor)
    lo = max(first_valid(valid[0]), first_valid(valid[1]))
    assert valid[0] == [[valid[0][0][0], None]] and valid[1] == [[valid[1][0][0], None]]
    if lo > 1:
        exc = b.fails("input_tensor", include_top=False, input_tensor=(None, lo - 1, lo - 1, 3))
        errors["graph"] = core(exc)
    small = sorted(n for n in {lo, m - 1} if lo <= n < m)
    if family == "mobilenet_v3":  # the tensor's size goes through the minimum check
        for n in small:
            b.fails("input_tensor", include_top=False, input_tensor=(None, n, n, 3))
        small = []
    sub = [b.build(include_top=False, input_tensor=(None, n, n, 3)) for n in small]
    for n, record in zip(small, sub):
        check_spatial(record, n, n)
    entry["sub_min_params"] = all(r["params"] == rec["params"] for r in sub)
    # a None height (the width then pads as if even); a None width
    w = next(n for n in range(m + 1, NMAX) if is_valid(valid[2], n))
    check_spatial(b.build(include_top=False, input_shape=(None, w, 3)), None, w)
    w_bad = [n for n in range(1, NMAX) if not is_valid(valid[2], n)]
    if w_bad and w_bad[0] < first_valid(valid[2]):  # too small
        errors["graph_hnone"] = core(b.fails("input_tensor", include_top=False,
                                             input_tensor=(None, None, w_bad[0], 3)))
    holes = [n for n in w_bad if n > first_valid(valid[2])]
    if holes:  # branches that disagree (NASNet), at sizes input_shape accepts
        assert holes[0] >= m
        errors["graph_hnone_merge"] = core(b.fails("input_shape", include_top=False,
                                                   input_shape=(None, holes[0], 3)))
    if corrected:
        exc = b.fails("input_shape", include_top=False, input_shape=(m, None, 3))
        errors["none_w"] = text_of(exc)
    else:
        check_spatial(b.build(include_top=False, input_shape=(m, None, 3)), m, None)
    none = b.build(include_top=False, input_shape=(None, None, 3))
    assert none["output_shape"][1:3] == [None, None]

    # ---- parameter counts, per variant
    def diff(x, y):
        return [p - q for p, q in zip(x, y)]

    def per(x, k):
        assert all(v % k == 0 for v in x), (app, x, k)
        return [v // k for v in x]

    def area(h, w):
        hh, ww = out_size(h, w)
        return hh * ww

    variants = {}
    if family in ("mobilenet", "mobilenet_v2"):
        choices = [({"alpha": a}, repr(float(a))) for a in entry["alphas"]]
    elif family == "mobilenet_v3":
        alphas = sorted(set(entry["alphas"]["0"]) | set(entry["alphas"]["1"]))
        choices = [({"alpha": a, "minimalistic": mi}, f"{float(a)!r}/{int(mi)}")
                   for a in alphas for mi in (False, True)]
    else:
        choices = [({}, "")]
    defaults = dict(sig)
    for extra, key in choices:
        default = all(defaults[k] == v for k, v in extra.items())
        s1, s2 = (m, m), (m + 13, 2 * m + 7)
        base = rec if default else b.build(include_top=False, input_shape=(m + 1, m + 6, 3), **extra)
        if default:
            one, four = sized[0], sized[1]
        else:
            one = b.build(include_top=False, input_shape=(*s1, 1), **extra)
            four = b.build(include_top=False, input_shape=(*s2, 4), pooling="max", **extra)
        slope = per(diff(four["params"], one["params"]), 3)
        assert diff(base["params"], one["params"]) == [2 * v for v in slope], (app, key)
        top1000 = b.build(include_top=True, input_shape=(*s1, 3), **extra)
        top10 = b.build(include_top=True, input_shape=(*s1, 3), classes=10, **extra)
        top10b = b.build(include_top=True, input_shape=(*s2, 3), classes=10, **extra)
        cls = per(diff(top1000["params"], top10["params"]), 990)
        t10 = diff(top10["params"], base["params"])
        t10b = diff(top10b["params"], base["params"])
        a1, a2 = area(*s1), area(*s2)
        per_area = per(diff(t10b, t10), a2 - a1) if a2 != a1 else [0, 0]
        const = [t - 10 * c - a1 * p for t, c, p in zip(t10, cls, per_area)]
        features = base["output_shape"][-1]
        variant = {"features": features, "base": base["params"], "slope": slope,
                   "top": [cls, const, per_area]}
        # checks: another size, 2 channels, 7 classes (pooling ignored with a top)
        h, w = 3 * m + 1, m + 32
        got = b.build(include_top=True, input_shape=(h, w, 2), classes=7, pooling="avg", **extra)
        want = [bb - s + 7 * c + k + area(h, w) * p
                for bb, s, c, k, p in zip(base["params"], slope, cls, const, per_area)]
        assert got["params"] == want and got["output_shape"] == [None, 7], (app, key, got, want)
        if default:
            got = b.build(include_top=False, input_shape=(h, w, 3), pooling="max")
            assert got["params"] == base["params"] and got["output_shape"] == [None, features]
            if none["params"] != base["params"]:
                variant["wnone"] = none["params"]
        else:
            check_spatial(base, m + 1, m + 6)
        variants[key] = variant
    entry["variants"] = variants
    if family == "mobilenet":  # depth_multiplier changes the counts only
        got = b.build(include_top=False, input_shape=(m + 1, m + 6, 3), depth_multiplier=2)
        check_spatial(got, m + 1, m + 6)
        assert got["output_shape"][-1] == rec["output_shape"][-1]

    # ---- the preprocessing normalisation: a tensor's channels must then be 3
    outcome, exc = attempt(fn, weights=None, include_top=False,
                           input_tensor=keras.Input((m + 2, m + 2, 1)))
    keras.backend.clear_session()
    entry["norm"] = outcome == "error"
    plain = {"include_preprocessing": False} if entry["norm"] else {}
    if entry["norm"]:
        b.observations.append({"kw": {"weights": None, "include_top": False,
                                      "input_tensor": (None, m + 2, m + 2, 1)},
                               "error": "input_tensor"})
        errors["tensor_channels"] = core(exc).replace("[1,1,1,1]", "[1,1,1,{channels}]")
        b.build(include_top=False, input_tensor=(None, m + 2, m + 2, 1), include_preprocessing=False)
        b.build(include_top=False, input_tensor=(None, m + 2, m + 2, 1), input_shape=(m, m, 1))

    # ---- names
    if family in ("mobilenet", "mobilenet_v2"):
        a, s = entry["alphas"][1], entry["sizes"][0]
        got = b.build(include_top=False, input_shape=(s, s, 3), alpha=a)["name"]
        entry["name_template"] = got.replace(f"{a:0.2f}", "{alpha:0.2f}").replace(str(s), "{rows}")
        assert "{alpha:0.2f}" in entry["name_template"] and "{rows}" in entry["name_template"]
        b.build(include_top=False, input_shape=(None, None, 3))  # rows None
        b.build(include_top=False, input_shape=(s, s, 3), weights="imagenet")
        b.build(include_top=False, input_shape=(s, s + 1, 3), weights="imagenet")  # falls back
    else:
        assert rec["name"] == defaults["name"], (app, rec["name"])
    if family != "efficientnet_v2":  # there the name picks the architecture
        b.build(include_top=False, input_shape=(m + 1, m + 6, 3), name=SENTINEL)
    b.build(include_top=True, weights="imagenet")
    b.build(include_top=True, weights="imagenet", classifier_activation="linear")

    # ---- input_tensor: its shape wins; a batch size; a top on it
    if family not in ("mobilenet_v2", "mobilenet_v3"):
        b.build(include_top=False, input_tensor=(2, m + 3, m + 2, 3), input_shape=(m + 9, m + 9, 3))
    b.build(include_top=True, input_tensor=(None, m + 3, m + 5, 1), classes=5, **plain)
    if "include_preprocessing" in names:
        b.build(include_top=True, input_shape=(m + 2, m + 1, 3), include_preprocessing=False)

    # ---- errors Keras raises
    def fail(kind, keyword, values=None, **kw):
        exc = b.fails(keyword, **kw)
        errors[kind] = template(exc, **(values or {}))

    fail("weights", "weights", {"weights": "no_such_weights"}, weights="no_such_weights")
    b.observations[-1]["static"] = "unknown"  # a path: the checker cannot know the files
    b.fails("weights", weights=5)
    fail("classes", "classes", {"classes": "777"}, weights="imagenet", include_top=True, classes=777)
    fail("units", "classes", {"classes": "-7"}, include_top=True, classes=-7)
    fail("activation", "classifier_activation", weights="imagenet", include_top=True,
         classifier_activation="relu")
    with tempfile.TemporaryDirectory() as folder:  # which comes first: units or activation
        path = os.path.join(folder, "w.weights.h5")
        Path(path).write_bytes(b"")
        outcome, exc = attempt(fn, weights=path, include_top=True, classes=-7,
                               classifier_activation="relu")
        keras.backend.clear_session()
        entry["units_first"] = "classifier_activation" not in text_of(exc)
    if family != "mobilenet_v3":
        fail("fixed", "input_shape", {"input_shape": "(123, 127, 3)", "default_shape": str(
            (entry["default_size"],) * 2 + (3,))}, weights="imagenet", include_top=True,
            input_shape=(123, 127, 3))
        b.fails("input_shape", weights="imagenet", include_top=True,
                input_shape=[entry["default_size"], entry["default_size"], 3])
        fail("len", "input_shape", include_top=False, input_shape=(64, 64))
        fail("channels", "input_shape", {"input_shape": "(123, 127, 5)"}, weights="imagenet",
             include_top=False, input_shape=(123, 127, 5))
        fail("min", "input_shape", {"input_shape": "(17, 19, 3)"}, include_top=False,
             input_shape=(17, 19, 3))
        fail("static", "input_shape", {"input_shape": "(None, None, 3)"}, include_top=True,
             input_shape=(None, None, 3))
    else:
        b.build(include_top=True, input_shape=(None, None, 3))
    if family == "nasnet":
        fail("nasnet_none", "input_shape", {"input_shape": "(None, None, 3)"}, weights="imagenet",
             include_top=False, input_shape=(None, None, 3))
    if family == "convnext":
        from keras.src.applications import convnext
        seen = {}

        def spy(*args, **kw):
            seen.update(kw)
            raise Abort()

        with patched(convnext, "ConvNeXt", spy):
            attempt(fn, weights=None)
        entry["weights_name"] = seen["weights_name"]
        fail("name", "name", {"name": SENTINEL}, weights="imagenet", include_top=False, name=SENTINEL)
        b.build(include_top=False, weights="imagenet", name="my_" + seen["weights_name"],
                input_shape=(m, m + 1, 3))
    if family == "efficientnet_v2":
        from keras.src.applications import efficientnet_v2
        entry["names"] = sorted(efficientnet_v2.DEFAULT_BLOCKS_ARGS)
        fail("name", "name", {"name": SENTINEL}, include_top=False, name=SENTINEL)
    array = np.zeros((1, 1, 1, 3), "float32")
    fail("tensor", "input_tensor", {"input_tensor": str(array)}, include_top=False, input_tensor=array)
    if family in ("mobilenet_v2", "mobilenet_v3"):
        exc = b.fails("input_tensor", include_top=False, input_tensor=array, input_shape=(64, 64, 3))
        errors["tensor_and_shape"] = template(exc, input_tensor=repr(array)).replace(
            str(array), "{input_tensor}")
        fail("tensor_width", "input_shape", {"input_shape": "(64, 64, 3)", "tensor_shape":
             "(None, 64, 72, 3)"}, include_top=False, input_tensor=(None, 64, 72, 3),
             input_shape=(64, 64, 3))
        b.build(include_top=False, input_tensor=(None, 72, 64, 3), input_shape=(64, 64, 3))
    if family == "mobilenet_v3":  # the tensor's size is checked, as (width, height, 3)
        b.fails("input_tensor", include_top=False, input_tensor=(None, m - 1, m + 4, 3))
        # with a None the minimum is not checked: the graph decides
        b.fails("input_shape", include_top=False, input_shape=(m // 2, None, 3))
        b.fails("input_shape", include_top=False, input_shape=(None, m // 2, 3))
    if any(v["top"][2] != [0, 0] for v in variants.values()):
        exc = b.fails("input_tensor", include_top=True, input_tensor=(None, None, None, 3))
        errors["top_static"] = core(exc)
    return app, entry, b.observations, time.time() - start


# ---------------------------------------------------------------- the table


def discover():
    """Applications, their module aliases and the modules' helper functions."""
    keras = keras_modules()[0]
    apps = {n: getattr(keras.applications, n) for n in dir(keras.applications)
            if n[0].isupper() and callable(getattr(keras.applications, n))}
    aliases = {n: set() for n in apps}
    helpers = {}
    for modname in sorted(dir(keras.applications)):
        module = getattr(keras.applications, modname)
        if not isinstance(module, types.ModuleType):
            continue
        for attr in dir(module):
            obj = getattr(module, attr)
            for app, fn in apps.items():
                if obj is fn:
                    aliases[app].add(modname)
            if attr in ("preprocess_input", "decode_predictions"):
                helpers[f"keras.applications.{modname}.{attr}"] = helper_info(attr, obj)
    for app, fn in apps.items():
        aliases[app].add(fn.__module__.rsplit(".", 1)[1])
    return sorted(apps), {a: sorted(m) for a, m in aliases.items()}, helpers


def helper_info(kind, fn):
    """``[kind, how]``: preprocess_input keeps the shape (``"same"``: returns its input,
    ``"float"``: a float32 array); decode_predictions: its ValueError for a bad shape."""
    import numpy as np
    if kind == "preprocess_input":
        x = np.zeros((2, 5, 7, 3), "uint8")
        y = fn(x)
        assert y.shape == x.shape
        return [kind, "dtype", "same" if y is x else str(y.dtype)]
    try:
        fn(np.zeros((2, 999)))
    except ValueError as exc:
        return [kind, "message", template(exc, shape="(2, 999)")]
    raise AssertionError("decode_predictions accepted a bad shape")


def compact(obj):
    """JSON text with one line per application."""
    lines = ["{"]
    items = list(obj.items())
    for i, (key, value) in enumerate(items):
        end = "," if i < len(items) - 1 else ""
        if key == "apps":
            lines.append(' "apps": {')
            apps = list(value.items())
            for j, (name, entry) in enumerate(apps):
                sep = "," if j < len(apps) - 1 else ""
                lines.append(f"  {json.dumps(name)}: {json.dumps(entry, separators=(',', ':'))}{sep}")
            lines.append(" }" + end)
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, separators=(',', ':'))}{end}")
    return "\n".join(lines + ["}"]) + "\n"


def verify(table, observations):
    """Every observation equals what ``shapecheck.library.applications`` says."""
    sys.path.insert(0, str(ROOT))
    from shapecheck.library import applications as static
    from shapecheck.values import Tensor

    static._TABLE, static._ALIASES = json.loads(compact(table)), None
    failures, unknown = 0, []
    for app, items in observations.items():
        for item in items:
            kw = dict(item["kw"])
            if kw.get("input_tensor") is not None:
                value = kw["input_tensor"]
                kw["input_tensor"] = (Tensor(tuple(value), symbolic=True) if isinstance(value, tuple)
                                      else Tensor(value.shape, numpy=True))
            try:
                got = static.application(f"keras.applications.{app}", [], kw)
            except static.ApplicationError as exc:
                ok = exc.keyword == item.get("error") and item.get("static") != "unknown"
                if not ok:
                    print(f"MISMATCH {app} {item['kw']}: raised {exc.keyword}: {exc.message}")
                failures += not ok
                continue
            if "error" in item and item.get("static") != "unknown":
                print(f"MISMATCH {app} {item['kw']}: Keras raised ({item['error']}), static: {got}")
                failures += 1
                continue
            if "error" in item:
                continue
            want = item["result"]
            mine = {"name": got.name, "input_shape": got.input_shape,
                    "output_shape": got.output_shape,
                    "params": [got.trainable_params, got.non_trainable_params]}
            if not agrees(mine, want, static.UNKNOWN):
                print(f"MISMATCH {app} {item['kw']}:\n  keras  {want}\n  static {mine}")
                failures += 1
            elif not agrees(mine, want, None):
                unknown.append(f"{app} {item['kw']}: {mine}")
    print(f"{len(unknown)} observations partly unknown to the static side:")
    for line in unknown:
        print("  " + line)
    return failures


def agrees(mine, want, unknown):
    """Equal, an ``unknown`` (UNKNOWN, or None: nothing) on our side matching anything."""
    if unknown is not None and mine is unknown:
        return True
    if isinstance(mine, (tuple, list)) and isinstance(want, (tuple, list)):
        return len(mine) == len(want) and all(agrees(a, b, unknown) for a, b in zip(mine, want))
    if isinstance(mine, dict):
        return all(agrees(mine[k], want[k], unknown) for k in mine)
    return mine == want


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", nargs="*", help="analyse these applications (no file written)")
    args = parser.parse_args(argv)
    started = time.time()
    keras = keras_modules()[0]
    names, aliases, helpers = discover()
    todo = args.only or names
    results = {}
    with ProcessPoolExecutor(args.jobs, mp_context=get_context("spawn")) as pool:
        heavy_first = sorted(todo, key=lambda n: ("Large" not in n and "B7" not in n
                                                  and "NASNet" not in n, n))
        for app, entry, obs, seconds in pool.map(analyse, heavy_first):
            if entry is None:
                print(f"{app}: FAILED after {seconds:.1f} s\n{obs}", flush=True)
                continue
            print(f"{app}: {seconds:.1f} s, {len(obs)} builds/probes", flush=True)
            results[app] = (entry, obs)
    if len(results) < len(todo):
        return 1
    table = {"keras": keras.__version__, "nmax": NMAX, "activations": allowed_activations(),
             "fixes": FIXES, "messages": [], "ops": [], "valid": [], "helpers": {}, "apps": {}}

    def intern(kind, value):
        """Tables shared by the applications hold each message / op list once."""
        if value not in table[kind]:
            table[kind].append(value)
        return table[kind].index(value)

    for name, (kind, how, value) in helpers.items():
        table["helpers"][name] = [kind, intern("messages", value) if how == "message" else value]
    for app in names:
        if app in results:
            entry = dict(results[app][0])
            entry["errors"] = {k: intern("messages", v) for k, v in sorted(entry["errors"].items())}
            entry["ops"] = [intern("ops", ops) for ops in entry["ops"]]
            entry["valid"] = [intern("valid", runs) for runs in entry["valid"]]
            table["apps"][app] = {"modules": aliases[app], **entry}
    v2 = {json.dumps(e["ops"]) for e in table["apps"].values() if e["family"] == "efficientnet_v2"}
    assert len(v2) <= 1  # the name picks the blocks, not the strides: any variant's ops hold
    failures = verify(table, {app: obs for app, (_, obs) in results.items()})
    total = sum(len(obs) for _, obs in results.values())
    print(f"{total} observations, {failures} mismatches, {time.time() - started:.0f} s")
    if failures:
        return 1
    if args.only:
        return 0
    OUT.write_text(compact(table))
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes)")
    return 0


def allowed_activations():
    """Names ``validate_activation`` accepts with pretrained weights (besides None)."""
    from keras.src import activations
    allowed = {activations.get("softmax"), activations.get(None)}
    return sorted(name for name in dir(activations) if not name.startswith("_")
                  and callable(getattr(activations, name)) and _get(activations, name) in allowed)


def _get(activations, name):
    try:
        return activations.get(name)
    except Exception:  # noqa: BLE001 - not an activation name
        return None


if __name__ == "__main__":
    sys.exit(main())
