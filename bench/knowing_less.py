"""Knowing less never reports more, on every site: each fixture (and ``--programs N``
generated programs) with each known constant or data array replaced by an unknown one.

    python bench/knowing_less.py [--programs 100] [--sites 10]

prints every mutant that adds an error finding (the rule of ``tests/unknown_mutants.py``),
then the number of mutants checked and the time taken. Exit status 1 if any adds one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fixture_paths import FIXTURES  # noqa: E402
from program_strategies import random_programs  # noqa: E402
from unknown_mutants import mutants, new_errors  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=100, help="generated programs to mutate")
    parser.add_argument("--sites", type=int, default=10, help="sites per generated program")
    args = parser.parse_args(argv)
    start, bad, count = time.perf_counter(), 0, 0
    cases = [(str(ROOT / path), (ROOT / path).read_text(), None) for path in FIXTURES]
    cases += [(f"program {i}", source, args.sites)
              for i, source in enumerate(random_programs("knowing-less-bench", args.programs))]
    for name, source, limit in cases:
        count += sum(1 for _ in mutants(source, limit))
        for description, added in new_errors(source, limit, path=name):
            bad += 1
            print(f"{name}: {description}: adds {added}")
    print(f"{count} mutants of {len(cases)} programs, {bad} report more "
          f"({time.perf_counter() - start:.1f} s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
