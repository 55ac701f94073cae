"""Keras's applications (``keras.applications.ResNet50`` and the rest), known statically.

``applications.json`` (made from the installed Keras by ``tools/applications_table.py``)
gives each one's parameters, accepted input sizes, spatial size function (``ops``:
``["v", k, s]`` a valid conv/pool of span k, ``["s", s]`` a same one, ``["p", n]``
padding or cropping, ``["c", k]`` ``imagenet_utils.correct_pad``), parameter counts and
Keras's error messages. ``application`` replays Keras's checks in Keras's order on
abstract arguments: it raises only where the deciding arguments are known, and what it
cannot know stays ``UNKNOWN`` (never ``None``, a dimension variable for Keras).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shapecheck.values import UNKNOWN, ApiRef, Tensor

_PATH = Path(__file__).with_name("applications.json")
_TABLE = None
_ALIASES = None
_MOBILENETS = ("mobilenet", "mobilenet_v2", "mobilenet_v3")


def _table() -> dict:
    global _TABLE
    if _TABLE is None:  # (the generator sets _TABLE to its new table, _ALIASES to None)
        _TABLE = json.loads(_PATH.read_text(encoding="utf-8"))
    return _TABLE


def _aliases() -> dict:
    """Every canonical name of an application -> its short name (``ResNet50``)."""
    global _ALIASES
    if _ALIASES is None:
        _ALIASES = {}
        for app, spec in _table()["apps"].items():
            _ALIASES[f"keras.applications.{app}"] = app
            for module in spec["modules"]:
                _ALIASES[f"keras.applications.{module}.{app}"] = app
    return _ALIASES


def __getattr__(name):
    if name == "NAMES":  # the table is read on first use
        return frozenset(_aliases())
    if name == "HELPERS":  # each module's preprocess_input (shape-preserving: the dtype
        # made, or "same") and decode_predictions (not a tensor: its shape error's text)
        table = _table()
        return {k: (kind, how if kind == "preprocess_input" else table["messages"][how])
                for k, (kind, how) in table["helpers"].items()}
    raise AttributeError(name)


def canonical_application(name: str) -> str | None:
    """``keras.applications.X`` for any name of application X, else None."""
    app = _aliases().get(name)
    return None if app is None else f"keras.applications.{app}"


class ApplicationError(Exception):
    """What Keras raises building the application; ``keyword``: the argument at fault."""

    def __init__(self, message: str, keyword: str | None = None):
        super().__init__(message)
        self.message, self.keyword = message, keyword


@dataclass(frozen=True)
class AppModel:
    """The model an application call returns, as far as the arguments tell."""

    name: object
    input_shape: object
    output_shape: object
    params: object
    trainable_params: object
    non_trainable_params: object
    final_activation: object
    include_top: object


# ---------------------------------------------------------------- abstract values


def _known(v) -> bool:
    if isinstance(v, (tuple, list)):
        return all(_known(x) for x in v)
    return v is not UNKNOWN and not isinstance(v, Tensor)


def _truth(v):
    return bool(v) if v is None or isinstance(v, (bool, int, float, str, tuple, list)) else UNKNOWN


def _ne(x, y):
    """``x != y`` as Python compares in Keras: True, False or UNKNOWN."""
    if x is UNKNOWN or y is UNKNOWN:
        return UNKNOWN
    if isinstance(x, (tuple, list)) and isinstance(y, (tuple, list)):
        if type(x) is not type(y) or len(x) != len(y):
            return True
        found = [_ne(p, q) for p, q in zip(x, y)]
        return True if True in found else UNKNOWN if UNKNOWN in found else False
    return x != y


def _dim(d):
    return d if d is None or (isinstance(d, int) and not isinstance(d, bool)) else UNKNOWN


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _keras_tensor(v, rank=None) -> bool:
    """A Keras symbolic tensor (what ``input_tensor`` must be), of that rank if given."""
    return isinstance(v, Tensor) and v.symbolic and (
        rank is None or (v.shape is not None and len(v.shape) == rank))


def _not_keras_tensor(v) -> bool:
    """Surely not a Keras symbolic tensor: a known value, or a concrete tensor of known rank
    (one of unknown rank may be what an unmodelled call made, which may be symbolic)."""
    return v is not None and v is not UNKNOWN and not _keras_tensor(v) and not (
        isinstance(v, Tensor) and v.shape is None)


def run_ops(ops, n, hnone):
    """Keras's size after ``ops`` for an input size ``n``."""
    for op in ops:
        if op[0] == "v":
            n = (n - op[1]) // op[2] + 1
        elif op[0] == "s":
            n = (n - 1) // op[1] + 1
        elif op[0] == "p":
            n += op[1]
        else:  # correct_pad: its padding follows the parity (under a None height: even)
            n += op[1] // 2 - (1 if hnone else 1 - n % 2) + op[1] // 2
    return n


