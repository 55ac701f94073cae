"""What the evaluator found, as report records: the models a file builds (called first, in
call order; then those only built and the functional models no listed model runs, in
creation order; a call after the first error finding, where TensorFlow stops the program,
is not a model's run), each with its layers, and the named tensors."""

from __future__ import annotations

from dataclasses import replace

from shapecheck.objects import FunctionalModel, Instance, Operation, Sequential, is_model, params_of
from shapecheck.results import LayerReport, ModelReport, TensorReport, call_keys, shape_to_json
from shapecheck.values import LayerCall, Tensor, tensor_leaves


class Assembly:
    """The reports of one evaluated file; ``positions`` maps its nodes to where they are."""

    def __init__(self, evaluator, positions):
        self.evaluator, self.positions = evaluator, positions

    def line(self, node) -> int:
        """The line of a node of this file (1 for one that is not: what another file made
        through a path the evaluator does not map back here)."""
        where = self.positions.get(node)
        return 1 if where is None else where.start.line

    def models(self) -> list[ModelReport]:
        builds = self.evaluator.build_calls
        first: dict[int, LayerCall] = {}  # each model's first call, else its last build
        built: dict[int, LayerCall] = {}  # the last build before it
        for record in _outermost_model_calls(self.evaluator.calls):
            model = record.layer
            known = first.get(id(model))
            if id(record) in self.evaluator.after_stop and (id(record) not in builds or known is not None
                                                            and id(known) not in self.evaluator.after_stop):
                continue  # after the finding where TensorFlow stops the program (as built there;
                # one made only after it, as its last build)
            stepped = id(record) in self.evaluator.stepped  # run by another model's train_step:
            if stepped and (known is not None or isinstance(model, FunctionalModel)):
                continue  # listed as it was built
            if known is None or id(known) in builds:
                if known is not None:
                    built[id(model)] = known
                first[id(model)] = record
        # A first call on data of unknown shape (or on a value not known at all, which
        # leaves no input recorded) says less than the build before it (on the declared
        # input, which the data fits if the program runs).
        first = {key: built[key] if key in built and id(record) not in builds
                 and (_unknown(record) or not record.inputs) and isinstance(record.layer, Sequential)
                 else record for key, record in first.items()}
        # A Sequential whose building failed never existed for Keras.
        first = {key: record for key, record in first.items()
                 if not (id(record) in builds and getattr(record.layer, "broken", False))}
        called = sorted((r for r in first.values() if id(r) not in builds), key=lambda r: r.order)
        reports = [self._model_report(record.layer, record) for record in called]
        listed = [record.layer for record in called]
        # Then, in creation order, the models only built (a Sequential with an Input, or by
        # build()) and the functional models not run as part of a listed model.
        built = {id(r.layer): r for r in first.values() if id(r) in builds}
        # (A model holds another only where the program made it: not after the stop.)
        unrun = self.evaluator.hypothetical | self.evaluator.after_stop
        inside = {id(layer) for record in first.values() if id(record) not in unrun
                  for layer in _layers_within(record) if layer is not record.layer}
        inside |= {id(r.layer) for r in called}
        for obj in self.evaluator.objects:
            if id(obj) in inside:
                continue
            if id(obj) in built:
                reports.append(self._model_report(obj, built[id(obj)]))
                listed.append(obj)
            elif isinstance(obj, FunctionalModel):
                reports.append(self._functional_report(obj))
                listed.append(obj)
        # A model a loop's uncertain pass makes (any number of further passes: a retry until
        # training succeeds) just as an earlier pass made it at that line is not listed again.
        keys = [(r.name, r.kind, *_alike(r)) for r in reports]
        return [r for at, (r, key, model) in enumerate(zip(reports, keys, listed))
                if not (id(model) in self.evaluator.maybe_made and key in keys[:at])]

    def _model_report(self, model, record: LayerCall) -> ModelReport:
        if isinstance(model, FunctionalModel) and _unknown(record):
            # Run on data of unknown shape: its own graph; when the call raised (inside the
            # graph, as data of unknown shape fits any input), with no output.
            report = self._functional_report(model)
            if not record.raised:
                return report
            if all(t.shape is None for t in record.inputs):
                return replace(report, output_shape=None)
        if isinstance(model, Instance):  # its class's line, or where it was made (another file's class)
            where = model.cls.node if model.cls.node in self.positions else model.node
            name, kind, line = model.given_name or model.cls.name, "subclass", self.line(where)
        else:
            kind = "sequential" if isinstance(model, Sequential) else "functional"
            name, line = model.given_name or model.cls_name, self.line(model.node)
        held = [child.layer for child in record.children]
        if isinstance(model, Sequential) and id(record) in self.evaluator.build_calls \
                and len(held) < len(model.layers) and model.layers[:len(held)] == held:
            model = replace(model, layers=held)  # as built where TensorFlow stopped the program
        return ModelReport(name, kind, line, record.input_shape, record.output_shape, params_of(model),
                           self._layer_reports(model, record.children, record.inputs),
                           input_names=self._input_names(record.inputs))

    def _functional_report(self, model: FunctionalModel) -> ModelReport:
        shapes = [t.shape for t in model.inputs]
        outputs = model.outputs
        out = [t.shape for t in tensor_leaves(outputs)] if isinstance(outputs, (list, tuple)) else \
            outputs.shape if isinstance(outputs, Tensor) else None  # (outputs by name: not a shape)
        return ModelReport(model.given_name or model.cls_name, "functional", self.line(model.node),
                           shapes[0] if len(shapes) == 1 else shapes, out, params_of(model),
                           self._layer_reports(model, model.calls, model.inputs),
                           input_names=self._input_names(model.inputs))

    def _layer_report(self, record: LayerCall, parent) -> LayerReport:
        layer = record.layer
        return LayerReport(_held_as(parent, layer) or layer.name, layer.cls_name,
                           self.line(layer.node), record.input_shape, record.output_shape,
                           params_of(layer), self._layer_reports(layer, record.children, record.inputs))

    def _layer_reports(self, parent, records, inputs) -> list[LayerReport]:
        """The layers applied inside ``parent`` (none listed for a library's model) to its
        ``inputs``, each with the layers (or inputs) whose outputs it takes."""
        if getattr(parent, "leaf", False):
            return []
        records = [r for r in records if not isinstance(r.layer, Operation)]
        reports = [self._layer_report(r, parent) for r in records]
        names = self._input_names(inputs)
        for report, inbound in zip(reports, _connections(records, reports, inputs, names)):
            report.connected_to = inbound
        return reports

    def _input_names(self, inputs) -> tuple[str, ...]:
        """The inputs' names: each ``keras.Input``'s layer's, else ``input``, ``input_1``, ..."""
        layers = [self.evaluator.input_layers.get(id(t)) for t in inputs]
        return tuple(f"input_{k}" if layer is None and k else "input" if layer is None else layer.name
                     for k, layer in enumerate(layers))

    def tensors(self) -> list[TensorReport]:
        reports, seen = [], set()
        for node, shape in self.evaluator.tensors:
            if node not in self.positions:  # in another file of the project
                continue
            where = self.positions[node]
            line, column = where.start.line, where.start.column + 1
            key = (line, column, node.value, repr(shape_to_json(shape)))
            if key not in seen:
                seen.add(key)
                reports.append(TensorReport(line, column, node.value, shape))
        return sorted(reports, key=lambda t: (t.line, t.column))


