"""Which layers of one input raise on a list of several tensors (``Dense()([a, b])``) and
which apply themselves to each (``Dropout``): ``LayerSpec.takes_one_tensor`` against the
installed Keras, every modelled layer built and called on two inputs."""

from __future__ import annotations

import pytest

from shapecheck.engine import check_source
from shapecheck.layers import REGISTRY, REQUIRED

keras = pytest.importorskip("keras")  # installed with the test extra (TensorFlow)

# A value for each required constructor argument of the modelled layers.
REQUIRED_VALUES = {
    "units": 2, "filters": 2, "kernel_size": 1, "pool_size": 1, "rate": 0.5, "target_shape": (2, 2),
    "dims": (1,), "n": 2, "cropping": 0, "padding": 0, "size": 1, "input_dim": 10, "output_dim": 2,
    "stddev": 0.1, "scale": 0.5, "height": 3, "width": 3, "factor": 0.1, "activation": "relu",
    "height_factor": 0.1, "width_factor": 0.1, "value_range": (0, 1), "function": "lambda t: t",
    "layer": "keras.layers.LSTM(2)", "cell": "keras.layers.LSTMCell(2)", "num_bins": 4,
}
SPECS = sorted({spec.name: spec for spec in REGISTRY.values() if not (
    spec.multi_input or spec.call_inputs or spec.name.endswith("Cell") or spec.name == "StackedRNNCells")
}.values(), key=lambda spec: spec.name)


def _program(spec) -> str:
    """A program that calls the layer on a list of two inputs of the rank it takes."""
    def code(name):
        value = REQUIRED_VALUES[name]
        if spec.name == "TimeDistributed" and name == "layer":
            return "keras.layers.Dense(2)"
        return value if name in ("function", "layer", "cell") else repr(value)
    arguments = ", ".join(f"{name}={code(name)}" for name, default in spec.signature if default is REQUIRED)
    rank = spec.input_rank or next((int(d) + 2 for d in "123" if f"{d}D" in spec.name), 2)
    shape = (4,) * (rank - 1)
    return (f"import keras\na, b = keras.Input({shape}), keras.Input({shape})\n"
            f"y = keras.layers.{spec.name}({arguments})([a, b])\n")


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_a_list_of_two_tensors_is_an_error_exactly_where_keras_raises(spec):
    source = _program(spec)
    try:
        exec(compile(source, "m.py", "exec"), {})
        raised = False
    except Exception:  # noqa: BLE001  (whatever Keras raises: ValueError, AttributeError, ...)
        raised = True
    flagged = [d.code for d in check_source(source, "m.py").diagnostics] == ["SHP101"]
    assert spec.takes_one_tensor() == raised == flagged, source
