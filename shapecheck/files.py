"""From command-line paths to checked files: discovery, reading, per-file errors.

Every problem with one file (missing, unreadable, not UTF-8, not a notebook, a syntax
error, an engine crash) becomes that file's ``FileReport.error``; the other files are
still checked. A notebook (``*.ipynb``) is checked as the program of its code cells
(``shapecheck.notebooks``), its report holding where each line of it is written.
"""

from __future__ import annotations

import ast
import io
import os
import sys
import threading
import tokenize
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from shapecheck.notebooks import NotebookError, is_notebook, read_notebook
from shapecheck.results import FileReport

# libcst and the engine are imported when a file is analysed (a run the cache answers
# needs neither).

STACK_SIZE, RECURSION_LIMIT = 512 * 1024 ** 2, 40_000  # for the thread that checks a file
SKIPPED_DIRS = frozenset({".venv", "venv", "__pycache__", "build", "dist", "node_modules"})


class SourceError(Exception):
    """A file that cannot be turned into source text; the message says why."""


def collect_files(paths: Iterable[str], skipped=None) -> list[str]:
    """The files to check: each file as given, each folder's ``*.py`` and ``*.ipynb``
    files, sorted.

    Hidden folders (``.ipynb_checkpoints`` too), ``SKIPPED_DIRS`` and what
    ``skipped(path, is_folder)`` says (the configuration's exclusions) are not entered.
    A path that does not exist is kept, so that checking it reports the error.
    """
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found.extend(sorted(_checked_files(path, skipped), key=lambda p: Path(p).parts))
        else:
            found.append(os.path.normpath(path))
    return list(dict.fromkeys(found))


def _checked_files(folder: str, skipped=None) -> Iterable[str]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS
                   and not (skipped and skipped(os.path.join(root, d), True))]
        for name in names:
            path = os.path.join(root, name)
            if skipped and skipped(path, False):
                continue
            if (name.endswith(".py") or is_notebook(name)) and os.path.isfile(path):
                yield os.path.normpath(path)  # (not a FIFO, a device or a broken link)


