"""SHP001: ``# noqa`` comments that suppress nothing (off unless selected:
``--report-unused-noqa`` or ``extend-select = ["SHP001"]``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from shapecheck.results import Diagnostic
from shapecheck.rules.base import Rule

_CODES = r"(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?"
NOQA = re.compile(r"#\s*noqa" + _CODES, re.IGNORECASE)
# ``# shapecheck: noqa`` on a line of its own: the whole file (or, with codes, those rules).
FILE_NOQA = re.compile(r"^\s*#\s*shapecheck:\s*noqa" + _CODES + r"\s*$", re.IGNORECASE | re.MULTILINE)


def noqa_codes(match) -> set[str] | None:
    """The codes a noqa comment names (None: every code)."""
    codes = match.group("codes")
    return None if codes is None else set(re.split(r"[\s,]+", codes.upper()))


class UnusedNoqa(Rule):
    """A ``# noqa: SHP...`` comment names a shapecheck rule that reports nothing on its line.

    Why: a suppression that outlived its finding hides the next, real finding of that
    rule on the line, and tells a reader the line is wrong when it is not. Only the
    ``SHP`` codes of a comment are checked: a bare ``# noqa`` and other tools' codes
    may be there for flake8, ruff or pylint. Off unless selected
    (``--report-unused-noqa``, or ``extend-select = ["SHP001"]``).

    Instead: remove the code from the comment (the comment, when it names nothing else).
    """

    code = "SHP001"
    name = "unused-noqa"
    severity = "warning"
    default_enabled = False
    VALID = ["""import tensorflow as tf
x = tf.zeros((8, 784))
y = tf.keras.layers.Conv2D(4, 3)(x)  # noqa: SHP101
z = tf.keras.layers.Dense(4)(x)  # noqa: E501
"""]
    INVALID = ["""import tensorflow as tf
x = tf.zeros((8, 784))
y = tf.keras.layers.Dense(4)(x)  # noqa: SHP101
"""]

    def check(self, analysis) -> Iterator[Diagnostic]:
        return iter(())  # the engine calls ``unused`` with the other rules' findings

    @classmethod
    def unused(cls, lines: list[str], found: list[Diagnostic]) -> Iterator[Diagnostic]:
        """One finding per comment of ``lines`` (the checked file's) whose SHP codes include
        one that no finding of ``found`` on that line has."""
        for number, text in enumerate(lines, 1):
            match = NOQA.search(text)
            codes = noqa_codes(match) if match else None
            unused = sorted(code for code in codes or () if code.startswith("SHP") and not any(
                d.code == code and d.line == number and d.file is None for d in found))
            if unused:
                yield Diagnostic(
                    cls.code, cls.name, cls.severity, number, match.start() + 1, number,
                    match.end() + 1, f"unused noqa: nothing of {', '.join(unused)} is reported on "
                    f"this line: remove {'it' if len(unused) == 1 else 'them'} from the comment")
