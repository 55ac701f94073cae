"""Sweep: shapecheck over large bodies of real Python, for crashes, hangs and false alarms.

    python bench/sweep.py [DIR ...] [--jobs 2] [--timeout 60] [--slowest 10] [--json OUT]

Without DIR: the standard library and the installed keras, tensorflow and numpy. Every
``*.py`` and ``*.ipynb`` under each DIR is checked statically (``shapecheck.files.check_path``)
in child processes (``--jobs``; one child is replaced when a file takes longer than
``--timeout`` s, which counts as a hang). Prints the files checked, the internal errors
(each with its file and traceback), the files with findings by rule code and severity,
the hangs, the wall time, the slowest files and the children's peak memory. Exit status 1
on an internal error, a hang or an error finding (the target on code that runs: none).
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
import queue
import subprocess
import sys
import sysconfig
import threading
import time
import traceback

HERE = os.path.abspath(__file__)


def default_folders() -> list[str]:
    """The standard library and the installed keras, tensorflow and numpy (those present)."""
    folders = [sysconfig.get_paths()["stdlib"]]
    for name in ("keras", "tensorflow", "numpy"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            folders.append(list(spec.submodule_search_locations)[0])
    return folders


# ---------------------------------------------------------------- the child


def child() -> None:
    """Check each path read from stdin; one JSON line per file on stdout."""
    import resource

    from shapecheck.engine import check_source
    from shapecheck.files import check_path, read_program, with_deep_stack
    from shapecheck.project import Project

    project = Project()
    for line in sys.stdin:
        path = line.rstrip("\n")
        start = time.perf_counter()
        report = check_path(path, project)
        seconds = time.perf_counter() - start
        trace = None
        if (report.error or "").startswith("internal error"):
            try:  # again, for the traceback check_path keeps to itself
                with_deep_stack(check_source, read_program(path)[0], path, Project())
            except Exception:  # noqa: BLE001 - this is what is reported
                trace = traceback.format_exc()
        findings = [(d.code, d.severity, d.line, d.message) for d in report.diagnostics]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # MB (Linux: KB)
        print(json.dumps({"path": path, "seconds": seconds, "error": report.error,
                          "traceback": trace, "findings": findings, "peak_mb": peak}), flush=True)


# ---------------------------------------------------------------- the parent


class Child:
    """One checking child process, fed one path at a time."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, HERE, "--child"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def check(self, path: str, timeout: float) -> dict | None:
        """The child's result for ``path``; None if it hung or died (the child is then gone)."""
        try:
            self.process.stdin.write(path + "\n")
            self.process.stdin.flush()
            line = self.lines.get(timeout=timeout)
        except (queue.Empty, OSError):
            line = None
        if line is None:
            self.close()
        return None if line is None else json.loads(line)

    def close(self):
        self.process.kill()
        self.process.wait()


def sweep(paths: list[str], jobs: int, timeout: float) -> list[dict]:
    """Every path's result (a hang or a crash of the child as an ``error``), in order."""
    todo: queue.Queue = queue.Queue()
    for index, path in enumerate(paths):
        todo.put((index, path))
    results: list = [None] * len(paths)

    def work():
        worker = Child()
        while True:
            try:
                index, path = todo.get_nowait()
            except queue.Empty:
                break
            start = time.perf_counter()
            result = worker.check(path, timeout)
            if result is None:
                seconds = time.perf_counter() - start
                result = {"path": path, "seconds": seconds, "findings": [], "traceback": None,
                          "peak_mb": 0, "error": f"hang: no answer after {seconds:.0f} s"}
                worker = Child()
            results[index] = result
        worker.close()

    threads = [threading.Thread(target=work) for _ in range(max(1, jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def summary(results: list[dict], elapsed: float, slowest: int) -> tuple[str, bool]:
    """The printed summary, and whether the sweep is clean."""
    out = [f"files checked: {len(results)}"]
    internal = [r for r in results if (r["error"] or "").startswith("internal error")]
    hangs = [r for r in results if (r["error"] or "").startswith("hang")]
    not_checked = collections.Counter((r["error"] or "").split(":")[0] for r in results
                                      if r["error"] and r not in internal and r not in hangs)
    out.append(f"internal errors: {len(internal)}")
    for r in internal:
        out.append(f"  {r['path']}: {r['error']}")
        out.extend(f"    {line}" for line in (r["traceback"] or "").rstrip().splitlines()[-12:])
    out.append(f"hangs: {len(hangs)}")
    out.extend(f"  {r['path']}: {r['error']}" for r in hangs)
    out.append("files not checked, by reason: " + (", ".join(
        f"{why} {n}" for why, n in not_checked.most_common()) or "none"))
    by_code = collections.defaultdict(set)
    errors = []
    for r in results:
        for code, severity, line, message in r["findings"]:
            by_code[(code, severity)].add(r["path"])
            if severity == "error":
                errors.append(f"  {r['path']}:{line}: {code} {message[:160]}")
    out.append("files with findings, by rule: " + (", ".join(
        f"{code} [{severity}] {len(files)}" for (code, severity), files in sorted(by_code.items()))
        or "none"))
    out.append(f"error findings: {len(errors)}")
    out.extend(errors)
    out.append(f"time: {elapsed:.1f} s wall, {sum(r['seconds'] for r in results):.1f} s checking")
    out.append(f"slowest {slowest}:")
    out.extend(f"  {r['seconds']:7.2f} s  {r['path']}"
               for r in sorted(results, key=lambda r: -r["seconds"])[:slowest])
    out.append(f"peak memory of a child: {max((r['peak_mb'] for r in results), default=0)} MB")
    return "\n".join(out), not (internal or hangs or errors)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", metavar="DIR", help="folders or files to sweep")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a file is a hang")
    parser.add_argument("--slowest", type=int, default=10, help="how many of the slowest files to list")
    parser.add_argument("--json", metavar="OUT", help="write every file's result as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child()
        return 0
    from shapecheck.files import collect_files

    start = time.perf_counter()
    results = sweep(collect_files(args.folders or default_folders()), args.jobs, args.timeout)
    text, clean = summary(results, time.perf_counter() - start, args.slowest)
    print(text)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=1)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
