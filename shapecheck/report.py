"""Reporters: each turns the list of ``FileReport``s of one run into text.

``REPORTERS`` maps a ``--format`` name to its function; a new format (SARIF,
GitHub annotations) is one more function and one more entry.
"""

from __future__ import annotations

import inspect
import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from shapecheck import version
from shapecheck.dims import format_json_shape, format_shape
from shapecheck.results import FileReport, LayerReport, ModelReport, call_keys

CONTRACT_VERSION = 1


def render_text(reports: list[FileReport], show_source: bool = False, color: bool = False) -> str:
    """ruff-like lines ``path:line:col: CODE [severity] message`` (in a notebook
    ``path:cell N:line:col: ...``), each followed by a ``path:line:col: note: ...`` line per
    other place it names, each with its source line and a caret under what it flags when
    ``show_source``, then a summary; ANSI colours when ``color``."""
    paint = _paint if color else (lambda text, *_: text)
    entries = [((r.path, 0, 0, ""), f"{paint(r.path, 'path')}: {paint('error', 'error')}: {r.error}")
               for r in reports if r.error is not None]
    entries += [((r.path, d.line, d.column, d.code),
                 f"{paint(r.path, 'path')}:{r.where(d.line)}:{d.column}: {paint(d.code, d.severity)} "
                 f"[{d.severity}] {r.message(d)}" + (_source(r, d, paint) if show_source else "")
                 + "".join(_note(r, n, paint, show_source) for n in d.related))
                for r in reports for d in r.diagnostics]
    entries += [((r.path, 0, 1, ""), f"{paint(r.path, 'path')}: {_verify_line(r)}")
                for r in reports if r.verify is not None]
    lines = [line for _, line in sorted(entries, key=lambda entry: entry[0])]
    return "\n".join(lines + [paint(_summary_line(reports), "summary")])


_STYLES = {"path": {"bold": True}, "error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow"},
           "info": {"fg": "cyan"}, "caret": {"fg": "red"}, "summary": {"bold": True}}


def _paint(text: str, style: str) -> str:
    import click

    return click.style(text, **_STYLES[style])


def _note(report: FileReport, note, paint, show_source: bool) -> str:
    """The line of another place a finding names (``Related``), after the finding's."""
    line = (f"\n{paint(report.path, 'path')}:{report.where(note.line)}:{note.column}: "
            f"{paint('note', 'info')}: {note.message}")
    return line + (_source(report, note, paint) if show_source else "")


def _source(report: FileReport, d, paint) -> str:
    """The finding's line, indented, and carets under the part it flags (to the line's end
    when the finding goes on to later lines)."""
    if not 0 < d.line <= len(report.lines):
        return ""
    text = report.lines[d.line - 1].expandtabs(1)
    end = d.end_column if d.end_line == d.line and d.end_column > d.column else len(text) + 1
    width = max(1, min(end, len(text) + 1) - d.column)
    return f"\n    | {text}\n    | {' ' * (d.column - 1)}{paint('^' * width, 'caret')}"


def _json_shape(shape) -> str:
    if isinstance(shape, dict):
        return f"an error ({shape['error']})"
    return format_json_shape(shape)


def _verify_line(report: FileReport) -> str:
    """What --verify found for one file."""
    status, error = report.verify["status"], report.verify["error"]
    raised = f"; TensorFlow raised {error['type']} at {report.line_text(error['line'])}" if error else ""
    if status == "failed":
        return f"verify: could not run under TensorFlow: {error['message']}"
    confirmed = [f"{m.name} ({m.params:,} params)" if m.params is not None else m.name
                 for m in report.models if m.verified]
    found = [f"models confirmed: {', '.join(confirmed)}" if confirmed else "no model confirmed",
             _count(report.verify.get("tensors", 0), "tensor") + " confirmed"]
    for case in report.verify.get("symbolic", []):
        found.append(f"note: for {case['model']} Keras's shape inference says "
                     f"{_json_shape(case['symbolic'])} but the run gives {_json_shape(case['eager'])}")
    if status == "mismatch":
        return f"verify: TensorFlow disagrees (SHP901); {'; '.join(found)}{raised}"
    return f"verify: agrees with TensorFlow; {'; '.join(found)}{raised}"


