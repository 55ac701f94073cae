"""The seed's bugs are reported where they are, and its correct programs are clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from shapecheck.engine import check_source

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed"


def findings(name: str):
    path = SEED / name
    return check_source(path.read_text(), str(path)).diagnostics


def line_of(name: str, text: str, nth: int = 0) -> int:
    lines = [i for i, line in enumerate((SEED / name).read_text().splitlines(), 1) if text in line]
    return lines[nth]


def test_program_5_extra_dense_is_flagged_on_the_final_dense():
    (finding,) = findings("05_sequential_loops.py")
    assert finding.code == "SHP204"
    assert finding.line == line_of("05_sequential_loops.py", "activation = 'softmax'")


def test_program_9_calls_without_input_are_flagged_on_each_line():
    name = "09_model_with_sequentials.py"
    reported = [(d.code, d.line) for d in findings(name)]
    assert reported == [("SHP202", line_of(name, "x = self.fe()")),
                        ("SHP202", line_of(name, "x = self.classifier()"))]


@pytest.mark.parametrize("name", ["11_lenet_hybrid.py", "12_lenet_mnist.py"])
def test_convlayer_ignoring_filters_and_padding_is_flagged(name):
    reported = findings(name)
    assert {d.code for d in reported} == {"SHP201"}
    conv_line = line_of(name, "self.conv = Conv2D(")
    assert all(d.line == conv_line for d in reported)
    assert sorted(m for d in reported for m in ("'filters'", "'padding'") if m in d.message) == [
        "'filters'", "'padding'"]


CLEAN = sorted(p.name for p in SEED.glob("*.py")
               if p.name not in {"05_sequential_loops.py", "09_model_with_sequentials.py",
                                 "11_lenet_hybrid.py", "12_lenet_mnist.py"})


@pytest.mark.parametrize("name", CLEAN)
def test_correct_programs_have_no_findings(name):
    assert findings(name) == []
