"""SHP201-SHP205: model code that runs (or fails) but does not build what it says (the
layer-argument rules SHP206 and SHP207 are in layer_arguments)."""

from __future__ import annotations

import libcst as cst

from shapecheck.objects import LAYER_LIKE, BuiltinLayer, Instance, Sequential
from shapecheck.rules.base import LAYER_IMPORTS, FactRule, Rule
from shapecheck.rules.rewrites import all_but_last, pass_the_tensor
from shapecheck.walk import walk


class IgnoredLayerArgument(Rule):
    """A Layer or Model subclass takes an argument in ``__init__`` and never uses it.

    Why: the network still builds and runs, just not the one the caller asked
    for: ``ConvLayer(filters=16)`` that passes ``filters=6`` to its ``Conv2D``
    silently makes every block six filters wide. Passing a literal to the keyword of
    the argument's own name is an error; an argument that is merely unused is a
    warning (it may be kept for a caller's sake).

    Instead: pass the argument through (``Conv2D(filters=filters)``), or drop it.
    """

    code = "SHP201"
    name = "ignored-layer-argument"
    fix = "Pass the argument through: `filters=6` becomes `filters=filters`."
    VALID = [LAYER_IMPORTS + """
class ConvLayer(Layer):
    def __init__(self, filters, padding='same'):
        super().__init__()
        self.conv = Conv2D(filters=filters, kernel_size=3, padding=padding)

    def call(self, x):
        return self.conv(x)
"""]
    INVALID = [LAYER_IMPORTS + """
class ConvLayer(Layer):
    def __init__(self, filters, padding='same'):
        super().__init__()
        self.conv = Conv2D(filters=6, kernel_size=3, padding=padding)

    def call(self, x):
        return self.conv(x)
""", LAYER_IMPORTS + """
class Block(Layer):
    def __init__(self, units, rate):
        super().__init__()
        self.units = units

    def call(self, x):
        return x
"""]

    def check(self, analysis):
        for cls in analysis.evaluator.classes:
            init = cls.methods.get("__init__")
            if cls.kind is None or init is None:
                continue
            used = _loaded_names(init.node.body)
            for param in _parameters(init.node):
                if param.name.value in used:
                    continue
                call, keyword = _literal_keyword(init.node.body, param.name.value)
                name = param.name.value
                if call is not None:
                    callee = cst.Module(body=[]).code_for_node(call.func)
                    literal = cst.Module(body=[]).code_for_node(keyword.value)
                    yield self.diagnostic(
                        analysis, call,
                        f"{cls.name}.__init__ takes '{name}' but passes {name}={literal} to "
                        f"{callee}: write {name}={name} so the argument takes effect",
                        fix=(f"Write {name}={name}", ((keyword.value, keyword.value, name),)))
                else:
                    yield self.diagnostic(
                        analysis, param,
                        f"{cls.name}.__init__ takes '{name}' but never uses it: use it to "
                        f"configure a layer, or remove it", severity="warning")


def _parameters(function: cst.FunctionDef):
    params = function.params
    return [p for p in (*params.posonly_params, *params.params, *params.kwonly_params)
            if p.name.value not in ("self", "cls") and not p.name.value.startswith("_")]


def _loaded_names(body) -> set:
    names = set()

    def visit(node) -> bool:
        if isinstance(node, cst.Name):
            names.add(node.value)
        elif isinstance(node, cst.AssignTarget):
            # A plain `x = ...` rebinds the name; it does not use it.
            return not isinstance(node.target, cst.Name)
        elif isinstance(node, (cst.Attribute, cst.Arg)):  # (not its attr, nor a keyword)
            walk(node.value, visit)
            return False
        return True

    walk(body, visit)
    return names


def _literal_keyword(body, name: str):
    """The first call passing ``name=<literal>`` (the argument it should have passed on)."""
    found = []

    class Visitor(cst.CSTVisitor):
        def visit_Call(self, node):
            for arg in node.args:
                if (not found and arg.keyword is not None and arg.keyword.value == name
                        and isinstance(arg.value, (cst.Integer, cst.Float, cst.SimpleString,
                                                   cst.Tuple, cst.Name))):
                    found.append((node, arg))

    body.visit(Visitor())
    return found[0] if found else (None, None)