def _connections(records, reports, inputs, input_names):
    """For each call of ``records`` (reported as ``reports``), the names of the calls
    beside it, or of ``inputs``, whose outputs it takes (through operations such as
    ``x + y``): what Keras's summary shows as "Connected to". A layer called again at
    this level is named ``name[k]`` for its call k (from 0), as Keras counts nodes."""
    keys: dict[int, str] = {}
    for record, key in zip(records, call_keys(reports)):
        for inner in _calls_within(record):
            keys.setdefault(id(inner), key)

    def sources(tensor, seen):
        found, stack = [], [tensor]
        while stack:
            tensor = stack.pop()
            name = next((n for given, n in zip(inputs, input_names) if tensor is given), None)
            record = tensor.source
            if name is None and (record is None or id(record) in seen):
                continue
            if record is not None:
                seen.add(id(record))
            if name is None and id(record) in keys:
                name = keys[id(record)]
            elif name is None and isinstance(record.layer, Operation):
                stack.extend(reversed([t for t in (*record.inputs, *record.given) if isinstance(t, Tensor)]))
            elif name is None and len(input_names) == 1:  # made outside this level: a copy of its input
                name = input_names[0]
            if name is not None:
                found.append(name)
        return found

    for record in records:
        seen: set[int] = set()
        found = [name for t in (*record.inputs, *record.given) if isinstance(t, Tensor)
                 for name in sources(t, seen)]
        yield tuple(dict.fromkeys(found))


def _calls_within(record):
    """A call and every call made inside it."""
    yield record
    for child in record.children:
        yield from _calls_within(child)


def _alike(report):
    """What two reports of a model (or layer) built twice the same way share: all but the
    layers' names."""
    return (report.line, repr(shape_to_json(report.input_shape)), repr(shape_to_json(report.output_shape)),
            report.params, tuple((layer.cls, *_alike(layer)) for layer in report.layers))


def _unknown(record: LayerCall) -> bool:
    """Whether a call's input tensors are of unknown shape (a dict of inputs is reported
    as Keras records it: without a shape)."""
    return bool(record.inputs) and all(isinstance(t, Tensor) for t in record.inputs) and any(
        t.shape is None for t in record.inputs)


def _layers_within(record):
    """The layer or model of a call and of every call made inside it (and the model a
    wrapper such as TimeDistributed holds)."""
    yield record.layer
    config = getattr(record.layer, "config", {})
    if config.get("layer") is not None:
        yield config["layer"]
    for child in record.children:
        yield from _layers_within(child)


def _outermost_model_calls(records):
    """Calls of models not made inside another model (a model inside a top-level
    custom layer's call counts), in call order."""
    for record in records:
        if is_model(record.layer):
            yield record
        else:
            yield from _outermost_model_calls(record.children)


def _held_as(parent, layer):
    """The attribute (``conv1``, ``blocks[0]``) under which ``parent`` holds ``layer``."""
    if not isinstance(parent, Instance):
        return None
    for name, value in parent.attrs.items():
        if value is layer:
            return name
        if isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                if item is layer:
                    return f"{name}[{index}]"
        if isinstance(value, dict):
            for key, item in value.items():
                if item is layer:
                    return f"{name}[{key!r}]"
    return None
