"""Baselines: the findings a project accepts for now, so that CI fails only on new ones.

    shapecheck --baseline .shapecheck-baseline.json --write-baseline   # record today's
    shapecheck --baseline .shapecheck-baseline.json                    # report the others

A finding is matched by its rule code, its file (relative to the baseline's folder) and a
fingerprint of its line's text (stripped of indentation), not by its line number, so
edits elsewhere in the file keep it matched; as many findings match as the baseline holds
of that key.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import replace
from pathlib import Path

FORMAT = "shapecheck-baseline"
VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or written; the message names it."""


def _key(report, d, root: Path) -> tuple[str, str, str]:
    path = d.file or report.path
    try:
        path = Path(os.path.abspath(path)).relative_to(root).as_posix()
    except ValueError:
        path = Path(os.path.abspath(path)).as_posix()
    # The line's text for a finding of the checked file; of another file, its message.
    text = report.lines[d.line - 1].strip() if d.file is None and 0 < d.line <= len(report.lines) \
        else d.message
    return path, d.code, hashlib.sha256(text.encode()).hexdigest()[:16]


def write(file: str, reports) -> int:
    """Record every finding of ``reports`` in ``file``; the number recorded."""
    root = Path(os.path.abspath(file)).parent
    counts = Counter(_key(r, d, root) for r in reports for d in r.diagnostics)
    entries = [{"path": path, "code": code, "fingerprint": fingerprint, "count": n}
               for (path, code, fingerprint), n in sorted(counts.items())]
    try:
        with open(file, "w", encoding="utf-8") as handle:
            json.dump({"format": FORMAT, "version": VERSION, "findings": entries}, handle, indent=1)
            handle.write("\n")
    except OSError as exc:
        raise BaselineError(f"{file}: cannot write the baseline: {exc.strerror}") from exc
    return sum(counts.values())


def read(file: str) -> Counter:
    """The baseline's findings, counted by key."""
    try:
        with open(file, encoding="utf-8") as handle:
            document = json.load(handle)
        if document.get("format") != FORMAT or document.get("version") != VERSION:
            raise ValueError(f"not a {FORMAT} file of version {VERSION}")
        return Counter({(e["path"], e["code"], e["fingerprint"]): int(e["count"])
                        for e in document["findings"]})
    except OSError as exc:
        raise BaselineError(f"{file}: cannot read the baseline: {exc.strerror} "
                            f"(write one with --write-baseline)") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BaselineError(f"{file}: not a baseline shapecheck wrote ({exc})") from exc


def without_baseline(reports, file: str) -> tuple[list, int]:
    """The reports without the findings the baseline holds, and how many were dropped."""
    left, root, dropped = read(file), Path(os.path.abspath(file)).parent, 0
    kept_reports = []
    for report in reports:
        kept = []
        for d in report.diagnostics:
            key = _key(report, d, root)
            if left[key] > 0:
                left[key] -= 1
                dropped += 1
            else:
                kept.append(d)
        kept_reports.append(replace(report, diagnostics=kept))
    return kept_reports, dropped
