"""Randomized differential run: N random Keras programs, shapecheck against TensorFlow.

    python bench/differential.py --count 500 --seed 1

writes the programs of ``tests/program_strategies.py`` for that seed to a temporary
folder, runs them under TensorFlow in chunks (one recorder process per chunk of
``--chunk`` programs, ``--jobs`` processes at a time) while shapecheck checks them, and
prints the agreement (the rule of ``tests/test_differential.py``) and, for each
disagreement, the program's path and a one-line reason. The disagreeing programs stay in
the folder (all of them with ``--keep-all``). Exit status 1 if any program disagrees.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from program_strategies import random_programs  # noqa: E402
from test_differential import (  # noqa: E402
    disagreement,
    start_tensorflow,
    static_record,
    tensorflow_records,
    write_programs,
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="number of programs")
    parser.add_argument("--seed", default="1", help="seed of the batch (any string)")
    parser.add_argument("--start", type=int, default=0, help="index of the first program")
    parser.add_argument("--chunk", type=int, default=200, help="programs per TensorFlow process")
    parser.add_argument("--jobs", type=int, default=1, help="TensorFlow processes at a time")
    parser.add_argument("--out", help="folder for the programs (default: a new temporary one)")
    parser.add_argument("--keep-all", action="store_true", help="keep the agreeing programs too")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    folder = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="shapecheck-differential-"))
    folder.mkdir(parents=True, exist_ok=True)
    sources = random_programs(args.seed, args.count, start=args.start)
    names = write_programs(folder, sources, start=args.start)
    source_of = dict(zip(names, sources))
    chunks = [names[i:i + args.chunk] for i in range(0, len(names), args.chunk)]

    theirs, ours = {}, {}
    static_seconds = 0.0
    waiting = list(chunks)
    running = []
    while waiting or running:
        while waiting and len(running) < max(1, args.jobs):
            chunk = waiting.pop(0)
            running.append((chunk, start_tensorflow(chunk, folder)))
        # check the running chunks statically while TensorFlow works on them
        for chunk, _ in running:
            for name in chunk:
                if name not in ours:
                    t0 = time.perf_counter()
                    ours[name] = static_record(source_of[name], name)
                    static_seconds += time.perf_counter() - t0
        chunk, process = running.pop(0)
        theirs.update(tensorflow_records(process))
        print(f"  {len(theirs)}/{len(names)} run under TensorFlow", file=sys.stderr, flush=True)

    reasons = {name: disagreement(ours[name], theirs[name]) for name in names}
    bad = [name for name in names if reasons[name] is not None]
    rejected = sum(theirs[name]["error"] is not None for name in names)
    rejected_bad = sum(theirs[name]["error"] is not None for name in bad)
    if not args.keep_all:
        for name in names:
            if reasons[name] is None:
                (folder / name).unlink()
        shutil.rmtree(folder / "__pycache__", ignore_errors=True)

    for name in bad:
        print(f"{folder / name}: {reasons[name]}")
    agree = len(names) - len(bad)
    print(f"\nagreement: {agree}/{len(names)} = {100.0 * agree / max(1, len(names)):.1f}%"
          f" (seed {args.seed}); TensorFlow rejected {rejected} "
          f"({100.0 * rejected / max(1, len(names)):.1f}%), of which {rejected_bad} disagree")
    kinds = collections.Counter(reasons[name].split(" (")[0].split(":")[0] for name in bad)
    if kinds:
        print("disagreements by kind: " + ", ".join(f"{k} x{n}" for k, n in kinds.most_common()))
    print(f"programs in {folder}; {time.perf_counter() - began:.0f} s "
          f"(static {static_seconds:.1f} s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
