"""Bug-set benchmark: is each real shape bug flagged where TensorFlow raises, and is its fixed
twin left alone?

    python bench/bugsets.py DIR [--timeout 120] [--jobs 1] [--site SITE] [--json OUT] [-v]

DIR holds pairs of programs, ``NAME_bug.py`` (TensorFlow raises) and ``NAME_fix.py`` (it runs
to the end), e.g. one pair per StackOverflow question or GitHub issue. Both run under
TensorFlow as ``bench/realworld.py`` runs a corpus (one child per job, training made cheap)
and are checked by shapecheck. A bug is

- **at the line**: an error finding at the statement TensorFlow raises from;
- **elsewhere**: error findings, none at that statement;
- **warned**: only warnings;
- **missed**: nothing.

A fixed twin that TensorFlow runs to the end counts against shapecheck with any finding,
error or warning. Programs TensorFlow does not treat as the pair says (a bug that runs or stops for
a reason that is not a shape, such as a missing file; a fix that raises) are listed apart
and not counted.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import realworld  # noqa: E402  (the TensorFlow children and the static checks)


def pairs(folder):
    """{NAME: {"bug": path, "fix": path}} of the folder's twins."""
    found = {}
    for name in sorted(os.listdir(folder)):
        for kind in ("bug", "fix"):
            if name.endswith(f"_{kind}.py"):
                found.setdefault(name[: -len(f"_{kind}.py")], {})[kind] = os.path.join(folder, name)
    return found


def statement_lines(path):
    """First line of each simple statement -> its last line (TensorFlow names a call's first)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        try:
            tree = ast.parse(handle.read())
        except SyntaxError:
            return {}
    return {n.lineno: n.end_lineno for n in ast.walk(tree) if isinstance(n, ast.stmt)
            and not isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.If, ast.For, ast.While,
                                   ast.With, ast.Try))}


def judge_bug(path, record, report):
    """at the line / elsewhere / warned / missed, and the findings' codes."""
    error = record.get("error") or {}
    line = error.get("line")
    ends = statement_lines(path)
    findings = report.diagnostics if report else []
    errors = [d for d in findings if d.severity == "error"]
    here = [d for d in errors if line and line <= (d.via[1] if d.via else d.line) <= ends.get(line, line)]
    verdict = ("at the line" if here else "elsewhere" if errors else "warned" if findings else "missed")
    return verdict, sorted({d.code for d in findings})


def analyse(found, records, reports):
    rows = []
    for name, twins in found.items():
        bug, fix = twins.get("bug"), twins.get("fix")
        row = {"name": name}
        if bug:
            record = records[bug]
            error = record.get("error")
            if error is None or record.get("failed") or error["type"] in realworld.NON_SHAPE:
                row["bug"] = ("not a shape error under TensorFlow", [])
            else:
                row["bug"] = judge_bug(bug, record, reports[bug])
                row["tf_error"] = f"{record['error']['type']} at line {record['error'].get('line')}: " \
                                  f"{realworld._first(record['error']['message'])}"
        if fix:
            record, report = records[fix], reports[fix]
            if record.get("error") is not None:
                row["fix"] = ("TensorFlow raises on the fix", [])
            else:
                codes = sorted({d.code for d in (report.diagnostics if report else [])})
                row["fix"] = ("reported" if codes else "clean", codes)
        row["static_error"] = [r.error for r in (reports.get(bug), reports.get(fix))
                               if r is not None and r.error]
        rows.append(row)
    return rows


def summary(rows, elapsed, verbose):
    out = []
    bugs = [r for r in rows if "bug" in r and r["bug"][0] in ("at the line", "elsewhere", "warned", "missed")]
    fixes = [r for r in rows if "fix" in r and r["fix"][0] in ("clean", "reported")]
    count = {v: sum(r["bug"][0] == v for r in bugs) for v in ("at the line", "elsewhere", "warned", "missed")}
    flagged = count["at the line"] + count["elsewhere"]
    out.append(f"bugs TensorFlow raises on: {len(bugs)}; flagged (an error finding): {flagged} "
               f"({100 * flagged / max(len(bugs), 1):.1f}%), at the line it raises: {count['at the line']} "
               f"({100 * count['at the line'] / max(len(bugs), 1):.1f}%)")
    out.append("  " + ", ".join(f"{k}: {v}" for k, v in count.items()))
    reported = [r for r in fixes if r["fix"][0] == "reported"]
    out.append(f"fixed twins TensorFlow runs: {len(fixes)}; with any finding: {len(reported)}")
    out.extend(f"    {r['name']}_fix.py: {', '.join(r['fix'][1])}" for r in reported)
    for r in rows:
        if verbose or r.get("bug", ("",))[0] in ("missed", "warned", "elsewhere"):
            if "bug" in r:
                out.append(f"  {r['name']}_bug.py: {r['bug'][0]} {' '.join(r['bug'][1])}"
                           + (f"\n      TF: {r['tf_error']}" if r.get("tf_error") else ""))
    odd = [f"{r['name']}: {r[k][0]}" for r in rows for k in ("bug", "fix")
           if k in r and r[k][0] in ("not a shape error under TensorFlow", "TensorFlow raises on the fix")]
    if odd:
        out.append("not counted (TensorFlow does not treat them as the pair says):")
        out.extend(f"    {o}" for o in odd)
    internal = [f"{r['name']}: {e[:160]}" for r in rows for e in r["static_error"]]
    out.append(f"files shapecheck could not check: {len(internal)}")
    out.extend(f"    {i}" for i in internal)
    out.append(f"time: {elapsed:.0f} s")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", help="folder of NAME_bug.py / NAME_fix.py pairs")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per file under TensorFlow")
    parser.add_argument("--jobs", type=int, default=1, help="TensorFlow processes at a time")
    parser.add_argument("--site", default=os.environ.get("SHAPECHECK_BENCH_SITE"),
                        help="folder of packages the programs import, appended to their sys.path")
    parser.add_argument("--json", metavar="OUT", help="write the rows as JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every pair")
    args = parser.parse_args(argv)
    began, folder = time.time(), os.path.abspath(args.dir)
    found = pairs(folder)
    paths = [p for twins in found.values() for p in twins.values()]
    records, reports, _ = realworld.run_all(paths, folder, args)
    rows = analyse(found, records, reports)
    print(summary(rows, time.time() - began, args.verbose))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
