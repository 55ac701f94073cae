"""Fixes: the edits some findings carry, applied to a file's text (``--fix``) or shown as a
unified diff (``--diff``).

A finding's ``Fix`` replaces spans of its file's text, given as 1-based lines and columns
as libcst's positions give them, so the rest of the file (formatting, comments) stays as
it is. Fixes of one file that touch the same span are applied once, the first in the file.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from shapecheck.files import source_encoding


def _offsets(source: str) -> list[int]:
    """The offset in ``source`` of each line's start (1-based: index 0 is unused), lines
    ending as Python's tokenizer ends them."""
    return [0, 0] + [match.end() for match in re.finditer(r"\r\n|\r|\n", source)]


def apply_fixes(source: str, fixes) -> tuple[str, int]:
    """``source`` with the fixes applied, and how many were applied."""
    starts = _offsets(source)

    def offset(line: int, column: int) -> int:
        return starts[min(line, len(starts) - 1)] + column - 1

    chosen, taken, applied = [], [], 0
    for fix in fixes:
        spans = [(offset(e.line, e.column), offset(e.end_line, e.end_column), e.text) for e in fix.edits]
        if any(a < end and start < b for a, b, _ in spans for start, end in taken):
            continue
        taken += [(a, b) for a, b, _ in spans]
        chosen += spans
        applied += 1
    for start, end, text in sorted(chosen, reverse=True):
        source = source[:start] + text + source[end:]
    return source, applied


def unified_diff(path: str, before: str, after: str) -> str:
    """The change as ``diff -u`` writes it, ``a/`` and ``b/`` before the path."""
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{path}", f"b/{path}"))


def fixes_of(report) -> list:
    """The fixes of a report's findings in its own file (a Python file, not a notebook)."""
    if report.error is not None or report.places is not None:
        return []
    return [d.fix for d in report.diagnostics if d.fix is not None and d.file is None]


def write_source(path: str, text: str) -> None:
    """Write ``text`` back to ``path`` in the encoding it was read in (its coding line's, or
    UTF-8, with the byte-order mark it had)."""
    Path(path).write_bytes(text.encode(source_encoding(Path(path).read_bytes())))
