"""Random Keras programs, written as a person would write them.

``programs()`` is a hypothesis strategy whose examples are the source text of a small,
deterministic Keras program (no training, small inputs, so TensorFlow runs it quickly).
The same writer also runs from a seeded ``random.Random`` (``random_program(seed)``,
``random_programs(seed, count)``), which is what the differential test and the benchmark
use: a fixed seed gives the same batch on every machine, without hypothesis's database or
shrinking.

What varies: the model style (Sequential list, ``.add``, ``.add`` in a loop over constant
lists, Model subclass, custom Layer used by a Model or Sequential, Sequential inside a
Model, functional API with branches), the import spelling, variable and class names,
module constants, the layer stack and every layer argument, how the input is given
(``keras.Input``, ``input_shape=``, ``build``, or nothing) and how the data is made and fed.

About a quarter of the programs carry a bug that TensorFlow rejects: a convolution or
pooling shrinking a dimension below 1, a Dense built for one width and reused on another,
data whose shape differs from the model's declared input, a merge of mismatched shapes, a
Reshape of the wrong size, a layer given a tensor of the wrong rank. The writer does not
say which programs fail, or where: TensorFlow is the judge.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from hypothesis import strategies as st

# ---------------------------------------------------------------- choices


class Chooser:
    """The source of every random decision: hypothesis's ``draw`` or a ``random.Random``."""

    def integer(self, lo: int, hi: int) -> int:
        raise NotImplementedError

    def choice(self, options):
        options = list(options)
        return options[self.integer(0, len(options) - 1)]

    def chance(self, percent: int) -> bool:
        return self.integer(0, 99) < percent


class RandomChooser(Chooser):
    def __init__(self, rng: random.Random):
        self.rng = rng

    def integer(self, lo, hi):
        return self.rng.randint(lo, hi)


class DrawChooser(Chooser):
    def __init__(self, draw):
        self.draw = draw

    def integer(self, lo, hi):
        return self.draw(st.integers(lo, hi))


# ---------------------------------------------------------------- import spellings

FLAVORS = ("tf", "tf_keras", "tf_layers", "keras", "keras_layers", "keras_L",
           "keras_names", "tf_names")


class Names:
    """How this program spells Keras: the imports it needs and each name's expression."""

    def __init__(self, c: Chooser):
        self.c = c
        self.flavor = c.choice(FLAVORS)
        self._plain = []  # "import x" lines, in first-use order
        self._from = {}  # module -> names imported from it, in first-use order
        self.spelling = {
            "MaxPooling2D": c.choice(["MaxPooling2D"] * 3 + ["MaxPool2D"]),
            "AveragePooling2D": c.choice(["AveragePooling2D"] * 3 + ["AvgPool2D"]),
        }
        self._model_module = c.choice(["top", "models"])
        self._input_in_layers = c.chance(30)

    # imports
    def _import(self, line):
        if line not in self._plain:
            self._plain.append(line)

    def _from_import(self, module, name):
        self._from.setdefault(module, [])
        if name not in self._from[module]:
            self._from[module].append(name)
        return name

    def np(self):
        self._import("import numpy as np")
        return "np"

    def tf(self):
        self._import("import tensorflow as tf")
        return "tf"

    def header(self) -> list[str]:
        order = ["import numpy as np", "import tensorflow as tf"]
        lines = [line for line in order if line in self._plain]
        lines += [line for line in self._plain if line not in order]
        lines += [f"from {module} import {', '.join(names)}" for module, names in self._from.items()]
        return lines

    # names
    def _keras_module(self):
        """The expression of the keras package for the attribute flavors."""
        if self.flavor == "tf":
            self.tf()
            return "tf.keras"
        if self.flavor == "tf_keras":
            self._from_import("tensorflow", "keras")
            return "keras"
        if self.flavor in ("keras", "keras_layers", "keras_L"):
            self._import("import keras")
            return "keras"
        raise AssertionError(self.flavor)

    def _package(self):
        return "tensorflow.keras" if self.flavor.startswith("tf") else "keras"

    def layer(self, cls: str) -> str:
        cls = self.spelling.get(cls, cls)
        if self.flavor in ("tf", "tf_keras", "keras"):
            return f"{self._keras_module()}.layers.{cls}"
        if self.flavor == "tf_layers":
            self._from_import("tensorflow.keras", "layers")
            return f"layers.{cls}"
        if self.flavor == "keras_layers":
            self._from_import("keras", "layers")
            return f"layers.{cls}"
        if self.flavor == "keras_L":
            self._import("from keras import layers as L")
            return f"L.{cls}"
        return self._from_import(f"{self._package()}.layers", cls)

    def _top(self, name):
        """``Sequential`` / ``Model``: from the package or its ``models`` module."""
        if self.flavor in ("tf", "tf_keras", "keras", "keras_layers", "keras_L"):
            module = self._keras_module() if self.flavor != "keras_layers" else self._keras_l()
            return f"{module}.models.{name}" if self._model_module == "models" else f"{module}.{name}"
        if self.flavor == "tf_layers" and self._model_module == "models":
            self._from_import("tensorflow.keras", "models")
            return f"models.{name}"
        if self._model_module == "models":
            return self._from_import(f"{self._package()}.models", name)
        return self._from_import(self._package(), name)

    def _keras_l(self):
        self._import("import keras")
        return "keras"

    def sequential(self):
        return self._top("Sequential")

    def model(self):
        return self._top("Model")

    def layer_base(self):
        return self.layer("Layer")

    def input(self):
        if self._input_in_layers:
            return self.layer("Input")
        if self.flavor in ("tf", "tf_keras", "keras", "keras_L"):
            return f"{self._keras_module()}.Input"
        if self.flavor == "keras_layers":
            return f"{self._keras_l()}.Input"
        return self._from_import(self._package(), "Input")


# ---------------------------------------------------------------- layers and shapes


class Invalid(Exception):
    """The layer cannot take that shape (TensorFlow would raise)."""


@dataclass
class Layer:
    """A layer to write: its class, its arguments in order, how many go by position, and
    expressions that replace some argument values in the source (loop variables, constants)."""

    cls: str
    params: dict
    positional: int = 0
    render: dict = field(default_factory=dict)
    attr: str = ""  # name hint for an attribute or a variable


