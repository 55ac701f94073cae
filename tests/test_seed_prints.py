"""The shapes the seed blog post prints appear in ``shapecheck summary``.

The expected shapes are read from the post itself (``fixtures/seed/seed_post.txt``,
its "results" blocks), not typed in here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from shapecheck.cli import main

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed"
TUPLE = re.compile(r"\((?:\d+(?:, \d+)*,?)?\)")


def printed_shapes() -> dict[int, list[str]]:
    """Program number -> the shape tuples its "results" block prints."""
    lines = [line.replace("\xa0", " ").strip() for line in
             (SEED / "seed_post.txt").read_text(encoding="utf-8").splitlines()]
    ends = [i for i, line in enumerate(lines) if line == "cs"]
    shapes = {}
    for program, end in enumerate(ends, start=1):
        if end + 1 < len(lines) and lines[end + 1] == "results":
            block = []
            for line in lines[end + 2:]:
                if line and "(" not in line:
                    break
                block.extend(TUPLE.findall(line))
            shapes[program] = block
    return shapes


PRINTED = printed_shapes()


def test_the_post_has_results_for_programs_1_to_4_and_10():
    assert sorted(PRINTED) == [1, 2, 3, 4, 10]
    assert all(PRINTED.values())


@pytest.mark.parametrize("program", sorted(PRINTED))
def test_printed_shapes_appear_in_summary(program):
    (fixture,) = SEED.glob(f"{program:02d}_*[!d].py")  # the seed's own version, not *_fixed
    result = CliRunner().invoke(main, ["summary", str(fixture)])
    assert result.exit_code == 0, result.output
    missing = [shape for shape in PRINTED[program] if shape not in result.output]
    assert not missing, f"{fixture.name}: the post prints {missing}"
