"""SHP9xx: what ``--verify`` finds by running the file under TensorFlow."""

from shapecheck.rules.base import Rule


class VerifyMismatch(Rule):
    """TensorFlow's actual shape, parameter count or exception differs from the static result.

    Why: the static analysis and the real run disagree, so one of them is wrong:
    a gap in shapecheck (please report it), or code whose behaviour depends on
    something only the run knows.  Only ``shapecheck --verify`` reports it.

    Instead: trust TensorFlow's value, shown in the message.
    """

    code = "SHP901"
    name = "verify-mismatch"
    needs_tensorflow = True  # found by --verify, not by the static rules

    def check(self, analysis):
        return iter(())
