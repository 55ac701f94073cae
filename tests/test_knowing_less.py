"""Knowing less never reports more: a fixture or generated program with one known value
replaced by one shapecheck cannot know (an environment read, ``np.load``) gets no new
error finding (``unknown_mutants`` has the mutations and the rule)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from fixture_paths import FIXTURES
from program_strategies import random_programs
from unknown_mutants import new_errors

ROOT = Path(__file__).resolve().parent.parent
SITES_PER_FIXTURE = 8
PROGRAMS = random_programs("knowing-less", 40)


@pytest.mark.parametrize("path", FIXTURES)
def test_a_fixture_that_knows_less_reports_no_more(path):
    source = (ROOT / path).read_text()
    found = list(new_errors(source, limit=SITES_PER_FIXTURE, seed=zlib.crc32(path.encode()),
                            path=str(ROOT / path)))
    assert found == []


@pytest.mark.parametrize("index", range(len(PROGRAMS)))
def test_a_generated_program_that_knows_less_reports_no_more(index):
    assert list(new_errors(PROGRAMS[index], limit=4, seed=index)) == []


def test_the_mutations_reach_what_the_analysis_uses():
    """A mutant really knows less: the seed's LeNet loses its exact parameter count."""
    from unknown_mutants import mutants

    from shapecheck.engine import check_source

    source = (ROOT / "fixtures/seed/10_lenet_subclass.py").read_text()
    counts = {model.params for _, mutant in mutants(source) for model in check_source(mutant, "m.py").models}
    assert None in counts and len(counts) > 1
