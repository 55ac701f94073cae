"""``while len(items) < n:`` loops fill their lists to ``n`` only when each pass appends at
most one item and nothing can end the loop early (``shapecheck.interpret.filled_lists``);
the loop of ``fixtures/styles/162_data_generated_until_enough.py`` is confirmed by
TensorFlow."""

from __future__ import annotations

import pytest

from shapecheck.engine import check_source

LOOP = """import numpy as np
questions, answers = [], []
while len(questions) < 40:
    a = np.random.randint(0, 9)
    if a == 3:  # (a pass that may skip: the passes are not unrolled)
        continue
{body}
x = np.zeros((len(questions), 3))
y = np.zeros((len(answers), 2))
"""


def shapes(body: str) -> dict:
    report = check_source(LOOP.format(body=body), "m.py")
    return {t.name: t.shape for t in report.tensors}


def test_a_loop_that_appends_once_a_pass_fills_its_lists():
    body = "    questions.append(a)\n    answers.append(a + a)"
    assert shapes(body) == {"x": (40, 3), "y": (40, 2)}


@pytest.mark.parametrize("body", [
    "    questions.append(1)\n    questions.append(2)",  # two a pass: it may end at 41
    "    questions.append(next(source))",  # StopIteration may end it early
    "    if np.random.rand() > 0.5:\n        break\n    questions.append(1)",
    "    if np.random.rand() > 0.5:\n        raise ValueError\n    questions.append(1)",
    "    questions.append(1)\n    print(len(questions))",  # the list is used otherwise too
])
def test_a_loop_that_may_end_otherwise_leaves_the_length_unknown(body):
    assert "x" not in shapes(body) or shapes(body)["x"][0] != 40


def test_a_list_appended_apart_from_the_measured_one_is_not_filled():
    body = "    questions.append(1)\n    if np.random.rand() > 0.5:\n        answers.append(2)"
    found = shapes(body)
    assert found["x"] == (40, 3) and ("y" not in found or found["y"][0] != 40)
