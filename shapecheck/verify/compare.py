"""Diff a static report against what TensorFlow recorded for the same file.

Agreement marks models and layers ``verified``; a different shape or count is
SHP901 at the layer's line; an exception TensorFlow raises confirms the static
finding at its line, or is SHP901 there when static analysis saw nothing; a
static finding that claims an exception TensorFlow did not raise is marked as
not confirmed.
"""

from __future__ import annotations

from dataclasses import replace

from shapecheck.dims import format_json_shape
from shapecheck.results import Diagnostic, FileReport, shape_to_json
from shapecheck.rules import claims_raise
from shapecheck.rules.verify import VerifyMismatch


class _Diff:
    def __init__(self, path: str):
        self.path = path
        self.findings: list[Diagnostic] = []

    def mismatch(self, line: int, message: str) -> None:
        self.findings.append(Diagnostic(VerifyMismatch.code, VerifyMismatch.name,
                                        VerifyMismatch.severity, line, 1, line, 1, message))

    def node(self, what: str, ours, theirs) -> bool:
        """Compare one model or layer; True when every known value agrees."""
        agree = True
        for key, label in (("input_shape", "input"), ("output_shape", "output")):
            mine, real = shape_to_json(getattr(ours, key)), theirs.get(key)
            if mine is None or real is None:
                agree = False  # unknown on one side: not confirmed, not contradicted
            elif mine != real:
                agree = False
                self.mismatch(ours.line, f"{what}: TensorFlow gives {label} {format_json_shape(real)} "
                                         f"where static analysis says {format_json_shape(mine)}")
        if ours.params is not None and theirs.get("params") is not None \
                and ours.params != theirs["params"]:
            agree = False
            self.mismatch(ours.line, f"{what}: TensorFlow counts {theirs['params']:,} parameters "
                                     f"where static analysis counts {ours.params:,}")
        return agree

    def layers(self, ours: list, theirs: list, owner: str) -> bool:
        agree = len(ours) == len(theirs)
        for mine, real in zip(ours, theirs):
            if (mine.name, mine.cls) != (real["name"], real["class"]):
                self.mismatch(mine.line, f"{owner}: TensorFlow runs {real['class']} "
                                         f"'{real['name']}' (line {real['line']}) here, where static "
                                         f"analysis has {mine.cls} '{mine.name}'")
                mine.verified = agree = False
                continue
            what = f"layer '{mine.name}' ({mine.cls})"
            inner = self.layers(mine.layers, real.get("layers", []), what)
            mine.verified = self.node(what, mine, real) and inner
            agree = agree and mine.verified
        return agree


def _match(models, records):
    """Pairs of (static model, TensorFlow model record) for the models both ran."""
    by_place = {(r["name"], r["line"]): r for r in records}
    return [(m, by_place[(m.name, m.line)]) for m in models if (m.name, m.line) in by_place]


def verify(report: FileReport, record: dict, elsewhere=()) -> FileReport:
    """``report`` with TensorFlow's evidence: verified flags, SHP901 findings, notes;
    ``elsewhere``: the findings of other files' reports, one of which this file's run may
    have reached."""
    diff = _Diff(report.path)
    error = record.get("error")
    if record.get("failed"):  # the file hung or the child crashed: nothing to compare
        report.verify = {"status": "failed", "error": error}
        return report
    symbolic = []
    for model, real in _match(report.models, record.get("models", [])):
        what = f"model '{model.name}'"
        inferred = real.get("symbolic_output_shape")
        if inferred is not None and inferred != real.get("output_shape"):
            symbolic.append({"model": model.name, "line": model.line,
                             "eager": real.get("output_shape"), "symbolic": inferred})
        inner = diff.layers(model.layers, real.get("layers", []), what)
        node = diff.node(what, model, real) if error is None else True
        model.verified = node and inner and error is None
    confirmed_tensors = _tensors(diff, report, record.get("tensors", []))
    diagnostics = []
    error_line = error.get("line") if error else None
    for d in report.diagnostics:
        if claims_raise(d.code, d.severity) and d.via is None:  # (else another file's run)
            if error_line == d.line:
                d = replace(d, message=f"{d.message} (confirmed: TensorFlow raises "
                                       f"{error['type']}: {_first_line(error['message'])})")
            elif error is None:
                d = replace(d, message=f"{d.message} (not confirmed: TensorFlow ran the file "
                                       f"without raising)")
        diagnostics.append(d)
    reached = any(d.via == (report.path, error_line) and claims_raise(d.code, d.severity)
                  for d in elsewhere)
    if error is not None and not reached and not any(
            d.line == error_line and claims_raise(d.code, d.severity) for d in report.diagnostics):
        diff.mismatch(error_line or 1, f"TensorFlow raises {error['type']}: "
                                       f"{_first_line(error['message'])}, which static analysis "
                                       f"did not predict")
    report.diagnostics = sorted(diagnostics + diff.findings,
                                key=lambda d: (d.line, d.column, d.code))
    mismatched = any(d.code == VerifyMismatch.code for d in report.diagnostics)
    report.verify = {"status": "mismatch" if mismatched else "confirmed", "error": error,
                     "tensors": confirmed_tensors}
    if symbolic:  # Keras's shape inference disagrees with its own eager run
        report.verify["symbolic"] = symbolic
    return report


def _tensors(diff: _Diff, report: FileReport, records: list) -> int:
    """Compare assigned tensors; the number TensorFlow confirms."""
    ours: dict[tuple, list] = {}
    for tensor in report.tensors:
        ours.setdefault((tensor.line, tensor.column, tensor.name), []).append(
            shape_to_json(tensor.shape))
    confirmed = 0
    for real in records:
        shapes = ours.get((real["line"], real["column"], real["name"]))
        if shapes is None or any(s is None or None in s for s in shapes):
            continue  # not known statically: nothing to confirm or contradict
        if real["shape"] in shapes:
            confirmed += 1
        elif all(not any(isinstance(d, str) for d in s) for s in shapes):
            diff.mismatch(real["line"], f"'{real['name']}': TensorFlow gives shape "
                                        f"{format_json_shape(real['shape'])} where static analysis says "
                                        + " or ".join(format_json_shape(s) for s in shapes))
    return confirmed


def _first_line(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""
