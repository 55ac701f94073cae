"""``--fix`` and ``--diff`` in a notebook: the fixes of its program applied to its cells.

A fix's edits are at the program's lines (``shapecheck.notebooks``); each becomes an edit of
the one cell holding its lines. A fix with an edit spanning two cells, or on a line of
IPython syntax, is left out. Only the JSON values of the changed cells' sources are written
anew, in their own form (one string, or a list of lines laid out as it was), so the rest of
the file (outputs, metadata, ids, indentation) keeps its bytes.
"""

from __future__ import annotations

import json

from shapecheck.fixes import chosen_spans, offset_of, replaced, unified_diff
from shapecheck.notebooks import NEWLINE, cell_code, item_spans, read_cells, source_spans


def fix_notebook(text: str, fixes) -> tuple[str, int]:
    """A notebook's JSON text with the fixes of its program applied, and how many were."""
    cells = read_cells(text)[0]
    spans = source_spans(text, [source for _, source in cells])
    code = [(number, source) for number, (kind, source) in enumerate(cells, 1) if kind == "code"]
    line_cells = [number for number, source in code for _ in cell_code(source)]
    program = "".join(line + "\n" for _, source in code for line in cell_code(source))
    written = "".join(_ended(source) for _, source in code)  # the cells, line for line
    in_program, in_cells = offset_of(program), offset_of(written)

    def applies(edit) -> bool:
        """The edit is in one cell whose source the text holds, where the program is that cell."""
        if not 1 <= edit.line <= edit.end_line <= len(line_cells):
            return False
        cell = line_cells[edit.line - 1]
        if cell != line_cells[edit.end_line - 1] or spans[cell - 1] is None:
            return False
        start, end = (edit.line, edit.column), (edit.end_line, edit.end_column)
        return NEWLINE.sub("\n", written[in_cells(*start):in_cells(*end)]) == \
            program[in_program(*start):in_program(*end)]

    chosen, applied = chosen_spans(written, [fix for fix in fixes if all(map(applies, fix.edits))])
    values, start = [], 0
    for number, source in code:
        ended = _ended(source)
        mine = [(a - start, b - start, new) for a, b, new in chosen if start <= a < start + len(ended)]
        if mine:
            fixed = replaced(ended, mine)
            values.append((spans[number - 1], fixed if ended == source else fixed[:-1]))
        start += len(ended)
    return replaced(text, [(a, b, _json_value(text, a, b, value, source))
                           for (a, b, value), source in values]), applied


def notebook_diff(path: str, before: str, after: str) -> str:
    """Each cell whose source differs between two texts of a notebook as a unified diff,
    headed ``a/PATH:cell N`` and ``b/PATH:cell N``."""
    pairs = zip(read_cells(before)[0], read_cells(after)[0])
    return "".join(unified_diff(f"{path}:cell {number}", _ended(old), _ended(new))
                   for number, ((_, old), (_, new)) in enumerate(pairs, 1))


def _ended(source: str) -> str:
    """A cell's source with its last line ended (Jupyter leaves it open)."""
    return source + "\n" if source and not source.endswith(("\n", "\r")) else source


def _json_value(text: str, start: int, end: int, value, source: str) -> str:
    """``source`` as JSON in the form of ``value``, written at ``text[start:end]``: one string,
    or a list of its lines (as nbformat splits them) laid out as that list is; non-ASCII
    characters escaped only in a file of ASCII."""
    if isinstance(value, str):
        return json.dumps(source, ensure_ascii=text.isascii())
    items = [json.dumps(line, ensure_ascii=text.isascii()) for line in source.splitlines(keepends=True)]
    spans = item_spans(text, start, len(value))
    opening, closing = text[start + 1:spans[0][0]], text[spans[-1][1]:end - 1]
    between = text[spans[0][1]:spans[1][0]] if len(spans) > 1 else "," + opening
    return "[" + opening + between.join(items) + closing + "]"