def _summary_line(reports: list[FileReport]) -> str:
    checked = _count(len(reports), "file") + " checked"
    diagnostics = sum(len(r.diagnostics) for r in reports)
    errors = sum(r.error is not None for r in reports)
    if not diagnostics and not errors:
        models = _count(sum(len(r.models) for r in reports), "model")
        return f"All checks passed ({checked}, {models})."
    found = []
    if diagnostics:
        with_diagnostics = sum(bool(r.diagnostics) for r in reports)
        found.append(f"Found {_count(diagnostics, 'diagnostic')} "
                     f"in {_count(with_diagnostics, 'file')}")
    if errors:
        found.append(f"{_count(errors, 'file')} could not be checked")
    return f"{'; '.join(found)} ({checked})."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def render_json(reports: list[FileReport]) -> str:
    """The contract's JSON document (CONTRACT.md), keys in the contract's order."""
    document = {"version": CONTRACT_VERSION, "files": [r.to_json() for r in reports]}
    return json.dumps(document, indent=2)


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(reports: list[FileReport]) -> str:
    """SARIF 2.1.0, for code-scanning dashboards: one run, the rule table, one result per finding."""
    from shapecheck.rules import ALL_RULES

    rules = [{
        "id": rule.code, "name": rule.name,
        "shortDescription": {"text": (inspect.getdoc(rule) or "").partition("\n")[0]},
        "fullDescription": {"text": inspect.getdoc(rule) or ""},
        "help": {"text": inspect.getdoc(rule) or "",
                 "markdown": f"**{rule.code} {rule.name}**\n\n{inspect.getdoc(rule) or ''}\n\n"
                             f"`shapecheck explain {rule.code}` prints it with examples."},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
    } for rule in ALL_RULES]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [{
        "ruleId": d.code, "ruleIndex": index.get(d.code, -1), "level": _SARIF_LEVEL[d.severity],
        "message": {"text": r.message(d)},
        "locations": [{"physicalLocation": {
            "artifactLocation": _sarif_artifact(r.path),
            "region": _sarif_region(r, d)}}],
        **_sarif_related(r, d),
        **_sarif_cell(r, d),
        **_sarif_fix(r, d),
    } for r in reports for d in r.diagnostics]
    notifications = [{"level": "error", "message": {"text": f"{r.path}: {r.error}"},
                      "locations": [{"physicalLocation": {"artifactLocation": _sarif_artifact(r.path)}}]}
                     for r in reports if r.error is not None]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "shapecheck", "version": version(), "rules": rules,
                                "informationUri": "https://pypi.org/project/keras-shapecheck/"}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
            "results": results,
            "invocations": [{"executionSuccessful": not notifications,
                             "toolExecutionNotifications": notifications}],
        }],
    }
    return json.dumps(document, indent=2)