class CallWithoutInput(FactRule):
    """A layer or model is called with no input tensor.

    Why: ``self.fe()`` inside ``call()`` raises ``TypeError: missing 1 required
    positional argument`` when the model first runs; it is easy to write when
    refactoring ``x = self.conv1(x)`` lines into a Sequential.

    Instead: pass the tensor: ``x = self.fe(x)``.
    """

    code = "SHP202"
    claims_raise = True
    name = "call-without-input"
    fact_kind = "call-without-input"
    fix = ("Pass the tensor the statement assigns, when the function has it: `x = self.fe()` "
           "becomes `x = self.fe(x)`.")
    VALID = [LAYER_IMPORTS + """
from tensorflow.keras.models import Model, Sequential
from tensorflow.keras.layers import Flatten

class Net(Model):
    def __init__(self):
        super().__init__()
        self.fe = Sequential([Flatten()])

    def call(self, x):
        return self.fe(x)

y = Net()(tf.zeros((2, 4, 4, 1)))
"""]
    INVALID = [LAYER_IMPORTS + """
from tensorflow.keras.models import Model, Sequential
from tensorflow.keras.layers import Flatten

class Net(Model):
    def __init__(self):
        super().__init__()
        self.fe = Sequential([Flatten()])

    def call(self, x):
        x = self.fe()
        return x

y = Net()(tf.zeros((2, 4, 4, 1)))
"""]

    def fix_for(self, analysis, fact):
        return pass_the_tensor(analysis, fact.node)


class UnusedLayer(Rule):
    """A layer created in ``__init__`` is never applied in ``call()``.

    Why: its weights are never built or trained, and the forward pass is not
    the architecture ``__init__`` describes (a forgotten pooling or dropout).

    Instead: apply it in ``call()``, or delete it.
    """

    code = "SHP203"
    name = "unused-layer"
    severity = "warning"
    VALID = [LAYER_IMPORTS + """
from tensorflow.keras.models import Model
from tensorflow.keras.layers import Dense

class Net(Model):
    def __init__(self):
        super().__init__()
        self.hidden = Dense(8)
        self.out = Dense(2)

    def call(self, x):
        return self.out(self.hidden(x))
"""]
    INVALID = [LAYER_IMPORTS + """
from tensorflow.keras.models import Model
from tensorflow.keras.layers import Dense, Dropout

class Net(Model):
    def __init__(self):
        super().__init__()
        self.hidden = Dense(8)
        self.drop = Dropout(0.5)
        self.out = Dense(2)

    def call(self, x):
        return self.out(self.hidden(x))
"""]

    def check(self, analysis):
        for cls in analysis.evaluator.classes:
            init, call = cls.methods.get("__init__"), cls.method("call")
            if cls.kind is None or init is None or call is None:
                continue
            referenced = set()
            for method in cls.methods.values():
                if method is not init:
                    referenced |= _self_attributes(method.node.body)
            instances = [o for o in analysis.evaluator.objects
                         if isinstance(o, Instance) and o.cls is cls]
            for attr, target in _self_assignments(init.node.body):
                if attr in referenced:
                    continue
                if any(isinstance(i.attrs.get(attr), LAYER_LIKE) for i in instances):
                    yield self.diagnostic(
                        analysis, target,
                        f"{cls.name}.__init__ creates layer 'self.{attr}' but call() never "
                        f"applies it: apply it in call() or remove it")


def _self_attributes(body) -> set:
    names = set()

    def visit(node) -> None:
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) \
                and node.value.value == "self":
            names.add(node.attr.value)

    walk(body, visit)
    return names


