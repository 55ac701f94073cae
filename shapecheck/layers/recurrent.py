"""Recurrent layers: SimpleRNN, LSTM, GRU on (batch, steps, features), their cells, and
RNN around a cell or a stack of cells."""

from __future__ import annotations

from shapecheck import dims
from shapecheck.layers import REQUIRED, LayerSpec, register
from shapecheck.layers._util import require_rank, size, with_bias
from shapecheck.values import UNKNOWN

# (name, gates, states, extra constructor arguments after `activation`)
_CELLS = (
    ("SimpleRNN", 1, 1, ()),
    ("LSTM", 4, 2, (("recurrent_activation", "sigmoid"),)),
    ("GRU", 3, 1, (("recurrent_activation", "sigmoid"),)),
)
_GATES = {name: (gates, states) for name, gates, states, _ in _CELLS}

# The arguments of a layer's sequence loop (RNN's, after `cell`).
_LOOP = (("return_sequences", False), ("return_state", False), ("go_backwards", False),
         ("stateful", False), ("unroll", False))


def _kernels(name: str, config, features) -> list:
    """The weights of one step of ``name``: kernel, recurrent kernel, bias."""
    u = size(config["units"])
    width = dims.mul(u, _GATES[name][0])
    reset_after = config["reset_after"] if name == "GRU" else False
    bias = (UNKNOWN,) if reset_after is UNKNOWN else (2, width) if reset_after is not False else (width,)
    return with_bias(config, [(features, width), (u, width)], bias)


def _sequence_output(layer: str, config, shape, units, states: list):
    """The output of a loop over the steps of ``shape``, ending with ``units`` features,
    and, with ``return_state``, the final ``states`` (a list of sizes)."""
    require_rank(layer, shape, 3, "(batch, steps, features)")
    out = (shape[0], shape[1], units) if config["return_sequences"] is True else (shape[0], units)
    return [out] + [(shape[0], s) for s in states] if config["return_state"] is True else out


def _recurrent(name: str, gates: int, states: int, extra: tuple):
    def output(config, shape):
        units = size(config["units"])
        return _sequence_output(name, config, shape, units, [units] * states)

    def weights(config, shape):
        return _kernels(name, config, shape[-1])

    cell = (("units", REQUIRED), ("activation", "tanh"), *extra, ("use_bias", True),
            ("kernel_initializer", "glorot_uniform"), ("recurrent_initializer", "orthogonal"),
            ("bias_initializer", "zeros"), *((("unit_forget_bias", True),) if name == "LSTM" else ()),
            ("kernel_regularizer", None), ("recurrent_regularizer", None), ("bias_regularizer", None))
    constraints = (("kernel_constraint", None), ("recurrent_constraint", None),
                   ("bias_constraint", None), ("dropout", 0.0), ("recurrent_dropout", 0.0))
    signature = (
        *cell, ("activity_regularizer", None), *constraints,
        *((("seed", None),) if name != "SimpleRNN" else ()), *_LOOP[:4],
        *((("unroll", False), ("reset_after", True)) if name == "GRU" else (("unroll", False),)),
        *((("use_cudnn", "auto"),) if name != "SimpleRNN" else (("seed", None),)),
    )
    cell_signature = (*cell, *constraints, *((("reset_after", True),) if name == "GRU" else ()),
                      ("seed", None))
    return (
        LayerSpec(name, signature, output, weights, input_rank=3,
                  build_key=lambda config, shape: shape[-1]),
        # A cell steps one (batch, features) input with its states: modelled inside RNN.
        LayerSpec(name + "Cell", cell_signature, lambda config, shape: None, weights),
    )


def _stacked(config):
    """The cells of an RNN's stack (a list of cells, StackedRNNCells), else None."""
    cell = config["cell"]
    if getattr(getattr(cell, "spec", None), "name", None) == "StackedRNNCells":
        cell = cell.config["cells"]
    return list(cell) if isinstance(cell, (list, tuple)) else None


def _steps(config) -> list | None:
    """The (cell name, config) of each cell an RNN runs, in order, or None if one of them
    is not a built-in cell."""
    cells = _stacked(config) or [config["cell"]]
    steps = [(getattr(c, "spec", None), getattr(c, "config", None)) for c in cells]
    if not steps or any(spec is None or not spec.name.endswith("Cell")
                        or spec.name[:-4] not in _GATES for spec, _ in steps):
        return None
    return [(spec.name[:-4], c) for spec, c in steps]


def _rnn_output(config, shape):
    steps = _steps(config)
    if steps is None:
        return None
    units = [size(c["units"]) for _, c in steps]
    if config["return_state"] is True and _stacked(config) is not None:
        return None  # a stack's states: tensors in a graph, lists of them run eagerly
    states = [units[0]] * _GATES[steps[0][0]][1]
    return _sequence_output("RNN", config, shape, units[-1], states)


def _rnn_weights(config, shape):
    steps = _steps(config)
    if steps is None:
        return [(UNKNOWN,)]
    weights, features = [], shape[-1]
    for name, c in steps:
        weights += _kernels(name, c, features)
        features = size(c["units"])
    return weights


register(
    *(spec for cell in _CELLS for spec in _recurrent(*cell)),
    LayerSpec("RNN", (("cell", REQUIRED), *_LOOP, ("zero_output_for_mask", False)),
              _rnn_output, _rnn_weights, input_rank=3, build_key=lambda config, shape: shape[-1]),
    LayerSpec("StackedRNNCells", (("cells", REQUIRED),), lambda config, shape: None,
              lambda config, shape: [(UNKNOWN,)]),
)