def _sarif_artifact(path: str) -> dict:
    """A file as SARIF names it: relative to the working folder (``%SRCROOT%``) when inside
    it, else its absolute ``file:`` URI."""
    absolute = Path(path).absolute()
    try:
        return {"uri": absolute.relative_to(Path.cwd()).as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        return {"uri": absolute.as_uri()}


def _file_lines(report: FileReport, d) -> tuple[int, int] | None:
    """In a notebook, the first and last line of the .ipynb file's text that hold the
    finding (its code is inside JSON strings, where escapes shift the columns)."""
    start = report.place(d.line)
    if start is None:
        return None
    return start.file_line, (report.place(d.end_line) or start).file_line


def _sarif_region(report: FileReport, d) -> dict:
    lines = _file_lines(report, d)
    if lines is None:
        return {"startLine": d.line, "startColumn": d.column,
                "endLine": d.end_line, "endColumn": d.end_column}
    return {"startLine": lines[0], "endLine": lines[1]}


def _sarif_related(report: FileReport, d) -> dict:
    """The other places a finding names, as SARIF ``relatedLocations``."""
    if not d.related or d.file is not None:
        return {}
    return {"relatedLocations": [{
        "id": index, "message": {"text": note.message},
        "physicalLocation": {"artifactLocation": _sarif_artifact(report.path),
                             "region": _sarif_region(report, note)}}
        for index, note in enumerate(d.related, 1)]}


def _sarif_fix(report: FileReport, d) -> dict:
    """A finding's fix as SARIF ``fixes`` (in a file of Python: a notebook's are not applied)."""
    if d.fix is None or report.places is not None or d.file is not None:
        return {}
    replacements = [{"deletedRegion": {"startLine": e.line, "startColumn": e.column,
                                       "endLine": e.end_line, "endColumn": e.end_column},
                     "insertedContent": {"text": e.text}} for e in d.fix.edits]
    return {"fixes": [{"description": {"text": d.fix.title}, "artifactChanges": [
        {"artifactLocation": _sarif_artifact(report.path), "replacements": replacements}]}]}


def _sarif_cell(report: FileReport, d) -> dict:
    """In a notebook, the finding's cell, line and column as result properties."""
    place = report.place(d.line)
    if place is None:
        return {}
    return {"properties": {"cell": place.cell, "line": place.line, "column": d.column}}


def _escape(text: str, property_value: bool = False) -> str:
    """GitHub workflow-command escaping (a property value also escapes ':' and ',')."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def render_github(reports: list[FileReport]) -> str:
    """GitHub Actions annotations: ``::error file=...,line=...::message`` per finding, and a
    ``::notice`` at each other place it names."""
    lines = [f"::error file={_escape(r.path, True)},title=shapecheck::{_escape(r.error)}"
             for r in reports if r.error is not None]
    for r in reports:
        for d in r.diagnostics:
            level = {"error": "error", "warning": "warning"}.get(d.severity, "notice")
            lines.append(_annotation(r, level, d, f"{d.code} {d.name}", r.message(d)))
            lines += [_annotation(r, "notice", n, f"{d.code} note", n.message) for n in d.related]
    return "\n".join(lines + [_summary_line(reports)])


def _annotation(report: FileReport, level: str, d, title: str, message: str) -> str:
    held = _file_lines(report, d)
    if held is None:
        place = f"line={d.line},col={d.column},endLine={d.end_line},endColumn={d.end_column}"
    else:  # a notebook: the lines of the .ipynb file, and the cell in the title
        place = f"line={held[0]},endLine={held[1]}"
        title += f" ({report.where(d.line)}:{d.column})"
    place = f"file={_escape(report.path, True)},{place}"
    return f"::{level} {place},title={_escape(title, True)}::{_escape(message)}"


REPORTERS: dict[str, Callable[[list[FileReport]], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
}


def _format_params(params) -> str:
    return "?" if params is None else f"{params:,}"


_HEADER = ("Layer (name)", "Class", "Output Shape", "Param #", "Line")


def render_summary(reports: list[FileReport]) -> str:
    """A ``model.summary()``-like table for every model of every file."""
    blocks = []
    for report in reports:
        blocks += model_blocks([report], _model_table)
        if report.tensors and report.error is None:
            blocks.append(_tensor_table(report))
    return "\n\n".join(blocks)


def model_blocks(reports: list[FileReport], render: Callable) -> list[str]:
    """``render(report, model)`` for every model of every file; for a file that could not
    be checked or has no model, a line that says so."""
    blocks = []
    for report in reports:
        if report.error is not None:
            blocks.append(f"{report.path}: error: {report.error}")
            continue
        if not report.models:
            blocks.append(f"{report.path}: no models found")
        blocks.extend(render(report, model) for model in report.models)
    return blocks


def _tensor_table(report: FileReport) -> str:
    """Every tensor-valued assignment: what the program's ``print(x.shape)`` lines show."""
    rows = [(f"{report.where(t.line)}:{t.column}", t.name, format_shape(t.shape)) for t in report.tensors]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    return "\n".join([f"Tensors in {report.path}"] + [
        f"  {where.ljust(widths[0])}  {name.ljust(widths[1])}  {shape}"
        for where, name, shape in rows])


def _model_table(report: FileReport, model: ModelReport) -> str:
    header, rows = _HEADER, list(_layer_rows(report, model.layers, prefix="", depth=0))
    if _branches(model):  # Keras's "Connected to" column, for a graph that is not a chain
        header = (*_HEADER[:4], "Connected to", _HEADER[4])
        rows = [(*row[:4], ", ".join(layer.connected_to) or "?", row[4])
                for row, layer in zip(rows, _nested(model.layers))]
    rows = [header] + rows
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {3, len(header) - 1}  # the counts and the lines

    def line(row) -> str:
        cells = [cell.rjust(w) if i in right else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths))]
        return " | ".join(cells).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    return "\n".join([
        heading(report, model),
        line(rows[0]),
        rule,
        *(line(row) for row in rows[1:]),
        rule,
        f"Total params: {_format_params(model.params)}{_size(model.params)}",
        f"Input shape: {format_shape(model.input_shape)}",
        f"Output shape: {format_shape(model.output_shape)}",
        *([f"Accepts: {_accepted(model.accepts)}"] if model.accepts is not None else []),
    ])