def _self_assignments(body):
    found = []

    def visit(node) -> None:
        if isinstance(node, cst.AssignTarget):
            target = node.target
            if (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                    and target.value.value == "self"):
                found.append((target.attr.value, target))

    walk(body, visit)
    return found


class DuplicatedOutputLayer(Rule):
    """A Dense of the same width as the final layer directly precedes it.

    Why: the model ends in two output layers, one more than intended; typical
    when a loop over ``[50, 30, 10]`` already adds the 10-unit layer and the
    code then adds ``Dense(10, activation='softmax')`` once more.

    Instead: loop over all but the last width (``n_units[:-1]``), or drop the
    extra layer.
    """

    code = "SHP204"
    name = "duplicated-output-layer"
    severity = "warning"
    fix = "Make the loop that adds the other layer stop before it: `for units in widths[:-1]:`."
    VALID = ["""from tensorflow.keras import Sequential
from tensorflow.keras.layers import Dense
model = Sequential()
for units in [50, 30]:
    model.add(Dense(units, activation='relu'))
model.add(Dense(10, activation='softmax'))
"""]
    INVALID = ["""from tensorflow.keras import Sequential
from tensorflow.keras.layers import Dense
model = Sequential()
for units in [50, 30, 10]:
    model.add(Dense(units, activation='relu'))
model.add(Dense(10, activation='softmax'))
"""]

    def check(self, analysis):
        reported = set()
        for layers in _layer_sequences(analysis):
            if len(layers) < 2:
                continue
            before, last = layers[-2], layers[-1]
            units = _dense_units(last)
            if units is None or units != _dense_units(before) or id(last) in reported:
                continue
            reported.add(id(last))
            fix = all_but_last(analysis, before.node, last.node) \
                if analysis.elsewhere(before.node) is None and analysis.elsewhere(last.node) is None else None
            yield self.diagnostic(
                analysis, last.node,
                f"the final Dense({units}) directly follows another Dense({units}) "
                f"(line {analysis.line(before.node)}): the model ends with two output "
                f"layers; remove one, or make the loop stop before the output width", fix=fix)


def _dense_units(layer):
    if isinstance(layer, BuiltinLayer) and layer.cls_name == "Dense":
        units = layer.config.get("units")
        return units if isinstance(units, int) else None
    return None


def _layer_sequences(analysis):
    """The layer lists of the file's outermost models: Sequentials and forward passes
    (a block inside another model, such as a transformer's feed-forward, has no output layer)."""
    evaluator = analysis.evaluator
    for obj in evaluator.objects:
        if isinstance(obj, Sequential) and not evaluator._held_by_other(obj):
            yield obj.layers
    for record in evaluator.calls:
        if isinstance(record.layer, Instance) and record.layer.cls.kind == "model":
            yield [child.layer for child in record.children]


class ActivationLossMismatch(FactRule):
    """The final activation and the loss's ``from_logits`` disagree.

    Why: ``from_logits=True`` on softmax/sigmoid outputs applies the activation twice;
    ``from_logits=False`` (the default) on a last layer without activation treats raw
    scores as probabilities.  Either way the model runs and trains, just badly.

    Instead: end in logits with ``from_logits=True``, or in softmax/sigmoid with
    ``from_logits=False``.
    """

    code = "SHP205"
    name = "activation-loss-mismatch"
    severity = "warning"
    fact_kind = "activation-loss-mismatch"
    VALID = [LAYER_IMPORTS + """from tensorflow.keras import Sequential, Input
from tensorflow.keras.layers import Dense
model = Sequential([Input((8,)), Dense(10)])
model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
"""]
    INVALID = [LAYER_IMPORTS + """from tensorflow.keras import Sequential, Input
from tensorflow.keras.layers import Dense
model = Sequential([Input((8,)), Dense(10, activation='softmax')])
model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
""", LAYER_IMPORTS + """from tensorflow.keras.layers import Dense
y = tf.zeros((4,), 'int32')
scores = Dense(10)(tf.zeros((4, 8)))
loss = tf.keras.losses.SparseCategoricalCrossentropy()(y, scores)
"""]
