"""Every rule's VALID and INVALID examples, collected from the rule classes."""

from __future__ import annotations

import inspect

import pytest

from shapecheck.engine import check_source
from shapecheck.rules import ALL_RULES

CASES = [pytest.param(rule, source, valid, id=f"{rule.code}-{'valid' if valid else 'invalid'}-{i}")
         for rule in ALL_RULES
         for valid, examples in ((True, rule.VALID), (False, rule.INVALID))
         for i, source in enumerate(examples)]


@pytest.mark.parametrize("rule, source, valid", CASES)
def test_rule_examples(rule, source, valid):
    codes = [d.code for d in check_source(source, "example.py").diagnostics]
    if valid:
        assert rule.code not in codes
    else:
        assert rule.code in codes


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_rule_is_documented_and_has_examples(rule):
    doc = inspect.getdoc(rule)
    assert doc and "Why:" in doc and "Instead:" in doc
    assert (rule.VALID and rule.INVALID) or rule.needs_tensorflow  # tests/test_verify.py
    assert rule.code.startswith("SHP") and rule.name == rule.name.lower()


def test_codes_and_names_are_unique():
    assert len({r.code for r in ALL_RULES}) == len({r.name for r in ALL_RULES}) == len(ALL_RULES)


NOQA_SOURCE = """import tensorflow as tf
x = tf.zeros((8, 784))
y = tf.keras.layers.Conv2D(4, 3)(x){comment}
"""


@pytest.mark.parametrize("comment, reported", [
    ("", True),
    ("  # noqa", False),
    ("  # noqa: SHP101", False),
    ("  # noqa: SHP204, SHP101", False),
    ("  # noqa: SHP204", True),
])
def test_noqa_comments_suppress_findings_on_their_line(comment, reported):
    report = check_source(NOQA_SOURCE.format(comment=comment), "noqa.py")
    assert ("SHP101" in [d.code for d in report.diagnostics]) == reported
