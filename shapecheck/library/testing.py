"""Test runners: ``unittest.main()`` / ``tf.test.main()`` run the test methods of the file's
``TestCase`` classes, as the program does when it runs."""

from __future__ import annotations

from shapecheck.library.registry import function
from shapecheck.objects import UserClass
from shapecheck.values import ApiRef

_TEST_CASES = ("unittest.TestCase", "tensorflow.test.TestCase", "absl.testing.absltest.TestCase",
               "absl.testing.parameterized.TestCase")


def _is_test_case(cls: UserClass) -> bool:
    return any(isinstance(base, ApiRef) and base.name in _TEST_CASES or
               isinstance(base, UserClass) and _is_test_case(base) for base in cls.bases)


@function("unittest.main", "tensorflow.test.main", "absl.testing.absltest.main")
def _run_tests(site):
    """Each test method (in name order, as unittest runs them) on a new instance, between
    its ``setUp`` and ``tearDown``."""
    ev = site.ev
    for cls in list(ev.classes):
        if not _is_test_case(cls):
            continue
        names = sorted({name for c in cls.mro() for name in c.methods if name.startswith("test")})
        for name in names:
            instance = ev.instantiate(cls, [], {}, site.node)
            for step in ("setUp", name, "tearDown"):
                method = cls.method(step)
                if method is not None:
                    ev.guarded(site.node, ev.call_function, method.bound(instance), [], {})
    return None