def _root_shape(t):
    """The shape of the input a tensor was computed from: the model's input."""
    while t.source is not None:
        inputs = [x for x in t.source.inputs if isinstance(x, Tensor)]
        if len(inputs) != 1:
            return UNKNOWN
        t = inputs[0]
    return UNKNOWN if t.shape is None else tuple(_dim(d) for d in t.shape)


def _describe(value) -> str:
    return f"<array of shape {value.shape}>" if isinstance(value, Tensor) else repr(value)


class _Values(dict):
    def __missing__(self, key):
        return "?"


# ---------------------------------------------------------------- calls


def _bind(app, spec, args, kwargs) -> dict:
    names = [p for p, _ in spec["sig"]]
    if len(args) > len(names):
        raise ApplicationError(f"{app}() takes from 0 to {len(names)} positional arguments "
                               f"but {len(args)} were given")
    bound = dict(spec["sig"])
    bound.update(zip(names, args))
    for key, value in kwargs.items():
        if key not in bound:
            raise ApplicationError(f"{app}() got an unexpected keyword argument '{key}'", key)
        if key in names[:len(args)]:
            raise ApplicationError(f"{app}() got multiple values for argument '{key}'", key)
        bound[key] = value
    return bound


# The arguments that leave an application's layers as its default architecture has them.
_LAYOUT_FREE = frozenset({"include_top", "weights", "input_tensor", "input_shape", "pooling", "classes",
                          "classifier_activation", "name"})


def default_layers(name: str, args, kwargs) -> dict | None:
    """The arguments of an application call that builds the layers of its default
    architecture (``alpha``, ``depth_multiplier``, ... as they default), else None."""
    app = _aliases().get(name)
    if app is None:
        return None
    spec = _table()["apps"][app]
    try:
        bound = _bind(app, spec, list(args), dict(kwargs))
    except ApplicationError:
        return None
    defaults = dict(spec["sig"])
    if any(key not in _LAYOUT_FREE and not (value is defaults[key] or value == defaults[key])
           for key, value in bound.items()):
        return None
    return bound


def application(name: str, args, kwargs) -> AppModel:
    """The model ``name(*args, **kwargs)`` builds, or ApplicationError where Keras raises."""
    app = _aliases().get(name)
    if app is None:
        raise KeyError(name)
    spec = _table()["apps"][app]
    return _Call(app, spec, _bind(app, spec, list(args), dict(kwargs))).run()