def conv_size(n, k, s, d, padding):
    if padding in ("same", "causal"):
        return -(-n // s)
    return (n - d * (k - 1) - 1) // s + 1


def pair(v, rank):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * rank


def out_shape(layer: Layer, shape):
    """The output shape (without batch) of ``layer`` on ``shape``; raises Invalid."""
    p, cls = layer.params, layer.cls
    if shape is None:
        raise Invalid
    if cls in ("Conv2D", "Conv1D"):
        rank = 2 if cls == "Conv2D" else 1
        if len(shape) != rank + 1:
            raise Invalid
        ks = pair(p["kernel_size"], rank)
        ss = pair(p.get("strides", 1), rank)
        ds = pair(p.get("dilation_rate", 1), rank)
        pad = p.get("padding", "valid")
        dims = tuple(conv_size(n, k, s, d, pad) for n, k, s, d in zip(shape, ks, ss, ds))
        if min(dims) < 1:
            raise Invalid
        return dims + (p["filters"],)
    if cls in ("MaxPooling2D", "AveragePooling2D"):
        if len(shape) != 3:
            raise Invalid
        ps = pair(p.get("pool_size", 2), 2)
        ss = pair(p["strides"], 2) if p.get("strides") is not None else ps
        pad = p.get("padding", "valid")
        dims = tuple(conv_size(n, k, s, 1, pad) for n, k, s in zip(shape, ps, ss))
        if min(dims) < 1:
            raise Invalid
        return dims + shape[-1:]
    if cls == "Flatten":
        size = 1
        for n in shape:
            size *= n
        return (size,)
    if cls == "Dense":
        return shape[:-1] + (p["units"],)
    if cls in ("Dropout", "BatchNormalization"):
        return shape
    if cls == "GlobalAveragePooling2D":
        if len(shape) != 3:
            raise Invalid
        return shape[-1:]
    if cls in ("LSTM", "GRU", "RNN"):
        if len(shape) != 2:
            raise Invalid
        units = p["cell"].params["units"] if cls == "RNN" else p["units"]
        return (shape[0], units) if p.get("return_sequences") else (units,)
    if cls == "Embedding":
        return shape + (p["output_dim"],)
    if cls == "Reshape":
        target = p["target_shape"]
        size = 1
        for n in shape:
            size *= n
        known = 1
        for n in target:
            known *= 1 if n == -1 else n
        if -1 in target:
            if size % known:
                raise Invalid
            return tuple(size // known if n == -1 else n for n in target)
        if known != size:
            raise Invalid
        return tuple(target)
    raise AssertionError(cls)


def run_through(layers, shape):
    for layer in layers:
        shape = out_shape(layer, shape)
    return shape


ACTIVATIONS = ("relu", "relu", "tanh", "sigmoid", "elu")


class LayerWriter:
    """Random layers fitting a shape."""

    def __init__(self, c: Chooser):
        self.c = c

    def _activation(self, params, percent=40):
        if self.c.chance(percent):
            params["activation"] = self.c.choice(ACTIVATIONS)

    def conv(self, shape, rank, shrink=False, filters=None):
        """A Conv1D/2D that keeps every dimension >= 1 (or, with shrink, one that does not)."""
        c = self.c
        cls = "Conv2D" if rank == 2 else "Conv1D"
        for _ in range(30):
            params = {"filters": filters or c.choice([4, 6, 8, 12, 16])}
            if shrink:
                small = min(shape[:rank])
                k = small + c.integer(1, 3)
                params["kernel_size"] = k if rank == 1 or c.chance(60) else (k, c.integer(1, 3))
                if c.chance(50):
                    params["padding"] = "valid"
                try:
                    out_shape(Layer(cls, params), shape)
                except Invalid:
                    return Layer(cls, params, positional=c.choice([0, 1, 2]), attr="conv")
                continue
            if rank == 2 and c.chance(25):
                params["kernel_size"] = (c.integer(1, 5), c.integer(1, 5))
            elif rank == 1 and c.chance(10):
                params["kernel_size"] = (c.integer(1, 5),)
            else:
                params["kernel_size"] = c.choice([1, 2, 3, 3, 3, 5])
            stride = c.choice([1, 1, 1, 2, 2, 3])
            if stride != 1:
                params["strides"] = (stride, c.choice([1, stride])) if rank == 2 and c.chance(20) else stride
            elif c.chance(20):
                params["strides"] = 1
            if c.chance(50):
                params["padding"] = c.choice(["same", "valid"] + (["causal"] if rank == 1 else []))
            if stride == 1 and c.chance(20):
                params["dilation_rate"] = c.choice([2, 2, 3]) if rank == 1 or c.chance(70) else (2, 1)
            self._activation(params)
            try:
                out_shape(Layer(cls, params), shape)
            except Invalid:
                continue
            return Layer(cls, params, positional=c.choice([0, 1, 2, 2]), attr="conv")
        return None

    def pool(self, shape, shrink=False):
        c = self.c
        cls = c.choice(["MaxPooling2D", "MaxPooling2D", "AveragePooling2D"])
        for _ in range(30):
            params = {}
            if shrink:
                params["pool_size"] = min(shape[:2]) + c.integer(1, 3)
                if c.chance(40):
                    params["padding"] = "valid"
            else:
                roll = c.integer(0, 9)
                if roll < 3:
                    pass  # default 2x2
                elif roll < 7:
                    params["pool_size"] = c.choice([2, 2, 3])
                else:
                    params["pool_size"] = c.choice([(2, 2), (2, 1), (1, 2), (3, 3)])
                if c.chance(30):
                    params["strides"] = c.choice([1, 2, 2, 3, (2, 1), (1, 2)])
                if c.chance(35):
                    params["padding"] = c.choice(["same", "valid"])
            if cls == "AveragePooling2D" and "pool_size" not in params and c.chance(90):
                params = {"pool_size": 2, **params}  # Keras 3: no default pool_size
            layer = Layer(cls, params, positional=c.choice([0, 1]), attr="pool")
            try:
                out_shape(layer, shape)
            except Invalid:
                if shrink:
                    return layer
                continue
            if not shrink:
                return layer
        return None

    def dense(self, units=None):
        params = {"units": units or self.c.choice([4, 8, 10, 16, 24, 32, 64])}
        self._activation(params, 50)
        return Layer("Dense", params, positional=self.c.choice([0, 1, 1, 1]), attr="dense")

    def dropout(self):
        return Layer("Dropout", {"rate": self.c.choice([0.1, 0.2, 0.25, 0.3, 0.5])},
                     positional=self.c.choice([0, 1, 1]), attr="dropout")

    def batchnorm(self):
        return Layer("BatchNormalization", {}, attr="bn")

    def flatten(self):
        return Layer("Flatten", {}, attr="flatten")

    def gap(self):
        return Layer("GlobalAveragePooling2D", {}, attr="gap")

    def recurrent(self, return_sequences=None):
        c = self.c
        params = {"units": c.choice([4, 8, 16, 32])}
        if return_sequences is None:
            return_sequences = c.chance(40)
        if return_sequences or c.chance(20):
            params["return_sequences"] = return_sequences
        cls = c.choice(["LSTM", "GRU"])
        if c.chance(25):  # the same loop as keras.layers.RNN around the layer's cell
            cell = Layer(cls + "Cell", {"units": params.pop("units")}, positional=c.choice([0, 1]))
            return Layer("RNN", {"cell": cell, **params}, positional=c.choice([0, 1]), attr="rnn")
        return Layer(cls, params, positional=c.choice([0, 1, 1]), attr="rnn")

    def embedding(self, vocab):
        params = {"input_dim": vocab, "output_dim": self.c.choice([4, 8, 16, 32])}
        return Layer("Embedding", params, positional=self.c.choice([0, 2, 2]), attr="embed")

    def reshape(self, shape, wrong=False):
        """A Reshape that regroups the values (or, with wrong, a target of another size)."""
        c = self.c
        size = 1
        for n in shape:
            size *= n
        if len(shape) == 3 and c.chance(70):
            target = (shape[0] * shape[1], shape[2]) if c.chance(60) else (-1, shape[2])
        elif len(shape) == 1:
            divisors = [d for d in range(2, size) if size % d == 0]
            if not divisors:
                target = (size, 1)
            else:
                d = c.choice(divisors)
                target = (d, size // d) if c.chance(70) else (d, -1)
        else:
            target = (size,) if c.chance(50) else (-1,)
        if wrong:  # one more in the first dimension: never the same size
            known = out_shape(Layer("Reshape", {"target_shape": target}), shape)
            target = (known[0] + c.choice([1, 2]),) + tuple(known[1:])
        return Layer("Reshape", {"target_shape": target}, positional=c.choice([1, 1, 0]), attr="reshape")


# ---------------------------------------------------------------- plans


@dataclass
class Loop:
    """Layers written once in a ``for`` loop: ``for VARS in ITER:`` and the body's layers
    (templates whose ``render`` names the loop variables), run once per value."""

    header: str
    iterable: str
    body: list
    runs: list  # per iteration, the body's layers with that iteration's values
    consts: list = field(default_factory=list)  # (name, value) module constants it uses


@dataclass
class Plan:
    input_kind: str  # image, seq, flat, tokens
    input_shape: tuple
    steps: list  # Layer | Loop
    vocab: int = 0
    bug: str = ""  # the bug the writer meant to plant ("" for none)

    def layers(self):
        for step in self.steps:
            if isinstance(step, Loop):
                for run in step.runs:
                    yield from run
            else:
                yield step


class Program:
    """One program being written: names, module constants, body lines."""

    def __init__(self, c: Chooser):
        self.c = c
        self.names = Names(c)
        self.used = set()
        self.consts = []  # (name, value text)
        self.classes = []  # lists of lines
        self.lines = []
        self.quote = c.choice(['"', "'"])

    def fresh(self, options):
        options = [o for o in options if o not in self.used] or [f"{options[0]}_{len(self.used)}"]
        name = self.c.choice(options)
        self.used.add(name)
        return name

    def layer_name(self, layer: Layer) -> str:
        """A unique explicit ``name=`` for a layer."""
        self.named = getattr(self, "named", 0) + 1
        base = {"conv": "conv", "pool": "pool", "dense": "fc", "dropout": "drop", "bn": "norm",
                "rnn": "recurrent", "embed": "embedding", "reshape": "to_seq"}.get(layer.attr, "layer")
        return f"{base}_{self.c.choice(['a', 'b', 'x', ''])}{self.named}"

    def const(self, options, text):
        for name, value in self.consts:
            if value == text and name in options:
                return name
        name = self.fresh(options)
        self.consts.append((name, text))
        return name

    def value(self, v):
        if isinstance(v, Layer):  # a layer given to a layer (RNN's cell)
            return self.call(v)
        if isinstance(v, str):
            return f"{self.quote}{v}{self.quote}"
        if isinstance(v, tuple):
            return "(" + ", ".join(self.value(x) for x in v) + ("," if len(v) == 1 else "") + ")"
        if isinstance(v, list):
            return "[" + ", ".join(self.value(x) for x in v) + "]"
        return repr(v)

    def call(self, layer: Layer) -> str:
        args = []
        order = SIGNATURES.get(layer.cls, ())
        keys = list(layer.params)
        positional = 0
        while (positional < min(layer.positional, len(keys), len(order))
               and keys[positional] == order[positional]):
            positional += 1
        for index, (key, v) in enumerate(layer.params.items()):
            text = layer.render.get(key) or self.value(v)
            args.append(text if index < positional else f"{key}={text}")
        return f"{self.names.layer(layer.cls)}({', '.join(args)})"

    def source(self) -> str:
        parts = ["\n".join(self.names.header())]
        if self.consts:
            parts.append("\n".join(f"{name} = {value}" for name, value in self.consts))
        for cls in self.classes:
            parts.append("\n".join(cls))
        parts.append("\n".join(self.lines))
        blank = "\n\n\n" if self.classes else "\n\n"
        return blank.join(parts) + "\n"


# Each layer's leading positional parameters, in Keras's order.
SIGNATURES = {
    "Conv1D": ("filters", "kernel_size"), "Conv2D": ("filters", "kernel_size"),
    "MaxPooling2D": ("pool_size", "strides"), "AveragePooling2D": ("pool_size", "strides"),
    "Dense": ("units",), "Dropout": ("rate",), "Reshape": ("target_shape",),
    "Embedding": ("input_dim", "output_dim"), "LSTM": ("units",), "GRU": ("units",),
    "LSTMCell": ("units",), "GRUCell": ("units",), "RNN": ("cell",),
}

FILTER_NAMES = ["filters", "channels", "filter_sizes", "conv_filters", "n_filters"]
UNIT_NAMES = ["units", "hidden_units", "hidden", "widths", "dense_units", "layer_sizes"]
KERNEL_NAMES = ["kernels", "kernel_sizes", "ks"]


class Planner:
    """The layer stack of a program, with loops over constant lists."""

    def __init__(self, prog: Program, bug: str):
        self.prog, self.c, self.bug = prog, prog.c, bug
        self.w = LayerWriter(self.c)

    def plan(self, input_kind=None, loops=True, head=True, force_loop=False) -> Plan:
        c = self.c
        kind = input_kind or c.choice(["image"] * 6 + ["seq"] * 2 + ["flat"] * 2 + ["tokens"])
        vocab = 0
        if kind == "image":
            side = c.integer(8, 40)
            shape = (side, side if c.chance(70) else c.integer(8, 40), c.choice([1, 1, 3]))
        elif kind == "seq":
            shape = (c.integer(4, 24), c.integer(2, 16))
        elif kind == "flat":
            shape = (c.choice([4, 8, 12, 16, 20, 32, 48, 64]),)
        else:
            vocab = c.choice([20, 50, 100, 1000])
            shape = (c.integer(4, 20),)
        plan = Plan(kind, shape, [], vocab=vocab, bug=self.bug)
        current = shape
        if kind == "tokens":
            layer = self.w.embedding(vocab)
            plan.steps.append(layer)
            current = out_shape(layer, current)
        body = c.integer(1, 5)
        shrink_at = c.integer(0, body - 1) if self.bug == "shrink" else -1
        loop_at = c.integer(0, body - 1) if force_loop else -1
        for index in range(body):
            step = None
            if index == loop_at and current is not None and len(current) != 2:
                step = self.conv_loop(current) if len(current) == 3 else self.dense_loop(current)
            step = step or self.step(current, loops, shrink=index == shrink_at)
            if step is None:
                continue
            if isinstance(step, Layer) and c.chance(8):
                step.params["name"] = self.prog.layer_name(step)
            plan.steps.append(step)
            current = self.after(step, current)
        if head:
            for layer in self.head(current):
                plan.steps.append(layer)
                current = self.after(layer, current)
        return plan

    def after(self, step, shape):
        try:
            layers = [x for run in step.runs for x in run] if isinstance(step, Loop) else [step]
            return run_through(layers, shape)
        except Invalid:
            return None

    def step(self, shape, loops, shrink=False):
        """One layer, or a loop, fitting ``shape`` (a broken plan: anything)."""
        c, w = self.c, self.w
        if shape is None:
            return w.dropout() if c.chance(50) else w.batchnorm()
        if len(shape) == 3:
            if shrink:
                return self.shrink_loop(shape) if loops and c.chance(40) else (
                    w.conv(shape, 2, shrink=True) if c.chance(50) else w.pool(shape, shrink=True))
            if loops and c.chance(30):
                loop = self.conv_loop(shape)
                if loop is not None:
                    return loop
            roll = c.integer(0, 9)
            if roll < 5:
                return w.conv(shape, 2)
            if roll < 8:
                return w.pool(shape) or w.batchnorm()
            return w.batchnorm() if roll == 8 else w.dropout()
        if len(shape) == 2:
            if shrink:
                return w.conv(shape, 1, shrink=True)
            roll = c.integer(0, 9)
            if roll < 4:
                return w.conv(shape, 1)
            if roll < 6:
                return w.recurrent(return_sequences=True)
            if roll < 7:
                return w.dense()
            return w.batchnorm() if roll == 7 else w.dropout()
        if shrink and c.chance(50):  # flat: nothing to shrink; a wrong Reshape instead
            return w.reshape(shape, wrong=True)
        if loops and c.chance(30):
            return self.dense_loop(shape)
        roll = c.integer(0, 9)
        if roll < 5:
            return w.dense()
        if roll < 7:
            return w.dropout()
        if roll < 8 and shape[0] > 2:
            return w.reshape(shape)
        return w.batchnorm()

    def conv_loop(self, shape):
        """``for f in filters:`` conv (+ pool), or ``for f, k in zip(filters, kernels)``."""
        c, prog = self.c, self.prog
        count = c.integer(2, 3)
        values = [c.choice([4, 8, 8, 16, 16, 32]) for _ in range(count)]
        if c.chance(40):
            values.sort()
        conv = self.w.conv(shape, 2, filters=values[0])
        if conv is None:
            return None
        conv.params.pop("dilation_rate", None)
        with_pool = c.chance(60)
        pool = self.w.pool(shape) if with_pool else None
        use_zip = c.chance(25)
        kernels = [c.choice([1, 3, 3, 5]) for _ in range(count)] if use_zip else None
        runs = []
        current = shape
        for i, f in enumerate(values):
            run = [Layer(conv.cls, {**conv.params, "filters": f,
                                    **({"kernel_size": kernels[i]} if use_zip else {})})]
            if pool is not None:
                run.append(Layer(pool.cls, dict(pool.params)))
            try:
                current = run_through(run, current)
            except Invalid:
                return None
            runs.append(run)
        var = prog.fresh(["f", "n_filters", "filters_i", "ch", "nf"])
        list_name = prog.const(FILTER_NAMES, prog.value(values))
        render = {"filters": var}
        header, iterable = var, list_name
        if use_zip:
            kvar = prog.fresh(["k", "ksize", "kernel"])
            kernel_name = prog.const(KERNEL_NAMES, prog.value(kernels))
            render["kernel_size"] = kvar
            header, iterable = f"{var}, {kvar}", f"zip({list_name}, {kernel_name})"
        body = [Layer(conv.cls, dict(runs[0][0].params), positional=conv.positional,
                      render=render, attr="conv")]
        if pool is not None:
            body.append(Layer(pool.cls, dict(pool.params), positional=pool.positional, attr="pool"))
        return Loop(header, iterable, body, runs)

    def shrink_loop(self, shape):
        """``for _ in range(n): MaxPooling2D()``, more poolings than the input can take."""
        c = self.c
        side = min(shape[:2])
        count = 1
        while side >= 2:
            side //= 2
            count += 1
        count += c.integer(0, 1)
        pool = Layer(c.choice(["MaxPooling2D", "AveragePooling2D"]), {}, attr="pool")
        if c.chance(40) or (pool.cls == "AveragePooling2D" and c.chance(90)):
            pool.params["pool_size"] = 2
            pool.positional = c.choice([0, 1])
        var = self.c.choice(["_", "_", self.prog.fresh(["i", "j"])])
        return Loop(var, f"range({count})", [pool], [[Layer(pool.cls, dict(pool.params))]
                                                     for _ in range(count)])

    def dense_loop(self, shape):
        c, prog = self.c, self.prog
        values = [c.choice([8, 16, 32, 64, 128]) for _ in range(c.integer(2, 3))]
        if c.chance(50):
            values.sort(reverse=True)
        var = self.prog.fresh(["n_units", "n", "width", "u", "size"])
        dense = self.w.dense()
        with_dropout = c.chance(40)
        runs = [[Layer("Dense", {**dense.params, "units": v})]
                + ([Layer("Dropout", {"rate": 0.2})] if with_dropout else []) for v in values]
        list_name = prog.const(UNIT_NAMES, prog.value(values))
        body = [Layer("Dense", dict(runs[0][0].params), positional=dense.positional,
                      render={"units": var}, attr="dense")]
        if with_dropout:
            body.append(Layer("Dropout", {"rate": 0.2}, positional=1, attr="dropout"))
        return Loop(var, list_name, body, runs)

    def head(self, shape):
        """To a flat vector (unless it is one), maybe hidden Dense layers, the output Dense."""
        c, w = self.c, self.w
        layers = []
        if shape is not None and len(shape) == 3:
            if not c.chance(5):  # 5%: Dense straight on the feature map (Keras allows it)
                layers.append(w.gap() if c.chance(35) else w.flatten())
        elif shape is not None and len(shape) == 2:
            roll = c.integer(0, 9)
            if roll < 6:
                layers.append(w.recurrent(return_sequences=False))
            elif roll < 9:
                layers.append(w.flatten())
        for _ in range(c.choice([0, 0, 1, 1, 2])):
            layers.append(w.dense())
            if c.chance(25):
                layers.append(w.dropout())
        classes = c.choice([1, 2, 3, 5, 10, 10])
        final = w.dense(units=classes)
        final.attr = "out"
        if c.chance(40):
            final.params["activation"] = "softmax" if classes > 1 else "sigmoid"
        if c.chance(35):
            final.render["units"] = self.prog.const(["num_classes", "n_classes", "classes"], str(classes))
        layers.append(final)
        return layers


# ---------------------------------------------------------------- data


def data_expr(prog: Program, plan: Plan, shape, batch) -> str:
    """An expression making the input data: numpy or TensorFlow, zeros or random."""
    c, names = prog.c, prog.names
    full = (batch,) + tuple(shape)
    dims = ", ".join(str(n) for n in full)
    if c.chance(20):  # the shape from constants
        batch_name = prog.const(["batch_size", "n_samples", "BATCH"], str(batch))
        dims = ", ".join([batch_name] + [str(n) for n in shape])
    tup = f"({dims}{',' if len(full) == 1 else ''})"
    if plan.input_kind == "tokens":
        vocab = plan.vocab
        return c.choice([
            f'{names.np()}.zeros({tup}, dtype={prog.value("int32")})',
            f"{names.np()}.random.randint(0, {vocab}, size={tup})",
            f"{names.tf()}.random.uniform({tup}, maxval={vocab}, dtype=tf.int32)",
            f"{names.tf()}.zeros({tup}, dtype=tf.int32)",
        ])
    return c.choice([
        f'{names.np()}.zeros({tup}, dtype={prog.value("float32")})',
        f"{names.np()}.ones({tup}, dtype=np.float32)",
        f'{names.np()}.random.rand({dims}).astype({prog.value("float32")})',
        f"{names.np()}.random.randn({dims})",
        f"{names.np()}.random.random({tup})",
        f"{names.tf()}.random.normal({tup})",
        f"{names.tf()}.random.normal(shape=[{dims}])",
        f"{names.tf()}.random.uniform({tup})",
        f"{names.tf()}.zeros({tup})",
        f"{names.tf()}.ones([{dims}])",
    ])


def declared_shape(prog: Program, plan: Plan) -> tuple:
    """The shape a model declares for its input: the data's, or for sequences sometimes
    a time axis of any length (``None``)."""
    shape = tuple(plan.input_shape)
    if plan.input_kind == "seq" and prog.c.chance(25):
        return (None,) + shape[1:]
    return shape


def data_shape(prog: Program, plan: Plan):
    """The data's shape per example: the plan's, or (bug "input") another one."""
    c = prog.c
    shape = plan.input_shape
    if plan.bug != "input":
        return shape
    kind = plan.input_kind
    roll = c.integer(0, 9)
    if kind == "image":
        if roll < 3:  # forgot the channel axis
            return shape[:2]
        if roll < 6:  # other channels
            return shape[:2] + ({1: 3, 3: 1}[shape[2]],)
        side = c.integer(8, 40)
        return (side, side, shape[2])
    if kind == "seq":
        return shape[:1] if roll < 3 else (shape[0], shape[1] + c.integer(1, 4))
    if kind == "flat":
        return (shape[0] + c.choice([-2, 4, 16]),) if roll < 7 else (2, shape[0])
    return shape + (1,) if roll < 3 else (shape[0], 2)


def feed(prog: Program, plan: Plan, model: str, out_options=None):
    """Lines making the data and running ``model`` on it."""
    c = prog.c
    batch = c.integer(1, 8)
    data = prog.fresh(["x", "images", "batch", "data", "x_batch", "sample", "xs", "x_test"])
    out = prog.fresh(out_options or ["y", "out", "preds", "logits", "result", "probs", "y_pred"])
    lines = [f"{data} = {data_expr(prog, plan, data_shape(prog, plan), batch)}"]
    how = c.integer(0, 9)
    if how < 5:
        lines.append(f"{out} = {model}({data})")
    elif how < 7:
        lines.append(f"{out} = {model}({data}, training=False)")
    else:
        lines.append(f"{out} = {model}.predict({data}, verbose=0)")
    if c.chance(50):
        lines.append(f"print({out}.shape)")
    if batch > 2 and c.chance(10):  # run again on part of the batch
        again = prog.fresh(["y_small", "out2", "first_two", "head_out"])
        lines.append(f"{again} = {model}({data}[:2])")
    return lines


# ---------------------------------------------------------------- styles


def sequential_style(prog: Program, how: str):
    """``Sequential([...])``, ``.add``, or ``.add`` with loops."""
    c, names = prog.c, prog.names
    bug = pick_bug(c, ("shrink", "shrink", "input", "reuse", "reshape", "rank"))
    planner = Planner(prog, bug if bug in ("shrink", "input") else "")
    plan = planner.plan(loops=how != "list", force_loop=how == "loop")
    if bug == "reuse":
        reuse_dense(prog, plan)
    if bug == "rank" and plan.input_kind in ("image", "seq"):
        plan.bug = "input"
    if bug == "reshape":
        plan_wrong_reshape(planner, plan)
    model = prog.fresh(["model", "net", "clf", "network", "cnn", "m", "classifier"])
    declare = c.choice(["input", "input", "input_shape", "build", "none", "none"])
    if plan.input_kind == "tokens" and declare == "input_shape":
        declare = "input"
    declared = declared_shape(prog, plan)
    shape_text = prog.value(declared)
    if c.chance(25):
        shape_text = prog.const(["input_shape", "INPUT_SHAPE", "in_shape"], shape_text)
    input_line = None
    if declare == "input":
        dtype = f", dtype={prog.value('int32')}" if plan.input_kind == "tokens" and c.chance(50) else ""
        input_line = f"{names.input()}(shape={shape_text}{dtype})"
    steps = list(plan.steps)
    first_layer = next((s for s in steps if isinstance(s, Layer)), None)
    if declare == "input_shape" and (first_layer is None or first_layer is not steps[0]):
        declare = "build"
    name_kw = f", name={prog.value(c.choice(['cnn', 'mlp', 'classifier', 'encoder', 'my_model']))}" \
        if c.chance(15) else ""
    shared = getattr(plan, "shared", None)

    def text(layer, first=False):
        if shared is not None and layer is shared[0]:
            return shared[1]
        call = prog.call(layer)
        if first and declare == "input_shape":
            call = call[:-1] + (", " if layer.params else "") + f"input_shape={shape_text})"
        return call

    lines = []
    if shared is not None:
        lines.append(f"{shared[1]} = {prog.call(shared[0])}")
    if how == "list" and not any(isinstance(s, Loop) for s in steps):
        items = ([input_line] if input_line else []) + [
            text(s, first=i == 0) for i, s in enumerate(steps)]
        lines.append(f"{model} = {names.sequential()}({'layers=' if c.chance(10) else ''}[")
        lines += [f"    {item}," for item in items]
        lines.append(f"]{name_kw})")
    else:
        if how == "list":  # a list built with loops, then given to Sequential
            holder = prog.fresh(["layer_list", "stack", "blocks", "layers_"])
            lines.append(f"{holder} = [{input_line}]" if input_line else f"{holder} = []")
            add = f"{holder}.append"
        else:
            lines.append(f"{model} = {names.sequential()}({name_kw[2:]})")
            if input_line:
                lines.append(f"{model}.add({input_line})")
            add = f"{model}.add"
        for i, step in enumerate(steps):
            if isinstance(step, Loop):
                lines.append(f"for {step.header} in {step.iterable}:")
                lines += [f"    {add}({prog.call(layer)})" for layer in step.body]
            else:
                lines.append(f"{add}({text(step, first=i == 0)})")
        if how == "list":
            lines.append(f"{model} = {names.sequential()}({holder}{name_kw})")
    if declare == "build":
        keyword = "input_shape=" if c.chance(30) else ""
        lines.append(f"{model}.build({keyword}{prog.value((None,) + declared)})")
    if c.chance(10):
        lines.append(f"{model}.summary()")
    if declare in ("input", "input_shape", "build") and c.chance(10):
        pass  # declared and never called
    else:
        lines += [""] + feed(prog, plan, model)
    prog.lines += lines


def reuse_dense(prog: Program, plan: Plan):
    """One Dense object listed twice (or the hidden Dense shared in a loop): its second use
    gets another width unless the widths happen to match."""
    c = prog.c
    denses = [s for s in plan.steps if isinstance(s, Layer) and s.cls == "Dense"]
    if not denses:
        return
    layer = denses[0]
    name = prog.fresh(["hidden", "shared", "fc", "dense", "dense_layer"])
    index = plan.steps.index(layer)
    plan.steps.insert(index + 1, layer)
    plan.shared = (layer, name)
    plan.bug = "reuse"
    del c


def plan_wrong_reshape(planner: Planner, plan: Plan):
    """A Reshape whose target does not hold the values, somewhere in the stack."""
    index = planner.c.integer(0, len(plan.steps))
    layers = [x for s in plan.steps[:index] for x in (
        [y for run in s.runs for y in run] if isinstance(s, Loop) else [s])]
    try:
        shape = run_through(layers, plan.input_shape)
    except Invalid:
        return
    plan.steps.insert(index, planner.w.reshape(shape, wrong=True))
    plan.bug = "reshape"


def attr_names(prog: Program, layers):
    """Attribute names for a subclass's layers: conv1, conv2, pool1, ... in one of a few styles."""
    c = prog.c
    style = c.choice(["num", "under", "short"])
    short = {"conv": "c", "pool": "p", "dense": "fc", "dropout": "drop", "bn": "bn",
             "flatten": "flat", "gap": "gap", "rnn": "rnn", "embed": "emb", "reshape": "resh",
             "out": "out"}
    counts, names = {}, []
    for layer in layers:
        base = layer.attr or "layer"
        counts[base] = counts.get(base, 0) + 1
    seen = {}
    for layer in layers:
        base = layer.attr or "layer"
        seen[base] = seen.get(base, 0) + 1
        if counts[base] == 1 and base in ("flatten", "gap", "out", "embed", "reshape"):
            names.append(base if style != "short" else short[base])
            continue
        if style == "num":
            names.append(f"{base}{seen[base]}")
        elif style == "under":
            names.append(f"{base}_{seen[base]}")
        else:
            names.append(f"{short.get(base, base)}{seen[base]}")
    return names


def subclass_style(prog: Program):
    """A Model subclass: layers made in ``__init__``, applied in ``call``."""
    c, names = prog.c, prog.names
    bug = pick_bug(c, ("shrink", "shrink", "input", "reuse", "reshape"))
    planner = Planner(prog, bug if bug in ("shrink", "input") else "")
    plan = planner.plan(loops=True)
    if bug == "reshape":
        plan_wrong_reshape(planner, plan)
    cls = prog.fresh(["Net", "MyModel", "SmallCNN", "Classifier", "ConvNet", "TinyNet", "SimpleModel"])
    inp = c.choice(["x", "inputs", "inputs", "x"])
    var = "x"
    singles = [s for s in plan.steps if isinstance(s, Layer)]
    attrs = attr_names(prog, singles)
    attr_of = {id(layer): name for layer, name in zip(singles, attrs)}
    init_args = []
    final = singles[-1] if singles else None
    if final is not None and final.cls == "Dense" and c.chance(40):
        arg = c.choice(["num_classes", "n_classes", "classes", "output_dim"])
        init_args.append((arg, final.params["units"]))
        final.render["units"] = arg
    signature = "".join(f", {a}={v}" for a, v in init_args)
    init = [f"class {cls}({names.model()}):",
            f"    def __init__(self{signature}):",
            "        super().__init__()"]
    call_lines = [f"    def call(self, {inp}{', training=False' if c.chance(40) else ''}):"]
    current = inp
    training = "training=False" in call_lines[0]
    reuse_target = None
    if bug == "reuse":
        denses = [s for s in singles if s.cls == "Dense"]
        reuse_target = denses[0] if denses else None
    for step in plan.steps:
        if isinstance(step, Loop):
            if current != var:
                call_lines.append(f"        {var} = {current}")
                current = var
            attr = prog.fresh(["convs", "blocks", "conv_layers", "stack", "hidden_layers", "denses"])
            if len(step.body) == 1 and c.chance(60):
                init.append(f"        self.{attr} = [{prog.call(step.body[0])} for {step.header} in "
                            f"{step.iterable}]")
                call_lines += [f"        for layer in self.{attr}:",
                               f"            {var} = layer({current})"]
            else:
                init.append(f"        self.{attr} = []")
                init.append(f"        for {step.header} in {step.iterable}:")
                init += [f"            self.{attr}.append({prog.call(layer)})" for layer in step.body]
                call_lines += [f"        for layer in self.{attr}:",
                               f"            {var} = layer({current})"]
            current = var
            continue
        attr = attr_of[id(step)]
        init.append(f"        self.{attr} = {prog.call(step)}")
        extra = ", training=training" if training and step.cls in ("Dropout", "BatchNormalization") else ""
        call_lines.append(f"        {var} = self.{attr}({current}{extra})")
        current = var
        if step is reuse_target:
            call_lines.append(f"        {var} = self.{attr}({var})")
            plan.bug = "reuse"
    call_lines[-1] = call_lines[-1].replace(f"{var} = ", "return ", 1) if call_lines[-1].startswith(
        f"        {var} = ") else call_lines[-1]
    if not call_lines[-1].strip().startswith("return"):
        call_lines.append(f"        return {current}")
    prog.classes.append(init + [""] + call_lines)
    model = prog.fresh(["model", "net", "clf", "network", "m"])
    ctor_args = ""
    if init_args and c.chance(60):
        ctor_args = f"{init_args[0][0]}={init_args[0][1]}" if c.chance(50) else str(init_args[0][1])
    prog.lines += [f"{model} = {cls}({ctor_args})", ""] + feed(prog, plan, model)


BLOCKS = ("conv", "conv", "dense")


def custom_layer_style(prog: Program):
    """A custom Layer (a conv or dense block) used several times by a Sequential or a Model."""
    c, names = prog.c, prog.names
    kind = c.choice(BLOCKS)
    bug = pick_bug(c, ("shrink", "input") if kind == "conv" else ("input",))
    if kind == "conv":
        side = c.integer(12, 40)
        shape = (side, side, c.choice([1, 3]))
        plan = Plan("image", shape, [], bug="input" if bug in ("input", "rank") else "")
    else:
        shape = (c.choice([8, 16, 20, 32, 64]),)
        plan = Plan("flat", shape, [], bug="input" if bug in ("input", "rank") else "")
    cls = prog.fresh({"conv": ["ConvBlock", "Block", "FeatureBlock", "DownBlock", "ConvUnit"],
                      "dense": ["DenseBlock", "MLPBlock", "HiddenBlock", "FeedForward"]}[kind])
    base = names.layer_base()
    body, lines_init = [], []
    inp = c.choice(["inputs", "x"])
    if kind == "conv":
        padding = "valid" if bug == "shrink" else c.choice(["same", "valid"])
        default_k = c.choice([3, 3, 5])
        with_bn = c.chance(40)
        with_pool = c.chance(60)
        pool_cls = c.choice(["MaxPooling2D", "AveragePooling2D"])
        sig = f"self, filters, kernel_size={default_k}, **kwargs"
        lines_init.append(f"        self.conv = {names.layer('Conv2D')}(filters, kernel_size, "
                          f"padding={prog.value(padding)}, activation={prog.value('relu')})")
        body.append("conv")
        if with_bn:
            lines_init.append(f"        self.bn = {names.layer('BatchNormalization')}()")
            body.append("bn")
        if with_pool:
            size = c.choice(["", "2", "pool_size=2"])
            if pool_cls == "AveragePooling2D" and not size and c.chance(90):
                size = "2"  # Keras 3's AveragePooling2D has no default pool_size
            lines_init.append(f"        self.pool = {names.layer(pool_cls)}({size})")
            body.append("pool")
    else:
        rate = c.choice([0.1, 0.2, 0.5])
        sig = f"self, units, rate={rate}, **kwargs"
        relu = prog.value("relu")
        lines_init.append(f"        self.dense = {names.layer('Dense')}(units, activation={relu})")
        lines_init.append(f"        self.dropout = {names.layer('Dropout')}(rate)")
        body = ["dense", "dropout"]
    block = [f"class {cls}({base}):",
             f"    def __init__({sig}):",
             "        super().__init__(**kwargs)", *lines_init, "",
             f"    def call(self, {inp}):"]
    current = inp
    for i, attr in enumerate(body):
        target = "return " if i == len(body) - 1 else "x = "
        block.append(f"        {target}self.{attr}({current})")
        current = "x"
    prog.classes.append(block)

    # the instances and the shapes they make
    count = c.integer(1, 3)
    instances, current = [], shape
    shrink_at = c.integer(0, count - 1) if bug == "shrink" and kind == "conv" else -1
    for i in range(count):
        if kind == "conv":
            k = c.choice([None, None, 1, 3, 5])
            filters = c.choice([4, 8, 16, 32])
            if i == shrink_at:
                k = min(current[:2]) + 2
            run = [Layer("Conv2D", {"filters": filters, "kernel_size": k or default_k,
                                    "padding": padding})]
            if with_pool:
                run.append(Layer("MaxPooling2D", {}))
            try:
                nxt = run_through(run, current)
            except Invalid:
                if i != shrink_at:
                    continue
                nxt = None
            args = [str(filters)] + ([str(k) if c.chance(50) else f"kernel_size={k}"] if k else [])
            instances.append(", ".join(args))
            current = nxt
        else:
            units = c.choice([8, 16, 32, 64])
            args = [str(units)] + ([f"rate={c.choice([0.1, 0.3])}"] if c.chance(30) else [])
            instances.append(", ".join(args))
            current = (units,)
        if current is None:
            break
    if not instances:
        instances.append("8")
    if c.chance(15):
        instances = [f"{args}, name={prog.value(f'block_{i}')}" for i, args in enumerate(instances, 1)]
    head = LayerWriter(c)
    head_layers = []
    if kind == "conv":
        head_layers.append(head.gap() if c.chance(40) else head.flatten())
    classes = c.choice([2, 3, 10])
    head_layers.append(head.dense(units=classes))
    container = c.choice(["sequential", "sequential", "model"])
    model = prog.fresh(["model", "net", "clf", "network", "m"])
    if container == "sequential":
        lines = [f"{model} = {names.sequential()}(["]
        if c.chance(60):
            lines.append(f"    {names.input()}(shape={prog.value(shape)}),")
        lines += [f"    {cls}({args})," for args in instances]
        lines += [f"    {prog.call(layer)}," for layer in head_layers]
        lines.append("])")
        prog.lines += lines + [""] + feed(prog, plan, model)
        return
    outer = prog.fresh(["Net", "MyModel", "Classifier", "BlockNet", "Backbone"])
    init = [f"class {outer}({names.model()}):", "    def __init__(self):", "        super().__init__()"]
    call = ["    def call(self, x):"]
    if c.chance(50) and len(instances) > 1:
        items = ", ".join(f"{cls}({args})" for args in instances)
        init.append(f"        self.blocks = [{items}]")
        call += ["        for block in self.blocks:", "            x = block(x)"]
    else:
        for i, args in enumerate(instances, 1):
            init.append(f"        self.block{i} = {cls}({args})")
            call.append(f"        x = self.block{i}(x)")
    for i, layer in enumerate(head_layers):
        attr = layer.attr if layer.attr != "dense" else "head"
        init.append(f"        self.{attr} = {prog.call(layer)}")
        call.append(f"        {'return' if i == len(head_layers) - 1 else 'x ='} self.{attr}(x)")
    prog.classes.append(init + [""] + call)
    prog.lines += [f"{model} = {outer}()", ""] + feed(prog, plan, model)


def nested_style(prog: Program):
    """Sequentials inside a Model subclass, or a Sequential backbone in a functional model."""
    c, names = prog.c, prog.names
    bug = pick_bug(c, ("shrink", "shrink", "input", "reshape"))
    planner = Planner(prog, bug if bug in ("shrink", "input") else "")
    plan = planner.plan(input_kind=c.choice(["image", "image", "seq", "flat"]), loops=False, head=False)
    if bug == "reshape":
        plan_wrong_reshape(planner, plan)
    current = plan.input_shape
    try:
        current = run_through(plan.steps, current)
    except Invalid:
        current = None
    head = planner.head(current)
    # The feature part ends with the layer that makes it flat.
    while head and head[0].cls in ("Flatten", "GlobalAveragePooling2D", "LSTM", "GRU", "RNN"):
        plan.steps.append(head.pop(0))
    if not plan.steps:
        plan.steps.append(planner.w.dropout())
    how = c.integer(0, 9)
    if how >= 8:  # a Sequential of Sequentials
        first = prog.fresh(["features", "backbone", "encoder"])
        second = prog.fresh(["head", "top", "decoder"])
        lines = [f"{first} = {names.sequential()}(["]
        lines += [f"    {prog.call(layer)}," for layer in plan.steps]
        lines += ["])", f"{second} = {names.sequential()}(["]
        lines += [f"    {prog.call(layer)}," for layer in head]
        lines.append("])")
        model = prog.fresh(["model", "net", "clf", "m"])
        lines.append(f"{model} = {names.sequential()}([{first}, {second}])")
        prog.lines += lines + [""] + feed(prog, plan, model)
        return
    if how < 5:
        cls = prog.fresh(["Classifier", "Net", "FeatureModel", "TwoStage", "MyModel"])
        feat = c.choice(["features", "backbone", "encoder", "body"])
        top = c.choice(["head", "classifier", "top", "decoder"])
        init = [f"class {cls}({names.model()}):", "    def __init__(self):", "        super().__init__()",
                f"        self.{feat} = {names.sequential()}(["]
        init += [f"            {prog.call(layer)}," for layer in plan.steps]
        init += ["        ])", f"        self.{top} = {names.sequential()}(["]
        init += [f"            {prog.call(layer)}," for layer in head]
        init.append("        ])")
        call = ["    def call(self, x):"]
        if c.chance(50):
            call.append(f"        return self.{top}(self.{feat}(x))")
        else:
            var = c.choice(["feats", "h", "z"])
            call += [f"        {var} = self.{feat}(x)", f"        return self.{top}({var})"]
        prog.classes.append(init + [""] + call)
        model = prog.fresh(["model", "net", "clf", "m"])
        prog.lines += [f"{model} = {cls}()", ""] + feed(prog, plan, model)
        return
    backbone = prog.fresh(["backbone", "features", "encoder", "base"])
    lines = [f"{backbone} = {names.sequential()}(["]
    lines += [f"    {prog.call(layer)}," for layer in plan.steps]
    lines.append("])")
    inputs = prog.fresh(["inputs", "inp", "input_layer"])
    lines.append(f"{inputs} = {names.input()}(shape={prog.value(declared_shape(prog, plan))})")
    var = c.choice(["x", "h", "z"])
    lines.append(f"{var} = {backbone}({inputs})")
    for i, layer in enumerate(head):
        target = "outputs" if i == len(head) - 1 else var
        lines.append(f"{target} = {prog.call(layer)}({var})")
    if not head:
        lines.append(f"outputs = {var}")
    model = prog.fresh(["model", "net", "clf", "m"])
    lines.append(f"{model} = {names.model()}({inputs}, outputs)")
    prog.lines += lines + [""] + feed(prog, plan, model)


def functional_style(prog: Program):
    """``keras.Input`` + layer calls, with branches merged by Concatenate or Add."""
    c, names = prog.c, prog.names
    bug = pick_bug(c, ("shrink", "shrink", "input", "reuse", "merge", "merge", "reshape"))
    planner = Planner(prog, bug if bug in ("shrink", "input") else "")
    plan = planner.plan(loops=True, head=False)
    if bug == "reshape":
        plan_wrong_reshape(planner, plan)
    if bug == "rank":
        plan.bug = "input"
    inputs = prog.fresh(["inputs", "inp", "input_layer", "x_in", "img_input"])
    var = prog.fresh(["x", "h", "net_out", "t", "z"])
    shape_text = prog.value(declared_shape(prog, plan))
    if c.chance(30):
        shape_text = prog.const(["input_shape", "INPUT_SHAPE", "in_shape"], shape_text)
    dtype = f", dtype={prog.value('int32')}" if plan.input_kind == "tokens" and c.chance(50) else ""
    lines = [f"{inputs} = {names.input()}(shape={shape_text}{dtype})"]
    current, shape = inputs, plan.input_shape
    merge_done = False
    merge_bug = bug == "merge"
    reuse_bug = bug == "reuse"

    def emit(layer, shape):
        nonlocal current
        if c.chance(15):
            name = prog.fresh([f"{layer.attr}_layer", f"{layer.attr}{len(lines)}"])
            lines.append(f"{name} = {prog.call(layer)}")
            lines.append(f"{var} = {name}({current})")
        else:
            lines.append(f"{var} = {prog.call(layer)}({current})")
        current = var
        try:
            return out_shape(layer, shape)
        except Invalid:
            return None

    for step in plan.steps:
        if isinstance(step, Loop):
            if current != var:
                lines.append(f"{var} = {current}")
                current = var
            lines.append(f"for {step.header} in {step.iterable}:")
            for layer in step.body:
                lines.append(f"    {var} = {prog.call(layer)}({current})")
                current = var
            try:
                shape = run_through([x for run in step.runs for x in run], shape)
            except Invalid:
                shape = None
            continue
        shape = emit(step, shape)
        if (shape is not None and len(shape) == 3 and not merge_done
                and c.chance(100 if merge_bug else 45)):
            shape = branch(prog, lines, var, shape, merge_bug)
            merge_done = True
            merge_bug = False
    if merge_bug and shape is not None and len(shape) == 3:
        shape = branch(prog, lines, var, shape, True)
        merge_bug = False
    if merge_bug and shape is not None:  # flat merge of two widths
        a, b = prog.fresh(["a", "left", "p"]), prog.fresh(["b", "right", "q"])
        w = LayerWriter(c)
        lines.append(f"{a} = {prog.call(w.dense(units=8))}({var})")
        lines.append(f"{b} = {prog.call(w.dense(units=16))}({var})")
        lines.append(f"{var} = {prog.call(Layer('Add', {}))}([{a}, {b}])")
        shape = None
    head = planner.head(shape)
    for i, layer in enumerate(head):
        target = "outputs" if i == len(head) - 1 else var
        if reuse_bug and layer.cls == "Dense" and i < len(head) - 1:
            shared = prog.fresh(["shared", "hidden", "fc"])
            lines.append(f"{shared} = {prog.call(layer)}")
            lines.append(f"{var} = {shared}({var})")
            lines.append(f"{target} = {shared}({var})")
            reuse_bug = False
            plan.bug = "reuse"
            continue
        lines.append(f"{target} = {prog.call(layer)}({var})")
    model = prog.fresh(["model", "net", "clf", "m", "network"])
    ctor = c.choice([f"{inputs}, outputs", f"inputs={inputs}, outputs=outputs"])
    if c.chance(20):
        ctor += f", name={prog.value(c.choice(['functional_cnn', 'net', 'toy_model']))}"
    lines.append(f"{model} = {names.model()}({ctor})")
    if c.chance(10):
        prog.lines += lines
        return
    prog.lines += lines + [""] + feed(prog, plan, model)


def multi_input_style(prog: Program):
    """A functional model with two inputs (features of an image or a sequence, and a
    vector), concatenated, called on a list of two arrays."""
    c, names = prog.c, prog.names
    bug = pick_bug(c, ("input", "input", "swap", "shrink", "merge"))
    planner = Planner(prog, bug if bug == "shrink" else "")
    plan = planner.plan(input_kind=c.choice(["image", "image", "seq", "flat"]), loops=False, head=False)
    width = c.choice([3, 4, 8, 16])
    meta = Plan("flat", (width,), [], bug="input" if bug == "input" else "")
    first = prog.fresh(["image_input", "main_input", "inp_a", "x_in"])
    second = prog.fresh(["meta_input", "aux_input", "inp_b", "extra_in"])
    var, other = prog.fresh(["x", "h", "feat"]), prog.fresh(["m", "aux", "g"])
    named = c.chance(40)
    lines = [f"{first} = {names.input()}(shape={prog.value(tuple(plan.input_shape))}"
             f"{', name=' + prog.value('image') if named else ''})",
             f"{second} = {names.input()}(shape={prog.value((width,))}"
             f"{', name=' + prog.value('meta') if named else ''})"]
    current, shape = first, plan.input_shape
    for layer in plan.steps:
        lines.append(f"{var} = {prog.call(layer)}({current})")
        current = var
        try:
            shape = out_shape(layer, shape)
        except Invalid:
            shape = None
    w = LayerWriter(c)
    if shape is None or len(shape) > 1:
        if shape is not None and len(shape) == 3 and c.chance(50):
            flat = w.gap()
        elif shape is not None and len(shape) == 2 and c.chance(50):
            flat = w.recurrent(return_sequences=False)
        else:
            flat = w.flatten()
        lines.append(f"{var} = {prog.call(flat)}({current})")
        current = var
    lines.append(f"{other} = {prog.call(w.dense())}({second})")
    merged = prog.fresh(["merged", "joined", "both"])
    if bug == "merge":  # Add of two widths
        lines.append(f"{merged} = {names.layer('Add')}()([{current}, {other}])")
    elif c.chance(30):
        lines.append(f"{merged} = {names.layer('concatenate')}([{current}, {other}])")
    else:
        lines.append(f"{merged} = {names.layer('Concatenate')}()([{current}, {other}])")
    final = w.dense(units=c.choice([1, 2, 5]))
    lines.append(f"outputs = {prog.call(final)}({merged})")
    model = prog.fresh(["model", "net", "m"])
    lines.append(f"{model} = {names.model()}(inputs=[{first}, {second}], outputs=outputs)")
    batch = c.integer(1, 8)
    if bug == "input" and c.chance(50):
        plan.bug = "input"
        meta.bug = ""
    xa, xb = prog.fresh(["images", "x_main", "xa", "seq_data"]), prog.fresh(["meta", "x_aux", "xb", "extra"])
    out = prog.fresh(["y", "preds", "out"])
    lines += ["", f"{xa} = {data_expr(prog, plan, data_shape(prog, plan), batch)}",
              f"{xb} = {data_expr(prog, meta, data_shape(prog, meta), batch)}"]
    pair_text = f"[{xb}, {xa}]" if bug == "swap" else f"[{xa}, {xb}]"
    if c.chance(70):
        lines.append(f"{out} = {model}({pair_text})")
    else:
        lines.append(f"{out} = {model}.predict({pair_text}, verbose=0)")
    prog.lines += lines


def branch(prog: Program, lines, var, shape, wrong):
    """Two convolutions of ``var`` merged: Concatenate (same spatial size), or Add (same
    shape, e.g. a residual connection). ``wrong``: sizes that do not match."""
    c = prog.c
    a, b = prog.fresh(["a", "left", "branch1", "p", "y1"]), prog.fresh(["b", "right", "branch2", "q", "y2"])
    merge = c.choice(["Concatenate", "Concatenate", "Add", "residual"])
    channels = shape[2]
    f1 = c.choice([4, 8, 16])
    f2 = c.choice([4, 8, 16]) if merge == "Concatenate" else f1
    s2 = 1
    if wrong:
        if merge == "Concatenate" or c.chance(50):
            s2 = 2 if min(shape[:2]) >= 2 else 1
            if s2 == 1:
                f2 = f1 + 4
        else:
            f2 = f1 + 4
    if merge == "residual":
        f1 = channels
        conv = Layer("Conv2D", {"filters": channels + 4 if wrong and s2 == 1 else channels, "kernel_size": 3,
                                "padding": "same"} | ({"strides": 2} if s2 == 2 else {}), positional=2)
        shortcut = prog.fresh(["shortcut", "skip", "residual"])
        lines.append(f"{shortcut} = {var}")
        lines.append(f"{var} = {prog.call(conv)}({var})")
        lines.append(f"{var} = {prog.call(Layer('Add', {}))}([{var}, {shortcut}])")
        return None if wrong else shape
    k1 = c.choice([1, 3, 5])
    conv_a = Layer("Conv2D", {"filters": f1, "kernel_size": k1, "padding": "same"}, positional=2)
    conv_b = Layer("Conv2D", {"filters": f2, "kernel_size": 1} | ({"strides": 2} if s2 == 2 else {}),
                   positional=2)
    lines.append(f"{a} = {prog.call(conv_a)}({var})")
    lines.append(f"{b} = {prog.call(conv_b)}({var})")
    if merge == "Concatenate":
        axis = f"axis={c.choice(['-1', '3'])}" if c.chance(25) else ""
        if c.chance(25):
            helper = prog.names.layer("concatenate")
            lines.append(f"{var} = {helper}([{a}, {b}]{', ' + axis if axis else ''})")
        else:
            lines.append(f"{var} = {prog.names.layer('Concatenate')}({axis})([{a}, {b}])")
        return None if wrong else shape[:2] + (f1 + f2,)
    if c.chance(25):
        lines.append(f"{var} = {prog.names.layer('add')}([{a}, {b}])")
    else:
        lines.append(f"{var} = {prog.names.layer('Add')}()([{a}, {b}])")
    return None if wrong else shape[:2] + (f1,)


BUG_PERCENT = 30


def pick_bug(c: Chooser, bugs) -> str:
    """One of ``bugs`` for BUG_PERCENT of the programs, else "" (none)."""
    return c.choice(bugs) if c.chance(BUG_PERCENT) else ""
STYLES = ("list", "add", "loop", "subclass", "custom", "nested", "functional", "functional", "multi")


def write_program(c: Chooser) -> str:
    prog = Program(c)
    style = c.choice(STYLES)
    if style in ("list", "add", "loop"):
        sequential_style(prog, style)
    elif style == "subclass":
        subclass_style(prog)
    elif style == "custom":
        custom_layer_style(prog)
    elif style == "nested":
        nested_style(prog)
    elif style == "multi":
        multi_input_style(prog)
    else:
        functional_style(prog)
    return prog.source()


@st.composite
def programs(draw):
    """The source text of a random Keras program."""
    return write_program(DrawChooser(draw))


def random_program(seed) -> str:
    """The program of one seed (any hashable; strings are stable across runs)."""
    return write_program(RandomChooser(random.Random(seed)))


def random_programs(seed, count: int, start: int = 0) -> list[str]:
    """Programs ``start`` .. ``start + count - 1`` of the batch of ``seed``."""
    return [random_program(f"{seed}:{index}") for index in range(start, start + count)]
