"""Lines per second: shapecheck against pylint (its default checkers) and flake8 (without
shapecheck's own plugin), each on one core over the same files, in one run.

    python bench/speed.py DIR [DIR ...] [--repeat 1]

Counts the lines of every *.py under the folders, then times ``shapecheck --jobs 1
--no-cache --format json``, ``pylint -j 1`` and ``flake8 -j 1`` on them (each a subprocess;
the best of --repeat runs), and prints lines/s and the ratios (targets: at least 5x pylint,
within 2x of flake8). pylint must be installed (it is not a dependency).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

# flake8 with the plugins it finds, less shapecheck's (which would time shapecheck twice)
FLAKE8 = """import sys
import flake8.plugins.finder as finder
found = finder._find_importlib_plugins
finder._find_importlib_plugins = lambda: (p for p in found() if p.package != "keras-shapecheck")
from flake8.main.cli import main
sys.exit(main())
"""


def files_of(folders) -> list[str]:
    return sorted(os.path.join(top, name) for folder in folders for top, _, names in os.walk(folder)
                  for name in names if name.endswith(".py"))


def timed(command, repeat: int) -> float:
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    files = files_of(args.dirs)
    lines = 0
    for path in files:
        with open(path, "rb") as handle:
            lines += handle.read().count(b"\n")
    commands = {
        "shapecheck": [sys.executable, "-m", "shapecheck", "--jobs", "1", "--no-cache", "--format", "json",
                       *args.dirs],
        "pylint": [sys.executable, "-m", "pylint", "-j", "1", "--disable=import-error", *files],
        "flake8": [sys.executable, "-c", FLAKE8, "-j", "1", *args.dirs],
    }
    seconds = {name: timed(command, args.repeat) for name, command in commands.items()}
    print(f"{len(files)} files, {lines:,} lines")
    for name, value in seconds.items():
        print(f"{name:10s} {value:7.1f} s  {lines / value:9,.0f} lines/s")
    print(f"shapecheck vs pylint: {seconds['pylint'] / seconds['shapecheck']:.2f}x faster (target >= 5x)")
    print(f"shapecheck vs flake8: {seconds['shapecheck'] / seconds['flake8']:.2f}x the time (target <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
