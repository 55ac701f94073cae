"""How much faster is the static check than running the seed under TensorFlow?

Usage (from the repository root, in the dev virtualenv)::

    python bench/seed_speed.py [--repeat 3] [--fixtures fixtures/seed]

Three phases, each repeated ``--repeat`` times; the median is reported:

1. **static, one process**: ``python -m shapecheck FIXTURES`` -- the command a
   user or a pre-commit hook runs: interpreter start, imports, every fixture.
2. **TensorFlow, one process per fixture**: ``python -m shapecheck.verify.runner
   FILE`` for each file, as if the user ran ``python FILE``. The runner is the
   fair offline way to execute the fixtures: it replaces ``mnist.load_data()``
   (and the other Keras image datasets) by zero arrays of the real shapes, so
   no download is timed or needed; otherwise it executes the program as is
   (with shape probes after assignments, which cost next to nothing next to
   TensorFlow's import and graph building).
3. **static, in process**: ``shapecheck.engine`` is imported once, then
   ``check_source`` is timed on each file (parse, resolve, evaluate, rules).

It prints per-phase wall times and the ratio TF total / static total. There
are no assertions: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall(command: list[str]) -> tuple[float, int]:
    """Wall time of one child process run from the repository root, and its exit code."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, done.returncode


def median_of(repeat: int, measure) -> float:
    return statistics.median(measure() for _ in range(repeat))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each measurement; the median is reported (default 3)")
    parser.add_argument("--fixtures", default="fixtures/seed",
                        help="folder of fixtures, relative to the repository root")
    args = parser.parse_args(argv)
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / args.fixtures).glob("*.py"))
    if not files or args.repeat < 1:
        parser.error(f"no *.py files in {args.fixtures}, or --repeat below 1")
    print(f"{len(files)} fixtures in {args.fixtures}, {args.repeat} runs each, medians; "
          f"python {sys.version.split()[0]}")

    # 1. static, one process for all fixtures (exit 1 = diagnostics found: expected)
    static_cmd = [sys.executable, "-m", "shapecheck", args.fixtures]
    static_runs = []
    for _ in range(args.repeat):
        seconds, code = wall(static_cmd)
        if code not in (0, 1):
            print(f"warning: `{' '.join(static_cmd[1:])}` exited {code}")
        static_runs.append(seconds)
    static_total = statistics.median(static_runs)

    # 2. TensorFlow, one process per fixture
    tf_runs = {path: [] for path in files}
    for _ in range(args.repeat):
        for path in files:
            seconds, code = wall([sys.executable, "-m", "shapecheck.verify.runner", path])
            if code != 0:
                print(f"warning: the runner exited {code} on {path}")
            tf_runs[path].append(seconds)
    tf_file = {path: statistics.median(runs) for path, runs in tf_runs.items()}
    tf_total = statistics.median(sum(runs[i] for runs in tf_runs.values())
                                 for i in range(args.repeat))

    # 3. static, in process
    start = time.perf_counter()
    import shapecheck.rules  # noqa: F401  (imported lazily by check_source)
    from shapecheck.engine import check_source
    import_seconds = time.perf_counter() - start
    sources = {path: (ROOT / path).read_text(encoding="utf-8") for path in files}

    def check(path):
        def once():
            begin = time.perf_counter()
            check_source(sources[path], path)
            return time.perf_counter() - begin
        return once

    static_file = {path: median_of(args.repeat, check(path)) for path in files}

    width = max(len(path) for path in files)
    print()
    print(f"{'fixture':<{width}}  {'static in-process':>17}  {'TensorFlow process':>18}")
    for path in files:
        print(f"{path:<{width}}  {static_file[path] * 1000:>14.1f} ms  {tf_file[path]:>16.2f} s")
    in_process = sum(static_file.values())
    print(f"{'sum':<{width}}  {in_process * 1000:>14.1f} ms  {sum(tf_file.values()):>16.2f} s")
    print()
    print(f"static, in process:  {in_process:8.3f} s for {len(files)} files "
          f"({in_process / len(files) * 1000:.1f} ms/file; import of shapecheck.engine "
          f"{import_seconds:.3f} s, once)")
    print(f"static, one process: {static_total:8.3f} s  "
          f"(python -m shapecheck {args.fixtures}; runs: "
          + ", ".join(f"{s:.2f}" for s in static_runs) + ")")
    print(f"TensorFlow:          {tf_total:8.3f} s  "
          f"(python -m shapecheck.verify.runner FILE, {len(files)} processes)")
    print(f"ratio TF total / static total: {tf_total / static_total:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
