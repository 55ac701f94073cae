"""Layer application: a layer or model applied to its input, recorded as a ``LayerCall``."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from shapecheck import dims
from shapecheck.dims import format_shape
from shapecheck.layers import ShapeError, preprocessing
from shapecheck.library import models
from shapecheck.library.tensors import shape_arg
from shapecheck.objects import (
    LAYER_LIKE,
    BuiltinLayer,
    FunctionalModel,
    InputLayer,
    Instance,
    OpaqueLayer,
    Operation,
    Sequential,
    is_model,
)
from shapecheck.values import (
    UNKNOWN,
    LayerCall,
    Tensor,
    origins,
    output_shape_of,
    shape_of,
    substitute,
    tensor_leaves,
)


class LayerCalls:
    """Applying layers and models, and collecting the facts found on the way."""

    # ------------------------------------------------------ layer applications
    def apply(self, layer, args, kwargs, node):
        """Apply a layer or model to its input, recording the call."""
        if getattr(layer, "broken", False):  # Keras raised while building it
            return UNKNOWN
        spec = layer.spec if isinstance(layer, BuiltinLayer) else None
        names = spec.call_inputs if spec else ()
        options = {name: kwargs.get(name, default) for name, default in spec.call_options} if spec else {}
        if names and not (len(args) == 1 and isinstance(args[0], list)):
            args, kwargs = _named_inputs(names, args, kwargs), {}
        inputs = _call_input(args, kwargs)
        if inputs is _NO_INPUT and isinstance(layer, OpaqueLayer) and not layer.keras:
            return UNKNOWN  # an object of an unknown class: maybe no layer at all (a mock)
        if inputs is _NO_INPUT:
            self.record_call(LayerCall(layer, node, None, None))
            self.fact("call-without-input", node,
                      f"{_describe(layer)} is called without an input tensor: pass the "
                      f"tensor it should transform, e.g. `x = {_call_text(node)}(x)`")
            return UNKNOWN
        # The input shape shown is the first argument's (the query, for attention).
        shown = shape_of(inputs[0]) if names and isinstance(inputs, list) else shape_of(inputs)
        record = LayerCall(layer, node, shown, None,
                           inputs=[inputs] if isinstance(inputs, Tensor) else list(inputs)
                           if isinstance(inputs, (list, tuple)) else [])
        record.given = [t for t in tensor_leaves(kwargs) if not any(t is i for i in record.inputs)]
        record.options = options
        self.record_call(record)
        self.first_calls.setdefault(id(layer), record)
        self.stack.append(record)
        outer, facts = self.training, len(self.facts)
        if "training" in kwargs:  # given: the layers called inside get it too
            self.training = kwargs["training"]
        try:
            output = self._apply(layer, inputs, args, kwargs, record)
        finally:
            self.stack.pop()
            self.training = outer
            self._stopped = self._stopped and bool(self.stack)
            record.raised = len(self.facts) > facts
        # New tensors, made by this call (several for a model with several outputs).
        if isinstance(output, (list, tuple)) and output and all(isinstance(t, Tensor) for t in output):
            output = type(output)(_made_by(t, record) for t in output)
        elif isinstance(output, Tensor):
            output = _made_by(output, record)
        record.output, record.output_shape = output, output_shape_of(output)
        return output

    def input_layer(self, tensor: Tensor, kwargs=None) -> InputLayer:
        """The ``InputLayer`` of a ``keras.Input`` tensor (named when the tensor is made)."""
        layer = self.input_layers.get(id(tensor))
        if layer is None:
            layer = self.input_layers[id(tensor)] = InputLayer(
                tensor, self.auto_name("InputLayer", kwargs or {}))
        return layer

    def operation(self, op: Operation, inputs: list, result):
        """``result`` of the operation ``op`` on the tensors ``inputs``, linked to them when
        they belong to a graph (a functional model runs it again on its own inputs)."""
        if not isinstance(result, Tensor) or result.source is not None or not any(
                t.source is not None or t.symbolic for t in inputs):
            return result  # not a new tensor of a graph
        record = LayerCall(op, op.node, shape_of(inputs[0]), result.shape, inputs=list(inputs))
        # (what else it knows stays: the sizes tf.shape(x) holds, class labels)
        record.output = replace(result, source=record, symbolic=any(t.symbolic for t in inputs))
        return record.output

    def record_call(self, record: LayerCall) -> None:
        """Record a call the program makes (a layer applied, a model traced for export)."""
        if self._stopped or self.building:
            return
        self.records_here().append(record)
        if self.halted:  # (a call the program never makes: not listed as the model's run)
            self.after_stop.add(id(record))
        else:
            self.applied.add(id(record.layer))

    def records_here(self) -> list:
        """The list the layer calls made now are recorded in (the running call's children)."""
        parent = self.stack[-1] if self.stack else None
        return parent.children if parent is not None else self.calls

    def _apply(self, layer, inputs, args, kwargs, record):
        if isinstance(layer, BuiltinLayer):
            if layer.cls_name == "Lambda":
                return self._apply_lambda(layer, inputs, record)
            inner = layer.config.get("layer")
            if layer.cls_name in ("TimeDistributed", "Bidirectional") and isinstance(inner, LAYER_LIKE) \
                    and not isinstance(inner, BuiltinLayer):
                wrap = self._time_distributed if layer.cls_name == "TimeDistributed" else self._bidirectional
                return wrap(layer, inner, inputs)
            return self._apply_builtin(layer, inputs, record)
        if isinstance(layer, Sequential):
            if layer.uncertain:  # its layers depend on a run that may not have happened
                return Tensor(None)
            x = inputs
            if layer.input_shape is not None:
                x = self._conform(layer, layer.input_shape, x, record.node, layer.input_origin)
            facts = len(self.facts)
            self.graph_mode += 1  # Keras builds a Sequential by symbolic inference first
            try:
                for sub in layer.layers:  # errors surface where the Sequential runs
                    x = self.apply(sub, [x], {}, record.node)
            finally:
                self.graph_mode -= 1
            if not layer.built and len(self.facts) == facts:  # its first call built it
                models.built(self, layer, record)
            return x
        if isinstance(layer, FunctionalModel):
            return models.replay(self, layer, inputs, record.node)
        if isinstance(layer, OpaqueLayer):  # built by the call; what it makes is unknown
            self.gap(f"layer class {layer.cls_name}", layer.node)
            self.touch(layer)
            layer.built = True
            return Tensor(None)
        return self._apply_instance(layer, inputs, args, kwargs)

    def _apply_instance(self, layer: Instance, inputs, args, kwargs):
        """A Layer or Model subclass of the file: its ``build(input_shape)`` on the first
        call, then ``call()`` on the input as Keras traces it (not a KerasTensor), or, for
        a symbolic input, its own ``compute_output_shape`` if it has one."""
        method, base = layer.cls.method("call"), layer.base_layer
        if method is None:  # the Keras layer the class extends does the work
            if base is None:
                return UNKNOWN
            output = self._apply_builtin(base, inputs, self.stack[-1])
            self.touch(layer)
            layer.built = base.built
            return output
        if base is not None and not base.built:  # Keras builds its part before call()
            self.touch(base)
            base.built, base.build_shape = True, shape_of(inputs) if isinstance(inputs, Tensor) else None
        raised = self._raised
        if not layer.built:
            self.build_instance(layer, shape_of(inputs))
        symbolic = any(t.symbolic for t in tensor_leaves(inputs))
        computes = layer.cls.method("compute_output_shape")
        if symbolic and computes is not None:
            if layer.cls.method("build") is None and not layer.built:
                # Keras builds a layer without build() by running call() once ("build by
                # run"), so the layers it uses get their weights; nothing of it is recorded.
                self.building += 1
                self._quiet += 1
                try:
                    self.call_function(method.bound(layer), list(args), dict(kwargs))
                finally:
                    self.building -= 1
                    self._quiet -= 1
            output = _tensors_of(self.call_function(computes.bound(layer), [shape_of(inputs)], {}))
        else:
            traced = [substitute(a, _traced(a)) for a in args]
            kwargs = self._with_training(method, args, kwargs)
            outer, self.training = self.training, kwargs.get("training", self.training)
            try:
                output = self.call_function(method.bound(layer), traced,
                                            {k: substitute(v, _traced(v)) for k, v in kwargs.items()})
            finally:
                self.training = outer
        # Keras marks a layer built once a call succeeds.
        self.touch(layer)
        layer.built = layer.built or (bool(tensor_leaves(inputs)) and self._raised == raised)
        if symbolic:  # what a symbolic call returns is symbolic again
            output = substitute(output, {id(t): Tensor(t.shape, t.dtype, symbolic=True)
                                         for t in tensor_leaves(output)})
        return output

    def _with_training(self, method, args, kwargs) -> dict:
        """``kwargs`` with the ``training`` Keras gives a ``call()`` that takes it and was
        not given it: the outer call's (``fit`` True, ``predict`` and ``evaluate`` False),
        else ``call()``'s own default."""
        params = method.node.params
        positional = [p.name.value for p in (*params.posonly_params, *params.params)][1:]
        takes = "training" in positional or "training" in {p.name.value for p in params.kwonly_params}
        given = "training" in kwargs or "training" in positional[:len(args)]
        if not takes or given:
            return kwargs
        value = self.training if self.training is not None else method.defaults.get("training")
        return kwargs if value is None else {**kwargs, "training": value}

    def build_instance(self, layer: Instance, shape, explicit=False) -> None:
        """Run a subclass's own ``build(input_shape)`` as Keras does: once before the first
        call, and each time the code calls ``layer.build(...)`` itself (``explicit``), which
        leaves the layer built; its weights come from ``add_weight`` there, and nothing it
        does is recorded."""
        own = layer.cls.method("build")
        if (own is None or layer.built) and not explicit:
            return
        if own is not None:
            self.building += 1
            try:
                self.call_function(own.bound(layer), [shape], {})
            finally:
                self.building -= 1
        self.touch(layer)
        layer.built = True

    def _apply_lambda(self, layer: BuiltinLayer, inputs, record):
        """``Lambda(f)``: ``f`` on the input; on a symbolic input Keras uses ``output_shape``
        when given (a shape without the batch axis, or a function of the input shape)."""
        self.touch(layer)
        layer.built, layer.build_shape = True, shape_of(inputs)
        symbolic = any(t.symbolic for t in tensor_leaves(inputs))
        declared = layer.config["output_shape"]
        if symbolic and declared is not None:
            if isinstance(declared, (tuple, list)):
                batch = tensor_leaves(inputs)[0].shape
                shape = None if batch is None else (batch[0], *declared)
            else:
                shape = self.call(declared, [shape_of(inputs)], {}, record.node)
            return Tensor(tuple(shape) if isinstance(shape, (tuple, list)) else None, symbolic=True)
        arguments = layer.config["arguments"]
        output = self.call(layer.config["function"], [substitute(inputs, _traced(inputs))],
                           arguments if isinstance(arguments, dict) else {}, record.node)
        if symbolic:
            output = substitute(output, {id(t): Tensor(t.shape, t.dtype, symbolic=True)
                                         for t in tensor_leaves(output)})
        return output

    def _time_distributed(self, layer: BuiltinLayer, inner, inputs):
        """``TimeDistributed(model)``: the model on each step (batch and steps merged), its
        inner calls not recorded (Keras applies it inside the wrapper)."""
        self.touch(layer)
        layer.built = True
        if not isinstance(inputs, Tensor) or inputs.shape is None or len(inputs.shape) < 3:
            return Tensor(None)
        batch, steps, *rest = inputs.shape
        self.building += 1
        try:
            step = self.apply(inner, [Tensor((batch, *rest), inputs.dtype, symbolic=inputs.symbolic)],
                              {}, layer.node)
        finally:
            self.building -= 1
        if not isinstance(step, Tensor) or step.shape is None:
            return Tensor(None, symbolic=inputs.symbolic)
        return Tensor((batch, steps, *step.shape[1:]), step.dtype, symbolic=inputs.symbolic)

    def _bidirectional(self, layer: BuiltinLayer, inner, inputs):
        """``Bidirectional(layer)`` of a layer of the file: the layer on the input stands for
        both copies Keras makes of it (one per direction, of one shape and one parameter
        count), their outputs merged (``concat``: the features side by side); its inner calls
        not recorded (Keras applies it inside the wrapper)."""
        self.touch(layer)
        layer.built = True
        self.building += 1
        try:
            out = self.apply(inner, [inputs], {}, layer.node)
        finally:
            self.building -= 1
        symbolic = any(t.symbolic for t in tensor_leaves(inputs))
        mode = layer.config.get("merge_mode")
        if not isinstance(out, Tensor) or out.shape is None or not out.shape or mode not in (
                "concat", "sum", "mul", "ave"):
            return Tensor(None, symbolic=symbolic)
        shape = (*out.shape[:-1], dims.mul(out.shape[-1], 2)) if mode == "concat" else out.shape
        return Tensor(shape, out.dtype, symbolic=symbolic)

    def _conform(self, model, expected, x, node, declared=None):
        """A built model's input as Keras 3 checks and adjusts it, or UNKNOWN with a finding.

        A functional model first compares sizes but the batch size (a trailing 1
        dropped on both sides, positions both have); then any built model adds or drops a
        trailing axis of size 1 to reach its ``Input``'s rank. ``declared``: the origin of
        the model's input (where its shape is written).
        """
        if not isinstance(x, Tensor) or x.shape is None:
            return x
        shape = tuple(x.shape)
        problem = None
        if isinstance(model, FunctionalModel):
            ours = shape[:-1] if shape and shape[-1] == 1 else shape
            theirs = expected[:-1] if expected and expected[-1] == 1 else expected
            if any(isinstance(a, int) and isinstance(b, int) and a != b  # (its batch size is
                   for a, b in zip(ours[1:], theirs[1:])):  # not checked: Input(batch_size=))
                problem = "sizes differ"
        if len(shape) != len(expected) and UNKNOWN in (shape[-1:] + tuple(expected[-1:])):
            return Tensor(None, x.dtype, symbolic=x.symbolic)  # a trailing 1 or not: unknown
        if len(shape) == len(expected) - 1 and expected[-1] == 1:
            shape = (*shape, 1)
        elif len(shape) == len(expected) + 1 and shape[-1] == 1:
            shape = shape[:-1]
        elif len(shape) != len(expected):
            problem = "ranks differ"
        if problem is None:  # (the same tensor when it fits as it is: a graph's node stays one)
            return x if shape == tuple(x.shape) else \
                Tensor(shape, x.dtype, symbolic=x.symbolic, origin=x.origin)
        self.fact("incompatible-input", node,
                  f"{model.cls_name} model expects input of shape {format_shape(expected)} "
                  f"but gets {format_shape(x.shape)} ({problem}): {_input_fix(shape, expected)}",
                  related=origins(x) + ((declared,) if declared else ()))
        return UNKNOWN

    def _apply_builtin(self, layer: BuiltinLayer, inputs, record):
        if inputs is UNKNOWN:  # e.g. after an error upstream: nothing here is known
            return UNKNOWN
        spec = layer.spec
        self.touch(layer)  # applying it builds it
        if spec is not None and spec.takes_one_tensor() and isinstance(inputs, (list, tuple)) \
                and len(inputs) > 1 and all(isinstance(t, Tensor) for t in inputs):
            if not all(t.numpy and not t.symbolic for t in inputs):
                self.fact("incompatible-input", record.node, self._in_layer(layer, record) +
                          f"{layer.cls_name} takes one tensor, but gets a list of {len(inputs)}: "
                          f"merge them first (layers.concatenate, layers.Add), or apply it to each")
                return UNKNOWN
            # Arrays in a list, run eagerly: a preprocessing layer converts them to one
            # tensor, stacked (other layers: not modelled).
            shapes = {t.shape for t in inputs}
            if spec.output.__module__ != preprocessing.__name__ or len(shapes) > 1 or None in shapes:
                return Tensor(None)
            inputs = Tensor((len(inputs), *shapes.pop()), inputs[0].dtype, numpy=True)
        config = {**layer.config, **record.options}
        if spec is None or spec.undecided(config):  # built, shape unknown
            layer.built = True
            return Tensor(None)
        if spec.multi_input:
            shapes = shape_of(inputs)
            shape = None if not isinstance(shapes, list) or any(s is None for s in shapes) \
                else [tuple(s) for s in shapes]
        else:
            shape = tuple(inputs.shape) if isinstance(inputs, Tensor) and inputs.shape is not None \
                else None
        if shape is None:  # built on an input of unknown shape: its weights are unknown
            layer.built = True
            return Tensor(None, symbolic=any(t.symbolic for t in tensor_leaves(inputs)))
        dtype = inputs.dtype if isinstance(inputs, Tensor) else None
        tensors = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        symbolic = all(isinstance(t, Tensor) and t.symbolic for t in tensors)
        try:
            output = spec.output(config, shape)
        except ShapeError as error:
            # On concrete data (not a symbolic Input) some kernels return an empty axis.
            if error.eager_output is None or symbolic or self.graph_mode:
                self.fact(error.kind, record.node, self._in_layer(layer, record) + error.message,
                          related=origins(inputs))
                return UNKNOWN
            output = error.eager_output
        key = spec.build_key(layer.config, shape) if spec.build_key else None
        if spec.build_key and key is None and not layer.built:
            self.fact("incompatible-input", record.node, self._in_layer(layer, record) +
                      f"{layer.cls_name} creates its weights from the input's feature axis, but the "
                      f"input {format_shape(shape)} leaves it undefined: give the Input a "
                      f"fixed size, or pool (e.g. GlobalAveragePooling) instead of Flatten")
            return UNKNOWN
        if layer.built and spec.build_key and layer.build_shape is not None:
            old = spec.build_key(layer.config, layer.build_shape)
            if isinstance(key, int) and isinstance(old, int) and key != old:
                parent = self.stack[-2] if len(self.stack) > 1 else None
                fix = "give the model inputs with {old} features on that axis, or build it for these" \
                    if parent is not None and parent.node is record.node and is_model(parent.layer) \
                    else "a layer object keeps its weights, so use a new layer here"
                self.fact("incompatible-input", record.node,
                          self._in_layer(layer, record) +
                          f"{layer.cls_name} '{layer.name}' was built for inputs with "
                          f"{old} features but now gets shape {format_shape(shape)}: "
                          + fix.format(old=old))
                return UNKNOWN
        if layer.built and layer.config.get("stateful") is True and _batch_changed(layer.build_shape, shape):
            old = layer.build_shape[0]
            self.fact("incompatible-input", record.node, self._in_layer(layer, record) +
                      f"{layer.cls_name} '{layer.name}' is stateful: its states were made for batches "
                      f"of {old}, and it gets a batch of {shape[0]} (Keras raises \"the batch size of "
                      f"the input sequences must be the same as the batch size of the initial "
                      f"state\"): pass batch_size={old} to fit / predict (with a number of samples "
                      f"it divides), or make the layer stateless")
            return UNKNOWN
        if not layer.built:
            layer.built, layer.build_shape = True, shape
        if isinstance(output, list):  # several outputs (an RNN's return_state)
            return [Tensor(s, dtype, source=record, symbolic=symbolic) for s in output]
        return Tensor(output, dtype, symbolic=symbolic)

    def _in_layer(self, layer, record) -> str:
        """Where a finding comes from when it is reported at a model's call, not the layer."""
        line = self.positions[self.here(layer.node)].start.line
        if line == self.positions[self.here(record.node)].start.line:
            return ""
        return f"layer '{layer.name}' ({layer.cls_name}, line {line}): "


_NO_INPUT = object()


def _made_by(tensor: Tensor, record: LayerCall) -> Tensor:
    return Tensor(tensor.shape, tensor.dtype, source=record, symbolic=tensor.symbolic)


def _traced(value) -> dict:
    """Plain (not symbolic) copies of the symbolic tensors in ``value``: what a layer's
    ``call()`` gets while Keras traces it, by tensor id."""
    return {id(t): Tensor(t.shape, t.dtype) for t in tensor_leaves(value) if t.symbolic}


def _named_inputs(names, args, kwargs) -> list:
    """Several named inputs (attention's query, value, key) as ``[[q, v, k]]``, given ones only."""
    values = [args[i] if i < len(args) else kwargs.get(name) for i, name in enumerate(names)]
    while values and values[-1] is None:
        values.pop()
    return [values] if values and None not in values else []


def _call_input(args, kwargs):
    """What a layer call takes as its input: the first argument, ``inputs=``, a single other
    keyword (``query=``); UNKNOWN for several keywords; ``_NO_INPUT`` for none."""
    passed = [v for k, v in kwargs.items() if k not in ("training", "mask")]
    if args:
        return args[0]
    if "inputs" in kwargs:
        return kwargs["inputs"]
    if len(passed) == 1:
        return passed[0]
    return UNKNOWN if passed else _NO_INPUT


def _describe(layer) -> str:
    kind = "model" if is_model(layer) else "layer"
    where = f"'{layer.attr}'" if getattr(layer, "attr", None) else f"'{layer.name}'"
    return f"{layer.cls_name} {kind} {where}"


def _call_text(node: cst.Call) -> str:
    return cst.Module(body=[]).code_for_node(node.func)


def _input_fix(shape: tuple, expected: tuple) -> str:
    """What to change when data of ``shape`` meets a model built for ``expected``."""
    known = all(isinstance(d, int) for d in (*shape[1:], *expected[1:]))
    if known and len(shape) > 1 and dims.product(shape[1:]) == dims.product(expected[1:]):
        return (f"the values per sample match: reshape the data to "
                f"{format_shape((-1, *expected[1:]))}")
    return "reshape the data or change the model's Input"


def _batch_changed(built, shape) -> bool:
    """Whether a layer built on ``built`` now gets another known batch size."""
    return bool(built) and bool(shape) and isinstance(built[0], int) and isinstance(shape[0], int) \
        and built[0] != shape[0]


def _tensors_of(shape):
    """What Keras makes of a ``compute_output_shape`` result: a tensor of that shape, or a
    list or tuple of shapes as the same structure of tensors (a size it cannot know, and
    anything else, unknown)."""
    if isinstance(shape, (tuple, list)) and shape and all(isinstance(s, (tuple, list)) for s in shape):
        return type(shape)(_tensors_of(s) for s in shape)
    one = isinstance(shape, (tuple, list)) and not any(isinstance(d, (tuple, list)) for d in shape)
    return Tensor(shape_arg(shape) if one else None)
