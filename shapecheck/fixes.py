"""Fixes: the edits some findings carry, applied to a file's text (``--fix``) or shown as a
unified diff (``--diff``); a notebook's in its cells (``shapecheck.notebook_fixes``).

A finding's ``Fix`` replaces spans of its file's text, given as 1-based lines and columns
as libcst's positions give them, so the rest of the file (formatting, comments) stays as
it is. Fixes of one file that touch the same span are applied once, the first in the file.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from shapecheck.files import source_encoding


def offset_of(source: str):
    """A function giving the offset in ``source`` of a 1-based (line, column), lines ending
    as Python's tokenizer ends them."""
    starts = [0, 0] + [match.end() for match in re.finditer(r"\r\n|\r|\n", source)]
    return lambda line, column: starts[min(line, len(starts) - 1)] + column - 1


def chosen_spans(source: str, fixes) -> tuple[list[tuple[int, int, str]], int]:
    """The spans of ``source`` the fixes replace, as (start, end, text), and how many fixes
    they are: a fix that touches a span of one before it is left out."""
    offset = offset_of(source)
    chosen, taken, applied = [], [], 0
    for fix in fixes:
        spans = [(offset(e.line, e.column), offset(e.end_line, e.end_column), e.text) for e in fix.edits]
        if any(a < end and start < b for a, b, _ in spans for start, end in taken):
            continue
        taken += [(a, b) for a, b, _ in spans]
        chosen += spans
        applied += 1
    return chosen, applied


def replaced(source: str, spans) -> str:
    """``source`` with each (start, end, text) span replaced by its text."""
    for start, end, text in sorted(spans, reverse=True):
        source = source[:start] + text + source[end:]
    return source


def apply_fixes(source: str, fixes) -> tuple[str, int]:
    """``source`` with the fixes applied, and how many were applied."""
    spans, applied = chosen_spans(source, fixes)
    return replaced(source, spans), applied


def fix_text(report, text: str) -> tuple[str, int]:
    """The text of the report's file with its fixes applied, and how many were applied."""
    if report.places is None:
        return apply_fixes(text, fixes_of(report))
    from shapecheck.notebook_fixes import fix_notebook

    return fix_notebook(text, fixes_of(report))


def diff_text(report, before: str, after: str) -> str:
    """The change of the report's file as a unified diff: a notebook's, cell by cell."""
    if report.places is None:
        return unified_diff(report.path, before, after)
    from shapecheck.notebook_fixes import notebook_diff

    return notebook_diff(report.path, before, after)


def unified_diff(path: str, before: str, after: str) -> str:
    """The change as ``diff -u`` writes it, ``a/`` and ``b/`` before the path."""
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        f"a/{path}", f"b/{path}"))


def fixes_of(report) -> list:
    """The fixes of a report's findings in its own file."""
    if report.error is not None:
        return []
    return [d.fix for d in report.diagnostics if d.fix is not None and d.file is None]


def write_source(path: str, text: str) -> None:
    """Write ``text`` back to ``path`` in the encoding it was read in (its coding line's, or
    UTF-8, with the byte-order mark it had)."""
    Path(path).write_bytes(text.encode(source_encoding(Path(path).read_bytes())))