class _Call:
    """One application call, checked in Keras's order."""

    def __init__(self, app, spec, a):
        self.app, self.spec, self.a, self.fam, self.m = app, spec, a, spec["family"], spec["min_size"]
        self.imagenet = UNKNOWN if a["weights"] is UNKNOWN else a["weights"] == "imagenet"
        self.top = _truth(a["include_top"])

    def fail(self, kind, keyword, fix=None, **values):
        values = _Values(app=self.app, m=self.m, **values)
        text = _table()["messages"][self.spec["errors"][kind]].format_map(values).rstrip(". ")
        fix = _table()["fixes"][fix or kind].format_map(values)
        raise ApplicationError(f"{text}: {fix}", keyword)

    def ops(self, axis):
        return _table()["ops"][self.spec["ops"][axis]]

    def runs(self, which):  # 0: heights, 1: widths, 2: widths under a None height
        return _table()["valid"][self.spec["valid"][which]]

    def run(self) -> AppModel:
        a, spec, fam, net, top = self.a, self.spec, self.fam, self.imagenet, self.top
        shape, tensor, name, classes = a["input_shape"], a["input_tensor"], a["name"], a["classes"]
        if fam == "efficientnet_v2" and _known(name) and name not in spec["names"]:
            self.fail("name", "name", "name_v2", name=name, names=spec["names"])
        if a["weights"] is not None and _known(a["weights"]) and not isinstance(a["weights"], str):
            self.fail("weights", "weights", weights=a["weights"])
        if net is True and top is True and _known(classes) and classes != 1000:
            self.fail("classes", "classes", classes=classes)
        if fam in ("mobilenet_v2", "mobilenet_v3") and isinstance(shape, (tuple, list)) \
                and len(shape) == 3 and _known(shape) and tensor not in (None, UNKNOWN):
            if _not_keras_tensor(tensor):
                self.fail("tensor_and_shape", "input_tensor", input_tensor=_describe(tensor))
            if _keras_tensor(tensor, 4) and _ne(_dim(tensor.shape[2]), shape[1]) is True:
                self.fail("tensor_width", "input_shape", input_shape=shape,
                          tensor_shape=tuple(tensor.shape))
        if fam == "nasnet" and shape is None and "notop_shape" in spec and top is not True:
            shape = tuple(spec["notop_shape"]) if top is False else UNKNOWN
        if fam == "nasnet" and net is True and isinstance(shape, tuple) and None in shape:
            self.fail("nasnet_none", "input_shape", input_shape=shape)
        if fam == "mobilenet_v3":
            shape = self.v3_shape(shape, tensor)
        else:
            shape = self.obtain(shape, self.default_size(shape, tensor))
        self.imagenet_checks()
        # the graph's input: input_tensor wins over input_shape
        source = "input_shape" if tensor is None else "input_tensor"
        batch, h, w, c, model_input = (None if tensor is None else UNKNOWN,) + (UNKNOWN,) * 4
        if tensor is None and shape is not UNKNOWN:
            batch, (h, w, c) = None, (_dim(d) for d in shape)
            model_input = (None, h, w, c)
        elif _not_keras_tensor(tensor):
            self.fail("tensor", "input_tensor", input_tensor=_describe(tensor))
        elif _keras_tensor(tensor, 4):
            (batch, h, w, c), model_input = (_dim(d) for d in tensor.shape), _root_shape(tensor)
        own = fam != "efficientnet_v2" or name == dict(spec["sig"])["name"]
        if spec["norm"] and _truth(a.get("include_preprocessing")) is True and own \
                and shape is not UNKNOWN and shape[-1] == 3 and isinstance(c, int) and c != 3:
            self.fail("tensor_channels", "input_tensor", channels=c)
        hh, ww = self.spatial(h, w, source)
        variant, exact = self.variant(own)
        counts = self.counts(variant, exact, h, w, c, tensor)
        counts = self.with_top(variant, counts, hh, ww, source) if top is True else (
            counts if top is False else None)
        if fam == "convnext" and net is True and isinstance(name, str) \
                and spec["weights_name"] not in name:
            self.fail("name", "name", name=name, weights_name=spec["weights_name"])
        features = variant["features"] if variant else UNKNOWN
        if top is True:
            output = (batch, classes if _dim(classes) is not None else UNKNOWN)
        elif top is UNKNOWN or a["pooling"] is UNKNOWN:
            output = UNKNOWN
        elif a["pooling"] in ("avg", "max"):
            output = (batch, features)
        else:  # Keras ignores any other pooling value
            output = (batch, hh, ww, features)
        act = a["classifier_activation"]
        if top is not True:
            act = None if top is False else UNKNOWN
        elif act is None:
            act = "linear"  # what Keras makes of None
        elif isinstance(act, ApiRef):
            act = act.name.rsplit(".", 1)[-1]
        elif not isinstance(act, str):
            act = UNKNOWN
        trainable, frozen = counts or (UNKNOWN, UNKNOWN)
        return AppModel(self.model_name(shape, name), model_input, output,
                        UNKNOWN if counts is None else trainable + frozen, trainable, frozen, act, top)

    # ------------------------------------------------------------ the input shape

    def default_size(self, shape, tensor):
        """The default size obtain_input_shape gets (MobileNet/V2: a square size of
        their list selects itself; MobileNetV2 also looks at the tensor)."""
        spec = self.spec
        if self.fam not in ("mobilenet", "mobilenet_v2"):
            return spec["default_size"]
        if shape is None and self.fam == "mobilenet_v2" and _keras_tensor(tensor, 4):
            shape = tuple(tensor.shape[1:])
        if shape is None:
            return spec["default_size"]
        if not _known(shape) or not isinstance(shape, (tuple, list)) or len(shape) < 2:
            return UNKNOWN
        return shape[0] if shape[0] == shape[1] and shape[0] in spec["sizes"] else spec["default_size"]

    def obtain(self, shape, size):
        """``imagenet_utils.obtain_input_shape``."""
        default, net, top = (size, size, 3), self.imagenet, self.top
        flat_net = True if net is True and top is True else (
            False if net is False or top is False else UNKNOWN)
        if flat_net is True:
            if shape is not None and _ne(shape, default) is True:
                self.fail("fixed", "input_shape", input_shape=shape, default_shape=default)
            return default
        if flat_net is UNKNOWN or shape is UNKNOWN:
            return UNKNOWN
        if shape:
            if not isinstance(shape, (tuple, list)):
                return UNKNOWN
            if len(shape) != 3:
                self.fail("len", "input_shape")
            if net is True and _ne(shape[-1], 3) is True:
                self.fail("channels", "input_shape", input_shape=shape)
            if any(_number(d) and d < self.m for d in shape[:2]):
                self.fail("min", "input_shape", input_shape=shape, channels=shape[-1])
        elif top is UNKNOWN:
            return UNKNOWN
        else:
            shape = default if top else (None, None, 3)
        if top is True and None in shape:
            self.fail("static", "input_shape", input_shape=shape)
        return tuple(shape)

    def v3_shape(self, shape, tensor):
        """MobileNetV3's own checks: a tensor gives (width, height, 3); 32x32 at least."""
        source = "input_shape"
        if shape is None and _keras_tensor(tensor):
            if not _keras_tensor(tensor, 4):
                return UNKNOWN
            shape, source = (_dim(tensor.shape[2]), _dim(tensor.shape[1]), 3), "input_tensor"
        elif shape is None and tensor is None:
            shape = (None, None, 3)
        elif not (isinstance(shape, (tuple, list)) and len(shape) == 3 and _known(shape)):
            return UNKNOWN
        if shape[0] and shape[1] and any(_number(d) and d < self.m for d in shape[:2]):
            self.fail("min", source, "min_v3", input_shape=shape)
        return shape

    def imagenet_checks(self):
        """MobileNets: the alphas and depth multipliers ImageNet weights exist for."""
        a, spec = self.a, self.spec
        if self.imagenet is not True or self.fam not in _MOBILENETS:
            return
        dm = a.get("depth_multiplier", 1)
        if _known(dm) and dm not in spec.get("depth_multipliers", [dm]):
            self.fail("depth_multiplier", "depth_multiplier", depth_multiplier=dm)
        alphas = spec["alphas"]
        if self.fam == "mobilenet_v3":
            if _truth(a["minimalistic"]) is UNKNOWN:
                return
            alphas = alphas[str(int(_truth(a["minimalistic"])))]
        if _known(a["alpha"]) and a["alpha"] not in alphas:
            self.fail("alpha", "alpha", alpha=a["alpha"], alphas=alphas)

    def model_name(self, shape, name):
        if self.fam not in ("mobilenet", "mobilenet_v2") or name is not None:
            return name if isinstance(name, str) else UNKNOWN  # None: Keras numbers one
        alpha = self.a["alpha"]
        if shape is UNKNOWN or not _number(alpha) or self.imagenet is UNKNOWN:
            return UNKNOWN
        rows, cols = _dim(shape[0]), _dim(shape[1])
        if self.imagenet and (rows != cols or rows not in self.spec["sizes"]):
            rows = self.spec["default_size"]
        return UNKNOWN if rows is UNKNOWN else self.spec["name_template"].format(alpha=alpha, rows=rows)

    # ------------------------------------------------------------ the graph

    def spatial(self, h, w, source):
        corrected = any(op[0] == "c" for op in self.ops(1))
        hh = self.size(0, h, False, source)
        if corrected and h is UNKNOWN and w is not None:
            return hh, UNKNOWN  # a None height or not: the width's padding depends on it
        if corrected and isinstance(h, int) and w is None:
            self.fail("none_w", source)  # correct_pad computes None % 2
        return hh, self.size(1, w, h is None, source)

    def size(self, axis, n, hnone, source):
        if not isinstance(n, int) or n < 1:
            return n if n is None else UNKNOWN
        runs, nmax = self.runs(2 if hnone else axis), _table()["nmax"]
        if n > nmax:
            return run_ops(self.ops(axis), n, hnone) if runs[-1][1] is None else UNKNOWN
        if not any(lo <= n and (hi is None or n <= hi) for lo, hi in runs):
            kind = ("graph_hnone" if hnone else "graph") + ("" if n < runs[0][0] else "_merge")
            self.fail(kind, source, low=max(self.runs(0)[0][0], self.runs(1)[0][0]))
        return run_ops(self.ops(axis), n, hnone)

    def variant(self, own):
        """(the table's counts for these arguments or None, whether they are exact)."""
        a, fam, variants = self.a, self.fam, self.spec["variants"]
        if fam not in _MOBILENETS:
            return (variants[""], True) if own else (None, False)
        if not _number(a["alpha"]):
            return None, False
        key = repr(float(a["alpha"]))
        if fam == "mobilenet_v3":
            if _truth(a["minimalistic"]) is UNKNOWN:
                return None, False
            key += f"/{int(_truth(a['minimalistic']))}"
        return variants.get(key), fam != "mobilenet" or a["depth_multiplier"] == 1

    def counts(self, variant, exact, h, w, c, tensor):
        """[trainable, non-trainable] without the top, or None."""
        if variant is None or not exact or not isinstance(c, int):
            return None
        if self.imagenet is not False and c != 3 and (tensor is not None or self.fam == "mobilenet_v3"):
            return None  # channels Keras does not check: its weights would not load
        if not self.spec["sub_min_params"] and not all(
                d is None or (isinstance(d, int) and d >= self.m) for d in (h, w)):
            return None  # below the minimum size the architecture may change (NASNet)
        base = variant["base"]
        if "wnone" in variant:  # NASNet: a None width changes the architecture
            base = variant["wnone"] if w is None else base if isinstance(w, int) else None
        return None if base is None else [b + s * (c - 3) for b, s in zip(base, variant["slope"])]

    def with_top(self, variant, counts, hh, ww, source):
        """The counts with the classifier; raises where Keras does building it."""
        a = self.a
        per_class, const, per_area = variant["top"] if variant else (None, None, [0, 0])
        if per_area != [0, 0] and (hh is None or ww is None):
            self.fail("top_static", source)
        classes, act = a["classes"], a["classifier_activation"]
        name = act if isinstance(act, str) else act.name.rsplit(".", 1)[-1] \
            if isinstance(act, ApiRef) else None
        bad = {"units": isinstance(classes, int) and classes <= 0,
               "activation": a["weights"] is not None and _known(a["weights"])
               and name is not None and name not in _table()["activations"]}
        for kind in ("units", "activation") if self.spec["units_first"] else ("activation", "units"):
            if bad[kind]:
                keyword = "classes" if kind == "units" else "classifier_activation"
                self.fail(kind, keyword, classes=classes, classifier_activation=act)
        if counts is None or variant is None or not isinstance(classes, int) or (
                per_area != [0, 0] and not (isinstance(hh, int) and isinstance(ww, int))):
            return None
        area = hh * ww if per_area != [0, 0] else 0
        return [n + classes * p + k + area * q for n, p, k, q in zip(counts, per_class, const, per_area)]
