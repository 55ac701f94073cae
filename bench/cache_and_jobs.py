"""The cache and ``--jobs``, measured in one run on a folder of many files.

    python bench/cache_and_jobs.py [DIR ...] [--repeat 3]

Prints the wall time of ``shapecheck --format json DIR`` (a subprocess each time) cold
(an empty cache folder) and warm (the folder the cold run filled), and, without a cache,
with ``--jobs 1`` and ``--jobs 2``; then the ratios warm/cold (target: at least 20x) and
jobs 2 / jobs 1 (target: at least 1.7x). Each figure is the best of --repeat runs. The
outputs of all runs are compared: they must be the same document.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(args, env):
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "shapecheck", "--format", "json", *args],
                          capture_output=True, text=True, env=env)
    return time.perf_counter() - start, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", default=[os.path.join(ROOT, "fixtures")])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("SHAPECHECK_NO_CACHE", "SHAPECHECK_CACHE_DIR")}
    cold, warm, outputs = [], [], set()
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            env["SHAPECHECK_CACHE_DIR"] = folder
            for times in (cold, warm):
                seconds, output = timed(["--jobs", "1", *args.dirs], env)
                times.append(seconds)
                outputs.add(output)
    one = min(timed(["--jobs", "1", "--no-cache", *args.dirs], env)[0] for _ in range(args.repeat))
    two = min(timed(["--jobs", "2", "--no-cache", *args.dirs], env)[0] for _ in range(args.repeat))
    outputs.add(timed(["--jobs", "2", "--no-cache", *args.dirs], env)[1])
    print(f"cold {min(cold):.2f} s, warm {min(warm):.2f} s: warm is {min(cold) / min(warm):.1f}x faster "
          f"(target >= 20x)")
    print(f"--jobs 1 {one:.2f} s, --jobs 2 {two:.2f} s: {one / two:.2f}x (target >= 1.7x; "
          f"{os.cpu_count()} cores)")
    print("outputs: the same" if len(outputs) == 1 else f"outputs DIFFER ({len(outputs)} versions)")
    return 0 if len(outputs) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
