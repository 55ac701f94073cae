"""Keras's applications (``keras.applications.ResNet50`` and the rest), known statically.

A pure table lookup: ``applications.json`` (written from the installed Keras by
``tools/applications_table.py``) gives, per application, its parameters, the input
sizes Keras accepts, its spatial size function (``ops``: ``["v", k, s]`` a valid
conv/pool of span k, ``["s", s]`` a same one, ``["p", n]`` padding or cropping,
``["c", k]`` ``imagenet_utils.correct_pad``), its parameter counts and the messages
of the errors Keras raises while building it.

``application`` replays Keras's checks, in Keras's order, on abstract arguments:
it raises only where the arguments that decide are known, and what it cannot know
stays ``UNKNOWN`` (never ``None``, which is a dimension variable for Keras).
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
    if _TABLE is None:
        _TABLE = json.loads(_PATH.read_text(encoding="utf-8"))
    return _TABLE


def _reset(table=None):
    """Use ``table`` (the generator's new one) instead of the file."""
    global _TABLE, _ALIASES
    _TABLE, _ALIASES = table, None


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
    if name == "NAMES":  # loaded on first use
        return frozenset(_aliases())
    if name == "HELPERS":
        return {k: v[0] for k, v in _table()["helpers"].items()}
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


# ---------------------------------------------------------------- abstract helpers


def _known(v) -> bool:
    if isinstance(v, (tuple, list)):
        return all(_known(x) for x in v)
    return v is not UNKNOWN and not isinstance(v, Tensor)


def _truth(v):
    return bool(v) if v is None or isinstance(v, (bool, int, float, str, tuple, list)) else UNKNOWN


def _ne(x, y):
    """``x != y`` as Keras compares: True, False or UNKNOWN."""
    if x is UNKNOWN or y is UNKNOWN:
        return UNKNOWN
    if isinstance(x, (tuple, list)) and isinstance(y, (tuple, list)):
        if type(x) is not type(y) or len(x) != len(y):
            return True
        found = [_ne(p, q) for p, q in zip(x, y)]
        return True if any(f is True for f in found) else UNKNOWN if UNKNOWN in found else False
    return x != y


def _lt(x, y):
    return isinstance(x, (int, float)) and x < y


def _dim(d):
    return d if d is None or (isinstance(d, int) and not isinstance(d, bool)) else UNKNOWN


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _valid(runs, n) -> bool:
    return any(a <= n and (b is None or n <= b) for a, b in runs)


def _run(ops, n, hnone):
    for op in ops:
        if op[0] == "v":
            n = (n - op[1]) // op[2] + 1
        elif op[0] == "s":
            n = (n - 1) // op[1] + 1
        elif op[0] == "p":
            n += op[1]
        else:  # correct_pad: its padding depends on the parity (a None height: even)
            n += op[1] // 2 - (1 if hnone else 1 - n % 2) + op[1] // 2
    return n


def _root_shape(t):
    """The shape of the input a tensor was computed from (the model's input)."""
    while t.source is not None:
        inputs = [x for x in t.source.inputs if isinstance(x, Tensor)]
        if len(inputs) != 1:
            return UNKNOWN
        t = inputs[0]
    return UNKNOWN if t.shape is None else tuple(_dim(d) for d in t.shape)


class _Values(dict):
    def __missing__(self, key):
        return "?"


# ---------------------------------------------------------------- the call


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


def application(name: str, args, kwargs) -> AppModel:
    """The model ``name(*args, **kwargs)`` builds, or ApplicationError where Keras raises."""
    app = _aliases().get(name)
    if app is None:
        raise KeyError(name)
    spec = _table()["apps"][app]
    return _Call(app, spec, _bind(app, spec, list(args), dict(kwargs))).run()


def helper_result(name: str, args, kwargs):
    """``preprocess_input``: its input's shape (and dtype); ``decode_predictions``: not a
    tensor (UNKNOWN), raising for predictions that are not ``(samples, 1000)``."""
    kind, how = _table()["helpers"][name]
    x = args[0] if args else kwargs.get("x", kwargs.get("preds", UNKNOWN))
    if not isinstance(x, Tensor):
        return UNKNOWN
    if kind == "preprocess_input":
        return Tensor(x.shape, x.dtype if how == "same" else how, numpy=x.numpy)
    shape = x.shape
    if shape is not None and (len(shape) != 2 or (isinstance(shape[1], int) and shape[1] != 1000)):
        raise ApplicationError(how.format_map(_Values(shape=tuple(shape)))
                               + ": pass the (samples, 1000) output of an ImageNet top", "preds")
    return UNKNOWN


class _Call:
    def __init__(self, app, spec, a):
        self.app, self.spec, self.a, self.fam = app, spec, a, spec["family"]
        self.m = spec["min_size"]
        w = a["weights"]
        self.imagenet = UNKNOWN if w is UNKNOWN else w == "imagenet"

    def fail(self, kind, keyword, fix, **values):
        text = self.spec["errors"][kind].format_map(_Values(values)).rstrip(". ")
        raise ApplicationError(f"{text}: {fix}", keyword)

    def run(self) -> AppModel:
        a, spec, fam, net = self.a, self.spec, self.fam, self.imagenet
        top, weights, classes = _truth(a["include_top"]), a["weights"], a["classes"]
        shape, tensor, name = a["input_shape"], a["input_tensor"], a["name"]
        if fam == "efficientnet_v2" and _known(name) and name not in spec["names"]:
            self.fail("name", "name", f"the name picks the blocks: use one of {spec['names']}",
                      name=name)
        if weights is not None and _known(weights) and not isinstance(weights, str):
            self.fail("weights", "weights", "use None, 'imagenet' or a weights file's path",
                      weights=weights)
        if net is True and top is True and _known(classes) and classes != 1000:
            self.fail("classes", "classes", "ImageNet weights have 1000 classes: use "
                      "weights=None, or include_top=False and a head of your own", classes=classes)
        if fam in ("mobilenet_v2", "mobilenet_v3") and _known(shape) and shape is not None \
                and tensor is not None and tensor is not UNKNOWN:
            if not (isinstance(tensor, Tensor) and not tensor.numpy):
                self.fail("tensor_and_shape", "input_tensor", "pass a Keras tensor (keras.Input)",
                          input_tensor=self.describe(tensor))
            if tensor.shape is not None and len(tensor.shape) > 2 and len(shape) > 1 \
                    and _ne(_dim(tensor.shape[2]), shape[1]) is True:
                self.fail("tensor_width", "input_shape", "make input_shape match input_tensor "
                          "(or leave it out)", input_shape=shape, tensor_shape=tuple(tensor.shape))
        if fam == "nasnet" and shape is None and "notop_shape" in spec and top is not True:
            shape = tuple(spec["notop_shape"]) if top is False else UNKNOWN
        if fam == "nasnet" and net is True and isinstance(shape, tuple) and None in shape:
            self.fail("nasnet_none", "input_shape", "give a fixed input_shape", input_shape=shape)
        if fam == "mobilenet_v3":
            shape = self.v3_shape(shape, tensor)
        else:
            shape = self.obtain(shape, self.default_size(shape, tensor), top)
        self.imagenet_checks()
        # the graph's input: input_tensor wins over input_shape
        source = "input_shape" if tensor is None else "input_tensor"
        if tensor is None:
            batch, dims = None, (UNKNOWN,) * 3 if shape is UNKNOWN else tuple(_dim(d) for d in shape)
            model_input = UNKNOWN if shape is UNKNOWN else (None, *dims)
        elif isinstance(tensor, Tensor) and not tensor.numpy:
            rank4 = tensor.shape is not None and len(tensor.shape) == 4
            batch, *dims = tuple(_dim(d) for d in tensor.shape) if rank4 else (UNKNOWN,) * 4
            model_input = _root_shape(tensor) if rank4 else UNKNOWN
        elif tensor is UNKNOWN:
            batch, dims, model_input = UNKNOWN, (UNKNOWN,) * 3, UNKNOWN
        else:
            self.fail("tensor", "input_tensor", "pass a Keras tensor (keras.Input)",
                      input_tensor=self.describe(tensor))
        h, w, c = dims
        own = fam != "efficientnet_v2" or name == dict(spec["sig"])["name"]
        if spec["norm"] and _truth(a.get("include_preprocessing")) is True and own \
                and shape is not UNKNOWN and shape[-1] == 3 and isinstance(c, int) and c != 3:
            self.fail("tensor_channels", "input_tensor", "use a 3-channel input_tensor, or "
                      "include_preprocessing=False", channels=c)
        hh, ww = self.spatial(h, w, source)
        variant, exact = self.variant(name, own)
        counts = self.counts(variant, exact, h, w, c, tensor)
        if top is True:
            counts = self.top(variant, counts, hh, ww, source)
        elif top is not False:
            counts = None
        if fam == "convnext" and net is True and isinstance(name, str) \
                and spec["weights_name"] not in name:
            self.fail("name", "name", f"ImageNet weights need a name containing "
                      f"'{spec['weights_name']}'", name=name)
        features = variant["features"] if variant else UNKNOWN
        pooling = a["pooling"]
        if top is True:
            output = (batch, classes if _dim(classes) is not None else UNKNOWN)
        elif top is UNKNOWN or pooling is UNKNOWN:
            output = UNKNOWN
        else:
            output = (batch, features) if pooling in ("avg", "max") else (batch, hh, ww, features)
        if top is not True:
            activation = None if top is False else UNKNOWN
        else:
            act = a["classifier_activation"]
            activation = act if act is None or isinstance(act, str) else (
                act.name.rsplit(".", 1)[-1] if isinstance(act, ApiRef) else UNKNOWN)
        trainable, frozen = counts if counts else (UNKNOWN, UNKNOWN)
        return AppModel(self.model_name(shape, name), model_input, output,
                        UNKNOWN if counts is None else trainable + frozen, trainable, frozen,
                        activation, top)

    def describe(self, value):
        return f"<array of shape {value.shape}>" if isinstance(value, Tensor) else repr(value)

    # ------------------------------------------------------------ input shape

    def default_size(self, shape, tensor):
        """The default size obtain_input_shape is given (MobileNet/V2: a square size
        of their list selects itself)."""
        spec = self.spec
        if self.fam not in ("mobilenet", "mobilenet_v2"):
            return spec["default_size"]
        if shape is None and self.fam == "mobilenet_v2" and isinstance(tensor, Tensor) \
                and not tensor.numpy and tensor.shape is not None and len(tensor.shape) == 4:
            shape = tuple(tensor.shape[1:])
        if shape is None:
            return spec["default_size"]
        if not _known(shape) or len(shape) < 2:
            return UNKNOWN
        square = shape[0] == shape[1] and shape[0] in spec["sizes"]
        return shape[0] if square else spec["default_size"]

    def obtain(self, shape, size, top):
        """``imagenet_utils.obtain_input_shape``."""
        default, net = (size, size, 3), self.imagenet
        flat_net = True if net is True and top is True else (
            False if net is False or top is False else UNKNOWN)
        if flat_net is True:
            if shape is not None and _ne(shape, default) is True:
                self.fail("fixed", "input_shape", f"use input_shape={default} or include_top=False",
                          input_shape=shape, default_shape=default)
            return default
        if flat_net is UNKNOWN or shape is UNKNOWN:
            return UNKNOWN
        if shape:
            if not isinstance(shape, (tuple, list)):
                return UNKNOWN
            if len(shape) != 3:
                self.fail("len", "input_shape", "give input_shape as (height, width, channels)")
            if net is True and _ne(shape[-1], 3) is True:
                self.fail("channels", "input_shape", "ImageNet weights need 3 channels: use "
                          "weights=None or a 3-channel input", input_shape=shape)
            if _lt(shape[0], self.m) or _lt(shape[1], self.m):
                self.fail("min", "input_shape", f"use input_shape of at least "
                          f"({self.m}, {self.m}, {shape[-1]})", input_shape=shape)
        elif top is UNKNOWN:
            return UNKNOWN
        else:
            shape = default if top else (None, None, 3)
        if top is True and None in shape:
            self.fail("static", "input_shape", "give input_shape a fixed height and width, or "
                      "use include_top=False", input_shape=shape)
        return tuple(shape)

    def v3_shape(self, shape, tensor):
        """MobileNetV3's own checks: a tensor gives (width, height, 3); 32x32 at least."""
        source = "input_shape"
        if shape is None and isinstance(tensor, Tensor) and not tensor.numpy:
            if tensor.shape is None or len(tensor.shape) != 4:
                return UNKNOWN
            shape, source = (_dim(tensor.shape[2]), _dim(tensor.shape[1]), 3), "input_tensor"
        elif shape is None and tensor is None:
            shape = (None, None, 3)
        elif not _known(shape) or shape is None:
            return UNKNOWN
        rows, cols = shape[0], shape[1]
        if rows and cols and (_lt(rows, self.m) or _lt(cols, self.m)):
            self.fail("min", source, f"use an input of at least {self.m}x{self.m}", input_shape=shape)
        return shape

    def imagenet_checks(self):
        if self.imagenet is not True or self.fam not in _MOBILENETS:
            return
        a, spec = self.a, self.spec
        alphas = spec["alphas"]
        if self.fam == "mobilenet" and _known(a["depth_multiplier"]) \
                and a["depth_multiplier"] not in spec["depth_multipliers"]:
            self.fail("depth_multiplier", "depth_multiplier", "ImageNet weights exist for "
                      "depth_multiplier=1 only", depth_multiplier=a["depth_multiplier"])
        if self.fam == "mobilenet_v3":
            minimal = _truth(a["minimalistic"])
            if minimal is UNKNOWN:
                return
            alphas = alphas[str(int(minimal))]
        if _known(a["alpha"]) and a["alpha"] not in alphas:
            self.fail("alpha", "alpha", f"ImageNet weights exist for alpha in {alphas}",
                      alpha=a["alpha"])

    def model_name(self, shape, name):
        if self.fam not in ("mobilenet", "mobilenet_v2") or name is not None:
            return name if isinstance(name, str) else UNKNOWN
        alpha = self.a["alpha"]
        if shape is UNKNOWN or not _number(alpha) or self.imagenet is UNKNOWN:
            return UNKNOWN
        rows, cols = _dim(shape[0]), _dim(shape[1])
        if self.imagenet and (rows != cols or rows not in self.spec["sizes"]):
            rows = self.spec["default_size"]
        return UNKNOWN if rows is UNKNOWN else self.spec["name_template"].format(alpha=alpha, rows=rows)

    # ------------------------------------------------------------ graph

    def spatial(self, h, w, source):
        spec = self.spec
        corrected = any(op[0] == "c" for op in spec["ops"][1])
        hh = self.size(0, h, False, source)
        if corrected and h is UNKNOWN and w is not None:
            return hh, UNKNOWN
        if corrected and isinstance(h, int) and w is None:
            self.fail("none_w", source, "a None width needs a None height too")
        return hh, self.size(1, w, h is None, source)

    def size(self, axis, n, hnone, source):
        if not isinstance(n, int):
            return n
        runs = self.spec["valid"][2 if hnone else axis]
        if n > _table()["nmax"] and runs[-1][1] is not None:
            return UNKNOWN
        if n <= _table()["nmax"] and not _valid(runs, n):
            if hnone:
                self.fail("graph_hnone", source, "Keras pads a None height's widths as if even: "
                          "give the height too")
            low = max(r[0][0] for r in self.spec["valid"][:2])
            self.fail("graph", source, f"{self.app} needs an input of at least {low}x{low}")
        return _run(self.spec["ops"][axis], n, hnone)

    def variant(self, name, own):
        """(the table's counts for these arguments or None, whether they are exact)."""
        a, fam, variants = self.a, self.fam, self.spec["variants"]
        if fam not in _MOBILENETS:
            return (variants[""], True) if own else (None, False)
        alpha = a["alpha"]
        if not _number(alpha):
            return None, False
        key = repr(float(alpha))
        if fam == "mobilenet_v3":
            minimal = _truth(a["minimalistic"])
            if minimal is UNKNOWN:
                return None, False
            key += f"/{int(minimal)}"
        exact = fam != "mobilenet" or a["depth_multiplier"] == 1
        return variants.get(key), exact

    def counts(self, variant, exact, h, w, c, tensor):
        """[trainable, non-trainable] of the model without its top, or None."""
        if variant is None or not exact or not isinstance(c, int):
            return None
        if self.imagenet is not False and c != 3 and (tensor is not None or self.fam == "mobilenet_v3"):
            return None  # Keras does not check these channels: its weights would not load
        if not self.spec["sub_min_params"] and not all(d is None or (isinstance(d, int) and d >= self.m)
                                                       for d in (h, w)):
            return None  # below the minimum the architecture may change (NASNet)
        base = variant["base"]
        if "wnone" in variant:
            base = variant["wnone"] if w is None else base if isinstance(w, int) else None
        return None if base is None else [b + s * (c - 3) for b, s in zip(base, variant["slope"])]

    def top(self, variant, counts, hh, ww, source):
        """Counts with the classifier; raises as Keras does building it."""
        a, spec = self.a, self.spec
        per_class, const, per_area = variant["top"] if variant else (None, None, [0, 0])
        if per_area != [0, 0] and (hh is None or ww is None):
            self.fail("top_static", source, "the Flatten top needs a fixed height and width: "
                      "give them, or use include_top=False")
        classes = a["classes"]
        weights, act = a["weights"], a["classifier_activation"]
        bad_units = isinstance(classes, int) and classes <= 0
        allowed = act is None or (isinstance(act, (str, ApiRef)) and (
            act if isinstance(act, str) else act.name.rsplit(".", 1)[-1]) in _table()["activations"])
        bad_act = weights is not None and _known(weights) and isinstance(act, (str, ApiRef)) and not allowed
        checks = [("units", bad_units), ("activation", bad_act)]
        for kind, bad in checks if spec["units_first"] else checks[::-1]:
            if bad and kind == "units":
                self.fail("units", "classes", "use classes of at least 1", classes=classes)
            if bad:
                self.fail("activation", "classifier_activation", "use 'softmax' or None "
                          "with pretrained weights", classifier_activation=act)
        if counts is None or variant is None or not isinstance(classes, int) or (
                per_area != [0, 0] and not (isinstance(hh, int) and isinstance(ww, int))):
            return None
        area = hh * ww if per_area != [0, 0] else 0
        return [n + classes * p + k + area * q for n, p, k, q in zip(counts, per_class, const, per_area)]
