"""The pipeline for one file: parse, resolve, evaluate, report, apply the rules."""

from __future__ import annotations

from shapecheck.accepts import accepts
from shapecheck.assemble import Assembly
from shapecheck.interpret import Evaluator
from shapecheck.parse import parse
from shapecheck.project import Project
from shapecheck.results import FileReport, ModelReport, TensorReport
from shapecheck.rules.suppression import FILE_NOQA, NOQA, UnusedNoqa, noqa_codes


class Analysis:
    """One evaluated file, as the rules see it."""

    def __init__(self, source: str, path: str, project: Project | None = None):
        self.path = path
        self.wrapper = parse(source)
        from shapecheck.resolve import resolve

        self.names = resolve(self.wrapper)
        self.module = self.wrapper.module
        self.evaluator = Evaluator(self.module, self.names, project or Project(), path)
        self.evaluator.run()
        self.assembly = Assembly(self.evaluator, self.names.positions)

    def elsewhere(self, node):
        """The project's module whose code ``node`` is, when it is not this file's; else None."""
        if node in self.names.positions:
            return None
        found = self.evaluator.project.locate(node)
        return None if found is None else found[0]

    def position(self, node):
        """(line, column, end_line, end_column), 1-based, of a node (of this file, or of
        another file of the project)."""
        where = self.names.positions.get(node) or self.evaluator.project.locate(node)[1]
        return (where.start.line, where.start.column + 1, where.end.line, where.end.column + 1)

    def line(self, node) -> int:
        return self.assembly.line(node)

    def models(self) -> list[ModelReport]:
        return self.assembly.models()

    def tensors(self) -> list[TensorReport]:
        return self.assembly.tensors()


def _suppressed(diagnostic, lines) -> bool:
    """A ``# noqa`` (all codes) or ``# noqa: SHP201, SHP204`` comment on the finding's line."""
    line = lines[diagnostic.line - 1] if diagnostic.line <= len(lines) else ""
    match = NOQA.search(line)
    if match is None:
        return False
    codes = noqa_codes(match)
    return codes is None or diagnostic.code in codes


def _file_suppressed(source: str):
    """Whether a finding's code is off for the whole file, by its ``# shapecheck: noqa``
    comments."""
    found = [noqa_codes(match) for match in FILE_NOQA.finditer(source)]
    if any(codes is None for codes in found):
        return lambda code: True
    off = set().union(*found) if found else set()
    return lambda code: code in off


def check_source(source: str, path: str, project: Project | None = None) -> FileReport:
    """Analyse one file's source, following its imports into the project (``project``: the
    modules already run in this run); syntax errors propagate as libcst's ``ParserSyntaxError``."""
    from shapecheck.rules import ALL_RULES

    analysis = Analysis(source, path, project)
    lines = {None: source.splitlines()}
    for module in analysis.evaluator.project.modules.values():
        lines[module.path] = module.lines
    off = _file_suppressed(source)
    found = [d for rule in ALL_RULES for d in rule().check(analysis)]
    found += UnusedNoqa.unused(lines[None], found)
    diagnostics = [d for d in found
                   if not _suppressed(d, lines[d.file]) and not (d.file is None and off(d.code))]
    diagnostics.sort(key=lambda d: (d.line, d.column, d.code))
    gaps = [(construct, analysis.line(node)) for construct, node in analysis.evaluator.gaps
            if node in analysis.names.positions]
    models = analysis.models()
    for model in models:
        model.accepts = accepts(model)
    return FileReport(path, None, models, analysis.tensors(), diagnostics, gaps=gaps,
                      modules=analysis.evaluator.project.dependencies(path))
