"""How long the language server takes to re-analyse a model file after an edit.

    python bench/lsp_latency.py [FILE] [--edits 20]

Without FILE, a 300-line program of the seed's styles (the seed's fixtures, concatenated
until 300 lines) is used. Each edit changes one number in a layer's arguments (a Conv2D's or a Dense's
filters or size, alternately two values), then the file is analysed as the server does on a change
(``files.check_text`` and the configuration); the median and the slowest of the edits are
printed, and the time of the first analysis (which imports the rules and the libraries'
tables). Nothing is asserted: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default_program(lines: int = 300) -> str:
    """The seed's single-file programs one after another, until ``lines`` lines."""
    parts, count = [], 0
    for path in sorted((ROOT / "fixtures" / "seed").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        parts.append(text)
        count += text.count("\n")
        if count >= lines:
            break
    return "\n".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="a model file (default: 300 lines of the seed)")
    parser.add_argument("--edits", type=int, default=20, help="how many edits to time")
    args = parser.parse_args(argv)
    from shapecheck.config import Configurations, apply
    from shapecheck.files import check_text

    source = Path(args.file).read_text(encoding="utf-8") if args.file else default_program()
    path = args.file or str(ROOT / "bench_program.py")
    units = list(re.finditer(r"(?:Conv2D|Dense)\([^)\n]*?\b(\d+)\b", source))
    if not units:
        parser.error("the file has no Conv2D(...) or Dense(...) with a number to edit")

    def analyse(text):
        began = time.perf_counter()
        apply(check_text(text, path), Configurations().for_path(path))
        return time.perf_counter() - began

    first = analyse(source)
    times = []
    for i in range(args.edits):
        match = units[i % len(units)]
        value = str(int(match.group(1)) + 1 + i % 2)
        edited = source[:match.start(1)] + value + source[match.end(1):]
        times.append(analyse(edited))
    print(f"file: {args.file or 'seed programs'} ({source.count(chr(10)) + 1} lines)")
    print(f"first analysis: {first * 1000:.0f} ms")
    print(f"re-analysis after an edit: median {statistics.median(times) * 1000:.0f} ms, "
          f"slowest {max(times) * 1000:.0f} ms over {len(times)} edits")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
