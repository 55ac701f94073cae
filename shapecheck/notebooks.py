"""Jupyter notebooks as programs: the code cells in order, IPython's own syntax left out.

A notebook is read with ``nbformat`` (imported only when a notebook is read) and becomes
one program, its code cells joined in order, keeping every line where it was: a line of
IPython syntax that is not Python (``%matplotlib inline``, ``!pip install ...``, ``model?``,
``files = !ls``) becomes ``pass`` at its indentation, ``%time STATEMENT`` keeps the statement
(``pass;`` takes the place of ``%time``), a ``%%time``/``%%capture``/``%%prun`` cell keeps
its body, and a cell of another cell magic (``%%bash``, ``%%writefile``; ``%%timeit``, whose
names do not outlive the cell) becomes blank lines. Only a line that starts a statement
is IPython syntax, as for IPython: ``% b`` continuing an expression stays Python.
``Program.places`` says where each line of the program is written: the cell, counting all
cells from 1 as Jupyter shows them (and as ruff reports them), the line in that cell, and
the line of the ``.ipynb`` file's own text (what SARIF and GitHub annotations point to).
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
import tokenize
import warnings
from dataclasses import dataclass

SUFFIX = ".ipynb"
# Cell magics that run their body as Python in the notebook's namespace.
PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun"})

NEWLINE = re.compile(r"\r\n|\r|\n")
_CELL_MAGIC = re.compile(r"%%(\w+)")
_TIME = re.compile(r"([ \t]*)%time(?=[ \t]+(?!(?:if|for|while|with|def|class|try|async)\b)\S)")
_IPYTHON = re.compile(r"[ \t]*(?:[%!]|[\w.]+[ \t]*=[ \t]*[%!]|\?{1,2}[\w.]+[ \t]*$|[\w.]+\?{1,2}[ \t]*$)")
_SOURCE_KEY = re.compile(r'"(?:source|input)"\s*:\s*')  # (nbformat 3 names a code cell's "input")
_SEPARATOR = re.compile(r"[\s,]*")


class NotebookError(ValueError):
    """A file that is not a readable notebook; the message says why."""


@dataclass(frozen=True)
class Place:
    """Where a line of a notebook's program is written."""

    cell: int  # 1-based, among all the notebook's cells
    line: int  # 1-based, in that cell
    file_line: int  # 1-based, in the .ipynb file's text


@dataclass(frozen=True)
class Program:
    """A notebook's code cells as one program, and where each of its lines comes from."""

    source: str
    places: tuple[Place, ...]  # one for each line of the source


def is_notebook(path: str) -> bool:
    return path.endswith(SUFFIX)


def read_notebook(text: str) -> Program:
    """The program of a notebook's JSON text, or a ``NotebookError`` saying why it has none."""
    cells, language = read_cells(text)
    if language not in (None, "python"):  # another kernel's code: nothing to check
        return Program("", ())
    file_lines = _file_lines(text, [source for _, source in cells])
    lines, places = [], []
    for number, ((kind, source), rows) in enumerate(zip(cells, file_lines), 1):
        if kind != "code":
            continue
        code = cell_code(source)
        lines += code
        places += [Place(number, i, rows[min(i, len(rows)) - 1]) for i in range(1, len(code) + 1)]
    return Program("".join(line + "\n" for line in lines), tuple(places))


def read_cells(text: str) -> tuple[list[tuple[str, str]], str | None]:
    """The type and source of each cell of a notebook's JSON text, and the kernel's language
    if the notebook says; a ``NotebookError`` if it is not a notebook."""
    try:
        import nbformat
    except ImportError:
        raise NotebookError("reading a notebook needs nbformat: pip install nbformat") from None

    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"not a notebook: invalid JSON: {exc}") from None
    version = data.get("nbformat") if isinstance(data, dict) else None
    if version not in nbformat.versions:
        raise NotebookError("not a notebook: no known 'nbformat' version in its JSON")
    if version >= 4 and not isinstance(data.get("cells"), list):
        raise NotebookError("not a notebook: no list of 'cells'")
    try:
        with warnings.catch_warnings():  # nbformat warns about ids older notebooks lack
            warnings.simplefilter("ignore")
            notebook = nbformat.versions[version].to_notebook_json(data, minor=data.get("nbformat_minor", 0))
            notebook = nbformat.convert(notebook, 4)
        cells = [(cell["cell_type"], cell.get("source", "")) for cell in notebook["cells"]]
        language = _language(notebook.get("metadata", {}))
    except Exception as exc:  # nbformat raises all kinds for a document of another shape
        raise NotebookError(f"not a notebook: {type(exc).__name__}: {exc}") from None
    if not all(isinstance(source, str) for _, source in cells):
        raise NotebookError("not a notebook: a cell's source is not text")
    return cells, language


