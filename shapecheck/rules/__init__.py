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