def heading(report: FileReport, model: ModelReport) -> str:
    """The line that names a model: ``Model "LeNet" (subclass) at lenet.py:27``."""
    return f'Model "{model.name}" ({model.kind}) at {report.path}:{report.where(model.line)}'


def _size(params) -> str:
    """The weights' size as Keras's summary writes it, for float32 weights: `` (107.80 KB)``."""
    if params is None:
        return ""
    size, units = params * 4.0, ["B", "KB", "MB", "GB", "TB"]
    while size >= 1024 and len(units) > 1:
        size /= 1024
        units.pop(0)
    return f" ({size:.2f} {units[0]})"


def _nested(layers: list[LayerReport]):
    """The layers in the table's order: each one, then the layers inside it."""
    for layer in layers:
        yield layer
        yield from _nested(layer.layers)


def _branches(model: ModelReport) -> bool:
    """Whether a layer of the model takes other outputs than the layer's before it (the
    first one: the input's)."""
    previous = model.input_names[:1]
    for layer, key in zip(model.layers, call_keys(model.layers)):
        if layer.connected_to and layer.connected_to != previous:
            return True
        previous = (key,)
    return False


def _accepted(conditions: list[str]) -> str:
    return " and ".join(conditions) if conditions else "any size"


def _layer_rows(report: FileReport, layers: list[LayerReport], prefix: str, depth: int):
    for layer in layers:
        name = f"{prefix}{layer.name}"
        yield ("  " * depth + name, layer.cls, format_shape(layer.output_shape),
               _format_params(layer.params), report.where(layer.line))
        yield from _layer_rows(report, layer.layers, prefix=f"{name}.", depth=depth + 1)


def render_statistics(reports: list[FileReport]) -> str:
    """How many findings each rule made, most first (ruff's ``--statistics``)."""
    counts = Counter((d.code, d.name) for r in reports for d in r.diagnostics)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "\n".join(f"{n:5d}  {code}  {name}" for (code, name), n in rows)


def render_rules(rules: Iterable[type]) -> str:
    """The rule table: code, name, severity, "fix" when ``--fix`` fixes some of its findings
    (a column only when a rule has a fix), and the docstring's first line."""
    rows = [(rule.code, rule.name, rule.severity, "fix" if getattr(rule, "fix", None) else "",
             (inspect.getdoc(rule) or "").partition("\n")[0])
            for rule in sorted(rules, key=lambda rule: rule.code)]
    if not rows:
        return "No rules registered."
    if not any(row[3] for row in rows):
        rows = [(*row[:3], row[4]) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(cell.ljust(w) for cell, w in zip(row, widths)), row[-1]])
                     .rstrip() for row in rows)