def read_source(path: str) -> str:
    """The text of ``path`` (in the encoding its PEP 263 coding line names, else UTF-8), or a
    ``SourceError`` saying why it has none."""
    if os.path.exists(path) and not os.path.isfile(path) and not os.path.isdir(path):
        raise SourceError("not a regular file")  # a FIFO or a device would block or never end
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from exc
    encoding = "utf-8" if is_notebook(path) else source_encoding(data)
    try:
        return data.decode("utf-8-sig" if encoding in ("utf-8", "utf-8-sig") else encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding
        raise SourceError(f"not valid {name}: {exc.reason} at byte {exc.start}") from exc


def source_encoding(data: bytes) -> str:
    """The encoding of a Python file's bytes: its PEP 263 coding line's, else UTF-8
    (``utf-8-sig`` with a byte-order mark); a ``SourceError`` for a bad coding line."""
    try:
        return tokenize.detect_encoding(io.BytesIO(data).readline)[0]
    except SyntaxError as exc:  # no coding line and not UTF-8 (said when decoding), or a bad one
        if "unknown encoding" in str(exc) or "encoding problem" in str(exc):
            raise SourceError(f"bad coding line: {exc}") from exc
        return "utf-8"


def read_program(path: str) -> tuple[str, tuple | None]:
    """The Python source to analyse and, for a notebook, the ``Place`` of each of its
    lines; a ``SourceError`` if there is none."""
    text = read_source(path)
    if not is_notebook(path):
        return text, None
    try:
        program = read_notebook(text)
    except NotebookError as exc:
        raise SourceError(str(exc)) from None
    return program.source, program.places


def check_source(source: str, path: str, project=None) -> FileReport:
    """``shapecheck.engine.check_source``, imported when first needed."""
    from shapecheck.engine import check_source as analyse

    return analyse(source, path, project)


def _project():
    from shapecheck.project import Project

    return Project()


def check_path(path: str, project=None) -> FileReport:
    """Read ``path`` and analyse it; never raises for a problem with the file."""
    try:
        source, places = read_program(path)
    except SourceError as exc:
        return FileReport(path, error=str(exc))
    return check_text(source, path, places, project)


def check_text(source: str, path: str, places=None, project=None) -> FileReport:
    """Analyse ``source`` as the file ``path`` (an editor's unsaved text); never raises:
    a syntax error or a crash is the report's ``error``."""
    import libcst

    failed = FileReport(path, places=places)
    try:
        report = with_deep_stack(check_source, source, path, project)
    except libcst.ParserSyntaxError as exc:
        failed.error = _describe_parser_error(source, path, exc, failed)
    except SyntaxError as exc:
        failed.error = _syntax_error(exc.lineno, exc.offset, exc.msg, failed)
    except ValueError as exc:  # null bytes in the source
        failed.error = f"not Python source: {exc}"
    except Exception as exc:  # noqa: BLE001 - one file's crash must not stop the run
        failed.error = f"internal error: {type(exc).__name__}: {exc}"
    else:
        report.places, report.lines = places, tuple(source.splitlines())
        return report
    return failed


def with_deep_stack(function, *args):
    """``function(*args)`` in a thread with a deep stack: legal code nested deeply (a long
    chain of ``+``, 3,000 nested lambdas) recurses further than Python's default 1,000
    frames, and libcst's parser and visitors recurse with it."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc

    previous = threading.stack_size(STACK_SIZE)
    try:
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _describe_parser_error(source: str, path: str, exc, report: FileReport) -> str:
    """CPython's message and position when it agrees the code is invalid: they are
    more precise than libcst's ("'(' was never closed" rather than a token list)."""
    try:
        ast.parse(source, path)
    except SyntaxError as py_exc:
        return _syntax_error(py_exc.lineno, py_exc.offset, py_exc.msg, report)
    except (RecursionError, MemoryError):  # nested too deep for CPython's parser
        pass
    return _syntax_error(exc.editor_line, exc.editor_column, exc.message, report)


def _syntax_error(line, column, message: str, report: FileReport) -> str:
    if not line:
        return f"syntax error: {message}"
    return f"syntax error at {report.line_text(line)}, column {column or 1}: {message}"


def check_paths(paths: Iterable[str], skipped=None, jobs: int = 1, cache=None,
                progress=None) -> list[FileReport]:
    """A report for every file that ``paths`` names, in ``collect_files`` order, then one
    for each other file of the project where a finding was reached (``place_findings``).

    ``cache`` (a ``shapecheck.cache.Cache``) answers for the files it holds; the others are
    checked by ``jobs`` processes (each running the project's modules once for its files);
    ``progress(done, total)`` is called after each file."""
    files = collect_files(paths, skipped)
    reports = {path: cache.get(path) for path in files} if cache is not None else {}
    missing = [path for path in files if reports.get(path) is None]
    first = len(files) - len(missing) + 1
    for done, (path, report) in enumerate(zip(missing, _check_all(missing, jobs)), first):
        reports[path] = report
        if cache is not None:
            cache.put(path, report)
        if progress is not None:
            progress(done, len(files))
    return place_findings([reports[path] for path in files])


def _check_all(files: list[str], jobs: int):
    """The reports of ``files``, in order, as they are made (by ``jobs`` processes)."""
    if not files:
        return iter(())
    if jobs <= 1 or len(files) <= 1:
        project = _project()  # each module of the project runs once for all the files
        return (check_path(path, project) for path in files)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    pool = ProcessPoolExecutor(min(jobs, len(files)), mp_context=context)

    def results():
        made = 0
        try:
            with pool:
                for report in pool.map(_check_in_worker, files,
                                       chunksize=max(1, min(8, len(files) // (4 * jobs)))):
                    made += 1
                    yield report
        except BrokenProcessPool:  # a worker died: the rest in this process, one by one
            project = _project()
            yield from (check_path(path, project) for path in files[made:])
    return results()


_WORKER_PROJECT: list = []


def _check_in_worker(path: str) -> FileReport:
    """``check_path`` in a worker process, the worker's modules run once for its files."""
    if not _WORKER_PROJECT:
        _WORKER_PROJECT.append(_project())
    return check_path(path, _WORKER_PROJECT[0])


def place_findings(reports: list[FileReport]) -> list[FileReport]:
    """Move each finding in another file's code to that file's report (made if that file
    was not checked itself), once, its message naming the call that reached it."""
    by_file = {os.path.abspath(report.path): report for report in reports}
    moved = []
    for report in reports:
        here = [d for d in report.diagnostics if d.file is None]
        moved += [(d, report) for d in report.diagnostics if d.file is not None]
        report.diagnostics = here
    for d, source in moved:
        target = by_file.get(d.file)
        if target is None:
            target = by_file[d.file] = FileReport(_shown(d.file))
            reports.append(target)
        if any((d.code, d.line, d.column) == (o.code, o.line, o.column) for o in target.diagnostics):
            continue
        via = f"{source.path}:{source.where(d.via[1])}"
        target.diagnostics.append(replace(d, file=None, message=f"{d.message} (via {via})"))
        target.diagnostics.sort(key=lambda o: (o.line, o.column, o.code))
    return reports


def _shown(path: str) -> str:
    """A path as the output writes it: relative to the working folder when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
