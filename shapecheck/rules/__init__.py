"""The rule registry: every rule class, in code order."""

from shapecheck.rules.layer_arguments import DuplicateLayerName, MissingLayerArgument, UnknownLayerArgument
from shapecheck.rules.model_code import (
    ActivationLossMismatch,
    CallWithoutInput,
    DuplicatedOutputLayer,
    IgnoredLayerArgument,
    UnusedLayer,
)
from shapecheck.rules.shape_errors import (
    DataCardinality,
    IncompatibleInput,
    KerasTensorInTfFunction,
    NonPositiveDimension,
    OutputLabelMismatch,
    ReshapeSizeMismatch,
    UnpackedOutputCount,
)
from shapecheck.rules.suppression import UnusedNoqa
from shapecheck.rules.verify import VerifyMismatch

ALL_RULES = sorted(
    [IncompatibleInput, NonPositiveDimension, ReshapeSizeMismatch, OutputLabelMismatch, DataCardinality,
     IgnoredLayerArgument, CallWithoutInput, UnusedLayer, DuplicatedOutputLayer,
     ActivationLossMismatch,
     UnknownLayerArgument, MissingLayerArgument, KerasTensorInTfFunction, UnpackedOutputCount,
     DuplicateLayerName,
     VerifyMismatch, UnusedNoqa],
    key=lambda rule: rule.code,
)

# Codes whose error findings say TensorFlow raises at that line (--verify and the tests check it).
RAISING_CODES = frozenset(rule.code for rule in ALL_RULES if rule.claims_raise)


def claims_raise(code: str, severity: str) -> bool:
    """Whether a finding says TensorFlow raises at its line: an error of a rule that claims
    it (a warning of such a rule, e.g. SHP206 on Keras 1's ``Conv2D(64, 3, 3)``, describes
    code that TensorFlow runs)."""
    return severity == "error" and code in RAISING_CODES
