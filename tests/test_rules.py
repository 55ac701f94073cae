"""Every rule's VALID and INVALID examples, collected from the rule classes."""

from __future__ import annotations

import inspect
import re
import runpy
import sys
from pathlib import Path

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


# A message says what to change: after its "problem: " part comes a clause that asks for
# a change (an imperative from this list, or a "did you mean" of the right spelling).
CHANGE = re.compile(
    r"\b(use|add|give|make|pass|write|reshape|drop|remove|change|call|put|leave|flatten|import|"
    r"set|keep|replace|check|build|end|encode|crop|pad|bring|choose|project|transpose|fix|"
    r"split|squeeze|join|decorate|one-hot encode|did you mean)\b", re.I)


def _findings_of_the_examples():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fixture_paths import FIXTURES, program_source

    sources = [(path, program_source(path)) for path in FIXTURES if "/bugs/" in path]
    sources += [(rule.code, source) for rule in ALL_RULES for source in rule.INVALID]
    return {(d.code, d.message): where for where, source in sources
            for d in check_source(source, "example.py").diagnostics}


def test_every_finding_says_what_to_change():
    findings = _findings_of_the_examples()
    assert len(findings) > 50
    silent = [f"{where}: {code} {message}" for (code, message), where in findings.items()
              if ": " not in message or not CHANGE.search(message.split(": ", 1)[1])]
    assert not silent, "\n".join(silent)


RULE_DOCS = runpy.run_path(str(Path(__file__).resolve().parents[1] / "tools" / "rule_docs.py"))


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_each_rule_page_is_what_the_catalog_writes(rule):
    page = RULE_DOCS["DOCS"] / f"{rule.code}.md"
    assert page.read_text(encoding="utf-8") == RULE_DOCS["page"](rule), "run python tools/rule_docs.py"


def test_the_readme_rule_table_is_what_the_catalog_writes():
    readme = (RULE_DOCS["ROOT"] / "README.md").read_text(encoding="utf-8")
    assert RULE_DOCS["readme_with_table"](readme) == readme, "run python tools/rule_docs.py"
    assert sorted(p.stem for p in RULE_DOCS["DOCS"].glob("*.md")) == [r.code for r in ALL_RULES]


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_a_rule_says_it_has_a_fix_exactly_when_its_examples_get_one(rule):
    fixes = [d.fix for source in rule.INVALID for d in check_source(source, "example.py").diagnostics
             if d.code == rule.code and d.fix is not None]
    assert bool(fixes) == bool(rule.fix)
