"""The rule base class: a code, a name, a severity, a "why" and examples."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import ClassVar

from shapecheck.results import Diagnostic, Edit, Fix, Related

# What the rules' VALID / INVALID examples of layer code start with.
LAYER_IMPORTS = """import tensorflow as tf
from tensorflow.keras.layers import Layer, Conv2D
"""


class Rule:
    """Subclasses set the class attributes and implement ``check``.

    The docstring says what the rule flags, why it is a bug, and what to write
    instead; ``VALID`` and ``INVALID`` are whole programs that the test suite
    checks: no finding of this rule, and at least one, respectively.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str] = "error"
    needs_tensorflow: ClassVar[bool] = False  # reported by --verify only
    # The finding says TensorFlow raises there (the others flag code that runs).
    claims_raise: ClassVar[bool] = False
    default_enabled: ClassVar[bool] = True  # False: reported only when selected
    fix: ClassVar[str | None] = None  # what ``--fix`` writes for (some of) its findings
    VALID: ClassVar[list[str]] = []
    INVALID: ClassVar[list[str]] = []

    def check(self, analysis) -> Iterator[Diagnostic]:
        raise NotImplementedError

    def diagnostic(self, analysis, node, message: str, severity: str | None = None,
                   fix=None, related=()) -> Diagnostic:
        """A finding at ``node``; ``severity`` overrides the rule's default for a weaker form;
        ``fix``: (title, ((first node, last node, new text), ...)), the text from the first
        node's start to the last node's end replaced; ``related``: ((node, words), ...),
        the places of this file, on other lines, that it names too."""
        line, column, end_line, end_column = analysis.position(node)
        if fix is not None:
            title, spans = fix
            fix = Fix(title, tuple(Edit(*analysis.position(first)[:2], *analysis.position(last)[2:], text)
                                   for first, last, text in spans))
        places = [(analysis.position(other), words) for other, words in related
                  if other in analysis.names.positions]
        notes = tuple(Related(*where, words) for where, words in places if where[0] != line)
        return Diagnostic(self.code, self.name, severity or self.severity, line, column,
                          end_line, end_column, message, fix=fix, related=notes)


class FactRule(Rule):
    """A rule that reports one kind of fact the evaluator collected."""

    fact_kind: ClassVar[str]

    def check(self, analysis) -> Iterator[Diagnostic]:
        for fact in analysis.evaluator.facts:
            if fact.kind == self.fact_kind:
                fix = fact.fix or (self.fix_for(analysis, fact) if fact.via is None else None)
                found = self.diagnostic(analysis, fact.node, fact.message, fix=fix,
                                        related=() if fact.via else fact.related)
                if fact.via is not None:  # in another file's code, reached from this file
                    found = replace(found, file=analysis.elsewhere(fact.node).path,
                                    via=(analysis.path, analysis.line(fact.via)))
                yield found

    def fix_for(self, analysis, fact):
        """The fix of a fact in the checked file that the evaluator gave none (``Fact.fix``)."""
        return None