def _language(metadata) -> str | None:
    """The kernel's language, if the notebook says."""
    info = metadata.get("language_info") or {}
    spec = metadata.get("kernelspec") or {}
    language = info.get("name") or spec.get("language")
    return language.lower() if isinstance(language, str) else None


def cell_code(source: str) -> list[str]:
    """A code cell's lines as Python: IPython syntax replaced, one line for one line."""
    lines = NEWLINE.split(source)
    if lines[-1] == "":
        lines.pop()
    magic = _CELL_MAGIC.match(lines[0]) if lines else None
    if magic is not None:
        if magic.group(1) not in PYTHON_CELL_MAGICS:
            return [""] * len(lines)
        lines[0] = ""
    code: list[str] = []
    start = 0  # where the statement being read starts
    continued = False  # the IPython line before ends with a backslash
    for line in lines:
        if continued:
            code.append("")
            continued = line.endswith("\\")
            start = len(code)
            continue
        if _IPYTHON.match(line) and _complete(code[start:]):
            time = _TIME.match(line)
            if time is not None:
                code.append(f"{time.group(1)}pass;{line[time.end():]}")
            else:
                code.append(line[:len(line) - len(line.lstrip())] + "pass")
                continued = line.endswith("\\")
            start = len(code)
        else:
            code.append(line)
    return code


def _complete(lines: list[str]) -> bool:
    """Whether these lines end outside brackets, strings and backslash continuations."""
    try:
        for _ in tokenize.generate_tokens(iter([line + "\n" for line in lines]).__next__):
            pass
    except tokenize.TokenError:
        return False
    except SyntaxError:  # a bad indentation: the parser reports it
        return True
    return True


def _file_lines(text: str, sources: list[str]) -> list[list[int]]:
    """For each cell, the line of ``text`` holding each line of its source.

    nbformat writes a source as a list of strings, one per line, each on a line of the
    file; a source written as one string is on one line. A cell whose source is not
    found in the text (an nbformat 3 heading, made a markdown cell) gets line 1.
    """
    breaks = [match.start() for match in re.finditer("\n", text)]

    def line_at(offset: int) -> int:
        return bisect.bisect_left(breaks, offset) + 1

    return [[1] if span is None else _source_rows(text, span[0], span[2], source, line_at)
            for source, span in zip(sources, source_spans(text, sources))]


def source_spans(text: str, sources: list[str]) -> list[tuple[int, int, str | list] | None]:
    """Where ``text`` writes each cell's source: the start and end of its JSON value, and the
    value (a string or a list of strings); None where it is not found."""
    decoder, found, at = json.JSONDecoder(), [], 0
    for source in sources:
        span = None
        for key in _SOURCE_KEY.finditer(text, at):
            try:
                value, end = decoder.raw_decode(text, key.end())
            except ValueError:
                continue
            if _joined(value) == source:
                span, at = (key.end(), end, value), end
                break
        found.append(span)
    return found


def _joined(value) -> str | None:
    """A source as JSON holds it (a string, or a list of strings) as one string."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "".join(value)
    return value if isinstance(value, str) else None


def _source_rows(text, offset, value, source, line_at) -> list[int]:
    """The file line of each line of ``source``, written at ``offset`` as ``value``."""
    if isinstance(value, str) or not value:
        return [line_at(offset)]
    rows = [line_at(start) for start, _ in item_spans(text, offset, len(value))]
    ends = list(itertools.accumulate(len(element) for element in value))
    starts = [0] + [match.end() for match in NEWLINE.finditer(source) if match.end() < len(source)]
    # (a line that starts where the last string ends is in it: a source of [""] is one line)
    return [rows[min(bisect.bisect_right(ends, start), len(rows) - 1)] for start in starts]


def item_spans(text: str, offset: int, count: int) -> list[tuple[int, int]]:
    """The start and end in ``text`` of each item of the JSON list of ``count`` items
    written at ``offset``."""
    decoder, spans, position = json.JSONDecoder(), [], offset + 1  # after "["
    for _ in range(count):
        start = _SEPARATOR.match(text, position).end()
        position = decoder.raw_decode(text, start)[1]
        spans.append((start, position))
    return spans
