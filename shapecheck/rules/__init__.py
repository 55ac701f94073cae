"""The rule registry: every rule class, in code order."""

from shapecheck.rules.model_code import (
    ActivationLossMismatch,
    CallWithoutInput,
    DuplicatedOutputLayer,
    IgnoredLayerArgument,
    MissingLayerArgument,
    UnknownLayerArgument,
    UnusedLayer,
)
from shapecheck.rules.shape_errors import (
    IncompatibleInput,
    NonPositiveDimension,
    OutputLabelMismatch,
    ReshapeSizeMismatch,
)
from shapecheck.rules.verify import VerifyMismatch

ALL_RULES = sorted(
    [IncompatibleInput, NonPositiveDimension, ReshapeSizeMismatch, OutputLabelMismatch,
     IgnoredLayerArgument, CallWithoutInput, UnusedLayer, DuplicatedOutputLayer,
     ActivationLossMismatch,
     UnknownLayerArgument, MissingLayerArgument, VerifyMismatch],
    key=lambda rule: rule.code,
)

# Codes whose findings say TensorFlow raises at that line (--verify and the tests check it).
RAISING_CODES = frozenset(rule.code for rule in ALL_RULES if rule.claims_raise)
